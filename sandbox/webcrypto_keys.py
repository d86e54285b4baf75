"""WebCrypto keys on the host side: import, generate and export, in the formats WebCrypto names.

A key crosses the bridge as {type, algorithm, material}, material in one canonical form: raw bytes for
secret keys, SPKI DER for public keys, PKCS#8 DER for private keys. The isolate keeps that triple out of
the action's reach; the host keeps nothing between calls.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.exceptions import UnsupportedAlgorithm

from sandbox.webcrypto_errors import WebCryptoError, b64url, b64url_bytes, bytes_arg, hash_name, name_of

__all__ = ["import_key", "generate_key", "export_key", "load_private", "load_public", "secret_bytes"]

# What each kind of key may be used for (WebCrypto's "recognised key usages").
USAGES = {
    ("HMAC", "secret"): {"sign", "verify"},
    ("AES-GCM", "secret"): {"encrypt", "decrypt", "wrapKey", "unwrapKey"},
    ("ECDSA", "public"): {"verify"},
    ("ECDSA", "private"): {"sign"},
    ("Ed25519", "public"): {"verify"},
    ("Ed25519", "private"): {"sign"},
}
_HASH_BITS = {"SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024}
_JWK_HMAC = {"SHA-1": "HS1", "SHA-256": "HS256", "SHA-384": "HS384", "SHA-512": "HS512"}
_PUBLIC_DER = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _usages(algorithm: str, kind: str, requested: Any) -> list[str]:
    if not isinstance(requested, list) or not all(isinstance(u, str) for u in requested):
        raise WebCryptoError("TypeError", "keyUsages must be an array of strings")
    allowed = USAGES[(algorithm, kind)]
    bad = [u for u in requested if u not in allowed]
    if bad:
        raise WebCryptoError("SyntaxError", f"{algorithm} {kind} keys cannot be used to {', '.join(bad)}")
    if kind in ("secret", "private") and not requested:
        raise WebCryptoError("SyntaxError", f"usages cannot be empty for a {algorithm} {kind} key")
    return list(dict.fromkeys(requested))


def _key(kind: str, algorithm: dict[str, Any], material: bytes, usages: list[str]) -> dict[str, Any]:
    return {"type": kind, "algorithm": algorithm, "material": base64.b64encode(material).decode(), "usages": usages}


def _curve(algorithm: dict[str, Any]) -> None:
    if algorithm.get("namedCurve") != "P-256":
        raise WebCryptoError("NotSupportedError", f"ECDSA curve {algorithm.get('namedCurve')!r} is not supported (only P-256)")


def _secret_algorithm(name: str, algorithm: dict[str, Any], raw: bytes) -> dict[str, Any]:
    if name == "HMAC":
        if not raw:
            raise WebCryptoError("DataError", "an HMAC key cannot be empty")
        length = algorithm.get("length", len(raw) * 8)
        if length != len(raw) * 8:
            raise WebCryptoError("DataError", f"HMAC length {length} does not match the key's {len(raw) * 8} bits")
        return {"name": "HMAC", "hash": {"name": hash_name(algorithm.get("hash"))}, "length": length}
    if len(raw) not in (16, 24, 32):
        raise WebCryptoError("DataError", f"an AES key must be 16, 24 or 32 bytes, not {len(raw)}")
    return {"name": "AES-GCM", "length": len(raw) * 8}


def _from_jwk(name: str, jwk: Any, algorithm: dict[str, Any]) -> tuple[str, bytes]:
    if not isinstance(jwk, dict):
        raise WebCryptoError("TypeError", "a jwk key must be a JSON Web Key object")
    kty = jwk.get("kty")
    try:
        if name in ("HMAC", "AES-GCM"):
            if kty != "oct":
                raise WebCryptoError("DataError", f"a {name} jwk must have kty 'oct', not {kty!r}")
            return "secret", b64url_bytes(jwk.get("k"), "k")
        if name == "Ed25519":
            if kty != "OKP" or jwk.get("crv") != "Ed25519":
                raise WebCryptoError("DataError", "an Ed25519 jwk must have kty 'OKP' and crv 'Ed25519'")
            if "d" in jwk:
                private = ed25519.Ed25519PrivateKey.from_private_bytes(b64url_bytes(jwk["d"], "d"))
                return "private", _pkcs8(private)
            public = ed25519.Ed25519PublicKey.from_public_bytes(b64url_bytes(jwk.get("x"), "x"))
            return "public", public.public_bytes(*_PUBLIC_DER)
        if kty != "EC" or jwk.get("crv") != "P-256":
            raise WebCryptoError("DataError", "an ECDSA jwk must have kty 'EC' and crv 'P-256'")
        x = int.from_bytes(b64url_bytes(jwk.get("x"), "x"), "big")
        y = int.from_bytes(b64url_bytes(jwk.get("y"), "y"), "big")
        numbers = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1())
        if "d" in jwk:
            d = int.from_bytes(b64url_bytes(jwk["d"], "d"), "big")
            return "private", _pkcs8(ec.EllipticCurvePrivateNumbers(d, numbers).private_key())
        return "public", numbers.public_key().public_bytes(*_PUBLIC_DER)
    except ValueError as exc:
        raise WebCryptoError("DataError", f"the {name} jwk is not a valid key: {exc}") from None


def _pkcs8(private: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _check_asymmetric(name: str, kind: str, material: bytes) -> None:
    """Parse the DER once so that a wrong key type fails at import, as WebCrypto's DataError."""
    key = load_private(name, material) if kind == "private" else load_public(name, material)
    del key


