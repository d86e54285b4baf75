"""execute(): run one Lit Action in a fresh isolate and report what it did.

The driver alternates between V8 and asyncio. After every V8 task it drains the prelude's outbox
(host calls, timers, logs, the response, the fate of the action's main promise), starts an asyncio
task per host call or timer, and when one finishes delivers its result with __litrt.step(). The
prelude caps what may wait and what one turn may hand over; the driver holds the same caps itself
(Limits.max_timers, max_calls_in_flight, max_outbox_messages, max_outbox_chars), so a flood costs
the host a bounded number of tasks and a bounded parse. The
action is over when its completion value has settled and no host call or timer is outstanding, or
when a limit ends it. All V8 work is a cancelable task, so the wall-time limit can always stop it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import logging
import time
from typing import Any

from py_mini_racer import JSEvalException, JSOOMException, JSParseException, JSPromise

from sandbox.assets import ACTION_URL, bundles_for, rewrite_imports
from sandbox.errors import (
    ExecutionError,
    HostError,
    LimitExceeded,
    code_size_error,
    console_size_error,
    count_limit_error,
    flood_limit_error,
    memory_error,
    response_size_error,
    timeout_error,
)
from sandbox.host import Host, OpContext
from sandbox.isolate import Isolate
from sandbox.jserrors import from_described, from_eval_exception
from sandbox.limits import MIB, Limits
from sandbox.ops import CONTRACT_OPS, FETCH_OP, INTERNAL_OPS, SIGNING_OPS
from sandbox.result import ExecutionResult
from sandbox.summary import summarize

__all__ = ["execute"]

log = logging.getLogger(__name__)

# Our own set-up work (prelude, ethers) is not the action's time; it gets its own generous bound.
SETUP_TIMEOUT_S = 60.0
# crypto.getRandomValues draws from this many bytes of os.urandom per execution (a wallet needs 32).
RANDOM_POOL_BYTES = 4096
MEMORY_POLL_S = 0.05


_TAMPERED = ExecutionError("js_error", "The sandbox bridge received a malformed message")


def _check_json(value: Any, what: str) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON-serialisable: {exc}") from exc


class _Run:
    """The state of one execution between V8 tasks."""

    def __init__(self, code: str, host: Host, limits: Limits, ctx: OpContext, result: ExecutionResult) -> None:
        self.code = code
        self.source_lines = code.count("\n") + 1
        self.host = host
        self.limits = limits
        self.ctx = ctx
        self.result = result
        self.isolate: Isolate | None = None
        self.pending: dict[asyncio.Task[Any], tuple[str, int]] = {}
        self.timers: dict[int, asyncio.Task[Any]] = {}
        self.main_settled = False
        self.console_bytes = 0
        self.logs: list[str] = []

    # ---- phases ------------------------------------------------------------------------------
    async def setup(self, config: str) -> None:
        self.isolate = Isolate(self.limits.memory_mb * MIB)
        await self.isolate.load_prelude(bundles_for(self.code, self.limits.webassembly))
        self.result.ethers_loaded = self.isolate.ethers_loaded
        await self.isolate.eval(f"__litrt.configure({json.dumps(config)})")

    async def run(self) -> None:
        assert self.isolate is not None
        try:
            value = await self._v8(rewrite_imports(self.code) + f"\n//# sourceURL={ACTION_URL}", syntax_allowed=True)
        except LimitExceeded:
            # Keep what the action logged before it threw; a limit it hit explains the throw.
            await self._drain(only_output=True)
            raise
        if isinstance(value, JSPromise):
            await self.isolate.track(value)
        else:
            self.main_settled = True
        while True:
            await self._drain()
            if self.main_settled and not self.pending:
                return
            if not self.pending:
                # Only the action's own unresolved promise is left: nothing can settle it now, unless
                # the heap limit already stopped the continuation that would have.
                while not self.isolate.memory_limit_reached():
                    await asyncio.sleep(MEMORY_POLL_S)
                raise LimitExceeded(memory_error(self.limits.memory_mb))
            done, _ = await asyncio.wait(self.pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                kind, ident = self.pending.pop(task)
                if kind == "timer":
                    self.timers.pop(ident, None)
                    await self._v8(f'__litrt.step("timer", {ident}, null)')
                else:
                    status, payload = task.result()
                    await self._v8(f"__litrt.step({json.dumps(status)}, {ident}, {json.dumps(payload)})")

    def close(self) -> None:
        for task in self.pending:
            task.cancel()
        self.pending.clear()
        if self.isolate is not None:
            self.isolate.close()

    # ---- V8 ----------------------------------------------------------------------------------
    async def _v8(self, code: str, syntax_allowed: bool = False) -> Any:
        assert self.isolate is not None
        try:
            return await self.isolate.eval(code)
        except JSOOMException as exc:
            raise LimitExceeded(memory_error(self.limits.memory_mb)) from exc
        except JSParseException as exc:
            kind = "syntax_error" if syntax_allowed else "js_error"
            raise LimitExceeded(from_eval_exception(str(exc), kind, self.source_lines)) from exc
        except JSEvalException as exc:
            if self.isolate.memory_limit_reached():
                raise LimitExceeded(memory_error(self.limits.memory_mb)) from exc
            raise LimitExceeded(from_eval_exception(str(exc), "js_error", self.source_lines)) from exc

    # ---- messages from the prelude ----------------------------------------------------------------
    async def _drain(self, only_output: bool = False) -> None:
        text = await self._v8("__litrt.drain()")
        if not isinstance(text, str):
            raise LimitExceeded(_TAMPERED)
        # The prelude caps the outbox by its own estimate of the JSON (string escapes can make the
        # text longer); the host holds a looser bound too, before parsing costs it anything more.
        if len(text) > 2 * self.limits.max_outbox_chars:
            raise LimitExceeded(flood_limit_error("outbox_chars", self.limits.max_outbox_chars))
        try:
            messages = json.loads(text)
        except ValueError as exc:
            raise LimitExceeded(_TAMPERED) from exc
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise LimitExceeded(_TAMPERED)
        # One more than the cap: the prelude adds the report of a limit to a full outbox.
        if len(messages) > self.limits.max_outbox_messages + 1:
            raise LimitExceeded(flood_limit_error("outbox_messages", self.limits.max_outbox_messages))
        # A limit the action hit ends the execution; what it logged and answered before is kept.
        if only_output or any(m.get("t") == "limit" for m in messages):
            messages = [m for m in messages if m.get("t") in ("log", "response")] + [
                m for m in messages if m.get("t") == "limit"
            ]
        for message in messages:
            try:
                self._handle(message)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise LimitExceeded(_TAMPERED) from exc

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("t")
        if kind == "log":
            self._log(str(message.get("text", "")))
        elif kind == "response":
            self._set_response(str(message.get("response", "")))
        elif kind == "call":
            self._start_call(int(message["id"]), str(message["op"]), str(message["args"]))
        elif kind == "timer":
            self._start_timer(int(message["id"]), float(message.get("ms", 0)))
        elif kind == "cleartimer":
            task = self.timers.pop(int(message["id"]), None)
            if task is not None:
                task.cancel()
                self.pending.pop(task, None)
        elif kind == "main":
            self.main_settled = True
            if not message.get("ok"):
                raise LimitExceeded(from_described(message.get("error"), self.source_lines))
        elif kind == "uncaught":
            raise LimitExceeded(from_described(message.get("error"), self.source_lines, "Uncaught "))
        elif kind == "unhandled":
            # A rejection nobody handled fails the execution, as in Deno.
            raise LimitExceeded(from_described(message.get("error"), self.source_lines, "Uncaught (in promise) "))
        elif kind == "limit":
            raise LimitExceeded(self._limit_error(str(message.get("kind"))))

    def _limit_error(self, kind: str) -> ExecutionError:
        limits = self.limits
        if kind == "console_size":
            return console_size_error(limits.max_console_bytes)
        caps = {
            "timer_limit": limits.max_timers,
            "call_limit": limits.max_calls_in_flight,
            "outbox_messages": limits.max_outbox_messages,
            "outbox_chars": limits.max_outbox_chars,
        }
        if kind in caps:
            return flood_limit_error(kind, caps[kind])
        return memory_error(limits.memory_mb)

    def _log(self, text: str) -> None:
        self.console_bytes += len(text.encode("utf-8"))
        if self.console_bytes > self.limits.max_console_bytes:
            raise LimitExceeded(console_size_error(self.limits.max_console_bytes))
        self.logs.append(text)

    def _set_response(self, response: str) -> None:
        size = len(response.encode("utf-8"))
        if size > self.limits.max_response_bytes:
            raise LimitExceeded(response_size_error(size, self.limits.max_response_bytes))
        self.result.response = response

    def _start_timer(self, ident: int, ms: float) -> None:
        old = self.timers.pop(ident, None)
        if old is not None:
            old.cancel()
            self.pending.pop(old, None)
        elif len(self.timers) >= self.limits.max_timers:
            raise LimitExceeded(flood_limit_error("timer_limit", self.limits.max_timers))
        task = asyncio.create_task(asyncio.sleep(max(0.0, ms) / 1000))
        self.timers[ident] = task
        self.pending[task] = ("timer", ident)

    # ---- host calls ------------------------------------------------------------------------------
    def _count(self, op: str) -> None:
        result, limits = self.result, self.limits
        if op == FETCH_OP:
            result.fetches += 1
            if result.fetches > limits.max_fetches:
                raise LimitExceeded(count_limit_error("fetch_limit", limits.max_fetches))
        elif op in SIGNING_OPS:
            result.signatures += 1
            if result.signatures > limits.max_signatures:
                raise LimitExceeded(count_limit_error("signature_limit", limits.max_signatures))
        elif op in CONTRACT_OPS:
            result.contract_calls += 1
            if result.contract_calls > limits.max_contract_calls:
                raise LimitExceeded(count_limit_error("contract_call_limit", limits.max_contract_calls))

    def _start_call(self, ident: int, op: str, args_json: str) -> None:
        # Every pending task that is not a timer is a host call.
        if len(self.pending) - len(self.timers) >= self.limits.max_calls_in_flight:
            raise LimitExceeded(flood_limit_error("call_limit", self.limits.max_calls_in_flight))
        try:
            args = json.loads(args_json)
        except ValueError:
            args = None
        entry: dict[str, Any] = {"op": op, "args": summarize(args), "ok": None}
        if op not in INTERNAL_OPS:
            self.result.operations.append(entry)
        self._count(op)
        task = asyncio.create_task(self._call_host(op, args, entry))
        self.pending[task] = ("call", ident)

    async def _call_host(self, op: str, args: Any, entry: dict[str, Any]) -> tuple[str, str]:
        try:
            if not isinstance(args, dict):
                raise HostError(f"Lit.Actions.{op} expects one object of named parameters")
            value = await self.host.handle(op, args, self.ctx)
            payload = json.dumps(value)
        except HostError as exc:
            entry["ok"] = False
            return "error", json.dumps({"name": exc.js_name, "message": str(exc)})
        except (TypeError, ValueError):
            log.exception("host operation %s returned a value that is not JSON", op)
            entry["ok"] = False
            return "error", json.dumps({"name": "HostError", "message": f"Lit.Actions.{op} failed inside the host"})
        except Exception:
            # The host's internals (keys, peers) stay out of the action's sight; the node's log has them.
            log.exception("host operation %s failed", op)
            entry["ok"] = False
            return "error", json.dumps({"name": "HostError", "message": f"Lit.Actions.{op} failed inside the host"})
        entry["ok"] = True
        return "ok", payload


async def execute(
    code: str,
    js_params: dict[str, Any] | None,
    host: Host,
    limits: Limits = Limits(),
    auth_context: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> ExecutionResult:
    """Run `code` as a Lit Action in a fresh isolate; never raises for what the action does.

    `headers` are the HTTP headers of the request that asked for the execution: the action sees them
    as Lit.Headers (a Headers object), as on Lit's nodes. Raises ValueError only for caller mistakes:
    js_params, auth_context or headers that are not JSON objects.
    """
    started = time.perf_counter()
    result = ExecutionResult()
    js_params = {} if js_params is None else js_params
    if not isinstance(js_params, dict):
        raise ValueError(f"js_params must be a JSON object (dict), not {type(js_params).__name__}")
    auth = default_auth(auth_context)
    config = _check_json(
        {
            "jsParams": js_params,
            "auth": auth,
            "headers": _headers(headers),
            "maxConsoleBytes": limits.max_console_bytes,
            "maxTimers": limits.max_timers,
            "maxCallsInFlight": limits.max_calls_in_flight,
            "maxOutboxMessages": limits.max_outbox_messages,
            "maxOutboxChars": limits.max_outbox_chars,
            "maxBufferBytes": limits.memory_mb * MIB,
            "random": base64.b64encode(os.urandom(RANDOM_POOL_BYTES)).decode("ascii"),
        },
        "js_params and auth_context",
    )
    size = len(code.encode("utf-8"))
    if size > limits.max_code_bytes:
        result.error = code_size_error(size, limits.max_code_bytes)
        return result
    run = _Run(code, host, limits, OpContext(limits, auth, js_params), result)
    try:
        async with asyncio.timeout(SETUP_TIMEOUT_S):
            await run.setup(config)
        try:
            async with asyncio.timeout(limits.timeout_ms / 1000):
                await run.run()
        except TimeoutError:
            reached = run.isolate is not None and run.isolate.memory_limit_reached()
            result.error = memory_error(limits.memory_mb) if reached else timeout_error(limits.timeout_ms)
    except LimitExceeded as exc:
        result.error = exc.error
    finally:
        run.close()
        result.logs = "".join(run.logs)
        result.duration_ms = (time.perf_counter() - started) * 1000
    return result


def _headers(headers: dict[str, str] | None) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise ValueError("headers must be a dict of strings")
    return headers


def default_auth(auth_context: dict[str, Any] | None) -> dict[str, Any]:
    """Lit.Auth with Lit's field names; missing fields get empty values."""
    if auth_context is not None and not isinstance(auth_context, dict):
        raise ValueError(f"auth_context must be a dict, not {type(auth_context).__name__}")
    auth: dict[str, Any] = {
        "actionIpfsIdStack": [],
        "authSigAddress": None,
        "authMethodContexts": [],
        "resources": [],
        "customAuthResource": "",
    }
    auth.update(auth_context or {})
    return auth
