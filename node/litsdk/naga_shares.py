"""Signature shares in the JSON Lit's Naga SDK (v8) combines: npm @lit-protocol/wasm's
`unifiedCombineAndVerify(shares: string[])`, which is lit-peer's lit-sdk
`combine_and_verify_signature_shares` over a list of `SignableOutput` (lit-node-core models/signable.rs).

Each string is one serde-JSON `SignableOutput`, an externally tagged enum
(`{"EcdsaSignedMessageShare": {...}}`), whose snake_case fields are themselves strings, most of them
holding serde-JSON again (a JSON string inside a JSON string), as the nodes write them.

ECDSA: the combiner adds the `signature_share` scalars and takes R from `big_r`, then verifies the
sum against `public_key` over the prehash `digest`, on the curve `sig_type` names (EcdsaK256Sha256 or
EcdsaP256Sha256; lit-sdk signature.rs): the same additive, Lagrange-premultiplied shares Lit's v7 SDK
takes, so node/litsdk/shares.py's conversion is reused, for either curve. A node outside the certified
signing set sends `result: "fail"`, which the combiner skips.

FROST: lit-frost's `Scheme::aggregate` (frost-core 1.0) gets every signer's identifier, signature
share, verifying share and round-1 commitments, plus the group key, and verifies the result, so our
RFC 9591 shares go in unchanged. `peer_id` only names cheaters in the combiner's error; we put the
node index there, since our nodes have no other peer id.

K256Taproot differs from ours once: lit-frost signs SHA-256(message), not the message (lit-frost
src/lib.rs, `Sha256::digest(message)` in round2, aggregate and verify); the JSON carries the
preimage, so shares combine only if what our nodes signed was SHA-256 of a message the caller knows
(node/frost_ops.py signs toSign as given, so that key-path spends work).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping
from typing import Any

from runtime.crypto.frost import SigningPackage
from runtime.crypto.frost_suites import Ciphersuite
from runtime.crypto.hd import DerivedKey
from runtime.crypto.group import Group
from runtime.crypto.schemes import SCHEMES, scheme as scheme_named
from runtime.crypto.share_payloads import FrostPackage

from ..frost_ops import LIT_FROST_NAMES, lit_frost_value
from .shares import additive_ecdsa_share

__all__ = ["ecdsa_sig_type", "naga_ecdsa_share", "naga_frost_shares", "naga_frost_payload_shares"]


def _json_string(text: str) -> str:
    """A serde-JSON string value, as the nodes nest them in the share's fields."""
    return json.dumps(text)


def _signable(kind: str, fields: dict[str, str]) -> str:
    return json.dumps({kind: fields}, separators=(",", ":"))


