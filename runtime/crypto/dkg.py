"""Distributed key generation: GJKR (Gennaro, Jarecki, Krawczyk, Rabin 1999), K keys per run.

One `DkgParty` per participant, a pure state machine (`runtime.crypto.protocol.Party`). Phases:

    deal               every dealer i picks K pairs (f_ik, f'_ik) of the given degree, broadcasts the
                       Pedersen commitments C_ikl = a_ikl·G + b_ikl·H and, sealed to each recipient j
                       (channel.seal, bound to session/dealer/recipient), the shares f_ik(j), f'_ik(j).
    complaint          j checks its K shares from each dealer against C_ik (one batched check per
                       dealer) and broadcasts the dealers it complains about (possibly none).
    answer             a dealer with 1..t complaints reveals the complainers' shares; everybody checks.
                       QUAL = dealers that dealt, drew at most t complaints and answered every one
                       correctly. The K keys share this one outcome.
    extract            each dealer in QUAL broadcasts Feldman commitments A_ikl = a_ikl·G.
    extract_complaint  j checks its shares against A_ik; if they fail it broadcasts them as evidence
                       (they match C_ik but not A_ik, which only a cheating dealer can cause).
    reconstruct        only if some dealer in QUAL was caught (or sent no A_ik): everybody reveals its
                       Pedersen-checked shares from that dealer, and its polynomials are interpolated
                       in the open, so its A_ikl are fixed to what it committed to in the deal.

Why the two commitment rounds: with Feldman commitments alone a rushing dealer sees the honest
dealers' a_i0·G before it decides whether to get itself disqualified, and so biases the public key
(GJKR §3). Pedersen commitments hide a_i0 until QUAL is fixed; the extraction round then cannot change
what a qualified dealer contributes.

Assumptions, as in GJKR and kyber's DKG: broadcasts reach every honest party by the phase deadline
and are the same for all (the node's peer layer, the "board", provides this); fewer than
min(degree+1, n−t) parties are corrupt, so honest shares suffice to reconstruct.

Each message is signed (channel.sign_message), so complaints and answers are attributable, a forged
or re-addressed message is refused, and an honest party can never be framed. Messages for a later
phase are held until that phase (a faster peer may already be there); a message for a phase that
has closed, from an unknown sender, for another session, or malformed, raises a CryptoError and
leaves the state unchanged.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

from .channel import bind, open_sealed, seal, sign_message, verify_message
from .dkg_checks import interpolate_polynomial, shares_match
from .dkg_messages import (
    ANSWER,
    DEAL,
    FELDMAN,
    FELDMAN_COMPLAINT,
    PHASE_OF_KIND,
    PHASES,
    RESPONSE,
    REVEAL,
    SharePair,
    Shape,
    parse_body,
    parse_sealed_pair,
    points_json,
    share_pair_json,
)
from .dkg_result import DkgConfig, DkgKeyShare, DkgResult
from .errors import CryptoError, InvalidInput, NotEnoughShares, ProtocolError, VerificationFailed
from .group import Group
from .identity import PartyKeys, PeerDirectory
from .protocol import Message
from .shamir import evaluate, random_polynomial
from .vss import feldman_commit, pedersen_commit

__all__ = ["DkgConfig", "DkgParty", "DkgResult", "DkgKeyShare", "SCHEDULE", "interpolate_polynomial"]

RandomBytes = Callable[[int], bytes]
# The phases in order. A carrier should end phase k at start + (k+1)·timeout for everybody (one
# schedule, as GJKR's synchronous rounds), not `timeout` after each party happened to enter it.
SCHEDULE = PHASES
_DEAL_AD = "litrt/dkg/deal/v1"
_IDLE, _DONE, _FAILED = "idle", "done", "failed"


class DkgParty:
    """One participant of a GJKR DKG. Drive it with start(), receive() and advance()."""

    def __init__(
        self,
        group: Group[Any],
        config: DkgConfig,
        index: int,
        identity: PartyKeys,
        peers: PeerDirectory,
        randbytes: RandomBytes = secrets.token_bytes,
    ) -> None:
        if not 1 <= index <= config.n:
            raise InvalidInput("index", f"must be in 1..{config.n}, got {index}")
        missing = [i for i in range(1, config.n + 1) if i not in peers]
        if missing:
            raise InvalidInput("peers", f"no public keys for parties {missing}")
        if peers[index] != identity.public:
            raise InvalidInput("identity", f"does not match the directory entry of party {index}")
        self.index = index
        self.session = config.session
        self.config = config
        self._group = group
        self._shape = Shape(group, config.n, config.keys, config.degree)
        self._identity = identity
        self._peers = peers
        self._randbytes = randbytes
        self._others = [i for i in range(1, config.n + 1) if i != index]
        self._phase = _IDLE
        self._inbox: dict[str, dict[int, tuple[dict[str, Any], Any]]] = {kind: {} for kind in PHASE_OF_KIND}
        self._polynomials: list[tuple[list[int], list[int]]] = []
        self._pedersen: dict[int, tuple[tuple[Any, ...], ...]] = {}  # dealer -> K rows of C_ikl
        self._feldman: dict[int, Sequence[Sequence[Any]]] = {}  # dealer -> K rows of A_ikl
        self._received: dict[int, SharePair] = {}  # dealer -> my Pedersen-checked shares from it
        self._complaints: dict[int, frozenset[int]] = {}  # complainer -> dealers
        self._complainers: dict[int, set[int]] = {}  # dealer -> complainers
        self._qualified: set[int] = set()
        self._accused: set[int] = set()
        self._revealed: dict[int, dict[int, SharePair]] = {}  # accused dealer -> party -> checked shares
        self._absorbed: set[int] = set()
        self._evidence: dict[int, SharePair] = {}  # dealer -> my shares that its A_ik contradicts
        self.result: DkgResult | None = None
        self.failure: CryptoError | None = None

    # ---- Party protocol -------------------------------------------------------------------

    @property
    def phase(self) -> str:
        return self._phase

    @property
    def done(self) -> bool:
        return self._phase in (_DONE, _FAILED)

    def outcome(self) -> DkgResult:
        """The result, or the error that ended the run."""
        if self.failure is not None:
            raise self.failure
        if self.result is None:
            raise ProtocolError(f"DKG {self.session} has not finished (phase {self._phase})")
        return self.result

    def start(self) -> list[Message]:
        if self._phase != _IDLE:
            raise ProtocolError(f"DKG {self.session}: start() called twice")
        q = self._group.order
        for _ in range(self.config.keys):
            f = random_polynomial(self.config.degree, q, rand=self._rand_scalar)
            b = random_polynomial(self.config.degree, q, rand=self._rand_scalar)
            self._polynomials.append((f, b))
        commitments = [pedersen_commit(self._group, f, b) for f, b in self._polynomials]
        sealed = {}
        for j in self._others:
            plaintext = json.dumps(share_pair_json(self._shape, self._deal_share_for(j))).encode()
            ad = bind(_DEAL_AD, self.session, self.index, j)
            sealed[str(j)] = seal(self._peers[j].encryption_key, plaintext, ad, randbytes=self._randbytes).hex()
        self._pedersen[self.index] = tuple(tuple(row) for row in commitments)
        self._received[self.index] = self._share_for(self.index)
        self._phase = "deal"
        out = [self._message(DEAL, {"commitments": points_json(self._group, commitments), "shares": sealed})]
        return out + self._progress()

    def receive(self, message: Message) -> list[Message]:
        kind_phase = self._check_envelope(message)
        verify_message(self._peers, message)
        if self._phase in (_DONE, _FAILED):
            raise ProtocolError(f"DKG {self.session} has finished; {message.kind} from {message.sender} ignored")
        if self._phase != _IDLE and PHASES.index(kind_phase) < PHASES.index(self._phase):
            raise ProtocolError(f"kind: {message.kind} from {message.sender} is for phase {kind_phase}, which has closed")
        held = self._inbox[message.kind].get(message.sender)
        if held is not None:
            if held[0] == message.body:
                return []  # a retransmission: harmless
            raise ProtocolError(f"sender: party {message.sender} sent two different {message.kind} messages")
        parsed = parse_body(self._shape, message.kind, message.sender, message.body)
        self._inbox[message.kind][message.sender] = (dict(message.body), parsed)
        return self._progress() if self._phase != _IDLE else []

    def advance(self) -> list[Message]:
        """The phase deadline passed: whoever has not spoken by now is treated as silent."""
        if self._phase in (_IDLE, _DONE, _FAILED):
            return []
        return self._close_phase() + self._progress()

    # ---- phase bookkeeping ----------------------------------------------------------------

    def _check_envelope(self, message: Message) -> str:
        if not isinstance(message, Message):
            raise ProtocolError(f"message: expected a Message, got {type(message).__name__}")
        if message.session != self.session:
            raise ProtocolError(f"session: {message.session!r} is not this DKG ({self.session!r})")
        if message.sender not in self._others:
            raise ProtocolError(f"sender: {message.sender!r} is not another participant")
        if message.recipient is not None and message.recipient != self.index:
            raise ProtocolError(f"recipient: message for {message.recipient} delivered to {self.index}")
        kind_phase = PHASE_OF_KIND.get(message.kind)
        if kind_phase is None:
            raise ProtocolError(f"kind: unknown DKG message kind {message.kind!r}")
        if not isinstance(message.body, dict):
            raise InvalidInput("body", "expected an object")
        return kind_phase

    def _expected(self) -> set[int]:
        if self._phase == "answer":
            return {i for i in self._answering() if i != self.index}
        if self._phase == "extract":
            return self._qualified - {self.index}
        if self._phase == "extract_complaint":
            # A party that sent no response was silent (down) in the complaint phase: every honest
            # party saw the same, so none waits for its extraction complaints either.
            return set(self._complaints) - {self.index}
        return set(self._others)

    def _phase_complete(self) -> bool:
        if self._phase == "reconstruct":
            self._absorb_reveals()
            if all(len(self._revealed[i]) > self.config.degree for i in self._accused - {self.index}):
                return True
        kind = next(k for k, p in PHASE_OF_KIND.items() if p == self._phase)
        return self._expected() <= set(self._inbox[kind])

    def _progress(self) -> list[Message]:
        out: list[Message] = []
        while self._phase not in (_DONE, _FAILED) and self._phase_complete():
            out += self._close_phase()
        return out

    def _close_phase(self) -> list[Message]:
        step = {
            "deal": self._after_deals,
            "complaint": self._after_responses,
            "answer": self._after_answers,
            "extract": self._after_feldman,
            "extract_complaint": self._after_feldman_complaints,
            "reconstruct": self._after_reveals,
        }[self._phase]
        try:
            return step()
        except CryptoError as exc:
            self._phase, self.failure = _FAILED, exc
            return []

    # ---- transitions, one per phase ---------------------------------------------------------

    def _after_deals(self) -> list[Message]:
        complaints = []
        for dealer, (_, (commitments, sealed)) in sorted(self._inbox[DEAL].items()):
            self._pedersen[dealer] = commitments
            ad = bind(_DEAL_AD, self.session, dealer, self.index)
            try:
                pair = parse_sealed_pair(self._shape, open_sealed(self._identity, sealed[self.index], ad))
            except (InvalidInput, VerificationFailed):
                complaints.append(dealer)
                continue
            if self._check(commitments, self.index, pair, pedersen=True):
                self._received[dealer] = pair
            else:
                complaints.append(dealer)
        self._complaints[self.index] = frozenset(complaints)
        self._phase = "complaint"
        return [self._message(RESPONSE, {"complaints": complaints})]

    def _after_responses(self) -> list[Message]:
        for sender, (_, dealers) in self._inbox[RESPONSE].items():
            self._complaints[sender] = dealers
        self._complainers = {dealer: set() for dealer in self._pedersen}
        for complainer, dealers in self._complaints.items():
            for dealer in dealers:
                if dealer in self._complainers:  # a complaint about a dealer who never dealt is moot
                    self._complainers[dealer].add(complainer)
        self._phase = "answer"
        if self.index not in self._answering():
            return []
        shares = {
            str(j): share_pair_json(self._shape, self._answer_share_for(j)) for j in sorted(self._complainers[self.index])
        }
        return [self._message(ANSWER, {"shares": shares})]

    def _answering(self) -> set[int]:
        return {i for i, c in self._complainers.items() if 0 < len(c) <= self.config.t}

    def _after_answers(self) -> list[Message]:
        answers = {dealer: parsed for dealer, (_, parsed) in self._inbox[ANSWER].items()}
        for dealer, complainers in self._complainers.items():
            if len(complainers) > self.config.t:
                continue
            if complainers and dealer != self.index:
                revealed = answers.get(dealer, {})
                if not complainers <= set(revealed) or not all(
                    self._check(self._pedersen[dealer], j, revealed[j], pedersen=True) for j in complainers
                ):
                    continue
                if self.index in complainers:
                    self._received[dealer] = revealed[self.index]
            self._qualified.add(dealer)
        self._phase = "extract"
        if self.index not in self._qualified:
            return []
        commitments = self._feldman_commitments()
        self._feldman[self.index] = commitments
        return [self._message(FELDMAN, {"commitments": points_json(self._group, commitments)})]

    def _after_feldman(self) -> list[Message]:
        self._evidence = {}
        for dealer in sorted(self._qualified - {self.index}):
            held = self._inbox[FELDMAN].get(dealer)
            if held is None:
                self._accused.add(dealer)  # silent: everyone saw the same silence
                continue
            self._feldman[dealer] = held[1]
            if not self._check(held[1], self.index, self._received[dealer], pedersen=False):
                self._evidence[dealer] = self._received[dealer]
        self._phase = "extract_complaint"
        evidence = {str(d): share_pair_json(self._shape, pair) for d, pair in self._evidence.items()}
        return [self._message(FELDMAN_COMPLAINT, {"complaints": evidence})]

    def _after_feldman_complaints(self) -> list[Message]:
        complaints = [(self.index, self._evidence)] + [(s, parsed) for s, (_, parsed) in self._inbox[FELDMAN_COMPLAINT].items()]
        for complainer, accusations in complaints:
            for dealer, pair in accusations.items():
                if dealer not in self._qualified or dealer not in self._feldman:
                    continue
                # Valid evidence: the shares match the dealer's Pedersen commitments but not its
                # Feldman ones. An honest dealer's shares always match both, so it cannot be framed.
                if self._check(self._pedersen[dealer], complainer, pair, pedersen=True) and not self._check(
                    self._feldman[dealer], complainer, pair, pedersen=False
                ):
                    self._accused.add(dealer)
                    self._revealed.setdefault(dealer, {})[complainer] = pair
        if not self._accused:
            return self._finish()
        for dealer in self._accused:
            self._revealed.setdefault(dealer, {})[self.index] = self._received[dealer]
        self._phase = "reconstruct"
        shares = {str(d): share_pair_json(self._shape, self._received[d]) for d in sorted(self._accused - {self.index})}
        return [self._message(REVEAL, {"shares": shares})]

    def _absorb_reveals(self) -> None:
        for sender, (_, shares) in self._inbox[REVEAL].items():
            if sender in self._absorbed:
                continue
            self._absorbed.add(sender)
            for dealer, pair in shares.items():
                if dealer in self._accused and self._check(self._pedersen[dealer], sender, pair, pedersen=True):
                    self._revealed[dealer][sender] = pair

    def _after_reveals(self) -> list[Message]:
        self._absorb_reveals()
        q, need = self._group.order, self.config.degree + 1
        for dealer in sorted(self._accused):
            if dealer == self.index:
                self._feldman[dealer] = self._feldman_commitments()
                continue
            revealed = self._revealed[dealer]
            if len(revealed) < need:
                raise NotEnoughShares(len(revealed), need)
            chosen = sorted(revealed)[:need]
            rows = []
            for k in range(self.config.keys):
                coefficients = interpolate_polynomial({j: revealed[j].s[k] for j in chosen}, q)
                rows.append([self._group.base_mul(a) for a in coefficients])
            self._feldman[dealer] = rows
        return self._finish()

    def _finish(self) -> list[Message]:
        q, g = self._group.order, self._group
        qualified = sorted(self._qualified)
        keys = []
        for k in range(self.config.keys):
            share = sum(self._received[i].s[k] for i in qualified) % q
            joint = [
                reduce(g.add, (self._feldman[i][k][l] for i in qualified)) for l in range(self.config.degree + 1)
            ]
            encoded = tuple(g.encode(p).hex() for p in joint)
            keys.append(DkgKeyShare(share=share, public_key=encoded[0], commitments=encoded))
        self.result = DkgResult(
            session=self.session,
            group=g.name,
            index=self.index,
            n=self.config.n,
            t=self.config.t,
            degree=self.config.degree,
            qualified=tuple(qualified),
            keys=tuple(keys),
        )
        self._phase = _DONE
        return []

    # ---- helpers ------------------------------------------------------------------------------

    def _rand_scalar(self, modulus: int) -> int:
        # 64 bytes reduced mod q: the bias is below 2^-250.
        return int.from_bytes(self._randbytes(64), "big") % modulus

    def _share_for(self, j: int) -> SharePair:
        q = self._group.order
        return SharePair(
            s=tuple(evaluate(f, j, q) for f, _ in self._polynomials),
            r=tuple(evaluate(b, j, q) for _, b in self._polynomials),
        )

    def _deal_share_for(self, j: int) -> SharePair:
        """What goes into j's sealed deal (tests override this to play a cheating dealer)."""
        return self._share_for(j)

    def _answer_share_for(self, j: int) -> SharePair:
        """What this dealer reveals when j complains (tests override this to answer wrongly)."""
        return self._share_for(j)

    def _feldman_commitments(self) -> list[list[Any]]:
        """This dealer's A_ikl (tests override this to play a cheating dealer)."""
        return [feldman_commit(self._group, f) for f, _ in self._polynomials]

    def _message(self, kind: str, body: dict[str, Any]) -> Message:
        return sign_message(self._identity, Message(self.session, kind, self.index, None, body))

    def _check(self, commitments: Sequence[Sequence[Any]], x: int, pair: SharePair, *, pedersen: bool) -> bool:
        return shares_match(self._group, commitments, x, pair, pedersen=pedersen, randbytes=self._randbytes)
