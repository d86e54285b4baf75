// Signs a Bitcoin Taproot key-path spend with the action's own secp256k1 key by threshold BIP-340
// Schnorr (SchnorrK256Taproot, FROST): the witness of an input whose P2TR output key is that key.
// jsParams: sighash (hex, 32 bytes: the input's BIP-341 signature hash, SIGHASH_DEFAULT).
// Response: {outputKey, witness}: the x-only key to pay to (OP_1 <outputKey>) and the 64-byte
// signature that is the whole key-path witness (hex).
const go = async () => {
  const hex = sighash.replace(/^0x/, "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`sighash must be 32 bytes of hex, got ${sighash}`);
  const toSign = Array.from(hex.match(/../g), (h) => parseInt(h, 16));
  const me = Lit.Auth.actionIpfsIdStack[0];
  const [, key] = JSON.parse(
    await Lit.Actions.getActionPublicKey({ signingScheme: "SchnorrK256Taproot", actionIpfsCid: me }),
  );
  const output = JSON.parse(
    await Lit.Actions.signAsAction({ toSign, sigName: "taproot", signingScheme: "SchnorrK256Taproot" }),
  );
  // lit-frost writes a Taproot signature as 0x02 followed by the 64-byte BIP-340 signature, and the
  // key compressed (33 bytes): Bitcoin wants the signature and the key's x coordinate alone.
  const [, signature] = JSON.parse(output.signature);
  Lit.Actions.setResponse({
    response: JSON.stringify({ outputKey: key.slice(-64), witness: signature.slice(-128) }),
  });
};
go();
