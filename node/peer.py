"""Peer-to-peer transport: protocol messages signed by the sending node, carried over HTTP.

Every envelope names its sender and carries the sender's Ed25519 signature over the network id,
the path and the body, so a message cannot be replayed on another network or endpoint, and a
node accepts envelopes only from the peers in its config.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .config import NodeConfig
from .errors import BadRequest, Unauthorized

__all__ = ["PeerTransport", "open_envelope"]

log = logging.getLogger(__name__)

_DOMAIN = b"litrt-peer-v1\x00"


def _signed_bytes(network_id: str, path: str, body: str) -> bytes:
    return _DOMAIN + network_id.encode() + b"\x00" + path.encode() + b"\x00" + body.encode()


def open_envelope(config: NodeConfig, network_id: str, path: str, envelope: Any) -> tuple[int, Any]:
    """Check an incoming envelope; return (sender index, decoded payload)."""
    if not isinstance(envelope, dict):
        raise BadRequest("peer envelope must be a JSON object")
    try:
        sender = int(envelope["from"])
        body = str(envelope["body"])
        signature = bytes.fromhex(str(envelope["sig"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise BadRequest(f"peer envelope: malformed field {exc}") from None
    try:
        peer = config.peer(sender)
    except KeyError:
        raise Unauthorized(f"peer envelope from unknown node {sender}") from None
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(peer.signing_key)).verify(
            signature, _signed_bytes(network_id, path, body)
        )
    except (InvalidSignature, ValueError):
        raise Unauthorized(f"peer envelope from node {sender}: bad signature") from None
    return sender, json.loads(body)


class PeerTransport:
    """Sends signed envelopes to peers; retries briefly so a peer that is starting is not lost."""

    def __init__(self, config: NodeConfig, network_id: str, signing_key: Ed25519PrivateKey) -> None:
        self._config = config
        self._network_id = network_id
        self._key = signing_key
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    def envelope(self, path: str, payload: Any) -> dict[str, Any]:
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        sig = self._key.sign(_signed_bytes(self._network_id, path, body))
        return {"from": self._config.index, "body": body, "sig": sig.hex()}

    async def post(self, peer_index: int, path: str, payload: Any, attempts: int = 3) -> Any:
        """POST to a peer and return its JSON answer; raises ConnectionError after `attempts`."""
        url = self._config.peer(peer_index).url + path
        envelope = self.envelope(path, payload)
        last: Exception | None = None
        for attempt in range(attempts):
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
