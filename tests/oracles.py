"""Outside oracles (node, npm packages, ganache, curl, ...): a missing one skips on a developer
machine and fails under CI, where it must never skip silently.

Two ways in:
- `require_oracle(available, reason)` at the start of a test, fixture or module;
- `@needs_oracle(missing)` on a test, with `missing` None when the oracle is there, else why not.
  Under CI the mark is checked by tests/conftest.py before the test's fixtures are set up.
"""

from __future__ import annotations

import os

import pytest

MARK = "needs_oracle"


def under_ci() -> bool:
    """True when CI is set to anything but "", "0" or "false"."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def require_oracle(available: bool, reason: str) -> None:
    """Return if the oracle is available; else fail under CI, skip otherwise (module level too)."""
    __tracebackhide__ = True  # report the caller, not this helper
    if available:
        return
    if under_ci():
        pytest.fail(f"oracle missing under CI: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def needs_oracle(missing: str | None) -> pytest.MarkDecorator:
    """A mark for a test that needs an oracle; `missing` is None when it is there, else the reason.

    Off CI a missing oracle is a plain skip mark; under CI a mark that `check_marks` fails on."""
    if missing is not None and not under_ci():
        return pytest.mark.skip(reason=missing)
    return getattr(pytest.mark, MARK)(missing)


def check_marks(item: pytest.Item) -> None:
    """Fail a test item whose `needs_oracle` mark names a missing oracle (called from tests/conftest.py)."""
    for mark in item.iter_markers(MARK):
        missing = mark.args[0]
        require_oracle(missing is None, missing or "")
