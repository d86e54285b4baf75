"""The host operations a Lit Action reaches on a node: signing, chain reads, permissions, child calls.

The sandbox's base `Host` supplies fetch and dispatches each operation to an `op_<name>` method;
this subclass adds the operations that need keys, the chain or IPFS. Every refusal is a `HostError` whose message reaches the
action as a thrown Error, and so the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak

from runtime.auth.recap import EXECUTION, action_resource
from runtime.chain.errors import ChainError, redact_urls
from runtime.chain.pkp import pubkey_to_token_id
from runtime.ipfs import IpfsError
from sandbox import Host, HostError, Limits, OpContext
from sandbox import execute as run_action
from sandbox.addresses import FetchPolicy

from . import auth_methods
from .access_ops import AccessOps
from .agreement import SignatureSlot
from .auth import AuthMethodContext, AuthSig
from .errors import NodeError, NotPermitted
from .signer import SCOPE_PERSONAL_SIGN, SCOPE_SIGN_ANYTHING

__all__ = ["RequestContext", "NodeHost"]


@dataclass
class RequestContext:
    """What one execute request shares across its action and the child actions it calls."""

    coordinator: int | None  # the node that assigns presignatures and certifies (node/agreement.py)
    auth_sig: AuthSig | None
    limits: Limits
    signed: dict[str, dict[str, Any]] = field(default_factory=dict)  # sigName -> share payload
    refusals: list[str] = field(default_factory=list)  # permission refusals, for the client to type
    request_id: str | None = None  # the client's id, the same on every node: peers join by it
    action_cids: set[str] = field(default_factory=set)  # every action run under this request
    auth_methods: tuple[AuthMethodContext, ...] = ()  # verified by this node (node/auth.py)

    def slot(self, sig_name: str) -> SignatureSlot:
        """Where the nodes meet to agree on this signature: the same at every node."""
        if self.request_id is None or self.coordinator is None:
            raise HostError("signing needs the client's requestId (the same at every node); this request has none")
        return SignatureSlot(self.request_id, sig_name, self.coordinator)


class NodeHost(AccessOps, Host):
    def __init__(self, service: Any, request: RequestContext, action_stack: list[str], fetch_policy: FetchPolicy) -> None:
        super().__init__(fetch_policy)
        self._service = service
        self._request = request
        self._stack = action_stack
        request.action_cids.update(action_stack)

    @property
    def action_cid(self) -> str:
        return self._stack[-1]

    async def handle(self, op: str, args: dict[str, Any], ctx: OpContext | None = None) -> Any:
        try:
            return await super().handle(op, args, ctx)
        except NotPermitted as exc:
            self._request.refusals.append(str(exc))
            raise HostError(str(exc)) from None
        except NodeError as exc:
            raise HostError(str(exc)) from None
        except (ChainError, IpfsError) as exc:
            # The action (and so the client) sees the reason, never a configured URL (it may hold a key).
            raise HostError(f"{op}: {redact_urls(str(exc), self._service.config.chains.values())}") from None

    # ---- signing --------------------------------------------------------------------------------

    async def _sign(self, to_sign: bytes, args: dict[str, Any], scope: int) -> str:
        sig_name = _text(args, "sigName")
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
        return await self._sign(_bytes32(args.get("toSign"), "toSign"), args, SCOPE_SIGN_ANYTHING)

    async def op_ethPersonalSignMessageEcdsa(self, args: dict[str, Any], ctx: OpContext) -> str:
        message = args.get("message")
        data = bytes(message) if isinstance(message, list) else str(message).encode()
        prefixed = b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data
        return await self._sign(keccak(prefixed), args, SCOPE_PERSONAL_SIGN)

    # ---- chain and permissions -----------------------------------------------------------------

    async def op_getRpcUrl(self, args: dict[str, Any], ctx: OpContext) -> str:
        return self._service.chains.get_rpc_url(_text(args, "chain"))

    async def op_getLatestNonce(self, args: dict[str, Any], ctx: OpContext) -> str:
        nonce = await self._service.chains.get_latest_nonce(_text(args, "address"), _text(args, "chain"))
        return hex(nonce)

    async def op_callContract(self, args: dict[str, Any], ctx: OpContext) -> str:
        txn = args.get("txn")
        if not isinstance(txn, dict):
            raise HostError("callContract: txn must be an object with to and data")
        return await self._service.chains.call_contract(_text(args, "chain"), _text(txn, "to"), _text(txn, "data"))

    async def op_pubkeyToTokenId(self, args: dict[str, Any], ctx: OpContext) -> str:
        try:
            return str(pubkey_to_token_id(_text(args, "publicKey")))
        except (ValueError, ChainError) as exc:
            raise HostError(f"pubkeyToTokenId: {exc}") from None

    async def op_isPermittedAction(self, args: dict[str, Any], ctx: OpContext) -> bool:
        return await self._service.registry.is_permitted_action(_token(args), _text(args, "ipfsId"))

    async def op_isPermittedAddress(self, args: dict[str, Any], ctx: OpContext) -> bool:
        return await self._service.registry.is_permitted_address(_token(args), _text(args, "address"))

    async def op_getPermittedActions(self, args: dict[str, Any], ctx: OpContext) -> list[str]:
        return await self._service.registry.get_permitted_actions(_token(args))

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
        token = _token(args)
        owner = await self._service.registry.owner_of(token)
        others = await self._service.registry.get_permitted_addresses(token)
        return [owner] + [a for a in others if a.lower() != owner.lower()]  # Lit lists the owner first

    # ---- child actions ---------------------------------------------------------------------------

    async def op_call(self, args: dict[str, Any], ctx: OpContext) -> str:
        cid = _text(args, "ipfsId")
        if len(self._stack) >= self._request.limits.max_call_depth:
            raise HostError(f"Lit.Actions.call: maximum call depth {self._request.limits.max_call_depth} exceeded")
        cid, code = await self._service.action_code(cid)
        if self._request.auth_sig is not None:
            # The authSig travels into the child: it must have allowed running that action too.
            self._request.auth_sig.require(EXECUTION, action_resource(cid))
        params = args.get("params") or {}
        if not isinstance(params, dict):
            raise HostError("Lit.Actions.call: params must be an object")
        child = self._service.make_host(self._request, self._stack + [cid])
        result = await run_action(code, params, child, self._request.limits, auth_context=child.auth_context())
        if result.error is not None:
            raise HostError(f"child action {cid} failed: {result.error.message}")
        return result.response

    def auth_context(self) -> dict[str, Any]:
        auth = self._request.auth_sig
        return {
            "actionIpfsIds": list(self._stack),
            "actionIpfsIdStack": list(self._stack),
            "authSigAddress": auth.address if auth else None,
            "authMethodContexts": [m.to_lit() for m in self._request.auth_methods],
            "resources": [],
            "customAuthResource": "",
        }


def _text(args: dict[str, Any], name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value:
        raise HostError(f"{name} must be a non-empty string")
    return value


def _token(args: dict[str, Any]) -> int:
    value = args.get("tokenId")
    try:
        return int(value, 0) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise HostError("tokenId must be an integer or a decimal/hex string") from None


def _bytes32(value: Any, name: str) -> bytes:
    """Lit passes toSign as an array of bytes (a Uint8Array): exactly 32 of them."""
    if isinstance(value, dict):  # a Uint8Array serialised as {"0": .., "1": ..}
        value = [value[k] for k in sorted(value, key=int)]
    if not isinstance(value, list) or not all(isinstance(b, int) and 0 <= b < 256 for b in value):
        raise HostError(f"{name} must be a Uint8Array or an array of bytes")
    if len(value) != 32:
        raise HostError(f"{name} must be exactly 32 bytes, got {len(value)}")
    return bytes(value)
