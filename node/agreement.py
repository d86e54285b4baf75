"""The signing agreement over HTTP: which presignature a signature uses, and its certificate.

One node per request is its coordinator (named by the client, else derived from the request id, so
every node finds the same one). For each signature of the request (its `slot`: the sigName) the
coordinator assigns one presignature it initiated, the same to every node that asks, and runs the
pure `AgreementRound` on the accepts the members send it; each member's accept call waits for the
round's decision: a certificate (then the member may release its share) or a disagreement that
names the nodes. The coordinator is trusted for nothing but liveness: members check the certificate
themselves, and a lying coordinator can at worst make the request fail.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from runtime.crypto.agreement import Accept, AgreementRound, Certificate, Disagreement
from runtime.crypto.errors import CryptoError
from runtime.crypto.identity import PartyKeys, PeerDirectory
from runtime.crypto.presignature import PresignaturePublic
from runtime.crypto.secp256k1 import SECP256K1

from .errors import BadRequest, NodeError, NotReady
from .peer import PeerTransport
from .presign_pool import PresignPool

__all__ = [
    "SigningAgreement", "SigningRefused", "SignatureSlot", "ASSIGN_PATH", "ACCEPT_PATH", "MAX_SIG_NAME", "coordinator_for",
]

log = logging.getLogger(__name__)

ASSIGN_PATH = "/peer/sign/assign"
ACCEPT_PATH = "/peer/sign/accept"
AGREEMENT_TIMEOUT_S = 15.0  # from a presignature's assignment to its decision
_MAX_ROUNDS = 4096  # assignments remembered (a request id reused later gets the same answer)
MAX_SIG_NAME = 128
# A slot is a sigName, perhaps behind a curve prefix ("p256:", node/ecdsa_curves.py): room for one,
# so that the same sigNames work on every curve.
_MAX_SLOT = MAX_SIG_NAME + 8
_POOL_WAIT_S = 10.0  # an empty pool refills within seconds; a request waits that long at most


class SigningRefused(NodeError):
    """No share: the committee did not certify this node's message (names the nodes)."""

    status = 409
    code = "signing_not_agreed"


@dataclass(frozen=True)
class SignatureSlot:
    """Which signature of which request: the same triple at every node for the same signature."""

    request_id: str
    name: str  # the sigName inside an action, "pkp-sign" for a plain signing request
    coordinator: int


def coordinator_for(request_id: str, n: int, named: Any = None) -> int:
    """The node the client named, else one derived from the request id (the same at every node)."""
    if named is not None:
        if not isinstance(named, int) or isinstance(named, bool) or not 1 <= named <= n:
            raise BadRequest(f"coordinator must be a node index in 1..{n}")
        return named
    return int.from_bytes(hashlib.sha256(request_id.encode()).digest()[:8], "big") % n + 1


def _slot_key(request_id: Any, name: Any) -> tuple[str, str]:
    if not isinstance(request_id, str) or not request_id or len(request_id) > 256:
        raise BadRequest("requestId must be a non-empty string of at most 256 characters")
    if not isinstance(name, str) or not name or len(name) > _MAX_SLOT:
        raise BadRequest(f"slot must be a non-empty string of at most {_MAX_SLOT} characters")
    return request_id, name


class _Round:
    """A coordinator's round and the event that wakes the members' accept calls."""

    def __init__(self, presig: PresignaturePublic, directory: PeerDirectory, request_id: str) -> None:
        self.state = AgreementRound(presig, directory, request_id)
        self.decided = asyncio.Event()

    def settle(self) -> None:
        """Its deadline: decide on what arrived, and wake everyone waiting."""
        self.state.expire()
        self.decided.set()


