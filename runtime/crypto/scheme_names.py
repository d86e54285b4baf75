"""Lit's signingScheme names, and the ones a PKP signs with here: plain data with no imports, so the
CLI's argument parser and the client can name them without loading any curve code."""

from __future__ import annotations

__all__ = ["LIT_SCHEME_NAMES", "PKP_SCHEMES"]

# Every SigningScheme of lit-peer (`lit-node-core/src/models/signing_scheme.rs`), in its u8 order (1..16).
LIT_SCHEME_NAMES = (
    "Bls12381",
    "EcdsaK256Sha256",
    "EcdsaP256Sha256",
    "EcdsaP384Sha384",
    "SchnorrEd25519Sha512",
    "SchnorrK256Sha256",
    "SchnorrP256Sha256",
    "SchnorrP384Sha384",
    "SchnorrRistretto25519Sha512",
    "SchnorrEd448Shake256",
    "SchnorrRedJubjubBlake2b512",
    "SchnorrK256Taproot",
    "SchnorrRedDecaf377Blake2b512",
    "SchnorrkelSubstrate",
    "Bls12381G1ProofOfPossession",
    "SchnorrRedPallasBlake2b512",
)

# What Lit.Actions.sign, pkp_sign and `litrt pkp sign` take with a PKP, each on PKPs of its curve's key
# type (as on Lit, a scheme uses the root keys of its curve): a K256 PKP signs the K256 FROST schemes too,
# a P256 PKP EcdsaP256Sha256.
PKP_SCHEMES = ("EcdsaK256Sha256", "SchnorrK256Sha256", "SchnorrK256Taproot", "SchnorrEd25519Sha512", "EcdsaP256Sha256")
