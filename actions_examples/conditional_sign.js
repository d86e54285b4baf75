// Signs only when a fetched value meets a condition: here, a JSON price above a threshold.
// jsParams: publicKey, url (returns {"price": number}), minPrice, message.
const go = async () => {
  const { price } = await (await fetch(url)).json();
  if (!(price > minPrice)) {
    Lit.Actions.setResponse({ response: JSON.stringify({ signed: false, price }) });
    return;
  }
  const toSign = ethers.utils.arrayify(ethers.utils.keccak256(ethers.utils.toUtf8Bytes(message)));
  await Lit.Actions.signEcdsa({ toSign, publicKey, sigName: "cond" });
  Lit.Actions.setResponse({ response: JSON.stringify({ signed: true, price }) });
};
go();
