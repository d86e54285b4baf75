"""Genesis: the network's first DKG, run over HTTP among all nodes.

Two GJKR runs at once: K secp256k1 root keys (degree t) and the BLS12-381 network key (degree 2t).
A node that is down or cheats is left out of the qualified set as the DKG decides; the others
finish with the same public keys.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from runtime.crypto.bls import G1
from runtime.crypto.dkg import DkgConfig, DkgParty
from runtime.crypto.identity import PartyKeys, PeerDirectory, PublicKeys
from runtime.crypto.secp256k1 import SECP256K1

from .config import NodeConfig
from .keys import NetworkKeys
from .sessions import Send, SessionHub, run_party

__all__ = ["peer_directory", "wait_for_peers", "run_genesis"]

log = logging.getLogger(__name__)


def peer_directory(config: NodeConfig) -> PeerDirectory:
    return PeerDirectory(
        {
            p.index: PublicKeys(signing_key=p.signing_key, encryption_key=p.encryption_key)
            for p in config.peers
        }
    )


async def wait_for_peers(config: NodeConfig, timeout_s: float) -> list[int]:
    """Wait until every peer answers /health (bounded); the indices of those that never did."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    missing = {p.index: p.url for p in config.peers if p.index != config.index}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while missing and loop.time() < deadline:
            for index, url in list(missing.items()):
                try:
                    async with session.get(url + "/health") as resp:
                        if resp.status == 200:
                            del missing[index]
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
            if missing:
                await asyncio.sleep(0.2)
    return sorted(missing)


async def run_genesis(config: NodeConfig, identity: PartyKeys, hub: SessionHub, send: Send) -> NetworkKeys:
    directory = peer_directory(config)
    participants = [p.index for p in config.peers]
    ecdsa = DkgParty(
        SECP256K1,
        DkgConfig.for_network("genesis-ecdsa", config.n, keys=config.root_key_count),
        config.index,
        identity,
        directory,
    )
    bls = DkgParty(G1, DkgConfig.for_network("genesis-bls", config.n, double_degree=True), config.index, identity, directory)
    await asyncio.gather(
        run_party(ecdsa, hub, send, participants, config.dkg_phase_timeout_s),
        run_party(bls, hub, send, participants, config.dkg_phase_timeout_s),
    )
    keys = NetworkKeys(ecdsa=ecdsa.outcome(), bls=bls.outcome())
    log.info(
        "genesis done: qualified ecdsa=%s bls=%s", list(keys.ecdsa.qualified), list(keys.bls.qualified)
    )
    return keys
