"""`litrt ipfs add/cat/serve` as a user runs them."""

import argparse
import json
import subprocess
import sys
import urllib.request

import pytest

from runtime.cli import ipfs_cmd
from runtime.ipfs import BlockStore, build_dag

PARSER_SCRIPT = (
    "import argparse, sys\n"
    "from runtime.cli import ipfs_cmd\n"
    "parser = argparse.ArgumentParser(prog='litrt')\n"
    "ipfs_cmd.register(parser.add_subparsers())\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "sys.exit(args.handler(args))\n"
)


def run(argv: list[str]) -> int:
    """Through litrt's real parser when every command module is present, else ours alone."""
    try:
        from runtime.cli.main import main

        return main(argv)
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("runtime.cli."):
            raise
    parser = argparse.ArgumentParser(prog="litrt")
    ipfs_cmd.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture
def hello(tmp_path):
    path = tmp_path / "hello.txt"
    path.write_bytes(b"hello\n")
    return path


def test_add_prints_the_cid(hello, capsys):
    assert run(["ipfs", "add", str(hello)]) == 0
    assert capsys.readouterr().out.strip() == "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"


def test_add_json_and_store(hello, tmp_path, capsys):
    store_dir = tmp_path / "store"
    assert run(["ipfs", "add", "--json", "--store", str(store_dir), str(hello)]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added == {"Name": "hello.txt", "Hash": "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN", "Size": "14"}
    assert BlockStore(store_dir).cat(added["Hash"]) == b"hello\n"


def test_add_without_store_writes_nothing(hello, tmp_path, capsys):
    assert run(["ipfs", "add", "--json", str(hello)]) == 0
    json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hello.txt"]


def test_add_missing_file_is_a_clear_error(tmp_path, capsys):
    assert run(["ipfs", "add", str(tmp_path / "absent.js")]) == 1
    err = capsys.readouterr().err
    assert "absent.js" in err and "No such file" in err


def test_cat_from_store_verifies(tmp_path, capsys):
    store = BlockStore(tmp_path / "store")
    dag = store.add_bytes(b"hello world")
    assert run(["ipfs", "cat", str(dag.root), "--store", str(store.root)]) == 0
    assert capsys.readouterr().out == "hello world"
    path = store.path_for(dag.root)
    path.write_bytes(path.read_bytes().replace(b"hello", b"jello"))
    assert run(["ipfs", "cat", str(dag.root), "--store", str(store.root)]) == 1
    assert str(dag.root) in capsys.readouterr().err


def test_serve_then_add_over_http_then_cat_through_the_gateway(tmp_path):
    store_dir = tmp_path / "served"
    with subprocess.Popen(
        [sys.executable, "-c", PARSER_SCRIPT, "ipfs", "serve", "--store", str(store_dir), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            _add_and_cat(proc, store_dir)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _add_and_cat(proc: subprocess.Popen, store_dir) -> None:
    ready = proc.stdout.readline()
    assert "IPFS service on http://127.0.0.1:" in ready, proc.stderr.read()
    url = ready.split()[3]
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.js"\r\n\r\nhello world\r\n--b--\r\n'
    request = urllib.request.Request(
        f"{url}/api/v0/add", data=body, method="POST",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        added = json.loads(response.read())
    assert added["Hash"] == str(build_dag(b"hello world").root)
    assert BlockStore(store_dir).has(added["Hash"])
    result = subprocess.run(
        [sys.executable, "-c", PARSER_SCRIPT, "ipfs", "cat", added["Hash"], "--gateway", url],
        capture_output=True, timeout=60,
    )
    assert result.stdout == b"hello world", result.stderr
