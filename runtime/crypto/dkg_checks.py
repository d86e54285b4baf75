"""The DKG's arithmetic: commitments evaluated at a party index, batched share checks, and
polynomial interpolation (for rebuilding a caught dealer's polynomials in the open)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

from .dkg_messages import SharePair
from .dkg_result import DkgKeyShare
from .errors import VerificationFailed
from .group import Group

__all__ = ["horner", "shares_match", "interpolate_polynomial", "joint_keys"]


def horner(group: Group[Any], coefficients: Sequence[Any], x: int) -> Any:
    """Σ C_l·x^l by Horner: every multiplication is by the small party index x, which the curve
    libraries do several times faster than a full-width scalar as in an msm over x^l."""
    acc = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        acc = group.add(group.mul(acc, x), c)
    return acc


def shares_match(
    group: Group[Any],
    commitments: Sequence[Sequence[Any]],
    x: int,
    pair: SharePair,
    *,
    pedersen: bool,
    randbytes: Callable[[int], bytes],
) -> bool:
    """Do party x's K shares match K committed polynomials (Pedersen: s·G + r·H, else Feldman: s·G)?

    One batched equation: with random 128-bit weights w_k (w_0 = 1),
    Σ w_k·s_k·G (+ Σ w_k·r_k·H) == Σ w_k·C_k(x). A wrong share passes with probability 2^-128,
    and the weights are the verifier's own, so a dealer cannot aim for them."""
    q = group.order
    weights = [1] + [int.from_bytes(randbytes(16), "big") for _ in range(len(pair.s) - 1)]
    lhs = group.base_mul(sum(w * s for w, s in zip(weights, pair.s)) % q)
    if pedersen:
        lhs = group.add(lhs, group.mul(group.pedersen_h(), sum(w * r for w, r in zip(weights, pair.r)) % q))
    at_x = [horner(group, row, x) for row in commitments]
    rhs = at_x[0] if len(at_x) == 1 else group.msm(at_x, weights)
    return group.eq(lhs, rhs)


def interpolate_polynomial(points: dict[int, int], modulus: int) -> list[int]:
    """Coefficients [a0..a_d] of the unique degree-d polynomial through d+1 points {x: y}."""
    xs = sorted(points)
    full = [1]  # Π (X − x_m), lowest degree first
    for xm in xs:
        full = [(lo - xm * hi) % modulus for lo, hi in zip([0] + full, full + [0])]
    coefficients = [0] * len(xs)
    for xi in xs:
        quotient = [0] * len(xs)  # full / (X − xi) by synthetic division, highest term first
        carry = 0
        for k in range(len(xs), 0, -1):
            carry = (full[k] + xi * carry) % modulus
            quotient[k - 1] = carry
        denominator = 1
        for xm in xs:
            if xm != xi:
                denominator = denominator * (xi - xm) % modulus
        scale = points[xi] * pow(denominator, -1, modulus) % modulus
        coefficients = [(c + scale * q) % modulus for c, q in zip(coefficients, quotient)]
    return coefficients


def joint_keys(
    group: Group[Any], dealt: Sequence[Sequence[Sequence[Any]]], shares: Sequence[int], index: int
) -> list[DkgKeyShare]:
    """The K joint keys from the qualified dealers' Feldman rows (`dealt[dealer][k][l]`) and this
    party's summed shares. A share off the joint polynomial means this party's view of some dealer
    differs from its commitments; it must not confirm, let alone use, such a key."""
    keys = []
    for k, share in enumerate(shares):
        joint = [reduce(group.add, (rows[k][l] for rows in dealt)) for l in range(len(dealt[0][k]))]
        if not group.eq(horner(group, joint, index), group.base_mul(share)):
            raise VerificationFailed(f"party {index}'s share of key {k} does not lie on the joint commitments")
        encoded = tuple(group.encode(p).hex() for p in joint)
        keys.append(DkgKeyShare(share=share, public_key=encoded[0], commitments=encoded))
    return keys
