"""Sealed payloads and signed messages between parties, and from a node to a client.

Sealing (an ECIES): a fresh X25519 key per payload, agreed with the recipient's X25519 key;
HKDF-SHA256 turns the shared secret into an AES-256-GCM key, with both public keys in the HKDF info so
the key is bound to this exact pair. The caller's associated data (`bind(session, sender, recipient)`
for the DKG) is authenticated, so a sealed share cannot be replayed into another session or handed to
another party. Wire form: version (1) ‖ ephemeral public key (32) ‖ nonce (12) ‖ ciphertext ‖ tag (16).

Every way a sealed payload can fail to open raises the same `VerificationFailed`, as Fernet does:
the caller learns nothing about which check failed.

Signing: Ed25519 over a domain-separated byte string; `sign_message`/`verify_message` sign a protocol
`Message` (session, kind, sender, recipient and body) so a peer cannot forge or re-address it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import InvalidInput, ProtocolError, VerificationFailed
from .identity import PartyKeys, PeerDirectory, parse_hex_key
from .protocol import Message

__all__ = [
    "bind",
    "seal",
    "open_sealed",
    "sign",
    "verify",
    "ResponseKey",
    "seal_response",
    "sign_message",
    "verify_message",
    "SIGNATURE_FIELD",
    "message_signed_bytes",
]

RandomBytes = Callable[[int], bytes]

_VERSION = 1
_HEADER = 1 + 32 + 12
_TAG = 16
_HKDF_LABEL = b"litrt/channel/v1/x25519-hkdf-sha256-aes256gcm"
_SIGN_DOMAIN = b"litrt/sign/v1\x00"
_MESSAGE_DOMAIN = b"litrt/message/v1\x00"
SIGNATURE_FIELD = "sig"

_RAW = serialization.Encoding.Raw
_RAW_PUB = serialization.PublicFormat.Raw


def bind(*parts: str | int | bytes) -> bytes:
    """Unambiguous associated data from parts: each is length-prefixed, so ("ab","c") != ("a","bc")."""
    out = bytearray()
    for part in parts:
        if isinstance(part, bool):
            raise InvalidInput("associated_data", "booleans are not allowed")
        if isinstance(part, int):
            raw = b"i" + str(part).encode()
        elif isinstance(part, str):
            raw = b"s" + part.encode()
        elif isinstance(part, (bytes, bytearray)):
            raw = b"b" + bytes(part)
        else:
            raise InvalidInput("associated_data", f"unsupported part type {type(part).__name__}")
        out += len(raw).to_bytes(4, "big") + raw
    return bytes(out)


def _x25519_public(key: X25519PublicKey | bytes | str, field: str) -> X25519PublicKey:
    if isinstance(key, X25519PublicKey):
        return key
    raw = parse_hex_key(key, field) if isinstance(key, str) else key
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != 32:
        raise InvalidInput(field, "expected a 32-byte X25519 public key")
    return X25519PublicKey.from_public_bytes(bytes(raw))


def _aead_key(shared: bytes, ephemeral_pub: bytes, recipient_pub: bytes) -> AESGCM:
    info = _HKDF_LABEL + ephemeral_pub + recipient_pub
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared))


def seal(
    recipient: X25519PublicKey | bytes | str,
    plaintext: bytes,
    associated_data: bytes = b"",
    *,
    randbytes: RandomBytes = secrets.token_bytes,
) -> bytes:
    """Encrypt `plaintext` so only the holder of `recipient`'s private key can read it."""
    recipient_key = _x25519_public(recipient, "recipient")
    ephemeral = X25519PrivateKey.from_private_bytes(randbytes(32))
    ephemeral_pub = ephemeral.public_key().public_bytes(_RAW, _RAW_PUB)
    recipient_pub = recipient_key.public_bytes(_RAW, _RAW_PUB)
    try:
        shared = ephemeral.exchange(recipient_key)
    except ValueError:  # a low-order "public key" gives the all-zero secret
        raise InvalidInput("recipient", "not a usable X25519 public key") from None
    # The key is fresh per payload, but a random nonce keeps this safe even if a caller
    # hands in a randomness source that repeats.
    nonce = randbytes(12)
    ciphertext = _aead_key(shared, ephemeral_pub, recipient_pub).encrypt(nonce, plaintext, associated_data)
    return bytes([_VERSION]) + ephemeral_pub + nonce + ciphertext


