"""`--mock-fetch` as a user gives it: `litrt run`, `litrt up` and `litrt dev` on a real network, bad specs."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from runtime.cli import run_cmd
from runtime.client import create_auth_sig
from runtime.network.processes import free_port
from sandbox import FetchPolicy, Host, Limits, execute
from sandbox.fetch_mocks import FetchMocks, recording

REPO = Path(__file__).resolve().parents[1]
PRICE_URL = "https://api.coingecko.com/api/v3/simple/price?ids=ethereum&vs_currencies=usd"

ACTION = """
const go = async () => {
  const prices = await (await fetch("https://api.coingecko.com/api/v3/simple/price?ids=ethereum&vs_currencies=usd")).json();
  const forwarded = await (await fetch("https://prices.example.org/v2/spot?pair=ETH-USD")).json();
  let refused = null;
  if (globalThis.probe) {
    try { await fetch(probe); } catch (e) { refused = e.message; }
  }
  console.log("eth", prices.ethereum.usd);
  if (globalThis.fail) throw new Error(fail);
  Lit.Actions.setResponse({ response: JSON.stringify({ usd: prices.ethereum.usd, forwarded, refused }) });
};
go();
"""


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="litrt")
    run_cmd.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.handler(args))


def litrt(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runtime.cli.main", *args], capture_output=True, text=True, cwd=REPO, timeout=300)


@contextmanager
def local_api() -> Iterator[str]:
    """A loopback aiohttp server in its own thread (the CLI runs its own event loop): echoes what it was asked."""

    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"path": request.raw_path, "host": request.headers.get("X-Forwarded-Host")})

    app = web.Application()
    app.router.add_get("/{tail:.*}", echo)
    loop = asyncio.new_event_loop()
    server = TestServer(app, host="127.0.0.1")
    loop.run_until_complete(server.start_server())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.run_until_complete(server.close())
        loop.close()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    action, prices = tmp_path / "action.js", tmp_path / "prices.json"
    action.write_text(ACTION)
    prices.write_text(json.dumps({"ethereum": {"usd": 3141.59}}))
    return action, prices


def test_run_answers_from_the_file_and_forwards(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    action, prices = files
    with local_api() as api:
        code = cli(["run", str(action), "--mock-fetch", f"api.coingecko.com={prices}", "--mock-fetch", f"prices.example.org={api}"])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        assert captured.out == (
            'eth 3141.59\nresponse: {"usd":3141.59,"forwarded":{"path":"/v2/spot?pair=ETH-USD","host":"prices.example.org"},'
            '"refused":null}\n'
        )
        assert captured.err.splitlines() == [
            f"mocked: GET {PRICE_URL} -> prices.json (200)",
            f"mocked: GET https://prices.example.org/v2/spot?pair=ETH-USD -> forwarded to {api} (200)",
        ]
        code = cli(["run", str(action), "--json", "--mock-fetch", f"api.coingecko.com={prices}", "--mock-fetch", f"prices.example.org={api}"])
        out = json.loads(capsys.readouterr().out)
        assert code == 0 and json.loads(out["response"])["usd"] == 3141.59
        assert out["mocked"][0] == f"mocked: GET {PRICE_URL} -> prices.json (200)" and len(out["mocked"]) == 2


def test_run_unmocked_hosts_keep_the_policy(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    action, prices = files
    with local_api() as api:
        mocks = ["--mock-fetch", f"api.coingecko.com={prices}", "--mock-fetch", f"prices.example.org={api}"]
        code = cli(["run", str(action), "--json", "--params", json.dumps({"probe": api + "/direct"}), *mocks])
        out = json.loads(capsys.readouterr().out)
        assert code == 0, out
        assert "loopback" in json.loads(out["response"])["refused"]  # the forward target itself stays closed
        assert len(out["mocked"]) == 2


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("api.coingecko.com", "--mock-fetch api.coingecko.com: expected HOST=FILE.json or HOST=URL (no '=')"),
        ("api.coingecko.com=/nonexistent/prices.json", "--mock-fetch api.coingecko.com=/nonexistent/prices.json: no such file"),
        ("api.coingecko.com=http://192.168.1.10:8080", "a mock forwards only to this machine"),
    ],
)
def test_bad_spec_is_a_usage_error_in_every_command(spec: str, problem: str, files: tuple[Path, Path], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    action, _ = files
    assert cli(["run", str(action), "--mock-fetch", spec]) == 2
    assert problem in capsys.readouterr().err
    state = tmp_path / "net"
    up = litrt("up", "--detach", "--state-dir", str(state), "--mock-fetch", spec, "--json")
    assert up.returncode == 2 and problem in json.loads(up.stdout)["error"]
    assert not state.exists()  # refused before anything started
    dev = litrt("dev", str(action), "--state-dir", str(state), "--mock-fetch", spec)
    assert dev.returncode == 2 and problem in dev.stderr


def test_bad_json_file_names_the_file(tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    action, _ = files
    bad = tmp_path / "prices.json"
    bad.write_text('{"ethereum": ')
    assert cli(["run", str(action), "--mock-fetch", f"api.coingecko.com={bad}"]) == 2
    assert f"litrt run: --mock-fetch api.coingecko.com={bad}: {bad} is not valid JSON: Expecting value" in capsys.readouterr().err


async def test_each_execution_records_only_its_own_mocked_requests() -> None:
    """Two executions side by side, their fetches interleaved: each recording holds its own, in order."""
    mocks = FetchMocks.from_config({"a.example": {"site": "a"}, "b.example": {"status": 404, "bodyText": "gone"}})
    code = """(async () => {
      for (let i = 0; i < 3; i++) {
        await fetch("https://" + site + "/item/" + i);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      Lit.Actions.setResponse({ response: site });
    })();"""

    async def one(site: str) -> list[dict]:
        with recording() as mocked:
            result = await execute(code, {"site": site}, Host(FetchPolicy(mocks=mocks)), Limits(timeout_ms=10_000))
        assert result.error is None and result.response == site, result.error
        return mocked

    a, b = await asyncio.gather(one("a.example"), one("b.example"))
    assert a == [{"method": "GET", "url": f"https://a.example/item/{i}", "mock": "the inline mock", "status": 200} for i in range(3)]
    assert [(r["url"], r["status"]) for r in b] == [(f"https://b.example/item/{i}", 404) for i in range(3)]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return json.load(resp)


def _wait_for_run(base: str, run: int) -> dict:
    deadline = time.monotonic() + 120
    last: dict = {}
    while time.monotonic() < deadline:
        try:
            last = _get(base + "/last")
            if last.get("run") == run:
                return last
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"dev server never finished run {run}; last report: {last}")


@pytest.mark.slow
def test_up_and_dev_mock_every_node(files: tuple[Path, Path], tmp_path: Path) -> None:
    action, prices = files
    state = str(tmp_path / "net")
    with local_api() as api:
        mocks = ["--mock-fetch", f"api.coingecko.com={prices}", "--mock-fetch", f"prices.example.org={api}"]
        up = litrt("up", "--detach", "--state-dir", state, *mocks, "--json")
        assert up.returncode == 0, up.stderr
        try:
            info = json.loads(up.stdout)
            assert info["fetch_mocks"] == {"api.coingecko.com": str(prices), "prices.example.org": api}
            config = json.loads((Path(state) / "node3" / "config.json").read_text())
            assert config["fetch_mocks"] == info["fetch_mocks"]

            # A node's answer lists the mocked requests of that execution.
            body = json.dumps({"code": base64.b64encode(ACTION.encode()).decode(), "authSig": create_auth_sig("0x" + "42" * 32), "jsParams": {}})
            req = urllib.request.Request(info["nodes"][2] + "/web/execute", body.encode(), {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=120) as resp:
                answer = json.load(resp)
            assert answer["success"], answer
            assert answer["mockedFetches"] == [
                {"method": "GET", "url": PRICE_URL, "mock": "prices.json", "status": 200},
                {"method": "GET", "url": "https://prices.example.org/v2/spot?pair=ETH-USD", "mock": f"forwarded to {api}", "status": 200},
            ]

            other = litrt("dev", str(action), "--state-dir", state, "--mock-fetch", f"api.coingecko.com={prices}")
            assert other.returncode == 2 and "runs with fetch mocks" in other.stderr and "litrt down" in other.stderr

            port = free_port()
            proc = subprocess.Popen(
                [sys.executable, "-m", "runtime.cli.main", "dev", str(action), "--state-dir", state, "--port", str(port), *mocks],
                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                first = _wait_for_run(base, 1)
                assert first["success"], first
                assert first["response"] == {
                    "usd": 3141.59, "forwarded": {"path": "/v2/spot?pair=ETH-USD", "host": "prices.example.org"}, "refused": None,
                }
                seen = "\n".join(group["text"] for group in first["mocked"])
                assert f"mocked: GET {PRICE_URL} -> prices.json (200)" in seen
                assert f"mocked: GET https://prices.example.org/v2/spot?pair=ETH-USD -> forwarded to {api} (200)" in seen

                # The chain is one of the network's own services: a mock configured elsewhere changes nothing.
                probe = json.dumps({"params": {"probe": info["chain_url"]}}).encode()
                req = urllib.request.Request(base + "/run", probe, {"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=120) as resp:
                    probed = json.load(resp)
                assert probed["success"] and "one of this network's own services" in probed["response"]["refused"]

                # A run that fails after its fetches still shows what the mocks answered, on each node whose
                # answer came in before the client gave up (a quorum of failures is enough for that).
                req = urllib.request.Request(base + "/run", json.dumps({"params": {"fail": "after the mocks"}}).encode())
                with urllib.request.urlopen(req, timeout=120) as resp:
                    failed = json.load(resp)
                assert failed["error"]["message"].endswith("after the mocks"), failed
                assert len(failed["mocked"]) == 1 and len(failed["mocked"][0]["nodes"]) >= 2, failed["mocked"]
                assert failed["mocked"][0]["text"].split("\n") == [
                    f"mocked: GET {PRICE_URL} -> prices.json (200)",
                    f"mocked: GET https://prices.example.org/v2/spot?pair=ETH-USD -> forwarded to {api} (200)",
                ]
            finally:
                proc.terminate()
                output = proc.communicate(timeout=30)[0]
            assert f"fetch mock: api.coingecko.com -> {prices}" in output
            assert "] mocked: GET https://api.coingecko.com/api/v3/simple/price" in output
        finally:
            down = litrt("down", "--state-dir", state, "--json")
    assert down.returncode == 0
