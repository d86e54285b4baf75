"""One node's service built in a temporary directory, for tests that need a node but no network.

Its peers exist only as keys and URLs; nothing is started, so constructing it costs milliseconds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from node.__main__ import keygen
from node.config import NodeConfig, PeerInfo
from node.service import NodeService
from runtime.crypto.identity import PartyKeys

# An RPC URL that carries an API key in its path, as hosted providers' do; no server listens there.
SECRET_RPC_URL = "http://127.0.0.1:9/v3/sk-live-0123456789abcdef"


def node_config(root: Path, peer_urls: list[str], index: int = 1, **overrides: Any) -> NodeConfig:
    """Node `index`'s config among peers at `peer_urls` (peer i at peer_urls[i - 1]), with keys made here.

    `overrides` replace config fields (host, port, allow_private_fetch, ...)."""
    state, seal = root / f"node{index}", root / "secrets" / f"node{index}.key"
    public = keygen(state, seal)
    peers = []
    for i, url in enumerate(peer_urls, start=1):
        keys = public if i == index else PartyKeys.generate().public.to_dict()
        peers.append(PeerInfo(i, url, keys["signing_key"], keys["encryption_key"]))
    config = NodeConfig(
        index, "127.0.0.1", 7001, peers, str(state), str(seal), {"lit": SECRET_RPC_URL, "local": SECRET_RPC_URL},
        "0x" + "11" * 20,
    )
    return replace(config, **overrides)


def node_service(root: Path, peer_urls: list[str], index: int = 1, **overrides: Any) -> NodeService:
    return NodeService(node_config(root, peer_urls, index, **overrides))
