// Lit's HD derivation on P-256 and Ed25519, computed by npm @noble/curves and @noble/hashes only:
// d = hash_to_scalar(key_id) with the curve's expand_message_xmd, derived = Σ_j d^j · root_j.
// stdin: JSON [{curve: "p256"|"ed25519", dst, key_id, root_keys}] (hex); stdout: JSON [{d, derived}].
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve';
import { ed25519 } from '@noble/curves/ed25519';
import { p256 } from '@noble/curves/p256';
import { sha256, sha512 } from '@noble/hashes/sha2';

const hex = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
const toBig = (bytes) => BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));

const CURVES = {
  // 48 bytes read big-endian mod n, as RustCrypto's p256 hash_to_scalar.
  p256: { Point: p256.ProjectivePoint, n: p256.CURVE.n, d: (id, dst) => toBig(expand_message_xmd(id, dst, 48, sha256)), bytes: (p) => p.toRawBytes(true) },
  // 64 bytes read little-endian mod L, as curve25519-dalek from_bytes_mod_order_wide.
  ed25519: { Point: ed25519.ExtendedPoint, n: ed25519.CURVE.n, d: (id, dst) => toBig(expand_message_xmd(id, dst, 64, sha512).reverse()), bytes: (p) => p.toRawBytes() },
};

let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const out = JSON.parse(input).map((c) => {
    const curve = CURVES[c.curve];
    const d = curve.d(hex(c.key_id), hex(c.dst)) % curve.n;
    let acc = curve.Point.ZERO;
    let power = 1n;
    for (const k of c.root_keys) {
      acc = acc.add(curve.Point.fromHex(k).multiply(power));
      power = (power * d) % curve.n;
    }
    return { d: d.toString(16).padStart(64, '0'), derived: Buffer.from(curve.bytes(acc)).toString('hex') };
  });
  process.stdout.write(JSON.stringify(out));
});
