"""Consistent broadcast over a point-to-point carrier: echo rounds and confirmation quorums.

The carrier (the node's peer layer) sends a "broadcast" as n−1 separate messages, so a corrupt sender
can tell different parties different things, or tell some of them nothing. Two pure helpers make the
honest parties' views agree, for any protocol built on `runtime.crypto.protocol`:

`EchoRound`, after each broadcast round. Every party broadcasts the digests of the messages it holds
for that round (its own included). A party that holds a version another party's echo does not claim
forwards that signed message to it, and relays every version it learns later to every echoer that
lacks it. So a message that reached one honest party reaches every honest party, and a sender that
signed two different messages for one round is caught by everyone who sees both: the pair is a proof
(`Equivocation`) that no honest sender can be framed with, because only the sender can sign.

`Confirmations`, at the end. Each party signs a digest of what it is about to output; it outputs only
when n − t parties (itself included) signed the same digest. Any two sets of n − t parties share at
least n − 2t ≥ t + 1 members, so an honest one, and an honest party signs one digest: no two honest
parties ever output different results, whatever the echo rounds could not repair (a message a corrupt
party forwarded at the last moment to some honest parties only).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .channel import message_signed_bytes as signed_bytes  # exactly the bytes a signature covers
from .channel import sign_message, verify_message
from .identity import PartyKeys, PeerDirectory
from .errors import InvalidInput, ProtocolError
from .protocol import Message

__all__ = [
    "EchoedParty",
    "Equivocation",
    "EchoRound",
    "Confirmations",
    "EchoedRounds",
    "content_digest",
    "parse_digests",
    "forward_body",
    "parse_forwarded",
]

_DIGEST_DOMAIN = b"litrt/broadcast/content/v1\x00"
_DIGEST_HEX = 64

Parse = Callable[[Message], Any]


def content_digest(message: Message) -> str:
    """What the sender signed, hashed: two messages with one digest say the same thing (the signature
    itself is left out, so a re-encoded signature is not mistaken for a second message)."""
    return hashlib.sha256(_DIGEST_DOMAIN + signed_bytes(message)).hexdigest()


@dataclass(frozen=True)
class Equivocation:
    """Two different messages, each validly signed by `sender`, for one round: transferable proof."""

    sender: int
    kind: str
    first: Message
    second: Message


def _party(value: Any, field: str, parties: Collection[int]) -> int:
    if isinstance(value, str) and value.isdigit() and str(int(value)) == value:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value not in parties:
        raise InvalidInput(field, f"{value!r} is not a participant")
    return value


def parse_digests(body: Mapping[str, Any], field: str, parties: Collection[int]) -> dict[int, str]:
    """An echo body's {sender: digest}; InvalidInput naming the entry that is wrong."""
    raw = body.get("digests")
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{field}.digests", "expected an object")
    out = {}
    for key, value in raw.items():
        sender = _party(key, f"{field}.digests", parties)
        if not isinstance(value, str) or len(value) != _DIGEST_HEX or value.strip("0123456789abcdef"):
            raise InvalidInput(f"{field}.digests.{key}", f"expected {_DIGEST_HEX} lowercase hex digits")
        out[sender] = value
    return out


def forward_body(message: Message) -> dict[str, Any]:
    """The body of a message that carries another party's signed message unchanged."""
    return {"message": json.loads(message.to_json())}


def parse_forwarded(body: Mapping[str, Any], field: str, session: str, parties: Collection[int]) -> Message:
    """The signed message inside a forward, structurally checked (its signature is the caller's)."""
    inner = body.get("message")
    if not isinstance(inner, Mapping):
        raise InvalidInput(f"{field}.message", "expected an object")
    try:
        message = Message.from_json(json.dumps(inner))
    except (KeyError, TypeError, ValueError):
        raise InvalidInput(f"{field}.message", "not a protocol message") from None
    if message.session != session:
        raise InvalidInput(f"{field}.message.session", f"{message.session!r} is not this session")
    if message.recipient is not None:
        raise InvalidInput(f"{field}.message.recipient", "only broadcasts are forwarded")
    _party(message.sender, f"{field}.message.sender", parties)
    return message


