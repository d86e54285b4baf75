"""Lit.Actions.uint8arrayToString / uint8arrayFromString take uint8arrays' encodings; npm uint8arrays
(what Lit re-exports) is the oracle."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.oracles import require_oracle
from tests.sandbox.conftest import run

UINT8ARRAYS = Path(__file__).resolve().parents[2] / "node_modules" / "uint8arrays"
ENCODINGS = ["utf8", "utf-8", "ascii", "latin1", "base16", "hex", "base64", "base64pad", "base64url", "base64urlpad", "base58btc"]
_ORACLE = """
const u = require(process.argv[1]);
const cases = JSON.parse(process.argv[2]);
const out = cases.map(([hex, enc]) => {
  const text = u.toString(Uint8Array.from(Buffer.from(hex, 'hex')), enc);
  return [text, Buffer.from(u.fromString(text, enc)).toString('hex')];
});
process.stdout.write(JSON.stringify(out));
"""


def _oracle(cases: list[tuple[str, str]]) -> list[list[str]]:
    require_oracle(shutil.which("node") is not None and UINT8ARRAYS.exists(), "node and npm uint8arrays (scripts/setup.sh)")
    proc = subprocess.run(["node", "-e", _ORACLE, str(UINT8ARRAYS), json.dumps(cases)], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


async def test_every_encoding_round_trips_as_uint8arrays_does() -> None:
    samples = ["", "00", "0000ff", "000102faff6869", os.urandom(33).hex(), "68656c6c6f20e29c93"]
    cases = [(hex_, enc) for hex_ in samples for enc in ENCODINGS]
    expected = _oracle(cases)
    code = """
      const out = cases.map(([hex, enc]) => {
        const bytes = new Uint8Array(hex.length / 2).map((_, i) => parseInt(hex.substr(2 * i, 2), 16));
        const text = Lit.Actions.uint8arrayToString(bytes, enc);
        const back = Lit.Actions.uint8arrayFromString(text, enc);
        return [text, Array.from(back, (b) => b.toString(16).padStart(2, "0")).join("")];
      });
      Lit.Actions.setResponse({ response: JSON.stringify(out) });
    """
    result = await run(code, {"cases": cases})
    assert result.error is None, result.error
    assert json.loads(result.response) == expected


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("Lit.Actions.uint8arrayToString(new Uint8Array([1]), 'nope')", 'Unsupported encoding "nope"'),
        ("Lit.Actions.uint8arrayFromString('00FF', 'base16')", "Non-base16 character"),
        ("Lit.Actions.uint8arrayFromString('0OIl', 'base58btc')", "Non-base58btc character"),
        ("Lit.Actions.uint8arrayFromString('a b', 'base64')", "Non-base64 character"),
    ],
)
async def test_bad_names_and_texts_get_uint8arrays_errors(call: str, message: str) -> None:
    result = await run(call + ";")
    assert result.error is not None and message in result.error.message


async def test_decoding_is_charged_against_the_memory_limit() -> None:
    # Four decodes of 10 MiB of base64 hold 30 MiB of bytes: over a 24 MiB limit, under a 64 MiB one.
    code = """
      const text = "A".repeat(10 * 1024 * 1024);
      const kept = [1, 2, 3, 4].map(() => Lit.Actions.uint8arrayFromString(text, "base64"));
      Lit.Actions.setResponse({ response: String(kept.reduce((n, b) => n + b.length, 0)) });
    """
    over = await run(code, memory_mb=24)
    assert over.error is not None and "memory" in over.error.message
    under = await run(code, memory_mb=64)
    assert under.error is None and under.response == str(4 * 7_864_320)


async def test_text_decoder_replaces_invalid_utf8_as_whatwg_does() -> None:
    # Node's TextDecoder (WHATWG) is the oracle: one U+FFFD per maximal invalid subpart.
    require_oracle(shutil.which("node") is not None, "node on PATH")
    samples = [os.urandom(40).hex() for _ in range(60)] + ["e29c41", "f09f98", "eda080", "c0af", "f4908080", "e0"]
    script = "const s = JSON.parse(process.argv[1]); process.stdout.write(JSON.stringify(s.map(h => new TextDecoder().decode(Buffer.from(h, 'hex')))));"
    expected = json.loads(subprocess.run(["node", "-e", script, json.dumps(samples)], capture_output=True, text=True, check=True).stdout)
    code = """
      const out = samples.map((hex) => new TextDecoder().decode(new Uint8Array(hex.length / 2).map((_, i) => parseInt(hex.substr(2 * i, 2), 16))));
      Lit.Actions.setResponse({ response: JSON.stringify(out) });
    """
    result = await run(code, {"samples": samples})
    assert result.error is None, result.error
    assert json.loads(result.response) == expected
