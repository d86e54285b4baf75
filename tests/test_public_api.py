"""The public surface of runtime/, sandbox/ and node/ is a decision, checked for every module (issue 14).

The rules, each true of every module today and each able to fail:
- every public module (no part of its dotted name starts with "_") declares `__all__`, unless it is
  a package whose `__init__` binds no public name, or a test-only module;
- `__all__` is a list or tuple of unique strings, and `from module import *` binds exactly those
  names (so each exists, the lazily loaded ones of `runtime.chain` included);
- a package re-exports what it takes from its submodules: a public name the package binds to the
  very object a submodule lists in its own `__all__` is in the package's `__all__` too;
- nothing a production module exports comes from a test-only module (tests review C2/C3), so test
  helpers never reach a user's `from runtime.chain import *`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import types
from typing import Any

import pytest

TOP_LEVEL = ("runtime", "sandbox", "node")
# Modules that exist for tests: the pytest plugin and its helpers, the test token contracts, the
# ganache process, the node's fault switches. They may export test helpers; nothing else may.
TEST_ONLY = ("runtime.testing", "runtime.chain.tokens", "runtime.chain.ganache", "node.testfaults")


def _module_names() -> list[str]:
    names = []
    for top in TOP_LEVEL:
        package = importlib.import_module(top)
        names.append(top)
        names += [info.name for info in pkgutil.walk_packages(package.__path__, f"{top}.")]
    # __main__ modules run their command when imported as a script only, but they are entry points,
    # not importable API.
    return sorted(name for name in names if name.rpartition(".")[2] != "__main__")


MODULES = _module_names()


def _test_only(name: str) -> bool:
    return any(name == t or name.startswith(t + ".") for t in TEST_ONLY)


def _private(name: str) -> bool:
    return any(part.startswith("_") for part in name.split("."))


def _public_bindings(module: types.ModuleType) -> dict[str, Any]:
    return {
        name: value for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }


@pytest.fixture(scope="module")
def modules() -> dict[str, types.ModuleType]:
    return {name: importlib.import_module(name) for name in MODULES}


def test_the_walk_finds_every_top_level_package_and_the_test_only_modules(modules: dict[str, types.ModuleType]) -> None:
    # Guards the other tests against passing on an empty or partial list of modules.
    for expected in (*TOP_LEVEL, "runtime.chain.pkp", "sandbox.runner", "node.service", *TEST_ONLY):
        assert expected in modules, expected


def test_every_public_module_declares_all(modules: dict[str, types.ModuleType]) -> None:
    missing = [
        name for name, module in modules.items()
        if not hasattr(module, "__all__") and not _private(name) and not _test_only(name)
        and not (hasattr(module, "__path__") and not _public_bindings(module))
    ]
    assert missing == []


def test_all_is_unique_strings_and_star_import_gives_exactly_it(modules: dict[str, types.ModuleType]) -> None:
    wrong = {}
    for name, module in modules.items():
        if not hasattr(module, "__all__"):
            continue
        exported = module.__all__
        if not isinstance(exported, (list, tuple)) or not all(isinstance(n, str) for n in exported):
            wrong[name] = f"__all__ is {exported!r}"
            continue
        duplicates = sorted({n for n in exported if exported.count(n) > 1})
        if duplicates:
            wrong[name] = f"listed twice: {duplicates}"
            continue
        namespace: dict[str, Any] = {}
        try:
            exec(f"from {name} import *", namespace)
        except (AttributeError, ImportError) as exc:
            wrong[name] = f"star import fails: {exc}"
            continue
        got = set(namespace) - {"__builtins__"}
        if got != set(exported):
            wrong[name] = f"star import binds {sorted(got ^ set(exported))} unlike __all__"
    assert wrong == {}


def test_a_package_lists_every_name_it_takes_from_a_submodules_all(modules: dict[str, types.ModuleType]) -> None:
    unlisted = {}
    for name, package in modules.items():
        if not hasattr(package, "__path__") or not hasattr(package, "__all__"):
            continue
        submodules = [m for m_name, m in sys.modules.items() if m_name.startswith(name + ".") and m is not None]
        missing = sorted(
            binding for binding, value in _public_bindings(package).items()
            if binding not in package.__all__
            and any(binding in getattr(sub, "__all__", ()) and getattr(sub, binding, None) is value for sub in submodules)
        )
        if missing:
            unlisted[name] = missing
    assert unlisted == {}


def _defined_in_test_only_module(exported: str, value: Any, test_modules: list[types.ModuleType]) -> str | None:
    origin = getattr(value, "__module__", None)
    if isinstance(value, (type, types.FunctionType)) and isinstance(origin, str) and _test_only(origin):
        return origin
    for module in test_modules:
        if exported in getattr(module, "__all__", ()) and getattr(module, exported) is value:
            return module.__name__
    return None


def test_no_production_module_exports_a_test_helper(modules: dict[str, types.ModuleType]) -> None:
    test_modules = [m for name, m in modules.items() if _test_only(name)]
    leaks = {}
    for name, module in modules.items():
        if _test_only(name) or not hasattr(module, "__all__"):
            continue
        for exported in module.__all__:
            origin = _defined_in_test_only_module(exported, getattr(module, exported), test_modules)
            if origin is not None:
                leaks[f"{name}.{exported}"] = origin
    assert leaks == {}


def test_the_rules_catch_what_they_are_for() -> None:
    # The checks above, run on a made-up package that breaks each rule once.
    helper = types.ModuleType("runtime.testing.fake_helper")
    helper.__all__ = ["make_fake"]

    def make_fake() -> None: ...

    make_fake.__module__ = helper.__name__
    helper.make_fake = make_fake  # type: ignore[attr-defined]
    assert _defined_in_test_only_module("make_fake", make_fake, [helper]) == "runtime.testing.fake_helper"
    assert _defined_in_test_only_module("MODULES", MODULES, [helper]) is None
    assert _test_only("runtime.chain.tokens") and not _test_only("runtime.chain.tokensmith")
    assert _private("runtime.access._abi") and not _private("runtime.access.canonical")
