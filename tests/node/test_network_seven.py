"""Every signing scheme on a real 7-node network (t = 2, 2t+1 = 5), one network for the module, whose
node 5 sends wrong signature shares: any five honest nodes sign when the request reaches only them;
with every node reached, node 5 is named and outvoted, also as coordinator; a node killed and
restarted signs again and never with a FROST nonce or an ECDSA presignature it used.

The schemes: the three FROST ones (the action's own key) and EcdsaK256Sha256 and EcdsaP256Sha256,
each with a PKP and with the action's own key (signAsAction). Signatures are checked by verifiers
litrt did not write: PyNaCl and `cryptography` for Ed25519, libsecp256k1 for BIP-340, coincurve
arithmetic for FROST(secp256k1, SHA-256), as in test_network_frost.py; eth_account's recovery and
coincurve for K256 ECDSA, `cryptography` (OpenSSL) over SHA-256 for P-256 ECDSA."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node.config import NodeConfig
from runtime.chain.accounts import dev_accounts
from runtime.client import LitClient, create_auth_sig
from runtime.client.combine import curve_roots
from runtime.crypto.action_key import action_public_key
from runtime.crypto.hd import HD_ED25519, HD_K256, action_key_id, derive_public_key, eth_address
from runtime.crypto.secp256k1 import SECP256K1
from runtime.network.launcher import NetworkInfo, stop_network
from tests.node.test_network_action_key_p256 import _expected_key, _rs, _verifies
from tests.node.test_network_action_signing import _check_output, _recover
from tests.node.test_network_frost import LIT_FROST, SCHEMES, SIGN_AS_ACTION, _bip340, _check
from tests.node.test_network_frost_restart import CODE as SIGN_ED25519, _sign, _uses, restart_node
from tests.node.test_network_p256 import _openssl_verifies
from tests.test_client_errors import closed_port_url

pytestmark = pytest.mark.slow

LIAR = 5
VICTIM = 4  # killed and restarted, last in the module
K, P = "EcdsaK256Sha256", "EcdsaP256Sha256"
OWNER = dev_accounts(count=2)[1].private_key

# Each ECDSA scheme with a PKP (sigName: the scheme) and with the action's own key ("own" + scheme).
SIGN_ECDSA = """(async () => {
  await Lit.Actions.sign({toSign, publicKey: k256Key, sigName: 'EcdsaK256Sha256', signingScheme: 'EcdsaK256Sha256'});
  await Lit.Actions.sign({toSign, publicKey: p256Key, sigName: 'EcdsaP256Sha256', signingScheme: 'EcdsaP256Sha256'});
  const own = {};
  for (const signingScheme of ['EcdsaK256Sha256', 'EcdsaP256Sha256']) {
    own[signingScheme] = await Lit.Actions.signAsAction({toSign, sigName: 'own' + signingScheme, signingScheme});
  }
  Lit.Actions.setResponse({response: JSON.stringify(own)});
})();"""


@dataclasses.dataclass(frozen=True)
class EcdsaPkps:
    """A k256 and a p256 PKP of OWNER, both permitting the action SIGN_ECDSA (`cid`)."""

    k256: bytes
    p256: bytes
    cid: str


@pytest.fixture(scope="module")
def seven(tmp_path_factory, launcher) -> Iterator[NetworkInfo]:
    root = tmp_path_factory.mktemp("net7")
    info = launcher(root, 7, faults={LIAR: "wrong_signature_shares"})
    try:
        yield info
    finally:
        stop_network(root)


@pytest.fixture(scope="module")
def pkps(seven) -> EcdsaPkps:
    async def mint() -> EcdsaPkps:
        async with await LitClient.connect(seven.state_dir) as client:
            k256 = await client.mint_pkp(OWNER)
            p256 = await client.mint_pkp(OWNER, key_type="p256")
            cid = await client.upload_action(SIGN_ECDSA)
            for pkp in (k256, p256):
                await client.permit_action(OWNER, pkp.token_id, cid)
            return EcdsaPkps(k256.pubkey, p256.pubkey, cid)

    return asyncio.run(mint())


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
    roots = curve_roots(client.network.public, client.root_commitments)
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


async def _sign_ecdsa(client: LitClient, pkps: EcdsaPkps, coordinator: int) -> dict[str, dict[str, Any]]:
    """SIGN_ECDSA over SHA-256 of a fresh message: sigName -> the client's combined signature, each
    checked by eth_account or OpenSSL, and the action's own outputs checked as the verifiers see them."""
    message = os.urandom(40)
    digest = hashlib.sha256(message).digest()
    params = {"toSign": list(digest), "k256Key": "0x" + pkps.k256.hex(), "p256Key": "0x" + pkps.p256.hex()}
    result = await client.execute_js(ipfs_id=pkps.cid, js_params=params, coordinator=coordinator)
    signed = {name: result.signatures[name] for name in (K, P, "own" + K, "own" + P)}
    assert all(sig["dataSigned"] == "0x" + digest.hex() for sig in signed.values()), signed

    assert _recover(signed[K]) == eth_address(pkps.k256)
    assert _openssl_verifies(pkps.p256, message, signed[P])
    assert not _openssl_verifies(pkps.p256, message + b"!", signed[P])

    own_k256 = SECP256K1.encode_uncompressed(action_public_key(pkps.cid, [row[0] for row in client.root_commitments]))
    outputs = {scheme: json.loads(out) if isinstance(out, str) else out for scheme, out in result.response.items()}
    assert _check_output(outputs[K], digest) == own_k256
    assert _recover(signed["own" + K]) == eth_address(own_k256)
    own_p256 = _expected_key(client, pkps.cid)
    assert outputs[P]["verifying_key"] == own_p256 and _verifies(own_p256, message, *_rs(outputs[P]))
    assert _openssl_verifies(bytes.fromhex(own_p256), message, signed["own" + P])
    return signed


