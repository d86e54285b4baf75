"""The globals an action sees and the ways users write actions."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import run


@pytest.mark.parametrize(
    "code",
    [
        'Lit.Actions.setResponse({ response: "hi " + name });',
        '(async () => { await null; Lit.Actions.setResponse({ response: "hi " + name }); })();',
        'const go = async () => { await new Promise((r) => setTimeout(r, 5)); '
        'LitActions.setResponse({ response: "hi " + name }); };\ngo();',
    ],
    ids=["top-level", "async-iife", "named-go"],
)
async def test_action_styles(code: str) -> None:
    result = await run(code, {"name": "ada"})
    assert result.error is None
    assert result.response == "hi ada"


async def test_js_params_are_globals_and_jsParams() -> None:
    code = 'Lit.Actions.setResponse({ response: JSON.stringify([n, list[1], jsParams.obj.k, typeof jsParams]) });'
    result = await run(code, {"n": 7, "list": [1, 2], "obj": {"k": "v"}})
    assert result.response == '[7,2,"v","object"]'


async def test_param_never_hides_a_builtin() -> None:
    result = await run("Lit.Actions.setResponse({ response: typeof console.log + jsParams.console });", {"console": 1})
    assert result.response == "function1"


async def test_console_capture_formats_values() -> None:
    code = (
        'console.log("a", 1, { x: [1, "s"] });\nconsole.warn(new Uint8Array([1, 2]));\n'
        "console.error(null, undefined, true);\nconsole.info([]); console.debug(new Map([[1, 2]]));"
    )
    result = await run(code)
    assert result.error is None
    assert result.logs == (
        'a 1 { x: [ 1, "s" ] }\nUint8Array(2) [ 1, 2 ]\nnull undefined true\n[  ]\nMap(1) { 1 => 2 }\n'
    )


async def test_lit_auth_fields_and_aliases() -> None:
    from sandbox import Host, Limits, execute

    auth = {"actionIpfsIdStack": ["QmX"], "authSigAddress": "0xabc"}
    code = (
        "Lit.Actions.setResponse({ response: JSON.stringify([Lit.Auth.actionIpfsIdStack, Lit.Auth.authSigAddress, "
        "Lit.Auth.authMethodContexts, Lit.Auth.resources, Lit.Auth.customAuthResource, LitActions === Lit.Actions]) });"
    )
    result = await execute(code, {}, Host(), Limits(), auth_context=auth)
    assert result.response == '[["QmX"],"0xabc",[],[],"",true]'


async def test_ethers_v5_is_available() -> None:
    code = (
        "Lit.Actions.setResponse({ response: ethers.version + ' ' + "
        "ethers.utils.keccak256(ethers.utils.toUtf8Bytes('hello')) });"
    )
    result = await run(code)
    assert result.error is None
    assert result.response == "ethers/5.7.2 0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8"
    assert result.ethers_loaded


async def test_ethers_wallet_uses_host_randomness() -> None:
    code = "const w = ethers.Wallet.createRandom(); Lit.Actions.setResponse({ response: w.address });"
    first, second = await run(code), await run(code)
    assert first.error is None and first.response.startswith("0x") and len(first.response) == 42
    assert first.response != second.response


async def test_web_globals() -> None:
    code = (
        "const bytes = new TextEncoder().encode('héllo €😀');\n"
        "const back = new TextDecoder().decode(bytes);\n"
        "const u = Lit.Actions.uint8arrayFromString('abc');\n"
        "Lit.Actions.setResponse({ response: JSON.stringify([bytes.length, back, btoa('hi'), atob('aGk='), "
        "Lit.Actions.uint8arrayToString(u), Array.from(u)]) });"
    )
    result = await run(code)
    assert result.error is None
    assert result.response == '[14,"héllo €😀","aGk=","hi","abc",[97,98,99]]'


async def test_timers_order_and_clear() -> None:
    code = (
        "const seen = [];\n"
        "setTimeout(() => seen.push('b'), 20);\n"
        "const cancelled = setTimeout(() => seen.push('never'), 5); clearTimeout(cancelled);\n"
        "setTimeout(() => seen.push('a'), 1);\n"
        "let n = 0; const iv = setInterval(() => { n++; if (n === 3) { clearInterval(iv); seen.push('i3'); } }, 1);\n"
        "setTimeout(() => Lit.Actions.setResponse({ response: seen.join(',') }), 60);"
    )
    result = await run(code)
    assert result.error is None
    assert result.response == "a,i3,b"


async def test_unsupported_encoding_message() -> None:
    result = await run("Lit.Actions.uint8arrayToString(new Uint8Array(1), 'base2');")
    assert result.error is not None
    assert 'Unsupported encoding "base2"' in result.error.message  # npm uint8arrays' words
    assert result.error.line == 1
