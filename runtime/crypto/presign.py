"""Presigning for threshold ECDSA (docs/architecture.md §Presigning; Gennaro–Jarecki–Krawczyk–Rabin robust DSS style).

A committee of at most 3t+1 members makes B presignatures in one run. Broadcast rounds:

  deal      every dealer D broadcasts, per presignature, Feldman commitments to five polynomials
            (k and a of degree t; z, e and d of degree 2t with constant 0, so their constant
            commitment must be the identity) and each recipient's shares sealed to that recipient.
            d is the message-multiplied zero-sharing of signing (s_i += h·d_i): should a split
            use of one presignature ever slip past the agreement round, the shares of the
            minority then lie on k + d (degree 2t) and no longer reveal k_i.
  complain  every member broadcasts the dealers whose shares to it failed (possibly none).
  answer    a dealer with 1..t complaints opens the complainers' shares in public; everyone checks
            them. QUAL = dealers that dealt one version, got ≤ t complaints and answered each one
            validly. (Skipped when nobody complained.)
  open      k_i, a_i, z_i, e_i = sums over QUAL. Each member publishes w_i = k_i·a_i + z_i with a
            Chaum–Pedersen proof that log_G K_i = log_{A_i}(w_i·G − Z_i) (K_i, A_i, Z_i from the
            commitments), so a wrong w_i is caught and its sender named. Any 2t+1 verified w_i
            interpolate w = k·a; R = w⁻¹·(a·G) = k⁻¹·G.
  confirm   each member signs H(QUAL ‖ the batch's public parts) and keeps its presignatures only
            once committee size − t members (itself included) confirmed the same digest.

The carrier is not trusted to deliver a broadcast identically (H2). Every round above but confirm is
followed by an echo round (`broadcast.EchoedRounds`, phase "<round>_echo"): members exchange the
digests of what they hold and forward the signed messages others lack, so a message that reached
one honest member reaches all, and a sender caught with two signed versions is named in `faults`
and counted as silent in that round by every honest member. What an echo cannot repair (a version
a corrupt member forwards at the last moment to some honest members only) the confirmation quorum
catches: two sets of c − t members of a committee of c ≤ 3t+1 share an honest member, which confirms
one digest, so no two honest members ever store differing presignatures.

Phases are synchronous: `advance()` at a deadline means "what has not arrived will not arrive"; a
phase waits only for members heard from in the round before. No I/O, no clock; randomness, the
share cipher (`seal(recipient, plaintext)`, `open_(sender, ciphertext)`), the member's identity keys
and the committee's public directory are handed in. The curve is `group` (secp256k1 by default, whose
messages are what they always were; P-256 for EcdsaP256Sha256).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from .broadcast import Confirmations, EchoedParty, EchoedRounds
from .channel import verify_message
from .dleq import prove_dleq, verify_dleq
from .errors import InvalidInput, NotEnoughShares, ProtocolError
from .group import Group, Point
from .identity import PartyKeys, PeerDirectory
from .presign_messages import (
    ANSWER, COMPLAINT, CONFIRM, DEAL, ECHO_OF, ECHO_PHASE, FORWARD, OPEN, PHASES, POLYS, ROUND_PHASE, ZERO_SHARINGS,
    Malformed, Shape, Shares, pack, parse_body, point_sum, sealed_head, unpack,
)
from .presignature import Presignature, PresignaturePublic
from .protocol import Message
from .secp256k1 import SECP256K1
from .shamir import evaluate, interpolate, random_polynomial
from .vss import commitment_at, feldman_commit

__all__ = ["PresignParty", "Seal", "Open", "SCHEDULE"]

Seal = Callable[[int, bytes], bytes]
Open = Callable[[int, bytes], bytes]
RandomScalar = Callable[[int], int]
RandomBytes = Callable[[int], bytes]

# The phases in order, for a carrier that ends them on one schedule for everybody.
SCHEDULE = PHASES
_CONFIRM_DOMAIN = b"litrt/presign/confirm/v1\x00"
_INIT, _DONE = "init", "done"
_ROUND_OF_ECHO = {echo: kind for kind, echo in ECHO_OF.items()}
_KIND_OF_PHASE = {phase: kind for kind, phase in ROUND_PHASE.items()}
_PHASE_OF_KIND = {
    **ROUND_PHASE,
    **{echo: ECHO_PHASE[kind] for kind, echo in ECHO_OF.items()},
    CONFIRM: "confirm",
}


def _default_rand(modulus: int) -> int:
    return secrets.randbelow(modulus)


class PresignParty(EchoedParty):
    """One committee member's side of one presigning run (implements `protocol.Party`)."""

    _confirm_kind = CONFIRM

    def __init__(
        self,
        session: str,
        index: int,
        committee: Sequence[int],
        threshold: int,
        batch_size: int,
        *,
        seal: Seal,
        open_: Open,
        identity: PartyKeys,
        peers: PeerDirectory,
        rand: RandomScalar = _default_rand,
        random_bytes: RandomBytes = secrets.token_bytes,
        group: Group[Any] = SECP256K1,
    ) -> None:
        members = tuple(sorted(committee))
        if not isinstance(session, str) or not session:
            raise InvalidInput("session", "expected a non-empty string")
        if len(set(members)) != len(members) or any(not isinstance(i, int) or i < 1 for i in members):
            raise InvalidInput("committee", "party indices must be distinct positive ints")
        if not isinstance(threshold, int) or threshold < 0:
            raise InvalidInput("threshold", "must be a non-negative int")
        if not 2 * threshold + 1 <= len(members) <= 3 * threshold + 1:
            # More than 3t+1 would let two disjoint 2t+1 sets sign different messages (docs/architecture.md §Presigning).
            raise InvalidInput("committee", f"size {len(members)} outside [2t+1, 3t+1] for t={threshold}")
        if index not in members:
            raise InvalidInput("index", f"party {index} is not in the committee")
        if not isinstance(batch_size, int) or not 1 <= batch_size <= 1024:
            raise InvalidInput("batch_size", "must be an int in [1, 1024]")
        unknown = [i for i in members if i not in peers.indices]
        if unknown:
            raise InvalidInput("peers", f"no public keys for committee members {unknown}")
        if peers[index] != identity.public:
            raise InvalidInput("identity", f"does not match the directory entry of party {index}")
        self.session = session
        self.index = index
        self.committee = members
        self.t = threshold
        self.batch_size = batch_size
        self._seal, self._open, self._rand, self._random_bytes = seal, open_, rand, random_bytes
        self._identity, self._peers = identity, peers
        self._g = group
        self._order = group.order
        self._shape = Shape(threshold, batch_size, members, group)
        self._others = [j for j in members if j != index]
        self._live = set(self._others)  # whom a phase waits for: those heard from in the round before
        self._phase = _INIT
        self._echo = EchoedRounds(
            identity, peers, session, index, ECHO_OF, FORWARD, lambda m: parse_body(self._shape, m.kind, m.sender, m.body)
        )
        # Echoes and confirmations as they arrive (possibly before their phase): kind -> sender -> parsed.
        self._inbox: dict[str, dict[int, tuple[dict[str, Any], Any]]] = {k: {} for k in (*ECHO_OF.values(), CONFIRM)}
        self._confirmations = Confirmations(index, len(members) - threshold)
        self.faults: dict[int, str] = {}  # party -> first reason it was caught misbehaving
        self.qualified: tuple[int, ...] = ()
        self._commitments: dict[int, list[dict[str, list[Point]]]] = {}  # dealer -> per presig
        self._shares: dict[int, Shares] = {}  # dealer -> my (k, a, z, e, d)
        self._sent: dict[int, Shares] = {}  # recipient -> what we dealt it
        self._disqualified: set[int] = set()  # dealers out of QUAL
        self._complainers: dict[int, set[int]] = {}  # dealer -> complainers
        self._pending: dict[int, Presignature] = {}  # batch position -> made, not yet confirmed
        self._results: list[Presignature] = []
        self.failed: dict[int, str] = {}  # batch position -> why no presignature came out

    # -- Party interface -------------------------------------------------------------------

    @property
    def phase(self) -> str:
        return self._phase

    @property
    def done(self) -> bool:
        return self._phase == _DONE

    def start(self) -> list[Message]:
        if self._phase != _INIT:
            raise ProtocolError("start() called twice")
        self._phase = "deal"
        return [self._make_deal()] + self._progress()

    def receive(self, message: Message) -> list[Message]:
        kind_phase = self._check_envelope(message)
        if self._phase == _DONE:
            return []  # late beyond the run: nothing it could change
        verify_message(self._peers, message)
        if message.kind == FORWARD:
            return self._receive_forward(message)
        self._check_open(message.kind, kind_phase, message.sender)
        sender, kind = message.sender, message.kind
        parsed = parse_body(self._shape, kind, sender, message.body)
        out: list[Message] = []
        if kind in self._echo:
            self._echo.keep(message, parsed)  # a second version is kept too: it proves equivocation
        elif sender in self._inbox[kind]:
            return []
        else:
            self._inbox[kind][sender] = (dict(message.body), parsed)
            if kind in _ROUND_OF_ECHO and self._phase == kind_phase:
                out = self._echo.on_echo(_ROUND_OF_ECHO[kind], sender, parsed)
            elif kind == CONFIRM and self._phase == "confirm":
                self._confirmations.add(message, parsed)
        return out + (self._progress() if self._phase != _INIT else [])

    def advance(self) -> list[Message]:
        """The phase deadline passed: whoever has not spoken is treated as silent."""
        if self._phase in (_INIT, _DONE):
            return []
        return self._close_phase() + self._progress()

    def results(self) -> list[Presignature]:
        if not self.done:
            raise ProtocolError(f"presigning not finished (phase {self._phase})")
        return list(self._results)

    # -- receiving -------------------------------------------------------------------------

    def _check_envelope(self, message: Message) -> str:
        if message.session != self.session:
            raise ProtocolError(f"message for session {message.session!r}, not {self.session!r}")
        if message.sender not in self._others:
            raise ProtocolError(f"message from party {message.sender}, not another committee member")
        if message.recipient not in (None, self.index):
            raise ProtocolError(f"message for party {message.recipient}, not {self.index}")
        if message.kind != FORWARD and message.kind not in _PHASE_OF_KIND:
            raise ProtocolError(f"kind: unknown presigning message kind {message.kind!r}")
        if message.kind == FORWARD and message.recipient != self.index:
            raise ProtocolError(f"recipient: a forward must be addressed, to {self.index} here")
        if not isinstance(message.body, dict):
            raise InvalidInput("body", "expected an object")
        return _PHASE_OF_KIND.get(message.kind, "")

    def _check_open(self, kind: str, kind_phase: str, sender: int) -> None:
        if self._phase != _INIT and PHASES.index(kind_phase) < PHASES.index(self._phase):
            raise ProtocolError(f"kind: {kind} from {sender} is for phase {kind_phase}, which has closed")

    def _receive_forward(self, message: Message) -> list[Message]:
        inner = self._echo.unwrap(message, self.committee)
        self._check_open(f"forwarded {inner.kind}", ECHO_PHASE[inner.kind], message.sender)
        if inner.sender == self.index:
            return []  # this member knows what it said
        out = self._echo.adopt(inner, relay=self._phase == ECHO_PHASE[inner.kind])
        return out + (self._progress() if self._phase != _INIT else [])

    # -- phase bookkeeping -----------------------------------------------------------------

    def _phase_complete(self) -> bool:
        if self._phase == "confirm":
            return self._live <= self._confirmations.senders()
        if self._phase in _KIND_OF_PHASE:
            kind = _KIND_OF_PHASE[self._phase]
            expected = self._live & self._answering() if kind == ANSWER else self._live
            return expected <= self._echo.round(kind).senders()
        kind = next(k for k, phase in ECHO_PHASE.items() if phase == self._phase)
        return self._echo.round(kind).settled(self._live)

    def _progress(self) -> list[Message]:
        out: list[Message] = []
        while self._phase not in (_INIT, _DONE) and self._phase_complete():
            out += self._close_phase()
        return out

    def _close_phase(self) -> list[Message]:
        step = {
            "deal_echo": self._after_deal_echo,
            "complain_echo": self._after_complaint_echo,
            "answer_echo": self._after_answer_echo,
            "open_echo": self._after_open_echo,
            "confirm": self._after_confirm,
        }.get(self._phase, self._open_echo)
        return step()

    def _open_echo(self) -> list[Message]:
        """The round's broadcasts are in: tell everybody what arrived, and forward what they lack."""
        kind = _KIND_OF_PHASE[self._phase]
        if kind == DEAL:
            self._live = self._echo.round(DEAL).senders() - {self.index}
        self._phase = ECHO_PHASE[kind]
        return self._echo.open_held(kind, self._inbox[ECHO_OF[kind]])

    def _settle(self, kind: str) -> dict[int, Any]:
        """The round's agreed content: each sender's one signed, well-formed version."""
        content, self._live = self._echo.settle_naming(kind, self.faults)
        for sender, parsed in sorted(content.items()):
            if isinstance(parsed, Malformed):
                self._fault(sender, f"malformed {kind}: {parsed.reason}")
        return {s: p for s, p in content.items() if not isinstance(p, Malformed)}

    # -- deal ------------------------------------------------------------------------------

    def _make_deal(self) -> Message:
        degrees = {name: self.t if name in ("k", "a") else 2 * self.t for name in POLYS}
        per_presig = []
        mine: dict[int, Shares] = {j: [] for j in self.committee}
        for _ in range(self.batch_size):
            polys = {
                name: random_polynomial(deg, self._order, 0 if name in ZERO_SHARINGS else None, self._rand)
                for name, deg in degrees.items()
            }
            commits = {name: feldman_commit(self._g, coeffs) for name, coeffs in polys.items()}
            per_presig.append({name: [self._g.encode(p).hex() for p in pts] for name, pts in commits.items()})
            for j in self.committee:
                mine[j].append(tuple(evaluate(polys[n], j, self._order) for n in POLYS))
        self._sent = mine
        self._shares[self.index] = mine[self.index]
        sealed = {
            str(j): self._seal(j, sealed_head(self.session, self.index, j, self._g) + pack(mine[j])).hex()
            for j in self._others
        }
        return self._broadcast(DEAL, {"commitments": per_presig, "shares": sealed})

    def _open_my_shares(self, dealer: int, sealed: dict[str, Any]) -> Shares | None:
        """My shares from `dealer`'s agreed deal, or None (then I complain), whatever the cause."""
        try:
            blob = sealed.get(str(self.index))
            if not isinstance(blob, str):
                raise InvalidInput("shares", f"no share for party {self.index}")
            plain = self._open(dealer, bytes.fromhex(blob))
            head = sealed_head(self.session, dealer, self.index, self._g)
            if not isinstance(plain, (bytes, bytearray)) or not bytes(plain).startswith(head):
                raise InvalidInput("shares", "sealed for another session, dealer, recipient or curve")
            shares = unpack(bytes(plain)[len(head):], self.batch_size, "shares", self._order)
        except Exception:  # a share that cannot be opened is a complaint, whatever the cause
            return None
        return shares if self._shares_valid(dealer, self.index, shares) else None

    def _shares_valid(self, dealer: int, recipient: int, shares: Shares) -> bool:
        for b, values in enumerate(shares):
            commits = self._commitments[dealer][b]
            for name, value in zip(POLYS, values):
                if not self._g.eq(self._g.base_mul(value), commitment_at(self._g, commits[name], recipient)):
                    return False
        return True

    def _after_deal_echo(self) -> list[Message]:
        for dealer, (commitments, sealed) in sorted(self._settle(DEAL).items()):
            self._commitments[dealer] = commitments
            if dealer != self.index:
                shares = self._open_my_shares(dealer, sealed)
                if shares is not None:
                    self._shares[dealer] = shares
        against = sorted(d for d in self._commitments if d not in self._shares)
        self._phase = "complain"
        return [self._broadcast(COMPLAINT, {"against": against})]

    # -- complain / answer -----------------------------------------------------------------

    def _after_complaint_echo(self) -> list[Message]:
        complaints = self._settle(COMPLAINT)
        self._complainers = {d: {j for j, against in complaints.items() if d in against} for d in self._commitments}
        for dealer, complainers in sorted(self._complainers.items()):
            if len(complainers) > self.t:
                self._disqualify(dealer, f"{len(complainers)} complaints against its deal")
        if not self._answering():
            return self._start_open()  # nobody owes an answer: no answer round, no echo
        self._phase = "answer"
        if self.index not in self._answering():
            return []
        opened = {str(j): pack(self._sent[j]).hex() for j in sorted(self._complainers[self.index])}
        return [self._broadcast(ANSWER, {"shares": opened})]

    def _answering(self) -> set[int]:
        return {d for d, c in self._complainers.items() if 0 < len(c) <= self.t}

    def _after_answer_echo(self) -> list[Message]:
        answers = self._settle(ANSWER)
        for dealer in sorted(self._answering() - {self.index}):
            opened = answers.get(dealer)
            if opened is None:
                self._disqualify(dealer, "bad answer to complaints: no answer")
                continue
            wrong = next(
                (f"shares[{j}] missing or not matching its commitments" for j in sorted(self._complainers[dealer])
                 if j not in opened or not self._shares_valid(dealer, j, opened[j])),
                None,
            )
            if wrong is not None:
                self._disqualify(dealer, f"bad answer to complaints: {wrong}")
            elif self.index in self._complainers[dealer]:
                self._shares[dealer] = opened[self.index]
        return self._start_open()

    # -- open w = k·a ----------------------------------------------------------------------

    def _start_open(self) -> list[Message]:
        self.qualified = tuple(d for d in sorted(self._commitments) if d not in self._disqualified)
        if len(self.qualified) < self.t + 1:
            return self._fail_all(f"only {len(self.qualified)} qualified dealers, need {self.t + 1}")
        missing = [d for d in self.qualified if d not in self._shares]
        if missing:  # cannot happen for an honest member once answers are checked; be explicit
            return self._fail_all(f"no valid shares from qualified dealers {missing}")
        self._phase = "open"
        q = self.qualified
        self._agg: list[dict[str, list[Point]]] = []
        self._mine: list[tuple[int, ...]] = []
        body = []
        for b in range(self.batch_size):
            agg = {
                name: [
                    point_sum((self._commitments[d][b][name][k] for d in q), self._g)
                    for k in range(len(self._commitments[q[0]][b][name]))
                ]
                for name in POLYS
            }
            self._agg.append(agg)
            k_i, a_i, z_i, e_i, d_i = (sum(self._shares[d][b][m] for d in q) % self._order for m in range(len(POLYS)))
            self._mine.append((k_i, a_i, z_i, e_i, d_i))
            a_pub = commitment_at(self._g, agg["a"], self.index)
            w_i = (k_i * a_i + z_i) % self._order
            _, _, proof = prove_dleq(
                self._g.generator(), a_pub, k_i, context=self._context(b, self.index),
                random_bytes=self._random_bytes, group=self._g,
            )
            body.append({"w": f"{w_i:064x}", "proof": proof.to_dict()})
        return [self._broadcast(OPEN, {"w": body})]

    def _context(self, b: int, party: int) -> bytes:
        return f"litrt/presign/w|{self.session}|{b}|{party}".encode()

    def _valid_w(self, sender: int, b: int, opened: list[tuple[int, Any]]) -> int | None:
        w, proof = opened[b]
        agg, g = self._agg[b], self._g
        k_pub = commitment_at(g, agg["k"], sender)
        a_pub = commitment_at(g, agg["a"], sender)
        z_pub = commitment_at(g, agg["z"], sender)
        masked = g.add(g.base_mul(w), g.neg(z_pub))  # W_i − Z_i, must be k_i·A_i
        if not verify_dleq(g.generator(), k_pub, a_pub, masked, proof, context=self._context(b, sender), group=g):
            self._fault(sender, f"wrong w for presignature {b}")
            return None
        return w

    def _after_open_echo(self) -> list[Message]:
        opens = self._settle(OPEN)
        need = 2 * self.t + 1
        for b in range(self.batch_size):
            points = {s: w for s in sorted(opens) if (w := self._valid_w(s, b, opens[s])) is not None}
            if len(points) < need:
                self.failed[b] = str(NotEnoughShares(len(points), need, tuple(sorted(self.faults))))
                continue
            w = interpolate(dict(sorted(points.items())[:need]), self._order)
            if w == 0:
                self.failed[b] = "w = 0"
                continue
            big_r = self._g.mul(self._agg[b]["a"][0], pow(w, -1, self._order))
            if self._g.is_identity(big_r) or int.from_bytes(self._g.encode(big_r)[1:], "big") >= self._order:
                # R.x ≥ n (probability ~2^-128) would need recovery id 2 or 3, which Ethereum
                # cannot express: such a presignature is dropped rather than ever used.
                self.failed[b] = "R unusable (identity or R.x ≥ n)"
                continue
            k_i, _, _, e_i, d_i = self._mine[b]
            public = PresignaturePublic(
                id=f"{self.session}/{b}",
                committee=self.committee,
                threshold=self.t,
                big_r=big_r,
                k_commitments=tuple(self._agg[b]["k"]),
                e_commitments=tuple(self._agg[b]["e"]),
                d_commitments=tuple(self._agg[b]["d"]),
                group=self._g,
            )
            self._pending[b] = Presignature(public, self.index, k_i, e_i, d_i)
        return self._start_confirm()

    # -- confirm ---------------------------------------------------------------------------

    def _batch_digest(self) -> str:
        made = {p.public.id: p.public.digest() for p in self._pending.values()}
        blob = json.dumps([self.session, list(self.qualified), made], sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(_CONFIRM_DOMAIN + blob.encode()).hexdigest()

    def _start_confirm(self) -> list[Message]:
        digest = self._batch_digest()
        return self._start_confirm_of(digest)

    def _after_confirm(self) -> list[Message]:
        confirmations = self._confirmations
        for sender in confirmations.differing():
            self._fault(sender, "confirmed a different QUAL or different presignature public parts")
        if confirmations.reached():
            self._results = list(self._pending.values())
        else:
            silent = sorted(set(self._others) - confirmations.senders())
            why = (
                f"only {len(confirmations.matching())} of the {confirmations.quorum} (committee size − t) "
                f"confirmations needed match this member's QUAL and public parts; differing: "
                f"{confirmations.differing()}, silent: {silent}"
            )
            self.failed.update((b, why) for b in self._pending)
        self._pending = {}
        self._phase = _DONE
        return []

    # -- bookkeeping -----------------------------------------------------------------------

    def _fault(self, party: int, reason: str) -> None:
        self.faults.setdefault(party, reason)

    def _disqualify(self, dealer: int, reason: str) -> None:
        self._disqualified.add(dealer)
        self._fault(dealer, reason)

    def _fail_all(self, reason: str) -> list[Message]:
        for b in range(self.batch_size):
            self.failed[b] = reason
        self._phase = _DONE
        return []

    def _body_to_send(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """What this member broadcasts (tests override this to play a corrupt member)."""
        return body

    def _broadcast(self, kind: str, body: dict[str, Any]) -> Message:
        """A message of an echoed round: this member holds its own version like anybody else's."""
        message = self._message(kind, self._body_to_send(kind, body))
        self._echo.keep(message, parse_body(self._shape, kind, self.index, message.body))
        return message
