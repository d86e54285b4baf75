"""Errors of the sandbox.

    HostError            a host operation refusing; its message reaches the action as a thrown Error
     └─ FetchRefused     fetch to a forbidden address (the action sees a ForbiddenError)
    SandboxSetupError    the sandbox itself cannot start (ethers bundle missing, V8 misconfigured)

An execution never raises for what the action did: that becomes an `ExecutionError` in the result.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HostError", "FetchRefused", "SandboxSetupError", "ExecutionError", "LimitExceeded"]


class HostError(Exception):
    """A host operation refused or failed; the action receives `Error(message)`."""

    js_name = "HostError"


class FetchRefused(HostError):
    """fetch() aimed at an address or port the host does not allow."""

    js_name = "ForbiddenError"


class SandboxSetupError(RuntimeError):
    """The sandbox cannot run actions at all (not the action's fault)."""


@dataclass(frozen=True)
class ExecutionError:
    """Why an execution failed.

    kind: timeout, memory, code_size, response_size, console_size, fetch_limit, signature_limit,
    contract_call_limit, timer_limit, call_limit, outbox_limit, js_error, syntax_error, host_error,
    forbidden.
    line: 1-based line in the action's own source, when known.
    """

    kind: str
    message: str
    line: int | None = None
    stack: str | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.message}{where}"


class LimitExceeded(Exception):
    """Raised inside the driver to end an execution; carries the error to report."""

    def __init__(self, error: ExecutionError) -> None:
        super().__init__(error.message)
        self.error = error


def timeout_error(limit_ms: int) -> ExecutionError:
    return ExecutionError("timeout", f"Your function exceeded the maximum runtime of {limit_ms}ms and was terminated.")


def memory_error(limit_mb: int) -> ExecutionError:
    return ExecutionError("memory", f"Your function exceeded the maximum memory of {limit_mb} MB and was terminated.")


def code_size_error(size: int, limit: int) -> ExecutionError:
    return ExecutionError("code_size", f"Your code is too large: {size} bytes; the maximum is {limit} bytes.")


def response_size_error(size: int, limit: int) -> ExecutionError:
    return ExecutionError(
        "response_size", f"The response is too large: {size} bytes; the maximum is {limit} bytes."
    )


def console_size_error(limit: int) -> ExecutionError:
    return ExecutionError(
        "console_size", f"Console output is too large: your function logged more than {limit} bytes."
    )


def count_limit_error(kind: str, limit: int) -> ExecutionError:
    what = {
        "fetch_limit": f"send more than {limit} HTTP requests",
        "signature_limit": f"sign more than {limit} times",
        "contract_call_limit": f"make more than {limit} contract calls",
    }[kind]
    return ExecutionError(kind, f"You may not {what} per session and you have attempted to exceed that limit.")


def flood_limit_error(kind: str, limit: int) -> ExecutionError:
    """A cap on what an action may leave waiting for the host, or hand it in one turn."""
    what = {
        "timer_limit": f"{limit} pending timers",
        "call_limit": f"{limit} host calls in flight",
        "outbox_messages": f"{limit} messages to the host in one turn",
        "outbox_chars": f"{limit} characters of messages to the host in one turn",
    }[kind]
    error_kind = "outbox_limit" if kind.startswith("outbox") else kind
    return ExecutionError(error_kind, f"Your function exceeded the maximum of {what} and was terminated.")
