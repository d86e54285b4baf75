"""Known answers and verifiers without litrt: py_ecc (BLS12-381, RFC 9380), coincurve (secp256k1)
and OpenSSL through `cryptography` (P-256).

Imports nothing from `runtime/`, so the values it gives are an oracle for the code under test,
not a mirror of it. `python3 tests/vectors/independent.py` prints the pinned values that
tests/crypto/test_ibe.py and tests/vectors/hd_k256.json hold, and re-derives every entry of
tests/vectors/bls_sign.json (exit status 1 if one differs).

The IBE construction is blsful's TimeCryptCiphertext as @lit-protocol/wasm uses it (U = r·G1,
V = α ⊕ SHA-256(e(r·PK, H(id))), W = SHAKE-128(α) ⊕ (uleb128(len) ‖ M ‖ zero pad to 32), with
r = HKDF-SHA-256(α ‖ SHA-256(M) ‖ 0x00) mod q). tests/crypto/test_ibe.py also has the wasm open it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from pathlib import Path

from coincurve import PublicKey
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from py_ecc.bls.hash import expand_message_xmd
from py_ecc.bls import G2ProofOfPossession
from py_ecc.bls.hash_to_curve import hash_to_G1, hash_to_G2
from py_ecc.bls.point_compression import compress_G1
from py_ecc.optimized_bls12_381 import G1, curve_order, multiply, normalize, pairing

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HD_DST = b"LIT_HD_KEY_ID_K256_XMD:SHA-256_SSWU_RO_NUL_"
BLS_SIG_DST = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
IBE_SALT = b"TIMELOCK_BLS12381_XOF:HKDF-SHA2-256_"

# The IBE known answer of tests/crypto/test_ibe.py: secret key, message, FO nonce α, identity.
IBE_KAT_SECRET_KEY = 99
IBE_KAT_MESSAGE = b"kat"
IBE_KAT_ALPHA = bytes(range(32))
IBE_KAT_IDENTITY = (
    "lit-accesscontrolcondition://"
    + hashlib.sha256(b"[conditions]").hexdigest()
    + "/"
    + hashlib.sha256(b"data").hexdigest()
).encode()


# -- HD key derivation (secp256k1) --------------------------------------------------------------


def hd_scalar(key_id: bytes) -> int:
    """d = OS2IP(expand_message_xmd(key_id, DST, 48)) mod n: RFC 9380 hash_to_field, count 1, L 48."""
    return int.from_bytes(expand_message_xmd(key_id, HD_DST, 48, hashlib.sha256), "big") % SECP256K1_N


def hd_derive(key_id: bytes, root_keys_hex: list[str]) -> str:
    """Σ d^j·P_j (j from 0) with coincurve, uncompressed hex: Lit's derivation from the root keys."""
    d = hd_scalar(key_id)
    terms = []
    power = 1
    for key in root_keys_hex:
        terms.append(PublicKey(bytes.fromhex(key)).multiply(power.to_bytes(32, "big")))
        power = power * d % SECP256K1_N
    return PublicKey.combine_keys(terms).format(compressed=False).hex()


# -- IBE (BLS12-381) ----------------------------------------------------------------------------


