"""`litrt init` and the pytest plugin it scaffolds for (runtime/testing/): the scaffold passes its own
tests in a fresh pytest process, the fixtures do what they say, and the plugin costs nothing until used."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account

from runtime.chain.accounts import dev_accounts
from runtime.cli.main import main
from runtime.client import LitClient
from runtime.network.launcher import NetworkInfo
from runtime.testing.local import LocalRunner
from runtime.testing.networks import NetworkPool
from sandbox.fetch_mocks import MockSpecError

README = Path(__file__).resolve().parents[1] / "README.md"
PRICE_MOCK = {"api.example.com": {"price": 150}}  # what the scaffold's and the README's network tests ask for


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A user's pytest run: a fresh process outside this repository, the plugin loaded by its entry point."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", str(cwd / "basetemp"), *args],
        cwd=cwd, capture_output=True, text=True,
    )


def test_init_writes_an_action_its_params_a_mock_a_test_and_a_readme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "my-action")]) == 0
    names = sorted(p.name for p in (tmp_path / "my-action").iterdir())
    assert names == ["README.md", "action.js", "params.json", "price.json", "test_my_action.py"]
    params = json.loads((tmp_path / "my-action" / "params.json").read_text())
    assert params == {"message": "hello from my-action", "priceUrl": "https://api.example.com/v1/price", "minPrice": 100}
    assert "Lit.Actions.ethPersonalSignMessageEcdsa" in (tmp_path / "my-action" / "action.js").read_text()
    assert f"next: python3 -m pytest -q {tmp_path / 'my-action'}" in capsys.readouterr().out


def test_the_scaffold_readme_litrt_run_line_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "demo"]) == 0
    [line] = [ln for ln in (tmp_path / "demo" / "README.md").read_text().splitlines() if ln.startswith("litrt run ")]
    capsys.readouterr()
    assert main(shlex.split(line)[1:]) == 0
    assert capsys.readouterr().out == 'response: {"signed":false,"price":42}\n'


@pytest.mark.parametrize("name", ["9lives", "a b", "x.y", ""])
def test_init_refuses_a_name_it_cannot_use(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / name) if name else ""]) == 2
    assert "NAME" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_init_refuses_a_directory_with_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("keep me")
    assert main(["init", str(tmp_path / "taken")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["mine.txt"]


@pytest.mark.slow  # a pytest process of its own: several seconds of imports
def test_two_scaffolds_collect_side_by_side(tmp_path: Path) -> None:
    # Both test modules would be test_action.py if named alike, and pytest refuses that basename twice.
    assert main(["init", str(tmp_path / "first")]) == 0 and main(["init", str(tmp_path / "second")]) == 0
    proc = _pytest(tmp_path, "--collect-only", "first", "second")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "6 tests collected" in proc.stdout


def test_the_scaffolded_action_runs_alone_with_its_fetch_mocked(tmp_path: Path, lit_run: LocalRunner) -> None:
    assert main(["init", str(tmp_path / "demo")]) == 0
    action, params = tmp_path / "demo" / "action.js", tmp_path / "demo" / "params.json"
    result = lit_run(action, params, fetch_mocks={"api.example.com/v1": tmp_path / "demo" / "price.json"})
    assert result.error is None, result.error
    assert json.loads(result.response) == {"signed": False, "price": 42}
    assert lit_run.mocked == ["mocked: GET https://api.example.com/v1/price -> price.json (200)"]
    with_key = {**json.loads(params.read_text()), "publicKey": "0x04" + "11" * 64}
    signing = lit_run(action, with_key, fetch_mocks={"api.example.com": {"price": 100}})
    assert signing.error is not None and "not available" in signing.error.message  # no keys without a network


def test_lit_run_takes_code_and_reports_the_action_error(lit_run: LocalRunner) -> None:
    ok = lit_run(code='Lit.Actions.setResponse({response: "hi " + name});', params={"name": "Ada"})
    assert (ok.error, ok.response) == (None, "hi Ada")
    failed = lit_run(code="throw new Error('boom');")
    assert failed.error is not None and "boom" in failed.error.message


def test_lit_run_names_what_is_wrong_with_its_arguments(tmp_path: Path, lit_run: LocalRunner) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        lit_run(tmp_path / "a.js", code="1")
    with pytest.raises(ValueError, match="cannot read the action .*missing.js"):
        lit_run(tmp_path / "missing.js")
    (tmp_path / "list.json").write_text("[1]")
    with pytest.raises(ValueError, match="list.json must hold a JSON object"):
        lit_run(code="1", params=tmp_path / "list.json")
    with pytest.raises(MockSpecError, match="lit_run fetch_mocks api.example.com.*nope.json"):
        lit_run(code="1", fetch_mocks={"api.example.com": str(tmp_path / "nope.json")})


async def test_lit_run_works_inside_an_async_test(lit_run: LocalRunner) -> None:
    result = lit_run(code='Lit.Actions.setResponse({response: "from a thread"});')
    assert result.response == "from a thread"


def test_dev_key_is_the_funded_dev_owner(dev_key: str) -> None:
    assert Account.from_key(dev_key).address == dev_accounts(count=2)[1].address


def test_lit_state_dir_without_a_network_is_refused_by_name(tmp_path: Path) -> None:
    pool = NetworkPool(lambda _name: tmp_path / "unused", reuse=tmp_path)
    with pytest.raises(ValueError, match=f"--lit-state-dir {tmp_path}: no network in"):
        pool.get()
    assert not (tmp_path / "unused").exists()


def test_importing_the_plugin_loads_nothing_heavy() -> None:
    # Every pytest run on a machine with litrt loads the plugin: it must not import the launcher,
    # the client (web3) or the sandbox (V8) before a test asks for a fixture.
    probe = (
        "import sys, runtime.testing.plugin; "
        "print([m for m in sys.modules if m.split('.')[0] in ('web3', 'sandbox', 'py_mini_racer', 'eth_tester')"
        " or m.startswith(('runtime.network', 'runtime.client', 'runtime.chain'))])"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


@pytest.mark.slow  # a pytest process of its own: several seconds of imports
def test_marker_and_option_mistakes_fail_the_test_with_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "test_mistakes.py").write_text(
        "import pytest\n"
        "@pytest.mark.lit_network(3)\n"
        "def test_positional(lit_network): pass\n"
        "@pytest.mark.lit_network(nodes=0)\n"
        "def test_no_nodes(lit_network): pass\n"
        "@pytest.mark.lit_network(fetch_mocks={'api.example.com': 'gone.json'})\n"
        "def test_missing_mock(lit_network): pass\n"
    )
    proc = _pytest(tmp_path, "test_mistakes.py")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "3 failed" in out or "3 errors" in out, out
    assert "takes only the keywords nodes= and fetch_mocks=, not [3]" in out
    assert "nodes must be an integer of at least 1, not 0" in out
    assert re.search(r"@pytest.mark.lit_network fetch_mocks api.example.com=.*gone.json", out), out
    assert not list((tmp_path / "basetemp").glob("lit-net*")), "a network was started for a mistaken test"


@pytest.mark.slow
def test_litrt_init_scaffold_passes_its_tests_on_a_network_it_starts(tmp_path: Path) -> None:
    init = subprocess.run([sys.executable, "-m", "runtime.cli.main", "init", "demo_x"], cwd=tmp_path, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    proc = _pytest(tmp_path, "demo_x")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed" in proc.stdout
    [net] = (tmp_path / "basetemp").glob("lit-net4[0-9]*")  # the plugin started a network of its own...
    assert (net / "node1" / "config.json").exists()
    assert not (net / "network.json").exists() and not (net / "processes.json").exists()  # ...and stopped it


def _readme_test_snippet() -> str:
    section = README.read_text().split("## Test your actions", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)[0]


@pytest.mark.slow
@pytest.mark.lit_network(fetch_mocks=PRICE_MOCK)
async def test_lit_state_dir_reuses_a_running_network_and_leaves_it_up(
    tmp_path: Path, lit_network: NetworkInfo, lit_client: LitClient
) -> None:
    (tmp_path / "test_readme.py").write_text(_readme_test_snippet())
    (tmp_path / "test_other_size.py").write_text(
        "import pytest\n@pytest.mark.lit_network(nodes=3)\ndef test_three(lit_network): pass\n"
    )
    proc = _pytest(tmp_path, "--lit-state-dir", lit_network.state_dir)
    assert "1 passed" in proc.stdout and "1 error" in proc.stdout, proc.stdout + proc.stderr
    assert f"--lit-state-dir {lit_network.state_dir}: that network has 4 nodes, the test asks for 3" in proc.stdout
    assert not list((tmp_path / "basetemp").glob("lit-net*")), "a network was started despite --lit-state-dir"
    await lit_client.refresh()  # the reused network is still up
    assert (Path(lit_network.state_dir) / "network.json").exists()
