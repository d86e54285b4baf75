"""Threshold ECDSA figures: presignatures per second (all parties in one process), the agreement
certificate (2t+1 signed accepts, checked), share signing, and combine-and-verify time.
Run: python benchmarks/crypto_ecdsa.py [--batch B] [--rounds R]"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
from collections import deque

from runtime.crypto import shamir, vss
from runtime.crypto.agreement import Accept, Certificate
from runtime.crypto.ecdsa import check_presignature_use, combine_signature_shares, sign_share
from runtime.crypto.identity import PartyKeys, PeerDirectory
from runtime.crypto.group import threshold_for
from runtime.crypto.hd import derive_key, derive_secret_share
from runtime.crypto.presign import PresignParty
from runtime.crypto.presignature import Presignature
from runtime.crypto.protocol import Message
from runtime.crypto.secp256k1 import ORDER, SECP256K1 as G

ROOT_KEYS = 10  # as Lit


def presign(n: int, batch: int) -> list[list[Presignature]]:
    """One run among n parties, messages JSON round-tripped as on the wire; shares unencrypted."""
    t = threshold_for(n)
    committee = list(range(1, n + 1))
    keys = {i: PartyKeys.generate() for i in committee}
    peers = PeerDirectory({i: k.public for i, k in keys.items()})
    parties = {
        i: PresignParty(
            f"bench-{n}", i, committee, t, batch,
            seal=lambda _, b: b, open_=lambda _, b: b, identity=keys[i], peers=peers,
        )
        for i in committee
    }
    queue: deque[Message] = deque()
    for p in parties.values():
        queue.extend(p.start())
    while queue:
        wire = queue.popleft().to_json()
        m = Message.from_json(wire)
        for p in parties.values():
            if p.index != m.sender and m.recipient in (None, p.index):
                queue.extend(p.receive(Message.from_json(wire)))
    assert all(p.done for p in parties.values())
    return [list(g) for g in zip(*(p.results() for p in parties.values()))]


def bench(n: int, batch: int, rounds: int) -> None:
    t = threshold_for(n)
    start = time.perf_counter()
    pool = presign(n, batch)
    elapsed = time.perf_counter() - start
    print(f"n={n:2d} t={t}: {batch} presignatures in {elapsed:.2f} s -> {batch / elapsed:.1f} presignatures/s")

    roots = [shamir.random_polynomial(t, ORDER) for _ in range(ROOT_KEYS)]
    key_id = secrets.token_bytes(32)
    key = derive_key(key_id, [vss.feldman_commit(G, r) for r in roots])
    x = {i: derive_secret_share(key_id, [shamir.evaluate(r, i, ORDER) for r in roots]) for i in range(1, n + 1)}
    identities = {i: PartyKeys.generate() for i in range(1, n + 1)}
    directory = PeerDirectory({i: k.public for i, k in identities.items()})
    sign_times, combine_times, cert_times = [], [], []
    for presigs in pool[:rounds]:
        msg = secrets.token_bytes(32)
        record = check_presignature_use(None, msg, key.public_key)
        signers = presigs[: 2 * t + 1]
        a0 = time.perf_counter()  # every signer's accept, then one member's check of the certificate
        accepts = [Accept.make(identities[p.index], p.public, record, "bench", p.index, secrets.token_bytes(32)) for p in signers]
        certificate = Certificate(tuple(accepts))
        certificate.check(presigs[0].public, directory)
        cert_times.append(time.perf_counter() - a0)
        shares = []
        for p in signers:
            s0 = time.perf_counter()
            shares.append(sign_share(p, key, x[p.index], msg, recorded_use=record, certificate=certificate))
            sign_times.append(time.perf_counter() - s0)
        delta = certificate.rerandomizer(G.encode(key.public_key), msg)
        c0 = time.perf_counter()
        combine_signature_shares(presigs[0].public, key, msg, shares, delta)
        combine_times.append(time.perf_counter() - c0)
    print(
        f"       {2 * t + 1} accepts made + certificate checked {statistics.median(cert_times) * 1e3:.2f} ms; "
        f"sign one share {statistics.median(sign_times) * 1e3:.2f} ms; "
        f"combine+verify {2 * t + 1} shares {statistics.median(combine_times) * 1e3:.2f} ms (median of {len(combine_times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    for n in (4, 10):
        bench(n, args.batch, min(args.rounds, args.batch))


if __name__ == "__main__":
    main()
