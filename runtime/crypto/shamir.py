"""Shamir secret sharing over a prime field: polynomials, shares, Lagrange interpolation.

Party indices are 1..n; the secret sits at x = 0. Scalars are ints mod `modulus`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence

from .errors import InvalidInput

__all__ = [
    "random_polynomial",
    "evaluate",
    "share",
    "lagrange_coefficient",
    "lagrange_coefficients",
    "interpolate",
]

RandomScalar = Callable[[int], int]


def _default_random(modulus: int) -> int:
    return secrets.randbelow(modulus)


def random_polynomial(
    degree: int, modulus: int, constant: int | None = None, rand: RandomScalar = _default_random
) -> list[int]:
    """Coefficients [a0, a1, ..., a_degree]; a0 = constant when given."""
    if degree < 0:
        raise InvalidInput("degree", f"must be non-negative, got {degree}")
    a0 = rand(modulus) if constant is None else constant % modulus
    return [a0] + [rand(modulus) for _ in range(degree)]


def evaluate(coefficients: Sequence[int], x: int, modulus: int) -> int:
    acc = 0
    for c in reversed(coefficients):
        acc = (acc * x + c) % modulus
    return acc


def share(coefficients: Sequence[int], n: int, modulus: int) -> dict[int, int]:
    """Shares for parties 1..n."""
    return {i: evaluate(coefficients, i, modulus) for i in range(1, n + 1)}


def _check_indices(indices: Sequence[int], modulus: int) -> None:
    if len(set(indices)) != len(indices):
        raise InvalidInput("indices", f"duplicate party index in {sorted(indices)}")
    for i in indices:
        if not 0 < i < modulus:
            raise InvalidInput("indices", f"party index {i} out of range")


def lagrange_coefficient(i: int, indices: Sequence[int], modulus: int, at: int = 0) -> int:
    """λ_i such that f(at) = Σ λ_i f(i) over `indices`."""
    num, den = 1, 1
    for j in indices:
        if j == i:
            continue
        num = num * (at - j) % modulus
        den = den * (i - j) % modulus
    return num * pow(den, -1, modulus) % modulus


def lagrange_coefficients(indices: Sequence[int], modulus: int, at: int = 0) -> dict[int, int]:
    _check_indices(indices, modulus)
    return {i: lagrange_coefficient(i, indices, modulus, at) for i in indices}


def interpolate(points: Mapping[int, int], modulus: int, at: int = 0) -> int:
    """f(at) from {index: f(index)}; needs degree+1 points."""
    lam = lagrange_coefficients(list(points), modulus, at)
    return sum(lam[i] * y for i, y in points.items()) % modulus