def open_sealed(recipient: X25519PrivateKey | PartyKeys, sealed: bytes, associated_data: bytes = b"") -> bytes:
    """Decrypt a `seal` output; VerificationFailed for any failure (wrong key, data, or tampering)."""
    key = recipient.encryption if isinstance(recipient, PartyKeys) else recipient
    if not isinstance(sealed, (bytes, bytearray)) or len(sealed) < _HEADER + _TAG or sealed[0] != _VERSION:
        raise VerificationFailed("sealed payload did not open")
    sealed = bytes(sealed)
    ephemeral_pub, nonce, ciphertext = sealed[1:33], sealed[33:45], sealed[45:]
    recipient_pub = key.public_key().public_bytes(_RAW, _RAW_PUB)
    try:
        shared = key.exchange(X25519PublicKey.from_public_bytes(ephemeral_pub))
        return _aead_key(shared, ephemeral_pub, recipient_pub).decrypt(nonce, ciphertext, associated_data)
    except (ValueError, InvalidTag):
        raise VerificationFailed("sealed payload did not open") from None


def sign(key: Ed25519PrivateKey | PartyKeys, data: bytes) -> bytes:
    signer = key.signing if isinstance(key, PartyKeys) else key
    return signer.sign(_SIGN_DOMAIN + data)


def verify(
    public: Ed25519PublicKey | str, data: bytes, signature: bytes, party: int | None = None
) -> None:
    """Raise VerificationFailed (naming `party` if given) unless `signature` is `public`'s on `data`."""
    key = public if isinstance(public, Ed25519PublicKey) else Ed25519PublicKey.from_public_bytes(
        parse_hex_key(public, "signing_key")
    )
    try:
        key.verify(signature, _SIGN_DOMAIN + data)
    except InvalidSignature:
        who = f" from party {party}" if party is not None else ""
        raise VerificationFailed(f"bad signature{who}", (party,) if party is not None else ()) from None


class ResponseKey:
    """A client's one-request key: it sends `public_hex`, the node seals its answer to it with
    `seal_response`, and only this object can `open` the answer."""

    def __init__(self, secret: X25519PrivateKey) -> None:
        self._secret = secret
        self.public_hex = secret.public_key().public_bytes(_RAW, _RAW_PUB).hex()

    @classmethod
    def generate(cls, randbytes: RandomBytes = secrets.token_bytes) -> "ResponseKey":
        return cls(X25519PrivateKey.from_private_bytes(randbytes(32)))

    def open(self, sealed_hex: str, associated_data: bytes = b"") -> bytes:
        if not isinstance(sealed_hex, str):
            raise InvalidInput("sealed", "expected a hex string")
        try:
            sealed = bytes.fromhex(sealed_hex.removeprefix("0x"))
        except ValueError:
            raise InvalidInput("sealed", "not a hex string") from None
        return open_sealed(self._secret, sealed, associated_data)


def seal_response(
    client_public_hex: str,
    plaintext: bytes,
    associated_data: bytes = b"",
    *,
    randbytes: RandomBytes = secrets.token_bytes,
) -> str:
    """Node side of `ResponseKey`: seal `plaintext` to the client's ephemeral key, as hex."""
    return seal(client_public_hex, plaintext, associated_data, randbytes=randbytes).hex()


def message_signed_bytes(message: Message) -> bytes:
    body = {k: v for k, v in message.body.items() if k != SIGNATURE_FIELD}
    canonical = json.dumps(
        [message.session, message.kind, message.sender, message.recipient, body],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return _MESSAGE_DOMAIN + canonical.encode()


def sign_message(keys: PartyKeys, message: Message) -> Message:
    """The same message with the sender's signature in `body["sig"]`."""
    signature = keys.signing.sign(message_signed_bytes(message))
    body: dict[str, Any] = {**message.body, SIGNATURE_FIELD: signature.hex()}
    return Message(message.session, message.kind, message.sender, message.recipient, body)


def verify_message(directory: PeerDirectory, message: Message) -> None:
    """ProtocolError for an unknown sender or a missing signature; VerificationFailed for a forged one."""
    keys = directory.require(message.sender, "sender")
    raw_sig = message.body.get(SIGNATURE_FIELD) if isinstance(message.body, dict) else None
    if not isinstance(raw_sig, str):
        raise ProtocolError(f"{SIGNATURE_FIELD}: missing signature on {message.kind!r} from {message.sender}")
    try:
        signature = bytes.fromhex(raw_sig)
    except ValueError:
        raise ProtocolError(f"{SIGNATURE_FIELD}: not hex on {message.kind!r} from {message.sender}") from None
    try:
        keys.verifier().verify(signature, message_signed_bytes(message))
    except (InvalidSignature, ValueError):
        raise VerificationFailed(
            f"bad signature on {message.kind!r} from party {message.sender}", (message.sender,)
        ) from None
