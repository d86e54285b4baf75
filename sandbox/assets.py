"""JavaScript sources loaded into isolates: the prelude, and the bundles only some actions need.

Every isolate gets the prelude (sandbox/js/prelude.js). An action gets a bundle only when its text
names what the bundle provides (`bundles_for`), so the others pay nothing:

    webcrypto  "subtle", "CryptoKey"  sandbox/js/webcrypto.js (crypto.subtle; the work is the host's)
    clone    "structuredClone"  sandbox/js/clone.js
    wasm     "WebAssembly"      sandbox/js/wasm.js, only under Limits(webassembly=True)
    ethers   "ethers"           npm ethers 5.7.2, linked per action (sandbox/ethers_linker.py): only the
                                modules the action's text can reach, from node_modules/.litrt-bundles/
                                ethers-manifest.json; with $LITRT_ETHERS_JS, that whole UMD bundle instead
    buffer   import("node:buffer") / import("buffer")   npm buffer (feross)
    jwt      "jwt"              jsonwebtoken's API over @noble/hashes, @noble/curves and jsrsasign
    url      "URL"              URL, URLSearchParams from core-js-pure
    tokenid  "pubkeyToTokenId"  a PKP's token id: @noble/hashes' keccak256, @noble/curves' secp256k1

The bundles other than ethers are built from sandbox/js/bundles/ by sandbox/js/build.mjs (run by
scripts/setup.sh) into node_modules/.litrt-bundles/. node_modules is found in the current directory or
any parent of it or of this package.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sandbox.errors import SandboxSetupError
from sandbox.ethers_linker import Linker, load_linker
from sandbox.ops import HOST_OPS

__all__ = [
    "prelude_source",
    "ethers_path",
    "bundles_source",
    "bundles_for",
    "rewrite_imports",
    "ACTION_URL",
    "ETHERS_VERSION",
]

ACTION_URL = "lit-action.js"
ETHERS_VERSION = "5.7.2"
ETHERS_ENV = "LITRT_ETHERS_JS"
_ETHERS_RELATIVE = Path("node_modules/ethers/dist/ethers.umd.min.js")
_BUNDLES_RELATIVE = Path("node_modules/.litrt-bundles")
_MANIFEST = "ethers-manifest.json"
# "ethers" stays in the names (callers test for it); the linked script travels as "ethers:<files>".
_LINKED = "ethers:"
_OURS = {"webcrypto": "webcrypto.js", "clone": "clone.js", "wasm": "wasm.js"}

# `import("node:buffer")` has no module loader to go to in the isolate; the prelude's __litrtImport
# answers it from the buffer bundle instead.
_BUFFER_IMPORT = re.compile(r"""\bimport\s*\(\s*(["'])(?:node:)?buffer\1\s*\)""")
_TRIGGERS = {
    "webcrypto": ("subtle", "CryptoKey"),
    "clone": ("structuredClone",),
    "ethers": ("ethers",),
    "jwt": ("jwt",),
    "url": ("URL",),
    "tokenid": ("pubkeyToTokenId",),
}


def bundles_for(code: str, webassembly: bool = False) -> tuple[str, ...]:
    """The bundles `code` may use. A false positive (a comment naming one) costs time; a false negative
    would break the action, so any mention counts."""
    names = [name for name, words in _TRIGGERS.items() if any(word in code for word in words)]
    if "ethers" in names and not os.environ.get(ETHERS_ENV):
        names.insert(names.index("ethers") + 1, _LINKED + _ethers_linker().key_for(code))
    if _BUFFER_IMPORT.search(code):
        names.append("buffer")
    if webassembly and "WebAssembly" in code:
        names.append("wasm")
    return tuple(names)


def rewrite_imports(code: str) -> str:
    """Point dynamic imports of node:buffer at the prelude (same line numbers, so errors still point right)."""
    return _BUFFER_IMPORT.sub('__litrtImport("node:buffer")', code)


def _ours(name: str) -> str:
    return resources.files("sandbox").joinpath("js", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def prelude_source() -> str:
    text = _ours("prelude.js").replace("__LITRT_HOST_OPS__", json.dumps(list(HOST_OPS)))
    return text + "\n//# sourceURL=litrt-prelude.js"


def _find(relative: Path) -> Path | None:
    for start in (Path.cwd(), *Path(__file__).resolve().parents):
        for directory in (start, *start.parents):
            if (directory / relative).exists():
                return directory / relative
    return None


def ethers_path() -> Path:
    """Where the ethers UMD bundle is; SandboxSetupError if it cannot be found."""
    configured = os.environ.get(ETHERS_ENV)
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise SandboxSetupError(f"{ETHERS_ENV}={configured} does not name a file")
        return path
    found = _find(_ETHERS_RELATIVE)
    if found is None:
        raise SandboxSetupError(
            f"ethers {ETHERS_VERSION} not found: run `npm ci` in the repository (it installs "
            f"{_ETHERS_RELATIVE}) or set {ETHERS_ENV} to the path of ethers.umd.min.js"
        )
    return found


@lru_cache(maxsize=1)
def _ethers_text() -> str:
    text = ethers_path().read_text(encoding="utf-8")
    if f'"ethers/{ETHERS_VERSION}"' not in text:
        raise SandboxSetupError(f"{ethers_path()} is not the ethers {ETHERS_VERSION} bundle")
    return text


def _ethers_linker() -> Linker:
    found = _find(_BUNDLES_RELATIVE / _MANIFEST)
    if found is None:
        raise SandboxSetupError(
            f"ethers {ETHERS_VERSION} is not linked for the sandbox: run scripts/setup.sh "
            f"(or `node sandbox/js/build.mjs`), or set {ETHERS_ENV} to the path of ethers.umd.min.js"
        )
    return load_linker(found)


def _bundle_text(name: str) -> str:
    if name.startswith(_LINKED):
        return _ethers_linker().script(name[len(_LINKED) :])  # kept by the linker, per closure
    if name == "ethers":
        # Linked, the script is the "ethers:" entry that follows; the name alone adds nothing.
        return _ethers_text() if os.environ.get(ETHERS_ENV) else ""
    return _file_bundle_text(name)


@lru_cache(maxsize=None)
def _file_bundle_text(name: str) -> str:
    if name in _OURS:
        return _ours(_OURS[name])
    found = _find(_BUNDLES_RELATIVE / f"{name}.js")
    if found is None:
        raise SandboxSetupError(
            f"the sandbox's {name} bundle is not built: run scripts/setup.sh (or `node sandbox/js/build.mjs`)"
        )
    return found.read_text(encoding="utf-8")


@lru_cache(maxsize=16)
def bundles_source(names: tuple[str, ...]) -> str:
    """The named bundles as one script (each eval is a round trip to the isolate's thread, ~0.3 ms);
    the sourceURL keeps their frames apart from the action's in stack traces."""
    text = "\n;\n".join(_bundle_text(name) for name in names)
    shown = "+".join(name for name in names if not name.startswith(_LINKED))
    return text + f"\n//# sourceURL=litrt-bundles-{shown}.js"
