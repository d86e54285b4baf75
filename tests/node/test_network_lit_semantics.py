"""callContract, checkConditions and aesDecrypt inside actions written as Lit's users write them,
on a real 4-node network and its dev chain (ganache); results checked against what lit-peer does.

- callContract: `txn` is `ethers.utils.serializeTransaction({to, data})`; the answer is the eth_call
  result as 0x-hex (lit-peer action_client.rs CallContract), read here against web3 on the same chain.
- checkConditions: one list, items of any Lit shape (lit-peer UnifiedAccessControlConditionItem);
  `chain` required; a condition that reads no chain may name a chain Lit knows.
- aesDecrypt: AES-256-CBC, IV in front, answer hex (lit-peer functions/aes.rs); ciphertexts from
  Node's crypto, not ours.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import pytest_asyncio
from eth_account import Account

from runtime.chain.accounts import dev_accounts
from runtime.chain.contract import load_artifact
from runtime.chain.tokens import AccessGate, Erc20, deploy_test_tokens
from runtime.chain.web3util import connect
from runtime.client import LitClient, create_auth_sig

pytestmark = pytest.mark.slow

CHAIN = "local"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def tokens(network):
    return await deploy_test_tokens(network.chain_url, dev_accounts(count=1)[0].private_key)


@pytest.fixture
def wallets(owner_key, stranger_key):
    """(owner, stranger), the conftest's two dev accounts."""
    return Account.from_key(owner_key), Account.from_key(stranger_key)


async def run(network, code: str, who=None, **params):
    """The action's JSON response, the same at every node that answered in time (at least a quorum)."""
    async with await LitClient.connect(network.state_dir) as client:
        auth = create_auth_sig(who) if who is not None else None
        result = await client.execute_js(code=code, js_params=params, auth_sig=auth, response_strategy=lambda rs: rs)
    assert len(result.response) >= 3 and len(set(result.response)) == 1, (result.response, result.errors)
    return json.loads(result.response[0])


# ---- callContract --------------------------------------------------------------------------------

CALL_CONTRACT = """(async () => {
  const erc20 = new ethers.utils.Interface([
    "function balanceOf(address) view returns (uint256)",
    "function totalSupply() view returns (uint256)",
  ]);
  const out = {};
  // Lit's docs: serialize an unsigned transaction and pass its hex.
  const txn = ethers.utils.serializeTransaction({ to: jsParams.token, data: erc20.encodeFunctionData("balanceOf", [jsParams.holder]) });
  out.raw = await Lit.Actions.callContract({ chain: jsParams.chain, txn });
  out.balance = erc20.decodeFunctionResult("balanceOf", out.raw)[0].toString();
  const eip155 = ethers.utils.serializeTransaction({ to: jsParams.token, data: erc20.encodeFunctionData("totalSupply"), chainId: 1337, gasLimit: 100000 });
  out.supply = ethers.BigNumber.from(await Lit.Actions.callContract({ chain: jsParams.chain, txn: eip155 })).toString();
  const attempts = {
    typed: ethers.utils.serializeTransaction({ type: 2, chainId: 1337, to: jsParams.token, data: erc20.encodeFunctionData("totalSupply") }),
    creation: ethers.utils.serializeTransaction({ data: "0x00" }),
    notHex: "hello",
    object: { to: jsParams.token },
    unknownChain: null,
  };
  for (const [name, bad] of Object.entries(attempts)) {
    try {
      const chain = name === "unknownChain" ? "ethereum" : jsParams.chain;
      out[name] = await Lit.Actions.callContract({ chain, txn: bad === null ? txn : bad });
    } catch (e) { out[name] = "error: " + e.message; }
  }
  Lit.Actions.setResponse({ response: JSON.stringify(out) });
})();"""


