"""H3 (security review), the node's part, without a network: every Lit.Actions host call draws on a
budget, a child action gets only what is left of its caller's, a node admits a bounded number of
executions (refusing the rest with a retryable 429, and keeping a slot for clients other than a
flooding one), and its action-code cache is bounded in bytes.

Each attack first ran against the code before the fix (a worktree of 419229d): 50 calls of
checkConditions, encrypt, the decrypt calls and the other uncounted operations all reached the host;
a child got a fresh budget; the code cache held every action it fetched.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from node.config import ExecutionCaps
from node.errors import BadRequest, TooBusy
from node.host import RequestBudget
from node.service import ExecutionSlots
from runtime.ipfs import BlockStore
from runtime.ipfs.http_runner import serve
from sandbox import HOST_OPS, Host, HostError, Limits, OpContext, execute
from tests.security.nodes import node_config, node_service

SMALL = Limits(timeout_ms=10_000, max_fetches=3, max_signatures=3, max_contract_calls=3)
FLOOD = 50

# Which budget every Lit.Actions host call draws on; a new operation must be placed here too.
EXPECTED_BUDGET = {
    **dict.fromkeys(
        ["signEcdsa", "sign", "signAsAction", "ethPersonalSignMessageEcdsa", "signAndCombineEcdsa", "signAndCombine",
         "claimKey"],
        "signature_limit",
    ),
    **dict.fromkeys(
        ["callContract", "getLatestNonce", "isPermittedAction", "isPermittedAddress", "isPermittedAuthMethod",
         "getPermittedActions", "getPermittedAddresses", "getPermittedAuthMethods", "getPermittedAuthMethodScopes",
         "checkConditions", "decryptAndCombine", "decryptToSingleNode", "broadcastAndCollect", "call", "encrypt",
         "aesDecrypt", "getActionPublicKey", "verifyActionSignature", "getRpcUrl", "pubkeyToTokenId"],
        "contract_call_limit",
    ),
}


class EveryOpHost(Host):
    """Answers every Lit.Actions operation at once and counts the calls that reached it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()

    def operation(self, op: str) -> Any:
        if op not in HOST_OPS and op != "runOnce":
            return super().operation(op)

        async def answer(args: dict[str, Any], ctx: OpContext) -> Any:
            self.calls[op] += 1
            return {"isLeader": True} if op == "runOnce" else "ok"

        return answer


# The op's name comes from jsParams, so the action's text names none (pubkeyToTokenId would otherwise
# be computed inside the isolate).
FLOOD_CODE = f"""(async () => {{
  const calls = [];
  for (let i = 0; i < {FLOOD}; i++) calls.push(Lit.Actions[jsParams.op]({{ sigName: "s" + i, name: "n" + i }}).catch(() => {{}}));
  await Promise.all(calls);
  Lit.Actions.setResponse({{ response: "all answered" }});
}})();"""


def test_every_host_operation_has_a_budget() -> None:
    assert set(HOST_OPS) == set(EXPECTED_BUDGET)


@pytest.mark.parametrize("op", sorted(EXPECTED_BUDGET))
async def test_a_flood_of_any_operation_stops_at_its_budget(op: str) -> None:
    host = EveryOpHost()
    result = await execute(FLOOD_CODE, {"op": op}, host, SMALL)
    assert result.error is not None, f"{FLOOD} calls of {op} all ran"
    assert result.error.kind == EXPECTED_BUDGET[op]
    assert host.calls[op] <= 3


async def test_run_once_is_counted() -> None:
    code = f"""(async () => {{
      const runs = [];
      for (let i = 0; i < {FLOOD}; i++) runs.push(Lit.Actions.runOnce({{ waitForResponse: true, name: "r" + i }}, async () => "v"));
      await Promise.all(runs);
    }})();"""
    host = EveryOpHost()
    result = await execute(code, {}, host, SMALL)
    assert result.error is not None and result.error.kind == "contract_call_limit"
    assert host.calls["runOnce"] <= 3


# ---- a child action's budget -------------------------------------------------------------------


def test_a_child_gets_what_is_left_of_its_callers_budget() -> None:
    budget = RequestBudget(Limits(max_fetches=50, max_signatures=10, max_contract_calls=30, timeout_ms=30_000))
    for _ in range(20):
        budget.charge("fetch")
    budget.charge("signEcdsa")
    budget.charge("call")
    budget.charge("webcrypto")  # crypto.subtle's work draws on no budget
    child = budget.remaining()
    assert (child.max_fetches, child.max_signatures, child.max_contract_calls) == (30, 9, 29)
    assert 0 < child.timeout_ms <= 30_000


def test_a_spent_budget_refuses_the_next_call_from_parent_or_child() -> None:
    budget = RequestBudget(Limits(max_fetches=2))
    budget.charge("fetch")
    budget.charge("fetch")
    assert budget.remaining().max_fetches == 1  # Limits are positive; the charge below is what refuses
    with pytest.raises(HostError, match="more than 2 HTTP requests per session.*share it"):
        budget.charge("fetch")


