import json
from pathlib import Path

import pytest

from runtime.ipfs import CID, DAG_PB, RAW, CidError, block_cid, build_dag
from runtime.ipfs.encoding import b58decode, b58encode, decode_varint, encode_varint

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text())


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: repr(v["content"]))
def test_kubo_vectors(vector):
    dag = build_dag(vector["content"].encode())
    assert str(dag.root) == vector["cid"]
    assert dag.size == vector["size"]
    if "cidv1" in vector:
        assert str(dag.root.to_v1()) == vector["cidv1"]


@pytest.mark.parametrize("vector", VECTORS["raw_leaves_v1"], ids=lambda v: repr(v["content"]))
def test_cidv1_raw_leaves_vector(vector):
    assert str(build_dag(vector["content"].encode(), cid_version=1).root) == vector["cid"]


def test_v0_parse_and_print_roundtrip():
    text = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"
    cid = CID.parse(text)
    assert (cid.version, cid.codec, len(cid.digest)) == (0, DAG_PB, 32)
    assert str(cid) == text
    assert CID.decode(cid.encode()) == cid


def test_v1_dag_pb_parse_and_convert():
    v1 = CID.parse("bafybeihykld7uyxzogax6vgyvag42y7464eywpf55gxi5qpoisibh3c5wa")
    assert (v1.version, v1.codec_name) == (1, "dag-pb")
    assert str(v1.to_v0()) == "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"
    assert v1.to_v0().to_v1() == v1
    assert CID.decode(v1.encode()) == v1
    # multibase variants of the same CID
    assert CID.parse(str(v1).upper()) == v1
    assert CID.parse("f" + v1.encode().hex()) == v1
    assert CID.parse("z" + b58encode(v1.encode())) == v1


def test_v1_raw_codec():
    data = b"hello world"
    cid = CID.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e")
    assert cid.codec == RAW and cid.matches(data)
    assert block_cid(data, RAW, 1) == cid
    with pytest.raises(CidError, match="no CIDv0 form"):
        cid.to_v0()


def test_verify_names_the_cid():
    cid = build_dag(b"hello world").root
    with pytest.raises(Exception, match=str(cid)):
        cid.verify(b"tampered")


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("hello", "multibase prefix 'h'"),
        ("Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyf0", "not in the base58btc alphabet"),
        ("QmShort", "multibase prefix 'Q'"),
        ("bafy!!!", "bad multibase 'b' body"),
        ("b" + "a" * 10, "CID version"),
        # CIDv1 dag-cbor (0x71) is valid elsewhere, but not something a UnixFS file can be.
        ("bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "unsupported codec 0x71"),
        # blake2b-256 multihash
        ("bafk2bzacecnepljrf3f2k6vfquoi7mhbqg6ehqsvjmfk67ys6lnbqgoktb6g6", "unsupported multihash"),
    ],
)
def test_parse_errors_are_clear(text, reason):
    with pytest.raises(CidError) as info:
        CID.parse(text)
    assert reason in str(info.value)
    assert "invalid CID" in str(info.value)


def test_cid_error_is_a_value_error():
    with pytest.raises(ValueError):
        CID.parse("nonsense")


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2**35, 2**63 - 1])
def test_varint_roundtrip(value):
    encoded = encode_varint(value)
    assert decode_varint(encoded) == (value, len(encoded))


def test_varint_rejects_non_minimal_and_truncated():
    with pytest.raises(ValueError, match="non-minimal"):
        decode_varint(b"\x80\x00")
    with pytest.raises(ValueError, match="truncated"):
        decode_varint(b"\x80")


def test_base58_leading_zeros():
    assert b58decode(b58encode(b"\x00\x00abc")) == b"\x00\x00abc"
