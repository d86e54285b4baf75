"""A Cosmos SIGN_MODE_DIRECT transaction signed by a PKP, checked by CosmJS (tests/node/cosmos_oracle.mjs).

Cosmos signs SHA-256 of the SignDoc's bytes with ECDSA on secp256k1 (low s, r‖s): Lit's
EcdsaK256Sha256 with the digest made in the action. CosmJS builds the bank MsgSend's sign bytes for
the PKP's key and verifies the signature as a chain does; the test fails if either disagrees.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from coincurve import PublicKey

from tests.oracles import needs_oracle

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
ORACLE = Path(__file__).with_name("cosmos_oracle.mjs")
COSMJS_MISSING = (
    None if shutil.which("node") and (REPO / "node_modules" / "@cosmjs" / "proto-signing").exists()
    else "needs node and node_modules/@cosmjs/proto-signing (npm install)"
)
CHAIN_ID = "litrt-cosmos-test"

SIGN_DIRECT = """(async () => {
  const signBytes = Uint8Array.from(signBytesHex.match(/../g), (h) => parseInt(h, 16));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", signBytes));
  await Lit.Actions.sign({ toSign: digest, publicKey, sigName: "cosmos", signingScheme: "EcdsaK256Sha256" });
})();"""


def _cosmjs(*args: str) -> dict:
    proc = subprocess.run(["node", str(ORACLE), *args], capture_output=True, text=True, cwd=REPO, timeout=120, check=True)
    return json.loads(proc.stdout)


@needs_oracle(COSMJS_MISSING)
async def test_a_pkp_signs_a_sign_mode_direct_transaction_cosmjs_accepts(lit_client, dev_pkp):
    pubkey = PublicKey(bytes.fromhex(dev_pkp.public_key[2:])).format(compressed=True).hex()
    doc = _cosmjs("signdoc", pubkey, CHAIN_ID)
    assert doc["address"].startswith("cosmos1")
    cid = await dev_pkp.upload_and_permit(SIGN_DIRECT)
    result = await lit_client.execute_js(
        ipfs_id=cid, js_params={"signBytesHex": doc["signBytes"], "publicKey": dev_pkp.public_key}
    )
    signature = result.signatures["cosmos"]["signature"].removeprefix("0x")[:128]  # r‖s, without v
    checked = _cosmjs("verify", pubkey, doc["bodyBytes"], doc["authInfoBytes"], CHAIN_ID, signature)
    assert checked["valid"] is True
    assert bytes.fromhex(checked["txBytes"])  # CosmJS encodes the complete TxRaw with it
    # Signed for one chain, it is no good on another (the chain id is in the SignDoc).
    other = _cosmjs("verify", pubkey, doc["bodyBytes"], doc["authInfoBytes"], CHAIN_ID + "-2", signature)
    assert other["valid"] is False
