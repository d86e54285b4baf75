"""A promise rejection nobody handles fails the execution, as in Deno; a handled one does not."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import run

UNHANDLED = [
    "(async () => { Promise.reject(new Error('boom')); })();",
    "Promise.reject(new Error('boom'));",
    "const go = async () => { new Promise((_, reject) => reject(new Error('boom'))); };\ngo();",
    "new Promise(() => { throw new Error('boom'); });",
    "Promise.resolve(1).then(() => { throw new Error('boom'); });",
    "(async () => { Promise.all([Promise.resolve(1), Promise.reject(new Error('boom'))]); })();",
    # handled only in a later timer turn: too late, as in Deno
    "const p = Promise.reject(new Error('boom'));\nsetTimeout(() => p.catch(() => {}), 10);",
]


@pytest.mark.parametrize("code", UNHANDLED)
async def test_an_unhandled_rejection_fails_the_execution(code: str) -> None:
    result = await run(code)
    assert result.error is not None and result.error.kind == "js_error"
    # When the rejected promise is the action's completion value, it is reported as the action's failure.
    assert result.error.message in ("Uncaught (in promise) Error: boom", "Error: boom")


async def test_an_unawaited_failing_host_call_is_not_a_success() -> None:
    code = (
        "(async () => {\n"
        "  Lit.Actions.signEcdsa({ toSign: [1], publicKey: 'p', sigName: 's' });\n"
        "  Lit.Actions.setResponse({ response: 'looks fine' });\n"
        "})();"
    )
    result = await run(code)
    assert result.error is not None and result.error.kind == "host_error"
    assert result.error.message == "Uncaught (in promise) Lit.Actions.signEcdsa is not available in this host"
    assert result.error.line == 2


HANDLED = [
    "const p = Promise.reject(new Error('x'));\np.catch(() => {});",
    "(async () => { const p = Promise.reject(new Error('x')); await null; try { await p; } catch (e) {} })();",
    "(async () => { try { await Promise.all([Promise.reject(new Error('x'))]); } catch (e) {} })();",
    "(async () => { await Promise.allSettled([Promise.reject(new Error('x'))]); })();",
    "(async () => { try { await Lit.Actions.signEcdsa({ toSign: [1], publicKey: 'p', sigName: 's' }); } catch (e) {} })();",
    "Promise.reject(new Error('x')).then(() => 1, () => 2);",
    "(async () => { await Promise.reject(new Error('x')).finally(() => {}).catch(() => {}); })();",
    "const go = async () => { const r = await Promise.race([Promise.reject(new Error('x')), 1]).catch((e) => e.message); };\ngo();",
]


@pytest.mark.parametrize("code", HANDLED)
async def test_a_handled_rejection_does_not_fail(code: str) -> None:
    result = await run(code + "\nLit.Actions.setResponse({ response: 'ok' });")
    assert result.error is None, result.error
    assert result.response == "ok"


async def test_promises_still_behave_as_promises() -> None:
    code = (
        "(async () => {\n"
        "  class Later extends Promise {}\n"
        "  const later = await new Later((resolve) => setTimeout(() => resolve('later'), 1));\n"
        "  const facts = [\n"
        "    (async () => 1)() instanceof Promise, Promise.resolve(1).constructor === Promise,\n"
        "    Object.getPrototypeOf(Promise.resolve(1)) === Promise.prototype, new Later(() => {}) instanceof Later,\n"
        "    await Promise.any([Promise.reject(new Error('x')), Promise.resolve('any')]), later, typeof Promise.withResolvers,\n"
        "  ];\n"
        "  Lit.Actions.setResponse({ response: JSON.stringify(facts) });\n"
        "})();"
    )
    result = await run(code)
    assert result.error is None, result.error
    assert result.response == '[true,true,true,true,"any","later","function"]'


async def test_the_main_promise_failing_is_reported_once_as_itself() -> None:
    result = await run("(async () => { throw new Error('main'); })();")
    assert result.error is not None and result.error.message == "Error: main"