async def test_a_child_cannot_start_after_the_request_time_is_spent() -> None:
    budget = RequestBudget(Limits(timeout_ms=50))
    await asyncio.sleep(0.1)
    with pytest.raises(HostError, match="maximum runtime of 50ms"):
        budget.remaining()


# ---- admission ---------------------------------------------------------------------------------


async def _hold(slots: ExecutionSlots, client: str, release: asyncio.Event, started: list[str]) -> None:
    async with slots.slot(client):
        started.append(client)
        await release.wait()


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_one_client_is_refused_past_its_share_and_another_still_runs() -> None:
    slots = ExecutionSlots(ExecutionCaps(running=4, queued=8, per_client=6), node=1)
    release, started = asyncio.Event(), []
    flood = [asyncio.create_task(_hold(slots, "attacker", release, started)) for _ in range(6)]
    await _settle()
    # The attacker runs 3 (one slot stays for somebody else) and queues 3.
    assert started.count("attacker") == 3 and slots.status() == {"running": 3, "queued": 3, "refused": 0}
    with pytest.raises(TooBusy, match=r"max_executions_per_client=6\); retry when one has finished"):
        async with slots.slot("attacker"):
            pass
    victim = asyncio.create_task(_hold(slots, "victim", release, started))
    await _settle()
    assert started[-1] == "victim"  # at once, while the attacker's queue waits
    release.set()
    await asyncio.gather(victim, *flood)
    assert slots.status() == {"running": 0, "queued": 0, "refused": 1}


async def test_a_full_node_refuses_with_a_retryable_error_naming_its_limits() -> None:
    slots = ExecutionSlots(ExecutionCaps(running=2, queued=2, per_client=4), node=3)
    release, started = asyncio.Event(), []
    tasks = [asyncio.create_task(_hold(slots, f"client{i}", release, started)) for i in range(4)]
    await _settle()
    with pytest.raises(TooBusy) as refused:
        async with slots.slot("late"):
            pass
    assert refused.value.status == 429
    assert str(refused.value) == (
        "node 3 is busy: 2 executions running and 2 queued "
        "(max_concurrent_executions=2, max_queued_executions=2); retry shortly"
    )
    release.set()
    await asyncio.gather(*tasks)


async def test_a_freed_slot_goes_to_the_client_running_fewest() -> None:
    slots = ExecutionSlots(ExecutionCaps(running=3, queued=10, per_client=10), node=1)
    release_a, release_b, started = asyncio.Event(), asyncio.Event(), []
    first = [asyncio.create_task(_hold(slots, "a", release_a, started)) for _ in range(2)]
    await _settle()
    other = asyncio.create_task(_hold(slots, "b", release_b, started))  # takes the kept slot
    await _settle()
    more_a = [asyncio.create_task(_hold(slots, "a", release_b, started)) for _ in range(3)]
    late_c = asyncio.create_task(_hold(slots, "c", release_b, started))  # arrives after a's three
    await _settle()
    assert started == ["a", "a", "b"]
    release_a.set()  # a's two finish: c (running none) goes before a's queue
    await _settle()
    assert started[3] == "c"
    release_b.set()
    await asyncio.gather(*first, other, *more_a, late_c)


async def test_a_request_that_goes_away_gives_its_place_back() -> None:
    slots = ExecutionSlots(ExecutionCaps(running=1, queued=2, per_client=3), node=1)
    release, started = asyncio.Event(), []
    running = asyncio.create_task(_hold(slots, "a", release, started))
    waiting = asyncio.create_task(_hold(slots, "a", release, started))
    await _settle()
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    assert slots.status() == {"running": 1, "queued": 0, "refused": 0}
    release.set()
    await running
    assert slots.status()["running"] == 0


# ---- the action-code cache -------------------------------------------------------------------


async def test_the_code_cache_is_bounded_in_bytes(tmp_path: Path) -> None:
    store = BlockStore(tmp_path / "ipfs")
    cids = [str(store.add_bytes(f"// action {i}\n{'x' * 1_000_000}".encode()).root) for i in range(6)]
    async with await serve(store, port=0) as ipfs:
        service = node_service(tmp_path, ["http://127.0.0.1:7001"], ipfs_gateways=[ipfs.url], code_cache_bytes=2_500_000)
        try:
            for cid in cids:
                _, code = await service.action_code(cid)
                assert code.startswith("// action")
                entries, size = service.code_cache_size
                assert size <= 2_500_000
            assert entries == 2
        finally:
            await service.close()


def test_admission_settings_are_checked_and_named(tmp_path: Path) -> None:
    config = node_config(tmp_path, ["http://127.0.0.1:7001"], max_concurrent_executions=2, max_queued_executions=0)
    assert config.execution_caps() == ExecutionCaps(running=2, queued=0, per_client=1)
    for setting, value in (("max_concurrent_executions", 0), ("max_executions_per_client", "8"), ("code_cache_bytes", -1)):
        bad = node_config(tmp_path / setting, ["http://127.0.0.1:7001"], **{setting: value})
        with pytest.raises(BadRequest, match=f"{setting} must be a positive integer, got {value!r}"):
            bad.execution_caps()
            bad.code_cache_limit()
