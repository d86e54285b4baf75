"""Distributed key generation: GJKR (Gennaro, Jarecki, Krawczyk, Rabin 1999), K keys per run.

One `DkgParty` per participant, a pure state machine (`runtime.crypto.protocol.Party`). Phases:

    deal               every dealer i picks K pairs (f_ik, f'_ik) of the given degree, broadcasts the
                       Pedersen commitments C_ikl = a_ikl·G + b_ikl·H and, sealed to each recipient j
                       (channel.seal, bound to session/dealer/recipient), the shares f_ik(j), f'_ik(j).
    complaint          j checks its K shares from each dealer against C_ik (one batched check per
                       dealer) and broadcasts the dealers it complains about (possibly none).
    answer             a dealer with 1..t complaints reveals the complainers' shares; everybody checks.
                       QUAL = dealers that dealt, drew at most t complaints, answered every one
                       correctly and never equivocated. Fewer than 2t+1 of them (or only this party,
                       when n > 1) ends the run without a key. The K keys share this one outcome.
    extract            each dealer in QUAL broadcasts Feldman commitments A_ikl = a_ikl·G.
    extract_complaint  j broadcasts its shares from a dealer whose A_ik they fail (they match C_ik, so
                       only a cheating dealer can cause that: evidence), and the dealers whose A_ik it
                       does not hold or holds in two versions ("missing").
    reconstruct        only for a dealer in QUAL with valid evidence against it, or named missing by
                       more than t parties: everybody reveals its Pedersen-checked shares from that
                       dealer and its polynomials are interpolated in the open. One party's own
                       timeout never opens a dealer: at most t accusers could be the corrupt ones.
    confirm            each party signs H(QUAL ‖ joint commitments) and outputs its keys only once
                       n − t parties (itself included) confirmed the same digest.

Every broadcast from deal to extract_complaint is followed by an echo round (`broadcast.EchoRound`,
phase "<phase>_echo"): parties exchange the digests of what they received and forward what others
lack, so a message that reached one honest party reaches all of them, and a sender caught with two
signed versions is named in `faults` (and left out of QUAL while QUAL is open; once QUAL is fixed its
polynomial is rebuilt instead, so no dealer can change its contribution). The carrier is not trusted
to deliver a broadcast identically; the confirmation quorum is what makes agreement certain: two sets
of n − t parties share an honest one, which confirms one digest only.

Why the two commitment rounds: with Feldman commitments alone a rushing dealer sees the honest
dealers' a_i0·G before it decides whether to get itself disqualified, and so biases the public key
(GJKR §3). Pedersen commitments hide a_i0 until QUAL is fixed; the extraction round then cannot change
what a qualified dealer contributes.

Assumptions, as in GJKR: an honest party's messages reach every honest party by the phase deadline;
fewer than min(degree+1, n−t) parties are corrupt, so honest shares suffice to reconstruct.

Each message is signed (channel.sign_message), so complaints, answers and equivocations are
attributable, a forged or re-addressed message is refused, and an honest party can never be framed.
Messages for a later phase are held until that phase (a faster peer may already be there); a
message for a phase that has closed, from an unknown sender, for another session, or malformed,
raises a CryptoError and leaves the state unchanged.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from .broadcast import Confirmations, EchoedParty, EchoedRounds
from .channel import bind, open_sealed, seal, verify_message
from .dkg_checks import interpolate_polynomial, joint_keys, shares_match
from .dkg_messages import (
    ANSWER,
    CONFIRM,
    DEAL,
    ECHO_OF,
    ECHO_PHASE,
    FELDMAN,
    FELDMAN_COMPLAINT,
    FORWARD,
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
from .dkg_result import DkgConfig, DkgIncomplete, DkgKeyShare, DkgResult
from .errors import CryptoError, InvalidInput, NotEnoughShares, ProtocolError, VerificationFailed
from .group import Group
from .identity import PartyKeys, PeerDirectory
from .protocol import Message
from .shamir import evaluate, random_polynomial
from .vss import feldman_commit, pedersen_commit

__all__ = [
    "DkgConfig",
    "DkgIncomplete",
    "DkgParty",
    "DkgResult",
    "DkgKeyShare",
    "SCHEDULE",
    "interpolate_polynomial",
]

RandomBytes = Callable[[int], bytes]
# The phases in order. A carrier should end phase k at start + (k+1)·timeout for everybody (one
# schedule, as GJKR's synchronous rounds), not `timeout` after each party happened to enter it.
SCHEDULE = PHASES
_DEAL_AD = "litrt/dkg/deal/v1"
_IDLE, _DONE, _FAILED = "idle", "done", "failed"
_ROUND_OF_ECHO = {echo: kind for kind, echo in ECHO_OF.items()}
_KIND_OF_PHASE = {phase: kind for kind, phase in PHASE_OF_KIND.items()}


class DkgParty(EchoedParty):
    """One participant of a GJKR DKG. Drive it with start(), receive() and advance()."""

    _confirm_kind = CONFIRM

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
        self._live = set(self._others)  # whom a phase waits for: those heard from in the last round
        self._phase = _IDLE
        self._inbox: dict[str, dict[int, tuple[dict[str, Any], Any]]] = {kind: {} for kind in PHASE_OF_KIND}
        self._echo = EchoedRounds(
            identity, peers, config.session, index, ECHO_OF, FORWARD,
            lambda m: parse_body(self._shape, m.kind, m.sender, m.body),
        )
        self._faults: dict[int, str] = {}
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
        self._confirmations = Confirmations(index, config.n - config.t)
        self._pending: DkgResult | None = None
        self.result: DkgResult | None = None
        self.failure: CryptoError | None = None

    # ---- Party protocol -------------------------------------------------------------------

    @property
    def phase(self) -> str:
        return self._phase

    @property
    def done(self) -> bool:
        return self._phase in (_DONE, _FAILED)

    @property
    def faults(self) -> dict[int, str]:
        """The parties this party caught misbehaving, each with what it did."""
        return dict(self._faults)

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
        commitments = tuple(tuple(pedersen_commit(self._group, f, b)) for f, b in self._polynomials)
        sealed = {str(j): self._sealed_deal_for(j).hex() for j in self._others}
        self._pedersen[self.index] = commitments
        self._received[self.index] = self._share_for(self.index)
        self._phase = "deal"
        body = {"commitments": points_json(self._group, commitments), "shares": sealed}
        return [self._broadcast(DEAL, body, (commitments, {}))] + self._progress()

    def receive(self, message: Message) -> list[Message]:
        if isinstance(message, Message) and message.kind == FORWARD:
            return self._receive_forward(message)
        kind_phase = self._check_envelope(message)
        verify_message(self._peers, message)
        if message.kind == REVEAL and self._phase == "confirm":
            return []  # the dealers are rebuilt already; more of their shares change nothing
        self._check_open(message.kind, kind_phase, message.sender)
        held = self._inbox[message.kind].get(message.sender)
        if held is not None:
            if held[0] == message.body:
                return []  # a retransmission: harmless
            if message.kind in self._echo:  # refused, but kept: with the first it proves equivocation
                self._echo.keep(message, parse_body(self._shape, message.kind, message.sender, message.body))
            raise ProtocolError(f"sender: party {message.sender} sent two different {message.kind} messages")
        parsed = parse_body(self._shape, message.kind, message.sender, message.body)
        self._inbox[message.kind][message.sender] = (dict(message.body), parsed)
        out: list[Message] = []
        if message.kind in self._echo:
            self._echo.keep(message, parsed)
        elif message.kind in _ROUND_OF_ECHO and self._phase == kind_phase:
            out = self._echo.on_echo(_ROUND_OF_ECHO[message.kind], message.sender, parsed)
        elif message.kind == CONFIRM and self._phase == "confirm":
            self._confirmations.add(message, parsed)
        return out + (self._progress() if self._phase != _IDLE else [])

    def advance(self) -> list[Message]:
        """The phase deadline passed: whoever has not spoken by now is treated as silent."""
        if self._phase in (_IDLE, _DONE, _FAILED):
            return []
        return self._close_phase() + self._progress()

    # ---- receiving ------------------------------------------------------------------------

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
        if kind_phase is None and message.kind != FORWARD:
            raise ProtocolError(f"kind: unknown DKG message kind {message.kind!r}")
        if not isinstance(message.body, dict):
            raise InvalidInput("body", "expected an object")
        return kind_phase or ""

    def _check_open(self, kind: str, kind_phase: str, sender: int) -> None:
        if self._phase in (_DONE, _FAILED):
            raise ProtocolError(f"DKG {self.session} has finished; {kind} from {sender} ignored")
        if self._phase != _IDLE and PHASES.index(kind_phase) < PHASES.index(self._phase):
            raise ProtocolError(f"kind: {kind} from {sender} is for phase {kind_phase}, which has closed")

    def _receive_forward(self, message: Message) -> list[Message]:
        self._check_envelope(message)
        if message.recipient != self.index:
            raise ProtocolError(f"recipient: a forward must be addressed, to {self.index} here")
        verify_message(self._peers, message)
        inner = self._echo.unwrap(message, range(1, self.config.n + 1))
        self._check_open(f"forwarded {inner.kind}", ECHO_PHASE[inner.kind], message.sender)
        if inner.sender == self.index:
            return []  # this party knows what it said
        out = self._echo.adopt(inner, relay=self._phase == ECHO_PHASE[inner.kind])
        return out + (self._progress() if self._phase != _IDLE else [])

    # ---- phase bookkeeping ----------------------------------------------------------------

    def _expected(self, kind: str) -> set[int]:
        if kind == ANSWER:
            return self._answering() & self._live
        if kind == FELDMAN:
            return self._qualified & self._live
        return set(self._live)

    def _phase_complete(self) -> bool:
        if self._phase == "reconstruct":
            self._absorb_reveals()
            if all(len(self._revealed[i]) > self.config.degree for i in self._accused - {self.index}):
                return True
            return self._live <= set(self._inbox[REVEAL])
        if self._phase == "confirm":
            return self._live <= self._confirmations.senders()
        kind = _KIND_OF_PHASE[self._phase]
        if kind in _ROUND_OF_ECHO:
            return self._echo.round(_ROUND_OF_ECHO[kind]).settled(self._live)
        return self._expected(kind) <= self._echo.round(kind).senders()

    def _progress(self) -> list[Message]:
        out: list[Message] = []
        while self._phase not in (_DONE, _FAILED) and self._phase_complete():
            out += self._close_phase()
        return out

    def _close_phase(self) -> list[Message]:
        step = {
            "deal": self._open_echo,
            "deal_echo": self._after_deal_echo,
            "complaint": self._open_echo,
            "complaint_echo": self._after_response_echo,
            "answer": self._open_echo,
            "answer_echo": lambda: self._fix_qualified(self._settle(ANSWER)),
            "extract": self._open_echo,
            "extract_echo": self._after_feldman_echo,
            "extract_complaint": self._open_echo,
            "extract_complaint_echo": self._after_feldman_complaint_echo,
            "reconstruct": self._after_reveals,
            "confirm": self._after_confirm,
        }[self._phase]
        try:
            return step()
        except CryptoError as exc:
            failure = exc if isinstance(exc, DkgIncomplete) else DkgIncomplete(self.session, str(exc))
            failure.__cause__ = exc if failure is not exc else None
            self._phase, self.failure = _FAILED, failure
            return []

    def _open_echo(self) -> list[Message]:
        """The phase's broadcasts are in: tell everybody what arrived, and forward what they lack."""
        kind = _KIND_OF_PHASE[self._phase]
        if kind == DEAL:
            self._live = self._echo.round(DEAL).senders() - {self.index}
        self._phase = ECHO_PHASE[kind]
        held = sorted((echoer, digests) for echoer, (_, digests) in self._inbox[ECHO_OF[kind]].items())
        return self._echo.open(kind, held)

    def _settle(self, kind: str) -> dict[int, Any]:
        """The round's agreed content: each sender's one signed version; two versions name it."""
        self._live = self._echo.round(kind).echoers() - {self.index}
        content, equivocators = self._echo.settle(kind)
        for sender in equivocators:
            self._faults.setdefault(sender, f"equivocated: signed two different {kind} messages")
        return content

    # ---- transitions --------------------------------------------------------------------------

    def _after_deal_echo(self) -> list[Message]:
        complaints = []
        for dealer, (commitments, sealed) in sorted(self._settle(DEAL).items()):
            if dealer == self.index:
                continue
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
        complaints = self._complaints_to_send(complaints)
        self._complaints[self.index] = frozenset(complaints)
        self._phase = "complaint"
        return [self._broadcast(RESPONSE, {"complaints": complaints}, frozenset(complaints))]

    def _after_response_echo(self) -> list[Message]:
        self._complaints.update(self._settle(RESPONSE))
        self._complainers = {dealer: set() for dealer in self._pedersen if dealer not in self._faults}
        for complainer, dealers in self._complaints.items():
            for dealer in dealers:
                if dealer in self._complainers:  # a complaint about a dealer who is out anyway is moot
                    self._complainers[dealer].add(complainer)
        if not self._answering():
            return self._fix_qualified({})  # nobody owes an answer: no answer round, no echo
        self._phase = "answer"
        if self.index not in self._answering():
            return []
        pairs = {j: self._answer_share_for(j) for j in sorted(self._complainers[self.index])}
        body = {"shares": {str(j): share_pair_json(self._shape, pair) for j, pair in pairs.items()}}
        return [self._broadcast(ANSWER, body, pairs)]

    def _answering(self) -> set[int]:
        return {i for i, c in self._complainers.items() if 0 < len(c) <= self.config.t}

    def _fix_qualified(self, answers: dict[int, dict[int, SharePair]]) -> list[Message]:
        for dealer, complainers in self._complainers.items():
            if len(complainers) > self.config.t or dealer in self._faults:
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
        need, qualified = 2 * self.config.t + 1, tuple(sorted(self._qualified))
        if len(qualified) < need or (self.config.n > 1 and qualified == (self.index,)):
            raise DkgIncomplete(
                self.session,
                f"only {len(qualified)} dealers qualified {list(qualified)}, need at least {need} (2t+1): "
                "this party missed the run or too many dealers failed; it needs a reshare",
                qualified,
            )
        self._phase = "extract"
        if self.index not in self._qualified:
            return []
        commitments = self._feldman_commitments()
        self._feldman[self.index] = commitments
        return [self._broadcast(FELDMAN, {"commitments": points_json(self._group, commitments)}, commitments)]

    def _after_feldman_echo(self) -> list[Message]:
        feldman = self._settle(FELDMAN)
        self._evidence, missing = {}, []
        for dealer in sorted(self._qualified - {self.index}):
            if dealer not in feldman:
                missing.append(dealer)  # silent to me, or two-faced: nothing here to check against
                continue
            self._feldman[dealer] = feldman[dealer]
            if not self._check(feldman[dealer], self.index, self._received[dealer], pedersen=False):
                self._evidence[dealer] = self._received[dealer]
        self._evidence = self._evidence_to_send(self._evidence)
        self._phase = "extract_complaint"
        evidence = {str(d): share_pair_json(self._shape, pair) for d, pair in self._evidence.items()}
        parsed = (dict(self._evidence), frozenset(missing))
        return [self._broadcast(FELDMAN_COMPLAINT, {"complaints": evidence, "missing": missing}, parsed)]

    def _after_feldman_complaint_echo(self) -> list[Message]:
        accusers: dict[int, set[int]] = {}
        for complainer, (evidence, missing) in sorted(self._settle(FELDMAN_COMPLAINT).items()):
            for dealer, pair in evidence.items():
                if dealer not in self._qualified or dealer not in self._feldman:
                    continue
                # Valid evidence: the shares match the dealer's Pedersen commitments but not its
                # Feldman ones. An honest dealer's shares always match both, so it cannot be framed.
                if self._check(self._pedersen[dealer], complainer, pair, pedersen=True) and not self._check(
                    self._feldman[dealer], complainer, pair, pedersen=False
                ):
                    self._accused.add(dealer)
                    self._revealed.setdefault(dealer, {})[complainer] = pair
            for dealer in missing & self._qualified:
                accusers.setdefault(dealer, set()).add(complainer)
        # Without evidence, more than t accusers include an honest one: one party's own deadline,
        # or t corrupt parties, can never make the others open a dealer's polynomial.
        self._accused |= {dealer for dealer, who in accusers.items() if len(who) > self.config.t}
        unusable = sorted(d for d in self._qualified - self._accused - {self.index} if d not in self._feldman)
        if unusable:
            raise DkgIncomplete(
                self.session,
                f"no usable Feldman commitments from dealer(s) {unusable}, and at most t = {self.config.t} "
                "parties accused them, so they are not rebuilt: this party's view differs from the others'",
                tuple(unusable),
            )
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
            if dealer == self.index:  # what the others rebuild: the polynomials this party dealt
                self._feldman[dealer] = [feldman_commit(self._group, f) for f, _ in self._polynomials]
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
        qualified = sorted(self._qualified)
        shares = [sum(self._received[i].s[k] for i in qualified) % self._group.order for k in range(self.config.keys)]
        keys = joint_keys(self._group, [self._feldman[i] for i in qualified], shares, self.index)
        self._pending = DkgResult(
            session=self.session,
            group=self._group.name,
            index=self.index,
            n=self.config.n,
            t=self.config.t,
            degree=self.config.degree,
            qualified=tuple(qualified),
            keys=tuple(keys),
        )
        digest = self._pending.transcript_digest()
        return self._start_confirm_of(digest)

    def _after_confirm(self) -> list[Message]:
        confirmations = self._confirmations
        for sender in confirmations.differing():
            self._faults.setdefault(sender, "confirmed a different QUAL or joint commitments")
        if not confirmations.reached():
            silent = sorted(set(self._others) - confirmations.senders())
            raise DkgIncomplete(
                self.session,
                f"only {len(confirmations.matching())} of the {confirmations.quorum} (n − t) confirmations "
                f"needed match this party's QUAL and commitments; differing: {confirmations.differing()}, "
                f"silent: {silent}",
                tuple(confirmations.differing()),
            )
        self.result, self._phase = self._pending, _DONE
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

    def _sealed_deal_for(self, j: int) -> bytes:
        """j's shares sealed to j's key (tests override this to seal junk)."""
        plaintext = json.dumps(share_pair_json(self._shape, self._deal_share_for(j))).encode()
        ad = bind(_DEAL_AD, self.session, self.index, j)
        return seal(self._peers[j].encryption_key, plaintext, ad, randbytes=self._randbytes)

    def _complaints_to_send(self, complaints: list[int]) -> list[int]:
        """The dealers this party complains about (tests override this to complain falsely)."""
        return complaints

    def _evidence_to_send(self, evidence: dict[int, SharePair]) -> dict[int, SharePair]:
        """The extraction evidence this party broadcasts (tests override this to frame a dealer)."""
        return evidence

    def _deal_share_for(self, j: int) -> SharePair:
        """What goes into j's sealed deal (tests override this to play a cheating dealer)."""
        return self._share_for(j)

    def _answer_share_for(self, j: int) -> SharePair:
        """What this dealer reveals when j complains (tests override this to answer wrongly)."""
        return self._share_for(j)

    def _feldman_commitments(self) -> list[list[Any]]:
        """This dealer's A_ikl (tests override this to play a cheating dealer)."""
        return [feldman_commit(self._group, f) for f, _ in self._polynomials]

    def _broadcast(self, kind: str, body: dict[str, Any], parsed: Any) -> Message:
        """A message of an echoed round: this party holds its own version like anybody else's."""
        message = self._message(kind, body)
        self._echo.keep(message, parsed)
        return message

    def _check(self, commitments: Sequence[Sequence[Any]], x: int, pair: SharePair, *, pedersen: bool) -> bool:
        return shares_match(self._group, commitments, x, pair, pedersen=pedersen, randbytes=self._randbytes)
