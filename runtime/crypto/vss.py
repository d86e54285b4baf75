"""Verifiable secret sharing: Feldman and Pedersen commitments to a sharing polynomial.

Feldman: C_k = a_k·G, share s_i checks as s_i·G == Σ C_k·i^k.
Pedersen: C_k = a_k·G + b_k·H with a blinding polynomial b; checks s_i·G + s'_i·H == Σ C_k·i^k.
Both work for any `Group`.
"""

from __future__ import annotations

from collections.abc import Sequence

from .group import Group, P

__all__ = [
    "feldman_commit",
    "pedersen_commit",
    "commitment_at",
    "verify_feldman_share",
    "verify_pedersen_share",
    "public_share",
]


def feldman_commit(group: Group[P], coefficients: Sequence[int]) -> list[P]:
    return [group.base_mul(a) for a in coefficients]


def pedersen_commit(group: Group[P], coefficients: Sequence[int], blinding: Sequence[int]) -> list[P]:
    if len(coefficients) != len(blinding):
        raise ValueError("coefficients and blinding polynomials differ in degree")
    h = group.pedersen_h()
    return [group.add(group.base_mul(a), group.mul(h, b)) for a, b in zip(coefficients, blinding)]


def commitment_at(group: Group[P], commitments: Sequence[P], x: int) -> P:
    """Σ C_k·x^k: the committed polynomial's value 'in the exponent' at x."""
    powers = [pow(x, k, group.order) for k in range(len(commitments))]
    return group.msm(list(commitments), powers)


def public_share(group: Group[P], commitments: Sequence[P], index: int) -> P:
    """s_index·G for a Feldman-committed sharing: what party `index`'s share must match."""
    return commitment_at(group, commitments, index)


def verify_feldman_share(group: Group[P], commitments: Sequence[P], index: int, share: int) -> bool:
    return group.eq(group.base_mul(share), commitment_at(group, commitments, index))


def verify_pedersen_share(
    group: Group[P], commitments: Sequence[P], index: int, share: int, blinding_share: int
) -> bool:
    lhs = group.add(group.base_mul(share), group.mul(group.pedersen_h(), blinding_share))
    return group.eq(lhs, commitment_at(group, commitments, index))

