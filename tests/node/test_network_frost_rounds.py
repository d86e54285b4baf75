"""The nodes' FROST signing rounds (node/frost_signing.py) in one process: n = 4 and n = 7 nodes,
each with its own sealed nonce pool and request exchange, wired to each other in memory, over
key shares from a real DKG and HD-derived as PKPs are. Every signature is checked by a verifier
litrt did not write (PyNaCl, `cryptography`, libsecp256k1 via coincurve); liars are named and
outvoted, a node that is down is done without, and a package for another message gets no share."""

from __future__ import annotations

import asyncio
import copy
import random
from pathlib import Path
from typing import Any

import pytest
from coincurve import PublicKey, PublicKeyXOnly
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.signing import VerifyKey

from node.agreement import SignatureSlot, SigningRefused
from node.exchange import RequestExchange
from node.frost_nonces import open_nonce_pool
from node.frost_signing import FrostKey, FrostSigning
from node.sealed import SealedStore, load_or_create_key
from node.testfaults import Fault
from runtime.crypto.dkg import SCHEDULE, DkgConfig, DkgParty
from runtime.crypto.errors import VerificationFailed
from runtime.crypto.frost_suites import SCHNORR_K256_SHA256
from runtime.crypto.group import threshold_for
from runtime.crypto.hd import HdCurve, derive_key, derive_secret_share
from runtime.crypto.identity import PeerDirectory
from runtime.crypto.schemes import SCHEMES, Scheme
from runtime.crypto.share_payloads import combine_frost_payloads
from tests.crypto.conftest import identities
from tests.crypto.harness import Harness

FROST = [s for s in SCHEMES.values() if s.frost is not None]
KEY_ID = b"\x42" * 32


def _roots(curve: HdCurve, n: int) -> dict[int, Any]:
    """Two root keys of degree t by a real DKG among n parties: party -> its DkgResult."""
    keys = identities(n, seed=3)
    directory = PeerDirectory.of(keys)
    config = DkgConfig.for_network(f"roots-{curve.name}-{n}", n, keys=2)
    parties = [
        DkgParty(curve.group, config, i, keys[i], directory, randbytes=random.Random(f"{curve.name}/{i}").randbytes)
        for i in range(1, n + 1)
    ]
    Harness(parties, schedule=SCHEDULE).run()
    return {p.index: p.outcome() for p in parties}


_ROOTS: dict[tuple[str, int], dict[int, Any]] = {}


def _key(curve: HdCurve, n: int, index: int) -> FrostKey:
    if (curve.name, n) not in _ROOTS:
        _ROOTS[curve.name, n] = _roots(curve, n)
    result = _ROOTS[curve.name, n][index]
    commitments = [k.commitment_points(curve.group) for k in result.keys]
    return FrostKey(KEY_ID, derive_key(KEY_ID, commitments, curve), derive_secret_share(KEY_ID, [k.share for k in result.keys], curve))


class Network:
    """n nodes' FrostSigning, their exchanges delivering to each other; `down` nodes hear nothing."""

    def __init__(
        self,
        tmp: Path,
        n: int,
        faults: dict[int, Fault] | None = None,
        down: set[int] = frozenset(),
        equivocate: dict[int, set[int]] | None = None,
    ) -> None:
        """`equivocate`: sender -> the nodes it sends a wrong signature share (the others get its real one)."""
        self.n, self.t, self.down = n, threshold_for(n), set(down)
        self.equivocate = equivocate or {}
        self.exchanges: dict[int, RequestExchange] = {}
        self.signers: dict[int, FrostSigning] = {}
        tmp.mkdir(exist_ok=True)
        for i in range(1, n + 1):
            state, keys = tmp / f"node{i}", tmp / f"secrets{i}"
            state.mkdir(mode=0o700)
            keys.mkdir(mode=0o700)
            store = SealedStore(state / "sealed", load_or_create_key(keys / "seal.key"))
            pool = open_nonce_pool(i, str(state), str(keys / "seal.key"), store)
            pool.make_batch("ed25519", 8)
            pool.make_batch("secp256k1", 8)
            self.exchanges[i] = RequestExchange(i, self._broadcaster(i))
            self.signers[i] = FrostSigning(i, n, self.t, pool, self.exchanges[i], (faults or {}).get(i))

    def _broadcaster(self, sender: int):
        async def broadcast(path: str, payload: Any) -> dict[int, Any]:
            for j, exchange in self.exchanges.items():
                if j != sender and j not in self.down:
                    lie = j in self.equivocate.get(sender, ()) and payload["topic"].endswith(":share")
                    exchange.deliver(sender, {**payload, "value": _off_by_one(payload["value"])} if lie else payload)
            return {}

        return broadcast

    async def sign(self, scheme: Scheme, message: bytes, coordinator: int = 1, messages: dict[int, bytes] | None = None):
        slot = SignatureSlot(f"req-{random.random()}", "sig", coordinator)
        running = [i for i in range(1, self.n + 1) if i not in self.down]
        results = await asyncio.gather(
            *(self.signers[i].sign(slot, scheme, _key(scheme.hd, self.n, i), (messages or {}).get(i, message)) for i in running),
            return_exceptions=True,
        )
        return dict(zip(running, results))


