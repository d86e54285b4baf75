"""FROST ciphersuites: RFC 9591 §6.1 FROST(Ed25519, SHA-512), §6.5 FROST(secp256k1, SHA-256), and
BIP-340 (Bitcoin Taproot) signing over secp256k1. Each is named by Lit's `signingScheme` string.

A suite fixes the group, how scalars and points are serialized, the five hashes H1..H5 of RFC 9591
§4 and the signature format. The Taproot suite differs from FROST(secp256k1, SHA-256) in three
places only, as in Lit's frost-taproot (LIT-Protocol/frost) and the Zcash Foundation's
frost-secp256k1-tr:

- its challenge is BIP-340's, e = tagged_hash("BIP0340/challenge", x(R) ‖ x(P) ‖ m) mod n, and a
  signature is x(R) ‖ z, 64 bytes;
- BIP-340 keys and nonces are x-only and stand for the point with even y. A group key P with odd y
  is used as −P: every signer negates its share and every verifier its public shares
  (`key_parity`). A group commitment R with odd y is likewise replaced by −R: every signer negates
  its two nonces and a verifier the signer's commitment (`commitment_parity`);
- its context string is lit-frost's, "FROST-secp256k1-Taproot-v1" (the frost-taproot crate Lit
  builds on: H1, H3 are hash_to_field with DST context ‖ "rho" / "nonce", H4, H5 SHA-256 of context ‖
  "msg" / "com" ‖ m, as RFC 9591 §6.5 with another context). The Zcash Foundation's
  frost-secp256k1-tr names its suite "FROST-secp256k1-SHA256-TR-v1"; Lit's name is the one taken.

The BIP-341 tweak is explicit here: a key-path spend needs the output key Q = P + t·G, which
`taproot_tweak` derives and which then signs as any other key (frost-secp256k1-tr instead tweaks
inside signing). Intermediate values (binding factors over the even-y key) have not been compared
with that crate byte for byte: no published vectors exist for it; only final signatures are checked,
by BIP-340 verifiers.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Literal

from coincurve import PublicKeyXOnly

from .ed25519 import ED25519
from .errors import InvalidInput, InvalidPoint
from .group import Group
from .hash_to_curve import hash_to_field
from .secp256k1 import SECP256K1

__all__ = [
    "Ciphersuite",
    "Ed25519Sha512",
    "Secp256k1Sha256",
    "Secp256k1Taproot",
    "SCHNORR_ED25519_SHA512",
    "SCHNORR_K256_SHA256",
    "SCHNORR_K256_TAPROOT",
    "SUITES",
    "suite_for",
    "tagged_hash",
    "TaprootTweak",
    "taproot_tweak",
]


def tagged_hash(tag: str, data: bytes) -> bytes:
    """BIP-340: SHA-256(SHA-256(tag) ‖ SHA-256(tag) ‖ data)."""
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


class Ciphersuite(ABC):
    """What RFC 9591 leaves to a ciphersuite. Subclasses set the class attributes and hashes."""

    scheme: str  # Lit's signingScheme name
    name: str  # RFC 9591's name for the suite
    context: bytes
    group: Group[Any]
    byteorder: Literal["little", "big"]  # of serialized scalars

    @property
    def order(self) -> int:
        return self.group.order

    def encode_scalar(self, k: int) -> bytes:
        return (k % self.order).to_bytes(32, self.byteorder)

    def decode_scalar(self, data: bytes, field: str = "scalar") -> int:
        if not isinstance(data, (bytes, bytearray)) or len(data) != 32:
            raise InvalidInput(field, "expected a 32-byte scalar")
        k = int.from_bytes(data, self.byteorder)
        if k >= self.order:
            raise InvalidInput(field, "scalar not reduced mod the group order")
        return k

    def encode_point(self, point: Any) -> bytes:
        if self.group.is_identity(point):
            raise InvalidPoint("point", "the identity cannot be serialized (RFC 9591 SerializeElement)")
        return self.group.encode(point)

    def decode_point(self, data: bytes, field: str = "point") -> Any:
        return self.group.decode(data, field)

    # RFC 9591 §4: H1 binding factor, H2 challenge, H3 nonce, H4 message, H5 commitment list.
    @abstractmethod
    def h1(self, m: bytes) -> int: ...

    @abstractmethod
    def h2(self, m: bytes) -> int: ...

    @abstractmethod
    def h3(self, m: bytes) -> int: ...

    @abstractmethod
    def digest(self, data: bytes) -> bytes:
        """The suite's hash function H."""

    def h4(self, m: bytes) -> bytes:
        return self.digest(self.context + b"msg" + m)

    def h5(self, m: bytes) -> bytes:
        return self.digest(self.context + b"com" + m)

    def challenge(self, group_commitment: Any, group_public_key: Any, message: bytes) -> int:
        """RFC 9591 §4.6: H2(SerializeElement(R) ‖ SerializeElement(PK) ‖ msg)."""
        return self.h2(self.encode_point(group_commitment) + self.encode_point(group_public_key) + message)

    def key_parity(self, group_public_key: Any) -> int:
        """+1, or −1 when the scheme signs for −PK instead of PK (BIP-340's even y)."""
        return 1

    def commitment_parity(self, group_commitment: Any) -> int:
        """+1, or −1 when the scheme's nonce is −R instead of R (BIP-340's even y)."""
        return 1

    def signature(self, group_commitment: Any, z: int) -> bytes:
        return self.encode_point(group_commitment) + self.encode_scalar(z)

    def verify(self, public_key: Any, message: bytes, signature: bytes) -> bool:
        """Single-key verification of an aggregate signature (RFC 9591 Appendix C)."""
        width = len(self.encode_point(self.group.generator()))
        if not isinstance(signature, (bytes, bytearray)) or len(signature) != width + 32:
            return False
        try:
            r = self.decode_point(bytes(signature[:width]), "signature.R")
            z = self.decode_scalar(bytes(signature[width:]), "signature.z")
        except InvalidInput:
            return False
        c = self.challenge(r, public_key, message)
        g = self.group
        return g.eq(g.base_mul(z), g.add(r, g.mul(public_key, c)))


