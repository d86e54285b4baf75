"""Chain access by name: the config that maps chain names to JSON-RPC URLs, and the reads that
back Lit.Actions.getRpcUrl / getLatestNonce / callContract.

The map is configuration, never a built-in list of public endpoints: this machine has no
internet, and a node must only reach the chains its operator chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from web3 import AsyncHTTPProvider, AsyncWeb3

from .errors import InvalidArgument, UnknownChain
from .web3util import connect, mapped_errors

__all__ = ["ChainRpc"]


def _hex_data(value: str | bytes, field: str) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    text = value if value.startswith(("0x", "0X")) else "0x" + value
    try:
        bytes.fromhex(text[2:])
    except ValueError:
        raise InvalidArgument(field, f"not hex data: {value!r}") from None
    return text


def _checked_address(value: str, field: str) -> ChecksumAddress:
    try:
        return to_checksum_address(value)
    except (ValueError, TypeError):
        raise InvalidArgument(field, f"not an Ethereum address: {value!r}") from None


class ChainRpc:
    """JSON-RPC access to the chains named in `chains` ({name: url}); one connection per URL."""

    def __init__(self, chains: Mapping[str, str]) -> None:
        for name, url in chains.items():
            if not url.startswith(("http://", "https://")):
                raise InvalidArgument(f"chains[{name!r}]", f"expected an http(s) JSON-RPC URL, got {url!r}")
        self._chains = dict(chains)
        self._clients: dict[str, AsyncWeb3[AsyncHTTPProvider]] = {}

    @property
    def chains(self) -> list[str]:
        return sorted(self._chains)

    def get_rpc_url(self, chain: str) -> str:
        try:
            return self._chains[chain]
        except KeyError:
            raise UnknownChain(chain, list(self._chains)) from None

    def web3(self, chain: str) -> AsyncWeb3[AsyncHTTPProvider]:
        url = self.get_rpc_url(chain)
        if url not in self._clients:
            self._clients[url] = connect(url)
        return self._clients[url]

    async def get_latest_nonce(self, address: str, chain: str) -> int:
        """The transaction count of `address` at the latest block (Lit's getLatestNonce)."""
        w3 = self.web3(chain)
        with mapped_errors(self.get_rpc_url(chain), f"getLatestNonce on {chain}"):
            return int(await w3.eth.get_transaction_count(_checked_address(address, "address"), "latest"))

    async def call_contract(
        self,
        chain: str,
        to: str,
        data: str | bytes,
        *,
        from_address: str | None = None,
        block: Any = "latest",
        gas: int | None = None,
        value: int = 0,
    ) -> str:
        """eth_call `data` on contract `to`; returns the raw result as 0x-hex (Lit's callContract)."""
        tx: dict[str, Any] = {"to": _checked_address(to, "to"), "data": _hex_data(data, "data")}
        if from_address is not None:
            tx["from"] = _checked_address(from_address, "from")
        if gas is not None:
            tx["gas"] = gas
        if value:
            tx["value"] = value
        w3 = self.web3(chain)
        with mapped_errors(self.get_rpc_url(chain), f"callContract on {chain}"):
            result = await w3.eth.call(tx, block)  # type: ignore[arg-type]
        return "0x" + bytes(result).hex()

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        for w3 in clients.values():
            await w3.provider.disconnect()

    async def __aenter__(self) -> "ChainRpc":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
