"""Lit's Staking contract as Lit's JavaScript SDK reads it (contracts/LitStaking.sol): deploy,
publish the validators, read them back, and the SDK's `contractContext` for it.

The SDK (v7, `litNetwork: 'custom'`) builds each node's URL from the validator's IPv4 address
(a big-endian uint32) and port, and takes the number of shares it combines from the second
return value; it reads nothing else of a validator.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .contract import ContractClient, load_artifact
from .errors import InvalidArgument
from .web3util import TxSender, connect, mapped_errors

__all__ = ["Validator", "EpochInfo", "LitStaking", "deploy_staking", "validator_for_url", "contract_context", "EPOCH_LENGTH_S"]

ARTIFACT = "LitStaking"
EPOCH_LENGTH_S = 3600  # Lit's epochs are an hour long too; only the SDK's epoch number depends on it


@dataclass(frozen=True)
class Validator:
    ip: str  # dotted IPv4
    port: int
    node_address: str

    def to_abi(self) -> tuple[int, int, int, str, int, int, int]:
        return (int(ipaddress.IPv4Address(self.ip)), 0, self.port, self.node_address, 0, 0, 0)

    @property
    def url(self) -> str:
        """The URL the SDK builds for this validator (http: a custom network's nodes are not on port 443)."""
        return f"http://{self.ip}:{self.port}"


@dataclass(frozen=True)
class EpochInfo:
    epoch_length: int
    number: int
    end_time: int
    retries: int
    timeout: int


def validator_for_url(url: str, node_address: str) -> Validator:
    """The validator entry of a node served at `url`, which must name an IPv4 address and a port:
    the contract (as Lit's) has no room for host names."""
    parts = urlsplit(url)
    try:
        ip = ipaddress.IPv4Address(parts.hostname or "")
    except ValueError:
        raise InvalidArgument("url", f"{url!r}: Lit's Staking contract holds IPv4 addresses only, not {parts.hostname!r}") from None
    if parts.port is None:
        raise InvalidArgument("url", f"{url!r} names no port")
    return Validator(str(ip), parts.port, node_address)


async def deploy_staking(rpc_url: str, deployer_key: str | bytes, epoch_length_s: int = EPOCH_LENGTH_S) -> str:
    """Deploy LitStaking with the deployer as its admin; returns its address."""
    w3 = connect(rpc_url)
    try:
        sender = TxSender(w3, rpc_url, deployer_key)
        artifact = load_artifact(ARTIFACT)
        with mapped_errors(rpc_url, f"encoding {ARTIFACT} deployment"):
            contract = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
            data = contract.constructor(sender.address, epoch_length_s).data_in_transaction
        receipt = await sender.send({"data": data}, f"deploying {ARTIFACT}")
        return str(receipt["contractAddress"])
    finally:
        await w3.provider.disconnect()


class LitStaking(ContractClient):
    artifact_name = ARTIFACT

    async def set_validators(self, validators: list[Validator], threshold: int) -> None:
        await self._transact("setValidators", [v.to_abi() for v in validators], threshold)

    async def active_validators(self) -> tuple[EpochInfo, int, list[Validator]]:
        """(epoch, threshold, validators) exactly as the SDK decodes them."""
        epoch, threshold, rows = await self._call("getActiveUnkickedValidatorStructsAndCounts")
        validators = [Validator(str(ipaddress.IPv4Address(row[0])), int(row[2]), str(row[3])) for row in rows]
        return EpochInfo(*(int(v) for v in epoch)), int(threshold), validators


def contract_context(address: str) -> dict[str, Any]:
    """The SDK's `contractContext` for a LitStaking at `address`: its ABI, which has the
    StateChanged event the SDK subscribes to (without it connect() fails after the handshakes)."""
    return {"Staking": {"address": address, "abi": load_artifact(ARTIFACT).abi}}
