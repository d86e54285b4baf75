"""One V8 isolate for one execution, driven only through cancelable mini-racer tasks.

mini-racer runs each isolate on its own thread and offers two kinds of calls: cancelable tasks
(awaitable; cancelling one terminates the JavaScript it runs) and synchronous calls that block the
calling thread until the isolate is free. Microtasks run after a task has reported back, so an action's
promise continuations may still be running when a task returns; a synchronous call made then would
freeze the asyncio loop for as long as the action spins. This module therefore touches a live isolate
only through cancelable tasks, and uses synchronous calls only on a fresh isolate or to read flags.

One private piece of mini-racer 0.14.1 is used: `Context._run_cancelable_mr_task` with
`mr_call_function`, to call a JS function with a given `this` without the synchronous argument-array
building that the public `call_function_cancelable` does.

V8 starts with --disallow-code-generation-from-strings, so eval, new Function and the async/generator
function constructors throw EvalError. If another part of the process started V8 first without that
flag, a JavaScript lockdown replaces those entry points instead (see CODEGEN_LOCKDOWN).
"""

from __future__ import annotations

import threading
from importlib import metadata
from typing import Any

import py_mini_racer
from py_mini_racer import JSFunction, JSObject, LibAlreadyInitializedError, MiniRacer, init_mini_racer

from sandbox.assets import bundles_source, prelude_source
from sandbox.errors import SandboxSetupError

__all__ = ["Isolate", "V8_FLAGS", "codegen_blocked_by_flag"]

MINI_RACER_VERSION = "0.14.1"
V8_FLAGS = ("--single-threaded", "--disallow-code-generation-from-strings")

# Used only when V8 was initialised without the flag: every path to the code-generating constructors
# goes through a `constructor` property or the global `eval`/`Function`, so those are replaced.
CODEGEN_LOCKDOWN = """
(function (global) {
  "use strict";
  const refuse = function () { throw new EvalError("Code generation from strings disallowed for this context"); };
  const protos = [Function.prototype, Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function* () {})];
  for (const proto of protos) {
    Object.defineProperty(proto, "constructor", { value: refuse, writable: false, configurable: false });
  }
  Object.defineProperty(global, "eval", { value: refuse, writable: false, configurable: false });
  Object.defineProperty(global, "Function", { value: refuse, writable: false, configurable: false });
})(globalThis);
//# sourceURL=litrt-lockdown.js
"""

_init_lock = threading.Lock()
_codegen_blocked: bool | None = None


def codegen_blocked_by_flag() -> bool:
    """Start V8 with our flags (once per process) and report whether the flag is in force."""
    global _codegen_blocked
    with _init_lock:
        if _codegen_blocked is None:
            installed = metadata.version("mini-racer")
            if installed != MINI_RACER_VERSION:
                # The driver relies on this version's threading and task behaviour (module docstring).
                raise SandboxSetupError(f"litrt's sandbox needs mini-racer=={MINI_RACER_VERSION}, found {installed}")
            try:
                init_mini_racer(flags=V8_FLAGS)
            except LibAlreadyInitializedError:
                pass
            with MiniRacer() as probe:
                try:
                    probe.eval("eval('1')")
                    _codegen_blocked = False
                except py_mini_racer.JSEvalException:
                    _codegen_blocked = True
        return _codegen_blocked


class Isolate:
    """A fresh isolate with the prelude (and the bundles its action needs) loaded, used for one execution."""

    def __init__(self, memory_limit_bytes: int) -> None:
        blocked = codegen_blocked_by_flag()
        # Creating the context is a short synchronous call (~2-3 ms) on an isolate nobody else sees.
        self._mr: MiniRacer | None = MiniRacer()
        self._mr.set_hard_memory_limit(memory_limit_bytes)
        self._needs_lockdown = not blocked
        self._track: JSFunction | None = None
        self._no_args: JSObject | None = None
        self.ethers_loaded = False

    @property
    def mr(self) -> MiniRacer:
        if self._mr is None:
            raise RuntimeError("this isolate has been closed")
        return self._mr

    async def load_prelude(self, bundles: tuple[str, ...] = ()) -> None:
        """The prelude, then each named bundle (see sandbox/assets.py)."""
        if self._needs_lockdown:
            await self.eval(CODEGEN_LOCKDOWN)
        await self.eval(prelude_source())
        if bundles:
            await self.eval(bundles_source(bundles))
        self.ethers_loaded = "ethers" in bundles
        track = await self.eval("__litrt.track")
        no_args = await self.eval("[]")
        if not isinstance(track, JSFunction) or not isinstance(no_args, JSObject):
            raise SandboxSetupError("the sandbox prelude did not install its driver")
        self._track, self._no_args = track, no_args

    async def eval(self, code: str) -> Any:
        return await self.mr.eval_cancelable(code)

    async def track(self, value: JSObject) -> None:
        """Hand the action's completion value back to the prelude as `this` of __litrt.track."""
        if self._track is None or self._no_args is None:
            raise RuntimeError("load_prelude() must run before track()")
        ctx = self.mr._ctx  # noqa: SLF001 - see the module docstring
        assert ctx is not None
        await ctx._run_cancelable_mr_task(  # noqa: SLF001
            ctx._dll.mr_call_function,  # noqa: SLF001
            self._track.raw_handle.raw,  # type: ignore[attr-defined]
            value.raw_handle.raw,  # type: ignore[attr-defined]
            self._no_args.raw_handle.raw,  # type: ignore[attr-defined]
        )

    def memory_limit_reached(self) -> bool:
        return self._mr is not None and self._mr.was_hard_memory_limit_reached()

    def close(self) -> None:
        """Terminate whatever still runs and free the isolate; cancel pending tasks first."""
        mr, self._mr = self._mr, None
        self._track = self._no_args = None
        if mr is not None:
            mr.close()
