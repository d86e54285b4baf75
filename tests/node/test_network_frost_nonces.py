"""A node's FROST nonce pool on its real sealed store and usage log (no network): nonces are
sealed before they can be taken, sign one package only, and stay used across a crash and restart;
a rolled-back usage log burns them all. Signatures made with pool nonces verify with PyNaCl."""

from __future__ import annotations

import asyncio
import linecache
import random
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from nacl.signing import VerifyKey

from node.frost_nonces import FrostNoncePool, open_nonce_pool, package_record
from node.sealed import SealedStore, load_or_create_key
from runtime.crypto.errors import PresignatureReused
from runtime.crypto.frost import aggregate, commit, sign_share, signing_package
from runtime.crypto.frost_suites import SCHNORR_ED25519_SHA512
from runtime.crypto.shamir import random_polynomial, share

SUITE = SCHNORR_ED25519_SHA512


def _open(tmp_path: Path, index: int = 1) -> FrostNoncePool:
    state, secrets_dir = tmp_path / "state", tmp_path / "secrets"
    state.mkdir(mode=0o700, exist_ok=True)
    secrets_dir.mkdir(mode=0o700, exist_ok=True)
    seal_key = str(secrets_dir / "seal.key")
    store = SealedStore(state / "sealed", load_or_create_key(Path(seal_key)))
    return open_nonce_pool(index, str(state), seal_key, store)


def _sharing(n: int = 4, t: int = 1) -> tuple[dict[int, int], bytes]:
    rng = random.Random(5)
    poly = random_polynomial(t, SUITE.order, rand=lambda q: rng.randrange(1, q))
    return share(poly, n, SUITE.order), SUITE.group.base_mul(poly[0])


def test_pool_nonces_sign_once_and_stay_used_after_a_restart(tmp_path):
    shares, public_key = _sharing()
    pool = _open(tmp_path)
    pool.make_batch("ed25519", 4)
    assert pool.available("ed25519") == 4 and pool.available("secp256k1") == 0
    nonce_id, mine = pool.take("ed25519")
    assert pool.available("ed25519") == 3
    other_nonces, other = commit(SUITE, 2, shares[2], random.Random(1).randbytes(64))
    package = signing_package(SUITE, public_key, b"solana tx", [mine, other])
    record = package_record(SUITE, public_key, b"solana tx", package.commitments)
    z1 = sign_share(package, 1, shares[1], pool.use(nonce_id, record))
    z2 = sign_share(package, 2, shares[2], other_nonces)
    sig = aggregate(package, {1: z1, 2: z2}, {i: SUITE.group.base_mul(s) for i, s in shares.items()})
    VerifyKey(public_key).verify(b"solana tx", sig)

    second = signing_package(SUITE, public_key, b"another tx", [mine, other])
    other_record = package_record(SUITE, public_key, b"another tx", second.commitments)
    with pytest.raises(PresignatureReused):
        pool.use(nonce_id, other_record)
    with pytest.raises(PresignatureReused):
        pool.use(nonce_id, record)  # not even the same package twice: the secrets are gone

    # A crash and restart: the used nonce is neither offered nor usable; the others come back.
    restarted = _open(tmp_path)
    assert restarted.available("ed25519") == 3
    with pytest.raises(PresignatureReused):
        restarted.use(nonce_id, other_record)
    offered = {restarted.take("ed25519")[0] for _ in range(3)}
    assert nonce_id not in offered and restarted.take("ed25519") is None


def test_a_crash_after_the_record_loses_the_nonce_but_never_reuses_it(tmp_path):
    _, public_key = _sharing()
    pool = _open(tmp_path)
    pool.make_batch("secp256k1", 2)
    nonce_id, mine = pool.take("secp256k1")
    pool.use(nonce_id, "ab" * 32)  # recorded; the process dies before the share leaves
    restarted = _open(tmp_path)
    assert restarted.available("secp256k1") == 1
    with pytest.raises(PresignatureReused):
        restarted.use(nonce_id, "cd" * 32)


