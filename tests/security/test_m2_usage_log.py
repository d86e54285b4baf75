"""M2: the record of a presignature's one use survives torn writes, tampering and rollbacks.

Each test lays out a node as the service does: the usage log in the state dir, the seal key and the
usage counter in a separate secrets dir. A log that forgets a use lets a presignature sign a second
message, which with C1 gives away the key.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import node.usage_log as usage_log
from node.errors import StateCorrupted
from node.sealed import SealedStore, load_or_create_key
from node.usage_log import BURNED, UsageLog, UsageLogRolledBack, UsageLogTampered
from runtime.crypto.errors import PresignatureReused


class Node:
    def __init__(self, root: Path) -> None:
        self.state = root / "state"
        self.secrets = root / "secrets"
        self.log_path = self.state / "presign-usage.log"
        self.counter_path = self.secrets / "node.seal.usage-counter"
        self.store = SealedStore(self.state / "sealed", load_or_create_key(self.secrets / "node.seal"))

    def usage(self) -> UsageLog:
        """The log as a (re)started node opens it."""
        return UsageLog(self.log_path, mac_key=self.store.derive_key("presign-usage-log"), counter_path=self.counter_path)


@pytest.fixture
def node(tmp_path: Path) -> Node:
    return Node(tmp_path)


def test_torn_last_line_is_cut_so_the_next_claims_survive_a_restart(node: Node) -> None:
    node.usage().claim("p/1", "aa")
    with open(node.log_path, "a") as fh:
        fh.write('{"id":"p/2","ms')  # a crash mid-append
    log = node.usage()
    assert not log.is_used("p/2")
    log.claim("p/3", "cc")
    log.claim("p/4", "dd")

    restarted = node.usage()
    assert not restarted.rolled_back
    assert (restarted.message_for("p/1"), restarted.message_for("p/3"), restarted.message_for("p/4")) == ("aa", "cc", "dd")
    for pid in ("p/3", "p/4"):
        with pytest.raises(PresignatureReused):
            restarted.claim(pid, "ee")
    assert node.log_path.read_bytes().endswith(b"\n") and len(node.log_path.read_bytes().splitlines()) == 3


def _edit_line(path: Path, number: int, edit) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    lines[number - 1] = edit(lines[number - 1])
    path.write_bytes(b"".join(lines))


def _flip(offset: int):
    def edit(line: bytes) -> bytes:
        changed = bytearray(line)
        changed[offset] ^= 0x01
        return bytes(changed)

    return edit


@pytest.mark.parametrize(
    ("number", "edit"),
    [
        (2, _flip(8)),  # inside the id
        (2, lambda line: line.replace(b'"bb"', b'"bc"')),  # the message
        (2, _flip(-4)),  # inside the MAC
        (1, _flip(0)),  # no longer JSON
    ],
    ids=["id", "message", "mac", "syntax"],
)
def test_a_tampered_record_is_an_error_at_start_naming_file_and_line(node: Node, number: int, edit) -> None:
    log = node.usage()
    for pid, msg in (("p/1", "aa"), ("p/2", "bb"), ("p/3", "cc")):
        log.claim(pid, msg)
    _edit_line(node.log_path, number, edit)
    with pytest.raises(UsageLogTampered, match=rf"{node.log_path} line {number}\b"):
        node.usage()


def test_removed_or_reordered_records_break_the_chain(node: Node) -> None:
    log = node.usage()
    for pid, msg in (("p/1", "aa"), ("p/2", "bb"), ("p/3", "cc")):
        log.claim(pid, msg)
    lines = node.log_path.read_bytes().splitlines(keepends=True)
    node.log_path.write_bytes(lines[0] + lines[2])
    with pytest.raises(UsageLogTampered, match=rf"{node.log_path} line 2\b"):
        node.usage()
    node.log_path.write_bytes(lines[1] + lines[0] + lines[2])
    with pytest.raises(UsageLogTampered, match=rf"{node.log_path} line 1\b"):
        node.usage()


def test_a_log_written_under_another_seal_key_is_refused(node: Node, tmp_path: Path) -> None:
    node.usage().claim("p/1", "aa")
    other = Node(tmp_path / "other")
    other.state.mkdir(parents=True)
    shutil.copy(node.log_path, other.log_path)
    with pytest.raises(UsageLogTampered, match="line 1"):
        other.usage()


def test_a_tampered_counter_is_refused(node: Node) -> None:
    node.usage().claim("p/1", "aa")
    node.counter_path.write_bytes(node.counter_path.read_bytes().replace(b'"count":1', b'"count":0'))
    with pytest.raises(UsageLogTampered, match=str(node.counter_path)):
        node.usage()


def _assert_nothing_held_can_sign(log: UsageLog, held: list[str]) -> None:
    for pid in held:
        with pytest.raises(PresignatureReused):
            log.claim(pid, "ff" * 32)


def test_restoring_an_older_log_is_a_rollback_and_leaves_no_presignature_usable(node: Node, tmp_path: Path) -> None:
    log = node.usage()
    log.claim("p/1", "aa")
    shutil.copy(node.log_path, tmp_path / "backup.log")
    log.claim("p/2", "bb")
    shutil.copy(tmp_path / "backup.log", node.log_path)

    restored = node.usage()
    assert restored.rolled_back
    held = ["p/1", "p/2", "p/3"]
    with pytest.raises(UsageLogRolledBack, match="older copy"):
        restored.claim("p/2", "other")
    _assert_nothing_held_can_sign(restored, held)
    with pytest.raises(UsageLogRolledBack):
        restored.claim("p/new", "aa")  # until the pool has burned what it holds, nothing signs

    # What the pool does at start-up: burn all it holds, then new presignatures may sign.
    assert restored.recover_from_rollback(held) == 2  # p/1 was already in the log
    assert not restored.rolled_back and restored.message_for("p/2") == BURNED
    _assert_nothing_held_can_sign(restored, held)
    restored.claim("p/new", "aa")

    restarted = node.usage()
    assert not restarted.rolled_back
    _assert_nothing_held_can_sign(restarted, held)
    assert restarted.message_for("p/new") == "aa"


def test_restoring_the_whole_state_dir_is_a_rollback(node: Node, tmp_path: Path) -> None:
    log = node.usage()
    node.store.save("presign-index", ["batch-s1"])
    log.claim("p/1", "aa")
    shutil.copytree(node.state, tmp_path / "snapshot")
    log.claim("p/2", "bb")
    log.claim("p/3", "cc")
    shutil.rmtree(node.state)
    shutil.copytree(tmp_path / "snapshot", node.state)

    restored = node.usage()
    assert restored.rolled_back
    assert node.store.load("presign-index") == ["batch-s1"]  # the rest of the state came back with it
    _assert_nothing_held_can_sign(restored, ["p/1", "p/2", "p/3", "p/4"])


def test_a_removed_log_is_a_rollback(node: Node) -> None:
    node.usage().claim("p/1", "aa")
    node.log_path.unlink()
    assert node.usage().rolled_back


def test_a_fork_after_recovery_is_a_rollback(node: Node, tmp_path: Path) -> None:
    """The pre-restore log, longer than the recovered one, is another history, not a newer one."""
    log = node.usage()
    log.claim("p/1", "aa")
    shutil.copy(node.log_path, tmp_path / "old.log")
    for pid in ("p/2", "p/3", "p/4"):
        log.claim(pid, "bb")
    shutil.copy(node.log_path, tmp_path / "long.log")
    shutil.copy(tmp_path / "old.log", node.log_path)
    node.usage().recover_from_rollback(["p/2", "p/5"])  # now 3 records, counter at 3
    shutil.copy(tmp_path / "long.log", node.log_path)  # 4 records, but not the counter's chain
    assert node.usage().rolled_back


def test_a_crash_during_recovery_finds_the_rollback_again(node: Node, tmp_path: Path, monkeypatch) -> None:
    log = node.usage()
    shutil.copy(node.log_path, tmp_path / "empty.log")
    log.claim("p/1", "aa")
    shutil.copy(tmp_path / "empty.log", node.log_path)
    restored = node.usage()

    def crash(path: Path, data: bytes, **_: object) -> None:
        raise OSError("power lost before the counter was written")

    monkeypatch.setattr(usage_log, "atomic_write", crash)
    with pytest.raises(OSError):
        restored.recover_from_rollback(["p/1", "p/2"])
    monkeypatch.undo()
    again = node.usage()
    assert again.rolled_back
    assert again.recover_from_rollback(["p/1", "p/2"]) == 0  # both burned by the first attempt
    _assert_nothing_held_can_sign(node.usage(), ["p/1", "p/2"])


def test_a_crash_between_log_fsync_and_counter_update_is_not_a_rollback(node: Node, monkeypatch) -> None:
    log = node.usage()
    log.claim("p/1", "aa")

    def crash(path: Path, data: bytes, **_: object) -> None:
        raise OSError("power lost before the counter was written")

    monkeypatch.setattr(usage_log, "atomic_write", crash)
    with pytest.raises(OSError):
        log.claim("p/2", "bb")  # the log record is durable, the counter is not
    monkeypatch.undo()

    restarted = node.usage()
    assert not restarted.rolled_back
    assert restarted.message_for("p/2") == "bb"
    with pytest.raises(PresignatureReused):
        restarted.claim("p/2", "cc")
    restarted.claim("p/3", "dd")
    assert not node.usage().rolled_back


def test_after_a_failed_append_nothing_more_is_written_until_restart(node: Node, monkeypatch) -> None:
    """A failed fsync leaves the disk unknown; appending more could glue a record onto a partial one."""
    log = node.usage()
    log.claim("p/1", "aa")

    def failing_fsync(fd: int) -> None:
        raise OSError("EIO")

    monkeypatch.setattr(usage_log.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="EIO"):
        log.claim("p/2", "bb")
    monkeypatch.undo()
    with pytest.raises(StateCorrupted, match="until the node restarts"):
        log.claim("p/3", "cc")
    restarted = node.usage()  # the record reached the page cache, so the restart finds it
    assert not restarted.rolled_back and restarted.message_for("p/2") == "bb"
    restarted.claim("p/3", "cc")
