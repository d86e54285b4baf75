"""Fetch mocks: hosts answered from a file or forwarded to a loopback server, and the doors they must not open."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

from node.config import NodeConfig
from node.errors import BadRequest
from sandbox import FetchPolicy, Host
from sandbox.fetch_mocks import FetchMocks, MockSpecError
from tests.sandbox.conftest import run

PRICE_URL = "https://api.coingecko.com/api/v3/simple/price?ids=ethereum&vs_currencies=usd"

# Fetches `url` and answers "status|x-litrt-mock header|content-type|body text".
SHOW = (
    "(async () => {\n"
    "  const r = await fetch(url, globalThis.opts || {});\n"
    "  const text = await r.text();\n"
    "  Lit.Actions.setResponse({ response: [r.status, r.headers.get('x-litrt-mock'), r.headers.get('content-type'), text].join('|') });\n"
    "})();"
)


async def show(url: str, policy: FetchPolicy, opts: dict[str, Any] | None = None, **limits: Any) -> str:
    result = await run(SHOW, {"url": url, "opts": opts}, Host(policy), **limits)
    assert result.error is None, result.error
    return str(result.response)


def write(path: Path, doc: Any) -> str:
    path.write_text(json.dumps(doc))
    return str(path)


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name lookup fails (and is recorded), as on a machine without a network."""
    asked: list[str] = []

    async def refuse(self: Any, host: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(str(host))
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", refuse)
    return asked


@pytest.fixture
async def local_api() -> AsyncIterator[str]:
    """A loopback stand-in for an internet API: echoes what it was asked; /out redirects to itself by address."""

    async def echo(request: web.Request) -> web.Response:
        return web.json_response({
            "method": request.method, "path": request.raw_path, "body": (await request.read()).decode(),
            "forwardedHost": request.headers.get("X-Forwarded-Host"),
        })

    async def out(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://127.0.0.1:{request.url.port}/elsewhere")

    app = web.Application()
    app.router.add_get("/out", out)
    app.router.add_route("*", "/{tail:.*}", echo)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}"
    await server.close()


def mocks(*specs: str, report: Any = None) -> FetchMocks:
    return FetchMocks.from_flags(specs, report=report)


# ---- answers from a file --------------------------------------------------------------------------


async def test_plain_json_file_answers_without_any_dns(tmp_path: Path, no_dns: list[str]) -> None:
    prices = write(tmp_path / "prices.json", {"ethereum": {"usd": 3141.59}})
    heard: list[str] = []
    policy = FetchPolicy(mocks=mocks(f"api.coingecko.com={prices}", report=heard.append))
    code = (
        "(async () => {\n"
        "  const r = await fetch(url);\n"
        "  const data = await r.json();\n"
        "  Lit.Actions.setResponse({ response: JSON.stringify([r.ok, r.status, r.url, data.ethereum.usd]) });\n"
        "})();"
    )
    result = await run(code, {"url": PRICE_URL}, Host(policy))
    assert result.error is None, result.error
    assert json.loads(str(result.response)) == [True, 200, PRICE_URL, 3141.59]
    assert heard == [f"mocked: GET {PRICE_URL} -> prices.json (200)"]
    assert no_dns == []  # the mocked host was never looked up


async def test_without_mocks_the_same_url_is_not_answered(no_dns: list[str]) -> None:
    result = await run("(async () => { await fetch(url); })();", {"url": PRICE_URL}, Host(FetchPolicy()))
    assert result.error is not None and result.error.kind == "forbidden"
    assert "cannot resolve host 'api.coingecko.com'" in result.error.message
    assert no_dns == ["api.coingecko.com"]


async def test_response_form_sets_status_headers_and_text(tmp_path: Path, no_dns: list[str]) -> None:
    doc = {"status": 429, "headers": {"Retry-After": "30"}, "bodyText": "slow down"}
    policy = FetchPolicy(mocks=mocks(f"api.coingecko.com={write(tmp_path / 'limited.json', doc)}"))
    code = (
        "(async () => {\n"
        "  const r = await fetch(url);\n"
        "  Lit.Actions.setResponse({ response: [r.ok, r.status, r.statusText, r.headers.get('retry-after'), "
        "r.headers.get('content-type'), await r.text()].join('|') });\n"
        "})();"
    )
    result = await run(code, {"url": PRICE_URL}, Host(policy))
    assert result.response == "false|429|Too Many Requests|30|text/plain; charset=utf-8|slow down"


async def test_response_form_with_json_and_base64_bodies(tmp_path: Path, no_dns: list[str]) -> None:
    policy = FetchPolicy(mocks=mocks(
        f"a.example={write(tmp_path / 'a.json', {'status': 201, 'body': {'id': 7}})}",
        f"b.example={write(tmp_path / 'b.json', {'status': 200, 'bodyBase64': 'AAEC/w=='})}",
    ))
    assert await show("https://a.example/x", policy) == '201|a.example|application/json|{"id": 7}'
    code = (
        "(async () => {\n"
        "  const r = await fetch(url);\n"
        "  Lit.Actions.setResponse({ response: Array.from(new Uint8Array(await r.arrayBuffer())).join() });\n"
        "})();"
    )
    result = await run(code, {"url": "https://b.example/bin"}, Host(policy))
    assert result.response == "0,1,2,255"


async def test_routes_by_method_and_path(tmp_path: Path, no_dns: list[str]) -> None:
    doc = {"routes": {
        "GET /api/v3/ping": {"gecko_says": "(V3) To the Moon!"},
        "POST /api/v3/ping": {"status": 405, "bodyText": "no"},
        "/api/v3/simple/*": {"ethereum": {"usd": 1}},
        "/api/v3/simple/price": {"ethereum": {"usd": 2}},
    }}
    policy = FetchPolicy(mocks=mocks(f"api.coingecko.com={write(tmp_path / 'routes.json', doc)}"))
    base = "https://api.coingecko.com"
    assert (await show(base + "/api/v3/ping", policy)).endswith('|{"gecko_says": "(V3) To the Moon!"}')
    assert (await show(base + "/api/v3/ping", policy, {"method": "POST", "body": "x"})).startswith("405|")
    assert (await show(PRICE_URL, policy)).endswith('|{"ethereum": {"usd": 2}}')  # exact beats prefix
    assert (await show(base + "/api/v3/simple/supported", policy)).endswith('|{"ethereum": {"usd": 1}}')
    missing = await show(base + "/api/v3/coins", policy)
    assert missing == "404|api.coingecko.com|text/plain; charset=utf-8|litrt fetch mock: no route in routes.json for GET /api/v3/coins"


async def test_file_is_read_again_for_every_request(tmp_path: Path, no_dns: list[str]) -> None:
    path = tmp_path / "prices.json"
    policy = FetchPolicy(mocks=mocks(f"api.coingecko.com={write(path, {'v': 1})}"))
    assert (await show(PRICE_URL, policy)).endswith('|{"v": 1}')
    write(path, {"v": 2})
    assert (await show(PRICE_URL, policy)).endswith('|{"v": 2}')
    path.write_text("{broken")
    result = await run(SHOW, {"url": PRICE_URL}, Host(policy))
    assert result.error is not None and result.error.kind == "host_error"
    assert result.error.message.startswith("fetch: the mock for api.coingecko.com is unusable: ")
    assert "is not valid JSON" in result.error.message


async def test_mocked_body_counts_against_the_response_limit(tmp_path: Path, no_dns: list[str]) -> None:
    policy = FetchPolicy(mocks=mocks(f"big.example={write(tmp_path / 'big.json', {'status': 200, 'bodyText': 'x' * 5000})}"))
    result = await run(SHOW, {"url": "https://big.example/"}, Host(policy), max_fetch_response_bytes=1000)
    assert result.error is not None
    assert result.error.message == "fetch: the response from https://big.example/ is larger than the limit of 1000 bytes"


# ---- which URLs a mock covers ---------------------------------------------------------------------


def test_host_port_and_path_prefix_matching(tmp_path: Path) -> None:
    body = write(tmp_path / "b.json", {})
    table = mocks(f"api.example.com={body}", f"api.example.com/v1={body}", f"api.example.com:8443={body}")

    def rule(url: str) -> str | None:
        found = table.find(URL(url))
        return found.pattern if found else None

    assert rule("https://api.example.com/x") == "api.example.com"
    assert rule("http://API.Example.COM./x") == "api.example.com"
    assert rule("https://api.example.com/v1") == "api.example.com/v1"
    assert rule("https://api.example.com/v1/prices?x=1") == "api.example.com/v1"
    assert rule("https://api.example.com/v10") == "api.example.com"
    assert rule("https://api.example.com:8443/x") == "api.example.com:8443"
    assert rule("https://api.example.com:8443/v1/x") == "api.example.com/v1"  # longest path first
    for other in ("https://evilapi.example.com/", "https://api.example.com.evil.org/", "https://example.com/",
                  "https://api.example.com@127.0.0.1/"):
        assert rule(other) is None, other


async def test_unmocked_hosts_still_go_through_the_policy(tmp_path: Path, local_api: str) -> None:
    heard: list[str] = []
    table = mocks(f"api.coingecko.com={write(tmp_path / 'p.json', {})}", report=heard.append)
    refused = await run(SHOW, {"url": local_api + "/x"}, Host(FetchPolicy(mocks=table)))
    assert refused.error is not None and refused.error.kind == "forbidden" and "loopback" in refused.error.message
    # userinfo naming the mocked host does not make a loopback URL mocked
    tricked = await run(SHOW, {"url": local_api.replace("//", "//api.coingecko.com@") + "/x"}, Host(FetchPolicy(mocks=table)))
    assert tricked.error is not None and tricked.error.kind == "forbidden"
    allowed = await show(local_api + "/x", FetchPolicy(allow_private=True, mocks=table))
    assert allowed.startswith("200||application/json")  # a real answer, no mock header
    assert heard == []


async def test_a_mocked_redirect_is_checked_like_any_other(tmp_path: Path, local_api: str, no_dns: list[str]) -> None:
    doc = {"status": 302, "headers": {"Location": local_api + "/x"}}
    policy = FetchPolicy(mocks=mocks(f"api.coingecko.com={write(tmp_path / 'r.json', doc)}"))
    result = await run(SHOW, {"url": PRICE_URL}, Host(policy))
    assert result.error is not None and result.error.kind == "forbidden" and "127.0.0.1" in result.error.message


# ---- forwarding to a local server -----------------------------------------------------------------


async def test_forward_keeps_method_path_query_and_body(local_api: str, no_dns: list[str]) -> None:
    heard: list[str] = []
    policy = FetchPolicy(mocks=mocks(f"api.coingecko.com={local_api}", report=heard.append))
    answer = await show(PRICE_URL, policy)
    status, mark, _type, body = answer.split("|", 3)
    assert (status, mark) == ("200", "api.coingecko.com")
    assert json.loads(body) == {
        "method": "GET", "path": "/api/v3/simple/price?ids=ethereum&vs_currencies=usd", "body": "",
        "forwardedHost": "api.coingecko.com",
    }
    assert heard == [f"mocked: GET {PRICE_URL} -> forwarded to {local_api} (200)"]
    posted = await show("https://api.example.com:8443/v1/a%20b?x=%20", FetchPolicy(mocks=mocks(f"api.example.com/v1={local_api}/base")),
                        {"method": "POST", "body": "hi"})
    assert json.loads(posted.split("|", 3)[3]) == {
        "method": "POST", "path": "/base/v1/a%20b?x=%20", "body": "hi", "forwardedHost": "api.example.com:8443",
    }


async def test_forward_may_not_reach_the_networks_own_services(local_api: str) -> None:
    port = URL(local_api).port
    assert port is not None
    policy = FetchPolicy(forbidden_endpoints=frozenset({("127.0.0.1", port)}), mocks=mocks(f"api.coingecko.com={local_api}"))
    result = await run(SHOW, {"url": PRICE_URL}, Host(policy))
    assert result.error is not None and result.error.kind == "forbidden"
    assert "one of this network's own services" in result.error.message


async def test_forwarded_redirect_out_of_the_mock_is_checked(local_api: str) -> None:
    policy = FetchPolicy(mocks=mocks(f"api.coingecko.com={local_api}"))
    result = await run(SHOW, {"url": "https://api.coingecko.com/out"}, Host(policy))
    assert result.error is not None and result.error.kind == "forbidden" and "loopback" in result.error.message


async def test_forward_to_a_name_that_resolves_off_the_machine_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    async def elsewhere(self: Any, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port))]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", elsewhere)  # "localhost" answered by a hostile resolver
    policy = FetchPolicy(mocks=mocks("api.coingecko.com=http://localhost:8080"))
    result = await run(SHOW, {"url": PRICE_URL}, Host(policy))
    assert result.error is not None and result.error.kind == "forbidden"
    assert result.error.message == "fetch: the mock's forward target localhost resolves to 10.0.0.5, not a loopback address"


