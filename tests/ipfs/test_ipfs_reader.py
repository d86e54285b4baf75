import os

import pytest

from runtime.ipfs import BlockVerificationError, DagError, SizeLimitExceeded, build_dag, read_file
from runtime.ipfs.cid import block_cid
from runtime.ipfs.dagpb import PBLink, PBNode, encode_node
from runtime.ipfs.unixfs import DataType, UnixFSData, encode_unixfs


def small_dag(data: bytes, chunk_size: int = 1024):
    dag = build_dag(data, chunk_size=chunk_size, max_links=4)
    return dag, dag.block_map()


def test_reassembles_multi_level_dag():
    data = os.urandom(40 * 1024)  # 40 leaves, 4 links per node: three levels
    dag, blocks = small_dag(data)
    assert read_file(dag.root, blocks.__getitem__) == data


def test_raw_leaves_dag_reads_back():
    data = os.urandom(3 * 262144 + 5)
    dag = build_dag(data, cid_version=1)
    assert read_file(str(dag.root), dag.block_map().__getitem__) == data


@pytest.mark.parametrize("which", ["root", "inner", "leaf"])
def test_tampered_block_is_refused_naming_its_cid(which):
    dag, blocks = small_dag(os.urandom(40 * 1024))
    leaf = dag.blocks[0].cid
    inner = next(b.cid for b in dag.blocks if b.cid != dag.root and len(b.data) < 200)
    target = {"root": dag.root, "inner": inner, "leaf": leaf}[which]
    blocks[target] = blocks[target][:-1] + bytes([blocks[target][-1] ^ 1])
    with pytest.raises(BlockVerificationError) as info:
        read_file(dag.root, blocks.__getitem__)
    assert info.value.cid == str(target)
    assert str(target) in str(info.value)


def _file_node(children, blocksizes, filesize):
    unixfs = UnixFSData(DataType.FILE, filesize=filesize, blocksizes=tuple(blocksizes))
    links = tuple(PBLink(c, "", None) for c in children)
    return encode_node(PBNode(links=links, data=encode_unixfs(unixfs)))


def test_parent_lying_about_sizes_is_refused():
    leaf = build_dag(b"abc")
    lie = _file_node([leaf.root], [4], 4)
    root = block_cid(lie)
    blocks = {root: lie, **leaf.block_map()}
    with pytest.raises(DagError, match=str(root)):
        read_file(root, blocks.__getitem__)


def test_directory_is_not_a_file():
    block = encode_node(PBNode(data=encode_unixfs(UnixFSData(DataType.DIRECTORY))))
    cid = block_cid(block)
    with pytest.raises(DagError, match="directory"):
        read_file(cid, {cid: block}.__getitem__)


def test_garbage_block_is_a_dag_error_naming_the_cid():
    block = b"\xff\xff\xff"
    cid = block_cid(block)
    with pytest.raises(DagError, match=str(cid)):
        read_file(cid, {cid: block}.__getitem__)


def test_size_limit():
    dag, blocks = small_dag(os.urandom(5000))
    assert read_file(dag.root, blocks.__getitem__, max_bytes=5000)
    with pytest.raises(SizeLimitExceeded, match=str(dag.root)):
        read_file(dag.root, blocks.__getitem__, max_bytes=4999)
