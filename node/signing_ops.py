"""Signing inside Lit Actions: signEcdsa and ethPersonalSignMessageEcdsa.

A share leaves the node only through the signing agreement (node/agreement.py); it is sealed for
the client, which combines the shares of every node (runtime/client).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_utils import keccak

from sandbox import HostError, OpContext

from .op_args import bytes32_arg, text_arg
from .signer import SCOPE_PERSONAL_SIGN, SCOPE_SIGN_ANYTHING

if TYPE_CHECKING:
    from .host import RequestContext

__all__ = ["SigningOps"]


class SigningOps:
    """Mixed into NodeHost, which provides `_service`, `_request` and `action_cid`."""

    _service: Any
    _request: "RequestContext"
    action_cid: str

    async def _sign(self, to_sign: bytes, args: dict[str, Any], scope: int) -> str:
        sig_name = text_arg(args, "sigName")
        if sig_name in self._request.signed:
            raise HostError(f"sigName {sig_name!r} is already used in this execution")
        signer = self._service.signer
        pkp = await signer.resolve(args.get("publicKey"))
        await signer.authorize(pkp, scope, self.action_cid, self._request.auth_sig, self._request.auth_methods)
        slot = self._request.slot(sig_name)
        self._request.signed[sig_name] = {}  # taken while the nodes agree: a second sign with it is refused
        try:
            share = await signer.sign(pkp, to_sign, slot)
        except BaseException:
            del self._request.signed[sig_name]
            raise
        self._request.signed[sig_name] = {**share, "sigName": sig_name}
        return "success"

    async def op_signEcdsa(self, args: dict[str, Any], ctx: OpContext) -> str:
        return await self._sign(bytes32_arg(args.get("toSign"), "toSign"), args, SCOPE_SIGN_ANYTHING)

    async def op_ethPersonalSignMessageEcdsa(self, args: dict[str, Any], ctx: OpContext) -> str:
        message = args.get("message")
        data = bytes(message) if isinstance(message, list) else str(message).encode()
        prefixed = b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data
        return await self._sign(keccak(prefixed), args, SCOPE_PERSONAL_SIGN)