def test_a_rolled_back_usage_log_burns_every_nonce(tmp_path):
    pool = _open(tmp_path)
    pool.make_batch("ed25519", 3)
    nonce_id, _ = pool.take("ed25519")
    log = tmp_path / "state" / "frost-usage.log"
    before = log.read_bytes()
    shutil.copy(log, tmp_path / "old.log")
    pool.use(nonce_id, "ab" * 32)
    assert log.read_bytes() != before
    shutil.copy(tmp_path / "old.log", log)  # a backup restored: the use above is forgotten by the log
    restarted = _open(tmp_path)
    assert restarted.available("ed25519") == 0  # every nonce held before the restore is burned
    with pytest.raises(PresignatureReused):
        restarted.use(nonce_id, "cd" * 32)


def test_taken_nonces_are_not_handed_out_twice_and_a_released_one_comes_back(tmp_path):
    pool = _open(tmp_path)
    pool.make_batch("ed25519", 2)
    a, b = pool.take("ed25519"), pool.take("ed25519")
    assert a[0] != b[0] and pool.take("ed25519") is None
    pool.release(a[0])
    assert pool.take("ed25519") == a
    with pytest.raises(ValueError, match="no FROST nonces for group 'p256'"):
        pool.make_batch("p256", 1)


def _node(tmp_path: Path) -> Any:
    """What FrostService reads of a NodeService, on a real sealed store: hashable and weakly
    referenceable as a NodeService is, with an exchange that reaches nobody."""
    from node.exchange import RequestExchange

    (tmp_path / "state").mkdir(mode=0o700)
    (tmp_path / "secrets").mkdir(mode=0o700)
    config = SimpleNamespace(
        state_dir=str(tmp_path / "state"), seal_key_path=str(tmp_path / "secrets" / "seal.key"), index=1, n=4, fault=None
    )

    async def nowhere(path: str, payload: Any) -> dict[int, Any]:
        return {}

    class Node:
        t = 1

        def __init__(self) -> None:
            self.config, self.exchange = config, RequestExchange(1, nowhere)
            self.store = SealedStore(tmp_path / "state" / "sealed", load_or_create_key(Path(config.seal_key_path)))

    return Node()


async def _until_full(pool: FrostNoncePool) -> None:
    """Back once both groups hold POOL_TARGET nonces (a deadline, not a timed assertion)."""
    from node.frost_service import POOL_TARGET

    for _ in range(400):
        if all(pool.available(g) >= POOL_TARGET for g in ("ed25519", "secp256k1")):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the pool was not refilled: {pool.available('ed25519')}, {pool.available('secp256k1')}")


async def test_the_service_fills_each_pool_in_the_background_and_stops_on_close(tmp_path):
    from node.frost_service import POOL_TARGET, close_frost, frost_for

    node = _node(tmp_path)
    service = frost_for(node)
    assert frost_for(node) is service  # one per node
    await _until_full(service.pool)
    await close_frost(node)
    assert service.pool.on_take is None  # a closed service's pool wakes nothing
    assert frost_for(node) is not service  # closed and forgotten; a new one starts from the sealed store
    assert frost_for(node).pool.available("ed25519") >= POOL_TARGET
    await close_frost(node)


async def test_the_refill_sleeps_until_a_nonce_is_taken_then_tops_the_pool_up(tmp_path):
    from node.frost_service import BATCH_SIZE, close_frost, frost_for

    node = _node(tmp_path)
    service = frost_for(node)
    try:
        pool = service.pool
        await _until_full(pool)
        looked: list[str] = []
        made: list[str] = []
        available, make_batch = pool.available, pool.make_batch

        def counting_available(group: str) -> int:
            looked.append(group)
            return available(group)

        def counting_make_batch(group: str, count: int) -> int:
            made.append(group)
            return make_batch(group, count)

        pool.available = counting_available  # type: ignore[method-assign]
        pool.make_batch = counting_make_batch  # type: ignore[method-assign]
        await asyncio.sleep(0.6)  # more than twice the poll interval the refill once had
        assert looked == [] and made == []  # a full pool nobody takes from is not even looked at
        # ...because the refill is parked on the take event, not on a timer of any length.
        (frame,) = service._refill.get_stack()
        assert "self._wake.wait()" in linecache.getline(frame.f_code.co_filename, frame.f_lineno)
        for _ in range(BATCH_SIZE):  # below the target by one batch's worth: one batch brings it back
            assert pool.take("secp256k1") is not None
        await _until_full(pool)
        assert made == ["secp256k1"]
    finally:
        await close_frost(node)
