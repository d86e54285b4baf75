"""The shape shared by every multi-party protocol (DKG, presigning): pure state machines.

A party never does I/O. It is handed its randomness and its inputs, and it reacts to
`start()`, `receive(message)` and `advance()` (called by the carrier when the current phase's
deadline passes) by returning the messages to send. The carrier (an in-process harness in the
tests, the node's HTTP peer layer in production) only moves `Message`s, JSON-serialised, and
stores nothing it must understand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["Message", "Party"]


@dataclass(frozen=True)
class Message:
    """One protocol message. `recipient` None means broadcast to every other party."""

    session: str  # protocol instance id, e.g. "dkg-genesis" or "presign-batch-17"
    kind: str  # protocol-specific type, e.g. "deal", "complaint"
    sender: int
    recipient: int | None
    body: dict[str, Any] = field(default_factory=dict)  # JSON-safe only (hex strings, ints, lists)

    def to_json(self) -> str:
        return json.dumps(
            {
                "session": self.session,
                "kind": self.kind,
                "sender": self.sender,
                "recipient": self.recipient,
                "body": self.body,
            },
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> "Message":
        data = json.loads(text)
        return cls(
            session=str(data["session"]),
            kind=str(data["kind"]),
            sender=int(data["sender"]),
            recipient=None if data.get("recipient") is None else int(data["recipient"]),
            body=dict(data.get("body") or {}),
        )


class Party(Protocol):
    """What the carrier sees of a protocol participant."""

    index: int
    session: str

    @property
    def phase(self) -> str: ...

    @property
    def done(self) -> bool: ...

    def start(self) -> list[Message]: ...

    def receive(self, message: Message) -> list[Message]: ...

    def advance(self) -> list[Message]:
        """The current phase's deadline passed: stop waiting for the missing messages."""
        ...
