"""The committed artifacts are exactly what scripts/build_contracts.js builds from contracts/."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from runtime.chain.contract import ARTIFACTS_DIR, load_artifact
from tests.oracles import needs_oracle

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # solcjs (wasm) takes several seconds
@needs_oracle(
    None if shutil.which("node") and (ROOT / "node_modules" / "solc").exists()
    else "node or npm solc missing (scripts/setup.sh installs them)"
)
def test_artifacts_match_fresh_compile(tmp_path: Path) -> None:
    subprocess.run(
        ["node", str(ROOT / "scripts" / "build_contracts.js"), "--out", str(tmp_path)],
        check=True, capture_output=True, timeout=300,
    )
    fresh = sorted(p.name for p in tmp_path.glob("*.json"))
    committed = sorted(p.name for p in ARTIFACTS_DIR.glob("*.json"))
    assert fresh == committed
    assert {"NetworkKeys.json", "PKPRegistry.json", "TestERC721.json", "AccessGate.json"} <= set(committed)
    for name in fresh:
        assert json.loads((tmp_path / name).read_text()) == json.loads((ARTIFACTS_DIR / name).read_text()), (
            f"{name} is stale: run `node scripts/build_contracts.js` and commit the result"
        )


def test_load_artifact() -> None:
    artifact = load_artifact("PKPRegistry")
    names = {item.get("name") for item in artifact.abi}
    for required in ("mint", "ownerOf", "addPermittedAction", "isPermittedAction", "getPermittedActions",
                     "getPermittedAddresses", "getPubkey", "getKeyId", "tokensOfOwner", "transferFrom"):
        assert required in names
    assert artifact.bytecode.startswith("0x60")
