// BIP-340 verification by npm @noble/curves, an implementation litrt does not contain.
// stdin: JSON [{pub, msg, sig}] (hex; pub is the 32-byte x-only key); stdout: JSON [bool].
import { schnorr } from '@noble/curves/secp256k1';

let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const hex = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
  const results = JSON.parse(input).map((c) => {
    try {
      return schnorr.verify(hex(c.sig), hex(c.msg), hex(c.pub));
    } catch {
      return false;
    }
  });
  process.stdout.write(JSON.stringify(results));
});
