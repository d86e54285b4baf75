"""What Lit's JavaScript SDK (v7, `litNetwork: 'custom'`) needs to find a local network: its nodes
published in a Staking contract, and `lit-sdk.json` in the state directory with the settings for
`new LitNodeClient(...)`. README §"Use Lit's JavaScript SDK with a local litrt network"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime.chain.errors import InvalidArgument

__all__ = ["LIT_SDK_FILE", "NotIPv4", "publish_for_lit_sdk", "connect_snippet"]

LIT_SDK_FILE = "lit-sdk.json"
BLOCKHASH_PATH = "/get_most_recent_valid_block"


class NotIPv4(ValueError):
    """A node URL Lit's Staking contract cannot hold: its host is not an IPv4 address, or it has no port."""


async def publish_for_lit_sdk(
    root: Path, chain_rpc: str, chain_id: int, admin_key: str | bytes, node_urls: list[str], node_addresses: list[str],
    threshold: int,
) -> dict[str, Any]:
    """Deploy the Staking contract, list the nodes in it, write and return lit-sdk.json's content;
    NotIPv4 (before anything is deployed) if a node's URL has no IPv4 address and port."""
    from runtime.chain.staking import LitStaking, contract_context, deploy_staking, validator_for_url

    try:
        validators = [validator_for_url(url, address) for url, address in zip(node_urls, node_addresses, strict=True)]
    except InvalidArgument as exc:
        raise NotIPv4(str(exc)) from None
    address = await deploy_staking(chain_rpc, admin_key)
    async with LitStaking(chain_rpc, address, admin_key) as staking:
        await staking.set_validators(validators, threshold)
    settings = {
        "litNetwork": "custom",
        "rpcUrl": chain_rpc,
        "checkNodeAttestation": False,
        "contractContext": contract_context(address),
        # Offline, the SDK's own blockhash source (an outside indexer, then public RPCs) can hang
        # for minutes; every node serves the chain's latest block here instead.
        "blockHashUrl": node_urls[0] + BLOCKHASH_PATH,
        "nodeUrls": node_urls,
        # The nodes accept sign-ins (SIWE) for this chain only: the SDK's default Chain ID is 1, so
        # an app passes this one to createSiweMessageWithRecaps.
        "chainId": chain_id,
        "minNodeCount": threshold,
    }
    (root / LIT_SDK_FILE).write_text(json.dumps(settings, indent=2))
    return settings


def connect_snippet(state_dir: Path | str) -> str:
    """The JavaScript (an ES module) that connects Lit's SDK (@lit-protocol/lit-node-client 7.x) to this network."""
    path = Path(state_dir).resolve() / LIT_SDK_FILE
    return "\n".join([
        "import { LitNodeClient } from '@lit-protocol/lit-node-client';",
        "import { readFileSync } from 'fs';",
        f"const net = JSON.parse(readFileSync({json.dumps(str(path))}, 'utf8'));",
        "const client = new LitNodeClient({ litNetwork: 'custom', rpcUrl: net.rpcUrl,",
        "  contractContext: net.contractContext, checkNodeAttestation: false, debug: false });",
        "client._blockHashUrl = net.blockHashUrl; // blockhashes from the local nodes, not the internet",
        "await client.connect();",
    ])
