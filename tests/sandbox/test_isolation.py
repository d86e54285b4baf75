"""An action reaches nothing outside its isolate, and nothing survives an execution."""

from __future__ import annotations

import os

import pytest

from sandbox import HOST_OPS, Host
from tests.sandbox.conftest import run


@pytest.mark.parametrize(
    "code",
    [
        "eval('1 + 1');",
        "new Function('return 1')();",
        "Function('return 1')();",
        "(async function () {}).constructor('return 1');",
        "(function* () {}).constructor('yield 1');",
        "(async function* () {}).constructor('yield 1');",
        "setTimeout('globalThis.x = 1', 0);",
    ],
)
async def test_code_generation_from_strings_is_refused(code: str) -> None:
    result = await run(code)
    assert result.error is not None
    assert result.error.kind == "js_error"
    assert "disallowed" in result.error.message or "must be a function" in result.error.message


async def test_no_node_deno_or_wasm_doors() -> None:
    code = (
        "Lit.Actions.setResponse({ response: [typeof require, typeof process, typeof Deno, typeof WebAssembly, "
        "typeof FinalizationRegistry, typeof Atomics.waitAsync, typeof __timer_manager, typeof module].join() });"
    )
    result = await run(code)
    assert result.response == ",".join(["undefined"] * 8)


async def test_cannot_read_files_env_or_python_objects() -> None:
    os.environ["LITRT_SECRET_FOR_TEST"] = "s3cret"
    code = (
        "const found = [];\n"
        "for (const name of Object.getOwnPropertyNames(globalThis)) {\n"
        "  const v = globalThis[name];\n"
        "  try { if (JSON.stringify(v).includes('s3cret')) found.push(name); } catch (e) {}\n"
        "}\n"
        "try { require('fs'); } catch (e) { found.push('no-require:' + e.name); }\n"
        "try { Deno.readTextFileSync('/etc/passwd'); } catch (e) { found.push('no-deno:' + e.name); }\n"
        "Lit.Actions.setResponse({ response: found.join() });"
    )
    result = await run(code)
    assert result.response == "no-require:ReferenceError,no-deno:ReferenceError"


async def test_globals_do_not_survive() -> None:
    first = await run("globalThis.leak = 42; var leak2 = 1; Object.prototype.polluted = 1;")
    assert first.error is None
    second = await run(
        "Lit.Actions.setResponse({ response: [typeof leak, typeof leak2, typeof ({}).polluted].join() });"
    )
    assert second.response == "undefined,undefined,undefined"


async def test_every_lit_action_exists_and_base_host_refuses() -> None:
    names = sorted(set(HOST_OPS) | {"setResponse", "runOnce", "uint8arrayToString", "uint8arrayFromString"})
    code = "Lit.Actions.setResponse({ response: JSON.stringify(Object.keys(Lit.Actions).sort()) });"
    result = await run(code)
    assert result.response.replace('"', "").strip("[]").split(",") == names
    refused = await run("(async () => { await Lit.Actions.signEcdsa({ toSign: [1], publicKey: 'p', sigName: 's' }); })();")
    assert refused.error is not None and refused.error.kind == "host_error"
    assert refused.error.message == "Lit.Actions.signEcdsa is not available in this host"
    assert refused.operations == [{"op": "signEcdsa", "args": {"toSign": "<1 bytes>", "publicKey": "p", "sigName": "s"}, "ok": False}]


async def test_unknown_op_names_are_refused_by_the_host() -> None:
    host = Host()
    for op in ("__init__", "handle", "op_fetch", "nonexistent"):
        with pytest.raises(Exception, match="is not available in this host"):
            await host.handle(op, {})
