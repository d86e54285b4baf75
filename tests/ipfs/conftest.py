"""Fixtures for the IPFS tests: deterministic sample files and the two independent CID oracles.

Oracles: npm `ipfs-only-hash` (js ipfs-unixfs-importer) and Debian's `ipfs_cid`. Each is asked at
most once per file per session; results are cached in `oracle_cache`.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.oracles import require_oracle

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"
ONLY_HASH = NODE_MODULES / "ipfs-only-hash"
CHUNK = 262144

# name -> size; contents are seeded random bytes so every run hashes the same files.
SAMPLE_SIZES = {
    "empty": 0,
    "one": 1,
    "eleven": 11,
    "chunk-1": CHUNK - 1,
    "chunk": CHUNK,
    "chunk+1": CHUNK + 1,
    "random-5MB": 5_000_000,
    "174-chunks": 174 * CHUNK,
    "175-chunks": 175 * CHUNK,
}
SLOW_SAMPLES = {"174-chunks", "175-chunks"}


def sample_bytes(name: str) -> bytes:
    size = SAMPLE_SIZES[name]
    return random.Random(f"litrt-ipfs-{name}").randbytes(size)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ipfs-samples")


@pytest.fixture(scope="session")
def sample_file(sample_dir: Path):
    made: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in made:
            path = sample_dir / name
            path.write_bytes(sample_bytes(name))
            made[name] = path
        return made[name]

    return make


class Oracles:
    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], str] = {}

    def ipfs_only_hash(self, path: Path) -> str:
        require_oracle(
            ONLY_HASH.is_dir(), f"npm ipfs-only-hash is not installed in {NODE_MODULES} (run scripts/setup.sh)"
        )
        require_oracle(shutil.which("node") is not None, "node is not on PATH, so the ipfs-only-hash oracle cannot run")
        key = ("npm", str(path))
        if key not in self.cache:
            script = (
                f"const h=require({json.dumps(str(ONLY_HASH))});"
                "const fs=require('fs');"
                "h.of(fs.readFileSync(process.argv[1])).then(c=>console.log(c))"
                ".catch(e=>{console.error(e);process.exit(1)})"
            )
            out = subprocess.run(["node", "-e", script, str(path)], capture_output=True, text=True, check=True)
            self.cache[key] = out.stdout.strip()
        return self.cache[key]

    def ipfs_cid(self, path: Path) -> str:
        require_oracle(
            shutil.which("ipfs_cid") is not None, "Debian's ipfs-cid is not installed (apt-get install ipfs-cid)"
        )
        key = ("debian", str(path))
        if key not in self.cache:
            out = subprocess.run(["ipfs_cid", str(path)], capture_output=True, text=True, check=True)
            # It prints progress to stderr and one JSON object on stdout.
            self.cache[key] = json.loads(out.stdout)["CIDv0"]
        return self.cache[key]


@pytest.fixture(scope="session")
def oracles() -> Oracles:
    return Oracles()
