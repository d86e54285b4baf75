"""Content identifiers: CIDv0 and CIDv1 over sha2-256, with the dag-pb and raw codecs.

CIDv0 is the bare base58btc multihash ("Qm..."), always dag-pb. CIDv1 is
`varint(1) varint(codec) multihash`, written with a multibase prefix; we print base32 ('b'),
as Kubo does, and read base32 ('b'/'B'), base58btc ('z') and base16 ('f'/'F').
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from .encoding import b32decode, b32encode_lower, b58decode, b58encode, decode_varint, encode_varint
from .errors import BlockVerificationError, CidError

__all__ = ["CID", "DAG_PB", "RAW", "SHA2_256", "block_cid"]

DAG_PB = 0x70
RAW = 0x55
SHA2_256 = 0x12
_SHA2_256_LEN = 32
_CODEC_NAMES = {DAG_PB: "dag-pb", RAW: "raw"}


def _multihash_sha256(data: bytes) -> bytes:
    return bytes((SHA2_256, _SHA2_256_LEN)) + hashlib.sha256(data).digest()


@dataclass(frozen=True, slots=True)
class CID:
    version: int
    codec: int
    multihash: bytes

    def __post_init__(self) -> None:
        if self.version not in (0, 1):
            raise CidError(self.multihash, f"unsupported CID version {self.version}")
        if self.codec not in _CODEC_NAMES:
            raise CidError(self.multihash, f"unsupported codec 0x{self.codec:x} (only dag-pb, raw)")
        if self.version == 0 and self.codec != DAG_PB:
            raise CidError(self.multihash, "CIDv0 can only name dag-pb blocks")
        _check_multihash(self.multihash, self.multihash)

    # ---- construction -------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: "str | CID") -> "CID":
        """Parse a CID string; raises CidError naming the string and the reason."""
        if isinstance(text, CID):
            return text
        if not isinstance(text, str):
            raise CidError(text, f"expected a string, got {type(text).__name__}")
        text = text.strip()
        if not text:
            raise CidError(text, "empty string")
        if len(text) == 46 and text.startswith("Qm"):
            try:
                raw = b58decode(text)
            except ValueError as exc:
                raise CidError(text, str(exc)) from None
            return cls._from_multihash_v0(raw, text)
        prefix, body = text[0], text[1:]
        try:
            if prefix in "bB":
                raw = b32decode(body)
            elif prefix == "z":
                raw = b58decode(body)
            elif prefix in "fF":
                raw = bytes.fromhex(body)
            else:
                raise CidError(text, f"unsupported multibase prefix {prefix!r} (use 'b', 'z', 'f' or a Qm... CIDv0)")
        except ValueError as exc:
            if isinstance(exc, CidError):
                raise
            raise CidError(text, f"bad multibase {prefix!r} body: {exc}") from None
        return cls._from_bytes(raw, text)

    @classmethod
    def decode(cls, raw: bytes) -> "CID":
        """Parse the binary form (as found in dag-pb links)."""
        return cls._from_bytes(bytes(raw), raw)

    @classmethod
    def _from_bytes(cls, raw: bytes, shown: object) -> "CID":
        if len(raw) == 34 and raw[0] == SHA2_256 and raw[1] == _SHA2_256_LEN:
            return cls._from_multihash_v0(raw, shown)
        try:
            version, pos = decode_varint(raw)
            if version != 1:
                raise CidError(shown, f"unsupported CID version {version}")
            codec, pos = decode_varint(raw, pos)
        except ValueError as exc:
            raise CidError(shown, str(exc)) from None
        multihash = raw[pos:]
        _check_multihash(multihash, shown)
        if codec not in _CODEC_NAMES:
            raise CidError(shown, f"unsupported codec 0x{codec:x} (only dag-pb 0x70 and raw 0x55)")
        return cls(1, codec, multihash)

    @classmethod
    def _from_multihash_v0(cls, raw: bytes, shown: object) -> "CID":
        if len(raw) != 34 or raw[:2] != bytes((SHA2_256, _SHA2_256_LEN)):
            raise CidError(shown, "a CIDv0 must be a 34-byte sha2-256 multihash")
        return cls(0, DAG_PB, raw)

    # ---- views --------------------------------------------------------------------------------

    @property
    def digest(self) -> bytes:
        return self.multihash[2:]

    @property
    def codec_name(self) -> str:
        return _CODEC_NAMES[self.codec]

    def encode(self) -> bytes:
        """Binary form: the bare multihash for v0, version+codec+multihash for v1."""
        if self.version == 0:
            return self.multihash
        return encode_varint(1) + encode_varint(self.codec) + self.multihash

    def to_v0(self) -> "CID":
        if self.codec != DAG_PB:
            raise CidError(str(self), f"a {self.codec_name} CID has no CIDv0 form (v0 is dag-pb only)")
        return CID(0, DAG_PB, self.multihash)

    def to_v1(self) -> "CID":
        return CID(1, self.codec, self.multihash)

    def __str__(self) -> str:
        if self.version == 0:
            return b58encode(self.multihash)
        return "b" + b32encode_lower(self.encode())

    def __repr__(self) -> str:
        return f"CID({str(self)!r})"

    # ---- verification -------------------------------------------------------------------------

    def matches(self, block: bytes) -> bool:
        """True if `block` hashes to this CID's multihash (constant-time compare)."""
        return hmac.compare_digest(hashlib.sha256(block).digest(), self.digest)

    def verify(self, block: bytes, source: str | None = None) -> bytes:
        """Return `block` if it hashes to this CID, else raise BlockVerificationError naming it."""
        if not self.matches(block):
            raise BlockVerificationError(str(self), source)
        return block


def block_cid(block: bytes, codec: int = DAG_PB, version: int = 0) -> CID:
    """The CID of `block` under sha2-256."""
    return CID(version, codec, _multihash_sha256(block))


def _check_multihash(multihash: bytes, shown: object) -> None:
    try:
        code, pos = decode_varint(multihash)
        length, pos = decode_varint(multihash, pos)
    except ValueError as exc:
        raise CidError(shown, f"bad multihash: {exc}") from None
    if code != SHA2_256:
        raise CidError(shown, f"unsupported multihash function 0x{code:x} (only sha2-256 0x12)")
    if length != _SHA2_256_LEN or len(multihash) - pos != _SHA2_256_LEN:
        raise CidError(shown, f"sha2-256 multihash must carry 32 digest bytes, has {len(multihash) - pos}")
