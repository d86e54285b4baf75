"""Fixtures shared by every test directory."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.oracles import MARK, check_marks, require_oracle

LIT_WASM = Path(__file__).parents[1] / "node_modules" / "@lit-protocol" / "wasm"

# One request per node process, as JSON on stdin; hex in, hex out.
_RUNNER = """
const w = require(process.argv[1]);
let input = '';
process.stdin.on('data', d => input += d);
process.stdin.on('end', async () => {
  const req = JSON.parse(input), hex = s => Buffer.from(s, 'hex'), out = {};
  try {
    if (req.op === 'combine') out.sig = await w.blsCombine(req.shares);
    if (req.op === 'verify') { await w.blsVerify(hex(req.pk), hex(req.msg), req.sig); out.ok = true; }
    if (req.op === 'encrypt') out.ct = Buffer.from(await w.blsEncrypt(hex(req.pk), hex(req.msg), hex(req.id))).toString('hex');
    if (req.op === 'decrypt') out.msg = Buffer.from(await w.blsDecrypt(hex(req.ct), req.shares)).toString('hex');
  } catch (e) { out.error = String((e && e.message) || e); }
  process.stdout.write(JSON.stringify(out));
});
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARK}(missing): needs an outside oracle; missing is None or why it is absent")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    check_marks(item)  # before the fixtures, so a missing oracle starts no chain or server


@pytest.fixture(scope="session")
def lit_wasm() -> Callable[..., dict[str, Any]]:
    """npm @lit-protocol/wasm as an oracle: `lit_wasm(op=..., ...)` runs one request in node.

    ops: combine(shares) -> {sig}; verify(pk, msg, sig) -> {ok}; encrypt(pk, msg, id) -> {ct};
    decrypt(ct, shares) -> {msg}; any failure -> {error}. Bytes are hex."""
    require_oracle(
        shutil.which("node") is not None and (LIT_WASM / "package.json").exists(),
        "node or node_modules/@lit-protocol/wasm missing (run the set-up script's npm install)",
    )

    def run(**request: Any) -> dict[str, Any]:
        proc = subprocess.run(
            ["node", "-e", _RUNNER, str(LIT_WASM)], input=json.dumps(request), capture_output=True, text=True, check=True
        )
        return json.loads(proc.stdout)

    return run
