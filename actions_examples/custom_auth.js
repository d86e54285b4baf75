// Custom auth: a dApp's validation action, permitted on a PKP that also lists the dApp's users as
// auth methods of a dApp-chosen type. It signs only for a user whose credential came from the dApp's
// credential server AND whose (authMethodType, userId) is permitted on this PKP.
// jsParams: publicKey (the PKP, 0x04...), tokenId (its token id, decimal string; must be the
// publicKey's), authMethodType (the dApp's type, a decimal or 0x-hex string: it exceeds a JS number),
// userId (text), credential (the server's EIP-191 signature over "litrt custom auth: <userId>"),
// appServer (the server's address), toSignHex (64 hex digits, 0x optional).
const go = async () => {
  // A real dApp hard-codes its server's address here: taken from jsParams, anyone could name their own
  // server. It is a parameter only so that the tests can make a server key of their own.
  const server = appServer;

  // The caller chooses publicKey and tokenId; both must name the same PKP, or a caller could be
  // checked against a PKP of their own while signing with this one.
  const ownToken = await Lit.Actions.pubkeyToTokenId({ publicKey });
  if (!ethers.BigNumber.from(ownToken).eq(ethers.BigNumber.from(tokenId))) {
    throw new Error(`tokenId ${tokenId} is not the token of publicKey ${publicKey.slice(0, 12)}...`);
  }

  let signer = null;
  try {
    signer = ethers.utils.verifyMessage(`litrt custom auth: ${userId}`, credential);
  } catch (err) {
    signer = null; // a malformed signature is refused like any other
  }
  if (signer === null || signer !== ethers.utils.getAddress(server)) {
    throw new Error(`credential is not from the app's server (for user ${JSON.stringify(userId)})`);
  }

  const permitted = await Lit.Actions.isPermittedAuthMethod({
    tokenId,
    authMethodType,
    userId: Array.from(ethers.utils.toUtf8Bytes(userId)),
  });
  if (!permitted) {
    throw new Error(`user ${JSON.stringify(userId)} is not a permitted auth method of this PKP`);
  }

  const toSign = ethers.utils.arrayify(toSignHex.startsWith("0x") ? toSignHex : "0x" + toSignHex);
  if (toSign.length !== 32) throw new Error(`toSignHex must be 32 bytes of hex, got ${toSignHex}`);
  await Lit.Actions.signEcdsa({ toSign, publicKey, sigName: "sig" });
  Lit.Actions.setResponse({ response: JSON.stringify({ user: userId, signed: ethers.utils.hexlify(toSign) }) });
};
go();