def _algorithm_arg(args: dict[str, Any]) -> dict[str, Any]:
    """WebCrypto takes an algorithm as an object or as its bare name: always the object here."""
    algorithm = args.get("algorithm")
    return algorithm if isinstance(algorithm, dict) else {"name": algorithm}


def import_key(args: dict[str, Any]) -> dict[str, Any]:
    fmt = args.get("format")
    algorithm = _algorithm_arg(args)
    name = name_of(algorithm, ("HMAC", "AES-GCM", "ECDSA", "Ed25519"), "importKey")
    data = args.get("keyData")
    if fmt == "jwk":
        kind, material = _from_jwk(name, data, algorithm)
    elif fmt == "raw":
        raw = bytes_arg(data, "keyData")
        if name in ("HMAC", "AES-GCM"):
            kind, material = "secret", raw
        else:
            kind, material = "public", _public_from_raw(name, raw)
    elif fmt in ("spki", "pkcs8"):
        if name in ("HMAC", "AES-GCM"):
            raise WebCryptoError("NotSupportedError", f"{name} keys cannot be imported as {fmt}")
        kind, material = ("public" if fmt == "spki" else "private"), bytes_arg(data, "keyData")
        _check_asymmetric(name, kind, material)
    else:
        raise WebCryptoError("NotSupportedError", f"key format {fmt!r} is not supported (raw, jwk, spki, pkcs8)")
    if kind == "secret":
        normalized = _secret_algorithm(name, algorithm, material)
    elif name == "ECDSA":
        _curve(algorithm)
        normalized = {"name": "ECDSA", "namedCurve": "P-256"}
    else:
        normalized = {"name": "Ed25519"}
    return _key(kind, normalized, material, _usages(name, kind, args.get("keyUsages")))


def _public_from_raw(name: str, raw: bytes) -> bytes:
    try:
        if name == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(raw).public_bytes(*_PUBLIC_DER)
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw).public_bytes(*_PUBLIC_DER)
    except ValueError as exc:
        raise WebCryptoError("DataError", f"the raw {name} public key is not valid: {exc}") from None


