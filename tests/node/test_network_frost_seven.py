"""FROST on a real 7-node network (t = 2, 2t+1 = 5), one network for the module, whose node 5 sends
wrong signature shares: any five honest nodes sign each FROST scheme when the request reaches only
them; with every node reached, node 5 is named and outvoted; a node killed and restarted signs
again and never with a nonce it used. Signatures are checked by verifiers litrt did not write
(PyNaCl and `cryptography` for Ed25519, libsecp256k1 for BIP-340, coincurve arithmetic for
FROST(secp256k1, SHA-256)), as in test_network_frost.py."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from node.config import NodeConfig
from runtime.client import LitClient
from runtime.client.combine import frost_roots
from runtime.crypto.hd import HD_ED25519, HD_K256, action_key_id, derive_public_key
from runtime.network.launcher import NetworkInfo, stop_network
from tests.node.test_network_frost import LIT_FROST, SCHEMES, SIGN_AS_ACTION, _bip340, _check
from tests.node.test_network_frost_restart import CODE as SIGN_ED25519, _sign, _uses, restart_node
from tests.test_client_errors import closed_port_url

pytestmark = pytest.mark.slow

LIAR = 5


@pytest.fixture(scope="module")
def seven(tmp_path_factory, launcher) -> Iterator[NetworkInfo]:
    root = tmp_path_factory.mktemp("frost7")
    info = launcher(root, 7, faults={LIAR: "wrong_signature_shares"})
    try:
        yield info
    finally:
        stop_network(root)


def _reaching(info: NetworkInfo, nodes: set[int]) -> NetworkInfo:
    """The network as a client sees it when only `nodes` can be reached: the others' URLs are
    closed loopback ports, so those nodes never run the request and commit no nonce for it."""
    urls = [url if i in nodes else closed_port_url() for i, url in enumerate(info.nodes, start=1)]
    return dataclasses.replace(info, nodes=urls)


async def _sign_all(client: LitClient, cid: str, message: bytes, coordinator: int) -> dict[str, tuple[bytes, bytes, dict]]:
    """Every FROST scheme signs `message` with the action's key: scheme -> (key, signature the
    outside verifiers take, the client's combined signature); each checked against the key the
    client derives itself from the published root keys."""
    result = await client.execute_js(
        ipfs_id=cid, js_params={"toSign": list(message), "schemes": list(SCHEMES)}, coordinator=coordinator
    )
    roots = frost_roots(client.network.public, client.root_commitments)
    out = {}
    for scheme in SCHEMES:
        curve = HD_ED25519 if scheme == "SchnorrEd25519Sha512" else HD_K256
        public_key = curve.group.encode(derive_public_key(action_key_id(cid), [row[0] for row in roots[curve.name]], curve))
        output = json.loads(result.response["out"][scheme]["sig"])
        name, value = json.loads(output["signature"])
        assert name == LIT_FROST[scheme] and output["verifying_key"] == result.response["out"][scheme]["pk"]
        signature = _bip340(scheme, bytes.fromhex(value))
        _check(scheme, public_key, message, signature)
        combined = result.signatures[scheme]
        assert combined["signature"] == "0x" + signature.hex() and combined["publicKey"] == "0x" + public_key.hex()
        out[scheme] = (public_key, signature, combined)
    return out


@pytest.mark.parametrize(
    "reached, coordinator",
    [({1, 2, 3, 4, 6}, 1), ({2, 3, 4, 6, 7}, 7), ({1, 3, 4, 6, 7}, 4)],
    ids=["without-5-7", "without-1-5", "without-2-5"],
)
async def test_any_five_honest_nodes_of_seven_sign_every_frost_scheme(seven, reached, coordinator):
    async with await LitClient.connect(_reaching(seven, reached)) as client:
        cid = await client.upload_action(SIGN_AS_ACTION)
        signed = await _sign_all(client, cid, os.urandom(32), coordinator)
    for scheme, (_, _, combined) in signed.items():
        assert combined["signingSet"] == sorted(reached), (scheme, combined)
        assert combined["badNodes"] == [], (scheme, combined)


async def test_the_lying_node_is_named_and_outvoted_among_seven_even_as_coordinator(seven):
    message = os.urandom(32)
    # A long straggler grace: the client hears every node, the liar included, before it combines.
    async with await LitClient.connect(seven.state_dir, straggler_grace_s=30) as client:
        cid = await client.upload_action(SIGN_AS_ACTION + "\n// seven")
        for coordinator in (LIAR, 2):
            signed = await _sign_all(client, cid, message, coordinator)
            for scheme, (_, _, combined) in signed.items():
                assert combined["badNodes"] == [LIAR], (scheme, coordinator, combined)
                assert combined["signingSet"] == [1, 2, 3, 4, 6, 7], (scheme, coordinator, combined)


async def test_a_restarted_node_among_seven_never_reuses_a_frost_nonce(seven):
    """Last in the module: it kills node 3 and starts it again from its state directory. Node 3
    uses a nonce per attempt it is in (the liar costs a second attempt), so the counts vary; what
    must hold is that its log keeps every use across the kill and names no nonce twice."""
    root = Path(seven.state_dir)
    state = Path(NodeConfig.load(root / "node3" / "config.json").state_dir)
    async with await LitClient.connect(root) as client:
        cid = await client.upload_action(SIGN_ED25519)
        start = len(_uses(state))
        for _ in range(2):
            assert 3 in (await _sign(client, cid, os.urandom(32)))["signingSet"]
        before = _uses(state)
        assert len(before) >= start + 2

        await restart_node(root, "node3")

        for _ in range(2):
            assert 3 in (await _sign(client, cid, os.urandom(32)))["signingSet"]
        after = _uses(state)
        assert after[: len(before)] == before and len(after) >= len(before) + 2  # nothing it recorded was lost
        assert len(set(after)) == len(after)  # and no nonce signed twice