@pytest.mark.asyncio(loop_scope="module")
async def test_call_contract_takes_an_ethers_serialized_transaction(network, tokens, wallets):
    owner, _ = wallets
    async with Erc20(network.chain_url, tokens.erc20, dev_accounts(count=1)[0].private_key) as erc20:
        await erc20.mint(owner.address, 12345)
        expected_balance = await erc20.balance_of(owner.address)
        supply = int(await erc20._call("totalSupply"))
    out = await run(network, CALL_CONTRACT, token=tokens.erc20, holder=owner.address, chain=CHAIN)
    assert out["balance"] == str(expected_balance) and expected_balance >= 12345
    assert out["raw"] == "0x" + expected_balance.to_bytes(32, "big").hex()  # the raw eth_call bytes, 0x-hex
    assert out["supply"] == str(supply)
    assert "typed (EIP-2718, type 0x02) transaction: Lit decodes only legacy RLP" in out["typed"]
    assert "txn.to: expected a 20-byte contract address, got empty (a contract creation)" in out["creation"]
    assert "txn: not hex: 'hello'" in out["notHex"]
    assert out["object"].startswith("error: data must be a non-empty string")  # the earlier {to, data} form
    assert "ethereum" in out["unknownChain"] and out["unknownChain"].startswith("error: callContract:")


@pytest.mark.asyncio(loop_scope="module")
async def test_call_contract_keeps_the_earlier_object_form_and_reports_a_revert(network, tokens):
    code = """(async () => {
      const erc721 = new ethers.utils.Interface(["function ownerOf(uint256) view returns (address)"]);
      const data = erc721.encodeFunctionData("ownerOf", [999999]);
      const out = {};
      out.object = await Lit.Actions.callContract({ chain: "local", txn: { to: jsParams.token, data: "0x18160ddd" } });
      try { await Lit.Actions.callContract({ chain: "local", txn: ethers.utils.serializeTransaction({ to: jsParams.nft, data }) }); }
      catch (e) { out.revert = e.message; }
      Lit.Actions.setResponse({ response: JSON.stringify(out) });
    })();"""
    out = await run(network, code, token=tokens.erc20, nft=tokens.erc721)
    assert out["object"].startswith("0x") and len(out["object"]) == 66
    assert "nonexistent token" in out["revert"]


@pytest.mark.asyncio(loop_scope="module")
async def test_call_contract_only_calls_a_signed_transaction_is_never_sent(network, tokens, wallets):
    owner, stranger = wallets
    w3 = connect(network.chain_url)
    try:
        erc20 = w3.eth.contract(address=tokens.erc20, abi=load_artifact("TestERC20").abi)
        before = await erc20.functions.balanceOf(stranger.address).call()
        nonce = await w3.eth.get_transaction_count(owner.address)
        tx = await erc20.functions.mint(stranger.address, 10**6).build_transaction({
            "from": owner.address, "nonce": nonce, "gas": 200000,
            "gasPrice": await w3.eth.gas_price, "chainId": await w3.eth.chain_id,
        })
        raw = "0x" + bytes(owner.sign_transaction(tx).raw_transaction).hex()
        code = """(async () => {
          Lit.Actions.setResponse({ response: JSON.stringify(await Lit.Actions.callContract({ chain: "local", txn: jsParams.raw })) });
        })();"""
        assert await run(network, code, raw=raw) == "0x"  # mint returns nothing; the call ran
        # every node ran it, none sent it: the mint did not happen and the owner's nonce did not move
        assert await erc20.functions.balanceOf(stranger.address).call() == before
        assert await w3.eth.get_transaction_count(owner.address) == nonce
    finally:
        await w3.provider.disconnect()


# ---- checkConditions -----------------------------------------------------------------------------

def is_user(address: str, chain: str = CHAIN) -> dict:
    return {"contractAddress": "", "standardContractType": "", "chain": chain, "method": "",
            "parameters": [":userAddress"], "returnValueTest": {"comparator": "=", "value": address}}


