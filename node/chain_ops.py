"""Chain reads inside Lit Actions: RPC URLs, nonces, contract calls, PKP permissions."""

from __future__ import annotations

from typing import Any

from eth_utils.crypto import keccak

from runtime.access import json_type
from runtime.chain.errors import InvalidArgument
from runtime.chain.txn import decode_call_txn
from sandbox import HostError, OpContext

from . import auth_methods
from .context import NodeContext
from .op_args import text_arg, token_arg

__all__ = ["ChainOps"]


class ChainOps:
    """Mixed into NodeHost, which provides `_service`."""

    _service: NodeContext

    async def op_getRpcUrl(self, args: dict[str, Any], ctx: OpContext) -> str:
        return self._service.chains.get_rpc_url(text_arg(args, "chain"))

    async def op_getLatestNonce(self, args: dict[str, Any], ctx: OpContext) -> str:
        nonce = await self._service.chains.get_latest_nonce(text_arg(args, "address"), text_arg(args, "chain"))
        return hex(nonce)

    async def op_callContract(self, args: dict[str, Any], ctx: OpContext) -> str:
        """eth_call of the action's serialized transaction; the result as 0x-hex (see runtime.chain.txn).

        `txn` may also be an object `{to, data}`, this runtime's earlier form, kept as it costs one branch."""
        chain, txn = text_arg(args, "chain"), args.get("txn")
        if isinstance(txn, dict):
            return await self._service.chains.call_contract(chain, text_arg(txn, "to"), text_arg(txn, "data"))
        if not isinstance(txn, str) or not txn:
            got = "an empty string" if txn == "" else json_type(txn)
            raise HostError(
                "callContract: txn must be a serialized transaction as a hex string "
                f"(ethers.utils.serializeTransaction({{ to, data }})), got {got}"
            )
        try:
            call = decode_call_txn(txn)
        except InvalidArgument as exc:
            raise HostError(f"callContract: {exc}") from None
        return await self._service.chains.call_contract(chain, call.to, call.data, gas=call.gas, value=call.value)

    async def op_pubkeyToTokenId(self, args: dict[str, Any], ctx: OpContext) -> str:
        """Lit's op: "0x" and keccak256 of the key's bytes as given (the prelude computes the same
        in the isolate when the action names it; this answers the other callers)."""
        key = text_arg(args, "publicKey")
        try:
            raw = bytes.fromhex(key.removeprefix("0x"))
        except ValueError:
            raise HostError(f"pubkeyToTokenId: publicKey is not a hex string: {key}") from None
        return "0x" + keccak(raw).hex()

    async def op_isPermittedAction(self, args: dict[str, Any], ctx: OpContext) -> bool:
        return await self._service.registry.is_permitted_action(token_arg(args), text_arg(args, "ipfsId"))

    async def op_isPermittedAddress(self, args: dict[str, Any], ctx: OpContext) -> bool:
        return await self._service.registry.is_permitted_address(token_arg(args), text_arg(args, "address"))

    async def op_getPermittedActions(self, args: dict[str, Any], ctx: OpContext) -> list[str]:
        return await self._service.registry.get_permitted_actions(token_arg(args))

    async def op_isPermittedAuthMethod(self, args: dict[str, Any], ctx: OpContext) -> bool:
        return await auth_methods.is_permitted_auth_method(
            self._service.registry, args.get("tokenId"), args.get("authMethodType"), args.get("userId")
        )

    async def op_getPermittedAuthMethods(self, args: dict[str, Any], ctx: OpContext) -> list[dict[str, str]]:
        return await auth_methods.get_permitted_auth_methods(self._service.registry, args.get("tokenId"))

    async def op_getPermittedAuthMethodScopes(self, args: dict[str, Any], ctx: OpContext) -> list[bool]:
        return await auth_methods.get_permitted_auth_method_scopes(
            self._service.registry, args.get("tokenId"), args.get("authMethodType"), args.get("userId"), args.get("maxScopeId")
        )

    async def op_getPermittedAddresses(self, args: dict[str, Any], ctx: OpContext) -> list[str]:
        token = token_arg(args)
        owner = await self._service.registry.owner_of(token)
        others = await self._service.registry.get_permitted_addresses(token)
        return [owner] + [a for a in others if a.lower() != owner.lower()]  # Lit lists the owner first

