"""L2: malformed input is a 4xx naming what is wrong; an internal error is a generic 500; no RPC URL leaks.

Before the fix a JSON integer longer than Python's int-string limit (ValueError) or a deeply nested
body (RecursionError) became a 500 carrying "{type}: {exc}", and an unreachable chain's error text,
with its RPC URL (which may embed an API key), reached the client.

The node here is real (its aiohttp app and service) but alone: no DKG has run, so routes that get
past validation answer 503 not_ready, which is not what these tests are about.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from eth_account import Account

from node.app import create_app
from runtime.chain.errors import RpcUnavailable
from runtime.client.auth import create_auth_sig

from .nodes import SECRET_RPC_URL, node_service

SECRET = "sk-live-0123456789abcdef"
HUGE_INT = "1" + "0" * 5000
DEEP = "[" * 200_000 + "]" * 200_000
WRONG_VALUES: list[Any] = [5, -1, 1.5, True, None, "x", [], [1, [2]], {}, {"a": {"b": 1}}, HUGE_INT[:300]]
FIELDS = [
    "code", "ipfsId", "jsParams", "authSig", "requestId", "clientPublicKey", "toSign", "publicKey",
    "accessControlConditions", "evmContractConditions", "unifiedAccessControlConditions", "ciphertext",
    "dataToEncryptHash", "chain", "iat", "exp", "coordinator", "sigName",
]


@pytest_asyncio.fixture
async def client(tmp_path) -> AsyncIterator[TestClient]:
    service = node_service(tmp_path, ["http://127.0.0.1:7001", "http://127.0.0.1:7002", "http://127.0.0.1:7003"])
    app = create_app(service)
    app.on_startup.clear()  # no genesis: peers are only names here

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError(f"detail only the log may see: {SECRET_RPC_URL}")

    app.router.add_post("/test/boom", boom)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def _post_routes(client: TestClient) -> list[str]:
    return sorted(
        r.resource.canonical for r in client.app.router.routes() if r.method == "POST" and not r.resource.canonical.startswith("/test/")
    )


def _client_routes(client: TestClient) -> list[str]:
    return [path for path in _post_routes(client) if not path.startswith("/peer/")]


async def _post_raw(client: TestClient, path: str, text: str) -> tuple[int, dict[str, Any]]:
    async with client.post(path, data=text.encode(), headers={"Content-Type": "application/json"}) as resp:
        return resp.status, await resp.json(content_type=None)


def _is_refusal(status: int, answer: dict[str, Any]) -> bool:
    """A 4xx with a message, or the lone node's honest 'not ready' once the input passed validation."""
    named = isinstance(answer.get("message"), str) and answer["message"] != ""
    return named and (400 <= status < 500 or (status == 503 and answer.get("errorKind") == "not_ready"))


async def test_every_post_route_refuses_huge_integers_with_400(client) -> None:
    for path in _post_routes(client):
        for body in (f'{{"requestId": {HUGE_INT}}}', f"[{HUGE_INT}]", HUGE_INT):
            status, answer = await _post_raw(client, path, body)
            assert status == 400 and "too long" in answer["message"], (path, status, answer)


async def test_every_post_route_refuses_deep_nesting_with_400(client) -> None:
    for path in _post_routes(client):
        for body in (DEEP, '{"jsParams": ' + "[" * 500 + "]" * 500 + "}"):
            status, answer = await _post_raw(client, path, body)
            assert status == 400 and "nested" in answer["message"], (path, status, answer)


async def test_every_post_route_refuses_bodies_of_the_wrong_type(client) -> None:
    for path in _post_routes(client):
        for body in ("[]", '"text"', "7", "null", "true", "not json", "\xff"):
            status, answer = await _post_raw(client, path, body)
            assert 400 <= status < 500 and answer["message"], (path, body, status, answer)


async def test_client_routes_answer_fields_of_the_wrong_type_without_a_5xx(client) -> None:
    failures = []
    for path in _client_routes(client):
        for name in FIELDS:
            for value in WRONG_VALUES:
                status, answer = await _post_raw(client, path, json.dumps({name: value, "requestId": "r-1"}))
                if not _is_refusal(status, answer):
                    failures.append((path, name, value, status, answer))
    assert not failures, failures[:10]


async def test_an_internal_error_is_a_generic_500_and_the_detail_is_logged(client, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="node.app"):
        status, answer = await _post_raw(client, "/test/boom", "{}")
    assert status == 500 and answer["errorKind"] == "internal_error"
    assert "RuntimeError" not in answer["message"] and "only the log" not in answer["message"]
    assert SECRET not in json.dumps(answer)
    assert "detail only the log may see" in caplog.text


def test_rpc_unavailable_keeps_the_url_out_of_its_message() -> None:
    reason = f"eth_call on lit: ClientResponseError: 401, message='Unauthorized', url='{SECRET_RPC_URL}'"
    error = RpcUnavailable(SECRET_RPC_URL, reason)
    assert SECRET not in str(error) and "127.0.0.1:9" not in str(error)
    assert "401" in str(error) and error.url == SECRET_RPC_URL  # the cause stays readable; the log can name the URL


async def test_a_chain_that_is_down_is_named_without_its_url(client) -> None:
    account = Account.create()
    conditions = [{
        "contractAddress": "", "standardContractType": "", "chain": "local", "method": "eth_getBalance",
        "parameters": [":userAddress", "latest"], "returnValueTest": {"comparator": ">", "value": "0"},
    }]
    body = {"accessControlConditions": conditions, "dataToEncryptHash": "ab" * 32, "authSig": create_auth_sig(account.key),
            "chain": "local", "clientPublicKey": "11" * 32, "requestId": "r-2", "iat": int(time.time()), "exp": int(time.time()) + 60}
    for path in ("/web/encryption/sign", "/web/signing/access_control_condition"):
        status, answer = await _post_raw(client, path, json.dumps(body))
        assert status != 500 and answer["message"], (path, status, answer)
        assert "JSON-RPC endpoint unavailable" in answer["message"], answer  # the chain path was reached
        assert SECRET not in json.dumps(answer) and "127.0.0.1:9" not in json.dumps(answer), answer
