"""Turning the nodes' sealed share payloads into verified signatures (client side only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.crypto.errors import VerificationFailed
from runtime.crypto.secp256k1 import Point
from runtime.crypto.share_payloads import combine_share_payloads

from .errors import NotEnoughShares

__all__ = ["combine_ecdsa"]


def combine_ecdsa(
    sig_name: str, payloads: Mapping[int, dict[str, Any]], root_commitments: list[list[Point]], t: int
) -> dict[str, Any]:
    """One signature from the nodes' payloads for `sig_name`; liars are named in `badNodes`
    (runtime/crypto/share_payloads.py); NotEnoughShares when no signature can be made."""
    try:
        return combine_share_payloads(sig_name, payloads, root_commitments, t)
    except VerificationFailed as exc:
        raise NotEnoughShares(str(exc)) from None
