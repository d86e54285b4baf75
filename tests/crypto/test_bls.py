"""BLS12-381 groups and POP-ciphersuite signatures, checked against py_ecc (the reference)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from py_arkworks_bls12381 import G1Point

from runtime.crypto import bls
from runtime.crypto.bls import G1, G2, ORDER
from runtime.crypto.errors import InvalidInput, InvalidPoint
from runtime.crypto.group import Group

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "bls_sign.json").read_text())
FIELD_PRIME = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB


def _compressed_x(x: int) -> bytes:
    raw = bytearray(x.to_bytes(48, "big"))
    raw[0] |= 0x80  # compression flag, y sign bit clear
    return bytes(raw)


def _x_with(on_curve: bool) -> int:
    """Smallest x whose x^3 + 4 is (or is not) a square mod p: on E(Fp) but, being a hash-free
    pick, almost surely outside the order-r subgroup."""
    x = 1
    while (pow(x**3 + 4, (FIELD_PRIME - 1) // 2, FIELD_PRIME) == 1) != on_curve:
        x += 1
    return x


@pytest.mark.parametrize("group", [G1, G2], ids=["G1", "G2"])
def test_group_protocol(group: bls.BLS12381G1 | bls.BLS12381G2) -> None:
    assert isinstance(group, Group)
    g, h = group.generator(), group.pedersen_h()
    assert not group.is_identity(h) and not group.eq(h, g)
    assert group.eq(group.add(group.base_mul(3), group.base_mul(4)), group.mul(g, 7))
    assert group.is_identity(group.add(g, group.neg(g)))
    assert group.is_identity(group.base_mul(ORDER))
    assert group.eq(group.base_mul(-1), group.neg(g))
    points = [group.base_mul(k) for k in (2, 3, 5)]
    assert group.eq(group.msm(points, [7, 11, 13]), group.base_mul(2 * 7 + 3 * 11 + 5 * 13))
    assert group.is_identity(group.msm([], []))
    with pytest.raises(InvalidInput) as err:
        group.msm(points, [1, 2])
    assert err.value.field == "scalars"
    p = group.base_mul(123456789)
    assert group.eq(group.decode(group.encode(p)), p)
    ident = group.encode(group.identity())
    assert group.is_identity(group.decode(ident, allow_identity=True))
    with pytest.raises(InvalidPoint, match="identity"):
        group.decode(ident, "commitment")


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\x00" * 47, "expected 48 bytes"),
        (b"\x00" * 49, "expected 48 bytes"),
        (_compressed_x(_x_with(on_curve=False)), "not a point on"),
        (_compressed_x(_x_with(on_curve=True)), "not in the prime-order subgroup"),
        (_compressed_x(FIELD_PRIME + 1), "not a point on"),  # x >= p
        (b"\x00" * 48, "not a point on"),  # no compression flag
        # arkworks itself accepts this one; the round-trip check in decode refuses it
        (bytes([0xC0]) + b"\x00" * 46 + b"\x01", "non-canonical"),  # infinity flag with junk
    ],
    ids=["short", "long", "off-curve", "non-subgroup", "x>=p", "no-flag", "infinity-junk"],
)
def test_g1_decode_rejects(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidPoint, match=reason) as err:
        G1.decode(data, "public_key")
    assert err.value.field == "public_key"


def test_decode_rejects_wrong_types_and_hex() -> None:
    with pytest.raises(InvalidPoint) as err:
        G2.decode("00" * 96, "signature")  # type: ignore[arg-type]
    assert err.value.field == "signature"
    with pytest.raises(InvalidPoint, match="hex"):
        G2.decode_hex("zz", "signature")
    with pytest.raises(InvalidPoint, match="expected 96 bytes"):
        G2.decode(G1.encode(G1.generator()), "signature")
    with pytest.raises(InvalidPoint, match="expected a bls12-381-g2 point"):
        G2.check(G1.generator(), "share")


def test_arkworks_hash_to_g1_matches_rfc9380_and_py_ecc() -> None:
    # Pins the dependency litrt's pedersen_h relies on (no litrt code runs here).
    # x of the msg="" vector is RFC 9380 Appendix J.9.1's; py_ecc produced the file.
    assert VECTORS["hash_to_g1"][0]["x"].startswith("052926add2207b76ca4fa57a8734416c")
    for v in VECTORS["hash_to_g1"]:
        p = G1Point.hash_to_curve(bytes.fromhex(v["msg"]), v["dst"].encode())
        assert p.to_xy_bytes_be().hex() == v["x"] + v["y"]


@pytest.mark.parametrize("v", VECTORS["signatures"], ids=lambda v: v["msg"][:8] or "empty")
def test_sign_matches_py_ecc_vectors(v: dict[str, str]) -> None:
    sk, msg = int(v["sk"], 16), bytes.fromhex(v["msg"])
    assert bls.sk_to_pk(sk).hex() == v["pk"]
    assert bls.sign(sk, msg).hex() == v["sig"]
    assert bls.prove_possession(sk).hex() == v["pop"]
    assert bls.verify(bytes.fromhex(v["pk"]), msg, bytes.fromhex(v["sig"]))
    assert bls.verify_possession(bytes.fromhex(v["pk"]), bytes.fromhex(v["pop"]))
    assert not bls.verify(bytes.fromhex(v["pk"]), msg + b"x", bytes.fromhex(v["sig"]))


def test_live_py_ecc_cross_check() -> None:
    from py_ecc.bls import G2ProofOfPossession as reference

    sk, msg = 0x1234_5678_9ABC_DEF0 << 100, b"live cross-check"
    assert bls.sign(sk, msg) == reference.Sign(sk, msg)
    assert reference.Verify(bls.sk_to_pk(sk), msg, bls.sign(sk, msg))  # one py_ecc pairing pair


def test_wrong_key_and_swapped_signature_fail() -> None:
    pk = bls.sk_to_pk(5)
    assert not bls.verify(bls.sk_to_pk(6), b"m", bls.sign(5, b"m"))
    assert not bls.verify(pk, b"m", bls.sign(5, b"other"))
    assert not bls.verify_possession(pk, bls.sign(5, pk))  # a plain signature is not a PoP


@pytest.mark.parametrize("sk", [0, ORDER, ORDER + 1, -1, True, 1.5])
def test_secret_key_out_of_range(sk: object) -> None:
    with pytest.raises(InvalidInput) as err:
        bls.sign(sk, b"m")  # type: ignore[arg-type]
    assert err.value.field == "secret_key"


def test_parse_scalar() -> None:
    assert bls.parse_scalar("0x05") == 5
    assert bls.parse_scalar((ORDER - 1).to_bytes(32, "big")) == ORDER - 1
    assert bls.parse_scalar(0, allow_zero=True) == 0
    for bad in (ORDER.to_bytes(32, "big"), b"\x01" * 31, "xyz", 0):
        with pytest.raises(InvalidInput) as err:
            bls.parse_scalar(bad, "key_share")
        assert err.value.field == "key_share"
