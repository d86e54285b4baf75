"""Clients of the test tokens and gate contract (contracts/TestTokens.sol).

They exist so access-control conditions (ERC20/721/1155 balances and owners, and
evmContractConditions) can be tested against real contracts on the dev chain or ganache.
The contracts let anyone mint and anyone set gate members: never deploy them where a balance
means something. TestContractWallet (contracts/TestContractWallet.sol) is an EIP-1271 wallet for
sign-in tests, deployed by `deploy_test_contract_wallet`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .contract import ContractClient, load_artifact
from .errors import ChainError, InvalidArgument
from .pkp import _address, _tx_hash
from .web3util import TxSender, connect, mapped_errors

__all__ = [
    "TestTokenContracts",
    "deploy_test_tokens",
    "deploy_test_contract_wallet",
    "Erc20",
    "Erc721",
    "Erc1155",
    "AccessGate",
]

_UINT256_MAX = 2**256 - 1


@dataclass(frozen=True)
class TestTokenContracts:
    """Where one deployment of the test contracts lives (checksum addresses)."""

    __test__ = False  # a name starting with "Test" is not a pytest test class

    erc20: str
    erc721: str
    erc1155: str
    gate: str


async def deploy_test_tokens(rpc_url: str, deployer_key: str | bytes) -> TestTokenContracts:
    """Deploy TestERC20, TestERC721, TestERC1155 and AccessGate, one fresh set per call."""
    w3 = connect(rpc_url)
    try:
        sender = TxSender(w3, rpc_url, deployer_key)
        addresses: list[str] = []
        for name in ("TestERC20", "TestERC721", "TestERC1155", "AccessGate"):
            artifact = load_artifact(name)
            receipt = await sender.send({"data": artifact.bytecode}, f"deploying {name}")  # no constructor args
            addresses.append(_address(receipt["contractAddress"], f"{name} address"))
        return TestTokenContracts(*addresses)
    finally:
        await w3.provider.disconnect()


async def deploy_test_contract_wallet(rpc_url: str, deployer_key: str | bytes, owner: str) -> str:
    """Deploy a TestContractWallet whose signatures are `owner`'s; returns its checksum address."""
    owner = _address(owner, "owner")
    w3 = connect(rpc_url)
    try:
        sender = TxSender(w3, rpc_url, deployer_key)
        artifact = load_artifact("TestContractWallet")
        with mapped_errors(rpc_url, "encoding TestContractWallet deployment"):
            data = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode).constructor(owner).data_in_transaction
        receipt = await sender.send({"data": data}, "deploying TestContractWallet")
        return _address(receipt["contractAddress"], "TestContractWallet address")
    finally:
        await w3.provider.disconnect()


def _uint(value: int, field: str) -> int:
    # caught here, so a negative amount names its field instead of failing inside ABI encoding
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _UINT256_MAX:
        raise InvalidArgument(field, f"must be an integer in [0, 2**256), not {value!r}")
    return value


class Erc20(ContractClient):
    """TestERC20: mint to anyone, move balances (erc20 balanceOf conditions)."""

    artifact_name = "TestERC20"

    async def mint(self, to: str, amount: int) -> str:
        return _tx_hash(await self._transact("mint", _address(to, "to"), _uint(amount, "amount")))

    async def transfer(self, to: str, amount: int) -> str:
        """Send from this client's key's balance; reverts with the reason if it is too small."""
        return _tx_hash(await self._transact("transfer", _address(to, "to"), _uint(amount, "amount")))

    async def balance_of(self, addr: str) -> int:
        return int(await self._call("balanceOf", _address(addr, "addr")))


class Erc721(ContractClient):
    """TestERC721: mint with ids 1, 2, 3, ..., move tokens (ownerOf / balanceOf conditions)."""

    artifact_name = "TestERC721"

    async def mint(self, to: str) -> int:
        """Mint one token to `to`; its id is read from the receipt's Transfer event."""
        receipt = await self._transact("mint", _address(to, "to"))
        events = self._events(receipt, "Transfer")
        if len(events) != 1:
            raise ChainError(f"TestERC721 at {self.address}: mint logged {len(events)} Transfer events, not 1")
        return int(events[0]["tokenId"])

    async def owner_of(self, token_id: int) -> str:
        """Raises ContractReverted ("TestERC721: nonexistent token") for an unminted id."""
        return str(await self._call("ownerOf", _uint(token_id, "token_id")))

    async def balance_of(self, addr: str) -> int:
        return int(await self._call("balanceOf", _address(addr, "addr")))

    async def transfer(self, from_addr: str, to: str, token_id: int) -> str:
        """transferFrom signed by this client's key: it must own the token or be approved."""
        args: tuple[Any, ...] = (_address(from_addr, "from_addr"), _address(to, "to"), _uint(token_id, "token_id"))
        return _tx_hash(await self._transact("transferFrom", *args))


class Erc1155(ContractClient):
    """TestERC1155: mint any id and amount (erc1155 balanceOf / balanceOfBatch conditions)."""

    artifact_name = "TestERC1155"

    async def mint(self, to: str, id: int, amount: int) -> str:
        args = (_address(to, "to"), _uint(id, "id"), _uint(amount, "amount"))
        return _tx_hash(await self._transact("mint", *args))

    async def balance_of(self, addr: str, id: int) -> int:
        return int(await self._call("balanceOf", _address(addr, "addr"), _uint(id, "id")))


class AccessGate(ContractClient):
    """AccessGate: the membership a test's evmContractConditions read (isMember, level, profile)."""

    artifact_name = "AccessGate"

    async def set_member(self, who: str, member: bool, level: int, name: str) -> str:
        args = (_address(who, "who"), bool(member), _uint(level, "level"), str(name))
        return _tx_hash(await self._transact("setMember", *args))

    async def is_member(self, who: str) -> bool:
        return bool(await self._call("isMember", _address(who, "who")))

    async def level(self, who: str) -> int:
        return int(await self._call("level", _address(who, "who")))