def _presignatures_used(root: Path, node: int) -> list[str]:
    """The presignature ids in node `node`'s usage log (node/usage_log.py), in order."""
    state = Path(NodeConfig.load(root / f"node{node}" / "config.json").state_dir)
    log = state / "presign-usage.log"
    return [json.loads(line)["id"] for line in log.read_text().splitlines() if line.strip()]


async def _pkp_sign_at(client: LitClient, pkps: EcdsaPkps, coordinator: int) -> dict[str, dict[str, Any]]:
    """pkp_sign with each ECDSA scheme, `coordinator` handing out the presignatures (each one it made
    on the PKP's curve): presignature id -> the signature, checked by eth_account or OpenSSL."""
    auth = create_auth_sig(OWNER, chain_id=client.network.chain_id)
    used = {}
    for scheme, key in ((K, pkps.k256), (P, pkps.p256)):
        message = os.urandom(24)
        digest = hashlib.sha256(message).digest()
        signed = await client.pkp_sign("0x" + key.hex(), digest, auth, signing_scheme=scheme, coordinator=coordinator)
        if scheme == K:
            assert _recover(signed) == eth_address(key)
        else:
            assert _openssl_verifies(key, message, signed)
        pid = signed["presignatureId"]
        p256_id = pid.startswith(f"presign-{coordinator}-p256-")
        assert pid.startswith(f"presign-{coordinator}-") and p256_id == (scheme == P), (scheme, pid)
        used[pid] = signed
    return used


REACHED = pytest.mark.parametrize(
    "reached, coordinator",
    [({1, 2, 3, 4, 6}, 1), ({2, 3, 4, 6, 7}, 7), ({1, 3, 4, 6, 7}, 4)],
    ids=["without-5-7", "without-1-5", "without-2-5"],
)


@REACHED
async def test_any_five_honest_nodes_of_seven_sign_every_frost_scheme(seven, reached, coordinator):
    async with await LitClient.connect(_reaching(seven, reached)) as client:
        cid = await client.upload_action(SIGN_AS_ACTION)
        signed = await _sign_all(client, cid, os.urandom(32), coordinator)
    for scheme, (_, _, combined) in signed.items():
        assert combined["signingSet"] == sorted(reached), (scheme, combined)
        assert combined["badNodes"] == [], (scheme, combined)


