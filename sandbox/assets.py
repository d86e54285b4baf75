"""JavaScript sources loaded into isolates: the prelude and the ethers v5 bundle.

ethers is found, in order: $LITRT_ETHERS_JS; node_modules/ethers/dist/ethers.umd.min.js in the
current directory or any parent of this package (the repository keeps npm packages next to it).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sandbox.errors import SandboxSetupError
from sandbox.ops import HOST_OPS

__all__ = ["prelude_source", "ethers_source", "ethers_path", "ACTION_URL", "ETHERS_VERSION"]

ACTION_URL = "lit-action.js"
ETHERS_VERSION = "5.7.2"
ETHERS_ENV = "LITRT_ETHERS_JS"
_ETHERS_RELATIVE = Path("node_modules/ethers/dist/ethers.umd.min.js")


@lru_cache(maxsize=1)
def prelude_source() -> str:
    text = resources.files("sandbox").joinpath("js/prelude.js").read_text(encoding="utf-8")
    return text.replace("__LITRT_HOST_OPS__", json.dumps(list(HOST_OPS)))


def ethers_path() -> Path:
    """Where the ethers UMD bundle is; SandboxSetupError if it cannot be found."""
    configured = os.environ.get(ETHERS_ENV)
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise SandboxSetupError(f"{ETHERS_ENV}={configured} does not name a file")
        return path
    starts = [Path.cwd(), *Path(__file__).resolve().parents]
    for start in starts:
        for directory in (start, *start.parents):
            candidate = directory / _ETHERS_RELATIVE
            if candidate.is_file():
                return candidate
    raise SandboxSetupError(
        f"ethers {ETHERS_VERSION} not found: run `npm ci` in the repository (it installs "
        f"{_ETHERS_RELATIVE}) or set {ETHERS_ENV} to the path of ethers.umd.min.js"
    )


@lru_cache(maxsize=1)
def ethers_source() -> str:
    text = ethers_path().read_text(encoding="utf-8")
    if f'"ethers/{ETHERS_VERSION}"' not in text:
        raise SandboxSetupError(f"{ethers_path()} is not the ethers {ETHERS_VERSION} bundle")
    # A sourceURL keeps the bundle's frames apart from the action's in stack traces.
    return text + "\n//# sourceURL=ethers.umd.min.js"