def erc20_holder(token: str) -> dict:
    return {"contractAddress": token, "standardContractType": "ERC20", "chain": CHAIN, "method": "balanceOf",
            "parameters": [":userAddress"], "returnValueTest": {"comparator": ">", "value": "0"}}


def gate_level(gate: str, at_least: int) -> dict:
    return {
        "contractAddress": gate, "functionName": "level", "functionParams": [":userAddress"], "chain": CHAIN,
        "functionAbi": {"name": "level", "type": "function", "stateMutability": "view",
                        "inputs": [{"name": "who", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}]},
        "returnValueTest": {"key": "", "comparator": ">=", "value": str(at_least)},
    }


CHECK = """(async () => {
  const out = {};
  for (const [name, conditions] of Object.entries(jsParams.sets)) {
    try { out[name] = await Lit.Actions.checkConditions({ conditions, authSig: jsParams.authSig || null, chain: jsParams.chain }); }
    catch (e) { out[name] = "error: " + e.message; }
  }
  Lit.Actions.setResponse({ response: JSON.stringify(out) });
})();"""


@pytest.mark.asyncio(loop_scope="module")
async def test_check_conditions_takes_every_lit_shape(network, tokens, wallets):
    owner, stranger = wallets
    deployer = dev_accounts(count=1)[0].private_key
    async with Erc20(network.chain_url, tokens.erc20, deployer) as erc20:
        await erc20.mint(owner.address, 1)
    async with AccessGate(network.chain_url, tokens.gate, deployer) as gate:
        await gate.set_member(owner.address, True, 5, "owner")
    holder, level = erc20_holder(tokens.erc20), gate_level(tokens.gate, 3)
    sets = {
        "evmBasic": [holder],  # as accessControlConditions
        "evmContract": [level],  # as evmContractConditions
        "unified": [{**holder, "conditionType": "evmBasic"}, {"operator": "and"}, {**level, "conditionType": "evmContract"}],
        "mixed, nested": [is_user(owner.address), {"operator": "and"}, [holder, {"operator": "or"}, level]],
        "ethereum, no read": [is_user(owner.address, "ethereum")],
    }
    out_owner = await run(network, CHECK, owner, sets=sets, chain="ethereum")
    out_stranger = await run(network, CHECK, stranger, sets=sets, chain="ethereum")
    assert out_owner == {name: True for name in sets}
    assert out_stranger == {name: False for name in sets}
    # Lit's documented use: check for the wallet whose authSig is passed, not the request's
    out = await run(network, CHECK, stranger, sets=sets, chain="ethereum", authSig=create_auth_sig(owner))
    assert out == {name: True for name in sets}


@pytest.mark.asyncio(loop_scope="module")
async def test_check_conditions_refusals_name_what_was_wrong(network, tokens, wallets):
    owner, _ = wallets
    holder = erc20_holder(tokens.erc20)
    sets = {
        "no operator": [is_user(owner.address), is_user(owner.address)],
        "made-up chain": [is_user(owner.address, "notachain")],
        "read on a chain not run here": [{**holder, "chain": "ethereum"}],
        "no shape": [{"chain": CHAIN, "method": "balanceOf"}],
        "solana": [{"method": "getBalance", "params": [":userAddress"], "chain": "solana",
                    "returnValueTest": {"key": "", "comparator": ">", "value": "0"}}],
        "empty": [],
    }
    out = await run(network, CHECK, owner, sets=sets, chain=CHAIN)
    assert "conditions[1]: missing operator between conditions[0] and this item" in out["no operator"]
    assert "'notachain' is not configured on this node" in out["made-up chain"]
    assert "'ethereum' is not configured on this node" in out["read on a chain not run here"]
    assert "conditions[0]: matches no condition shape Lit knows" in out["no shape"]
    assert "a solRpc condition: not supported" in out["solana"]
    assert "empty list" in out["empty"]
    missing_chain = await run(network, CHECK, owner, sets={"ok": [is_user(owner.address)]})
    assert missing_chain["ok"].startswith("error: Lit.Actions.checkConditions: chain is required")


