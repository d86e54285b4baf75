// Lit's own JavaScript SDK (npm @lit-protocol/lit-node-client 7.4.0, ethers 5) against a local litrt
// network, driven by tests/litsdk/test_sdk_client.py:
//
//   node tests/litsdk/sdk_client.mjs REQUEST.json     prints one JSON object (the results) on stdout
//
// REQUEST: {litSdk: <lit-sdk.json path>, walletKey, strangerKey, pkpPublicKey, pkpKeyId, ipfsId, ipfsCode, steps: [...]}.
// Steps: connect, hdKey, sessionSigs, executeJsSign, executeJsResponse, executeJsIpfs, executeJsThrows, pkpSign, encryptDecrypt.
//
// Loopback only: loopback_guard.mjs is loaded before the SDK, and tested first.
import { createRequire } from 'module';
import fs from 'fs';
import { outside, guardSelfTest } from './loopback_guard.mjs';

const require = createRequire(import.meta.url);

const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const results = { guard: await guardSelfTest() };

const { LitNodeClient } = require('@lit-protocol/lit-node-client');
const {
  LitActionResource, LitPKPResource, LitAccessControlConditionResource, createSiweMessageWithRecaps, generateAuthSig,
} = require('@lit-protocol/auth-helpers');
const { ethers } = require('ethers');

const net_ = JSON.parse(fs.readFileSync(request.litSdk, 'utf8'));
const provider = null; // the wallet signs only: it never talks to a chain
const wallet = new ethers.Wallet(request.walletKey, provider);

const EVERYTHING = () => [
  { resource: new LitActionResource('*'), ability: 'lit-action-execution' },
  { resource: new LitPKPResource('*'), ability: 'pkp-signing' },
  { resource: new LitAccessControlConditionResource('*'), ability: 'access-control-condition-decryption' },
];

async function sessionSigsFor(client, signer, resourceAbilityRequests = EVERYTHING()) {
  return client.getSessionSigs({
    chain: 'ethereum',
    expiration: new Date(Date.now() + 10 * 60 * 1000).toISOString(),
    resourceAbilityRequests,
    authNeededCallback: async ({ uri, expiration, resourceAbilityRequests }) => {
      const toSign = await createSiweMessageWithRecaps({
        uri, expiration, resources: resourceAbilityRequests, walletAddress: signer.address,
        nonce: await client.getLatestBlockhash(), litNodeClient: client, chainId: net_.chainId,
      });
      return generateAuthSig({ signer, toSign });
    },
  });
}

function describeError(error) {
  return { message: String(error?.message ?? error), errorCode: error?.errorCode ?? error?.info?.errorCode ?? null };
}

