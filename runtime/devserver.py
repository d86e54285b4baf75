"""The local action dev server: re-run an action on a real network every time its file is saved.

It reuses the network in the state directory (or starts one), mints one dev PKP and remembers it,
permits every new CID of the action, and runs it with `publicKey` added to the jsParams, so
`signEcdsa` works at once. It also serves `POST /run` (same JSON as `litrt execute --json`) and
`GET /last`, so tests and editors can drive it. Actions may not: every request that comes through
an action's fetch (it carries sandbox/fetch.py's marker header, which actions cannot remove) is
refused, and the action's fetch fails naming the dev server, since /run signs with the developer's PKP.

With fetch mocks (`litrt dev --mock-fetch`), a network it starts gets them in every node's config; a
running network must already have the same ones. Each node's answer lists the mocked requests of that
execution (node/execute.py), and the dev server shows them with each run, failed runs too.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from runtime.cli.common import node_problems
from runtime.client import ActionError, LitClient, LitError, create_auth_sig, dev_key
from runtime.network.launcher import NETWORK_FILE, load_network, start_network
from sandbox.fetch import ACTION_FETCH_HEADER, REFUSED_TO_ACTIONS_HEADER
from sandbox.fetch_mocks import FetchMocks, mocked_line

__all__ = ["DevServer", "MockMismatch", "fold_logs"]

_POLL_S = 0.1
_WHAT_I_AM = "the `litrt dev` server of this network (it runs the developer's action with the dev PKP)"


@web.middleware
async def _refuse_actions(request: web.Request, handler: Handler) -> web.StreamResponse:
    if ACTION_FETCH_HEADER in request.headers:
        return web.json_response(
            {"error": f"{_WHAT_I_AM}: requests from Lit Actions are refused"},
            status=403,
            headers={REFUSED_TO_ACTIONS_HEADER: _WHAT_I_AM},
        )
    return await handler(request)


def fold_logs(node_logs: dict[int, str]) -> list[tuple[list[int], str]]:
    """Identical console output from several nodes, shown once with the nodes that printed it."""
    groups: dict[str, list[int]] = {}
    for index, text in sorted(node_logs.items()):
        groups.setdefault(text, []).append(index)
    return [(nodes, text) for text, nodes in groups.items()]


class MockMismatch(ValueError):
    """The running network was started with other fetch mocks than `litrt dev` was given."""


def _mtime(path: Path | None) -> int:
    try:
        return path.stat().st_mtime_ns if path is not None else 0
    except FileNotFoundError:
        return 0


@dataclass
class DevServer:
    action: Path
    state_dir: Path
    params_text: str | None = None  # inline JSON, or @file.json (watched too)
    nodes: int = 4
    say: Callable[[str], None] = print
    fetch_mocks: FetchMocks | None = None
    owner_key: str = field(default_factory=dev_key)
    client: LitClient | None = None
    public_key: str | None = None
    token_id: int = 0
    permitted: set[str] = field(default_factory=set)
    last: dict[str, Any] | None = None
    runs: int = 0
    mocks_active: bool = False

    @property
    def params_file(self) -> Path | None:
        return Path(self.params_text[1:]) if self.params_text and self.params_text.startswith("@") else None

    def _params(self) -> dict[str, Any]:
        if not self.params_text:
            return {}
        raw = self.params_file.read_text() if self.params_file else self.params_text
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise ValueError("params must be a JSON object")
        return value

    def _check_mocks(self) -> dict[str, Any]:
        """The running network's fetch mocks; MockMismatch if --mock-fetch asked for others."""
        running = load_network(self.state_dir).fetch_mocks
        if self.fetch_mocks is not None and self.fetch_mocks.to_config() != running:
            has = "with fetch mocks " + json.dumps(running) if running else "without fetch mocks"
            raise MockMismatch(
                f"the network in {self.state_dir} runs {has}, not the --mock-fetch given; stop it with "
                f"`litrt down --state-dir {self.state_dir}` and run `litrt dev` again to start one with these mocks"
            )
        return running

    async def prepare(self) -> None:
        if not (self.state_dir / NETWORK_FILE).exists():
            self.say(f"starting a {self.nodes}-node network in {self.state_dir} ...")
            await start_network(
                self.state_dir, self.nodes, fetch_mocks=self.fetch_mocks, progress=lambda m: self.say(f"  {m}")
            )
        else:
            self.say(f"reusing the network in {self.state_dir}")
        mocks = self._check_mocks()
        self.mocks_active = bool(mocks)
        if mocks:
            for host, source in mocks.items():
                self.say(f"fetch mock: {host} -> {source}")
        self.client = await LitClient.connect(self.state_dir, straggler_grace_s=2.0)  # show every node's logs
        pkp_file = self.state_dir / "dev-pkp.json"
        if not pkp_file.exists():
            pkp = await self.client.mint_pkp(self.owner_key)
            pkp_file.write_text(json.dumps({"tokenId": str(pkp.token_id), "publicKey": "0x" + pkp.pubkey.hex()}))
        saved = json.loads(pkp_file.read_text())
        self.public_key, self.token_id = saved["publicKey"], int(saved["tokenId"])
        self.say(f"dev PKP {self.public_key[:18]}... is given to the action as jsParams.publicKey;")
        self.say("every new CID of the action is permitted to sign with it")

    async def run_once(self, extra_params: dict[str, Any] | None = None) -> dict[str, Any]:
        assert self.client is not None and self.public_key is not None
        started = time.perf_counter()
        code = self.action.read_text()
        report: dict[str, Any] = {"success": False, "response": None, "logs": "", "signatures": {}, "errors": {}}
        mocked: dict[int, list[dict[str, Any]]] = {}
        try:
            cid = await self.client.upload_action(code)
            report["ipfsId"] = cid
            if cid not in self.permitted:
                await self.client.permit_action(self.owner_key, self.token_id, cid)
                self.permitted.add(cid)
            params = {**self._params(), **(extra_params or {}), "publicKey": self.public_key}
            auth = create_auth_sig(self.owner_key, chain_id=self.client.network.chain_id)  # the dev key signs in
            result = await self.client.execute_js(ipfs_id=cid, js_params=params, auth_sig=auth)
            report.update(result.to_json())
            report["nodeLogs"] = [{"nodes": nodes, "text": text} for nodes, text in fold_logs(result.node_logs)]
            mocked = result.node_mocked_fetches
        except ActionError as exc:
            report["error"] = {"message": exc.js_message, "line": exc.line}
            report["errors"] = {str(k): v for k, v in exc.node_errors.items()}
            mocked = exc.node_mocked_fetches
        except (LitError, ValueError, OSError) as exc:
            report["error"] = {"message": str(exc), "line": None}
        if self.mocks_active:
            texts = {i: "\n".join(mocked_line(r) for r in records) for i, records in mocked.items() if records}
            report["mocked"] = [{"nodes": nodes, "text": text} for nodes, text in fold_logs(texts)]
        report["durationMs"] = round((time.perf_counter() - started) * 1000, 1)
        self.runs += 1
        report["run"] = self.runs
        self.last = report
        self.say(render(report))
        return report

    async def watch(self, stop: asyncio.Event) -> None:
        seen = (_mtime(self.action), _mtime(self.params_file))
        await self.run_once()
        while not stop.is_set():
            await asyncio.sleep(_POLL_S)
            now = (_mtime(self.action), _mtime(self.params_file))
            if now != seen:
                seen = now
                await self.run_once()

    def app(self) -> web.Application:
        async def run(request: web.Request) -> web.Response:
            # A body the server would not use is refused rather than run without it, so that a
            # misspelt key or bare params do not quietly run the action with the file's params only.
            text = await request.text()
            try:
                body = json.loads(text) if text.strip() else {}
            except json.JSONDecodeError as exc:
                return _bad_run_body(f"the body is not JSON ({exc})")
            if not isinstance(body, dict) or set(body) - {"params"}:
                shown = sorted(body) if isinstance(body, dict) else type(body).__name__
                return _bad_run_body(f"got {shown}")
            params = body.get("params", {})
            if not isinstance(params, dict):
                return _bad_run_body(f"params is {type(params).__name__}, not an object")
            return web.json_response(await self.run_once(params))

        async def last(_request: web.Request) -> web.Response:
            return web.json_response(self.last or {})

        app = web.Application(middlewares=[_refuse_actions])
        app.router.add_post("/run", run)
        app.router.add_get("/last", last)
        return app


