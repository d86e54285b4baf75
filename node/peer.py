"""Peer-to-peer transport: protocol messages signed by the sending node, carried over HTTP.

Every envelope names its sender and its recipient, carries a timestamp and a random nonce, and the
sender's Ed25519 signature over all of them with the network id, the path and the body. So a
message cannot be replayed on another network, endpoint or node, nor outside a short window, and
a `ReplayGuard` refuses it a second time inside that window. A node accepts envelopes only from
the peers in its config.

Peer routes open what they receive with `PeerTransport.open(path, envelope)`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import aiohttp
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .config import NodeConfig
from .errors import BadRequest, Unauthorized

__all__ = ["PeerTransport", "ReplayGuard", "open_envelope", "WINDOW_S"]

log = logging.getLogger(__name__)

_DOMAIN = b"litrt-peer-v2\x00"
WINDOW_S = 60.0  # how far an envelope's timestamp may be from the receiver's clock, either way
_NONCE_BYTES = 16
# Above any honest rate (DKG and presigning send a few hundred messages a minute per peer), and
# small enough that a flooding peer costs a few MiB.
_MAX_NONCES_PER_SENDER = 100_000

Clock = Callable[[], float]


def _signed_bytes(network_id: str, path: str, sender: int, recipient: int, ts_ms: int, nonce: str, body: str) -> bytes:
    head = "\x00".join((network_id, path, str(sender), str(recipient), str(ts_ms), nonce))
    return _DOMAIN + head.encode() + b"\x00" + body.encode()


class ReplayGuard:
    """Which (sender, nonce) pairs a node has accepted while their timestamps were fresh.

    An entry can be forgotten once its timestamp leaves the window, as the freshness check refuses
    it from then on. Envelopes stamped before the guard was made are refused, so a restart (which
    empties the cache) does not reopen the last minute's envelopes to replay.
    """

    def __init__(self, window_s: float = WINDOW_S, max_per_sender: int = _MAX_NONCES_PER_SENDER, clock: Clock = time.time) -> None:
        self._window = window_s
        self._max = max_per_sender
        self._clock = clock
        self._started = math.floor(clock() * 1000) / 1000  # envelopes carry whole milliseconds
        self._seen: dict[int, OrderedDict[str, float]] = {}

    def admit(self, sender: int, nonce: str, timestamp: float) -> None:
        """Record one envelope's nonce, or raise Unauthorized saying why it is refused."""
        now = self._clock()
        if abs(timestamp - now) > self._window:
            raise Unauthorized(
                f"peer envelope from node {sender}: timestamp {timestamp:.3f} is more than "
                f"{self._window:.0f}s from this node's clock ({now:.3f})"
            )
        if timestamp < self._started:
            raise Unauthorized(f"peer envelope from node {sender}: stamped before this node started")
        seen = self._seen.setdefault(sender, OrderedDict())
        while seen and next(iter(seen.values())) < now:
            seen.popitem(last=False)
        if nonce in seen:
            raise Unauthorized(f"peer envelope from node {sender}: replayed (nonce {nonce} already seen)")
        if len(seen) >= self._max:
            raise Unauthorized(f"peer envelope from node {sender}: too many envelopes within {self._window:.0f}s")
        seen[nonce] = timestamp + self._window


def _fields(envelope: Any) -> tuple[int, int, int, str, str, bytes]:
    """(sender, recipient, timestamp in ms, nonce, body, signature) of an envelope, type-checked."""
    if not isinstance(envelope, dict):
        raise BadRequest("peer envelope must be a JSON object")
    wanted = {"from": int, "to": int, "ts": int, "nonce": str, "body": str, "sig": str}
    for name, kind in wanted.items():
        value = envelope.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise BadRequest(f"peer envelope: {name} must be a JSON {'integer' if kind is int else 'string'}")
    nonce = envelope["nonce"]
    if len(nonce) != 2 * _NONCE_BYTES or not all(c in "0123456789abcdef" for c in nonce):
        raise BadRequest(f"peer envelope: nonce must be {2 * _NONCE_BYTES} lowercase hex digits")
    try:
        signature = bytes.fromhex(envelope["sig"])
    except ValueError:
        raise BadRequest("peer envelope: sig must be hex") from None
    return envelope["from"], envelope["to"], envelope["ts"], nonce, envelope["body"], signature


