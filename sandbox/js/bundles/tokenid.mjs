// Lit.Actions.pubkeyToTokenId, which Lit computes synchronously in the action's process: "0x" and
// the hex of keccak256 over the key's bytes exactly as given (lit-actions op_pubkey_to_token_id).
// For a PKP's 65-byte uncompressed key that is its token id.
import { keccak_256 } from "@noble/hashes/sha3";

function pubkeyToTokenId(publicKey) {
  if (typeof publicKey !== "string" || !publicKey.trim()) throw new Error("publicKey must not be blank");
  const hex = publicKey.replace(/^0x/i, "");
  if (hex.length % 2 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error("pubkeyToTokenId: publicKey is not a hex string: " + publicKey);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
  return "0x" + Array.from(keccak_256(bytes), (x) => x.toString(16).padStart(2, "0")).join("");
}

globalThis.__litrtInternal.modules.set("pubkeyToTokenId", pubkeyToTokenId);
