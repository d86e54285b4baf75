"""Errors raised by runtime.access.

    ConditionError (ValueError)   the conditions are malformed, unsupported, name a chain this node
                                  does not serve, or need more chain reads than allowed; `.path`
                                  names the offending part, e.g.
                                  "accessControlConditions[2].returnValueTest.comparator"
    ChainReadFailed               a chain could not be read (endpoint down, JSON-RPC error) while
                                  evaluating; `.path` names the condition, `__cause__` is the
                                  runtime.chain error

Conditions that are well formed but not met are not errors: `evaluate` returns an Evaluation
with `ok=False` and a description of what failed. A contract call that reverts or returns
nothing counts as "not met" (see runtime.access.evaluate).
"""

from __future__ import annotations

__all__ = ["ConditionError", "ChainReadFailed"]


class ConditionError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class ChainReadFailed(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
