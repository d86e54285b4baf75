// keccak256 for Lit.Actions.pubkeyToTokenId, which Lit computes synchronously (the prelude uses it).
import { keccak_256 } from "@noble/hashes/sha3";

globalThis.__litrtInternal.modules.set("keccak256", keccak_256);
