"""Fixtures for runtime.access: the npm hashing oracle and a dev chain with the test tokens."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from runtime.chain.accounts import DevAccount
from runtime.chain.devchain import start_devchain
from runtime.chain.rpc import ChainRpc
from runtime.chain.tokens import TestTokenContracts, deploy_test_tokens
from tests.oracles import require_oracle

PACKAGE = Path(__file__).parents[2] / "node_modules" / "@lit-protocol" / "access-control-conditions"

# One long-lived node process: a JSON request per line in, a JSON answer per line out, so a
# property test can ask hundreds of times without paying node's start-up (~1 s) each time.
_ORACLE = r"""
const acc = require(process.argv[1]);
const hashers = {
  accessControlConditions: acc.hashAccessControlConditions,
  evmContractConditions: acc.hashEVMContractConditions,
  unifiedAccessControlConditions: acc.hashUnifiedAccessControlConditions,
};
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const req = JSON.parse(line), out = {};
  try {
    const formatted = acc.getFormattedAccessControlConditions({ [req.kind]: req.conditions });
    const key = { accessControlConditions: 'formattedAccessControlConditions',
                  evmContractConditions: 'formattedEVMContractConditions',
                  unifiedAccessControlConditions: 'formattedUnifiedAccessControlConditions' }[req.kind];
    out.json = JSON.stringify(formatted[key]);
    out.hash = Buffer.from(await hashers[req.kind](req.conditions)).toString('hex');
  } catch (e) { out.error = String((e && e.message) || e); }
  process.stdout.write('ORACLE ' + JSON.stringify(out) + '\n');
});
"""


class NpmOracle:
    """npm @lit-protocol/access-control-conditions' canonical JSON and hash of raw conditions."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["node", "-e", _ORACLE, str(PACKAGE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )

    def __call__(self, kind: str, conditions: Any) -> dict[str, str]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        # ensure_ascii: lone surrogates travel as \udXXX escapes, which JSON.parse restores
        self.proc.stdin.write(json.dumps({"kind": kind, "conditions": conditions}, ensure_ascii=True) + "\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the npm oracle process ended")
            if line.startswith("ORACLE "):  # anything else is the package's own logging
                return json.loads(line[len("ORACLE ") :])

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def npm_oracle() -> Iterator[NpmOracle]:
    require_oracle(shutil.which("node") is not None, "node is not on PATH, so the npm hashing oracle cannot run")
    require_oracle(
        (PACKAGE / "package.json").exists(),
        f"npm @lit-protocol/access-control-conditions is not installed in {PACKAGE.parent} (run the set-up script)",
    )
    oracle = NpmOracle()
    try:
        yield oracle
    finally:
        oracle.close()


@dataclass
class TokenChain:
    url: str
    accounts: list[DevAccount]
    tokens: TestTokenContracts
    chains: ChainRpc  # {"local": url}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def token_chain() -> AsyncIterator[TokenChain]:
    chain = await start_devchain()
    try:
        tokens = await deploy_test_tokens(chain.url, chain.accounts[0].private_key)
        async with ChainRpc({"local": chain.url}) as chains:
            yield TokenChain(chain.url, chain.accounts, tokens, chains)
    finally:
        await chain.stop()
