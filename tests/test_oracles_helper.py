"""tests/oracles.py: a missing oracle fails under CI and skips elsewhere, with its reason."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.oracles import MARK, check_marks, needs_oracle, require_oracle, under_ci

REASON = "node is not on PATH"


@pytest.mark.parametrize(
    ("value", "ci"),
    [(None, False), ("", False), ("0", False), ("false", False), (" False ", False),
     ("true", True), ("1", True), ("yes", True), ("TRUE", True)],
)
def test_under_ci(monkeypatch: pytest.MonkeyPatch, value: str | None, ci: bool) -> None:
    _set_ci(monkeypatch, value)
    assert under_ci() is ci


@pytest.mark.parametrize("value", [None, "true"])
def test_an_available_oracle_neither_fails_nor_skips(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    _set_ci(monkeypatch, value)
    require_oracle(True, REASON)
    check_marks(_item(needs_oracle(None)))


def test_a_missing_oracle_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=f"^oracle missing under CI: {REASON}$"):
        require_oracle(False, REASON)
    with pytest.raises(pytest.fail.Exception, match=f"^oracle missing under CI: {REASON}$"):
        check_marks(_item(needs_oracle(REASON)))


@pytest.mark.parametrize("value", [None, "0", "false"])
def test_a_missing_oracle_skips_elsewhere(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    _set_ci(monkeypatch, value)
    with pytest.raises(pytest.skip.Exception, match=f"^{REASON}$"):
        require_oracle(False, REASON)
    mark = needs_oracle(REASON).mark  # pytest's own skip mark, reported at the test
    assert (mark.name, mark.kwargs) == ("skip", {"reason": REASON})


def _set_ci(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)


def _item(decorator: pytest.MarkDecorator) -> Any:
    """A stand-in for a test item carrying one mark."""
    mark = decorator.mark
    assert mark.name == MARK
    return SimpleNamespace(iter_markers=lambda name: [mark] if name == MARK else [])
