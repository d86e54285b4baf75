"""ethers 5.7.2 linked per action: only the modules an action's text can reach go into its isolate.

Loading the whole UMD costs ~55 ms per fresh isolate (parse, and every module's top-level code, most of
it ENS tables). Set-up (sandbox/js/ethers/build.mjs) writes a manifest of ethers' CommonJS files, each
minified on its own, with which files re-export ("barrels") and what each file requires and reads. Here,
per action, every occurrence of the word `ethers` is read as a property chain and resolved through the
barrels to the files that define it; the static closure of those files, plus the barrels themselves,
becomes the script. Anything not understood (`ethers[x]`, `ethers)`, a chain ending on a barrel, the
word alone in a comment, the word inside a longer name) links everything behind where the reading
stopped, so an action can only ever find more ethers than it needs, never less. Module bodies still
run on first use, as in CommonJS.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from sandbox.errors import SandboxSetupError

__all__ = ["Linker", "load_linker"]

_IDENT = r"[A-Za-z_$][\w$]*"
_WORD = re.compile(r"(?<![\w$])ethers(?![\w$])")
_STEP = re.compile(r"\s*\??\.\s*(" + _IDENT + r")")
# `const { a, b: c, d = 1 } = <chain>`: the names read off the chain's object.
_DESTRUCTURE = re.compile(r"(?:const|let|var)\s*\{([^{}]*)\}\s*=\s*$")
_KEYS_KEPT = 1024
_DESTRUCTURE_REACH = 2000  # characters before a chain searched for `const {...} =`
_PATTERN_NAME = re.compile(r"^\s*(" + _IDENT + r")\s*(?::\s*" + _IDENT + r"\s*)?(?:=[^,]*)?\s*$")


@dataclass(frozen=True)
class _File:
    path: str
    code: str
    requires: tuple[int, ...]
    reads: dict[int, tuple[str, ...] | None]
    reexports: dict[str, dict[str, Any]] | None  # None: not a barrel
    own: tuple[str, ...]
    lazy: tuple[int, ...]


class Linker:
    """Works out, from an action's text, which ethers files it can reach, and writes the script."""

    def __init__(self, manifest: dict[str, Any], loader: str) -> None:
        if manifest.get("version") != "5.7.2":
            raise SandboxSetupError("the ethers manifest is not for ethers 5.7.2: run scripts/setup.sh")
        self._files = [_parse_file(f) for f in manifest["files"]]
        self._entry: int = manifest["entry"]
        self._loader = loader
        self._barrels = tuple(i for i, f in enumerate(self._files) if f.reexports is not None)
        self._base = self._closure(set(self._barrels))
        self._everything = frozenset(range(len(self._files)))
        self._keys: dict[bytes, str] = {}  # insertion order: the oldest goes first

    # ---- what a chain of names reaches ------------------------------------------------------------

    def _behind(self, barrel: int, seen: frozenset[int] = frozenset()) -> set[int]:
        """Every file a barrel's names lead to."""
        if barrel in seen:
            return set()
        out: set[int] = set()
        file = self._files[barrel]
        assert file.reexports is not None
        for entry in file.reexports.values():
            out |= self._target(entry, seen | {barrel})
        if file.own:
            out |= self._as_module(barrel)
        return out

    def _target(self, entry: dict[str, Any], seen: frozenset[int]) -> set[int]:
        target: int = entry["target"]
        if self._files[target].reexports is None:
            return {target}
        if entry["kind"] == "get":
            return self._resolve(target, [entry["name"]], seen)
        return self._behind(target, seen)

    def _resolve(self, barrel: int, names: list[str], seen: frozenset[int] = frozenset()) -> set[int]:
        """The files `barrel.names[0].names[1]...` can reach; all behind the barrel if the chain ends on it."""
        if not names:
            return self._behind(barrel, seen)
        file = self._files[barrel]
        assert file.reexports is not None
        name, rest = names[0], names[1:]
        if name in file.own:
            return self._as_module(barrel)
        entry = file.reexports.get(name)
        if entry is None:
            return set()
        target: int = entry["target"]
        if self._files[target].reexports is None:
            return {target}
        if entry["kind"] == "get":
            return self._resolve(target, [entry["name"], *rest], seen)
        return self._resolve(target, rest, seen)

    def _as_module(self, semi: int) -> set[int]:
        # A barrel's own functions (getDefaultProvider, decryptJsonWallet) may use anything it requires.
        return set(self._files[semi].requires)

    # ---- static closure ---------------------------------------------------------------------------

    @lru_cache(maxsize=None)  # noqa: B019 - one Linker per process
    def _needs(self, index: int) -> frozenset[int]:
        file = self._files[index]
        if file.reexports is not None:  # a barrel loads only what it reads at load; the rest is lazy
            return frozenset(t for t in file.requires if t not in file.lazy)
        out: set[int] = set()
        for target in file.requires:
            if target < 0:
                continue
            if self._files[target].reexports is None:
                out.add(target)
                continue
            names = file.reads.get(target)
            if names is None:
                out |= self._behind(target)
            else:
                for name in names:
                    out |= self._resolve(target, [name])
        return frozenset(out)

    def _closure(self, roots: set[int]) -> set[int]:
        done: set[int] = set()
        todo = [r for r in roots if r >= 0]
        while todo:
            index = todo.pop()
            if index in done:
                continue
            done.add(index)
            todo.extend(self._needs(index) - done)
        return done

    # ---- reading the action -----------------------------------------------------------------------

    def roots(self, code: str) -> frozenset[int]:
        """The files `code` can reach through the global `ethers` (everything when unsure)."""
        if code.count("ethers") != len(_WORD.findall(code)):
            # "ethers" inside a longer name (myethers, tethers): nothing to read, so as when the UMD was
            # loaded for any mention, the action gets all of it.
            return self._everything
        roots: set[int] = set()
        consumed = 0
        for match in _WORD.finditer(code):
            if match.start() < consumed:
                continue  # inside a chain already read (ethers.ethers.utils)
            names: list[str] = []
            end = match.end()
            while step := _STEP.match(code, end):
                names.append(step.group(1))
                end = step.end()
            consumed = end
            if _STEP_BROKEN.match(code, end):
                return self._everything  # `ethers.` followed by something other than a name
            reached = self._resolve(self._entry, names)
            if self._barrel_at(names) is not None:
                picked = self._destructured(code, match.start(), names)
                if picked is not None:
                    reached = picked
            roots |= reached
        return frozenset(roots)

    def _barrel_at(self, names: list[str]) -> int | None:
        """The barrel `ethers.names...` is, or None when it is not one."""
        index = self._entry
        for name in names:
            step = self._step(index, name)
            if step is None:
                return None
            index = step
        return index

    def _step(self, barrel: int, name: str) -> int | None:
        file = self._files[barrel]
        if file.reexports is None or name in file.own or name not in file.reexports:
            return None
        entry = file.reexports[name]
        target: int = entry["target"]
        if self._files[target].reexports is None:
            return None
        return target if entry["kind"] == "ns" else self._step(target, entry["name"])

    def _destructured(self, code: str, start: int, names: list[str]) -> set[int] | None:
        window = code[max(0, start - _DESTRUCTURE_REACH) : start]
        found = _DESTRUCTURE.search(window)
        if found is None:
            return None
        picked: set[int] = set()
        for part in found.group(1).split(","):
            if not part.strip():
                continue
            name = _PATTERN_NAME.match(part)
            if name is None:
                return None  # ...rest, a computed key: everything behind the barrel
            picked |= self._resolve(self._entry, [*names, name.group(1)])
        return picked

    def files_for(self, code: str) -> frozenset[int]:
        """Every file linked for `code`: the barrels and what they load eagerly, plus the closure."""
        return frozenset(self._base | self._closure(set(self.roots(code))))

    def key_for(self, code: str) -> str:
        """A short, stable name of the linked set (for the bundle name and the script cache). Nodes run
        the same actions again and again, so answers are kept by a digest of the text (not the text,
        which may be megabytes)."""
        digest = hashlib.blake2b(code.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        key = self._keys.get(digest)
        if key is None:
            files = self.files_for(code)
            key = "all" if files == self._everything else ".".join(str(i) for i in sorted(files))
            if len(self._keys) >= _KEYS_KEPT:
                self._keys.pop(next(iter(self._keys)))
            self._keys[digest] = key
        return key

    @lru_cache(maxsize=64)  # noqa: B019 - one Linker per process; bounded by the number of closures
    def script(self, key: str) -> str:
        """The script for a key from key_for."""
        files = sorted(self._everything if key == "all" else (int(i) for i in key.split(".")))
        defs = ",".join(f"{i}:function(exports,require,module){{{self._files[i].code}\n}}" for i in files)
        lazy = {i: list(self._files[i].lazy) for i in self._barrels}
        return (
            self._loader.replace("__LITRT_ETHERS_DEFS__", "{" + defs + "}")
            .replace("__LITRT_ETHERS_LAZY__", json.dumps(lazy))
            .replace("__LITRT_ETHERS_PATHS__", json.dumps([f.path for f in self._files]))
            .replace("__LITRT_ETHERS_ENTRY__", str(self._entry))
        )


_STEP_BROKEN = re.compile(r"\s*\??\.(?!\s*" + _IDENT + r")")


def _parse_file(raw: dict[str, Any]) -> _File:
    barrel = raw.get("barrel")
    reads = {int(k): (None if v is None else tuple(v)) for k, v in raw["reads"].items()}
    return _File(
        path=raw["path"],
        code=raw["code"],
        requires=tuple(raw["requires"]),
        reads=reads,
        reexports=None if barrel is None else barrel["reexports"],
        own=() if barrel is None else tuple(barrel["own"]),
        lazy=() if barrel is None else tuple(barrel["lazy"]),
    )


@lru_cache(maxsize=4)
def load_linker(manifest: Path) -> Linker:
    """The linker for a manifest written by sandbox/js/ethers/build.mjs."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SandboxSetupError(f"cannot read the ethers manifest {manifest}: {exc}; run scripts/setup.sh") from exc
    loader = resources.files("sandbox").joinpath("js", "ethers", "loader.js").read_text(encoding="utf-8")
    return Linker(data, loader)
