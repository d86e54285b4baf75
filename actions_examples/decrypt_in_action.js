// Opens a secret that only this very action may decrypt: the secret was encrypted under the
// condition ":currentActionIpfsId = <this action's CID>", so every node checks which action is
// asking before it gives its share. The secret never leaves the nodes; the action returns a digest.
// jsParams: ciphertext, dataToEncryptHash (from LitClient.encrypt), accessControlConditions.
const go = async () => {
  const secret = await Lit.Actions.decryptAndCombine({
    accessControlConditions, ciphertext, dataToEncryptHash, authSig: null, chain: "local",
  });
  const digest = ethers.utils.sha256(ethers.utils.toUtf8Bytes(secret));
  Lit.Actions.setResponse({ response: JSON.stringify({ length: secret.length, sha256: digest }) });
};
go();