def generate_key(args: dict[str, Any]) -> dict[str, Any]:
    algorithm = _algorithm_arg(args)
    name = name_of(algorithm, ("HMAC", "AES-GCM", "ECDSA", "Ed25519"), "generateKey")
    usages = args.get("keyUsages")
    if name in ("HMAC", "AES-GCM"):
        if name == "HMAC":
            bits = algorithm.get("length", _HASH_BITS[hash_name(algorithm.get("hash"))])
        else:
            bits = algorithm.get("length")
            if bits not in (128, 192, 256):
                raise WebCryptoError("OperationError", f"AES-GCM length must be 128, 192 or 256, not {bits!r}")
        if not isinstance(bits, int) or bits <= 0 or bits % 8:
            raise WebCryptoError("OperationError", f"HMAC length must be a positive multiple of 8, not {bits!r}")
        raw = os.urandom(bits // 8)
        return _key("secret", _secret_algorithm(name, algorithm, raw), raw, _usages(name, "secret", usages))
    if not isinstance(usages, list):
        raise WebCryptoError("TypeError", "keyUsages must be an array of strings")
    if name == "ECDSA":
        _curve(algorithm)
        private: Any = ec.generate_private_key(ec.SECP256R1())
        normalized: dict[str, Any] = {"name": "ECDSA", "namedCurve": "P-256"}
    else:
        private = ed25519.Ed25519PrivateKey.generate()
        normalized = {"name": "Ed25519"}
    public_usages = _usages(name, "public", [u for u in usages if u == "verify"])
    private_usages = _usages(name, "private", [u for u in usages if u != "verify"])
    return {
        "publicKey": _key("public", normalized, private.public_key().public_bytes(*_PUBLIC_DER), public_usages),
        "privateKey": _key("private", normalized, _pkcs8(private), private_usages),
    }


def secret_bytes(key: dict[str, Any]) -> bytes:
    return base64.b64decode(str(key.get("material", "")))


def load_private(name: str, material: bytes) -> Any:
    wanted = ed25519.Ed25519PrivateKey if name == "Ed25519" else ec.EllipticCurvePrivateKey
    try:
        key = serialization.load_der_private_key(material, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise WebCryptoError("DataError", f"the pkcs8 data is not a valid private key: {exc}") from None
    if not isinstance(key, wanted) or (
        name == "ECDSA" and isinstance(key, ec.EllipticCurvePrivateKey) and not isinstance(key.curve, ec.SECP256R1)
    ):
        raise WebCryptoError("DataError", f"the pkcs8 data is not a {name} private key")
    return key


def load_public(name: str, material: bytes) -> Any:
    wanted = ed25519.Ed25519PublicKey if name == "Ed25519" else ec.EllipticCurvePublicKey
    try:
        key = serialization.load_der_public_key(material)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise WebCryptoError("DataError", f"the spki data is not a valid public key: {exc}") from None
    if not isinstance(key, wanted) or (
        name == "ECDSA" and isinstance(key, ec.EllipticCurvePublicKey) and not isinstance(key.curve, ec.SECP256R1)
    ):
        raise WebCryptoError("DataError", f"the spki data is not a {name} public key")
    return key


def export_key(fmt: Any, key: dict[str, Any]) -> Any:
    """The key in `fmt`: base64 of the bytes, or a JWK object."""
    kind, algorithm = key.get("type"), key.get("algorithm") or {}
    name = str(algorithm.get("name"))
    material = secret_bytes(key)
    if kind == "secret":
        if fmt == "raw":
            return base64.b64encode(material).decode()
        if fmt == "jwk":
            alg = _JWK_HMAC[algorithm["hash"]["name"]] if name == "HMAC" else f"A{len(material) * 8}GCM"
            return {"kty": "oct", "k": b64url(material), "alg": alg, "ext": True, "key_ops": key.get("usages", [])}
        raise WebCryptoError("NotSupportedError", f"a {name} key cannot be exported as {fmt!r} (raw or jwk)")
    if fmt == ("spki" if kind == "public" else "pkcs8"):
        return base64.b64encode(material).decode()
    if fmt == "raw" and kind == "public":
        public = load_public(name, material)
        if name == "Ed25519":
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        else:
            raw = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return base64.b64encode(raw).decode()
    if fmt == "jwk":
        return _to_jwk(name, kind, material, key.get("usages", []))
    raise WebCryptoError("InvalidAccessError", f"a {name} {kind} key cannot be exported as {fmt!r}")


def _to_jwk(name: str, kind: Any, material: bytes, usages: list[str]) -> dict[str, Any]:
    private = load_private(name, material) if kind == "private" else None
    public = private.public_key() if private is not None else load_public(name, material)
    if name == "Ed25519":
        jwk: dict[str, Any] = {"kty": "OKP", "crv": "Ed25519"}
        jwk["x"] = b64url(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
        if private is not None:
            raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
            jwk["d"] = b64url(raw)
    else:
        numbers = public.public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}
        if private is not None:
            jwk["d"] = b64url(private.private_numbers().private_value.to_bytes(32, "big"))
    jwk.update({"ext": True, "key_ops": usages})
    return jwk
