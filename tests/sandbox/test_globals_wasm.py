"""WebAssembly under Limits(webassembly=True): it works, and runaway modules stay inside the time and
memory limits. Node.js checks that the test modules are valid and compute what the sandbox computes."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.oracles import require_oracle
from tests.sandbox.conftest import run

NODE = shutil.which("node")
HEADER = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
# (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
ADD = HEADER + [1, 7, 1, 0x60, 2, 0x7F, 0x7F, 1, 0x7F, 3, 2, 1, 0, 7, 7, 1, 3, 0x61, 0x64, 0x64, 0, 0,
                10, 9, 1, 7, 0, 0x20, 0, 0x20, 1, 0x6A, 0x0B]
# (func (export "f") (loop (br 0)))
LOOP = HEADER + [1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 0x66, 0, 0, 10, 9, 1, 7, 0, 3, 0x40, 0x0C, 0, 0x0B, 0x0B]


def grower(limits: list[int]) -> list[int]:
    """(memory (export "m") <limits>) (func (export "g") (result i32) (memory.grow (i32.const 60000)))"""
    memory = [1, *limits]
    return HEADER + [1, 5, 1, 0x60, 0, 1, 0x7F, 3, 2, 1, 0, 5, len(memory), *memory,
                     7, 9, 2, 1, 0x6D, 2, 0, 1, 0x67, 0, 0, 10, 10, 1, 8, 0, 0x41, 0xE0, 0xD4, 0x03, 0x40, 0, 0x0B]


FOUR_GIB = grower([1, 1, 0x80, 0x80, 0x04])  # min 1 page, max 65536 pages
NO_MAX = grower([0, 1])  # min 1 page, no maximum
SIXTY_FOUR_MIB = grower([1, 1, 0x80, 0x08])  # max 1024 pages


async def wasm(code: str, params: dict | None = None, **limits: object):
    return await run(code, params, webassembly=True, memory_mb=128, timeout_ms=2000, **limits)


def test_the_test_modules_are_valid_wasm() -> None:
    require_oracle(NODE is not None, "node is not on PATH: Node's WebAssembly checks the test modules")
    program = (
        "const mods = JSON.parse(process.argv[1]).map((b) => new Uint8Array(b));\n"
        "const add = new WebAssembly.Instance(new WebAssembly.Module(mods[0])).exports.add;\n"
        "process.stdout.write(JSON.stringify([mods.map((m) => WebAssembly.validate(m)), add(2, 40)]));"
    )
    mods = [ADD, LOOP, FOUR_GIB, NO_MAX, SIXTY_FOUR_MIB]
    done = subprocess.run([NODE, "-e", program, json.dumps(mods)], capture_output=True, text=True, timeout=60)
    assert json.loads(done.stdout) == [[True] * 5, 42], done.stderr


async def test_a_module_runs() -> None:
    result = await wasm(
        "(async () => {\n"
        "  const { instance } = await WebAssembly.instantiate(new Uint8Array(bytes));\n"
        "  const again = new WebAssembly.Instance(await WebAssembly.compile(new Uint8Array(bytes)));\n"
        "  Lit.Actions.setResponse({ response: JSON.stringify([instance.exports.add(2, 40), again.exports.add(1, 1), WebAssembly.validate(new Uint8Array(bytes))]) });\n"
        "})();",
        {"bytes": ADD},
    )
    assert result.error is None, result.error
    assert json.loads(result.response) == [42, 2, True]


@pytest.mark.parametrize(
    "code",
    [
        "new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes))).exports.f();",
        "(async () => { const { instance } = await WebAssembly.instantiate(new Uint8Array(bytes)); instance.exports.f(); })();",
    ],
)
async def test_a_runaway_loop_is_stopped_by_the_time_limit(code: str) -> None:
    result = await wasm(code, {"bytes": LOOP})
    assert result.error is not None and result.error.kind == "timeout"


async def test_memory_grow_inside_a_module_stops_at_the_memory_limit() -> None:
    # The module declares 4 GiB; inside it, memory.grow asks for 60000 pages (3.7 GiB) and is refused.
    result = await wasm(
        "const { m, g } = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes))).exports;\n"
        "const grown = g();\n"
        "let more; try { m.grow(4096); more = 'grew'; } catch (e) { more = e.name; }\n"
        "Lit.Actions.setResponse({ response: JSON.stringify([grown, m.buffer.byteLength, more]) });",
        {"bytes": FOUR_GIB},
    )
    assert result.error is None, result.error
    grown, size, more = json.loads(result.response)
    assert grown == -1 and size == 65536 and more == "RangeError"


async def test_a_memory_without_a_maximum_gets_one() -> None:
    result = await wasm(
        "const { m, g } = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes))).exports;\n"
        "const results = [g(), m.grow(1000)];\n"
        "try { m.grow(100); results.push('grew'); } catch (e) { results.push(e.name); }\n"
        "Lit.Actions.setResponse({ response: JSON.stringify(results) });",
        {"bytes": NO_MAX},
    )
    assert json.loads(result.response) == [-1, 1, "RangeError"]


@pytest.mark.parametrize(
    "code",
    [
        # each instance's memory is charged at its declared (capped) maximum
        "const keep = []; for (let i = 0; i < 3; i++) keep.push(new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes))));",
        "const keep = []; for (let i = 0; i < 3; i++) keep.push(new WebAssembly.Memory({ initial: 1, maximum: 1024 }));",
        "new WebAssembly.Memory({ initial: 4096 });",
        # the native constructors are not reachable through prototypes
        "const Native = Object.getPrototypeOf(new WebAssembly.Memory({ initial: 1, maximum: 1 })).constructor;\n"
        "const keep = []; for (let i = 0; i < 3; i++) keep.push(new Native({ initial: 1, maximum: 1024 }));",
        "const mod = new WebAssembly.Module(new Uint8Array(bytes)); const Native = mod.constructor;\n"
        "const keep = []; for (let i = 0; i < 3; i++) keep.push(new WebAssembly.Instance(new Native(new Uint8Array(bytes))));",
    ],
)
async def test_wasm_memories_count_against_the_memory_limit(code: str) -> None:
    result = await wasm(code, {"bytes": SIXTY_FOUR_MIB})
    assert result.error is not None and result.error.kind == "memory"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("new WebAssembly.Module(new Uint8Array([...header, 5, 4, 1, 3, 1, 1]));", "shared or 64-bit memories"),
        ("new WebAssembly.Module(new Uint8Array([...header, 5, 3, 1, 4, 1]));", "shared or 64-bit memories"),
        ("new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });", "shared or 64-bit memories"),
        ("new WebAssembly.Module(new Uint8Array(9 * 1024 * 1024));", "modules are limited to"),
        ("new WebAssembly.Module(new Uint8Array([...header, 5, 9, 1]));", "section runs past the end"),
    ],
)
async def test_unsupported_or_malformed_modules_are_refused(code: str, words: str) -> None:
    result = await wasm(code, {"header": HEADER})
    assert result.error is not None and words in result.error.message


async def test_webassembly_is_off_unless_the_limits_allow_it() -> None:
    result = await run("Lit.Actions.setResponse({ response: typeof WebAssembly });")
    assert result.response == "undefined"
