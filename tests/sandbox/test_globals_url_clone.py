"""URL, URLSearchParams and structuredClone inside actions; Node.js's WHATWG URL is the oracle for URL."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from sandbox import Host, Limits, execute
from tests.oracles import require_oracle
from tests.sandbox.conftest import run

NODE = shutil.which("node")

URLS = [
    "https://user:pw@example.com:8080/a/b/../c?x=1&y=2&x=3#frag",
    "http://EXAMPLE.com:80/%7efoo/./bar baz?q=a+b&r=%20",
    "https://例え.jp/パス?キー=値",
    "http://[::1]:3000/x",
    "http://192.168.0.1.:8080",
    "file:///etc/hosts",
    "https://api.example.com/v1/items?limit=10&offset=20&tags=a,b",
]

# Parse each URL, edit its searchParams as actions do, and describe the result.
DESCRIBE = """
const described = urls.map((text) => {
  const u = new URL(text);
  const sp = u.searchParams;
  sp.append("added", "a b&c=d");
  sp.set("x", "set");
  sp.delete("y");
  sp.sort();
  return [u.href, u.protocol, u.username, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin,
    sp.toString(), [...sp.keys()].join("|"), sp.getAll("x").join("|"), sp.has("added"), String(new URL("../up?z=1", u))];
});
"""


def node_describe(urls: list[str]) -> list[list[object]]:
    require_oracle(NODE is not None, "node is not on PATH: Node's WHATWG URL is the oracle for URL")
    program = f"const urls = JSON.parse(process.argv[1]);\n{DESCRIBE}\nprocess.stdout.write(JSON.stringify(described));"
    done = subprocess.run([NODE, "-e", program, json.dumps(urls)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def test_url_parsing_and_search_params_match_node() -> None:
    result = await run(DESCRIBE + "\nLit.Actions.setResponse({ response: JSON.stringify(described) });", {"urls": URLS})
    assert result.error is None, result.error
    assert json.loads(result.response) == node_describe(URLS)


async def test_url_search_params_api() -> None:
    code = (
        "const go = async () => {\n"
        "  const p = new URLSearchParams('?a=1&b=2&a=3');\n"
        "  const fromObject = new URLSearchParams({ q: 'x y', n: '1' }).toString();\n"
        "  const fromPairs = new URLSearchParams([['k', 'v'], ['k', 'w']]).getAll('k');\n"
        "  const seen = []; for (const [k, v] of p) seen.push(k + '=' + v);\n"
        "  const entries = [...p.entries()].length;\n"
        "  p.forEach((v, k) => seen.push(k));\n"
        "  let invalid; try { new URL('no scheme here'); } catch (e) { invalid = e.name; }\n"
        "  Lit.Actions.setResponse({ response: JSON.stringify({ fromObject, fromPairs, seen, entries, get: p.get('a'), missing: p.get('zz'), invalid,"
        " canParse: typeof URL.canParse === 'function' ? URL.canParse('https://x') : null }) });\n"
        "};\ngo();"
    )
    result = await run(code)
    assert result.error is None, result.error
    assert json.loads(result.response) == {
        "fromObject": "q=x+y&n=1",
        "fromPairs": ["v", "w"],
        "seen": ["a=1", "b=2", "a=3", "a", "b", "a"],
        "entries": 3,
        "get": "1",
        "missing": None,
        "invalid": "TypeError",
        "canParse": True,
    }


async def test_url_is_loaded_only_for_actions_that_name_it() -> None:
    result = await execute("Lit.Actions.setResponse({ response: typeof globalThis['UR' + 'L'] });", None, Host(), Limits())
    assert result.response == "undefined"


async def test_structured_clone_copies_deeply_with_cycles_and_shared_buffers() -> None:
    code = (
        "const buffer = new ArrayBuffer(8);\n"
        "const original = { n: 1, s: 'x', big: 10n, date: new Date(5), re: /a+/gi, nested: { list: [1, [2, 3]] },\n"
        "  map: new Map([['k', { v: 1 }]]), set: new Set([1, 2]), bytes: new Uint8Array(buffer, 2, 4), words: new Uint16Array(buffer),\n"
        "  buffer, undef: undefined, err: new RangeError('bad') };\n"
        "original.self = original; original.nested.parent = original;\n"
        "const copy = structuredClone(original);\n"
        "copy.bytes[0] = 7;\n"
        "Lit.Actions.setResponse({ response: JSON.stringify([\n"
        "  copy !== original, copy.self === copy, copy.nested.parent === copy, copy.nested.list[1][1], copy.big === 10n,\n"
        "  copy.date instanceof Date && copy.date.getTime() === 5, copy.re.source + copy.re.flags, copy.map.get('k').v,\n"
        "  copy.set.has(2), copy.bytes.buffer === copy.buffer, copy.words.buffer === copy.buffer, new Uint8Array(copy.buffer)[2],\n"
        "  new Uint8Array(buffer)[2], 'undef' in copy, copy.err instanceof RangeError && copy.err.message,\n"
        "]) });"
    )
    result = await run(code)
    assert result.error is None, result.error
    assert json.loads(result.response) == [
        True, True, True, 3, True, True, "a+gi", 1, True, True, True, 7, 0, True, "bad",
    ]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("{ f() {} }", "function f() {} could not be cloned."),
        ("[Symbol('s')]", "Symbol(s) could not be cloned."),
        ("{ p: Promise.resolve(1) }", "#<Promise> could not be cloned."),
        ("new WeakMap()", "#<WeakMap> could not be cloned."),
    ],
)
async def test_structured_clone_refuses_what_cannot_be_cloned(value: str, words: str) -> None:
    code = (
        f"try {{ structuredClone({value}); Lit.Actions.setResponse({{ response: 'cloned' }}); }}\n"
        "catch (e) { Lit.Actions.setResponse({ response: JSON.stringify([e.name, e.message, e instanceof DOMException]) }); }"
    )
    result = await run(code)
    assert json.loads(result.response) == ["DataCloneError", words, True]


async def test_structured_clone_is_charged_against_the_memory_limit() -> None:
    # A clone's buffers go through the guarded ArrayBuffer: cloning a big buffer over and over hits the limit.
    code = (
        "const big = new ArrayBuffer(8 * 1024 * 1024);\n"
        "const keep = [];\n"
        "for (let i = 0; i < 64; i++) keep.push(structuredClone(big));"
    )
    result = await run(code, memory_mb=128)
    assert result.error is not None and result.error.kind == "memory"
