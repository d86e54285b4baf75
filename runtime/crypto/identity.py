"""A party's long-term identity: an Ed25519 key that signs its protocol messages and an X25519 key
that peers seal secrets (DKG deals) to. Public halves travel as hex, the same form as the node's
config (`node.config.PeerInfo.signing_key` / `encryption_key`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from .errors import InvalidInput, ProtocolError

__all__ = ["PublicKeys", "PartyKeys", "PeerDirectory", "parse_hex_key"]

_RAW = serialization.Encoding.Raw
_RAW_PUB = serialization.PublicFormat.Raw
_RAW_PRIV = serialization.PrivateFormat.Raw
_NO_ENC = serialization.NoEncryption()

# Sealed-storage layout: version byte, then the two 32-byte private keys.
_KEYS_VERSION = 1
_KEYS_LEN = 1 + 32 + 32


def parse_hex_key(text: Any, field: str, length: int = 32) -> bytes:
    """Raw key bytes from hex (an optional 0x is allowed); InvalidInput naming `field` otherwise."""
    if not isinstance(text, str):
        raise InvalidInput(field, f"expected a hex string, got {type(text).__name__}")
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise InvalidInput(field, "not a hex string") from None
    if len(raw) != length:
        raise InvalidInput(field, f"expected {length} bytes, got {len(raw)}")
    return raw


@dataclass(frozen=True)
class PublicKeys:
    """What everyone may know about a party: hex Ed25519 and X25519 public keys."""

    signing_key: str
    encryption_key: str

    def __post_init__(self) -> None:
        # Validate once here, so every later use can trust the fields; one spelling (lowercase,
        # no 0x) so that comparing two PublicKeys compares keys, not typography.
        for name in ("signing_key", "encryption_key"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, value.lower().removeprefix("0x"))
        try:
            Ed25519PublicKey.from_public_bytes(parse_hex_key(self.signing_key, "signing_key"))
        except ValueError as exc:
            if isinstance(exc, InvalidInput):
                raise
            raise InvalidInput("signing_key", "not an Ed25519 public key") from None
        X25519PublicKey.from_public_bytes(parse_hex_key(self.encryption_key, "encryption_key"))

    def verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.signing_key.removeprefix("0x")))

    def encryption_public(self) -> X25519PublicKey:
        return X25519PublicKey.from_public_bytes(bytes.fromhex(self.encryption_key.removeprefix("0x")))

    def to_dict(self) -> dict[str, str]:
        return {"signing_key": self.signing_key, "encryption_key": self.encryption_key}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PublicKeys":
        if not isinstance(data, Mapping):
            raise InvalidInput("public_keys", "expected an object")
        for name in ("signing_key", "encryption_key"):
            if name not in data:
                raise InvalidInput(name, "missing")
        return cls(signing_key=data["signing_key"], encryption_key=data["encryption_key"])


class PartyKeys:
    """The private half of an identity. Never leaves the node except sealed (`to_bytes`)."""

    def __init__(self, signing: Ed25519PrivateKey, encryption: X25519PrivateKey) -> None:
        self.signing = signing
        self.encryption = encryption
        self.public = PublicKeys(
            signing_key=signing.public_key().public_bytes(_RAW, _RAW_PUB).hex(),
            encryption_key=encryption.public_key().public_bytes(_RAW, _RAW_PUB).hex(),
        )

    @classmethod
    def generate(cls, randbytes: Callable[[int], bytes] = secrets.token_bytes) -> "PartyKeys":
        """Fresh keys; `randbytes` is handed in so a test can make them reproducible."""
        return cls(
            Ed25519PrivateKey.from_private_bytes(randbytes(32)),
            X25519PrivateKey.from_private_bytes(randbytes(32)),
        )

    def sign(self, data: bytes) -> bytes:
        return self.signing.sign(data)

    def to_bytes(self) -> bytes:
        """65 bytes for sealed storage: version, Ed25519 seed, X25519 scalar."""
        return (
            bytes([_KEYS_VERSION])
            + self.signing.private_bytes(_RAW, _RAW_PRIV, _NO_ENC)
            + self.encryption.private_bytes(_RAW, _RAW_PRIV, _NO_ENC)
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "PartyKeys":
        if not isinstance(data, (bytes, bytearray)) or len(data) != _KEYS_LEN:
            raise InvalidInput("party_keys", f"expected {_KEYS_LEN} bytes")
        if data[0] != _KEYS_VERSION:
            raise InvalidInput("party_keys", f"unknown version {data[0]}")
        return cls(
            Ed25519PrivateKey.from_private_bytes(bytes(data[1:33])),
            X25519PrivateKey.from_private_bytes(bytes(data[33:65])),
        )

    def __repr__(self) -> str:  # never print private keys into a log
        return f"PartyKeys(signing_key={self.public.signing_key[:16]}…)"


class PeerDirectory(Mapping[int, PublicKeys]):
    """Party index → public keys, for every participant (this party included)."""

    def __init__(self, peers: Mapping[int, PublicKeys]) -> None:
        for index in peers:
            if not isinstance(index, int) or isinstance(index, bool) or index < 1:
                raise InvalidInput("peers", f"party index must be a positive int, got {index!r}")
        self._peers = dict(sorted(peers.items()))

    def __getitem__(self, index: int) -> PublicKeys:
        return self._peers[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._peers)

    def __len__(self) -> int:
        return len(self._peers)

    def require(self, index: Any, field: str = "sender") -> PublicKeys:
        """The keys of a known party; ProtocolError for anyone else."""
        keys = self._peers.get(index) if isinstance(index, int) else None
        if keys is None:
            raise ProtocolError(f"{field}: unknown party {index!r}")
        return keys

    @property
    def indices(self) -> tuple[int, ...]:
        return tuple(self._peers)

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {str(i): keys.to_dict() for i, keys in self._peers.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PeerDirectory":
        if not isinstance(data, Mapping):
            raise InvalidInput("peers", "expected an object")
        peers: dict[int, PublicKeys] = {}
        for key, value in data.items():
            try:
                index = int(key)
            except (TypeError, ValueError):
                raise InvalidInput("peers", f"party index {key!r} is not an int") from None
            peers[index] = PublicKeys.from_dict(value)
        return cls(peers)

    @classmethod
    def of(cls, keys: Mapping[int, PartyKeys]) -> "PeerDirectory":
        """The directory of a set of local identities (tests, the single-process launcher)."""
        return cls({i: k.public for i, k in keys.items()})
