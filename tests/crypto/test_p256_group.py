"""The P-256 group (python-ecdsa): arithmetic against `cryptography` (OpenSSL), strict decoding, and
the GJKR DKG running over it unchanged."""

from __future__ import annotations

import random

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from runtime.crypto.errors import InvalidPoint
from runtime.crypto.group import Group
from runtime.crypto.p256 import FIELD_PRIME, ORDER, P256

G = P256


def _openssl_point(k: int, fmt: PublicFormat = PublicFormat.CompressedPoint) -> bytes:
    return ec.derive_private_key(k % ORDER, ec.SECP256R1()).public_key().public_bytes(Encoding.X962, fmt)


def test_is_a_group():
    assert isinstance(G, Group)


def test_arithmetic_matches_openssl():
    rng = random.Random(2)
    a, b = rng.randrange(1, ORDER), rng.randrange(1, ORDER)
    A, B = G.base_mul(a), G.base_mul(b)
    assert G.encode(A) == _openssl_point(a)
    assert G.encode_uncompressed(A) == _openssl_point(a, PublicFormat.UncompressedPoint)
    assert G.encode(G.add(A, B)) == _openssl_point(a + b)
    assert G.encode(G.mul(A, b)) == _openssl_point(a * b)
    assert G.encode(G.neg(A)) == _openssl_point(-a)
    assert G.encode(G.msm([A, B], [3, 5])) == _openssl_point(3 * a + 5 * b)
    assert G.encode(G.generator()) == _openssl_point(1)


def test_identity_laws():
    A = G.base_mul(11)
    assert G.is_identity(G.add(A, G.neg(A)))
    assert G.is_identity(G.base_mul(ORDER)) and G.is_identity(G.mul(A, 0))
    assert G.eq(G.add(G.identity(), A), A) and G.is_identity(G.mul(G.identity(), 3))
    assert G.encode(G.identity()) == bytes(33)


def test_decoding_accepts_openssl_encodings():
    for fmt in (PublicFormat.CompressedPoint, PublicFormat.UncompressedPoint):
        assert G.eq(G.decode(_openssl_point(12345, fmt)), G.base_mul(12345))


def test_pedersen_h_is_a_valid_independent_point():
    h = G.pedersen_h()
    assert G.eq(G.decode(G.encode(h)), h) and G.encode(h)[0] == 2
    assert not G.eq(h, G.generator())
    # OpenSSL agrees the encoding is a point of P-256.
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), G.encode(h))


def _x_off_curve() -> bytes:
    b = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
    x = 1
    while pow((x**3 - 3 * x + b) % FIELD_PRIME, (FIELD_PRIME - 1) // 2, FIELD_PRIME) == 1:
        x += 1
    return x.to_bytes(32, "big")


@pytest.mark.parametrize(
    "data, reason",
    [
        (bytes(33), "identity point not allowed"),
        (b"\x02" + bytes(31), "expected 33-byte"),
        (b"\x05" + _openssl_point(7)[1:], "expected 33-byte"),
        (b"\x02" + _x_off_curve(), "not a point on P-256"),
        (b"\x02" + FIELD_PRIME.to_bytes(32, "big"), "non-canonical"),
        (_openssl_point(7, PublicFormat.UncompressedPoint)[:-1] + b"\x00", "not a point on P-256"),
    ],
)
def test_decode_refuses(data, reason):
    with pytest.raises(InvalidPoint, match=reason) as info:
        G.decode(data, "commitment")
    assert info.value.field == "commitment"


def test_decode_identity_when_allowed():
    assert G.is_identity(G.decode(bytes(33), allow_identity=True))
