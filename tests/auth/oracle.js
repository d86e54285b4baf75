// Makes authSigs with code we did not write: npm `siwe` (+ `siwe-recap`), and Lit's npm
// @lit-protocol/auth-helpers v7 (createSiweMessageWithRecaps, generateAuthSig).
// stdin: JSON list of requests; stdout: JSON list of authSigs (or {error}).
const path = require('path');
const root = process.argv[2];
const need = (name) => require(require.resolve(name, { paths: [root] }));
const { ethers } = need('ethers');
const { SiweMessage } = need('siwe');
const { Recap } = need('siwe-recap');
const ah = need('@lit-protocol/auth-helpers');

const litResource = { 'lit-litaction': (id) => new ah.LitActionResource(id),
                      'lit-pkp': (id) => new ah.LitPKPResource(id),
                      'lit-accesscontrolcondition': (id) => new ah.LitAccessControlConditionResource(id) };

async function make(req) {
  const wallet = new ethers.Wallet(req.key);
  const expiration = req.expiration;
  if (req.maker === 'siwe') {
    const msg = new SiweMessage({ domain: req.domain, address: wallet.address, statement: req.statement,
      uri: req.uri, version: '1', chainId: req.chainId, nonce: req.nonce, issuedAt: req.issuedAt,
      expirationTime: expiration });
    let out = msg;
    if (req.grants && req.grants.length) {
      const recap = new Recap();
      for (const [resource, ns, name] of req.grants) recap.addAttenuation(resource, ns, name);
      out = recap.add_to_siwe_message(msg);
    }
    const text = out.prepareMessage();
    return { sig: await wallet.signMessage(text), derivedVia: 'web3.eth.personal.sign', signedMessage: text,
             address: wallet.address };
  }
  // Lit v7 needs a litNodeClient only for generateSessionCapabilityObjectWithWildcards, which in
  // v7 returns an empty capability object unless asked for wildcards; no network is involved.
  const litNodeClient = { generateSessionCapabilityObjectWithWildcards: async () => new ah.RecapSessionCapabilityObject({}, []) };
  const text = await ah.createSiweMessageWithRecaps({
    domain: req.domain, uri: req.uri, chainId: req.chainId, expiration, walletAddress: wallet.address,
    nonce: req.nonce, litNodeClient,
    resources: req.abilities.map(([prefix, id, ability]) => ({ resource: litResource[prefix](id), ability })),
  });
  return ah.generateAuthSig({ signer: wallet, toSign: text });
}

let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', async () => {
  const out = [];
  for (const req of JSON.parse(input)) {
    try { out.push(await make(req)); } catch (e) { out.push({ error: String((e && e.message) || e) }); }
  }
  process.stdout.write(JSON.stringify(out));
});
