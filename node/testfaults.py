"""Test-only faults: a node started with one lies on purpose, so a test can show the others outvote it.

A node takes a fault only when two things agree (tests review C1): its config names one of `Fault`,
and its command line carries ALLOW_TEST_FAULTS_FLAG. A config edit alone is refused at start-up
(`armed_fault`), so it cannot turn an honest node into a liar; a misspelt fault is refused by name
(`parse_fault`), so a test cannot rely on a liar that is in fact honest. A node running a fault logs
it at start and names it in /status (`testFault`).

The lies themselves are here too, one function each, so that an honest node's code paths hold a
single comparison with the fault and nothing else of it.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from enum import StrEnum

from runtime.crypto import bls_threshold, ecdsa
from runtime.crypto.bls import G2

from .errors import BadRequest

__all__ = [
    "ALLOW_TEST_FAULTS_FLAG",
    "Fault",
    "TEST_FAULTS",
    "armed_fault",
    "parse_fault",
    "wrong_bls_share",
    "wrong_signature_share",
    "stall",
]

# A flag and not an environment variable: it shows in the process list, and a variable exported once
# in a shell would reach every node started from it (the launcher passes its environment on).
ALLOW_TEST_FAULTS_FLAG = "--allow-test-faults"


class Fault(StrEnum):
    """A fault's name is its value in a node config's "fault" and in /status."""

    WRONG_SIGNATURE_SHARES = "wrong_signature_shares"
    WRONG_BLS_SHARES = "wrong_bls_shares"
    STALL_EXECUTE = "stall_execute"


TEST_FAULTS: dict[str, str] = {
    Fault.WRONG_SIGNATURE_SHARES.value: "adds 1 to every signature share it releases",
    Fault.WRONG_BLS_SHARES.value: "sends decryption and JWT shares that do not verify",
    Fault.STALL_EXECUTE.value: "does the work of /web/execute but holds the answer back, as a hung node would",
}

_STALL_S = 3600.0  # longer than any client waits, so the node is a hung one to its callers


def parse_fault(value: object) -> Fault | None:
    """A config's "fault": None for none; BadRequest naming an unknown value and the known faults."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in TEST_FAULTS:
        raise BadRequest(f"node config: unknown fault {value!r}; the known test faults are {', '.join(TEST_FAULTS)}")
    return Fault(value)


def armed_fault(fault: Fault | None, allow_test_faults: bool) -> Fault | None:
    """The fault a node is to run with; BadRequest when there is one but the switch was not given."""
    if fault is not None and not allow_test_faults:
        raise BadRequest(
            f"node config: fault {fault.value!r} is for tests only and is refused unless the node is "
            f"started with {ALLOW_TEST_FAULTS_FLAG}; remove \"fault\" from the config of a real node"
        )
    return fault


def wrong_signature_share(share: ecdsa.SignatureShare) -> ecdsa.SignatureShare:
    """Fault.WRONG_SIGNATURE_SHARES: the share with s off by one, which its DLEQ proof then betrays."""
    return replace(share, s=(share.s + 1) % share.group.order)


def wrong_bls_share(share: bls_threshold.SignatureShare) -> bls_threshold.SignatureShare:
    """Fault.WRONG_BLS_SHARES: the share moved by the G2 generator, so it fails the share check."""
    return bls_threshold.SignatureShare(share.index, G2.add(share.value, G2.generator()))


async def stall() -> None:
    """Fault.STALL_EXECUTE: hold the answer back, as a hung node would."""
    await asyncio.sleep(_STALL_S)