def open_envelope(config: NodeConfig, network_id: str, path: str, envelope: Any, guard: ReplayGuard) -> tuple[int, Any]:
    """Check an incoming envelope for this node (`config.index`); return (sender index, decoded payload).

    The signature is checked before the recipient, the clock and the replay cache, so only a
    peer's own envelopes can take room in the cache."""
    sender, recipient, ts_ms, nonce, body, signature = _fields(envelope)
    try:
        peer = config.peer(sender)
    except KeyError:
        raise Unauthorized(f"peer envelope from unknown node {sender}") from None
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(peer.signing_key)).verify(
            signature, _signed_bytes(network_id, path, sender, recipient, ts_ms, nonce, body)
        )
    except (InvalidSignature, ValueError):
        raise Unauthorized(f"peer envelope from node {sender}: bad signature") from None
    if recipient != config.index:
        raise Unauthorized(f"peer envelope from node {sender} is addressed to node {recipient}, not node {config.index}")
    guard.admit(sender, nonce, ts_ms / 1000)
    try:
        return sender, json.loads(body)
    except (ValueError, RecursionError):
        raise BadRequest(f"peer envelope from node {sender}: body is not valid JSON") from None


class PeerTransport:
    """Sends signed envelopes to peers; retries briefly so a peer that is starting is not lost."""

    def __init__(
        self, config: NodeConfig, network_id: str, signing_key: Ed25519PrivateKey, clock: Clock = time.time
    ) -> None:
        self._config = config
        self._network_id = network_id
        self._key = signing_key
        self._clock = clock
        self.guard = ReplayGuard(clock=clock)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    def envelope(self, path: str, payload: Any, recipient: int) -> dict[str, Any]:
        """A fresh envelope (new timestamp and nonce) carrying `payload` to node `recipient`."""
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        sender, ts_ms, nonce = self._config.index, math.floor(self._clock() * 1000), secrets.token_hex(_NONCE_BYTES)
        sig = self._key.sign(_signed_bytes(self._network_id, path, sender, recipient, ts_ms, nonce, body))
        return {"from": sender, "to": recipient, "ts": ts_ms, "nonce": nonce, "body": body, "sig": sig.hex()}

    def open(self, path: str, envelope: Any) -> tuple[int, Any]:
        """An envelope received on `path`: (sender index, payload), or Unauthorized/BadRequest."""
        return open_envelope(self._config, self._network_id, path, envelope, self.guard)

    async def post(self, peer_index: int, path: str, payload: Any, attempts: int = 3) -> Any:
        """POST to a peer and return its JSON answer; raises ConnectionError after `attempts`."""
        url = self._config.peer(peer_index).url + path
        last: Exception | None = None
        for attempt in range(attempts):
            # A fresh envelope each time: the peer may have accepted the last one and lost the answer.
            envelope = self.envelope(path, payload, peer_index)
            try:
                async with self._client().post(url, json=envelope) as resp:
                    data = await resp.json(content_type=None)
                    if resp.status >= 400:
                        raise ConnectionError(f"node {peer_index} answered {resp.status}: {data}")
                    return data
            except (aiohttp.ClientError, asyncio.TimeoutError, json.JSONDecodeError) as exc:
                last = exc
                await asyncio.sleep(0.2 * (attempt + 1))
        raise ConnectionError(f"node {peer_index} unreachable at {url}: {last}")

    async def status(self, peer_index: int) -> dict[str, Any] | None:
        """A peer's public /status, or None if it does not answer."""
        try:
            async with self._client().get(self._config.peer(peer_index).url + "/status", timeout=aiohttp.ClientTimeout(total=3)) as resp:
                return await resp.json() if resp.status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, json.JSONDecodeError):
            return None

    async def broadcast(self, path: str, payload: Any, attempts: int = 3) -> dict[int, Any]:
        """POST to every other peer at once; the answers of those that replied."""
        others = [p.index for p in self._config.peers if p.index != self._config.index]
        results = await asyncio.gather(
            *(self.post(i, path, payload, attempts) for i in others), return_exceptions=True
        )
        answers: dict[int, Any] = {}
        for index, result in zip(others, results):
            if isinstance(result, BaseException):
                log.warning("peer %s: %s", index, result)
            else:
                answers[index] = result
        return answers
