"""Per-execution limits. The defaults are Lit's own (lit-peer's `lit-actions` limits)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits"]

KIB = 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one execution may use. Every field is checked on the Python side of the bridge."""

    timeout_ms: int = 30_000
    memory_mb: int = 256
    max_code_bytes: int = 16 * MIB
    max_response_bytes: int = 100 * KIB
    max_console_bytes: int = 100 * KIB
    max_fetches: int = 50
    max_signatures: int = 10
    max_contract_calls: int = 30
    # Enforced by the node's `call` op (the sandbox only carries it).
    max_call_depth: int = 5
    fetch_timeout_s: float = 10.0
    max_fetch_response_bytes: int = 10 * MIB
    # Floods: what may wait for the host at once, and what one turn (the V8 work between two visits
    # of the driver) may hand it. Not Lit's (Deno has none); each bounds the host work one action makes.
    max_timers: int = 1000
    max_calls_in_flight: int = 1000
    max_outbox_messages: int = 10_000
    # Characters of the JSON the outbox arrives as (fetch bodies travel in it as base64).
    max_outbox_chars: int = 64 * MIB
    # WebAssembly for actions that name it (sandbox/js/wasm.js keeps its memories inside memory_mb).
    # Off by default: Lit offers it, but it is one more engine in the isolate to trust.
    webassembly: bool = False

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if name == "webassembly":
                if not isinstance(value, bool):
                    raise ValueError(f"Limits.webassembly must be true or false, got {value!r}")
            elif not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Limits.{name} must be a positive number, got {value!r}")