def _scalar_hex(group: Group[Any], k: int) -> str:
    """A scalar as serdect writes it: big-endian, the order's byte length, upper-case hex."""
    return k.to_bytes((group.order.bit_length() + 7) // 8, "big").hex().upper()


def ecdsa_sig_type(group: Group[Any]) -> str:
    """lit-node-core SigningScheme's Display for threshold ECDSA on `group` (EcdsaK256Sha256, EcdsaP256Sha256)."""
    for chosen in SCHEMES.values():
        if chosen.protocol == "ecdsa" and chosen.hd.group is group:
            return chosen.name
    raise ValueError(f"no Lit ECDSA signing scheme on curve {group.name}")


def naga_ecdsa_share(share: dict[str, Any]) -> str:
    """An ECDSA share, as signer.Signer.sign returns it, as an `EcdsaSignedMessageShare`; the curve
    is the presignature's, and the combiner picks it from `sig_type`.

    RustCrypto's serde (k256, p256) writes scalars and points as upper-case hex (serdect); points SEC1-compressed."""
    ours = additive_ecdsa_share(share)
    group = ours.group
    return _signable("EcdsaSignedMessageShare", {
        "digest": ours.to_sign.hex(),
        "result": "fail" if ours.s is None else "success",
        "share_id": _json_string(_scalar_hex(group, ours.index)),  # the node's identifier as a scalar
        "peer_id": str(ours.index),
        "signature_share": _json_string("" if ours.s is None else _scalar_hex(group, ours.s)),
        "big_r": _json_string(group.encode(ours.big_r).hex().upper()),
        "compressed_public_key": _json_string(group.encode(ours.public_key).hex()),
        "public_key": _json_string(group.encode_uncompressed(ours.public_key).hex()),
        "sig_type": ecdsa_sig_type(group),
    })


def _frost_commitments(suite: Ciphersuite, hiding: Any, binding: Any) -> bytes:
    """frost-core 1.0's SigningCommitments::serialize (postcard): format version 0, the suite's short
    id (big-endian CRC-32 of its RFC 9591 context string), then the hiding and binding points."""
    short_id = zlib.crc32(suite.context).to_bytes(4, "big")
    return b"\x00" + short_id + suite.encode_point(hiding) + suite.encode_point(binding)


def _lit_message(package: SigningPackage, scheme: str, preimage: bytes | None) -> bytes:
    """The message field: what was signed, or for K256Taproot the preimage of its SHA-256."""
    if scheme != "K256Taproot":
        return package.message
    if preimage is None or hashlib.sha256(preimage).digest() != package.message:
        raise ValueError("lit-frost's K256Taproot signs SHA-256(message): pass the preimage of what was signed")
    return preimage


def naga_frost_shares(
    package: SigningPackage,
    shares: Mapping[int, int],
    public_shares: Mapping[int, Any],
    public_key: Any,
    preimage: bytes | None = None,
) -> list[str]:
    """One `FrostSignedMessageShare` per signer of `package`: share z_i, public share X_i, and the
    group key as derived (not the even-y key a BIP-340 package signs for: lit-frost adjusts itself).
    `preimage` is for K256Taproot only (see the module docstring); ValueError when Lit's combiner
    could not take these shares."""
    suite = package.suite
    chosen = scheme_named(suite.scheme)
    scheme = LIT_FROST_NAMES[chosen.name]
    message = _lit_message(package, scheme, preimage)
    group_key = lit_frost_value(chosen, suite.encode_point(public_key))
    out = []
    for commitment in package.commitments:
        i = commitment.identifier
        if i not in shares:
            raise ValueError(f"signer {i} of the signing package sent no share")
        out.append(_signable("FrostSignedMessageShare", {
            "message": message.hex(),
            "result": "success",
            "share_id": json.dumps([scheme, list(suite.encode_scalar(i))], separators=(",", ":")),
            "peer_id": str(i),
            "signature_share": lit_frost_value(chosen, suite.encode_scalar(shares[i])),
            "signing_commitments": lit_frost_value(chosen, _frost_commitments(suite, commitment.hiding, commitment.binding)),
            "verifying_share": lit_frost_value(chosen, suite.encode_point(public_shares[i])),
            "public_key": group_key,
            "sig_type": suite.scheme,
        }))
    return out


def naga_frost_payload_shares(
    package: dict[str, Any], shares: Mapping[str, str], key: DerivedKey, preimage: bytes | None = None
) -> list[str]:
    """The nodes' FROST payload parts (`frost.package`, `frost.shares`: hex z_i by signer) for the
    key they derive, as the combiner's input. Shares are passed on unchecked: the combiner checks
    each against its verifying share and names the ones that fail."""
    frost_package = FrostPackage.from_dict(package)
    signing = frost_package.signing_package(key)
    suite = signing.suite
    z = {i: suite.decode_scalar(bytes.fromhex(shares[str(i)]), f"shares[{i}]") for i in signing.signers if str(i) in shares}
    return naga_frost_shares(signing, z, {i: key.public_share(i) for i in signing.signers}, key.public_key, preimage)
