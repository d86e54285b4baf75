"""`Lit.Actions.aesDecrypt`: AES-256-CBC with the IV before the ciphertext, as Lit's older SDKs encrypted.

lit-peer `lit-node/src/functions/aes.rs::aes_decrypt` (libaes 0.7): the key must be 32 bytes; the
first 16 bytes of `ciphertext` are the IV and the rest is AES-256-CBC with PKCS#7 padding; the
answer is the plaintext's bytes as lower-case hex without 0x (`bytes_to_hex`), not text.

CBC is not authenticated. libaes strips as many bytes as the last one says without checking them,
so in Lit a wrong key or an altered ciphertext gives garbage (or "") rather than an error. Here the
padding is checked (pyca's PKCS7 unpadder) and a bad one is an error, which catches most wrong keys
and most changes to the last block; a change elsewhere (say to the IV, which flips the same bits
of the first plaintext block) still decrypts to altered plaintext without complaint, as in Lit. A
body that is not whole blocks is an error too (libaes answers "" for it).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["AesDecryptError", "aes_decrypt", "KEY_BYTES", "IV_BYTES"]

KEY_BYTES = 32
IV_BYTES = 16
_BLOCK_BITS = 128


class AesDecryptError(ValueError):
    """What was wrong with the key or the ciphertext; the message names it."""


def aes_decrypt(key: bytes, ciphertext_with_iv: bytes) -> bytes:
    """The plaintext of `ciphertext_with_iv` (IV then AES-256-CBC body) under `key`."""
    if len(key) != KEY_BYTES:
        raise AesDecryptError(f"symmetricKey must be {KEY_BYTES} bytes (AES-256), got {len(key)}")
    if len(ciphertext_with_iv) < IV_BYTES:
        raise AesDecryptError(
            f"ciphertext is too short: {len(ciphertext_with_iv)} bytes, it starts with a {IV_BYTES}-byte IV"
        )
    iv, body = ciphertext_with_iv[:IV_BYTES], ciphertext_with_iv[IV_BYTES:]
    if not body or len(body) % (_BLOCK_BITS // 8):
        raise AesDecryptError(
            f"ciphertext after the {IV_BYTES}-byte IV must be a non-empty whole number of 16-byte blocks, "
            f"got {len(body)} bytes"
        )
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(body) + decryptor.finalize()
    unpadder = padding.PKCS7(_BLOCK_BITS).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise AesDecryptError(
            "decryption failed: the PKCS#7 padding is invalid (a wrong symmetricKey, or an altered ciphertext)"
        ) from None
