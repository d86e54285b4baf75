"""Turning the nodes' sealed share payloads into verified signatures (client side only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.crypto.ed25519 import ED25519
from runtime.crypto.errors import CryptoError, VerificationFailed
from runtime.crypto.p256 import P256
from runtime.crypto.secp256k1 import Point
from runtime.crypto.share_payloads import combine_frost_payloads, combine_share_payloads, is_frost_payload

from .errors import NotEnoughShares

__all__ = ["combine_ecdsa", "combine_signature", "curve_roots"]


def combine_ecdsa(
    sig_name: str, payloads: Mapping[int, dict[str, Any]], root_commitments: list[list[Point]], t: int,
    other_roots: Mapping[str, list[list[Any]]] | None = None,
) -> dict[str, Any]:
    """One signature from the nodes' payloads for `sig_name`; liars are named in `badNodes`
    (runtime/crypto/share_payloads.py); NotEnoughShares when no signature can be made."""
    try:
        return combine_share_payloads(sig_name, payloads, root_commitments, t, other_roots)
    except VerificationFailed as exc:
        raise NotEnoughShares(str(exc)) from exc


def curve_roots(public: Mapping[str, Any], k256: list[list[Point]]) -> dict[str, list[list[Any]]]:
    """Root commitments by key type (k256, ed25519, p256: for ECDSA and FROST), from the network view
    the nodes agree on (/status)."""
    roots: dict[str, list[list[Any]]] = {"k256": k256}
    for name, group in (("ed25519", ED25519), ("p256", P256)):
        rows = public.get(f"{name}Commitments")
        if isinstance(rows, list) and rows:
            try:
                roots[name] = [[group.decode(bytes.fromhex(c), f"{name}Commitments", allow_identity=True) for c in row] for row in rows]
            except (CryptoError, ValueError, TypeError):
                pass  # malformed: that curve's signatures then fail naming the missing root keys
    return roots


def combine_signature(
    sig_name: str, payloads: Mapping[int, dict[str, Any]], public: Mapping[str, Any], k256: list[list[Point]], t: int
) -> dict[str, Any]:
    """ECDSA or FROST, as the payloads say; NotEnoughShares when no signature can be made."""
    frost = {i: p for i, p in payloads.items() if is_frost_payload(p)}
    if len(frost) * 2 <= len(payloads):
        return combine_ecdsa(sig_name, payloads, k256, t, curve_roots(public, k256))
    try:
        return combine_frost_payloads(sig_name, frost, curve_roots(public, k256), t)
    except VerificationFailed as exc:
        raise NotEnoughShares(str(exc)) from exc
