"""What an execution hands back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ExecutionError

__all__ = ["ExecutionResult"]


@dataclass
class ExecutionResult:
    """The outcome of one execution.

    operations: every host operation the action asked for, in order, as
    {"op": name, "args": summary, "ok": bool}; `signatures`, `fetches` and `contract_calls` count them.
    """

    response: str = ""
    logs: str = ""
    operations: list[dict[str, Any]] = field(default_factory=list)
    error: ExecutionError | None = None
    duration_ms: float = 0.0
    signatures: int = 0
    fetches: int = 0
    contract_calls: int = 0
    ethers_loaded: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        error = None
        if self.error is not None:
            error = {
                "kind": self.error.kind,
                "message": self.error.message,
                "line": self.error.line,
                "stack": self.error.stack,
            }
        return {"response": self.response, "logs": self.logs, "error": error}
