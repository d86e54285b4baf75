"""Genesis: the network's first DKG, run over HTTP among all nodes.

Four GJKR runs at once: K root keys (degree t) on each of secp256k1, Ed25519 and P-256, and the
BLS12-381 network key (degree 2t). Lit keeps K root keys per curve and derives every PKP of that
curve from them (docs/architecture.md §Threshold keys); K256 root keys serve ECDSA and both K256
FROST schemes, the Ed25519 ones SchnorrEd25519Sha512, the P-256 ones EcdsaP256Sha256.
A node that is down or cheats is left out of the qualified set as the DKG decides; the others
finish with the same public keys, each confirmed by n − t nodes before it is saved.

A node that comes up late, or alone, never makes a key of its own (review M3): if more than t peers
already report `ready` it does not start genesis at all, and a DKG that ends without a confirmed
key for it raises `NeedsResharing`. Either way the node has nothing to serve until a reshare
from the nodes that finished gives it a share (or, if none finished, a new genesis).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from runtime.crypto.bls import G1
from runtime.crypto.dkg import DkgConfig, DkgParty
from runtime.crypto.dkg_result import DkgIncomplete
from runtime.crypto.ed25519 import ED25519
from runtime.crypto.p256 import P256
from runtime.crypto.errors import ProtocolError
from runtime.crypto.identity import PartyKeys, PeerDirectory, PublicKeys
from runtime.crypto.group import threshold_for
from runtime.crypto.secp256k1 import SECP256K1

from .config import NodeConfig
from .keys import NetworkKeys
from .sessions import Send, SessionHub, run_party

__all__ = ["GENESIS_SESSIONS", "NeedsResharing", "peer_directory", "wait_for_peers", "peers_with_keys", "network_keys", "run_genesis"]

log = logging.getLogger(__name__)


class NeedsResharing(RuntimeError):
    """This node has no share of the network's keys and cannot make one alone: it needs a reshare."""

    def __init__(self, reason: str, sessions: tuple[str, ...] = ()) -> None:
        super().__init__(f"this node needs resharing: {reason}")
        self.reason = reason
        self.sessions = sessions


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


async def peers_with_keys(config: NodeConfig, timeout_s: float = 2.0) -> list[int]:
    """The peers whose /status says they already hold the network's keys (unreachable ones do not count)."""

    async def ready(session: aiohttp.ClientSession, index: int, url: str) -> int | None:
        try:
            async with session.get(url + "/status") as resp:
                if resp.status == 200 and (await resp.json()).get("ready") is True:
                    return index
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, AttributeError):
            pass
        return None

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as session:
        answers = await asyncio.gather(
            *(ready(session, p.index, p.url) for p in config.peers if p.index != config.index)
        )
    return sorted(i for i in answers if i is not None)


GENESIS_SESSIONS = ("genesis-ecdsa", "genesis-bls", "genesis-ed25519", "genesis-p256")


def network_keys(
    ecdsa: DkgParty, bls: DkgParty, ed25519: DkgParty | None = None, p256: DkgParty | None = None
) -> NetworkKeys:
    """The finished DKGs' keys, or NeedsResharing naming why this node got none."""
    parties = [p for p in (ecdsa, bls, ed25519, p256) if p is not None]
    reasons = []
    for party in parties:
        if party.result is None:
            failure = party.failure or ProtocolError(f"DKG {party.session} stopped in phase {party.phase}")
            reasons.append(failure.reason if isinstance(failure, DkgIncomplete) else str(failure))
    if reasons:
        failed = tuple(p.session for p in parties if p.result is None)
        raise NeedsResharing("; ".join(f"{s}: {r}" for s, r in zip(failed, reasons)), failed)
    return NetworkKeys(
        ecdsa=ecdsa.outcome(),
        bls=bls.outcome(),
        ed25519=ed25519.outcome() if ed25519 is not None else None,
        p256=p256.outcome() if p256 is not None else None,
    )


async def run_genesis(config: NodeConfig, identity: PartyKeys, hub: SessionHub, send: Send) -> NetworkKeys:
    # More than t peers saying so include an honest one: the network has keys, and a DKG run now
    # could only give this node a key of its own.
    finished = await peers_with_keys(config)
    if len(finished) > threshold_for(config.n):
        raise NeedsResharing(f"peers {finished} finished genesis already", GENESIS_SESSIONS)
    directory = peer_directory(config)
    participants = [p.index for p in config.peers]
    def roots(group: Any, session: str) -> DkgParty:  # K root keys of degree t on one curve
        dkg_config = DkgConfig.for_network(session, config.n, keys=config.root_key_count)
        return DkgParty(group, dkg_config, config.index, identity, directory)

    ecdsa, ed25519, p256 = roots(SECP256K1, "genesis-ecdsa"), roots(ED25519, "genesis-ed25519"), roots(P256, "genesis-p256")
    bls = DkgParty(G1, DkgConfig.for_network("genesis-bls", config.n, double_degree=True), config.index, identity, directory)
    await asyncio.gather(
        *(run_party(p, hub, send, participants, config.dkg_phase_timeout_s) for p in (ecdsa, bls, ed25519, p256))
    )
    keys = network_keys(ecdsa, bls, ed25519, p256)
    log.info(
        "genesis done: qualified ecdsa=%s bls=%s ed25519=%s p256=%s",
        *(list(r.qualified) if r is not None else [] for r in (keys.ecdsa, keys.bls, keys.ed25519, keys.p256)),
    )
    return keys
