// Lit.Actions.pubkeyToTokenId, which Lit computes synchronously in the action's process: the PKP's
// token id, uint256(keccak256(65-byte uncompressed secp256k1 key)), as a decimal string like the
// node's own op (node/chain_ops.py), which also takes compressed keys and checks the curve.
import { keccak_256 } from "@noble/hashes/sha3";
import { secp256k1 } from "@noble/curves/secp256k1";

function pubkeyToTokenId(publicKey) {
  if (typeof publicKey !== "string" || !publicKey.trim()) throw new Error("pubkeyToTokenId: publicKey must not be blank");
  const hex = publicKey.replace(/^0x/i, "");
  if (hex.length % 2 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error("pubkeyToTokenId: publicKey is not a hex string: " + publicKey);
  let point;
  try {
    point = secp256k1.ProjectivePoint.fromHex(hex);
  } catch (e) {
    throw new Error("pubkeyToTokenId: publicKey is not a secp256k1 public key (" + hex.length / 2 + " bytes)");
  }
  const digest = keccak_256(point.toRawBytes(false));
  return BigInt("0x" + Array.from(digest, (x) => x.toString(16).padStart(2, "0")).join("")).toString();
}

globalThis.__litrtInternal.modules.set("pubkeyToTokenId", pubkeyToTokenId);
