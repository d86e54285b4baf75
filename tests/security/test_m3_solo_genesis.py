"""M3: a node that misses genesis, or runs it alone, ends without a key and says why.

Before the fix a late node closed every phase on its deadline with nobody else in it and finished
with QUAL = {itself}: a "network key" it knew entirely. Now a DKG needs at least 2t + 1 qualified
dealers (never only itself when n > 1) and n − t matching confirmations before it yields a key.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import urllib.error
import urllib.request

import pytest

from node.genesis import NeedsResharing, network_keys
from runtime.crypto.dkg import SCHEDULE, DkgConfig, DkgParty
from runtime.crypto.dkg_result import DkgIncomplete
from runtime.crypto.identity import PeerDirectory
from runtime.crypto.secp256k1 import SECP256K1
from runtime.network.launcher import stop_network
from runtime.network.processes import python_cmd, read_pids, spawn, wait_http
from tests.crypto.conftest import identities
from tests.crypto.harness import Harness

G = SECP256K1


def _parties(session: str, n: int, keys: int = 1) -> list[DkgParty]:
    config = DkgConfig.for_network(session, n, keys=keys)
    ids = identities(n)
    directory = PeerDirectory.of(ids)
    return [DkgParty(G, config, i, ids[i], directory, random.Random(f"m3/{session}/{i}").randbytes) for i in range(1, n + 1)]


def _run_alone(party: DkgParty) -> None:
    party.start()
    for _ in range(len(SCHEDULE) + 1):
        if party.done:
            break
        party.advance()
    assert party.done


def test_a_node_running_genesis_alone_gets_no_key():
    late = _parties("genesis-ecdsa", 4)[2]  # poc_dkg part 1
    _run_alone(late)
    assert late.result is None
    with pytest.raises(DkgIncomplete) as err:
        late.outcome()
    assert "qualified" in err.value.reason and "[3]" in err.value.reason
    assert "needs resharing" in str(err.value) or "reshare" in str(err.value)


def test_a_node_starting_after_its_peers_finished_gets_no_key():
    parties = _parties("late-start", 4)
    Harness(parties, schedule=SCHEDULE, absent={3}).run()
    assert {p.outcome().public_keys for p in parties if p.index != 3} and all(
        p.outcome().qualified == (1, 2, 4) for p in parties if p.index != 3
    )
    _run_alone(parties[2])  # it comes up now: every peer has moved on
    assert parties[2].result is None and isinstance(parties[2].failure, DkgIncomplete)


@pytest.mark.parametrize("n, absent, ok", [(4, {2, 4}, False), (7, {2, 5}, True), (7, {2, 5, 6}, False)])
def test_fewer_than_2t_plus_1_qualified_dealers_is_a_failure(n, absent, ok):
    parties = _parties(f"min-qual-{n}-{len(absent)}", n)
    Harness(parties, schedule=SCHEDULE, absent=absent).run()
    for p in parties:
        if p.index in absent:
            continue
        if ok:
            assert len(p.outcome().qualified) == n - len(absent)
        else:
            assert p.result is None
            assert isinstance(p.failure, DkgIncomplete)
            assert f"need at least {2 * p.config.t + 1}" in p.failure.reason


def test_genesis_turns_a_keyless_dkg_into_needs_resharing():
    ecdsa = _parties("genesis-ecdsa", 4)[0]
    bls = _parties("genesis-bls", 4)[0]
    _run_alone(ecdsa)
    _run_alone(bls)
    with pytest.raises(NeedsResharing) as err:
        network_keys(ecdsa, bls)
    assert "needs resharing" in str(err.value)
    assert err.value.sessions == ("genesis-ecdsa", "genesis-bls")


@pytest.mark.slow
def test_a_node_that_lost_its_keys_says_it_needs_resharing_and_serves_nothing(tmp_path, launcher) -> None:
    """On a real network: node 4 comes back without its key shares (a node that missed genesis is
    in the same place). Its peers already hold the keys, so it must not run a genesis of its own."""
    info = launcher(tmp_path / "net", 4)
    root = tmp_path / "net"
    try:
        victim = next(p for p in read_pids(root) if p.name == "node4")
        os.killpg(victim.pid, signal.SIGKILL)
        (root / "node4" / "sealed" / "network-keys.sealed").unlink()
        config = root / "node4" / "config.json"
        process = spawn(root, "node4", python_cmd("-m", "node", "serve", "--config", str(config)), victim.url)
        status = asyncio.run(wait_http(process, "/status", 60, ready=lambda s: s.get("needsResharing")))
        assert status["ready"] is False and status["network"] is None
        assert "needs resharing" in status["genesisError"]
        request = urllib.request.Request(victim.url + "/web/pkp/sign", b"{}", {"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request)
            raise AssertionError("a node without keys answered a signing request")
        except urllib.error.HTTPError as exc:
            assert exc.code in (400, 503)
        assert all(json.load(urllib.request.urlopen(u + "/status"))["ready"] for u in info.nodes[:3])
    finally:
        stop_network(root)