class EchoRound:
    """One broadcast round's messages as this party holds them, made consistent by echoes.

    `hold` takes a message received directly; `on_echo` and `on_forward` take the echo round's
    traffic and return the forwards owed, as (recipient, signed message) pairs for the caller to wrap.
    """

    def __init__(self, kind: str, me: int) -> None:
        self.kind = kind
        self.me = me
        self._versions: dict[int, dict[str, Message]] = {}  # sender -> digest -> signed message
        self._claims: dict[int, dict[int, str]] = {}  # echoer -> sender -> digest
        self._owed: set[tuple[int, str]] = set()  # (recipient, digest) already forwarded

    # ---- what this party holds --------------------------------------------------------------

    def hold(self, message: Message) -> bool:
        """Keep a version of the sender's message; False if it is one already held."""
        if message.kind != self.kind:
            raise ProtocolError(f"kind: {message.kind!r} does not belong to the {self.kind!r} round")
        versions = self._versions.setdefault(message.sender, {})
        digest = content_digest(message)
        if digest in versions or len(versions) >= 2:
            return False  # two versions prove the equivocation; more would only cost memory
        versions[digest] = message
        return True

    def first(self, sender: int) -> Message | None:
        """The sender's message, if this party holds exactly one version of it."""
        versions = self._versions.get(sender, {})
        return next(iter(versions.values())) if len(versions) == 1 else None

    def senders(self) -> set[int]:
        return set(self._versions)

    def equivocations(self) -> dict[int, Equivocation]:
        out = {}
        for sender, versions in self._versions.items():
            if len(versions) > 1:
                a, b = sorted(versions)[:2]
                out[sender] = Equivocation(sender, self.kind, versions[a], versions[b])
        return out

    def echo_body(self) -> dict[str, Any]:
        return {"digests": {str(s): d for s, versions in sorted(self._versions.items()) for d in sorted(versions)[:1]}}

    # ---- the echo round ------------------------------------------------------------------------

    def on_echo(self, echoer: int, digests: Mapping[int, str]) -> list[tuple[int, Message]]:
        self._claims[echoer] = dict(digests)
        return self._owed_to(echoer)

    def on_forward(self, message: Message) -> list[tuple[int, Message]]:
        """A forwarded version (its signature already verified): relay it to whoever lacks it."""
        if not self.hold(message):
            return []
        return [push for echoer in sorted(self._claims) for push in self._owed_to(echoer)]

    def _owed_to(self, echoer: int) -> list[tuple[int, Message]]:
        if echoer == self.me:
            return []
        claims = self._claims[echoer]
        out = []
        for sender, versions in sorted(self._versions.items()):
            for digest, message in sorted(versions.items()):
                if claims.get(sender) != digest and (echoer, digest) not in self._owed:
                    self._owed.add((echoer, digest))
                    out.append((echoer, message))
        return out

    def settled(self, echoers: Iterable[int]) -> bool:
        """Every expected echo is in, and every version an echo claims is held here."""
        if any(e not in self._claims for e in echoers if e != self.me):
            return False
        return all(d in self._versions.get(s, {}) for claims in self._claims.values() for s, d in claims.items())

    def echoers(self) -> set[int]:
        return set(self._claims)


class EchoedRounds:
    """One party's echoed rounds of one protocol run: every version held, each parsed once, and the
    echo and forward messages that keep the parties' views the same.

    `echo_of` maps each echoed broadcast kind to the kind of its echo; `forward_kind` is the kind of
    the one addressed message, which carries another party's signed broadcast unchanged.
    """

    def __init__(
        self,
        identity: PartyKeys,
        peers: PeerDirectory,
        session: str,
        me: int,
        echo_of: Mapping[str, str],
        forward_kind: str,
        parse: Parse,
    ) -> None:
        self._identity, self._peers = identity, peers
        self.session, self.me = session, me
        self.echo_of = dict(echo_of)
        self.forward_kind = forward_kind
        self._parse = parse
        self._rounds = {kind: EchoRound(kind, me) for kind in echo_of}
        self._parsed: dict[str, Any] = {}  # content digest -> parsed body

    def __contains__(self, kind: str) -> bool:
        return kind in self._rounds

    def round(self, kind: str) -> EchoRound:
        return self._rounds[kind]

    def keep(self, message: Message, parsed: Any) -> None:
        """A version of a broadcast, received directly or this party's own, parsed by the caller."""
        self._parsed.setdefault(content_digest(message), parsed)
        self._rounds[message.kind].hold(message)

    def unwrap(self, forward: Message, parties: Collection[int]) -> Message:
        """The broadcast inside a forward whose own envelope the caller checked: its signature is
        verified and it is parsed, so a forwarder can pass on nothing its sender did not sign."""
        inner = parse_forwarded(forward.body, "forward", self.session, parties)
        if inner.kind not in self._rounds:
            raise InvalidInput("forward.message.kind", f"{inner.kind!r} is not an echoed broadcast")
        verify_message(self._peers, inner)
        self._parsed.setdefault(content_digest(inner), self._parse(inner))
        return inner

    def adopt(self, inner: Message, *, relay: bool) -> list[Message]:
        """Hold an unwrapped broadcast; during its echo round, relay it to every echoer that lacks it."""
        round_ = self._rounds[inner.kind]
        if not relay:
            round_.hold(inner)
            return []
        return self._forwards(round_.on_forward(inner))

    def open(self, kind: str, held_echoes: Iterable[tuple[int, Mapping[int, str]]]) -> list[Message]:
        """Start the echo of `kind`: this party's echo, then what the echoes already in show others lack."""
        round_ = self._rounds[kind]
        pushes = [push for echoer, digests in held_echoes for push in round_.on_echo(echoer, digests)]
        echo = sign_message(self._identity, Message(self.session, self.echo_of[kind], self.me, None, round_.echo_body()))
        return [echo] + self._forwards(pushes)

    def on_echo(self, kind: str, echoer: int, digests: Mapping[int, str]) -> list[Message]:
        return self._forwards(self._rounds[kind].on_echo(echoer, digests))

    def settle(self, kind: str) -> tuple[dict[int, Any], set[int]]:
        """Each sender's one version (parsed), and the senders caught with two."""
        round_ = self._rounds[kind]
        held = {s: round_.first(s) for s in round_.senders()}
        content = {s: self._parsed[content_digest(m)] for s, m in held.items() if m is not None}
        return content, set(round_.equivocations())

    def open_held(self, kind: str, held: Mapping[int, tuple[Any, Mapping[int, str]]]) -> list[Message]:
        """`open`, given the echoes that came before the round closed as {echoer: (body, digests)}."""
        return self.open(kind, sorted((echoer, digests) for echoer, (_, digests) in held.items()))

    def settle_naming(self, kind: str, faults: dict[int, str]) -> tuple[dict[int, Any], set[int]]:
        """`settle`, with each equivocator named in `faults`; and who echoed the round (this party
        left out): those a next phase still waits for, as the others have stopped talking."""
        content, equivocators = self.settle(kind)
        for sender in sorted(equivocators):
            faults.setdefault(sender, f"equivocated: signed two different {kind} messages")
        return content, self._rounds[kind].echoers() - {self.me}

    def equivocations(self) -> list[Equivocation]:
        return [e for r in self._rounds.values() for e in r.equivocations().values()]

    def _forwards(self, pushes: list[tuple[int, Message]]) -> list[Message]:
        return [
            sign_message(self._identity, Message(self.session, self.forward_kind, self.me, to, forward_body(m)))
            for to, m in pushes
        ]


