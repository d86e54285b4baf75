"""PKP keys by HD derivation from K root keys, exactly as Lit does (`LIT-Protocol/hd-keys-curves`).

For a key id, d = hash_to_scalar(key_id) (RFC 9380 expand_message_xmd, SHA-256, 48 bytes, reduced
mod n, DST below). The derived key is the polynomial Σ_j root_j·d^j evaluated "in the exponent":

    derived public key    = Σ_j rootPk_j · d^j
    derived secret share  = Σ_j rootShare_j · d^j           (party i, same degree t as the roots)
    derived commitments   C'_k = Σ_j d^j · C_{j,k}          (Feldman, so X_i = Σ_k C'_k · i^k is public)

Minting a PKP therefore needs no new DKG. Oracle: `ecdsaDeriveKey(id, rootKeys)` of npm
`@lit-protocol/wasm` (tests/crypto/test_hd.py). Key ids are opaque bytes; Lit uses 32-byte
keccak256 values, e.g. keccak256("lit_action_" + ipfsCid) for an action's own key.

Other curves derive the same way from their own root keys, each with Lit's context string
(lit-peer `SigningScheme::id_sign_ctx`) and its curve's hash_to_scalar (`HdCurve`, `HD_CURVES`):
P-256 as secp256k1 (XMD SHA-256, 48 bytes, big-endian mod n); Ed25519 by XMD SHA-512 to 64 bytes
read little-endian mod L (curve25519-dalek `from_bytes_mod_order_wide`). Every function takes
`curve=` and defaults to secp256k1, whose behaviour is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, overload

from .errors import InvalidInput, InvalidPoint
from .eth import keccak256, to_checksum_address
from .group import Group
from .hash_to_curve import expand_message_xmd, hash_to_field, hash_to_scalar
from .secp256k1 import SECP256K1, Point
from .vss import commitment_at

__all__ = [
    "KEY_ID_DST",
    "HdCurve",
    "HD_K256",
    "HD_P256",
    "HD_ED25519",
    "HD_CURVES",
    "hd_curve",
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


# The P-256 and Ed25519 groups load their libraries (ecdsa, PyNaCl) on first use: most importers of
# this module (the client, `litrt execute`) derive secp256k1 keys only, and would pay ~15 ms for them.
def _k256() -> Group[Any]:
    return SECP256K1


def _p256() -> Group[Any]:
    from .p256 import P256

    return P256


def _ed25519() -> Group[Any]:
    from .ed25519 import ED25519

    return ED25519


def _p256_scalar(msg: bytes, dst: bytes) -> int:
    return hash_to_field(msg, dst, 1, _p256().order)[0]


def _ed25519_scalar(msg: bytes, dst: bytes) -> int:
    return int.from_bytes(expand_message_xmd(msg, dst, 64, "sha512"), "little") % _ed25519().order


@dataclass(frozen=True)
class HdCurve:
    """One curve's HD derivation: its group (loaded when first asked for), Lit's context string and
    its hash_to_scalar."""

    name: str  # the key type: "k256", "p256", "ed25519"
    _load_group: Callable[[], Group[Any]]
    dst: bytes
    _to_scalar: Callable[[bytes, bytes], int]

    @property
    def group(self) -> Group[Any]:
        return self._load_group()

    def scalar(self, key_id: bytes) -> int:
        return self._to_scalar(_check_key_id(key_id), self.dst)


HD_K256 = HdCurve("k256", _k256, KEY_ID_DST, hash_to_scalar)
HD_P256 = HdCurve("p256", _p256, b"LIT_HD_KEY_ID_P256_XMD:SHA-256_SSWU_RO_NUL_", _p256_scalar)
HD_ED25519 = HdCurve("ed25519", _ed25519, b"LIT_HD_KEY_ID_ED25519_XMD:SHA-512_ELL2_RO_NUL_", _ed25519_scalar)
HD_CURVES = {c.name: c for c in (HD_K256, HD_P256, HD_ED25519)}


def hd_curve(name: str) -> HdCurve:
    try:
        return HD_CURVES[name]
    except (KeyError, TypeError):
        raise InvalidInput("key_type", f"unknown key type {name!r}; expected one of {sorted(HD_CURVES)}") from None


def _check_key_id(key_id: bytes) -> bytes:
    if not isinstance(key_id, (bytes, bytearray)):
        raise InvalidInput("key_id", f"expected bytes, got {type(key_id).__name__}")
    if not key_id:
        raise InvalidInput("key_id", "empty")  # Lit's precompile rejects an empty id too
    return bytes(key_id)


def key_id_scalar(key_id: bytes, curve: HdCurve = HD_K256) -> int:
    """d for a key id."""
    return curve.scalar(key_id)


def action_key_id(ipfs_cid: str) -> bytes:
    """The key id Lit gives an action's own derived key: keccak256("lit_action_" + cid)."""
    return keccak256(f"lit_action_{ipfs_cid}".encode())


def _powers(d: int, count: int, order: int) -> list[int]:
    out = [1]
    for _ in range(count - 1):
        out.append(out[-1] * d % order)
    return out


