"""What the CLI says and loads, without a network: the parser loads no heavy module, a refused
private fetch names the flags that lift it, nodes not waited for are told apart from nodes that erred."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.cli import run_cmd
from runtime.cli.common import node_problems
from runtime.cli.main import main
from runtime.client.quorum import gather_until_decided
from sandbox import Limits

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("web3", "eth_account", "aiohttp", "py_mini_racer", "asyncio", "runtime.client", "sandbox", "runtime.network")

LOOPBACK_FETCH = '(async () => { await fetch("http://127.0.0.1:9/x"); Lit.Actions.setResponse({response: "no"}); })();'


def test_parsing_every_command_loads_no_heavy_module():
    """`litrt --help` and every subcommand's parser stay fast because they import none of these."""
    probe = (
        "import sys; from runtime.cli.main import build_parser; build_parser(); "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.strip() == "[]"


def test_each_command_is_found_in_the_module_that_registers_it():
    """main.COMMANDS lets `litrt CMD` build CMD's module's parsers alone; it must name every command's module."""
    import argparse
    import importlib

    from runtime.cli.main import COMMAND_MODULES, COMMANDS, build_parser

    registered = {}
    for name in COMMAND_MODULES:
        subparsers = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).register(subparsers)
        registered.update(dict.fromkeys(subparsers.choices, name))
    assert COMMANDS == registered

    def commands(parser: argparse.ArgumentParser) -> set[str]:
        return set(next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)))

    assert commands(build_parser("execute")) == {c for c, m in COMMANDS.items() if m == COMMANDS["execute"]}
    assert commands(build_parser("nonsense")) == commands(build_parser()) == set(COMMANDS)


def test_run_timeout_default_is_the_sandbox_limit():
    assert run_cmd._DEFAULT_TIMEOUT_MS == Limits().timeout_ms


def test_a_refused_private_fetch_names_the_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    action = tmp_path / "a.js"
    action.write_text(LOOPBACK_FETCH)
    assert main(["run", str(action)]) == 1
    err = capsys.readouterr().err
    assert "loopback" in err and "--allow-private-fetch" in err and "--mock-fetch" in err, err

    assert main(["run", str(action), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert "--allow-private-fetch" in out["hint"] and "loopback" in out["error"]["message"]


def test_other_failures_get_no_fetch_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    action = tmp_path / "a.js"
    action.write_text('throw new Error("plain failure");')
    assert main(["run", str(action), "--json"]) == 1
    assert "hint" not in json.loads(capsys.readouterr().out)


async def test_nodes_not_waited_for_are_shown_apart_from_errors():
    """The straggler text comes from the real quorum helper, so a change of its words shows here."""

    async def never() -> None:
        await asyncio.Event().wait()

    async def fails() -> Exception:
        return RuntimeError("bad share")  # the client's node calls return their failures

    async def answers() -> str:
        return "ok"

    def decide(got: dict, final: bool) -> dict | None:
        return got if sum(a == "ok" for a in got.values()) >= 2 else (got if final else None)

    got = await gather_until_decided({1: answers(), 2: fails(), 3: never(), 4: answers()}, decide)
    errors = {i: str(a) for i, a in got.items() if isinstance(a, Exception)}
    assert node_problems(errors) == ["not waited for (a quorum answered first): node 3", "errors:", "  node 2: bad share"]


def test_dev_key_is_the_test_mnemonics_account_1():
    """Account 1 of "test test ... junk" is Hardhat's and Anvil's well-known second account."""
    from eth_account import Account

    from runtime.client import dev_key

    assert Account.from_key(dev_key()).address == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
