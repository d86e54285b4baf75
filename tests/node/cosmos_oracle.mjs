// Cosmos SIGN_MODE_DIRECT through CosmJS, which we did not write: builds a bank MsgSend's sign
// bytes for a secp256k1 public key, and verifies a signature over them as a Cosmos chain does.
//   node cosmos_oracle.mjs signdoc <compressed pubkey hex> <chain id>
//     -> {"signBytes", "bodyBytes", "authInfoBytes", "address"} (hex, and the sender's bech32 address)
//   node cosmos_oracle.mjs verify <compressed pubkey hex> <bodyBytes hex> <authInfoBytes hex> <chain id> <signature hex (r‖s)>
//     -> {"valid": true|false, "txBytes": hex of the complete TxRaw}
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { fromHex, toHex, toBech32 } from "@cosmjs/encoding";
import { encodePubkey, makeAuthInfoBytes, makeSignBytes, makeSignDoc, Registry } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { ripemd160 } from "@cosmjs/crypto";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";

const ACCOUNT_NUMBER = 7;
const SEQUENCE = 0;

function addressOf(pubkey) {
  return toBech32("cosmos", ripemd160(sha256(pubkey)));
}

function signDoc(pubkeyHex, chainId) {
  const pubkey = fromHex(pubkeyHex);
  const registry = new Registry([["/cosmos.bank.v1beta1.MsgSend", MsgSend]]);
  const sender = addressOf(pubkey);
  const bodyBytes = registry.encodeTxBody({
    messages: [{
      typeUrl: "/cosmos.bank.v1beta1.MsgSend",
      value: { fromAddress: sender, toAddress: addressOf(new Uint8Array(33).fill(2)), amount: [{ denom: "uatom", amount: "1234" }] },
    }],
    memo: "signed by a litrt PKP",
  });
  const authInfoBytes = makeAuthInfoBytes(
    [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence: SEQUENCE }],
    [{ denom: "uatom", amount: "500" }], 200000, undefined, undefined,
  );
  return { bodyBytes, authInfoBytes, sender };
}

const [mode, pubkeyHex, ...rest] = process.argv.slice(2);
if (mode === "signdoc") {
  const [chainId] = rest;
  const { bodyBytes, authInfoBytes, sender } = signDoc(pubkeyHex, chainId);
  const signBytes = makeSignBytes(makeSignDoc(bodyBytes, authInfoBytes, chainId, ACCOUNT_NUMBER));
  console.log(JSON.stringify({ signBytes: toHex(signBytes), bodyBytes: toHex(bodyBytes), authInfoBytes: toHex(authInfoBytes), address: sender }));
} else if (mode === "verify") {
  const [bodyHex, authInfoHex, chainId, signatureHex] = rest;
  const bodyBytes = fromHex(bodyHex);
  const authInfoBytes = fromHex(authInfoHex);
  const signBytes = makeSignBytes(makeSignDoc(bodyBytes, authInfoBytes, chainId, ACCOUNT_NUMBER));
  const signature = Secp256k1Signature.fromFixedLength(fromHex(signatureHex));
  const valid = await Secp256k1.verifySignature(signature, sha256(signBytes), fromHex(pubkeyHex));
  const txBytes = TxRaw.encode(TxRaw.fromPartial({ bodyBytes, authInfoBytes, signatures: [fromHex(signatureHex)] })).finish();
  console.log(JSON.stringify({ valid, txBytes: toHex(txBytes) }));
} else {
  console.error(`unknown mode ${mode}: signdoc or verify`);
  process.exit(2);
}