const client = new LitNodeClient({
  litNetwork: 'custom', rpcUrl: net_.rpcUrl, contractContext: net_.contractContext, checkNodeAttestation: false, debug: false,
});
client._blockHashUrl = net_.blockHashUrl;
const steps = new Set(request.steps);
try {
  const started = Date.now();
  await client.connect();
  results.connect = {
    ms: Date.now() - started, ready: client.ready, connectedNodes: [...client.connectedNodes].sort(),
    minNodeCount: client.config.minNodeCount, subnetPubKey: client.subnetPubKey, latestBlockhash: client.latestBlockhash,
  };
  if (steps.has('hdKey')) {
    // The SDK's own HD derivation (claimKeyId uses it) from the handshake's root keys.
    const { computeHDPubKey } = require('@lit-protocol/crypto');
    results.hdKey = { publicKey: await computeHDPubKey(client.hdRootPubkeys, request.pkpKeyId, 'K256') };
  }
  if (steps.has('sessionSigs') || steps.size > 1) {
    const sessionSigs = await sessionSigsFor(client, wallet);
    results.sessionSigs = { nodes: Object.keys(sessionSigs).sort() };
    const digest = ethers.utils.keccak256(ethers.utils.toUtf8Bytes(`litrt ${Date.now()}`));

    if (steps.has('executeJsSign')) {
      const started = Date.now();
      const res = await client.executeJs({
        sessionSigs,
        code: 'const go = async () => { await Lit.Actions.signEcdsa({ toSign, publicKey, sigName: "sig1" }); }; go();',
        jsParams: { toSign: ethers.utils.arrayify(digest), publicKey: request.pkpPublicKey },
      });
      const sig = res.signatures.sig1;
      results.executeJsSign = {
        ms: Date.now() - started, digest, signature: sig.signature, publicKey: sig.publicKey, dataSigned: sig.dataSigned,
        recovered: ethers.utils.recoverAddress(digest, sig.signature),
      };
    }
    if (steps.has('executeJsResponse')) {
      const res = await client.executeJs({
        sessionSigs,
        code: 'console.log("hello from", who); Lit.Actions.setResponse({ response: JSON.stringify({ who, sum: a + b }) });',
        jsParams: { who: 'litrt', a: 40, b: 2 },
      });
      results.executeJsResponse = { response: res.response, logs: res.logs, signatures: res.signatures };
    }
    if (steps.has('executeJsIpfs')) {
      // A session for one action only (its IPFS CID, as the SDK's ipfs-only-hash computes it): the nodes
      // run it by CID (fetched from the network's IPFS) or as code whose CID they compute, and refuse other code.
      const only = await sessionSigsFor(client, wallet, [
        { resource: new LitActionResource(request.ipfsId), ability: 'lit-action-execution' },
      ]);
      const byCid = await client.executeJs({ sessionSigs: only, ipfsId: request.ipfsId, jsParams: { who: 'ipfs' } });
      const byCode = await client.executeJs({ sessionSigs: only, code: request.ipfsCode, jsParams: { who: 'code' } });
      const other = await client.executeJs({ sessionSigs: only, code: request.ipfsCode + '\n', jsParams: { who: 'x' } })
        .then((res) => ({ unexpected: res }), describeError);
      results.executeJsIpfs = {
        sdkCid: await client.getIpfsId({ str: request.ipfsCode }), byCid: byCid.response, byCode: byCode.response, other,
      };
    }
    if (steps.has('executeJsThrows')) {
      results.executeJsThrows = await client.executeJs({
        sessionSigs, code: 'throw new Error("no luck for " + who);', jsParams: { who: 'litrt' },
      }).then((res) => ({ unexpected: res }), describeError);
    }
    if (steps.has('pkpSign')) {
      const started = Date.now();
      const sig = await client.pkpSign({ pubKey: request.pkpPublicKey, toSign: ethers.utils.arrayify(digest), sessionSigs });
      results.pkpSign = { ms: Date.now() - started, digest, signature: sig.signature, recovered: ethers.utils.recoverAddress(digest, sig.signature) };
    }
    if (steps.has('encryptDecrypt')) {
      const accessControlConditions = [{
        contractAddress: '', standardContractType: '', chain: 'ethereum', method: '', parameters: [':userAddress'],
        returnValueTest: { comparator: '=', value: wallet.address },
      }];
      const plaintext = `for ${wallet.address} only`;
      const { ciphertext, dataToEncryptHash } = await client.encrypt({
        accessControlConditions, dataToEncrypt: ethers.utils.toUtf8Bytes(plaintext),
      });
      const started = Date.now();
      const { decryptedData } = await client.decrypt({
        accessControlConditions, ciphertext, dataToEncryptHash, chain: 'ethereum', sessionSigs,
      });
      const decryptMs = Date.now() - started;
      const stranger = new ethers.Wallet(request.strangerKey);
      const strangerSigs = await sessionSigsFor(client, stranger);
      let refusal = null;
      try {
        await client.decrypt({ accessControlConditions, ciphertext, dataToEncryptHash, chain: 'ethereum', sessionSigs: strangerSigs });
      } catch (error) {
        refusal = describeError(error);
      }
      results.encryptDecrypt = {
        plaintext, decrypted: ethers.utils.toUtf8String(decryptedData), decryptMs, dataToEncryptHash, ciphertext, refusal,
      };
    }
  }
} catch (error) {
  results.error = { ...describeError(error), stack: String(error?.stack ?? '') };
} finally {
  await client.disconnect().catch(() => undefined);
}
results.outside = outside;
process.stdout.write(JSON.stringify(results) + '\n');
process.exit(0);