@pytest.mark.asyncio(loop_scope="module")
async def test_a_forged_auth_sig_does_not_pass_for_the_wallet_it_names(network, wallets):
    owner, stranger = wallets
    forged = {**create_auth_sig(owner), "sig": create_auth_sig(stranger)["sig"]}  # owner's message, stranger's signature
    sets = {"owner only": [is_user(owner.address)]}
    out = await run(network, CHECK, stranger, sets=sets, chain=CHAIN, authSig=forged)
    assert out["owner only"].startswith("error: ") and "signature" in out["owner only"], out


# ---- aesDecrypt ----------------------------------------------------------------------------------

KEY = bytes(range(32))
IV = bytes(range(200, 216))

NODE_ENCRYPT = r"""
const crypto = require('crypto');
const c = crypto.createCipheriv('aes-256-cbc', Buffer.from(process.argv[1], 'hex'), Buffer.from(process.argv[2], 'hex'));
process.stdout.write(Buffer.concat([Buffer.from(process.argv[2], 'hex'), c.update(process.argv[3], 'utf8'), c.final()]).toString('hex'));
"""

AES = """(async () => {
  const out = {};
  for (const [name, [key, ciphertext]] of Object.entries(jsParams.cases)) {
    try {
      // Lit's JSDoc: both are Uint8Arrays
      const hex = await Lit.Actions.aesDecrypt({ symmetricKey: ethers.utils.arrayify(key), ciphertext: ethers.utils.arrayify(ciphertext) });
      out[name] = { hex, text: ethers.utils.toUtf8String("0x" + hex) };
    } catch (e) { out[name] = "error: " + e.message; }
  }
  try { await Lit.Actions.aesDecrypt({ symmetricKey: jsParams.cases.good[0], ciphertext: jsParams.cases.good[1] }); }
  catch (e) { out.hexStrings = "error: " + e.message; }
  Lit.Actions.setResponse({ response: JSON.stringify(out) });
})();"""


@pytest.mark.asyncio(loop_scope="module")
async def test_aes_decrypt_opens_node_crypto_ciphertexts_and_refuses_bad_ones(network):
    plaintext = "the old SDK's secret, ✓ utf-8"
    ciphertext = bytes.fromhex(subprocess.run(
        ["node", "-e", NODE_ENCRYPT, KEY.hex(), IV.hex(), plaintext], capture_output=True, text=True, check=True, timeout=60
    ).stdout)
    flipped_iv = ciphertext[:4] + bytes([ciphertext[4] ^ ord("o") ^ ord("0")]) + ciphertext[5:]
    cases = {
        "good": [KEY, ciphertext],
        "wrong key": [bytes(range(1, 33)), ciphertext],
        "altered last block": [KEY, ciphertext[:-1] + bytes([ciphertext[-1] ^ 1])],
        "altered iv": [KEY, flipped_iv],
        "short key": [KEY[:16], ciphertext],
        "iv only": [KEY, IV],
    }
    cases = {name: ["0x" + key.hex(), "0x" + data.hex()] for name, (key, data) in cases.items()}
    out = await run(network, AES, cases=cases)
    assert out["good"] == {"hex": plaintext.encode().hex(), "text": plaintext}  # Lit answers hex
    assert "padding is invalid (a wrong symmetricKey, or an altered ciphertext)" in out["wrong key"]
    assert "padding is invalid" in out["altered last block"]
    # CBC has no integrity, in Lit as here: a changed IV changes the first block's text unnoticed
    assert out["altered iv"]["text"] == "the 0ld SDK's secret, ✓ utf-8"
    assert "symmetricKey must be 32 bytes (AES-256), got 16" in out["short key"]
    assert "whole number of 16-byte blocks, got 0 bytes" in out["iv only"]
    assert "symmetricKey must be a non-empty Uint8Array, got string (decode it first" in out["hexStrings"]
