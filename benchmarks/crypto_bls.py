"""BLS timings: combine-and-verify of threshold signature shares, IBE encrypt and decrypt.

Run: python benchmarks/crypto_bls.py. Prints the median of repeated runs; figures are for the
machine it runs on (no assertions anywhere depend on them).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from runtime.crypto import ibe
from runtime.crypto.bls_threshold import SignatureShare, combine, sign_share
from runtime.crypto.bls import G2
from runtime.testing.dealers import deal


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    message = b"benchmark message"
    for n in (4, 10):
        key_shares, key = deal(n)
        shares = [sign_share(i, x, message) for i, x in key_shares.items()]
        wire = [s.to_json() for s in shares]
        honest = _median_ms(lambda: combine(shares, key, message), 50)
        parsed = _median_ms(lambda: combine([SignatureShare.from_json(w) for w in wire], key, message), 50)
        bad = list(shares)
        bad[0] = SignatureShare(bad[0].index, G2.base_mul(7))
        one_bad = _median_ms(lambda: combine(bad, key, message), 20)
        print(
            f"n={n:<2} need={key.need:<2} combine+verify {n} shares: {honest:6.2f} ms"
            f" | incl. JSON parse+decode: {parsed:6.2f} ms | with 1 bad share: {one_bad:6.2f} ms"
        )
    key_shares, key = deal(10)
    identity = ibe.access_control_identity(b"\x01" * 32, b"\x02" * 32)
    dshares = [sign_share(i, x, identity) for i, x in key_shares.items()]
    for size in (32, 1024, 1 << 20):
        data = bytes(size)
        ct = ibe.encrypt(key.public_key, data, identity)
        decryption_key = combine(dshares, key, identity)
        enc = _median_ms(lambda: ibe.encrypt(key.public_key, data, identity), 20)
        dec = _median_ms(lambda: ibe.decrypt(ct, decryption_key), 20)
        full = _median_ms(lambda: ibe.decrypt_with_shares(ct, identity, dshares, key), 20)
        print(
            f"IBE {size:>8} B: encrypt {enc:6.2f} ms | decrypt (combined key) {dec:6.2f} ms"
            f" | verify 10 shares+combine+decrypt {full:6.2f} ms"
        )


if __name__ == "__main__":
    main()
