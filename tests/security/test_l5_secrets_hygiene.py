"""L5: no secret in a repr; a used presignature's secrets are dropped, in memory and on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.presign_pool import PresignPool
from node.sealed import SealedStore, load_or_create_key
from node.signer import Pkp
from node.usage_log import UsageLog
from runtime.crypto.hd import derive_key
from runtime.crypto.presignature import Presignature
from runtime.crypto.secp256k1 import SECP256K1 as G
from tests.crypto.harness import Harness
from tests.crypto.test_presign import make_parties


@pytest.fixture(scope="module")
def presigs() -> list[Presignature]:
    parties = make_parties(4, 1, 3, seed=5, session="presign-1-1-l5")
    Harness(parties).run()
    return parties[0].results()


def _pool(state: Path) -> tuple[PresignPool, UsageLog, SealedStore]:
    store = SealedStore(state / "sealed", load_or_create_key(state / "secrets" / "seal.key"))
    usage = UsageLog(state / "usage.log", mac_key=store.derive_key("usage"), counter_path=state / "secrets" / "usage.counter")
    return PresignPool(1, store, usage), usage, store


def test_secret_scalars_never_appear_in_a_repr(presigs: list[Presignature]) -> None:
    p = presigs[0]
    text = repr(p)
    for secret in (p.k_share, p.e_share, p.d_share):
        assert str(secret) not in text and f"{secret:x}" not in text
    key = derive_key(b"k", [[G.base_mul(3)], [G.base_mul(5)]])
    pkp = Pkp(token_id=1, key_id=b"k", public_key=b"\x04" + b"\x01" * 64, key=key, share=987654321987654321)
    assert "987654321987654321" not in repr(pkp)


def test_a_used_presignature_is_forgotten_and_its_batch_deleted(tmp_path: Path, presigs: list[Presignature]) -> None:
    pool, usage, store = _pool(tmp_path)
    pool.add_batch("presign-1-1-l5", 1, presigs)
    first, second, third = (p.id for p in presigs)
    usage.claim(first, "aa" * 32)
    pool.retire(first)
    assert pool.get(first) is None and pool.unused() == 2
    for pid in (second, third):
        usage.claim(pid, "bb" * 32)
        pool.retire(pid)
    assert not store.exists("batch-presign-1-1-l5")  # no secret of a used presignature stays on disk


def test_start_up_rewrites_batches_without_their_used_presignatures(tmp_path: Path, presigs: list[Presignature]) -> None:
    pool, usage, store = _pool(tmp_path)
    pool.add_batch("presign-1-1-l5", 1, presigs)
    usage.claim(presigs[0].id, "cc" * 32)  # a crash before retire: the use is on disk, the secret too
    del pool, usage
    pool, _, store = _pool(tmp_path)
    kept = {item["public"]["id"] for item in store.load("batch-presign-1-1-l5")["presignatures"]}
    assert kept == {presigs[1].id, presigs[2].id}
    assert pool.get(presigs[0].id) is None and pool.unused() == 2