def _check_points(points: Sequence[Any], field: str, curve: HdCurve) -> list[Any]:
    if not points:
        raise InvalidInput(field, "no root keys")
    out = list(points)
    for j, p in enumerate(out):
        if curve.group.is_identity(p):
            raise InvalidPoint(f"{field}[{j}]", "identity point not allowed")
    return out


@overload
def derive_public_key(key_id: bytes, root_public_keys: Sequence[Point]) -> Point: ...
@overload
def derive_public_key(key_id: bytes, root_public_keys: Sequence[Any], curve: HdCurve) -> Any: ...
def derive_public_key(key_id: bytes, root_public_keys: Sequence[Any], curve: HdCurve = HD_K256) -> Any:
    roots = _check_points(root_public_keys, "root_public_keys", curve)
    derived = curve.group.msm(roots, _powers(key_id_scalar(key_id, curve), len(roots), curve.group.order))
    if curve.group.is_identity(derived):
        raise InvalidPoint("derived_public_key", "derivation gave the identity")  # ~2^-250
    return derived


def derive_secret_share(key_id: bytes, root_shares: Sequence[int], curve: HdCurve = HD_K256) -> int:
    if not root_shares:
        raise InvalidInput("root_shares", "no root shares")
    d, order = key_id_scalar(key_id, curve), curve.group.order
    acc = 0
    for share in reversed(root_shares):  # Horner
        if not isinstance(share, int) or not 0 <= share < order:
            raise InvalidInput("root_shares", "share out of range")
        acc = (acc * d + share) % order
    return acc


def derive_commitments(
    key_id: bytes, root_commitments: Sequence[Sequence[Any]], curve: HdCurve = HD_K256
) -> list[Any]:
    """Feldman commitments of the derived sharing from those of each root sharing."""
    if not root_commitments:
        raise InvalidInput("root_commitments", "no root keys")
    degree_plus_one = len(root_commitments[0])
    if degree_plus_one == 0 or any(len(c) != degree_plus_one for c in root_commitments):
        raise InvalidInput("root_commitments", "root sharings differ in degree")
    _check_points([c[0] for c in root_commitments], "root_commitments[*][0]", curve)
    powers = _powers(key_id_scalar(key_id, curve), len(root_commitments), curve.group.order)
    return [
        curve.group.msm([c[k] for c in root_commitments], powers) for k in range(degree_plus_one)
    ]


@dataclass(frozen=True)
class DerivedKey:
    """The public side of one PKP: what anyone can compute from the root commitments."""

    key_id: bytes
    commitments: tuple[Any, ...]  # degree-t Feldman commitments; [0] is the public key
    curve: HdCurve = HD_K256

    @property
    def public_key(self) -> Any:
        return self.commitments[0]

    @property
    def threshold(self) -> int:
        return len(self.commitments) - 1

    def public_share(self, index: int) -> Any:
        """X_i = x_i·G for party `index`."""
        if not isinstance(index, int) or not 0 < index < self.curve.group.order:
            raise InvalidInput("index", f"party index {index!r} out of range")
        return commitment_at(self.curve.group, self.commitments, index)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key_id": self.key_id.hex(),
            "commitments": [self.curve.group.encode(c).hex() for c in self.commitments],
        }
        if self.curve is not HD_K256:  # secp256k1 keys keep the shape they always had
            out["curve"] = self.curve.name
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DerivedKey":
        try:
            key_id = bytes.fromhex(str(data["key_id"]))
            raw = list(data["commitments"])
        except (KeyError, TypeError, ValueError):
            raise InvalidInput("derived_key", "malformed") from None
        if not raw:
            raise InvalidInput("commitments", "empty")
        curve = hd_curve(str(data.get("curve", HD_K256.name)))
        points = []
        for k, h in enumerate(raw):
            try:
                encoded = bytes.fromhex(str(h).removeprefix("0x"))
            except ValueError:
                raise InvalidPoint(f"commitments[{k}]", "not a hex string") from None
            points.append(curve.group.decode(encoded, f"commitments[{k}]", allow_identity=k > 0))
        return cls(_check_key_id(key_id), tuple(points), curve)


def derive_key(key_id: bytes, root_commitments: Sequence[Sequence[Any]], curve: HdCurve = HD_K256) -> DerivedKey:
    return DerivedKey(_check_key_id(key_id), tuple(derive_commitments(key_id, root_commitments, curve)), curve)


def _uncompressed(public_key: Point | bytes) -> bytes:
    if isinstance(public_key, (bytes, bytearray)):
        public_key = SECP256K1.decode(bytes(public_key), "public_key")
    if public_key is None:
        raise InvalidPoint("public_key", "identity point not allowed")
    return SECP256K1.encode_uncompressed(public_key)


def token_id(public_key: Point | bytes) -> int:
    """PKP token id: uint256(keccak256(65-byte uncompressed key, 0x04 prefix included))."""
    return int.from_bytes(keccak256(_uncompressed(public_key)), "big")


def eth_address(public_key: Point | bytes) -> str:
    """EIP-55 address: last 20 bytes of keccak256 of the 64-byte key without the 0x04 prefix."""
    return to_checksum_address(keccak256(_uncompressed(public_key)[1:])[-20:])
