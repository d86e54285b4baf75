"""M4: on a dev network (fetch may reach loopback) actions still cannot reach the network's own services.

The dev chain signs eth_sendTransaction for its funded accounts; an action that could POST to it
could permit its own CID on a dev-owned PKP and then sign with it in the same run. The `litrt dev`
server runs the developer's action with the dev PKP for whoever POSTs /run, so an action that could
reach it would get signatures made as the developer.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

from runtime.client import ActionError, LitClient
from runtime.devserver import DevServer
from sandbox import FetchPolicy, Host, Limits, execute
from sandbox.fetch import ACTION_FETCH_HEADER

POST_TO = """
const go = async () => {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  Lit.Actions.setResponse({ response: await res.text() });
};
go();
"""


@pytest.mark.slow
@pytest.mark.parametrize("service", ["chain", "ipfs"])
async def test_an_action_cannot_reach_the_dev_chain_or_ipfs(network, service):
    url = network.chain_url if service == "chain" else network.ipfs_url + "/api/v0/id"
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_accounts", "params": []})
    async with await LitClient.connect(network.state_dir) as client:
        with pytest.raises(ActionError, match="own services"):
            await client.execute_js(code=POST_TO, js_params={"url": url, "body": body})


@asynccontextmanager
async def dev_server(network, tmp_path: Path) -> AsyncIterator[tuple[DevServer, str]]:
    """`litrt dev`'s server on the network, serving its API on a loopback port as the CLI does."""
    action = tmp_path / "action.js"
    action.write_text(
        "(async () => { await Lit.Actions.signEcdsa({ toSign: new Uint8Array(32).fill(7), publicKey, sigName: 'dev' });"
        " Lit.Actions.setResponse({ response: 'signed as the developer' }); })();"
    )
    server = DevServer(action, Path(network.state_dir), say=lambda _line: None)
    await server.prepare()
    runner = web.AppRunner(server.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield server, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
        assert server.client is not None
        await server.client.close()


# Each reaches for the dev server a way an action could: its API as the CLI prints it, under another
# name for loopback, and pretending (with the marker header's own name) not to be an action.
DEV_SERVER_REQUESTS = {
    "POST /run": ("{base}/run", "POST", {}),
    "GET /last by localhost": ("{localhost}/last", "GET", {}),
    "POST /run with a forged marker": ("{base}/run", "POST", {ACTION_FETCH_HEADER.lower(): "0"}),
}


@pytest.mark.slow
async def test_an_action_cannot_drive_the_dev_server(network, tmp_path):
    async with dev_server(network, tmp_path) as (server, base), await LitClient.connect(network.state_dir) as client:
        localhost = base.replace("127.0.0.1", "localhost")
        for name, (url, method, headers) in DEV_SERVER_REQUESTS.items():
            code = """(async () => {
              const res = await fetch(url, { method, headers, body: method === "POST" ? "{}" : undefined });
              Lit.Actions.setResponse({ response: res.status + " " + (await res.text()) });
            })();"""
            params = {"url": url.format(base=base, localhost=localhost), "method": method, "headers": headers}
            with pytest.raises(ActionError, match=r"the `litrt dev` server.*actions may not reach"):
                result = await client.execute_js(code=code, js_params=params)
                pytest.fail(f"{name}: the action reached the dev server: {result.response[:300]}")
        assert server.runs == 0, "an action made the dev server run the developer's action"


async def test_the_action_marker_reaches_loopback_servers_and_cannot_be_removed(tmp_path):
    """Every fetch to a non-public address says it comes from an action, whatever headers the action set."""
    seen: list[list[str]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(request.headers.getall(ACTION_FETCH_HEADER, []))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/", record)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/"
    code = """(async () => {
      await fetch(url);
      await fetch(url, { headers: { [name]: "0" } });
      await fetch(url, { headers: { [name.toLowerCase()]: "" } });
      Lit.Actions.setResponse({ response: "done" });
    })();"""
    try:
        result = await execute(
            code, {"url": url, "name": ACTION_FETCH_HEADER}, Host(FetchPolicy(allow_private=True)), Limits(timeout_ms=10_000)
        )
    finally:
        await runner.cleanup()
    assert result.error is None, result.error
    assert seen == [["1"], ["1"], ["1"]]
