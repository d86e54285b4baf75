"""Lit's `signingScheme` names, and what each means here: curve, protocol, HD curve, FROST suite.

Names, curve ids and the hash-before-sending rule are lit-peer's
(`lit-node-core/src/models/signing_scheme.rs`, `curve_type.rs`). Lit has sixteen schemes; the ones
litrt signs with are in `SCHEMES`, and asking for any other of Lit's names says it is Lit's but not
supported here, rather than unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidInput
from .frost_suites import SCHNORR_ED25519_SHA512, SCHNORR_K256_SHA256, SCHNORR_K256_TAPROOT, Ciphersuite
from .hd import HD_ED25519, HD_K256, HD_P256, HdCurve
from .scheme_names import LIT_SCHEME_NAMES, PKP_SCHEMES

__all__ = ["Scheme", "SCHEMES", "ECDSA_CURVES", "LIT_SCHEME_NAMES", "scheme", "pkp_scheme_refusal"]



@dataclass(frozen=True)
class Scheme:
    name: str  # Lit's signingScheme string
    curve_type: int  # Lit's CurveType id
    protocol: str  # "ecdsa" (presignatures) or "frost" (nonce commitments)
    hd: HdCurve  # root keys and PKP derivation (its name is the key type: k256, p256, ed25519)
    hash_prior: bool  # Lit's hash_prior_to_sending: the client hashes the message first
    frost: Ciphersuite | None = None

    @property
    def key_type(self) -> str:
        return self.hd.name


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme("EcdsaK256Sha256", 2, "ecdsa", HD_K256, True),
        Scheme("EcdsaP256Sha256", 6, "ecdsa", HD_P256, True),
        Scheme("SchnorrEd25519Sha512", 3, "frost", HD_ED25519, False, SCHNORR_ED25519_SHA512),
        Scheme("SchnorrK256Sha256", 2, "frost", HD_K256, False, SCHNORR_K256_SHA256),
        Scheme("SchnorrK256Taproot", 2, "frost", HD_K256, True, SCHNORR_K256_TAPROOT),
    )
}
# The schemes signed from presignatures, and the HD curve (root keys, PKP key type) of each.
ECDSA_CURVES: dict[str, HdCurve] = {s.name: s.hd for s in SCHEMES.values() if s.protocol == "ecdsa"}


def scheme(name: str) -> Scheme:
    """The scheme for a signingScheme string; the error says whether Lit knows the name."""
    if isinstance(name, str) and name in SCHEMES:
        return SCHEMES[name]
    if name in LIT_SCHEME_NAMES:
        raise InvalidInput("signingScheme", f"{name} is one of Lit's schemes but litrt does not sign with it; supported: {sorted(SCHEMES)}")
    raise InvalidInput("signingScheme", f"unknown signing scheme {name!r}; supported: {sorted(SCHEMES)}")


def pkp_scheme_refusal(name: str, key_type: str) -> str | None:
    """Why a PKP of `key_type` cannot sign with `name` (one of PKP_SCHEMES, of another curve), or None;
    the node and the client refuse with the same words."""
    if scheme(name).key_type == key_type:
        return None
    fitting = [s for s in PKP_SCHEMES if scheme(s).key_type == key_type]
    return f"signingScheme must be one of {', '.join(fitting)} for a PKP of key type {key_type}, got {name!r:.80}"
