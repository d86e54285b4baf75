"""crypto.subtle on the host: the prelude's SubtleCrypto sends one `webcrypto` call per method.

    {"method": "digest", "algorithm": "SHA-256", "data": "<base64>"}         -> base64 of the digest
    {"method": "sign", "algorithm": {...}, "key": {type, algorithm, material, usages}, "data": "<base64>"}

Supported: digest SHA-1/256/384/512; HMAC; ECDSA P-256 (signatures as raw r||s, as WebCrypto has them);
Ed25519; AES-GCM. Python's `cryptography` does the work; failures are WebCryptoErrors carrying
WebCrypto's names (NotSupportedError, OperationError, DataError, InvalidAccessError).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sandbox.webcrypto_errors import WebCryptoError, bytes_arg, hash_name, name_of
from sandbox.webcrypto_keys import export_key, generate_key, import_key, load_private, load_public, secret_bytes

__all__ = ["webcrypto", "WebCryptoError"]

# Inputs above this are hashed/encrypted in a worker thread, so the node's event loop keeps running.
_THREAD_ABOVE = 64 * 1024
_HASHLIB = {"SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
_EC_HASH: dict[str, Callable[[], hashes.HashAlgorithm]] = {"SHA-1": hashes.SHA1, "SHA-256": hashes.SHA256, "SHA-384": hashes.SHA384, "SHA-512": hashes.SHA512}
_SIGNERS = ("HMAC", "ECDSA", "Ed25519")


async def webcrypto(args: dict[str, Any]) -> Any:
    """Serve one SubtleCrypto method; returns JSON (base64 strings for bytes)."""
    method = args.get("method")
    if method == "importKey":
        return import_key(args)
    if method == "generateKey":
        return generate_key(args)
    if method == "exportKey":
        return export_key(args.get("format"), _key_arg(args))
    work = _OPERATIONS.get(str(method))
    if work is None:
        raise WebCryptoError("NotSupportedError", f"crypto.subtle.{method} is not supported")
    data = bytes_arg(args.get("data"), "data")
    if len(data) > _THREAD_ABOVE:
        return await asyncio.to_thread(work, args, data)
    return work(args, data)


def _key_arg(args: dict[str, Any]) -> dict[str, Any]:
    key = args.get("key")
    if not isinstance(key, dict) or not isinstance(key.get("algorithm"), dict):
        raise WebCryptoError("TypeError", "key must be a CryptoKey")
    return key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _digest(args: dict[str, Any], data: bytes) -> str:
    return _b64(hashlib.new(_HASHLIB[name_of(args.get("algorithm"), tuple(_HASHLIB), "digest")], data).digest())


def _signing(args: dict[str, Any], operation: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    algorithm = args.get("algorithm")
    name = name_of(algorithm, _SIGNERS, operation)
    key = _key_arg(args)
    if key["algorithm"].get("name") != name:
        raise WebCryptoError("InvalidAccessError", f"{operation}: the key is a {key['algorithm'].get('name')} key, not {name}")
    return name, algorithm if isinstance(algorithm, dict) else {"name": name}, key


def _ec_hash(algorithm: dict[str, Any]) -> hashes.HashAlgorithm:
    return _EC_HASH[hash_name(algorithm.get("hash"))]()


def _hmac(key: dict[str, Any], data: bytes) -> bytes:
    return hmac.new(secret_bytes(key), data, _HASHLIB[key["algorithm"]["hash"]["name"]]).digest()


def _sign(args: dict[str, Any], data: bytes) -> str:
    name, algorithm, key = _signing(args, "sign")
    if name == "HMAC":
        return _b64(_hmac(key, data))
    if key.get("type") != "private":
        raise WebCryptoError("InvalidAccessError", f"sign: a {name} signature needs the private key")
    private = load_private(name, secret_bytes(key))
    if name == "Ed25519":
        return _b64(private.sign(data))
    r, s = decode_dss_signature(private.sign(data, ec.ECDSA(_ec_hash(algorithm))))
    return _b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def _verify(args: dict[str, Any], data: bytes) -> bool:
    name, algorithm, key = _signing(args, "verify")
    signature = bytes_arg(args.get("signature"), "signature")
    if name == "HMAC":
        return hmac.compare_digest(_hmac(key, data), signature)
    if key.get("type") != "public":
        raise WebCryptoError("InvalidAccessError", f"verify: a {name} signature is checked with the public key")
    public = load_public(name, secret_bytes(key))
    try:
        if name == "Ed25519":
            public.verify(signature, data)
        else:
            if len(signature) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            public.verify(der, data, ec.ECDSA(_ec_hash(algorithm)))
    except InvalidSignature:
        return False
    return True


def _gcm(args: dict[str, Any], operation: str) -> tuple[AESGCM, bytes, bytes | None]:
    algorithm = args.get("algorithm")
    name_of(algorithm, ("AES-GCM",), operation)
    key = _key_arg(args)
    if key["algorithm"].get("name") != "AES-GCM":
        raise WebCryptoError("InvalidAccessError", f"{operation}: the key is a {key['algorithm'].get('name')} key, not AES-GCM")
    assert isinstance(algorithm, dict)
    tag_length = algorithm.get("tagLength", 128)
    if tag_length != 128:
        raise WebCryptoError("NotSupportedError", f"{operation}: AES-GCM tagLength {tag_length} is not supported (only 128)")
    iv = bytes_arg(algorithm.get("iv"), "iv")
    if not 8 <= len(iv) <= 128:
        raise WebCryptoError("OperationError", f"{operation}: the AES-GCM iv must be 8 to 128 bytes, not {len(iv)}")
    aad = algorithm.get("additionalData")
    return AESGCM(secret_bytes(key)), iv, None if aad is None else bytes_arg(aad, "additionalData")


def _encrypt(args: dict[str, Any], data: bytes) -> str:
    cipher, iv, aad = _gcm(args, "encrypt")
    return _b64(cipher.encrypt(iv, data, aad))


def _decrypt(args: dict[str, Any], data: bytes) -> str:
    cipher, iv, aad = _gcm(args, "decrypt")
    try:
        return _b64(cipher.decrypt(iv, data, aad))
    except InvalidTag:
        raise WebCryptoError("OperationError", "decrypt: the data is not authentic (wrong key, iv, additionalData or tag)") from None


_OPERATIONS = {"digest": _digest, "sign": _sign, "verify": _verify, "encrypt": _encrypt, "decrypt": _decrypt}
