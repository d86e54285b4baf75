// Builds an Ethereum (legacy, EIP-155) transaction with ethers v5 and signs its hash with a PKP.
// jsParams: publicKey, to, valueWei (decimal string), nonce, chainId, gasPrice (wei), gasLimit.
// The response is the unsigned transaction; the client adds the combined signature to it.
const go = async () => {
  const tx = {
    to,
    value: ethers.BigNumber.from(valueWei),
    nonce,
    chainId,
    gasPrice: ethers.BigNumber.from(gasPrice),
    gasLimit: ethers.BigNumber.from(gasLimit),
    data: "0x",
  };
  const unsigned = ethers.utils.serializeTransaction(tx);
  const toSign = ethers.utils.arrayify(ethers.utils.keccak256(unsigned));
  await Lit.Actions.signEcdsa({ toSign, publicKey, sigName: "tx" });
  Lit.Actions.setResponse({ response: JSON.stringify({ unsignedTransaction: unsigned }) });
};
go();
