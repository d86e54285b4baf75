"""Signer.resolve's cache of verified PKPs, against the embedded dev chain and a one-node DKG.

A PKP's key id never changes once minted, so a resolved PKP is cached and a second resolve reads
nothing from the chain; a not-yet-minted PKP (a negative answer) and a PKP whose registered key is
not the derivation of its key id are never cached; permissions are always read live.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import coincurve
import pytest
import pytest_asyncio

from node import signer as signer_module
from node.errors import NotPermitted
from node.keys import NetworkKeys
from node.presign_pool import PresignPool
from node.sealed import SealedStore, load_or_create_key
from node.signer import SCOPE_SIGN_ANYTHING, Signer
from node.usage_log import UsageLog
from runtime.chain.devchain import start_devchain
from runtime.chain.pkp import PkpRegistry, deploy
from runtime.crypto.bls import G1
from runtime.crypto.dkg import DkgConfig, DkgParty
from runtime.crypto.identity import PartyKeys, PeerDirectory
from runtime.crypto.secp256k1 import SECP256K1
from runtime.ipfs.cid import CID, DAG_PB

pytestmark = pytest.mark.asyncio(loop_scope="module")

_CID = str(CID(0, DAG_PB, b"\x12\x20" + hashlib.sha256(b"signer cache test").digest()))


def _one_node_keys() -> NetworkKeys:
    """NetworkKeys of a single-node network (t = 0), made by the real DKG code in one process."""
    identity = PartyKeys.generate(os.urandom)
    directory = PeerDirectory.of({1: identity})
    results = []
    for group, config in (
        (SECP256K1, DkgConfig(session="cache-ecdsa", n=1, t=0, degree=0, keys=3)),
        (G1, DkgConfig(session="cache-bls", n=1, t=0, degree=0)),
    ):
        party = DkgParty(group, config, 1, identity, directory)
        party.start()
        assert party.done
        results.append(party.outcome())
    return NetworkKeys(ecdsa=results[0], bls=results[1])


class CountingRegistry:
    """A PkpRegistry that counts the chain reads made through it, by method name."""

    def __init__(self, inner: PkpRegistry) -> None:
        self.inner = inner
        self.reads: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.reads[name] += 1
            return await method(*args, **kwargs)

        return counted


@dataclass
class Env:
    keys: NetworkKeys
    owner: PkpRegistry  # with the owner's key: mints and permits
    registry: CountingRegistry  # read-only, as the node's
    state: Path

    def signer(self) -> Signer:
        name = f"usage-{os.urandom(4).hex()}"
        store = SealedStore(self.state, load_or_create_key(self.state / "secrets" / "seal.key"))
        usage = UsageLog(
            self.state / f"{name}.log", mac_key=store.derive_key(name), counter_path=self.state / "secrets" / f"{name}.counter"
        )
        # These tests resolve and authorize only; signing (and so the agreement round) is never reached.
        return Signer(1, self.keys, PresignPool(1, store, usage), usage, self.registry, agreement=None)  # type: ignore[arg-type]

    def derived_pubkey(self, key_id: bytes) -> bytes:
        return SECP256K1.encode_uncompressed(self.keys.derive(key_id)[0].public_key)

    async def mint(self) -> bytes:
        return (await self.owner.mint(self.derived_pubkey)).pubkey


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def env(tmp_path_factory) -> AsyncIterator[Env]:
    chain = await start_devchain()
    try:
        contracts = await deploy(chain.url, chain.accounts[0].private_key)
        owner = PkpRegistry(chain.url, contracts.pkp_registry, chain.accounts[1].private_key)
        reader = PkpRegistry(chain.url, contracts.pkp_registry)
        try:
            yield Env(_one_node_keys(), owner, CountingRegistry(reader), tmp_path_factory.mktemp("signer-cache"))
        finally:
            await owner.close()
            await reader.close()
    finally:
        await chain.stop()


async def test_second_resolve_reads_nothing_from_the_chain(env: Env) -> None:
    pubkey = await env.mint()
    signer = env.signer()
    env.registry.reads.clear()
    first = await signer.resolve("0x" + pubkey.hex())
    assert env.registry.reads == Counter(exists=1, get_key_id=1)
    assert first.public_key == pubkey
    # one node: its derived share is the derived secret key itself
    assert SECP256K1.encode_uncompressed(SECP256K1.base_mul(first.share)) == pubkey

    env.registry.reads.clear()
    compressed = coincurve.PublicKey(pubkey).format(compressed=True)
    second = await signer.resolve(compressed)  # the same PKP, spelt differently
    assert env.registry.reads == Counter()
    assert second is first


async def test_a_pkp_minted_after_a_failed_resolve_resolves(env: Env) -> None:
    salt = os.urandom(32)
    key_id = await env.owner.key_id_for(env.owner.sender_address, salt)
    pubkey = env.derived_pubkey(key_id)
    signer = env.signer()
    for _ in range(2):  # the refusal is not remembered
        with pytest.raises(NotPermitted, match="not a PKP minted"):
            await signer.resolve(pubkey)
    minted = await env.owner.mint(env.derived_pubkey, salt=salt)
    assert minted.pubkey == pubkey
    pkp = await signer.resolve(pubkey)
    assert (pkp.token_id, pkp.key_id) == (minted.token_id, key_id)


async def test_a_registered_key_that_is_not_the_derivation_is_refused_every_time(env: Env) -> None:
    # The minter registers the derivation of some other key id: a dead token the nodes never sign for.
    minted = await env.owner.mint(lambda key_id: env.derived_pubkey(os.urandom(32)))
    signer = env.signer()
    for _ in range(3):
        env.registry.reads.clear()
        with pytest.raises(NotPermitted, match="does not match the network's derivation"):
            await signer.resolve(minted.pubkey)
        assert env.registry.reads == Counter(exists=1, get_key_id=1)  # asked again, not cached


async def test_permissions_stay_live_for_a_cached_pkp(env: Env) -> None:
    minted = await env.owner.mint(env.derived_pubkey)
    signer = env.signer()
    pkp = await signer.resolve(minted.pubkey)
    await env.owner.add_permitted_action(minted.token_id, _CID, [SCOPE_SIGN_ANYTHING])
    await signer.authorize(await signer.resolve(minted.pubkey), SCOPE_SIGN_ANYTHING, _CID, None)
    await env.owner.remove_permitted_action(minted.token_id, _CID)
    env.registry.reads.clear()
    cached = await signer.resolve(minted.pubkey)
    assert cached is pkp
    with pytest.raises(NotPermitted, match="is not permitted"):
        await signer.authorize(cached, SCOPE_SIGN_ANYTHING, _CID, None)
    assert env.registry.reads == Counter(is_permitted_action_scope=1)


async def test_the_cache_is_bounded_least_recently_used_first_out(env: Env, monkeypatch) -> None:
    monkeypatch.setattr(signer_module, "RESOLVED_CACHE_ENTRIES", 2)
    a, b, c = [await env.mint() for _ in range(3)]
    signer = env.signer()
    for pubkey in (a, b, a, c):  # touching a again makes b the oldest when c arrives
        await signer.resolve(pubkey)
    env.registry.reads.clear()
    await signer.resolve(a)
    await signer.resolve(c)
    assert env.registry.reads == Counter()
    await signer.resolve(b)  # evicted: read again
    assert env.registry.reads == Counter(exists=1, get_key_id=1)
