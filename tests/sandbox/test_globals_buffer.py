"""`await import("node:buffer")` in actions, as on Lit's Deno; Node.js's own Buffer is the oracle."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.oracles import require_oracle
from tests.sandbox.conftest import run

NODE = shutil.which("node")

# The same operations in the sandbox (after the import) and in Node (where Buffer is built in).
OPERATIONS = """
const b = Buffer.from("héllo wörld", "utf8");
const described = [
  b.toString("base64"), b.toString("hex"), b.toString("base64url"), b.length,
  Buffer.from("aGVsbG8", "base64").toString(), Buffer.from("deadbeef", "hex").readUInt32BE(0),
  Buffer.concat([Buffer.from([1, 2]), Buffer.alloc(2, 9)]).toJSON(), Buffer.byteLength("€"),
  Buffer.isBuffer(b), b instanceof Uint8Array, b.subarray(1, 3).toString("hex"), b.equals(Buffer.from(b)),
  Buffer.compare(Buffer.from("a"), Buffer.from("b")), b.indexOf("wö"), Buffer.from("abc").toString("latin1"),
];
"""


def node_describe() -> list[object]:
    require_oracle(NODE is not None, "node is not on PATH: Node's Buffer is the oracle for node:buffer")
    program = OPERATIONS + "\nprocess.stdout.write(JSON.stringify(described));"
    done = subprocess.run([NODE, "-e", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "importing",
    [
        'const { Buffer } = await import("node:buffer");',
        "const { Buffer } = await import('buffer');",
        "const Buffer = (await import( 'node:buffer' )).default.Buffer;",
    ],
)
async def test_imported_buffer_matches_node(importing: str) -> None:
    code = "(async () => {\n" + importing + OPERATIONS + "Lit.Actions.setResponse({ response: JSON.stringify(described) });\n})();"
    result = await run(code)
    assert result.error is None, result.error
    assert json.loads(result.response) == node_describe()


async def test_buffer_is_not_a_global_even_after_the_import() -> None:
    code = (
        "const go = async () => {\n"
        "  const before = typeof Buffer;\n"
        "  const { Buffer: B } = await import('node:buffer');\n"
        "  Lit.Actions.setResponse({ response: [before, typeof Buffer, typeof globalThis.Buffer, typeof B].join() });\n"
        "};\ngo();"
    )
    result = await run(code)
    assert result.response == "undefined,undefined,undefined,function"


async def test_the_lit_shim_idiom_works() -> None:
    # From Lit's examples: the action puts Buffer on globalThis itself (digest as `node -e` computes it).
    code = (
        "(async () => {\n"
        "  const { Buffer: NodeBuffer } = await import('node:buffer');\n"
        "  globalThis.Buffer = NodeBuffer;\n"
        "  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('Hello, crypto world!'));\n"
        "  Lit.Actions.setResponse({ response: Buffer.from(hash).toString('base64url') });\n"
        "})();"
    )
    result = await run(code)
    assert result.error is None, result.error
    assert result.response == "AllpYiZEbKpzmwVyIpuNcnv9W0Ovu-KZdm1onFhv36Y"


async def test_other_modules_and_computed_specifiers_are_refused() -> None:
    result = await run("(async () => { const name = 'node:buf' + 'fer'; await import(name); })();")
    assert result.error is not None and result.error.kind == "js_error"
    result = await run("(async () => { await import('node:fs'); })();")
    assert result.error is not None and result.error.kind == "js_error"


@pytest.mark.parametrize("allocation", ["Buffer.alloc(64 * 1024 * 1024)", "Buffer.allocUnsafe(64 * 1024 * 1024)", "Buffer.alloc(64 * 1024 * 1024, 1)"])
async def test_buffer_allocations_count_against_the_memory_limit(allocation: str) -> None:
    code = (
        "(async () => {\n"
        "  const { Buffer } = await import('node:buffer');\n"
        f"  const keep = []; for (let i = 0; i < 8; i++) keep.push({allocation});\n"
        "})();"
    )
    result = await run(code, memory_mb=128)
    assert result.error is not None and result.error.kind == "memory"