def _bad_run_body(problem: str) -> web.Response:
    expected = 'POST /run takes no body, {}, or {"params": {...}} (jsParams added to the action\'s own)'
    return web.json_response({"error": f"{expected}: {problem}"}, status=400)


def render(report: dict[str, Any]) -> str:
    lines = [f"--- run {report.get('run')} ({report.get('durationMs')} ms) CID {report.get('ipfsId', '?')}"]
    for group in report.get("nodeLogs", []):
        nodes = ",".join(str(n) for n in group["nodes"])
        for line in group["text"].rstrip("\n").split("\n") if group["text"] else []:
            lines.append(f"  [node {nodes}] {line}")
    for group in report.get("mocked", []):
        nodes = ",".join(str(n) for n in group["nodes"])
        lines += [f"  [node {nodes}] {line}" for line in group["text"].split("\n")]
    if report.get("error"):
        err = report["error"]
        where = f" (line {err['line']})" if err.get("line") else ""
        lines.append(f"  ERROR{where}: {err['message']}")
    else:
        lines.append(f"  response: {json.dumps(report.get('response'))}")
    for name, sig in report.get("signatures", {}).items():
        lines.append(f"  signature {name}: {sig['signature']} recovers to {sig['address']}")
    lines += ["  " + line for line in node_problems({int(k): v for k, v in report.get("errors", {}).items()})]
    return "\n".join(lines)
