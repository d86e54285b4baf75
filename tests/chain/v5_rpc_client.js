// An ethers v5 client of a JSON-RPC chain, run by test_clients.py:
//   node v5_rpc_client.js URL PRIVATE_KEY TO_ADDRESS CONTRACT_ADDRESS ABI_PATH
// Prints one JSON line with what it saw.
"use strict";
const fs = require("fs");
const { ethers } = require("ethers");

async function main() {
  const [url, key, to, contractAddress, abiPath] = process.argv.slice(2);
  const provider = new ethers.providers.JsonRpcProvider(url);
  const wallet = new ethers.Wallet(key, provider);
  const network = await provider.getNetwork();
  const before = await provider.getBlockNumber();
  const tx = await wallet.sendTransaction({ to, value: ethers.utils.parseEther("1.5") });
  const receipt = await tx.wait();
  const balance = await provider.getBalance(to);
  const abi = JSON.parse(fs.readFileSync(abiPath, "utf8")).abi;
  const registry = new ethers.Contract(contractAddress, abi, provider);
  const supply = await registry.totalSupply();
  let revertReason = null;
  try {
    await registry.ownerOf(1);
  } catch (e) {
    revertReason = e.reason || String(e.message);
  }
  console.log(JSON.stringify({
    chainId: network.chainId,
    before,
    after: await provider.getBlockNumber(),
    status: receipt.status,
    txHash: tx.hash,
    balance: balance.toString(),
    supply: supply.toString(),
    revertReason,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
