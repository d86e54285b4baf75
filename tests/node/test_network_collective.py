"""runOnce, broadcastAndCollect and signAndCombineEcdsa on a real 4-node network.

Checked the way a Lit user would: one node runs runOnce's function and every node sees its value;
every node sees every node's broadcast value; the signature an action combines recovers (with
eth_keys, eth_account's) to the PKP's address. A node that sends bad shares cannot stop the others combining.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from eth_keys import keys

from runtime.client import LitClient, create_auth_sig
from runtime.crypto.hd import eth_address

pytestmark = pytest.mark.slow

RUN_ONCE = """
const go = async () => {
  const value = await Lit.Actions.runOnce({ waitForResponse: true, name: "pick" }, async () => {
    console.log("leader ran");
    return Math.random();
  });
  console.log("value " + value + " " + typeof value);
  const failed = await LitActions.runOnce({ waitForResponse: true, name: "boom" }, async () => { throw new Error("no"); });
  const silent = await Lit.Actions.runOnce({ waitForResponse: false, name: "quiet" }, async () => "x");
  Lit.Actions.setResponse({ response: JSON.stringify({ value, failed, silent: silent === undefined ? "undefined" : silent }) });
};
go();
"""

COLLECT = """(async () => {
  const mine = "node-" + Math.random();
  const all = await Lit.Actions.broadcastAndCollect({ name: "rand", value: mine });
  console.log("mine " + mine);
  console.log("all " + JSON.stringify(all));
  Lit.Actions.setResponse({ response: JSON.stringify(all) });
})();"""

SIGN_AND_COMBINE = """(async () => {
  const signature = await Lit.Actions.signAndCombineEcdsa({ toSign, publicKey, sigName: "combined" });
  Lit.Actions.setResponse({ response: JSON.stringify({ text: signature }) });
})();"""


def _recover(digest: bytes, response: dict) -> str:
    # The action gets serde_json's compact text, as from lit-peer.
    assert " " not in response["text"]
    signature = json.loads(response["text"])
    # lit-peer's SignAndCombineEcdsa: r and s as 32-byte scalars in bare hex, v the recovery id.
    assert re.fullmatch(r"[0-9a-f]{64}", signature["r"]) and re.fullmatch(r"[0-9a-f]{64}", signature["s"])
    assert signature["v"] in (0, 1)
    vrs = keys.Signature(vrs=(signature["v"], int(signature["r"], 16), int(signature["s"], 16)))
    return vrs.recover_public_key_from_msg_hash(digest).to_checksum_address()


async def test_run_once_runs_on_one_node_and_every_node_gets_its_string(network):
    async with await LitClient.connect(network.state_dir, straggler_grace_s=5) as client:
        result = await client.execute_js(code=RUN_ONCE)
    logs = result.node_logs
    assert len(logs) == 4, result.errors
    assert sum("leader ran" in text for text in logs.values()) == 1
    seen = {re.search(r"value (\S+) (\w+)", text).groups() for text in logs.values()}
    assert len(seen) == 1 and next(iter(seen))[1] == "string"
    assert result.response["failed"] == "[ERROR]"
    assert result.response["value"] == next(iter(seen))[0]


async def test_broadcast_and_collect_gives_every_node_every_value_in_node_order(network):
    async with await LitClient.connect(network.state_dir, straggler_grace_s=5) as client:
        result = await client.execute_js(code=COLLECT)
    logs = result.node_logs
    assert len(logs) == 4, result.errors
    collected = {re.search(r"all (.*)", text).group(1) for text in logs.values()}
    assert len(collected) == 1
    values = json.loads(next(iter(collected)))
    mine = {index: re.search(r"mine (\S+)", text).group(1) for index, text in logs.items()}
    assert values == [mine[i] for i in sorted(mine)]


async def _sign_in_action(state_dir, owner_key: str, signer_key: str, digest: bytes):
    """(PKP, result) of SIGN_AND_COMBINE run with `signer_key`'s authSig on a PKP `owner_key` mints."""
    async with await LitClient.connect(state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        result = await client.execute_js(
            code=SIGN_AND_COMBINE, js_params={"toSign": list(digest), "publicKey": "0x" + pkp.pubkey.hex()},
            auth_sig=create_auth_sig(signer_key),
        )
    return pkp, result


async def test_sign_and_combine_gives_the_action_a_signature_and_the_client_no_share(network, owner_key):
    digest = os.urandom(32)
    pkp, result = await _sign_in_action(network.state_dir, owner_key, owner_key, digest)
    assert _recover(digest, result.response) == eth_address(pkp.pubkey)
    assert result.signatures == {}


async def test_an_action_signs_only_with_a_pkp_it_may_use(network, owner_key, stranger_key):
    with pytest.raises(Exception, match="neither the owner nor permitted"):
        await _sign_in_action(network.state_dir, owner_key, stranger_key, os.urandom(32))


async def test_a_node_sending_bad_shares_cannot_stop_the_others_combining(liar_network, owner_key):
    digest = os.urandom(32)
    pkp, result = await _sign_in_action(liar_network.state_dir, owner_key, owner_key, digest)
    assert _recover(digest, result.response) == eth_address(pkp.pubkey)
