"""Evaluating parsed conditions for one user against EVM chains.

And/or, as lit-peer `access_control/mod.rs::check_condition_group` folds them: strictly left to
right with no precedence, so `a or b and c` is `(a or b) and c`; a nested list is evaluated on
its own and stands as one value. Lit evaluates every condition and then folds; we stop reading
once the fold is decided (`false and …`, `true or …`), which gives the same answer with fewer
chain reads, and report the conditions not read as skipped. In `accessControlConditions` with
no operator anywhere the top-level items are joined by "and" (Lit's legacy form).

Before any chain read every condition is planned again, every chain it reads must be
configured (a chain it only names may be any chain Lit knows: runtime.access.lit_chains), and
the number of reads the tree could need must be within `max_chain_calls`; otherwise
ConditionError names the place. What counts as "not met" and what raises
ChainReadFailed is said in runtime.access._reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..chain.rpc import ChainRpc
from ._checks import Check, plan
from ._fields import parse_address
from ._model import Group, Item, Operator, check_kind, has_operator
from ._reads import Caller, run_check
from .errors import ConditionError
from .lit_chains import LIT_CHAINS

__all__ = ["ConditionResult", "Evaluation", "check_chains", "evaluate", "DEFAULT_MAX_CHAIN_CALLS"]

DEFAULT_MAX_CHAIN_CALLS = 30  # Lit's limit on contract calls in one action


@dataclass(frozen=True)
class ConditionResult:
    path: str
    met: bool | None  # None: not read, the operators had already decided
    description: str


@dataclass(frozen=True)
class Evaluation:
    ok: bool
    failed: str | None  # the conditions that made the answer "no", "; "-joined
    results: tuple[ConditionResult, ...]  # one per condition, in request order
    chain_calls: int


def check_chains(checks: Iterable[Check], configured: Iterable[str]) -> None:
    """ConditionError unless each planned condition's chain is one of `configured`, or the condition
    reads no chain and names one Lit knows (see lit_chains). Nodes call it before evaluating; the
    client before encrypting, so nothing is sealed that no node would open."""
    names = set(configured)
    for check in checks:
        if check.chain in names or (check.chain_reads == 0 and check.chain in LIT_CHAINS):
            continue
        raise ConditionError(
            f"{check.path}.chain",
            f"chain {check.chain!r} is not configured on this node; configured: {sorted(names)}"
            + ("" if check.chain_reads else " (a condition that reads no chain may also name any chain Lit knows)"),
        )


async def evaluate(
    kind: str,
    parsed: Group,
    user_address: str,
    chains: ChainRpc,
    *,
    max_chain_calls: int = DEFAULT_MAX_CHAIN_CALLS,
    current_action_ipfs_id: str | None = None,
) -> Evaluation:
    """Whether `user_address` meets `parsed` (conditions of request field `kind`).

    `current_action_ipfs_id` is what `:currentActionIpfsId` stands for ("" when None, as Lit).
    """
    check_kind(kind, parsed)
    caller = Caller(parse_address(user_address, "user_address"), current_action_ipfs_id)
    checks = {c.path: plan(c) for c in parsed.conditions()}
    check_chains(checks.values(), chains.chains)
    needed = sum(check.chain_reads for check in checks.values())
    if needed > max_chain_calls:
        raise ConditionError(
            kind, f"the conditions need up to {needed} chain reads; at most {max_chain_calls} are allowed"
        )
    run = _Run(checks, chains, caller)
    implicit_and = kind == "accessControlConditions" and not has_operator(parsed)
    ok, blame = await run.group(parsed, implicit_and)
    results = tuple(run.results.get(path, ConditionResult(path, None, f"{path}: not read")) for path in checks)
    failed = None if ok else "; ".join(r.description for r in blame)
    return Evaluation(ok, failed, results, run.calls)


class _Run:
    def __init__(self, checks: dict[str, Check], chains: ChainRpc, caller: Caller) -> None:
        self.checks = checks
        self.chains = chains
        self.caller = caller
        self.results: dict[str, ConditionResult] = {}
        self.calls = 0

    async def group(self, group: Group, implicit_and: bool = False) -> tuple[bool, list[ConditionResult]]:
        """The group's value and, when false, the conditions that made it false."""
        value: bool | None = None
        blame: list[ConditionResult] = []
        op = "and" if implicit_and else None
        for item in group.items:
            if isinstance(item, Operator):
                op = item.operator
                continue
            if value is None:
                value, blame = await self.item(item)
            elif (op == "and") != value:  # false and x = false; true or x = true: x is not read
                continue
            elif op == "and":
                value, blame = await self.item(item)
            else:
                value, more = await self.item(item)
                blame = [] if value else blame + more
        assert value is not None  # parsing refuses empty groups
        return value, blame

    async def item(self, item: Item) -> tuple[bool, list[ConditionResult]]:
        if isinstance(item, Group):
            return await self.group(item)
        check = self.checks[item.path]
        self.calls += check.chain_reads
        outcome = await run_check(check, self.chains, self.caller)
        result = ConditionResult(item.path, outcome.met, outcome.description)
        self.results[item.path] = result
        return outcome.met, ([] if outcome.met else [result])
