// keccak256 of a UTF-8 message with ethers v5, as Ethereum hashes it.
const hash = ethers.utils.keccak256(ethers.utils.toUtf8Bytes(message));
console.log(`${ethers.version}: keccak256(${JSON.stringify(message)})`);
Lit.Actions.setResponse({ response: hash });
