"""Compiled artifacts and a small base for typed clients of one deployed contract."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Self

from web3 import AsyncWeb3
from web3.logs import DISCARD

from .errors import ArtifactError, InvalidArgument
from .web3util import TxSender, connect, mapped_errors

__all__ = ["Artifact", "load_artifact", "ARTIFACTS_DIR", "ContractClient"]

ARTIFACTS_DIR = Path(__file__).with_name("artifacts")


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str  # 0x-prefixed creation code


@cache
def load_artifact(name: str) -> Artifact:
    """The artifact written by scripts/build_contracts.js for contract `name`."""
    path = ARTIFACTS_DIR / f"{name}.json"
    try:
        data = json.loads(path.read_text())
        return Artifact(name=data["contractName"], abi=data["abi"], bytecode=data["bytecode"])
    except FileNotFoundError:
        raise ArtifactError(f"no artifact {path}: run `node scripts/build_contracts.js`") from None
    except (json.JSONDecodeError, KeyError) as exc:
        raise ArtifactError(f"artifact {path} is malformed ({exc}): rebuild it") from None


class ContractClient:
    """Calls and transactions on one deployed contract through one JSON-RPC URL.

    Reads need no key; writes need `private_key` (signed locally). Close with `await close()`
    or use `async with`.
    """

    artifact_name: str = ""

    def __init__(
        self, rpc_url: str, address: str, private_key: str | bytes | None = None, *, reads_per_block: bool = False
    ) -> None:
        """`reads_per_block`: ask the chain for its latest block number before each read and answer
        a read already made at that block from memory (a node checks the same permissions for every
        request, and executing them costs the chain far more than naming its block)."""
        if not AsyncWeb3.is_address(address):
            raise InvalidArgument("address", f"not an Ethereum address: {address!r}")
        self.rpc_url = rpc_url
        self.address = AsyncWeb3.to_checksum_address(address)
        self.w3 = connect(rpc_url)
        self.contract = self.w3.eth.contract(address=self.address, abi=load_artifact(self.artifact_name).abi)
        self._sender = TxSender(self.w3, rpc_url, private_key) if private_key is not None else None
        self._reads: _ReadsAtBlock | None = _ReadsAtBlock() if reads_per_block else None

    @property
    def sender_address(self) -> str:
        return self._require_sender("(reading the sender)").address

    def _require_sender(self, what: str) -> TxSender:
        if self._sender is None:
            raise InvalidArgument("private_key", f"{what} sends a transaction: construct the client with a key")
        return self._sender

    async def _call(self, fn: str, *args: Any) -> Any:
        with mapped_errors(self.rpc_url, f"{self.artifact_name}.{fn}"):
            if self._reads is None:
                return await getattr(self.contract.functions, fn)(*args).call()
            block = await self.w3.eth.block_number
            key = (fn, args)
            found, value = self._reads.get(block, key)
            if not found:
                # Read at that very block, so what is remembered for it is what the block holds.
                value = await getattr(self.contract.functions, fn)(*args).call(block_identifier=block)
                self._reads.put(block, key, value)
            return value

    async def _transact(self, fn: str, *args: Any) -> dict[str, Any]:
        what = f"{self.artifact_name}.{fn}"
        sender = self._require_sender(what)
        with mapped_errors(self.rpc_url, what):
            data = self.contract.encode_abi(fn, args=list(args))
        return await sender.send({"to": self.address, "data": data}, what)

    def _events(self, receipt: dict[str, Any], event: str) -> list[dict[str, Any]]:
        with mapped_errors(self.rpc_url, f"decoding {event}"):
            # other events of the same receipt (e.g. Transfer) are expected: skip them quietly
            found = getattr(self.contract.events, event)().process_receipt(receipt, errors=DISCARD)
        return [dict(e["args"]) for e in found]

    async def close(self) -> None:
        await self.w3.provider.disconnect()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class _ReadsAtBlock:
    """Results of view calls made at one block; a new block forgets them all. Only immutable
    results (numbers, strings, bytes, tuples of them) are kept, so no caller can alter another's."""

    MAX_ENTRIES = 4096

    def __init__(self) -> None:
        self._block = -1
        self._values: dict[tuple[str, tuple[Any, ...]], Any] = {}

    def get(self, block: int, key: tuple[str, tuple[Any, ...]]) -> tuple[bool, Any]:
        if block != self._block:
            self._block, self._values = block, {}
        try:
            return (key in self._values), self._values.get(key)
        except TypeError:  # an unhashable argument: not cached
            return False, None

    def put(self, block: int, key: tuple[str, tuple[Any, ...]], value: Any) -> None:
        if block != self._block or not _immutable(value) or len(self._values) >= self.MAX_ENTRIES:
            return
        try:
            self._values[key] = value
        except TypeError:
            pass


def _immutable(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_immutable(v) for v in value)
    return isinstance(value, (bool, int, str, bytes))
