"""fetch() against a loopback aiohttp server: the Response object, limits and refused addresses."""

from __future__ import annotations

import pytest

from sandbox import FetchPolicy, Host
from sandbox.addresses import is_public, resolve_checked
from sandbox.errors import FetchRefused
from tests.sandbox.conftest import run


async def test_get_json(server: str, local_host: Host) -> None:
    code = (
        "(async () => {\n"
        "  const r = await fetch(url + '/hello?q=1');\n"
        "  const body = await r.json();\n"
        "  Lit.Actions.setResponse({ response: [r.ok, r.status, r.statusText, r.headers.get('content-type'), "
        "body.greeting, body.query].join('|') });\n"
        "})();"
    )
    result = await run(code, {"url": server}, local_host)
    assert result.error is None, result.error
    assert result.response == "true|200|OK|application/json; charset=utf-8|hello|1"
    assert result.fetches == 1
    assert result.operations[0]["op"] == "fetch"


async def test_post_text_body_and_headers(server: str, local_host: Host) -> None:
    code = (
        "(async () => {\n"
        "  const r = await fetch(url + '/echo', { method: 'POST', body: JSON.stringify({ a: 1 }),\n"
        "    headers: { 'Content-Type': 'application/json' } });\n"
        "  Lit.Actions.setResponse({ response: await r.text() });\n"
        "})();"
    )
    result = await run(code, {"url": server}, local_host)
    assert result.error is None, result.error
    assert result.response == '{"method": "POST", "body": "{\\"a\\":1}", "type": "application/json"}'


async def test_array_buffer_body(server: str, local_host: Host) -> None:
    code = (
        "(async () => {\n"
        "  const r = await fetch(url + '/bytes');\n"
        "  const bytes = new Uint8Array(await r.arrayBuffer());\n"
        "  Lit.Actions.setResponse({ response: Array.from(bytes).join() + ' ' + r.headers.get('x-test') });\n"
        "})();"
    )
    result = await run(code, {"url": server}, local_host)
    assert result.response == "0,1,2,255 yes"


async def test_timeout(server: str, local_host: Host) -> None:
    result = await run("(async () => { await fetch(url + '/slow'); })();", {"url": server}, local_host, fetch_timeout_s=0.3)
    assert result.error is not None and result.error.kind == "host_error"
    assert result.error.message == f"fetch: {server}/slow did not answer within 0.3 s"


async def test_response_size_cap(server: str, local_host: Host) -> None:
    code = "(async () => { await fetch(url + '/big'); })();"
    result = await run(code, {"url": server}, local_host, max_fetch_response_bytes=100_000)
    assert result.error is not None and result.error.kind == "host_error"
    assert result.error.message == f"fetch: the response from {server}/big is larger than the limit of 100000 bytes"


async def test_count_limit(server: str, local_host: Host) -> None:
    code = "(async () => { for (let i = 0; i < 4; i++) await fetch(url + '/hello'); })();"
    result = await run(code, {"url": server}, local_host, max_fetches=3)
    assert result.error is not None and result.error.kind == "fetch_limit"
    assert result.error.message == (
        "You may not send more than 3 HTTP requests per session and you have attempted to exceed that limit."
    )


async def test_loopback_refused_by_default(server: str) -> None:
    code = "(async () => {\n  await fetch(url + '/hello');\n})();"
    result = await run(code, {"url": server})
    assert result.error is not None and result.error.kind == "forbidden"
    assert "127.0.0.1" in result.error.message and "loopback" in result.error.message
    assert result.error.line == 2


async def test_redirect_to_loopback_is_checked_again(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    policy = FetchPolicy(allow_private=True, forbidden_ports=frozenset({port + 1}))
    target = f"http://127.0.0.1:{port + 1}/x"
    code = "(async () => { await fetch(url + '/redirect?to=' + encodeURIComponent(target)); })();"
    result = await run(code, {"url": server, "target": target}, Host(policy))
    assert result.error is not None and result.error.kind == "forbidden"
    assert f"port {port + 1} is reserved for the node" in result.error.message


async def test_node_port_refused_even_with_allow_private(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    for policy in (
        FetchPolicy(allow_private=True, forbidden_ports=frozenset({port})),
        FetchPolicy(allow_private=True, forbidden_endpoints=frozenset({("0.0.0.0", port)})),
        FetchPolicy(allow_private=True).with_forbidden("localhost", port),
    ):
        result = await run("(async () => { await fetch(url + '/hello'); })();", {"url": server}, Host(policy))
        assert result.error is not None and result.error.kind == "forbidden", policy


async def test_refusal_can_be_caught_by_the_action(server: str) -> None:
    code = (
        "(async () => {\n"
        "  try { await fetch(url + '/hello'); } catch (e) { Lit.Actions.setResponse({ response: e.name }); }\n"
        "})();"
    )
    result = await run(code, {"url": server})
    assert result.error is None and result.response == "ForbiddenError"


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.1.1", "172.16.0.1", "169.254.169.254", "224.0.0.1", "0.0.0.0",
     "::1", "fe80::1", "fc00::1", "::", "::ffff:127.0.0.1", "100.64.0.1", "ff02::1"],
)
async def test_non_public_addresses_refused(address: str) -> None:
    with pytest.raises(FetchRefused, match="this host does not allow fetching it"):
        await resolve_checked(address, 80, FetchPolicy())


def test_public_addresses_pass() -> None:
    import ipaddress

    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:4700::1111"))


async def test_non_http_schemes_refused(local_host: Host) -> None:
    result = await run("(async () => { await fetch('file:///etc/passwd'); })();", host=local_host)
    assert result.error is not None and result.error.kind == "host_error"
    assert result.error.message == "fetch: only http and https URLs are supported, not 'file:///etc/passwd'"
