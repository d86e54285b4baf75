"""PKP keys by HD derivation from K root keys, exactly as Lit does (`LIT-Protocol/hd-keys-curves`).

For a key id, d = hash_to_scalar(key_id) (RFC 9380 expand_message_xmd, SHA-256, 48 bytes, reduced
mod n, DST below). The derived key is the polynomial Σ_j root_j·d^j evaluated "in the exponent":

    derived public key    = Σ_j rootPk_j · d^j
    derived secret share  = Σ_j rootShare_j · d^j           (party i, same degree t as the roots)
    derived commitments   C'_k = Σ_j d^j · C_{j,k}          (Feldman, so X_i = Σ_k C'_k · i^k is public)

Minting a PKP therefore needs no new DKG. Oracle: `ecdsaDeriveKey(id, rootKeys)` of npm
`@lit-protocol/wasm` (tests/crypto/test_hd.py). Key ids are opaque bytes; Lit uses 32-byte
keccak256 values, e.g. keccak256("lit_action_" + ipfsCid) for an action's own key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from .errors import InvalidInput, InvalidPoint
from .hash_to_curve import hash_to_scalar
from .secp256k1 import ORDER, SECP256K1, Point
from .vss import commitment_at

__all__ = [
    "KEY_ID_DST",
    "key_id_scalar",
    "action_key_id",
    "derive_public_key",
    "derive_secret_share",
    "derive_commitments",
    "DerivedKey",
    "derive_key",
    "token_id",
    "eth_address",
]

KEY_ID_DST = b"LIT_HD_KEY_ID_K256_XMD:SHA-256_SSWU_RO_NUL_"


def _check_key_id(key_id: bytes) -> bytes:
    if not isinstance(key_id, (bytes, bytearray)):
        raise InvalidInput("key_id", f"expected bytes, got {type(key_id).__name__}")
    if not key_id:
        raise InvalidInput("key_id", "empty")  # Lit's precompile rejects an empty id too
    return bytes(key_id)


def key_id_scalar(key_id: bytes) -> int:
    """d for a key id."""
    return hash_to_scalar(_check_key_id(key_id), KEY_ID_DST)


def action_key_id(ipfs_cid: str) -> bytes:
    """The key id Lit gives an action's own derived key: keccak256("lit_action_" + cid)."""
    return keccak(text=f"lit_action_{ipfs_cid}")


def _powers(d: int, count: int) -> list[int]:
    out = [1]
    for _ in range(count - 1):
        out.append(out[-1] * d % ORDER)
    return out


def _check_points(points: Sequence[Point], field: str) -> list[Point]:
    if not points:
        raise InvalidInput(field, "no root keys")
    out = list(points)
    for j, p in enumerate(out):
        if p is None:
            raise InvalidPoint(f"{field}[{j}]", "identity point not allowed")
    return out


def derive_public_key(key_id: bytes, root_public_keys: Sequence[Point]) -> Point:
    roots = _check_points(root_public_keys, "root_public_keys")
    derived = SECP256K1.msm(roots, _powers(key_id_scalar(key_id), len(roots)))
    if derived is None:
        raise InvalidPoint("derived_public_key", "derivation gave the identity")  # ~2^-256
    return derived


def derive_secret_share(key_id: bytes, root_shares: Sequence[int]) -> int:
    if not root_shares:
        raise InvalidInput("root_shares", "no root shares")
    d = key_id_scalar(key_id)
    acc = 0
    for share in reversed(root_shares):  # Horner
        if not isinstance(share, int) or not 0 <= share < ORDER:
            raise InvalidInput("root_shares", "share out of range")
        acc = (acc * d + share) % ORDER
    return acc


def derive_commitments(key_id: bytes, root_commitments: Sequence[Sequence[Point]]) -> list[Point]:
    """Feldman commitments of the derived sharing from those of each root sharing."""
    if not root_commitments:
        raise InvalidInput("root_commitments", "no root keys")
    degree_plus_one = len(root_commitments[0])
    if degree_plus_one == 0 or any(len(c) != degree_plus_one for c in root_commitments):
        raise InvalidInput("root_commitments", "root sharings differ in degree")
    _check_points([c[0] for c in root_commitments], "root_commitments[*][0]")
    powers = _powers(key_id_scalar(key_id), len(root_commitments))
    return [
        SECP256K1.msm([c[k] for c in root_commitments], powers) for k in range(degree_plus_one)
    ]


@dataclass(frozen=True)
class DerivedKey:
    """The public side of one PKP: what anyone can compute from the root commitments."""

    key_id: bytes
    commitments: tuple[Point, ...]  # degree-t Feldman commitments; [0] is the public key

    @property
    def public_key(self) -> Point:
        return self.commitments[0]

    @property
    def threshold(self) -> int:
        return len(self.commitments) - 1

    def public_share(self, index: int) -> Point:
        """X_i = x_i·G for party `index`."""
        if not isinstance(index, int) or not 0 < index < ORDER:
            raise InvalidInput("index", f"party index {index!r} out of range")
        return commitment_at(SECP256K1, self.commitments, index)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id.hex(),
            "commitments": [SECP256K1.encode(c).hex() for c in self.commitments],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DerivedKey":
        try:
            key_id = bytes.fromhex(str(data["key_id"]))
            raw = list(data["commitments"])
        except (KeyError, TypeError, ValueError):
            raise InvalidInput("derived_key", "malformed") from None
        if not raw:
            raise InvalidInput("commitments", "empty")
        points = [
            SECP256K1.decode_hex(str(h), f"commitments[{k}]", allow_identity=k > 0)
            for k, h in enumerate(raw)
        ]
        return cls(_check_key_id(key_id), tuple(points))


def derive_key(key_id: bytes, root_commitments: Sequence[Sequence[Point]]) -> DerivedKey:
    return DerivedKey(_check_key_id(key_id), tuple(derive_commitments(key_id, root_commitments)))


def _uncompressed(public_key: Point | bytes) -> bytes:
    if isinstance(public_key, (bytes, bytearray)):
        public_key = SECP256K1.decode(bytes(public_key), "public_key")
    if public_key is None:
        raise InvalidPoint("public_key", "identity point not allowed")
    return SECP256K1.encode_uncompressed(public_key)


def token_id(public_key: Point | bytes) -> int:
    """PKP token id: uint256(keccak256(65-byte uncompressed key, 0x04 prefix included))."""
    return int.from_bytes(keccak(_uncompressed(public_key)), "big")


def eth_address(public_key: Point | bytes) -> str:
    """EIP-55 address: last 20 bytes of keccak256 of the 64-byte key without the 0x04 prefix."""
    return to_checksum_address(keccak(_uncompressed(public_key)[1:])[-20:])
