"""Our CIDs against two independent implementations of `ipfs add` defaults."""

import pytest

from runtime.ipfs import build_dag, import_file, read_file

from tests.ipfs.conftest import SAMPLE_SIZES, SLOW_SAMPLES

SAMPLES = [
    pytest.param(name, marks=pytest.mark.slow) if name in SLOW_SAMPLES else name for name in SAMPLE_SIZES
]


@pytest.mark.parametrize("name", SAMPLES)
def test_cid_equals_ipfs_only_hash(name, sample_file, oracles):
    path = sample_file(name)
    assert str(import_file(str(path)).root) == oracles.ipfs_only_hash(path)


@pytest.mark.parametrize("name", SAMPLES)
def test_cid_equals_debian_ipfs_cid(name, sample_file, oracles):
    path = sample_file(name)
    assert str(import_file(str(path)).root) == oracles.ipfs_cid(path)


@pytest.mark.parametrize("name", ["empty", "eleven", "chunk+1", "random-5MB"])
def test_in_memory_build_matches_streaming_import_and_reads_back(name, sample_file):
    path = sample_file(name)
    data = path.read_bytes()
    dag = build_dag(data)
    streamed = import_file(str(path))
    assert (dag.root, dag.size, dag.filesize) == (streamed.root, streamed.size, streamed.filesize)
    assert dag.blocks[-1].cid == dag.root
    assert read_file(dag.root, dag.block_map().__getitem__) == data


@pytest.mark.slow
def test_175_chunks_layout_is_balanced_as_kubo(sample_file):
    from runtime.ipfs.dagpb import decode_node

    dag = build_dag(sample_file("175-chunks").read_bytes())
    blocks = dag.block_map()
    root = decode_node(blocks[dag.root])
    # Kubo grows a level and fills depth-first: [inner(174 leaves), inner(1 leaf)].
    assert [len(decode_node(blocks[link.cid]).links) for link in root.links] == [174, 1]
    assert dag.filesize == 175 * 262144
    assert dag.size == sum(len(b.data) for b in dag.blocks)  # all chunks differ: no shared blocks
