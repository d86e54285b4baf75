"""`litrt run` as a user runs it: response, logs, errors with lines, exit codes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.cli import run_cmd

EXAMPLES = Path(__file__).resolve().parent.parent / "actions_examples"


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="litrt")
    run_cmd.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_hello_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli(["run", str(EXAMPLES / "hello.js"), "--params", '{"name": "Ada"}', "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out == {"response": "Hello, Ada!", "logs": "saying: Hello, Ada!\n", "error": None}


def test_params_from_file_and_ethers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = tmp_path / "p.json"
    params.write_text('{"message": "hello"}')
    code = cli(["run", str(EXAMPLES / "keccak_hash.js"), "--params", f"@{params}", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["response"] == "0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8"
    assert out["logs"].startswith("ethers/5.7.2: keccak256")


def test_js_error_prints_message_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    action = tmp_path / "bad.js"
    action.write_text("console.log('start');\n\nundefinedThing();\n")
    code = cli(["run", str(action)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == "start\n"
    assert captured.err == "error: ReferenceError: undefinedThing is not defined (line 3)\n"


def test_js_error_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    action = tmp_path / "bad.js"
    action.write_text("const x = ;")
    code = cli(["run", str(action), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["error"]["kind"] == "syntax_error" and out["error"]["line"] == 1


@pytest.mark.parametrize("params", ["{not json", "[1, 2]", "@/nonexistent/params.json"])
def test_bad_params_is_usage_error(params: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["run", str(EXAMPLES / "hello.js"), "--params", params]) == 2
    assert "litrt run:" in capsys.readouterr().err


def test_missing_file_is_usage_error(tmp_path: Path) -> None:
    assert cli(["run", str(tmp_path / "none.js")]) == 2


def test_fetch_example_against_local_server(capsys: pytest.CaptureFixture[str]) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = b'{"full_name": "lit/example", "stars": 3}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/repo"
        params = json.dumps({"url": url, "field": "full_name"})
        refused = cli(["run", str(EXAMPLES / "fetch.js"), "--params", params, "--json"])
        assert refused == 1
        assert json.loads(capsys.readouterr().out)["error"]["kind"] == "forbidden"
        code = cli(["run", str(EXAMPLES / "fetch.js"), "--params", params, "--json", "--allow-private-fetch"])
        assert code == 0
        assert json.loads(capsys.readouterr().out)["response"] == '{"full_name":"lit/example"}'
    finally:
        server.shutdown()


def test_console_script_json() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "runtime.cli.main", "run", str(EXAMPLES / "hello.js"), "--params", '{"name":"B"}', "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["response"] == "Hello, B!"
