"""Bounds a node keeps per ECDSA curve, in-process: joined presign batches are counted per curve, a
sigName that fits one curve's slot fits the other's, and a FROST take survives the loop closing."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from node.agreement import MAX_SIG_NAME, SignatureSlot
from node.ecdsa_curves import EcdsaAgreement, curve_slot
from node.errors import BadRequest, TooBusy
from node.frost_service import FrostService
from node.sealed import SealedStore, load_or_create_key
from runtime.crypto.identity import PartyKeys
from runtime.crypto.p256 import P256
from runtime.crypto.secp256k1 import SECP256K1
from tests.security.test_m6_peer_replay import _Pool, _presigner, keys  # noqa: F401  (keys is a fixture)


def _invite(sender: int, k: int, curve: str) -> dict[str, Any]:
    return {"session": f"presign-{sender}-{curve}-{k}-abcd", "committee": [1, 2, 3, 4, 5, 6], "batchSize": 8, "curve": curve}


async def test_every_peer_may_refill_both_curves_at_once(keys) -> None:
    presigner, release = _presigner(keys, _Pool())
    # Four peers, each with two batches in flight on each curve: 16 in all, 8 per curve.
    for curve in ("secp256k1", "p256"):
        for sender in (1, 3, 4, 5):
            for k in range(2):
                presigner.join(sender, _invite(sender, k, curve))
    assert len(presigner.joined_sessions()) == 16
    with pytest.raises(TooBusy, match=r"8 p256 batches in all \(limits 2 per peer and 8 per curve\)"):
        presigner.join(6, _invite(6, 0, "p256"))
    with pytest.raises(TooBusy, match="already runs 2 secp256k1 batches for node 1"):
        presigner.join(1, _invite(1, 9, "secp256k1"))
    release.set()
    await asyncio.sleep(0.01)


class _Reached(Exception):
    """The agreement accepted the slot and went on to take a presignature of this curve."""


class _PoolProbe:
    def assign(self, curve: str) -> Any:
        raise _Reached(curve)


def _agreement() -> EcdsaAgreement:
    return EcdsaAgreement(1, PartyKeys.generate(), None, _PoolProbe(), None, on_demand=lambda curve: None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sig_name", "group"),
    [("s" * MAX_SIG_NAME, SECP256K1), ("s" * MAX_SIG_NAME, P256), ("p256:" + "s" * (MAX_SIG_NAME - 5), SECP256K1)],
)
async def test_the_longest_sig_name_is_assigned_on_every_curve(sig_name: str, group: Any) -> None:
    slot = curve_slot(SignatureSlot("request-1", sig_name, 1), group)
    with pytest.raises(_Reached, match=group.name):
        await _agreement().assign(slot.request_id, slot.name)


def test_a_longer_sig_name_is_refused_by_name() -> None:
    for group in (SECP256K1, P256):
        with pytest.raises(BadRequest, match=f"sigName must be at most {MAX_SIG_NAME} characters, got {MAX_SIG_NAME + 1}"):
            curve_slot(SignatureSlot("request-1", "s" * (MAX_SIG_NAME + 1), 1), group)


def test_a_frost_take_on_another_thread_survives_the_loop_closing(tmp_path: Path) -> None:
    state, secrets_dir = tmp_path / "state", tmp_path / "secrets"
    state.mkdir(mode=0o700)
    secrets_dir.mkdir(mode=0o700)
    seal_key = str(secrets_dir / "seal.key")
    store = SealedStore(state / "sealed", load_or_create_key(Path(seal_key)))
    config = SimpleNamespace(index=1, n=4, state_dir=str(state), seal_key_path=seal_key, fault=None)
    node = SimpleNamespace(config=config, store=store, t=1, exchange=None)

    async def start() -> FrostService:
        service = FrostService(node)  # type: ignore[arg-type]
        service._refill.cancel()  # the pool is filled by hand below
        return service

    service = asyncio.run(start())
    service.pool.make_batch("ed25519", 1)
    # The take's thread saw the loop open an instant before it closed.
    service._loop.is_closed = lambda: False  # type: ignore[method-assign]
    outcome: list[Any] = []

    def take() -> None:
        try:
            outcome.append(service.pool.take("ed25519"))
        except RuntimeError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=take)
    thread.start()
    thread.join()
    del service._loop.is_closed  # the truth again, for the loop's own clean-up
    assert not isinstance(outcome[0], RuntimeError), outcome[0]
    nonce_id, _commitment = outcome[0]
    assert isinstance(nonce_id, str)
    assert service.pool.available("ed25519") == 0
