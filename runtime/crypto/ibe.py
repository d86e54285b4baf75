"""Identity-based encryption to the network's BLS key (Boneh–Franklin with a Fujisaki–Okamoto
transform), byte-compatible with blsful's `TimeCryptCiphertext` and so with `blsEncrypt` /
`blsDecrypt` of npm @lit-protocol/wasm.

Encrypt to public key X (G1) and identity ID:
    α ← 32 random bytes;  r = H_r(α ‖ SHA-256(M))  (HKDF-SHA-256, salt _SALT, 48 bytes → mod r)
    U = r·G1;  K = e(r·X, H_G2(ID));  V = SHA-256(bytes(K)) ⊕ α;  W = SHAKE-128(α) ⊕ (uleb128(|M|) ‖ M ‖ 0*)
The decryption key for ID is the BLS signature x·H_G2(ID) under the POP tag, i.e. what the nodes'
signature shares on ID combine to; e(U, x·H(ID)) = K. Decryption recomputes r and insists U = r·G1,
so any change to U, V or W is caught.

Wire form (serde_bare of the Rust struct): U (48) ‖ V (32) ‖ uleb128(|W|) ‖ W ‖ uleb128(scheme = 2).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from py_arkworks_bls12381 import GT

from . import bls_threshold
from .bls import G1, G2, ORDER, G1Point, G2Point, hash_to_g2
from .bls_threshold import SignatureShare, ThresholdPublicKey
from .errors import InvalidInput, VerificationFailed

__all__ = [
    "IDENTITY_SCHEME",
    "Ciphertext",
    "access_control_identity",
    "encrypt",
    "decrypt",
    "decrypt_with_shares",
]

IDENTITY_SCHEME = "lit-accesscontrolcondition://"
# blsful's constants: its hash-to-scalar salt, and SignatureSchemes::ProofOfPossession = 2.
_SALT = b"TIMELOCK_BLS12381_XOF:HKDF-SHA2-256_"
_SCHEME_POP = 2
_MIN_W = 32  # blsful zero-pads the plaintext block to at least 32 bytes
_GT_LIMB = 48
_GT_BYTES = 12 * _GT_LIMB
_HEX32 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Ciphertext:
    u: G1Point
    v: bytes
    w: bytes

    def to_bytes(self) -> bytes:
        return G1.encode(self.u) + self.v + _uleb128(len(self.w)) + self.w + _uleb128(_SCHEME_POP)

    @classmethod
    def from_bytes(cls, data: bytes, field: str = "ciphertext") -> "Ciphertext":
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidInput(field, f"expected bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) < 48 + 32 + 1 + _MIN_W + 1:
            raise InvalidInput(field, f"too short ({len(data)} bytes)")
        u = G1.decode(data[:48], f"{field}.u")
        v = data[48:80]
        w_len, pos = _read_uleb128(data, 80, f"{field}.w")
        w = data[pos : pos + w_len]
        if len(w) != w_len or w_len < _MIN_W:
            raise InvalidInput(f"{field}.w", f"length {w_len} does not fit the ciphertext")
        scheme, end = _read_uleb128(data, pos + w_len, f"{field}.scheme")
        if scheme != _SCHEME_POP:
            raise InvalidInput(f"{field}.scheme", f"expected ProofOfPossession (2), got {scheme}")
        if end != len(data):
            raise InvalidInput(field, f"{len(data) - end} trailing bytes")
        return cls(u, v, w)


def access_control_identity(conditions_hash: bytes | str, data_hash: bytes | str) -> bytes:
    """`lit-accesscontrolcondition://{hex sha256(conditions)}/{hex sha256(data)}` as bytes."""
    parts = []
    for name, value in (("conditions_hash", conditions_hash), ("data_hash", data_hash)):
        if isinstance(value, (bytes, bytearray)):
            if len(value) != 32:
                raise InvalidInput(name, f"expected a 32-byte SHA-256 digest, got {len(value)} bytes")
            parts.append(bytes(value).hex())
        elif isinstance(value, str) and _HEX32.fullmatch(value.lower().removeprefix("0x")):
            parts.append(value.lower().removeprefix("0x"))
        else:
            raise InvalidInput(name, "expected 32 bytes or 64 hex digits")
    return f"{IDENTITY_SCHEME}{parts[0]}/{parts[1]}".encode()


def encrypt(public_key: G1Point | bytes, message: bytes, identity: bytes) -> Ciphertext:
    """Encrypt `message` (any length) so that only x·H(identity) opens it."""
    pk = _public_key(public_key)
    while True:
        alpha = secrets.token_bytes(32)
        if _hash_to_r(alpha, message):  # r = 0 has probability 2^-255; draw again rather than fail
            return _seal(pk, bytes(message), bytes(identity), alpha)


def decrypt(ciphertext: Ciphertext | bytes, decryption_key: G2Point | bytes) -> bytes:
    """Open with the combined signature on the identity. Any mismatch raises VerificationFailed,
    without saying which check failed."""
    ct = ciphertext if isinstance(ciphertext, Ciphertext) else Ciphertext.from_bytes(ciphertext)
    if isinstance(decryption_key, (bytes, bytearray)):
        key = G2.decode(bytes(decryption_key), "decryption_key")
    else:
        key = G2.check(decryption_key, "decryption_key")
    G1.check(ct.u, "ciphertext.u")
    if len(ct.v) != 32 or len(ct.w) < _MIN_W:
        raise InvalidInput("ciphertext", "malformed v or w")
    alpha = _xor(ct.v, hashlib.sha256(_gt_bytes(GT.pairing(ct.u, key))).digest())
    plain = _xor(ct.w, hashlib.shake_128(alpha).digest(len(ct.w)))
    message = _unpad(plain)
    r = _hash_to_r(alpha, message) if message is not None else 0
    if message is None or r == 0 or G1.base_mul(r) != ct.u:
        raise VerificationFailed("ciphertext: decryption failed")
    return message


def decrypt_with_shares(
    ciphertext: Ciphertext | bytes,
    identity: bytes,
    shares: Iterable[SignatureShare],
    key: ThresholdPublicKey,
) -> bytes:
    """Verify the nodes' decryption shares on `identity`, combine `key.need` of them, decrypt.

    NotEnoughShares (naming bad parties) if fewer than `key.need` shares verify.
    """
    ct = ciphertext if isinstance(ciphertext, Ciphertext) else Ciphertext.from_bytes(ciphertext)
    return decrypt(ct, bls_threshold.combine(shares, key, identity))


def _public_key(public_key: G1Point | bytes) -> G1Point:
    if isinstance(public_key, (bytes, bytearray)):
        return G1.decode(bytes(public_key), "public_key")
    return G1.check(public_key, "public_key")


def _seal(pk: G1Point, message: bytes, identity: bytes, alpha: bytes) -> Ciphertext:
    """Deterministic core of `encrypt`, given the FO nonce α (tests pin it for known answers)."""
    r = _hash_to_r(alpha, message)
    k = GT.pairing(G1.mul(pk, r), hash_to_g2(identity))
    v = _xor(alpha, hashlib.sha256(_gt_bytes(k)).digest())
    block = _uleb128(len(message)) + message
    block += bytes(max(0, _MIN_W - len(block)))
    w = _xor(block, hashlib.shake_128(alpha).digest(len(block)))
    return Ciphertext(G1.base_mul(r), v, w)


def _hash_to_r(alpha: bytes, message: bytes) -> int:
    # blsful's hash_to_scalar: HKDF-SHA-256 (salt, ikm ‖ 0x00, info I2OSP(48, 2)) → 48 bytes,
    # read big-endian mod r — the IETF BLS KeyGen construction with its own salt.
    okm = HKDF(algorithm=hashes.SHA256(), length=48, salt=_SALT, info=b"\x00\x30").derive(
        alpha + hashlib.sha256(message).digest() + b"\x00"
    )
    return int.from_bytes(okm, "big") % ORDER


def _gt_bytes(k: GT) -> bytes:
    """Gt as bls12_381_plus serialises it (Fp12 coefficients c0.c0.c0 … c1.c2.c1, each Fp
    big-endian). arkworks' str() is the same coefficients in the same order, each little-endian."""
    raw = bytes.fromhex(str(k))
    if len(raw) != _GT_BYTES:
        raise VerificationFailed("unexpected Gt serialisation length")
    return b"".join(raw[i : i + _GT_LIMB][::-1] for i in range(0, _GT_BYTES, _GT_LIMB))


def _unpad(plain: bytes) -> bytes | None:
    """The message from uleb128(len) ‖ M ‖ zero padding; None if malformed. Non-zero padding is
    refused (blsful ignores it) so that every byte of W is bound to the ciphertext."""
    try:
        length, pos = _read_uleb128(plain, 0, "plaintext")
    except InvalidInput:
        return None
    if pos + length > len(plain) or any(plain[pos + length :]):
        return None
    return plain[pos : pos + length]


def _xor(a: bytes, b: bytes) -> bytes:
    if len(a) != len(b):
        raise ValueError("xor of unequal lengths")
    # Through big ints: a byte-by-byte generator costs ~100 ms per MiB, this ~1 ms.
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


def _uleb128(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _read_uleb128(data: bytes, pos: int, field: str) -> tuple[int, int]:
    """(value, next position); canonical (shortest) encodings of at most 64 bits only."""
    value = shift = 0
    for i in range(pos, min(pos + 10, len(data))):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            if byte == 0 and i > pos:
                raise InvalidInput(field, "non-canonical length encoding")
            return value, i + 1
    raise InvalidInput(field, "truncated or oversized length")
