"""H3 (1): every way an action can make an ArrayBuffer backing store is charged to the memory limit.

V8's heap limit does not see backing stores, so the prelude charges them. Each attack below tries to
allocate 128 MiB or more under a 16 MiB limit through one path, most after tampering with what the
path looks up (`constructor`, Symbol.species, a getter or valueOf that answers differently the second
time). Each must end with the memory limit error. A second part checks the charged built-ins still
give what V8's own give, against a bare V8 isolate without the prelude.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from py_mini_racer import MiniRacer

from sandbox import FetchPolicy, Host, Limits, execute
from sandbox.isolate import codegen_blocked_by_flag

MIB = 1024 * 1024
LIMIT_MB = 16
MEMORY_ERROR = f"Your function exceeded the maximum memory of {LIMIT_MB} MB and was terminated."
# Each attack keeps what it allocated in `keep` and reports how much; reaching setResponse is a bypass.
END = "Lit.Actions.setResponse({ response: String(keep.length) });"

ATTACKS = {
    # reviews/poc/poc_buffers.py: species lookup falls back to the intrinsic constructor.
    "arraybuffer-slice-constructor-undefined": """
        const a = new ArrayBuffer(4 * MIB);
        ArrayBuffer.prototype.constructor = undefined;
        for (let i = 0; i < 32; i++) keep.push(a.slice(0));""",
    "arraybuffer-slice-own-species-null": """
        const a = new ArrayBuffer(4 * MIB);
        Object.defineProperty(a, "constructor", { value: { [Symbol.species]: null } });
        for (let i = 0; i < 32; i++) keep.push(a.slice(0));""",
    "arraybuffer-slice-null-prototype": """
        const slice = ArrayBuffer.prototype.slice;
        const a = new ArrayBuffer(4 * MIB);
        Object.setPrototypeOf(a, null);
        for (let i = 0; i < 32; i++) keep.push(slice.call(a, 0));""",
    "sharedarraybuffer-slice": """
        const shared = new SharedArrayBuffer(4 * MIB);
        Object.defineProperty(SharedArrayBuffer.prototype, "constructor", { value: undefined });
        while (keep.length < 32) keep.push(shared.slice(0));""",
    "typedarray-slice": """
        const t = new Uint8Array(4 * MIB);
        Uint8Array.prototype.constructor = undefined;
        for (let i = 0; i < 32; i++) keep.push(t.slice());""",
    "typedarray-map": """
        const t = new Float64Array(MIB / 2);
        Float64Array.prototype.constructor = undefined;
        for (let i = 0; i < 32; i++) keep.push(t.map((x) => x));""",
    "typedarray-filter": """
        const t = new Uint8Array(2 * MIB);
        Object.defineProperty(t, "constructor", { value: undefined });
        for (let i = 0; i < 64; i++) keep.push(t.filter(() => true));""",
    "typedarray-subclass-species-undefined": """
        class Evil extends Uint8Array { static get [Symbol.species]() { return undefined; } }
        const t = new Evil(4 * MIB);
        for (let i = 0; i < 32; i++) keep.push(t.slice());""",
    "typedarray-toReversed": """
        const t = new Uint8Array(4 * MIB);
        for (let i = 0; i < 32; i++) keep.push(t.toReversed());""",
    "typedarray-toSorted": """
        const t = new Uint8Array(4 * MIB);
        for (let i = 0; i < 32; i++) keep.push(t.toSorted());""",
    "typedarray-with": """
        const t = new Uint8Array(4 * MIB);
        for (let i = 0; i < 32; i++) keep.push(t.with(0, 1));""",
    "float16array": """
        for (let i = 0; i < 32; i++) keep.push(new Float16Array(2 * MIB));""",
    "uint8array-fromBase64": """
        const text = "AAAA".repeat(MIB);
        for (let i = 0; i < 43; i++) keep.push(Uint8Array.fromBase64(text));""",
    "uint8array-fromHex": """
        const text = "00".repeat(2 * MIB);
        for (let i = 0; i < 64; i++) keep.push(Uint8Array.fromHex(text));""",
    "typedarray-length-getter-answers-twice": """
        let reads = 0;
        const like = { get length() { return reads++ % 2 ? 4 * MIB : 0; } };
        for (let i = 0; i < 32; i++) keep.push(new Uint8Array(like));""",
    "typedarray-length-as-string": """
        for (let i = 0; i < 32; i++) keep.push(new Float64Array(String(MIB / 2)));""",
    "typedarray-fake-arraybuffer": """
        const fake = Object.create(ArrayBuffer.prototype);
        fake.length = 4 * MIB;
        for (let i = 0; i < 32; i++) keep.push(new Uint8Array(fake));""",
    "typedarray-from-typedarray-shadowed-length": """
        const source = new Uint8Array(MIB / 2);
        Object.defineProperty(source, "length", { value: 0 });
        for (let i = 0; i < 32; i++) keep.push(new Float64Array(source));""",
    "typedarray-from-generator": """
        function* zeros(n) { for (let i = 0; i < n; i++) yield 0; }
        for (let i = 0; i < 32; i++) keep.push(new Float64Array(zeros(MIB / 2)));""",
    "typedarray-static-from": """
        Uint8Array.prototype.constructor = undefined;
        function* zeros(n) { for (let i = 0; i < n; i++) yield 0; }
        for (let i = 0; i < 32; i++) keep.push(Uint8Array.from(zeros(4 * MIB)));""",
    # The guards construct through Reflect.construct: a replaced one must not be handed the intrinsic.
    "reflect-construct-replaced": """
        const construct = Reflect.construct;
        let native;
        Reflect.construct = function (target, args, newTarget) { native = native || target; return construct(target, args, newTarget); };
        new Uint8Array(1);
        Reflect.construct = construct;
        const Make = native || Uint8Array;
        for (let i = 0; i < 32; i++) keep.push(new Make(4 * MIB));""",
    "arraybuffer-length-valueOf-answers-twice": """
        let reads = 0;
        const size = { valueOf() { return reads++ % 2 ? 4 * MIB : 0; } };
        for (let i = 0; i < 32; i++) keep.push(new ArrayBuffer(size));""",
    "arraybuffer-resizable-max-getter-answers-twice": """
        let reads = 0;
        const options = { get maxByteLength() { return reads++ % 2 ? 4 * MIB : 0; } };
        for (let i = 0; i < 64; i++) {
          const b = new ArrayBuffer(0, options);
          try { b.resize(4 * MIB); } catch (e) { continue; }  // a maximum of 0 was charged: no room
          keep.push(b);
        }""",
    "arraybuffer-transfer-valueOf": """
        let reads = 0;
        const size = { valueOf() { return reads++ % 2 ? 4 * MIB : 0; } };
        for (let i = 0; i < 32; i++) keep.push(new ArrayBuffer(0).transfer(size));""",
    "arraybuffer-transferToFixedLength": """
        for (let i = 0; i < 32; i++) keep.push(new ArrayBuffer(0).transferToFixedLength(4 * MIB));""",
    "structuredClone": """
        const big = new Uint8Array(4 * MIB);
        ArrayBuffer.prototype.constructor = undefined;
        globalThis.ArrayBuffer = function () { return new SharedArrayBuffer(0); };
        for (let i = 0; i < 32; i++) keep.push(structuredClone(big));""",
    "TextEncoder": """
        const text = "x".repeat(MIB / 2);
        Uint8Array.prototype.constructor = undefined;
        for (let i = 0; i < 256; i++) keep.push(new TextEncoder().encode(text));""",
    "node-buffer": """
        const { Buffer } = await import("node:buffer");
        Uint8Array.prototype.constructor = undefined;
        const chunk = Buffer.alloc(MIB);
        for (let i = 0; i < 128; i++) keep.push(Buffer.concat([chunk]));""",
    "crypto-subtle-encrypt": """
        const key = await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]);
        const data = new Uint8Array(4 * MIB);
        ArrayBuffer.prototype.constructor = undefined;
        for (let i = 0; i < 32; i++) keep.push(await crypto.subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, key, data));""",
}


def _action(body: str) -> str:
    return f"(async () => {{\nconst MIB = {MIB};\nconst keep = [];\n{body}\n{END}\n}})();"


async def _run(code: str, host: Host | None = None) -> object:
    return await execute(code, {}, host or Host(), Limits(memory_mb=LIMIT_MB, timeout_ms=20_000))


@pytest.mark.parametrize("body", list(ATTACKS.values()), ids=list(ATTACKS))
async def test_allocation_path_is_charged(body: str) -> None:
    result = await _run(_action(body))
    assert result.response == "", f"allocated {result.response} chunks past the limit"
    assert result.error is not None and result.error.kind == "memory", result.error
    assert result.error.message == MEMORY_ERROR


# A module whose one memory (exported as "m") starts at one page and may reach `max` pages.
WASM_MODULE = "[0, 97, 115, 109, 1, 0, 0, 0, 5, 4, 1, 1, 1, {max}, 7, 5, 1, 1, 109, 2, 0]"
WASM_ATTACKS = {
    "wasm-reflect-construct-steals-memory": """
        const construct = Reflect.construct;
        let native;
        Reflect.construct = function (target, args, newTarget) { native = native || target; return construct(target, args, newTarget); };
        new WebAssembly.Memory({ initial: 1, maximum: 1 });
        Reflect.construct = construct;
        const Make = native || WebAssembly.Memory;
        for (let i = 0; i < 32; i++) keep.push(new Make({ initial: 64 }));""",
    # The module that is charged (a maximum of one page) is not the one compiled (64 pages).
    "wasm-uint8array-swaps-the-module": f"""
        const U8 = Uint8Array;
        const small = {WASM_MODULE.format(max=1)}, big = {WASM_MODULE.format(max=64)};
        let calls = 0;
        globalThis.Uint8Array = function () {{ return new U8(calls++ % 2 ? big : small); }};
        for (let i = 0; i < 32; i++) {{
          const instance = new WebAssembly.Instance(new WebAssembly.Module(new U8(small)));
          try {{ instance.exports.m.grow(63); }} catch (e) {{}}
          keep.push(instance.exports.m);
        }}""",
    "wasm-weakmap-get-forgets-the-cost": f"""
        const get = WeakMap.prototype.get;
        WeakMap.prototype.get = function (key) {{ const v = get.call(this, key); return typeof v === "number" ? 0 : v; }};
        const module = new WebAssembly.Module(new Uint8Array({WASM_MODULE.format(max=64)}));
        for (let i = 0; i < 32; i++) {{
          const instance = new WebAssembly.Instance(module);
          instance.exports.m.grow(63);
          keep.push(instance.exports.m);
        }}""",
}


@pytest.mark.parametrize("body", list(WASM_ATTACKS.values()), ids=list(WASM_ATTACKS))
async def test_webassembly_memories_stay_inside_the_limit(body: str) -> None:
    """Either the limit stops the attack, or the memories it made add up to less than the limit."""
    total = "String(keep.reduce((n, memory) => n + memory.buffer.byteLength, 0))"
    code = _action(body).replace(END, f"Lit.Actions.setResponse({{ response: {total} }});")
    limits = Limits(memory_mb=LIMIT_MB, timeout_ms=20_000, webassembly=True)
    result = await execute(code, {}, Host(), limits)
    if result.error is not None:
        assert result.error.kind == "memory", result.error
    else:
        assert int(result.response) <= LIMIT_MB * MIB


@pytest.fixture
async def body_server() -> AsyncIterator[str]:
    async def body(request: web.Request) -> web.Response:
        return web.Response(body=b"\0" * (6 * MIB))

    app = web.Application()
    app.router.add_get("/body", body)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("/body"))


async def test_fetched_bodies_are_charged(body_server: str) -> None:
    code = _action(f"""
        ArrayBuffer.prototype.constructor = undefined;
        for (let i = 0; i < 20; i++) keep.push(await (await fetch({json.dumps(body_server)})).arrayBuffer());""")
    result = await _run(code, Host(FetchPolicy(allow_private=True)))
    assert result.response == ""
    assert result.error is not None and result.error.kind == "memory"


async def test_natives_cannot_be_reached() -> None:
    """The charged wrappers are the only functions an action can find for these paths."""
    code = """
        const found = [];
        const natives = /\\{ \\[native code\\] \\}$/;
        const candidates = {
          slice: ArrayBuffer.prototype.slice, transfer: ArrayBuffer.prototype.transfer,
          typedSlice: Uint8Array.prototype.slice, map: Uint8Array.prototype.map,
          filter: Uint8Array.prototype.filter, toReversed: Uint8Array.prototype.toReversed,
          toSorted: Uint8Array.prototype.toSorted, with: Uint8Array.prototype.with,
          fromBase64: Uint8Array.fromBase64, fromHex: Uint8Array.fromHex,
          sharedSlice: SharedArrayBuffer.prototype.slice,
          ctor: Object.getPrototypeOf(new Uint8Array(1)).constructor,
        };
        for (const [name, fn] of Object.entries(candidates)) {
          if (natives.test(Function.prototype.toString.call(fn)) && name !== "ctor") found.push(name);
        }
        if (candidates.ctor !== Uint8Array) found.push("ctor");
        Lit.Actions.setResponse({ response: JSON.stringify(found) });
    """
    result = await _run(code)
    assert result.error is None, result.error
    assert json.loads(result.response) == []


# What each built-in gives, as text; run in our sandbox and in a bare V8 isolate (the oracle).
SEMANTICS = [
    "Array.from(new Uint8Array([1, 2, 3, 4, 5]).slice(1, -1))",
    "Array.from(new Int16Array([1, -2, 3]).slice(-2))",
    "Array.from(new Float64Array([1.5, 2.5]).map((x, i, a) => x * 2 + i + a.length))",
    "Array.from(new Uint8Array([1, 2, 3, 4]).filter((x) => x % 2 === 0))",
    "(() => { class Sub extends Uint8Array {} const s = new Sub([3, 1, 2]);"
    " return [s.slice() instanceof Sub, s.map((x) => x) instanceof Sub, s.filter(() => true) instanceof Sub,"
    " s.subarray(1) instanceof Sub, s.slice().constructor.name]; })()",
    "(() => { const t = new Uint8Array([1, 2, 3]); t.constructor = { [Symbol.species]: Uint16Array };"
    " const s = t.slice(); return [s.constructor.name, Array.from(s)]; })()",
    "Array.from(new Uint8Array([3, 1, 2]).toSorted())",
    "Array.from(new Uint8Array([3, 1, 2]).toSorted((a, b) => b - a))",
    "Array.from(new Uint8Array([3, 1, 2]).toReversed())",
    "Array.from(new Uint8Array([3, 1, 2]).with(-1, 9))",
    "(() => { try { new Uint8Array(2).with(5, 1); return 'no error'; } catch (e) { return e.name; } })()",
    "(() => { try { new Uint8Array(2).map(5); return 'no error'; } catch (e) { return e.name; } })()",
    "Array.from(new Uint8Array(new Uint8Array([9, 8, 7]).buffer.slice(1)))",
    "new ArrayBuffer(8).slice(-3).byteLength",
    "(() => { const b = new ArrayBuffer(4, { maxByteLength: 16 }); b.resize(12);"
    " const t = b.transfer(); return [t.resizable, t.maxByteLength, t.byteLength, b.detached]; })()",
    "(() => { const b = new ArrayBuffer(4); const t = b.transferToFixedLength(8); return [t.byteLength, t.resizable]; })()",
    "Array.from(new Uint8Array(new Set([5, 6, 7])))",
    "Array.from(new Uint8Array({ length: 3, 0: 1, 2: 9 }))",
    "Array.from(new Float64Array('3'))",
    "Array.from(new Uint8Array([1.7, -1, 256, 'x']))",
    "Array.from(new BigInt64Array([1n, -2n]).map((x) => x * 3n), String)",
    "(() => { try { new BigInt64Array([1]); return 'no error'; } catch (e) { return e.name; } })()",
    "(() => { try { new Uint8Array(-1); return 'no error'; } catch (e) { return e.name; } })()",
    "Array.from(new Uint16Array(new Uint8Array([1, 2, 300])))",
    "Array.from(new Uint8Array(new Uint8Array([1, 2, 3, 4]).buffer, 1, 2))",
    "Array.from(Uint8Array.fromBase64('AQID'))",
    "Array.from(Uint8Array.fromHex('0a0b'))",
    "Array.from(Uint8Array.from([1, 2, 3], (x) => x * 2))",
    "Array.from(Uint8Array.of(4, 5))",
    "Array.from(new Float16Array([1.5, 2]))",
    "new SharedArrayBuffer(8).slice(2).byteLength",
    "Object.getOwnPropertyNames(Uint8Array.prototype.slice).sort().join()",
]


def _oracle(expression: str) -> str:
    codegen_blocked_by_flag()  # V8 starts with the sandbox's flags, as in the sandbox
    with MiniRacer() as bare:
        return str(bare.eval(f"JSON.stringify({expression})"))


@pytest.mark.parametrize("expression", SEMANTICS)
async def test_charged_builtins_behave_as_v8s(expression: str) -> None:
    result = await execute(f"Lit.Actions.setResponse({{ response: JSON.stringify({expression}) }});", {}, Host())
    assert result.error is None, result.error
    assert result.response == _oracle(expression)