def _off_by_one(share_hex: str) -> str:
    return (int(share_hex, 16) + 1).to_bytes(32, "big").hex()  # big or little endian: wrong either way


def _verify(scheme: Scheme, payload: dict[str, Any], message: bytes, n: int) -> None:
    public_key = bytes.fromhex(payload["publicKey"][2:])
    signature = bytes.fromhex(payload["signature"][2:])
    if scheme.name == "SchnorrEd25519Sha512":
        VerifyKey(public_key).verify(message, signature)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    elif scheme.name == "SchnorrK256Taproot":
        assert PublicKeyXOnly(public_key[1:]).verify(signature, message)
    else:  # z·G == R + c·PK in libsecp256k1's arithmetic; c is RFC 9591's H2 (pinned by its vectors)
        suite = SCHNORR_K256_SHA256
        c = suite.challenge(suite.decode_point(signature[:33]), suite.decode_point(public_key), message)
        right = PublicKey.combine_keys([PublicKey(signature[:33]), PublicKey(public_key).multiply(c.to_bytes(32, "big"))])
        assert PublicKey.from_secret(signature[33:]).format() == right.format()
    assert public_key == scheme.hd.group.encode(_key(scheme.hd, n, 1).public_key)  # the DKG's derived key


@pytest.mark.parametrize("scheme", FROST, ids=lambda s: s.name)
async def test_four_nodes_sign_and_every_node_holds_the_signature(tmp_path, scheme):
    net = Network(tmp_path, 4)
    message = b"\x07" * 32
    results = await net.sign(scheme, message, coordinator=3)
    assert all(isinstance(r, dict) for r in results.values()), results
    assert len({r["signature"] for r in results.values()}) == 1
    for payload in results.values():
        assert payload["badNodes"] == [] and payload["frost"]["attempt"] == 0
        _verify(scheme, payload, message, net.n)


@pytest.mark.parametrize("scheme", FROST, ids=lambda s: s.name)
async def test_a_liar_among_four_is_named_and_outvoted(tmp_path, scheme):
    net = Network(tmp_path, 4, faults={2: Fault.WRONG_SIGNATURE_SHARES})
    message = b"solana transfer"
    results = await net.sign(scheme, message)
    for index, payload in results.items():
        assert payload["badNodes"] == [2], (index, payload)
        assert payload["frost"]["attempt"] == 1 and [c["identifier"] for c in payload["frost"]["package"]["commitments"]] == [1, 3, 4]
        _verify(scheme, payload, message, net.n)


async def test_a_node_down_is_done_without(tmp_path):
    scheme = SCHEMES["SchnorrEd25519Sha512"]
    net = Network(tmp_path, 4, down={4})
    results = await net.sign(scheme, b"three of four")
    for payload in results.values():
        assert [c["identifier"] for c in payload["frost"]["package"]["commitments"]] == [1, 2, 3]
        _verify(scheme, payload, b"three of four", net.n)


@pytest.mark.parametrize("scheme", FROST, ids=lambda s: s.name)
async def test_seven_nodes_outvote_two_liars(tmp_path, scheme):
    net = Network(tmp_path, 7, faults={3: Fault.WRONG_SIGNATURE_SHARES, 6: Fault.WRONG_SIGNATURE_SHARES})
    message = b"\x01" * 32
    results = await net.sign(scheme, message, coordinator=5)
    for payload in results.values():
        assert payload["badNodes"] == [3, 6]
        assert [c["identifier"] for c in payload["frost"]["package"]["commitments"]] == [1, 2, 4, 5, 7]
        _verify(scheme, payload, message, net.n)


@pytest.mark.slow  # the coordinator's grace for the node that is down, the wait for relays of the liar's share
async def test_seven_nodes_with_one_down_and_one_liar(tmp_path):
    scheme = SCHEMES["SchnorrK256Taproot"]
    net = Network(tmp_path, 7, faults={2: Fault.WRONG_SIGNATURE_SHARES}, down={7})
    results = await net.sign(scheme, b"\x02" * 32)
    for payload in results.values():
        assert payload["badNodes"] == [2]
        assert len(payload["frost"]["package"]["commitments"]) == 5
        _verify(scheme, payload, b"\x02" * 32, net.n)


