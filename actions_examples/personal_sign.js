// An EIP-191 personal_sign of a text message with a PKP (needs scope 2, or 1).
// jsParams: publicKey, message.
const go = async () => {
  await Lit.Actions.ethPersonalSignMessageEcdsa({ message, publicKey, sigName: "personal" });
  Lit.Actions.setResponse({ response: "signed" });
};
go();