@pytest.mark.parametrize("target", ["http://10.0.0.1:8080", "http://169.254.169.254", "https://example.com", "http://0.0.0.0:80"])
def test_forward_targets_must_be_loopback(target: str) -> None:
    with pytest.raises(MockSpecError, match="forwards only to this machine"):
        mocks(f"api.coingecko.com={target}")


# ---- bad specs ------------------------------------------------------------------------------------


def test_bad_specs_name_the_flag_and_the_problem(tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", {"ok": True})
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{nope")
    cases = {
        "api.coingecko.com": "no '='",
        f"={good}": "HOST before '=' is empty",
        "api.coingecko.com=": "the file name is empty",
        f"api.coingecko.com={tmp_path / 'missing.json'}": "no such file",
        f"api.coingecko.com={bad_json}": "is not valid JSON",
        f"https://api.coingecko.com={good}": "is a URL: give the host alone, e.g. api.coingecko.com",
        f"user@api.coingecko.com={good}": "is not host[:port][/path]",
        f"api.coingecko.com={write(tmp_path / 's.json', {'status': 'ok'})}": '"status" must be an integer',
        f"api.coingecko.com={write(tmp_path / 'two.json', {'status': 200, 'body': 1, 'bodyText': 'x'})}": "give only one of",
        f"api.coingecko.com={write(tmp_path / 'h.json', {'status': 200, 'headers': {'a': 1}})}": '"headers" must map',
        f"api.coingecko.com={write(tmp_path / 'r.json', {'routes': {'GET price': 1}})}": "the path must start with /",
        "api.coingecko.com=http://127.0.0.1:1/?q=1": "takes no query",
    }
    for spec, problem in cases.items():
        with pytest.raises(MockSpecError) as caught:
            mocks(spec)
        assert str(caught.value).startswith("--mock-fetch "), spec
        assert problem in str(caught.value), (spec, str(caught.value))
    with pytest.raises(MockSpecError, match="mocked twice"):
        mocks(f"api.coingecko.com={good}", f"api.coingecko.com={good}")


def test_a_json_body_that_only_looks_like_a_response_is_a_body(tmp_path: Path) -> None:
    # Without an integer "status" an object is served as it is, whatever keys it has.
    rule = mocks(f"x.example={write(tmp_path / 'b.json', {'body': 'hi', 'headers': 1})}").rules[0]
    reply = rule.reply("GET", URL("https://x.example/"))
    assert json.loads(reply.body) == {"body": "hi", "headers": 1}


# ---- node config ----------------------------------------------------------------------------------


def _node_config(**extra: Any) -> NodeConfig:
    peer = {"index": 1, "url": "http://127.0.0.1:7471", "signing_key": "00", "encryption_key": "00"}
    return NodeConfig.from_dict({
        "index": 1, "host": "127.0.0.1", "port": 7471, "peers": [peer], "state_dir": "/tmp/n1",
        "seal_key_path": "/tmp/n1.seal", "chains": {"lit": "http://127.0.0.1:8545"}, "pkp_contract": "0x00", **extra,
    })


def test_node_config_round_trip_and_errors(tmp_path: Path) -> None:
    assert _node_config().fetch_mock_table() is None  # never active unless configured
    table = mocks(f"api.coingecko.com={write(tmp_path / 'p.json', {'x': 1})}", "api.example.com/v1=http://localhost:9000")
    loaded = _node_config(fetch_mocks=table.to_config()).fetch_mock_table()
    assert loaded == table
    inline = _node_config(fetch_mocks={"api.example.com": {"status": 503, "bodyText": "down"}}).fetch_mock_table()
    assert inline is not None and inline.rules[0].reply("GET", URL("https://api.example.com/")).status == 503
    with pytest.raises(BadRequest, match=r"node config fetch_mocks api.example.com=http://10.0.0.1: .*only to this machine"):
        _node_config(fetch_mocks={"api.example.com": "http://10.0.0.1"}).fetch_mock_table()
