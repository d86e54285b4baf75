// Signs a 32-byte hash given as hex in plain JavaScript: the cheapest signing action (no library to
// load into the isolate), used by benchmarks/e2e.py.
// jsParams: publicKey (the PKP's public key, 0x04...), toSignHex (64 hex digits, 0x optional).
const go = async () => {
  const hex = toSignHex.replace(/^0x/, "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`toSignHex must be 32 bytes of hex, got ${toSignHex}`);
  const toSign = new Uint8Array(32).map((_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  await Lit.Actions.signEcdsa({ toSign, publicKey, sigName: "sig1" });
  Lit.Actions.setResponse({ response: JSON.stringify({ signed: "0x" + hex }) });
};
go();