class Confirmations:
    """Signed confirmations of one digest; `quorum` of them (own included) let a party output."""

    def __init__(self, me: int, quorum: int) -> None:
        self.me = me
        self.quorum = quorum
        self.mine: str | None = None
        self._by_sender: dict[int, tuple[str, Message | None]] = {}

    def confirm(self, digest: str) -> None:
        self.mine = digest
        self._by_sender[self.me] = (digest, None)

    def add(self, message: Message, digest: str) -> None:
        self._by_sender.setdefault(message.sender, (digest, message))

    def senders(self) -> set[int]:
        return set(self._by_sender)

    def matching(self) -> list[int]:
        return sorted(s for s, (d, _) in self._by_sender.items() if d == self.mine)

    def differing(self) -> list[int]:
        return sorted(s for s, (d, _) in self._by_sender.items() if d != self.mine)

    def reached(self) -> bool:
        return self.mine is not None and len(self.matching()) >= self.quorum

    def certificate(self) -> tuple[Message, ...]:
        """The other parties' signed confirmations of this party's digest."""
        return tuple(m for s in self.matching() if (m := self._by_sender[s][1]) is not None)


class EchoedParty:
    """What a protocol party built on echo rounds and a confirmation quorum (the DKG, presigning)
    shares: the party sets `session`, `index`, `_identity`, `_echo`, `_confirmations`, `_inbox`
    (kind -> sender -> (body, parsed) of messages held for later) and `_confirm_kind`."""

    session: str
    index: int
    _identity: PartyKeys
    _echo: EchoedRounds
    _confirmations: Confirmations
    _inbox: dict[str, dict[int, tuple[dict[str, Any], Any]]]
    _confirm_kind: str
    _phase: str

    def _message(self, kind: str, body: dict[str, Any]) -> Message:
        return sign_message(self._identity, Message(self.session, kind, self.index, None, body))

    def _start_confirm_of(self, digest: str) -> list[Message]:
        """Confirm `digest`, count the confirmations that came before this party had one, send ours."""
        self._confirmations.confirm(digest)
        for sender, (body, parsed) in self._inbox[self._confirm_kind].items():
            self._confirmations.add(Message(self.session, self._confirm_kind, sender, None, body), parsed)
        self._phase = "confirm"
        return [self._message(self._confirm_kind, {"digest": digest})]

    @property
    def equivocations(self) -> list[Equivocation]:
        """Transferable proofs: two signed versions of one sender's message for one round."""
        return self._echo.equivocations()

    @property
    def confirmations(self) -> tuple[Message, ...]:
        """The other parties' signed confirmations of this party's outcome, once it has one."""
        return self._confirmations.certificate()
