"""Trusted dealers for tests and benchmarks: a key shared out by one party that knows it.

A real network never has such a party; its keys come from the DKG (runtime/crypto/dkg.py). Tests
use a dealer when the subject is what happens after the key exists (shares, combination, interop
with Lit's wasm) and the DKG would only make them slower.
"""

from __future__ import annotations

import secrets

from runtime.crypto import shamir, vss
from runtime.crypto.bls import G1, ORDER
from runtime.crypto.bls_threshold import ThresholdPublicKey
from runtime.crypto.errors import InvalidInput
from runtime.crypto.group import threshold_for

__all__ = ["deal"]


def deal(
    n: int, secret: int | None = None, rand: shamir.RandomScalar | None = None
) -> tuple[dict[int, int], ThresholdPublicKey]:
    """A degree-2t sharing of a BLS key among parties 1..n, as the DKG's would be: (x_i by index, key).

    InvalidInput for n < 1 or a secret outside 1..ORDER-1."""
    if n < 1:
        raise InvalidInput("n", f"must be at least 1, got {n}")
    if secret is not None and not 0 < secret < ORDER:
        raise InvalidInput("secret", "scalar out of range")
    draw = rand or (lambda modulus: 1 + secrets.randbelow(modulus - 1))  # never a zero key
    coefficients = shamir.random_polynomial(2 * threshold_for(n), ORDER, secret, draw)
    commitments = vss.feldman_commit(G1, coefficients)
    return shamir.share(coefficients, n, ORDER), ThresholdPublicKey.from_commitments(commitments, n)
