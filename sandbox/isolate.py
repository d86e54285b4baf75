"""One V8 isolate for one execution, driven only through cancelable mini-racer tasks.

mini-racer runs each isolate on its own thread and offers two kinds of calls: cancelable tasks
(awaitable; cancelling one terminates the JavaScript it runs) and synchronous calls that block the
calling thread until the isolate is free. Microtasks run after a task has reported back, so an action's
promise continuations may still be running when a task returns; a synchronous call made then would
freeze the asyncio loop for as long as the action spins. This module therefore touches a live isolate
only through cancelable tasks, and uses synchronous calls only on a fresh isolate or to read flags.

Private pieces of mini-racer 0.14.1 are used: `Context._run_cancelable_mr_task` with
`mr_call_function`, to call a JS function with a given `this` without the synchronous argument-array
building that the public `call_function_cancelable` does; and `_make_context(loop)` plus re-pointing
`Context.event_loop`, to prepare a context on a worker thread and then hand it to the node's event
loop (see `_racer_with_prelude`). The version is pinned and checked, and tests/sandbox covers both.

V8 starts with --disallow-code-generation-from-strings, so eval, new Function and the async/generator
function constructors throw EvalError. If another part of the process started V8 first without that
flag, a JavaScript lockdown replaces those entry points instead (see CODEGEN_LOCKDOWN).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import metadata
from typing import Any

import py_mini_racer
from py_mini_racer import JSFunction, JSObject, LibAlreadyInitializedError, MiniRacer, init_mini_racer
from py_mini_racer._mini_racer import _make_context

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


def _racer_with_prelude(loop: asyncio.AbstractEventLoop) -> MiniRacer:
    """A new context with the lockdown (if needed) and the prelude evaluated, made on a worker thread
    and then handed to `loop`.

    mini-racer's synchronous calls must come from the context's own event loop, so the context starts
    on a loop of this thread's, does its synchronous set-up there, and only then reports to `loop`:
    nothing of it has been given to `loop` before, so no task is left behind on the other."""
    blocked = codegen_blocked_by_flag()
    setup_loop = asyncio.new_event_loop()
    maker = _make_context(setup_loop)
    context = maker.__enter__()

    async def prepare() -> MiniRacer:
        racer = MiniRacer(context)
        if not blocked:
            racer.eval(CODEGEN_LOCKDOWN)
        racer.eval(prelude_source())
        return racer

    try:
        racer = setup_loop.run_until_complete(prepare())
    except BaseException:
        maker.__exit__(None, None, None)
        raise
    finally:
        setup_loop.close()
    racer._own_context_maker = maker  # noqa: SLF001 - so close() frees the context, as for MiniRacer()
    object.__setattr__(context, "event_loop", loop)  # a frozen dataclass in mini-racer 0.14.1
    return racer


# Makes spare contexts off the event loop (see _Spare).
_worker = ThreadPoolExecutor(max_workers=2, thread_name_prefix="litrt-v8-spare")


class _Spare:
    """One context made ahead, on a worker thread, while the event loop serves requests.

    Making a context and evaluating the prelude is a third of a small action's CPU; made ahead, a
    request finds it ready. The spare has run nothing but the prelude, so each execution still gets
    an isolate no other action has touched; a spare is used once. One per process: a spare made for
    another event loop (tests run one loop per test) is freed, not used."""

    _next: tuple[asyncio.AbstractEventLoop, Future[MiniRacer]] | None = None

    @classmethod
    async def take(cls) -> MiniRacer:
        loop = asyncio.get_running_loop()
        previous, cls._next = cls._next, (loop, _worker.submit(_racer_with_prelude, loop))
        if previous is not None and previous[0] is loop:
            return await asyncio.wrap_future(previous[1])
        if previous is not None:
            previous[1].add_done_callback(_free_unused)
        return await asyncio.wrap_future(_worker.submit(_racer_with_prelude, loop))


def _free_unused(made: Future[MiniRacer]) -> None:
    if not made.cancelled() and made.exception() is None:
        made.result().close()


class Isolate:
    """A fresh isolate with the prelude (and the bundles its action needs) loaded, used for one execution."""

    def __init__(self, memory_limit_bytes: int) -> None:
        self._memory_limit_bytes = memory_limit_bytes
        self._mr: MiniRacer | None = None
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
        if self._mr is not None:
            raise RuntimeError("load_prelude() runs once per isolate")
        self._mr = await _Spare.take()
        self._mr.set_hard_memory_limit(self._memory_limit_bytes)
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
            # On the loop's thread: freeing reports the cancelled tasks to the loop, which a test's
            # loop may no longer be running to take if the freeing were left to a worker.
            mr.close()