class SigningAgreement:
    def __init__(self, index: int, identity: PartyKeys, directory: PeerDirectory, pool: PresignPool, transport: PeerTransport) -> None:
        self._index = index
        self._identity = identity
        self._directory = directory
        self._pool = pool
        self._transport = transport
        self._assigned: OrderedDict[tuple[str, str], str] = OrderedDict()  # (request id, slot) -> presignature id
        self._rounds: dict[str, _Round] = {}  # presignature id -> its round (coordinator side)

    # ---- member side ---------------------------------------------------------------------------

    async def assigned(self, slot: SignatureSlot) -> str:
        """The id of the presignature the coordinator assigned to this signature."""
        if slot.coordinator == self._index:
            return await self.assign(slot.request_id, slot.name)
        payload = {"requestId": slot.request_id, "slot": slot.name}
        try:
            answer = await self._transport.post(slot.coordinator, ASSIGN_PATH, payload, attempts=2)
        except ConnectionError as exc:
            raise NotReady(f"coordinator node {slot.coordinator} did not assign a presignature: {exc}") from None
        presignature_id = answer.get("presignatureId") if isinstance(answer, dict) else None
        if not isinstance(presignature_id, str):
            raise NotReady(f"coordinator node {slot.coordinator} answered without a presignature id")
        return presignature_id

    async def certify(self, slot: SignatureSlot, presig: PresignaturePublic, record: str) -> Certificate:
        """Send this node's accept (its use already on disk) and wait for the certificate."""
        accept = Accept.make(self._identity, presig, record, slot.request_id, self._index, secrets.token_bytes(32))
        if slot.coordinator == self._index:
            decision = await self.on_accept(accept)  # its accepts were verified as they came in
            if isinstance(decision, Disagreement):
                raise SigningRefused(decision.message())
            return self._matching(decision, presig, record, None)
        try:
            answer = await self._transport.post(slot.coordinator, ACCEPT_PATH, {"accept": accept.to_dict()}, attempts=2)
        except ConnectionError as exc:
            raise SigningRefused(f"coordinator node {slot.coordinator} gave no certificate: {exc}") from None
        if isinstance(answer, dict) and isinstance(answer.get("disagreement"), dict):
            raise SigningRefused(str(answer["disagreement"].get("message", "the committee did not agree")))
        try:
            certificate = Certificate.from_dict(answer.get("certificate") if isinstance(answer, dict) else None)
        except CryptoError as exc:
            raise SigningRefused(f"coordinator node {slot.coordinator} sent no valid certificate: {exc}") from None
        return self._matching(certificate, presig, record, self._directory)

    def _matching(
        self, certificate: Certificate, presig: PresignaturePublic, record: str, directory: PeerDirectory | None
    ) -> Certificate:
        """`certificate`, once it is known to certify this node's own record (signatures checked against
        `directory` when it came from another node)."""
        try:
            certificate.check(presig, directory)
        except CryptoError as exc:
            raise SigningRefused(f"the coordinator's certificate for {presig.id} is not valid: {exc}") from None
        if certificate.record != record:
            raise SigningRefused(
                f"presignature {presig.id}: nodes {list(certificate.signers)} certified another message or key "
                "than this node computed; this node releases nothing (is the action deterministic?)"
            )
        return certificate

    # ---- coordinator side ------------------------------------------------------------------------

    async def assign(self, request_id: Any, name: Any) -> str:
        key = _slot_key(request_id, name)
        curve = self._curve_for(name)
        deadline = time.monotonic() + self._pool_wait_s(curve)
        while (known := self._assigned.get(key)) is None and (presig := self._pool.assign(curve)) is None:
            if time.monotonic() > deadline:
                raise NotReady(f"node {self._index} has no presignature ready to assign; try again shortly")
            await asyncio.sleep(0.05)  # the pool refills in the background
        if known is not None:
            return known
        assert presig is not None  # the loop above ends with one or the other
        self._assigned[key] = presig.id
        self._rounds[presig.id] = _Round(presig, self._directory, key[0])
        asyncio.get_running_loop().call_later(AGREEMENT_TIMEOUT_S, self._expire, key, presig.id)
        while len(self._assigned) > _MAX_ROUNDS:
            _, old = self._assigned.popitem(last=False)
            stale = self._rounds.pop(old, None)
            if stale is not None:
                stale.settle()  # nobody is left waiting on a forgotten round
        return presig.id

    def _curve_for(self, name: Any) -> str:
        """The curve (`Group.name`) of the presignature a slot needs; node/ecdsa_curves.py knows others."""
        return SECP256K1.name

    def _pool_wait_s(self, curve: str) -> float:
        """How long a request waits for a presignature of `curve` before NotReady."""
        return _POOL_WAIT_S

    def _expire(self, key: tuple[str, str], presignature_id: str) -> None:
        """The round's deadline: settle it for anyone still waiting; a presignature nobody accepted
        (no member recorded a use of it) goes back to the pool."""
        round_ = self._rounds.get(presignature_id)
        if round_ is None:
            return
        if not round_.state.heard:
            del self._rounds[presignature_id]
            if self._assigned.get(key) == presignature_id:
                del self._assigned[key]
            self._pool.unassign(presignature_id)
            return
        round_.settle()

    async def on_accept(self, accept: Accept) -> Certificate | Disagreement:
        """Add a member's accept to its round; wait for the round's decision (at the latest its
        deadline, when `_expire` settles it)."""
        round_ = self._rounds.get(accept.presignature_id)
        if round_ is None:
            raise BadRequest(f"node {self._index} assigned no presignature {accept.presignature_id}")
        try:
            round_.state.add(accept)
        except CryptoError as exc:
            raise BadRequest(f"accept from node {accept.party}: {exc}") from None
        if round_.state.decision is None:
            await round_.decided.wait()
        round_.decided.set()  # this accept may have decided it: wake the others
        decision = round_.state.decision
        assert decision is not None
        if isinstance(decision, Disagreement):
            log.warning("signing agreement failed: %s", decision.message())
        return decision

    async def handle_accept(self, sender: int, payload: Any) -> dict[str, Any]:
        """Peer route: `{"accept": …}` from node `sender` -> `{"certificate": …}` or `{"disagreement": …}`."""
        try:
            accept = Accept.from_dict(payload.get("accept") if isinstance(payload, dict) else None)
        except CryptoError as exc:
            raise BadRequest(f"accept: {exc}") from None
        if accept.party != sender:
            raise BadRequest(f"accept names party {accept.party} but came from node {sender}")
        return _decision_json(await self.on_accept(accept))

    async def handle_assign(self, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise BadRequest("assign: expected an object")
        return {"presignatureId": await self.assign(payload.get("requestId"), payload.get("slot"))}


def _decision_json(decision: Certificate | Disagreement) -> dict[str, Any]:
    if isinstance(decision, Certificate):
        return {"certificate": decision.to_dict()}
    return {"disagreement": decision.to_dict()}
