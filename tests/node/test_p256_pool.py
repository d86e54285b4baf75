"""One presignature pool for both ECDSA curves: each curve counted and assigned on its own, both kept
across a restart, both burned when the usage log was rolled back; and the agreement's slot names that
carry a signature's curve (node/ecdsa_curves.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.agreement import SignatureSlot
from node.ecdsa_curves import curve_slot, slot_curve
from node.presign_pool import PresignPool
from node.sealed import SealedStore, load_or_create_key
from node.usage_log import BURNED, UsageLog
from runtime.crypto.p256 import P256
from runtime.crypto.presignature import Presignature
from runtime.crypto.secp256k1 import SECP256K1
from tests.crypto.harness import Harness
from tests.crypto.test_ecdsa_p256 import p256_parties
from tests.crypto.test_presign import make_parties


@pytest.fixture(scope="module")
def batches() -> dict[str, list[Presignature]]:
    k256 = make_parties(4, 1, 2, seed=11, session="presign-1-1-mixed")
    p256 = p256_parties(4, 1, 2, seed=12)
    Harness(k256).run()
    Harness(p256).run()
    return {"secp256k1": k256[0].results(), "p256": p256[0].results()}


def _open(state: Path) -> tuple[PresignPool, UsageLog]:
    store = SealedStore(state / "sealed", load_or_create_key(state / "secrets" / "seal.key"))
    usage = UsageLog(state / "usage.log", mac_key=store.derive_key("usage"), counter_path=state / "secrets" / "usage.counter")
    return PresignPool(1, store, usage), usage


def _filled(state: Path, batches: dict[str, list[Presignature]]) -> tuple[PresignPool, UsageLog]:
    pool, usage = _open(state)
    for presigs in batches.values():
        pool.add_batch(presigs[0].id.rsplit("/", 1)[0], 1, presigs)
    return pool, usage


def test_each_curve_is_counted_and_assigned_on_its_own(tmp_path: Path, batches: dict[str, list[Presignature]]) -> None:
    pool, _ = _filled(tmp_path, batches)
    assert pool.available() == pool.available("secp256k1") == 2 and pool.available("p256") == 2
    assert pool.unused() == 2 and pool.unused("p256") == 2
    first = pool.assign("p256")
    assert first is not None and first.group is P256
    second = pool.assign("p256")
    assert second is not None and second.group is P256 and second.id != first.id
    assert pool.assign("p256") is None  # none left to hand out; the secp256k1 ones are untouched
    k256 = pool.assign()
    assert k256 is not None and k256.group is SECP256K1 and pool.available() == 1


def test_both_curves_survive_a_restart_and_used_ones_are_compacted(tmp_path: Path, batches: dict[str, list[Presignature]]) -> None:
    pool, usage = _filled(tmp_path, batches)
    used = batches["p256"][0].id
    usage.claim(used, "ab" * 32)
    del pool, usage
    pool, _ = _open(tmp_path)
    assert pool.get(used) is None and pool.unused("p256") == 1 and pool.unused() == 2
    kept = pool.get(batches["p256"][1].id)
    assert kept is not None and kept.public.group is P256 and kept == batches["p256"][1]


def test_a_rolled_back_usage_log_burns_the_presignatures_of_both_curves(tmp_path: Path, batches: dict[str, list[Presignature]]) -> None:
    pool, usage = _filled(tmp_path, batches)
    usage.claim(batches["secp256k1"][0].id, "cd" * 32)
    older = (tmp_path / "usage.log").read_bytes()
    usage.claim(batches["p256"][0].id, "ef" * 32)
    del pool, usage
    (tmp_path / "usage.log").write_bytes(older)  # a restored backup: the P-256 use is forgotten
    pool, usage = _open(tmp_path)
    assert not usage.rolled_back
    assert pool.unused() == 0 and pool.unused("p256") == 0 and pool.assign("p256") is None
    assert usage.message_for(batches["p256"][1].id) == BURNED


def test_slots_carry_the_curve_and_no_sig_name_passes_for_another() -> None:
    slot = SignatureSlot("request", "sig1", 2)
    assert curve_slot(slot, SECP256K1) == slot and slot_curve("sig1") == "secp256k1"
    p = curve_slot(slot, P256)
    assert p.name == "p256:sig1" and slot_curve(p.name) == "p256" and (p.request_id, p.coordinator) == ("request", 2)
    tricky = SignatureSlot("request", "p256:mine", 2)  # an action's secp256k1 sigName that looks like a P-256 slot
    as_k256 = curve_slot(tricky, SECP256K1)
    assert as_k256.name == "k256:p256:mine" and slot_curve(as_k256.name) == "secp256k1"
    assert slot_curve(curve_slot(tricky, P256).name) == "p256"
    assert slot_curve(None) == "secp256k1"
