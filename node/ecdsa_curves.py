"""Threshold ECDSA on more than one curve: which pool a signature's presignature comes from.

EcdsaK256Sha256 and EcdsaP256Sha256 sign the same way (runtime/crypto/ecdsa.py) from presignatures
of their curve, kept in the one pool (node/presign_pool.py) and agreed on by the one signing
agreement (node/agreement.py). The agreement only hears (request id, slot) from a member, so the
curve travels in the slot: a P-256 signature's slot is "p256:<sigName>"; a secp256k1 one is the bare
sigName, as always (prefixed "k256:" only if the sigName itself starts with a curve prefix, so no
sigName can pass for another curve). `EcdsaAgreement` reads it back when it assigns.

P-256 presigning is not started with the node: python-ecdsa makes a P-256 presignature about fifteen
times slower than libsecp256k1 a secp256k1 one, and most networks never sign on P-256. A node starts
keeping a (smaller) P-256 pool the first time it is asked to assign a P-256 presignature; that first
signature waits for the first batch (within the agreement's pool wait).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from runtime.crypto.group import Group
from runtime.crypto.p256 import P256
from runtime.crypto.secp256k1 import SECP256K1

from .agreement import MAX_SIG_NAME, SignatureSlot, SigningAgreement
from .errors import BadRequest

__all__ = ["EcdsaAgreement", "curve_slot", "slot_curve", "P256_POOL_TARGET", "P256_BATCH_SIZE"]

# benchmarks/schemes.py: 3.5 P-256 presignatures/s with all 4 parties in one process (secp256k1: 54/s),
# so about 0.3 s of CPU across a 4-node network each; a small pool keeps that off the start-up.
P256_POOL_TARGET = 4
P256_BATCH_SIZE = 2
# The first P-256 signature at a coordinator waits for its first batch: 2–5 s on 7 nodes sharing two
# cores (tests/node/test_network_seven.py), more under load. The action's 30 s limit and the peers'
# 30 s request timeout bound how long it may wait; secp256k1's 10 s would fail it on a busy machine.
P256_POOL_WAIT_S = 25.0
_PREFIXES = {SECP256K1.name: "k256:", P256.name: "p256:"}
_CURVE_OF_PREFIX = {prefix: curve for curve, prefix in _PREFIXES.items()}


def _prefix_of(name: str) -> str | None:
    return next((p for p in _CURVE_OF_PREFIX if name.startswith(p)), None)


def curve_slot(slot: SignatureSlot, group: Group[Any]) -> SignatureSlot:
    """`slot` as the agreement must see it for a signature on `group`; its sigName at most MAX_SIG_NAME long."""
    if len(slot.name) > MAX_SIG_NAME:
        raise BadRequest(f"sigName must be at most {MAX_SIG_NAME} characters, got {len(slot.name)}")
    if group is SECP256K1 and _prefix_of(slot.name) is None:
        return slot
    return replace(slot, name=_PREFIXES[group.name] + slot.name)


def slot_curve(name: Any) -> str:
    """The curve (`Group.name`) a slot name asks for: secp256k1 unless it carries another's prefix."""
    prefix = _prefix_of(name) if isinstance(name, str) else None
    return SECP256K1.name if prefix is None else _CURVE_OF_PREFIX[prefix]


class EcdsaAgreement(SigningAgreement):
    """The signing agreement, assigning each slot a presignature of the slot's curve; `on_demand(curve)`
    is told whenever another curve than secp256k1 is asked for (the node then keeps that pool full)."""

    def __init__(self, *args: Any, on_demand: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_demand = on_demand

    def _curve_for(self, name: Any) -> str:
        curve = slot_curve(name)
        if curve != SECP256K1.name:
            self._on_demand(curve)
        return curve

    def _pool_wait_s(self, curve: str) -> float:
        return P256_POOL_WAIT_S if curve == P256.name else super()._pool_wait_s(curve)