class Ed25519Sha512(Ciphersuite):
    """RFC 9591 §6.1. H2 has no context string, so signatures verify as plain RFC 8032 Ed25519."""

    scheme = "SchnorrEd25519Sha512"
    name = "FROST(Ed25519, SHA-512)"
    context = b"FROST-ED25519-SHA512-v1"
    group = ED25519
    byteorder: Literal["little", "big"] = "little"

    def digest(self, data: bytes) -> bytes:
        return hashlib.sha512(data).digest()

    def _wide(self, data: bytes) -> int:
        return int.from_bytes(self.digest(data), "little") % self.order

    def h1(self, m: bytes) -> int:
        return self._wide(self.context + b"rho" + m)

    def h2(self, m: bytes) -> int:
        return self._wide(m)

    def h3(self, m: bytes) -> int:
        return self._wide(self.context + b"nonce" + m)


class Secp256k1Sha256(Ciphersuite):
    """RFC 9591 §6.5: H1..H3 are RFC 9380 hash_to_field (expand_message_xmd, SHA-256, L = 48)."""

    scheme = "SchnorrK256Sha256"
    name = "FROST(secp256k1, SHA-256)"
    context = b"FROST-secp256k1-SHA256-v1"
    group = SECP256K1
    byteorder: Literal["little", "big"] = "big"

    def _field(self, m: bytes, label: bytes) -> int:
        return hash_to_field(m, self.context + label, 1, self.order)[0]

    def h1(self, m: bytes) -> int:
        return self._field(m, b"rho")

    def h2(self, m: bytes) -> int:
        return self._field(m, b"chal")

    def h3(self, m: bytes) -> int:
        return self._field(m, b"nonce")

    def digest(self, data: bytes) -> bytes:
        return hashlib.sha256(data).digest()


