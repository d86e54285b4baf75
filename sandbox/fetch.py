"""fetch() for actions: one HTTP exchange with aiohttp, under the host's FetchPolicy.

Redirects are followed here, not by aiohttp, so that every hop's address is checked again. A hop
whose URL the policy's mocks cover is answered by the mock (sandbox/fetch_mocks.py) instead.

Every request to a non-public address (only a dev network allows those) carries ACTION_FETCH_HEADER,
which the action cannot remove, so that the developer's own loopback services can tell an action
from the developer. One that actions must not use at all (the `litrt dev` server, which runs actions
as the developer) answers 403 with REFUSED_TO_ACTIONS_HEADER naming itself, and the fetch then fails
as a fetch to the network's other own services does.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import socket
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from sandbox.addresses import FetchPolicy, IPAddress, is_loopback, is_public, resolve_checked
from sandbox.errors import FetchRefused, HostError
from sandbox.fetch_mocks import MOCK_HEADER, FetchReply

__all__ = ["perform_fetch", "MAX_REDIRECTS", "ACTION_FETCH_HEADER", "REFUSED_TO_ACTIONS_HEADER"]

MAX_REDIRECTS = 5
ACTION_FETCH_HEADER = "X-Litrt-Action-Fetch"
REFUSED_TO_ACTIONS_HEADER = "X-Litrt-Refused-To-Actions"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_READ_CHUNK = 64 * 1024


class _PinnedResolver(AbstractResolver):
    """Answers with the addresses already checked, so the connection goes exactly there."""

    def __init__(self, host: str, addresses: list[IPAddress]) -> None:
        self._host = host
        self._addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host != self._host:
            raise FetchRefused(f"fetch: unexpected host {host!r} during the request")
        results: list[ResolveResult] = []
        for address in self._addresses:
            fam = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            results.append(
                ResolveResult(
                    hostname=host, host=str(address), port=port, family=fam, proto=0, flags=socket.AI_NUMERICHOST
                )
            )
        return results

    async def close(self) -> None:
        return None


def _parse_request(request: dict[str, Any]) -> tuple[URL, str, dict[str, str], bytes | None]:
    url_text = request.get("url")
    if not isinstance(url_text, str) or not url_text:
        raise HostError("fetch: the URL must be a non-empty string")
    url = URL(url_text)
    if url.scheme not in ("http", "https") or not url.host:
        raise HostError(f"fetch: only http and https URLs are supported, not {url_text!r}")
    method = request.get("method", "GET")
    if not isinstance(method, str) or not method.isalpha():
        raise HostError(f"fetch: invalid method {method!r}")
    headers = request.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise HostError("fetch: headers must map names to strings")
    body_b64 = request.get("body")
    body = None
    if body_b64 is not None:
        try:
            body = base64.b64decode(str(body_b64), validate=True)
        except binascii.Error as exc:
            raise HostError("fetch: the request body could not be decoded") from exc
    return url, method.upper(), {str(k): v for k, v in headers.items()}, body


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int, url: URL) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_READ_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise HostError(f"fetch: the response from {url} is larger than the limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _exchange(
    url: URL,
    method: str,
    headers: dict[str, str],
    body: bytes | None,
    policy: FetchPolicy,
    max_bytes: int,
    loopback_only: bool = False,
) -> FetchReply:
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = await resolve_checked(url.host or "", port, policy)
    if loopback_only:
        for address in addresses:
            if not is_loopback(address):
                raise FetchRefused(f"fetch: the mock's forward target {url.host} resolves to {address}, not a loopback address")
    local = not all(is_public(address) for address in addresses)
    if local:
        marker = ACTION_FETCH_HEADER.lower()
        headers = {**{k: v for k, v in headers.items() if k.lower() != marker}, ACTION_FETCH_HEADER: "1"}
    connector = aiohttp.TCPConnector(resolver=_PinnedResolver(url.host or "", addresses), force_close=True)
    async with aiohttp.ClientSession(connector=connector, trust_env=False) as session:
        async with session.request(
            method, url, headers=headers, data=body, allow_redirects=False, auto_decompress=True
        ) as response:
            refusal = response.headers.get(REFUSED_TO_ACTIONS_HEADER)
            if local and response.status == 403 and refusal:
                raise FetchRefused(f"fetch: {url} is {refusal}, which actions may not reach")
            content = await _read_capped(response, max_bytes, url)
            return FetchReply(response.status, response.reason or "", list(response.headers.items()), content)


async def _hop(
    url: URL, method: str, headers: dict[str, str], body: bytes | None, policy: FetchPolicy, max_bytes: int
) -> FetchReply:
    """One request: to the network under the policy, or to the mock that covers `url`."""
    rule = policy.mocks.find(url) if policy.mocks is not None else None
    if policy.mocks is None or rule is None:
        return await _exchange(url, method, headers, body, policy, max_bytes)
    if rule.forward is None:
        reply = rule.reply(method, url)  # no DNS, no connection: the host may not even exist
        if len(reply.body) > max_bytes:
            raise HostError(f"fetch: the response from {url} is larger than the limit of {max_bytes} bytes")
    else:
        port = f":{url.explicit_port}" if url.explicit_port is not None else ""
        forwarded = {**headers, "X-Forwarded-Host": f"{url.host}{port}"}
        target = rule.forward_url(url)
        reply = await _exchange(target, method, forwarded, body, policy.for_forwarding(), max_bytes, loopback_only=True)
        reply = replace(reply, headers=[*reply.headers, (MOCK_HEADER, rule.pattern)])
    policy.mocks.note(method, url, rule, reply.status)
    return reply


async def perform_fetch(
    request: dict[str, Any], policy: FetchPolicy, timeout_s: float, max_bytes: int
) -> dict[str, Any]:
    """Run one fetch described by the prelude's request object; return the Response fields."""
    url, method, headers, body = _parse_request(request)
    try:
        async with asyncio.timeout(timeout_s):
            for hop in range(MAX_REDIRECTS + 1):
                reply = await _hop(url, method, headers, body, policy, max_bytes)
                location = next((v for k, v in reply.headers if k.lower() == "location"), None)
                if reply.status not in REDIRECT_STATUSES or location is None:
                    return {
                        "url": str(url),
                        "status": reply.status,
                        "statusText": reply.status_text,
                        "headers": [[k, v] for k, v in reply.headers],
                        "body": base64.b64encode(reply.body).decode("ascii"),
                        "redirected": hop > 0,
                    }
                url = URL(urljoin(str(url), location))
                if url.scheme not in ("http", "https"):
                    raise HostError(f"fetch: refusing a redirect to {url}")
                if reply.status == 303 or (reply.status in (301, 302) and method == "POST"):
                    method, body = "GET", None
            raise HostError(f"fetch: more than {MAX_REDIRECTS} redirects")
    except TimeoutError as exc:
        raise HostError(f"fetch: {url} did not answer within {timeout_s:g} s") from exc
    except aiohttp.ClientError as exc:
        raise HostError(f"fetch: request to {url} failed: {exc}") from exc
