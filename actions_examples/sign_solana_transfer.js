// Builds a Solana System Program transfer from the action's own Ed25519 key and signs it by FROST
// (SchnorrEd25519Sha512, RFC 9591): the network holds the key in shares, no node can sign alone.
// jsParams: to (recipient, base58), lamports (a decimal string), recentBlockhash (base58).
// Response: {from, message, signature}: the payer's address (base58), the serialized legacy message
// and its signature (hex). A wallet or RPC client adds the two into a transaction and sends it.
const SYSTEM_PROGRAM = new Uint8Array(32); // 11111111111111111111111111111111
const TRANSFER = 2; // the System Program's instruction index for Transfer

const base58 = (text, what) => {
  const bytes = Lit.Actions.uint8arrayFromString(text, "base58btc");
  if (bytes.length !== 32) throw new Error(`${what} must be 32 bytes of base58, got ${bytes.length}`);
  return bytes;
};

// Solana's compact-u16 length prefix: 7 bits per byte, high bit set while more follow.
const compactU16 = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};

const littleEndian = (value, size) => {
  const out = [];
  for (let i = 0; i < size; i++) {
    out.push(Number(value & 0xffn));
    value >>= 8n;
  }
  return out;
};

const go = async () => {
  const me = Lit.Auth.actionIpfsIdStack[0];
  const [, keyHex] = JSON.parse(
    await Lit.Actions.getActionPublicKey({ signingScheme: "SchnorrEd25519Sha512", actionIpfsCid: me }),
  );
  const from = Uint8Array.from(keyHex.match(/../g), (h) => parseInt(h, 16));
  const data = [...littleEndian(BigInt(TRANSFER), 4), ...littleEndian(BigInt(lamports), 8)];
  const message = new Uint8Array([
    1, 0, 1, // header: one signature (the payer), no read-only signer, one read-only account (the program)
    ...compactU16(3), ...from, ...base58(to, "to"), ...SYSTEM_PROGRAM,
    ...base58(recentBlockhash, "recentBlockhash"),
    ...compactU16(1), // one instruction: program 2 moves lamports from account 0 to account 1
    2, ...compactU16(2), 0, 1, ...compactU16(data.length), ...data,
  ]);
  const output = JSON.parse(
    await Lit.Actions.signAsAction({ toSign: message, sigName: "solana", signingScheme: "SchnorrEd25519Sha512" }),
  );
  const [, signature] = JSON.parse(output.signature);
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  Lit.Actions.setResponse({
    response: JSON.stringify({
      from: Lit.Actions.uint8arrayToString(from, "base58btc"),
      message: hex(message),
      signature,
    }),
  });
};
go();