class Secp256k1Taproot(Secp256k1Sha256):
    """BIP-340 Schnorr signatures by FROST over secp256k1 (see the module docstring)."""

    scheme = "SchnorrK256Taproot"
    name = "FROST(secp256k1, SHA-256, BIP-340)"
    context = b"FROST-secp256k1-Taproot-v1"

    @staticmethod
    def _odd(point: Any) -> bool:
        return SECP256K1.encode(point)[0] == 3

    def h2(self, m: bytes) -> int:
        return int.from_bytes(tagged_hash("BIP0340/challenge", m), "big") % self.order

    def challenge(self, group_commitment: Any, group_public_key: Any, message: bytes) -> int:
        """BIP-340's e: over the x-only R and key, where RFC 9591 takes whole encoded points."""
        x_r = self.encode_point(group_commitment)[1:]
        x_p = self.encode_point(group_public_key)[1:]
        return self.h2(x_r + x_p + message)

    def key_parity(self, group_public_key: Any) -> int:
        return -1 if self._odd(group_public_key) else 1

    def commitment_parity(self, group_commitment: Any) -> int:
        return -1 if self._odd(group_commitment) else 1

    def signature(self, group_commitment: Any, z: int) -> bytes:
        return self.encode_point(group_commitment)[1:] + self.encode_scalar(z)

    def verify(self, public_key: Any, message: bytes, signature: bytes) -> bool:
        """BIP-340 verification by libsecp256k1 against the x-only key."""
        if not isinstance(signature, (bytes, bytearray)) or len(signature) != 64:
            return False
        x_only = PublicKeyXOnly(self.encode_point(public_key)[1:])
        return bool(x_only.verify(bytes(signature), message))


SCHNORR_ED25519_SHA512 = Ed25519Sha512()
SCHNORR_K256_SHA256 = Secp256k1Sha256()
SCHNORR_K256_TAPROOT = Secp256k1Taproot()

SUITES: dict[str, Ciphersuite] = {
    s.scheme: s for s in (SCHNORR_ED25519_SHA512, SCHNORR_K256_SHA256, SCHNORR_K256_TAPROOT)
}


def suite_for(scheme: str) -> Ciphersuite:
    """The FROST suite for one of Lit's Schnorr signingScheme names."""
    try:
        return SUITES[scheme]
    except (KeyError, TypeError):
        raise InvalidInput("signingScheme", f"unsupported FROST scheme {scheme!r}; expected one of {sorted(SUITES)}") from None

@dataclass(frozen=True)
class TaprootTweak:
    """BIP-341 key tweak: output key Q = ±P + t·G, so each share becomes ±s_i + t."""

    sign: int
    tweak: int
    output_key: Any

    def share(self, secret_share: int) -> int:
        return (self.sign * secret_share + self.tweak) % SCHNORR_K256_TAPROOT.order

    def public_share(self, public_share: Any) -> Any:
        g = SCHNORR_K256_TAPROOT.group
        base = public_share if self.sign == 1 else g.neg(public_share)
        return g.add(base, g.base_mul(self.tweak))


def taproot_tweak(internal_key: Any, merkle_root: bytes = b"") -> TaprootTweak:
    """t = H_TapTweak(x(P) ‖ merkle_root) for the even-y internal key P (BIP-341; BIP-86 when no scripts)."""
    if len(merkle_root) not in (0, 32):
        raise InvalidInput("merkle_root", "expected 0 or 32 bytes")
    suite, g = SCHNORR_K256_TAPROOT, SCHNORR_K256_TAPROOT.group
    sign = suite.key_parity(internal_key)
    even = internal_key if sign == 1 else g.neg(internal_key)
    t = int.from_bytes(tagged_hash("TapTweak", suite.encode_point(even)[1:] + merkle_root), "big")
    if t >= suite.order:
        raise InvalidInput("merkle_root", "tweak exceeds the group order (probability ~2^-128)")
    q = g.add(even, g.base_mul(t))
    if g.is_identity(q):
        raise InvalidInput("internal_key", "tweaked key is the identity")
    return TaprootTweak(sign, t, q)
