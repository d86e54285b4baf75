// Signs keccak256(message) with a PKP that has permitted this action.
// jsParams: publicKey (the PKP's public key, 0x04...), message (text).
const go = async () => {
  const toSign = ethers.utils.arrayify(ethers.utils.keccak256(ethers.utils.toUtf8Bytes(message)));
  await Lit.Actions.signEcdsa({ toSign, publicKey, sigName: "sig1" });
  console.log(`signed keccak256(${JSON.stringify(message)}) with ${publicKey.slice(0, 12)}...`);
  Lit.Actions.setResponse({ response: JSON.stringify({ signed: message }) });
};
go();