@pytest.mark.slow  # the others wait out the share deadline for node 4 before leaving it out
async def test_a_node_that_computed_another_message_releases_no_share(tmp_path):
    scheme = SCHEMES["SchnorrEd25519Sha512"]
    net = Network(tmp_path, 4)
    results = await net.sign(scheme, b"pay alice", messages={4: b"pay mallory"})
    assert isinstance(results[4], SigningRefused) and "another scheme, key or message" in str(results[4])
    for index in (1, 2, 3):  # node 4 committed but gave no share: left out, the others sign
        payload = results[index]
        assert payload["badNodes"] == [4] and payload["frost"]["attempt"] == 1
        _verify(scheme, payload, b"pay alice", net.n)


async def test_the_client_combines_the_payloads_and_names_a_node_that_lies_to_it(tmp_path):
    scheme = SCHEMES["SchnorrEd25519Sha512"]
    net = Network(tmp_path, 4)
    message = b"to the client"
    results = await net.sign(scheme, message)
    commitments = [k.commitment_points(scheme.hd.group) for k in _ROOTS[scheme.hd.name, 4][1].keys]
    roots = {scheme.key_type: commitments}
    combined = combine_frost_payloads("sig", results, roots, net.t)
    assert combined["signature"] == results[1]["signature"] and combined["badNodes"] == []
    VerifyKey(bytes.fromhex(combined["publicKey"][2:])).verify(message, bytes.fromhex(combined["signature"][2:]))

    # Node 2 sends the client a bad share of its own and a package for another message: it is
    # outvoted on the package, named for its share, and its honest share is taken from the others.
    liar = copy.deepcopy(results[2])
    liar["frost"]["shares"]["2"] = "00" * 31 + "01"
    liar["frost"]["package"]["message"] = b"to mallory".hex()
    combined = combine_frost_payloads("sig", {**results, 2: liar}, roots, net.t)
    assert combined["badNodes"] == [2] and combined["signature"] == results[1]["signature"]
    # With only t+1 payloads, one of them the liar's, no package has t+1 votes: nothing is signed.
    with pytest.raises(VerificationFailed, match="do not agree on the FROST signing package"):
        combine_frost_payloads("sig", {1: results[1], 2: liar}, roots, net.t)


@pytest.mark.slow  # each node that is down costs the coordinator's 1 s grace
async def test_any_three_of_four_sign(tmp_path):
    for down, scheme in zip((1, 2, 3, 4), [*FROST, FROST[0]]):
        net = Network(tmp_path / f"down{down}", 4, down={down})
        coordinator = 2 if down == 1 else 1
        results = await net.sign(scheme, b"any 2t+1", coordinator=coordinator)
        for payload in results.values():
            signers = [c["identifier"] for c in payload["frost"]["package"]["commitments"]]
            assert signers == [i for i in (1, 2, 3, 4) if i != down]
            _verify(scheme, payload, b"any 2t+1", net.n)


async def test_a_lying_coordinator_is_named_and_left_out_of_its_own_package(tmp_path):
    scheme = SCHEMES["SchnorrK256Taproot"]
    net = Network(tmp_path, 4, faults={2: Fault.WRONG_SIGNATURE_SHARES})
    results = await net.sign(scheme, b"\x09" * 32, coordinator=2)
    for payload in results.values():
        assert payload["badNodes"] == [2]
        assert [c["identifier"] for c in payload["frost"]["package"]["commitments"]] == [1, 3, 4]
        _verify(scheme, payload, b"\x09" * 32, net.n)


@pytest.mark.parametrize("scheme", FROST, ids=lambda s: s.name)
async def test_a_node_equivocating_its_share_cannot_split_the_honest_nodes(tmp_path, scheme):
    # Node 2 sends node 3 a wrong share and everyone else its real one: node 3 takes the real one
    # from the others' relays, so every node finishes the same signature in the first attempt.
    net = Network(tmp_path, 4, equivocate={2: {3}})
    results = await net.sign(scheme, b"\x05" * 32)
    assert len({r["signature"] for r in results.values()}) == 1
    for index, payload in results.items():
        assert payload["frost"]["attempt"] == 0
        assert payload["badNodes"] == ([2] if index == 3 else [])  # only the node it lied to can tell
        _verify(scheme, payload, b"\x05" * 32, net.n)
