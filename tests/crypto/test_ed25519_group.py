"""The Ed25519 group (libsodium): arithmetic against `cryptography`'s Ed25519, strict decoding, and
the GJKR DKG running over it (and over P-256) unchanged."""

from __future__ import annotations

import hashlib
import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.bindings import crypto_core_ed25519_add

from runtime.crypto.dkg import SCHEDULE, DkgConfig
from runtime.crypto.ed25519 import ED25519, IDENTITY, ORDER
from runtime.crypto.errors import InvalidPoint
from runtime.crypto.group import Group
from runtime.crypto.p256 import P256

from .harness import Harness

G = ED25519
P = 2**255 - 19


def _expanded_scalar(seed: bytes) -> int:
    """RFC 8032 §5.1.5: the secret scalar behind a seed (clamped low half of SHA-512)."""
    h = bytearray(hashlib.sha512(seed).digest()[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return int.from_bytes(h, "little")


def test_is_a_group():
    assert isinstance(G, Group)


@pytest.mark.parametrize("seed", [bytes(32), bytes(range(32)), b"\xff" * 32])
def test_base_mul_matches_cryptography_public_keys(seed):
    expected = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert G.encode(G.base_mul(_expanded_scalar(seed))) == expected


def test_arithmetic_laws():
    rng = random.Random(1)
    a, b = rng.randrange(1, ORDER), rng.randrange(1, ORDER)
    A, B = G.base_mul(a), G.base_mul(b)
    assert G.eq(G.add(A, B), G.base_mul(a + b))
    assert G.eq(G.mul(A, b), G.base_mul(a * b))
    assert G.eq(G.neg(A), G.base_mul(-a))
    assert G.is_identity(G.add(A, G.neg(A)))
    assert G.is_identity(G.base_mul(ORDER)) and G.is_identity(G.mul(A, 0))
    assert G.eq(G.add(G.identity(), A), A) and G.is_identity(G.mul(G.identity(), a))
    assert G.eq(G.msm([A, B, G.identity()], [3, 5, 7]), G.base_mul(3 * a + 5 * b))
    assert G.encode(G.identity()) == IDENTITY


def test_pedersen_h_is_a_valid_independent_point():
    h = G.pedersen_h()
    assert G.decode(G.encode(h)) == h
    assert not G.eq(h, G.generator()) and not G.is_identity(h)


def _y_without_x() -> bytes:
    # Smallest y for which x² = (y² − 1)/(d·y² + 1) has no root: an encoding of no point.
    d = (-121665 * pow(121666, -1, P)) % P
    y = 2
    while True:
        u = (y * y - 1) * pow(d * y * y + 1, -1, P) % P
        if u and pow(u, (P - 1) // 2, P) != 1:
            return y.to_bytes(32, "little")
        y += 1


ORDER_TWO = ((P - 1).to_bytes(32, "little"))  # (0, −1)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\x01" + bytes(30), "expected 32 bytes"),
        (IDENTITY, "identity point not allowed"),
        (ORDER_TWO, "prime-order subgroup"),
        (P.to_bytes(32, "little"), "non-canonical"),  # y = p, i.e. y = 0 written wrong
        ((P + 1).to_bytes(32, "little"), "non-canonical"),
        (_y_without_x(), "prime-order subgroup"),
        (crypto_core_ed25519_add(G.base_mul(5), ORDER_TWO), "prime-order subgroup"),  # torsion component
    ],
)
def test_decode_refuses(data, reason):
    with pytest.raises(InvalidPoint, match=reason) as info:
        G.decode(data, "commitment")
    assert info.value.field == "commitment"


def test_decode_identity_when_allowed():
    assert G.is_identity(G.decode(IDENTITY, allow_identity=True))


@pytest.mark.parametrize("group", [ED25519, P256], ids=lambda g: g.name)
def test_dkg_runs_unchanged_over_the_new_groups(group, dkg_factory, dkg_check):
    config = DkgConfig.for_network(f"{group.name}-genesis", 4, keys=2)
    parties = dkg_factory(group, config)
    harness = Harness(parties, schedule=SCHEDULE).run()
    assert harness.rejected == [] and harness.deadlines == 0
    results = dkg_check(group, parties, [1, 2, 3, 4], set())
    assert results[0].group == group.name
