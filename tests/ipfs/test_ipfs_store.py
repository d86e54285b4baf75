import os
import subprocess
import sys
import threading

import pytest

from runtime.ipfs import BlockNotFound, BlockStore, BlockVerificationError, build_dag
from runtime.ipfs.cid import RAW, block_cid


def test_put_get_has(tmp_path):
    store = BlockStore(tmp_path)
    dag = build_dag(b"hello world")
    assert not store.has(dag.root)
    assert store.put_dag(dag) == dag.root
    assert store.has(dag.root) and store.has(str(dag.root))
    assert store.get(dag.root) == dag.blocks[0].data
    assert store.cat(dag.root) == b"hello world"


def test_v0_and_v1_share_one_file(tmp_path):
    store = BlockStore(tmp_path)
    root = store.add_bytes(b"hello\n").root
    assert store.has(root.to_v1())
    assert store.path_for(root) == store.path_for(root.to_v1())
    assert store.path_for(root).name.startswith("CIQ")  # flatfs-style base32 multihash key


def test_raw_block_put_default_cid(tmp_path):
    store = BlockStore(tmp_path)
    cid = store.put(b"raw bytes", codec=RAW)
    assert cid == block_cid(b"raw bytes", RAW, 1) and store.get(cid) == b"raw bytes"


def test_missing_block(tmp_path):
    cid = build_dag(b"nowhere").root
    with pytest.raises(BlockNotFound, match=str(cid)):
        BlockStore(tmp_path).get(cid)


def test_put_refuses_data_that_does_not_match_the_cid(tmp_path):
    store = BlockStore(tmp_path)
    cid = build_dag(b"hello world").root
    with pytest.raises(BlockVerificationError, match=str(cid)):
        store.put(b"something else", cid)
    assert not store.has(cid)


def test_tampered_file_on_disk_is_refused(tmp_path):
    store = BlockStore(tmp_path)
    dag = store.add_bytes(os.urandom(600_000))
    leaf = dag.blocks[1].cid
    path = store.path_for(leaf)
    data = bytearray(path.read_bytes())
    data[50] ^= 0xFF
    path.write_bytes(data)
    with pytest.raises(BlockVerificationError) as info:
        store.cat(dag.root)
    assert info.value.cid == str(leaf)


def test_writes_leave_no_temp_files_and_are_world_readable(tmp_path):
    store = BlockStore(tmp_path)
    dag = store.add_bytes(os.urandom(1_000_000))
    files = [p for p in (tmp_path / "blocks").rglob("*") if p.is_file()]
    assert sorted(p.name for p in files) == sorted(store.path_for(b.cid).name for b in dag.blocks)
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in files)


def test_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    store = BlockStore(tmp_path)

    def broken_fsync(fd):
        raise OSError(5, "simulated I/O error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    cid = block_cid(b"x" * 100)
    with pytest.raises(OSError, match="simulated"):
        store.put(b"x" * 100, cid)
    assert not store.has(cid)
    assert [p for p in (tmp_path / "blocks").rglob("*") if p.is_file()] == []


def test_concurrent_readers_never_see_a_partial_block(tmp_path):
    """Writers in threads race to store the same large blocks while readers poll for them."""
    store = BlockStore(tmp_path)
    blocks = [os.urandom(512 * 1024) for _ in range(8)]
    cids = [block_cid(b, RAW, 1) for b in blocks]
    seen: list[str] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            for cid, block in zip(cids, blocks):
                if store.has(cid):
                    # get() re-hashes, so a torn read would raise here
                    assert store.get(cid) == block
                    seen.append(str(cid))

    def writer():
        for cid, block in zip(cids, blocks):
            store.put(block, cid)

    readers = [threading.Thread(target=reader) for _ in range(3)]
    writers = [threading.Thread(target=writer) for _ in range(3)]
    errors: list[BaseException] = []
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:
        for t in readers + writers:
            t.start()
        for t in writers:
            t.join()
        stop.set()
        for t in readers:
            t.join()
    finally:
        threading.excepthook = threading.__excepthook__
    assert errors == []
    assert all(store.get(c) == b for c, b in zip(cids, blocks))


def test_a_reader_in_another_process_sees_whole_blocks(tmp_path):
    store = BlockStore(tmp_path)
    dag = store.add_bytes(os.urandom(300_000))
    code = (
        "import sys; from runtime.ipfs import BlockStore;"
        "print(len(BlockStore(sys.argv[1]).cat(sys.argv[2])))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), str(dag.root)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "300000"


def test_putting_again_repairs_a_corrupted_copy(tmp_path):
    store = BlockStore(tmp_path)
    dag = store.add_bytes(b"hello world")
    path = store.path_for(dag.root)
    path.write_bytes(b"garbage")
    with pytest.raises(BlockVerificationError):
        store.get(dag.root)
    store.put_dag(dag)
    assert store.cat(dag.root) == b"hello world"
