"""Presigning for threshold ECDSA (DESIGN §4; Gennaro–Jarecki–Krawczyk–Rabin robust DSS style).

A committee of at most 3t+1 parties makes B presignatures in one run. Phases, one message each:

  deal      every dealer D broadcasts, per presignature, Feldman commitments to five polynomials
            (k and a of degree t; z, e and d of degree 2t with constant 0, so their constant
            commitment must be the identity) and each recipient's shares sealed to that recipient.
            d is the message-multiplied zero-sharing of signing (s_i += h·d_i): should a split
            use of one presignature ever slip past the agreement round, the shares of the
            minority then lie on k + d (degree 2t) and no longer reveal k_i.
  complain  every party broadcasts the dealers whose shares to it failed (possibly none).
  answer    a dealer with 1..t complaints opens the complainers' shares in public; everyone checks
            them. QUAL = dealers that dealt, got ≤ t complaints and answered each one validly.
  open      k_i, a_i, z_i, e_i = sums over QUAL. Each party publishes w_i = k_i·a_i + z_i with a
            Chaum–Pedersen proof that log_G K_i = log_{A_i}(w_i·G − Z_i) (K_i, A_i, Z_i from the
            commitments), so a wrong w_i is caught and its sender named. Any 2t+1 verified w_i
            interpolate w = k·a; R = w⁻¹·(a·G) = k⁻¹·G.

Assumptions: the carrier delivers a broadcast identically to all (a dealer that equivocates on its
commitments is not detected here), and phases are synchronous: `advance()` at a deadline means
"what has not arrived will not arrive". No I/O, no clock; randomness and the share cipher are
handed in (`seal(recipient, plaintext)`, `open_(sender, ciphertext)`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

from .dleq import DleqProof, prove_dleq, verify_dleq
from .errors import CryptoError, InvalidInput, NotEnoughShares, ProtocolError
from .presignature import Presignature, PresignaturePublic
from .protocol import Message
from .secp256k1 import ORDER, SECP256K1, Point
from .shamir import evaluate, interpolate, random_polynomial
from .vss import commitment_at, feldman_commit

__all__ = ["PresignParty", "Seal", "Open"]

Seal = Callable[[int, bytes], bytes]
Open = Callable[[int, bytes], bytes]
RandomScalar = Callable[[int], int]
RandomBytes = Callable[[int], bytes]

_POLYS = ("k", "a", "z", "e", "d")
_ZERO_SHARINGS = ("z", "e", "d")
_SCALARS = 32 * len(_POLYS)  # bytes of one party's shares of one presignature
_HEADER = b"litrt/presign/v2"
_G = SECP256K1


def _default_rand(modulus: int) -> int:
    return secrets.randbelow(modulus)


class PresignParty:
    """One committee member's side of one presigning run (implements `protocol.Party`)."""

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
        rand: RandomScalar = _default_rand,
        random_bytes: RandomBytes = secrets.token_bytes,
    ) -> None:
        members = tuple(sorted(committee))
        if not isinstance(session, str) or not session:
            raise InvalidInput("session", "expected a non-empty string")
        if len(set(members)) != len(members) or any(not isinstance(i, int) or i < 1 for i in members):
            raise InvalidInput("committee", "party indices must be distinct positive ints")
        if not isinstance(threshold, int) or threshold < 0:
            raise InvalidInput("threshold", "must be a non-negative int")
        if not 2 * threshold + 1 <= len(members) <= 3 * threshold + 1:
            # More than 3t+1 would let two disjoint 2t+1 sets sign different messages (DESIGN §4).
            raise InvalidInput("committee", f"size {len(members)} outside [2t+1, 3t+1] for t={threshold}")
        if index not in members:
            raise InvalidInput("index", f"party {index} is not in the committee")
        if not isinstance(batch_size, int) or not 1 <= batch_size <= 1024:
            raise InvalidInput("batch_size", "must be an int in [1, 1024]")
        self.session = session
        self.index = index
        self.committee = members
        self.t = threshold
        self.batch_size = batch_size
        self._seal, self._open, self._rand, self._random_bytes = seal, open_, rand, random_bytes
        self._phase = "init"
        self.faults: dict[int, str] = {}  # party -> first reason it was caught misbehaving
        self.qualified: tuple[int, ...] = ()
        self._commitments: dict[int, list[dict[str, list[Point]]]] = {}  # dealer -> per presig
        self._shares: dict[int, list[tuple[int, ...]]] = {}  # dealer -> my (k, a, z, e, d)
        self._bad_deal_to_me: set[int] = set()
        self._sent: dict[int, list[tuple[int, ...]]] = {}  # recipient -> what we dealt it
        self._disqualified: set[int] = set()  # dealers out of QUAL
        self._complaints: dict[int, set[int]] = {}  # complainer -> dealers
        self._answers: dict[int, dict[str, Any]] = {}  # dealer -> raw answer body
        self._must_answer: set[int] = set()
        self._opened: dict[int, dict[str, Any]] = {}  # sender -> raw open body
        self._results: list[Presignature] = []
        self.failed: dict[int, str] = {}  # batch position -> why no presignature came out

    # -- Party interface -------------------------------------------------------------------

    @property
    def phase(self) -> str:
        return self._phase

    @property
    def done(self) -> bool:
        return self._phase == "done"

    def start(self) -> list[Message]:
        if self._phase != "init":
            raise ProtocolError("start() called twice")
        self._phase = "deal"
        deal = self._make_deal()
        return [deal] + self._progress()

    def receive(self, message: Message) -> list[Message]:
        if message.session != self.session:
            raise ProtocolError(f"message for session {message.session!r}, not {self.session!r}")
        sender = message.sender
        if sender not in self.committee or sender == self.index:
            raise ProtocolError(f"message from party {sender}, not another committee member")
        if message.recipient not in (None, self.index):
            raise ProtocolError(f"message for party {message.recipient}, not {self.index}")
        if self._phase in ("init", "done"):
            return []  # late or early beyond the run: nothing it could change
        body = message.body if isinstance(message.body, dict) else {}
        handler = {
            "presign.deal": self._on_deal,
            "presign.complaint": self._on_complaint,
            "presign.answer": self._on_answer,
            "presign.open": self._on_open,
        }.get(message.kind)
        if handler is None:
            self._fault(sender, f"unknown message kind {message.kind!r}")
            return []
        handler(sender, body)
        return self._progress()

    def advance(self) -> list[Message]:
        """The phase deadline passed: whoever has not spoken is treated as silent."""
        if self._phase == "deal":
            return self._end_deal()
        if self._phase == "complain":
            return self._end_complain()
        if self._phase == "answer":
            return self._end_answer()
        if self._phase == "open":
            self._end_open()
        return []

    def results(self) -> list[Presignature]:
        if not self.done:
            raise ProtocolError(f"presigning not finished (phase {self._phase})")
        return list(self._results)

    # -- deal ------------------------------------------------------------------------------

    def _make_deal(self) -> Message:
        degrees = {name: self.t if name in ("k", "a") else 2 * self.t for name in _POLYS}
        per_presig = []
        mine: dict[int, list[tuple[int, ...]]] = {j: [] for j in self.committee}
        own_commitments = []
        for _ in range(self.batch_size):
            polys = {
                name: random_polynomial(deg, ORDER, 0 if name in _ZERO_SHARINGS else None, self._rand)
                for name, deg in degrees.items()
            }
            commits = {name: feldman_commit(_G, coeffs) for name, coeffs in polys.items()}
            own_commitments.append(commits)
            per_presig.append({name: [_G.encode(p).hex() for p in pts] for name, pts in commits.items()})
            for j in self.committee:
                mine[j].append(tuple(evaluate(polys[n], j, ORDER) for n in _POLYS))
        sealed = {
            str(j): self._seal(j, self._envelope(self.index, j, mine[j])).hex()
            for j in self.committee
            if j != self.index
        }
        self._commitments[self.index] = own_commitments
        self._sent = mine
        self._shares[self.index] = mine[self.index]
        return Message(self.session, "presign.deal", self.index, None, {"commitments": per_presig, "shares": sealed})

    def _envelope(self, dealer: int, recipient: int, shares: list[tuple[int, ...]]) -> bytes:
        # The header binds session, dealer and recipient: a sealed blob replayed elsewhere fails.
        sid = self.session.encode()
        head = _HEADER + len(sid).to_bytes(2, "big") + sid + dealer.to_bytes(4, "big") + recipient.to_bytes(4, "big")
        return head + _pack(shares)

    def _on_deal(self, dealer: int, body: dict[str, Any]) -> None:
        if dealer in self._commitments or dealer in self._disqualified or self._phase != "deal":
            return
        try:
            commitments = self._parse_commitments(body.get("commitments"))
        except CryptoError as exc:
            self._disqualify(dealer, f"malformed deal: {exc}")
            return
        self._commitments[dealer] = commitments
        sealed = body.get("shares")
        try:
            if not isinstance(sealed, dict) or not isinstance(sealed.get(str(self.index)), str):
                raise InvalidInput("shares", f"no share for party {self.index}")
            plain = self._open(dealer, bytes.fromhex(sealed[str(self.index)]))
            head = self._envelope(dealer, self.index, [])
            if not isinstance(plain, (bytes, bytearray)) or not bytes(plain).startswith(head):
                raise InvalidInput("shares", "sealed for another session, dealer or recipient")
            shares = _unpack(bytes(plain)[len(head):], self.batch_size, "shares")
            if not self._shares_valid(dealer, self.index, shares):
                raise InvalidInput("shares", "do not match the commitments")
        except Exception:  # a share that cannot be opened or checked is a complaint, whatever the cause
            self._bad_deal_to_me.add(dealer)
            return
        self._shares[dealer] = shares

    def _parse_commitments(self, raw: Any) -> list[dict[str, list[Point]]]:
        if not isinstance(raw, list) or len(raw) != self.batch_size:
            raise InvalidInput("commitments", f"expected {self.batch_size} entries")
        out = []
        for b, entry in enumerate(raw):
            if not isinstance(entry, dict):
                raise InvalidInput(f"commitments[{b}]", "expected an object")
            parsed = {}
            for name in _POLYS:
                length = self.t + 1 if name in ("k", "a") else 2 * self.t + 1
                pts = entry.get(name)
                field = f"commitments[{b}].{name}"
                if not isinstance(pts, list) or len(pts) != length or not all(isinstance(p, str) for p in pts):
                    raise InvalidInput(field, f"expected {length} hex points")
                decoded = [
                    _G.decode_hex(p, f"{field}[{k}]", allow_identity=k > 0 or name in _ZERO_SHARINGS) for k, p in enumerate(pts)
                ]
                if name in _ZERO_SHARINGS and decoded[0] is not None:
                    raise InvalidInput(f"{field}[0]", "a zero-sharing must commit to the identity")
                parsed[name] = decoded
            out.append(parsed)
        return out

    def _shares_valid(self, dealer: int, recipient: int, shares: list[tuple[int, ...]]) -> bool:
        for b, values in enumerate(shares):
            commits = self._commitments[dealer][b]
            for name, value in zip(_POLYS, values):
                if not _G.eq(_G.base_mul(value), commitment_at(_G, commits[name], recipient)):
                    return False
        return True

    def _end_deal(self) -> list[Message]:
        self._phase = "complain"
        against = sorted(
            d for d in self._commitments if d in self._bad_deal_to_me or d not in self._shares
        )
        self._complaints[self.index] = set(against)
        out = [Message(self.session, "presign.complaint", self.index, None, {"against": against})]
        return out + self._progress()

    # -- complain / answer -----------------------------------------------------------------

    def _on_complaint(self, sender: int, body: dict[str, Any]) -> None:
        if sender in self._complaints:
            return
        against = body.get("against")
        if not isinstance(against, list) or not all(isinstance(d, int) for d in against):
            self._fault(sender, "malformed complaint")
            self._complaints[sender] = set()
            return
        self._complaints[sender] = {d for d in against if d in self.committee and d != sender}

    def _complainers(self, dealer: int) -> set[int]:
        return {j for j, dealers in self._complaints.items() if dealer in dealers}

    def _end_complain(self) -> list[Message]:
        self._phase = "answer"
        for dealer in sorted(self._commitments):
            complainers = self._complainers(dealer)
            if len(complainers) > self.t:
                self._disqualify(dealer, f"{len(complainers)} complaints against its deal")
            elif complainers:
                self._must_answer.add(dealer)
        out = []
        if self.index in self._must_answer:
            opened = {
                str(j): _pack(self._dealt_to(j)).hex() for j in sorted(self._complainers(self.index))
            }
            self._answers[self.index] = {"shares": opened}
            out.append(Message(self.session, "presign.answer", self.index, None, {"shares": opened}))
        return out + self._progress()

    def _dealt_to(self, j: int) -> list[tuple[int, ...]]:
        return self._sent[j]

    def _on_answer(self, dealer: int, body: dict[str, Any]) -> None:
        if dealer not in self._answers:
            self._answers[dealer] = body

    def _end_answer(self) -> list[Message]:
        for dealer in sorted(self._must_answer):
            if dealer in self._disqualified:
                continue
            opened = self._answers.get(dealer, {}).get("shares")
            try:
                if not isinstance(opened, dict):
                    raise InvalidInput("shares", "no answer")
                for j in sorted(self._complainers(dealer)):
                    blob = opened.get(str(j))
                    if not isinstance(blob, str):
                        raise InvalidInput("shares", f"no opened share for complainer {j}")
                    shares = _unpack(bytes.fromhex(blob), self.batch_size, f"shares[{j}]")
                    if not self._shares_valid(dealer, j, shares):
                        raise InvalidInput(f"shares[{j}]", "do not match the commitments")
                    if j == self.index:
                        self._shares[dealer] = shares
            except (CryptoError, ValueError) as exc:
                self._disqualify(dealer, f"bad answer to complaints: {exc}")
        self.qualified = tuple(d for d in sorted(self._commitments) if d not in self._disqualified)
        if len(self.qualified) < self.t + 1:
            self._fail_all(f"only {len(self.qualified)} qualified dealers, need {self.t + 1}")
            return []
        missing = [d for d in self.qualified if d not in self._shares]
        if missing:  # cannot happen for an honest party once answers are checked; be explicit
            self._fail_all(f"no valid shares from qualified dealers {missing}")
            return []
        return self._start_open()

    # -- open w = k·a ----------------------------------------------------------------------

    def _start_open(self) -> list[Message]:
        self._phase = "open"
        q = self.qualified
        self._agg: list[dict[str, list[Point]]] = []
        self._mine: list[tuple[int, ...]] = []
        body = []
        for b in range(self.batch_size):
            agg = {
                name: [
                    _sum(self._commitments[d][b][name][k] for d in q)
                    for k in range(len(self._commitments[q[0]][b][name]))
                ]
                for name in _POLYS
            }
            self._agg.append(agg)
            k_i, a_i, z_i, e_i, d_i = (sum(self._shares[d][b][m] for d in q) % ORDER for m in range(len(_POLYS)))
            self._mine.append((k_i, a_i, z_i, e_i, d_i))
            a_pub = commitment_at(_G, agg["a"], self.index)
            w_i = (k_i * a_i + z_i) % ORDER
            _, _, proof = prove_dleq(
                _G.generator(), a_pub, k_i, context=self._context(b, self.index), random_bytes=self._random_bytes
            )
            body.append({"w": f"{w_i:064x}", "proof": proof.to_dict()})
        self._opened[self.index] = {"w": body}
        return [Message(self.session, "presign.open", self.index, None, {"w": body})] + self._progress()

    def _context(self, b: int, party: int) -> bytes:
        return f"litrt/presign/w|{self.session}|{b}|{party}".encode()

    def _on_open(self, sender: int, body: dict[str, Any]) -> None:
        if sender not in self._opened:
            self._opened[sender] = body

    def _valid_w(self, sender: int, b: int) -> int | None:
        entries = self._opened.get(sender, {}).get("w")
        try:
            if not isinstance(entries, list) or len(entries) != self.batch_size:
                raise InvalidInput("w", f"expected {self.batch_size} entries")
            entry = entries[b]
            if not isinstance(entry, dict) or not isinstance(entry.get("w"), str) or len(entry["w"]) != 64:
                raise InvalidInput(f"w[{b}]", "expected 64 hex digits")
            w = int(entry["w"], 16)
            if not 0 <= w < ORDER:
                raise InvalidInput(f"w[{b}]", "scalar out of range")
            proof = DleqProof.from_dict(entry.get("proof"), f"w[{b}].proof")
        except (CryptoError, ValueError) as exc:
            self._fault(sender, f"malformed opening: {exc}")
            return None
        agg = self._agg[b]
        k_pub = commitment_at(_G, agg["k"], sender)
        a_pub = commitment_at(_G, agg["a"], sender)
        z_pub = commitment_at(_G, agg["z"], sender)
        masked = _G.add(_G.base_mul(w), _G.neg(z_pub))  # W_i − Z_i, must be k_i·A_i
        if not verify_dleq(_G.generator(), k_pub, a_pub, masked, proof, context=self._context(b, sender)):
            self._fault(sender, f"wrong w for presignature {b}")
            return None
        return w

    def _end_open(self) -> None:
        need = 2 * self.t + 1
        for b in range(self.batch_size):
            points: dict[int, int] = {}
            for sender in self.committee:
                if sender in self._opened:
                    w = self._valid_w(sender, b)
                    if w is not None:
                        points[sender] = w
            if len(points) < need:
                bad = tuple(sorted(j for j in self.faults))
                self.failed[b] = str(NotEnoughShares(len(points), need, bad))
                continue
            chosen = dict(sorted(points.items())[:need])
            w = interpolate(chosen, ORDER)
            if w == 0:
                self.failed[b] = "w = 0"
                continue
            big_r = _G.mul(self._agg[b]["a"][0], pow(w, -1, ORDER))
            if big_r is None or int.from_bytes(_G.encode(big_r)[1:], "big") >= ORDER:
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
            )
            self._results.append(Presignature(public, self.index, k_i, e_i, d_i))
        self._phase = "done"

    # -- bookkeeping -----------------------------------------------------------------------

    def _fault(self, party: int, reason: str) -> None:
        self.faults.setdefault(party, reason)

    def _disqualify(self, dealer: int, reason: str) -> None:
        self._disqualified.add(dealer)
        self._fault(dealer, reason)

    def _fail_all(self, reason: str) -> None:
        for b in range(self.batch_size):
            self.failed[b] = reason
        self._phase = "done"

    def _progress(self) -> list[Message]:
        others = [j for j in self.committee if j != self.index]
        if self._phase == "deal" and all(j in self._commitments or j in self._disqualified for j in others):
            return self._end_deal()
        if self._phase == "complain" and all(j in self._complaints for j in others):
            return self._end_complain()
        if self._phase == "answer" and all(
            d in self._answers or d in self._disqualified for d in self._must_answer
        ):
            return self._end_answer()
        if self._phase == "open" and all(j in self._opened for j in others):
            self._end_open()
        return []


def _sum(points: Any) -> Point:
    acc: Point = None
    for p in points:
        acc = _G.add(acc, p)
    return acc


def _pack(shares: list[tuple[int, ...]]) -> bytes:
    return b"".join(v.to_bytes(32, "big") for values in shares for v in values)


def _unpack(blob: bytes, batch_size: int, field: str) -> list[tuple[int, ...]]:
    if len(blob) != _SCALARS * batch_size:
        raise InvalidInput(field, f"expected {_SCALARS * batch_size} bytes, got {len(blob)}")
    values = [int.from_bytes(blob[i : i + 32], "big") for i in range(0, len(blob), 32)]
    if any(v >= ORDER for v in values):
        raise InvalidInput(field, "scalar out of range")
    width = len(_POLYS)
    return [tuple(values[i : i + width]) for i in range(0, len(values), width)]
