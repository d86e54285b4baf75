"""Errors name what went wrong and the line in the action's own source."""

from __future__ import annotations

from tests.sandbox.conftest import run


async def test_sync_throw_line_and_logs_before_it() -> None:
    result = await run("console.log('before');\nconst a = 1;\nnull.x;\n")
    assert result.logs == "before\n"
    assert result.error is not None and result.error.kind == "js_error"
    assert result.error.message == "TypeError: Cannot read properties of null (reading 'x')"
    assert result.error.line == 3
    assert result.error.stack is not None and "lit-action.js:3" in result.error.stack


async def test_syntax_error_line() -> None:
    result = await run("const a = 1;\nconst b = ;\n")
    assert result.error is not None and result.error.kind == "syntax_error"
    assert result.error.message == "SyntaxError: Unexpected token ';'"
    assert result.error.line == 2


async def test_syntax_error_at_end_of_input_stays_in_the_source() -> None:
    result = await run("function f() {\n")
    assert result.error is not None and result.error.kind == "syntax_error"
    assert result.error.line in (1, 2)


async def test_rejected_main_promise_line() -> None:
    code = "const go = async () => {\n  await null;\n\n  throw new Error('boom');\n};\ngo();"
    result = await run(code)
    assert result.error is not None and result.error.kind == "js_error"
    assert result.error.message == "Error: boom"
    assert result.error.line == 4


async def test_error_thrown_inside_a_timer() -> None:
    result = await run("setTimeout(() => {\n  undefinedFunction();\n}, 1);")
    assert result.error is not None and result.error.kind == "js_error"
    assert result.error.message == "Uncaught ReferenceError: undefinedFunction is not defined"
    assert result.error.line == 2


async def test_thrown_non_error_value() -> None:
    result = await run("(async () => { throw 'plain string'; })();")
    assert result.error is not None and result.error.message == "Error: plain string"
    assert result.error.line is None


async def test_error_from_prelude_points_at_callers_line() -> None:
    result = await run("\n\nLit.Actions.uint8arrayFromString('x', 'nope');")
    assert result.error is not None and result.error.line == 3
