"""Arguments of Lit.Actions calls, checked on the node: a bad one is a HostError naming it.

Where Lit has its own words for a bad argument they are used: `lit-actions/ext/macros.rs`
(`ensure_not_empty!`, `ensure_not_blank!`), the node's 32-byte rule for ECDSA messages
(`lit-node/src/tss/ecdsa_damfast/mod.rs`) and `SigningScheme::from_str`
(`lit-node-core/src/models/signing_scheme.rs`, shown through `Error::Parse`'s "Parse error {0}").
"""

from __future__ import annotations

from typing import Any

from runtime.crypto.scheme_names import LIT_SCHEME_NAMES, PKP_SCHEMES
from runtime.crypto.schemes import pkp_scheme_refusal as scheme_refusal
from sandbox import HostError

__all__ = ["text_arg", "blank_arg", "token_arg", "bytes_arg", "bytes32_arg", "scheme_arg", "PKP_SCHEMES", "K256_ECDSA", "scheme_refusal"]

# What signEcdsa, ethPersonalSignMessageEcdsa and signAndCombineEcdsa sign with (they take no scheme).
K256_ECDSA = "EcdsaK256Sha256"
_MESSAGE_LENGTH = (
    "Message length to be signed is not 32 bytes.  Please hash it before sending it to the node to sign.  "
    "You can use SHA256, Keccak256, SHA384 for example"
)


def text_arg(args: dict[str, Any], name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value:
        raise HostError(f"{name} must be a non-empty string")
    return value


def blank_arg(args: dict[str, Any], name: str) -> str:
    """A string argument Lit refuses when blank, with Lit's words."""
    value = args.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise HostError(f"{name} must not be blank")
    if not isinstance(value, str):
        raise HostError(f"{name} must be a string, got {type(value).__name__}")
    return value


def token_arg(args: dict[str, Any]) -> int:
    value: Any = args.get("tokenId")
    try:
        return int(value, 0) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise HostError("tokenId must be an integer or a decimal/hex string") from None


def bytes_arg(value: Any, name: str) -> bytes:
    """Lit passes byte arguments as a Uint8Array (here a list of bytes); an empty one is refused."""
    if isinstance(value, (bytes, bytearray)):  # already checked
        value = list(value)
    if isinstance(value, dict):  # a Uint8Array serialised as {"0": .., "1": ..}
        value = [value[k] for k in sorted(value, key=int)]
    if not isinstance(value, list) or not all(isinstance(b, int) and 0 <= b < 256 for b in value):
        raise HostError(f"{name} must be a Uint8Array or an array of bytes")
    if not value:
        raise HostError(f"{name} must not be empty")
    return bytes(value)


def bytes32_arg(value: Any, name: str) -> bytes:
    """An ECDSA message: exactly 32 bytes, already hashed (the node hashes nothing, as Lit's)."""
    data = bytes_arg(value, name)
    if len(data) != 32:
        raise HostError(f"{_MESSAGE_LENGTH} ({name} has {len(data)} bytes)")
    return data


def scheme_arg(args: dict[str, Any], op: str, *, action_key: bool = False) -> str:
    """signingScheme: one of Lit's names (others are refused as unknown), and one this network signs
    with, PKP_SCHEMES, for PKPs and the action's own key alike; the action-identity calls
    (`action_key`) refuse plain Bls12381 with Lit's own message first."""
    scheme = blank_arg(args, "signingScheme")
    if scheme not in LIT_SCHEME_NAMES:
        raise HostError(f"Parse error Invalid signing scheme: {scheme}")
    if action_key and scheme == "Bls12381":
        raise HostError("Bls12381 is not supported in this context. Use Bls12381G1ProofOfPossession instead")
    if scheme not in PKP_SCHEMES:
        raise HostError(
            f"Lit.Actions.{op}: signing scheme {scheme} is not supported by this network yet "
            f"(supported: {', '.join(PKP_SCHEMES)})"
        )
    return scheme
