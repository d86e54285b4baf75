"""L1: secret files are 0600 from the moment they exist, in 0700 directories, and looser ones are refused.

The umask is set to 0 around each creation: the modes must come from the code, not the environment.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import node.sealed as sealed
from node.__main__ import keygen
from node.sealed import InsecurePermissions, SealedStore, load_or_create_key
from node.usage_log import UsageLog


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def no_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def creations(monkeypatch) -> list[tuple[str, int, int]]:
    """Every file os.open creates, as (name, flags, mode), seen through the real call."""
    seen: list[tuple[str, int, int]] = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        if flags & os.O_CREAT:
            seen.append((Path(path).name, flags, mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(sealed.os, "open", spy)
    return seen


def test_a_new_key_is_0600_before_it_gets_its_name(tmp_path: Path, monkeypatch, no_umask, creations) -> None:
    """The link that names the key fails: the file that would have become the key was already 0600."""
    before_link: list[int] = []

    def failing_link(src, dst):
        before_link.append(_mode(src))
        raise OSError("disk full at the rename")

    monkeypatch.setattr(sealed.os, "link", failing_link)
    with pytest.raises(OSError, match="disk full"):
        load_or_create_key(tmp_path / "secrets" / "node1.seal")
    assert before_link == [0o600]
    (name, flags, mode), = creations
    assert name.startswith(".node1.seal.") and mode == 0o600
    assert flags & (os.O_CREAT | os.O_EXCL | os.O_WRONLY) == os.O_CREAT | os.O_EXCL | os.O_WRONLY
    assert list((tmp_path / "secrets").iterdir()) == []  # no temp file left behind


def test_keygen_makes_a_0700_secrets_dir_and_a_0600_key(tmp_path: Path, no_umask) -> None:
    """The path the launcher uses: `python -m node keygen --seal-key <root>/secrets/node1.seal`."""
    keygen(tmp_path / "node1", tmp_path / "secrets" / "node1.seal")
    assert _mode(tmp_path / "secrets") == 0o700
    assert _mode(tmp_path / "secrets" / "node1.seal") == 0o600
    assert {_mode(p) for p in (tmp_path / "node1" / "sealed").iterdir()} == {0o600}


def test_sealed_records_are_0600_before_the_rename(tmp_path: Path, monkeypatch, no_umask) -> None:
    store = SealedStore(tmp_path / "state", load_or_create_key(tmp_path / "secrets" / "k"))
    modes: list[int] = []
    real_replace = os.replace

    def spy(src, dst):
        modes.append(_mode(src))
        return real_replace(src, dst)

    monkeypatch.setattr(sealed.os, "replace", spy)
    store.save("identity", "secret")
    assert modes == [0o600] and _mode(tmp_path / "state" / "identity.sealed") == 0o600


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o602])
def test_a_key_open_to_group_or_others_is_refused_naming_path_and_mode(tmp_path: Path, mode: int) -> None:
    key = tmp_path / "secrets" / "node1.seal"
    load_or_create_key(key)
    key.chmod(mode)
    with pytest.raises(InsecurePermissions, match=rf"{key} has mode {mode:#o}"):
        load_or_create_key(key)


def test_a_secrets_dir_open_to_group_or_others_is_refused(tmp_path: Path) -> None:
    secrets_dir = tmp_path / "secrets"
    load_or_create_key(secrets_dir / "node1.seal")
    secrets_dir.chmod(0o755)
    with pytest.raises(InsecurePermissions, match=rf"{secrets_dir} has mode 0o755"):
        load_or_create_key(secrets_dir / "node1.seal")


def test_the_usage_counter_is_0600_and_checked(tmp_path: Path, no_umask) -> None:
    secrets_dir = tmp_path / "secrets"
    mac_key = SealedStore(tmp_path / "state", load_or_create_key(secrets_dir / "k")).derive_key("presign-usage-log")
    counter = secrets_dir / "k.usage-counter"
    log = UsageLog(tmp_path / "state" / "presign-usage.log", mac_key=mac_key, counter_path=counter)
    log.claim("p/1", "aa")
    assert _mode(counter) == 0o600 and _mode(tmp_path / "state" / "presign-usage.log") == 0o600
    counter.chmod(0o644)
    with pytest.raises(InsecurePermissions, match=rf"{counter} has mode 0o644"):
        UsageLog(tmp_path / "state" / "presign-usage.log", mac_key=mac_key, counter_path=counter)