def k256_frost_verifies(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """FROST(secp256k1, SHA-256) verification (RFC 9591 §6.5) without litrt: c = H2(R ‖ P ‖ m) by
    RFC 9380's hash_to_field over py_ecc's expand_message_xmd, then z·G == R + c·P by libsecp256k1."""
    r_point, z = signature[:33], signature[33:]
    xmd = expand_message_xmd(r_point + public_key + message, b"FROST-secp256k1-SHA256-v1chal", 48, hashlib.sha256)
    c = int.from_bytes(xmd, "big") % SECP256K1_N
    left = PublicKey.from_secret(z)
    right = PublicKey.combine_keys([PublicKey(r_point), PublicKey(public_key).multiply(c.to_bytes(32, "big"))])
    return left.format() == right.format()


def p256_verifies(public_key: bytes, digest: bytes, r: int, s: int) -> bool:
    """ECDSA over P-256 checked by OpenSSL (through `cryptography`), `digest` the SHA-256 prehash."""
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
    try:
        key.verify(encode_dss_signature(r, s), digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        return False
    return True


def _hkdf_sha256(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block = b"", b""
    for counter in range(1, -(-length // 32) + 1):
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
    return out[:length]


def _gt_bytes(k: object) -> bytes:
    """py_ecc's Fp12 is Fp[w]/(w^12 - 2w^6 + 2); bls12_381_plus writes the tower Fp2[u]/(u^2+1),
    v^3 = u+1, w^2 = v, as c0.c0.c0 … c1.c2.c1 (x then y of each Fp2), 48 bytes big-endian each.
    With u = w^6 - 1, the coefficient x + y·u of v^j·w^i sits at w^(2j+i) (x - y) and w^(2j+i+6) (y)."""
    coeffs = [int(c) for c in k.coeffs]  # type: ignore[attr-defined]
    p = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
    out = b""
    for i in range(2):
        for j in range(3):
            e = 2 * j + i
            y = coeffs[e + 6] % p
            x = (coeffs[e] + y) % p
            out += x.to_bytes(48, "big") + y.to_bytes(48, "big")
    return out


def _uleb128(n: int) -> bytes:
    # Written here, not imported: this module must not lean on runtime/ for any step.
    groups = []
    while n >= 0x80:
        groups.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes([*groups, n])


def ibe_seal(secret_key: int, message: bytes, identity: bytes, alpha: bytes) -> bytes:
    """The ciphertext bytes U ‖ V ‖ uleb128(|W|) ‖ W ‖ uleb128(2) for PK = sk·G1 and nonce α."""
    okm = _hkdf_sha256(IBE_SALT, alpha + hashlib.sha256(message).digest() + b"\x00", b"\x00\x30", 48)
    r = int.from_bytes(okm, "big") % curve_order
    pk = multiply(G1, secret_key)
    # py_ecc's pairing is e; bls12_381_plus (so the wasm) and arkworks give e^-3: py_ecc runs the
    # Miller loop on |x| although BLS12-381's x is negative (inverse), and their final
    # exponentiation yields the cube. Found by comparing the two; the wasm opening the result
    # (tests/crypto/test_ibe.py) is what shows this is Lit's value.
    k = pairing(hash_to_G2(identity, BLS_SIG_DST, hashlib.sha256), multiply(pk, r)).inv() ** 3
    mask = hashlib.sha256(_gt_bytes(k)).digest()
    v = bytes(a ^ b for a, b in zip(alpha, mask))
    block = _uleb128(len(message)) + message
    block += bytes(max(0, 32 - len(block)))
    w = bytes(a ^ b for a, b in zip(block, hashlib.shake_128(alpha).digest(len(block))))
    u = compress_G1(multiply(G1, r)).to_bytes(48, "big")
    return u + v + _uleb128(len(w)) + w + _uleb128(2)


def bls_sign_entry(sk: int, msg: bytes) -> dict[str, str]:
    """One entry of bls_sign.json: py_ecc's POP ciphersuite SkToPk, Sign and PopProve."""
    pop = G2ProofOfPossession
    return {
        "sk": f"{sk:064x}",
        "msg": msg.hex(),
        "pk": pop.SkToPk(sk).hex(),
        "sig": pop.Sign(sk, msg).hex(),
        "pop": pop.PopProve(sk).hex(),
    }


def hash_to_g1_entry(msg: bytes, dst: bytes) -> dict[str, str]:
    """One hash_to_g1 entry of bls_sign.json: RFC 9380 hash_to_curve to G1, affine x and y."""
    x, y = normalize(hash_to_G1(msg, dst, hashlib.sha256))
    return {"dst": dst.decode(), "msg": msg.hex(), "x": f"{int(x):096x}", "y": f"{int(y):096x}"}


def check_bls_sign_file() -> bool:
    stored = json.loads((Path(__file__).parent / "bls_sign.json").read_text())
    ok = True
    for entry in stored["signatures"]:
        ok &= bls_sign_entry(int(entry["sk"], 16), bytes.fromhex(entry["msg"])) == entry
    for entry in stored["hash_to_g1"]:
        ok &= hash_to_g1_entry(bytes.fromhex(entry["msg"]), entry["dst"].encode()) == entry
    return ok


def main() -> None:
    ct = ibe_seal(IBE_KAT_SECRET_KEY, IBE_KAT_MESSAGE, IBE_KAT_IDENTITY, IBE_KAT_ALPHA)
    print("ibe known answer ciphertext:", ct.hex())
    vectors = json.loads((Path(__file__).parent / "hd_k256.json").read_text())
    for case in vectors["cases"]:
        key_id = bytes.fromhex(case["key_id"])
        print("hd", case["key_id"][:16], f"d={hd_scalar(key_id):064x}", "derived=" + hd_derive(key_id, case["root_keys"]))
    matches = check_bls_sign_file()
    print("bls_sign.json re-derived by py_ecc:", "matches" if matches else "DIFFERS")
    sys.exit(0 if matches else 1)


if __name__ == "__main__":
    main()