@REACHED
async def test_any_five_honest_nodes_of_seven_sign_both_ecdsa_schemes(seven, pkps, reached, coordinator):
    async with await LitClient.connect(_reaching(seven, reached)) as client:
        signed = await _sign_ecdsa(client, pkps, coordinator)
    for name, combined in signed.items():
        assert combined["signingSet"] == sorted(reached), (name, combined)
        assert combined["badNodes"] == [], (name, combined)
    # The nodes not reached ran nothing: their logs name none of these presignatures.
    for node in set(range(1, 8)) - reached:
        assert not {sig["presignatureId"] for sig in signed.values()} & set(_presignatures_used(Path(seven.state_dir), node))


async def test_the_lying_node_is_named_and_outvoted_among_seven_even_as_coordinator(seven, pkps):
    message = os.urandom(32)
    # A long straggler grace: the client hears every node, the liar included, before it combines.
    async with await LitClient.connect(seven.state_dir, straggler_grace_s=30) as client:
        cid = await client.upload_action(SIGN_AS_ACTION + "\n// seven")
        for coordinator in (LIAR, 1):
            frost = await _sign_all(client, cid, message, coordinator)
            for scheme, (_, _, combined) in frost.items():
                assert combined["badNodes"] == [LIAR], (scheme, coordinator, combined)
                assert combined["signingSet"] == [1, 2, 3, 4, 6, 7], (scheme, coordinator, combined)
            ecdsa = await _sign_ecdsa(client, pkps, coordinator)
            for name, combined in ecdsa.items():
                assert combined["badNodes"] == [LIAR], (name, coordinator, combined)
                # The liar is of the presignature's committee: its share was one to outvote.
                assert combined["committee"] == list(range(1, 8)), (name, coordinator, combined)
            for signed in (await _pkp_sign_at(client, pkps, coordinator)).values():
                assert signed["badNodes"] == [LIAR] and "invalid signature share" in signed["errors"][LIAR], signed


async def test_a_restarted_node_among_seven_never_reuses_a_nonce_or_a_presignature(seven, pkps):
    """Last in the module: it kills node 4 and starts it again from its state directory (node 4,
    whose P-256 pool an earlier test started, so no first P-256 batch is waited for here). Node 4
    uses a nonce per attempt it is in (the liar costs a second attempt) and logs every presignature
    it signs with, as coordinator or as member, so the counts vary; what must hold is that each log
    keeps every use across the kill and names nothing twice, and that the presignatures node 4
    hands out after the restart are none it logged before."""
    root = Path(seven.state_dir)
    state = Path(NodeConfig.load(root / f"node{VICTIM}" / "config.json").state_dir)
    async with await LitClient.connect(root) as client:
        cid = await client.upload_action(SIGN_ED25519)
        start = len(_uses(state))
        for _ in range(2):
            assert VICTIM in (await _sign(client, cid, os.urandom(32)))["signingSet"]
        used = await _pkp_sign_at(client, pkps, VICTIM)
        before, presigned = _uses(state), _presignatures_used(root, VICTIM)
        assert len(before) >= start + 2
        # A certifier claimed the presignature in its log before it accepted.
        assert {pid for pid, signed in used.items() if VICTIM in signed["signingSet"]} <= set(presigned)

        await restart_node(root, f"node{VICTIM}")

        for _ in range(2):
            assert VICTIM in (await _sign(client, cid, os.urandom(32)))["signingSet"]
        again = await _pkp_sign_at(client, pkps, VICTIM)
        after, presigned_after = _uses(state), _presignatures_used(root, VICTIM)
    assert after[: len(before)] == before and len(after) >= len(before) + 2  # nothing it recorded was lost
    assert len(set(after)) == len(after)  # and no nonce signed twice
    assert presigned_after[: len(presigned)] == presigned
    assert len(set(presigned_after)) == len(presigned_after)  # no presignature signed twice
    assert not set(again) & (set(used) | set(presigned))
