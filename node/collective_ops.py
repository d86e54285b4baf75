"""Lit.Actions that need the other nodes running the same request: runOnce, broadcastAndCollect,
signAndCombineEcdsa and signAndCombine (ECDSA on K256 and the FROST schemes).

The nodes meet by the client's requestId through `RequestExchange` (node/exchange.py). runOnce's
leader is the request's coordinator: a node the client saw ready, the same at every node.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from sandbox import HostError, OpContext

from . import frost_ops
from .op_args import K256_ECDSA, bytes32_arg, bytes_arg, scheme_arg, scheme_refusal, text_arg
from .signer import SCOPE_SIGN_ANYTHING
from .context import NodeContext
from .request import RequestContext

__all__ = ["CollectiveOps", "RUN_ONCE_WAIT_S", "COLLECT_WAIT_S"]

RUN_ONCE_WAIT_S = 30.0  # the leader's function may broadcast a transaction and wait for it
COLLECT_WAIT_S = 10.0  # for every node's value; after that, a threshold of them will do
_DEFAULT_RUN_ONCE_NAME = "default_bc_id"  # Lit's name when the action gives none


class CollectiveOps:
    """Mixed into NodeHost, which provides `_service`, `_request` and `action_cid`."""

    _service: NodeContext
    _request: RequestContext
    action_cid: str
    _combine_with_peers: Callable[[str, str, str, str, dict[str, Any]], Awaitable[dict[str, Any]]]  # SigningOps

    def _meeting(self, op: str) -> str:
        if self._request.request_id is None or self._request.coordinator is None:
            raise HostError(f"Lit.Actions.{op} needs the client's requestId (the same at every node); this request has none")
        return self._request.request_id

    def _topic(self, kind: str, name: str) -> str:
        """One topic per call: the k-th call with this name in this request, at every node alike."""
        calls: Counter[str] = self._request.collective_calls
        calls[kind + name] += 1
        return f"{kind}:{name}:{calls[kind + name]}"

    async def op_runOnce(self, args: dict[str, Any], ctx: OpContext) -> Any:
        """The prelude calls this in phases: elect, then the leader's result or the others' wait."""
        request_id = self._meeting("runOnce")
        leader = self._request.coordinator
        is_leader = leader == self._service.config.index
        name = args.get("name") or _DEFAULT_RUN_ONCE_NAME
        if not isinstance(name, str):
            raise HostError("Lit.Actions.runOnce: name must be a string")
        phase = args.get("phase")
        if phase == "elect":
            return {"isLeader": is_leader}
        if phase == "result":
            if not is_leader:
                raise HostError("Lit.Actions.runOnce: only the leader sends a result")
            response = args.get("response")
            if not isinstance(response, str):
                raise HostError("Lit.Actions.runOnce: the result must be a string")
            await self._service.exchange.publish(request_id, self._topic("runOnce", name), response)
            return True
        if phase == "wait":
            topic = self._topic("runOnce", name)
            values = await self._service.exchange.wait(request_id, topic, lambda got: leader in got, RUN_ONCE_WAIT_S)
            if leader not in values:
                raise HostError(
                    f"Lit.Actions.runOnce {name!r}: no result from the leader, node {leader}, within {RUN_ONCE_WAIT_S:.0f} s"
                )
            return {"response": values[leader]}
        raise HostError("Lit.Actions.runOnce: unknown phase (the prelude sends elect, result or wait)")

    async def op_broadcastAndCollect(self, args: dict[str, Any], ctx: OpContext) -> list[str]:
        """Every node's value for `name`, in node order, once all have sent one (or, after
        COLLECT_WAIT_S, a threshold of them)."""
        request_id = self._meeting("broadcastAndCollect")
        name, value = text_arg(args, "name"), args.get("value")
        if not isinstance(value, str):
            raise HostError("Lit.Actions.broadcastAndCollect: value must be a string")
        exchange, n = self._service.exchange, self._service.config.n
        topic = self._topic("collect", name)
        await exchange.publish(request_id, topic, value)
        values = await exchange.wait(request_id, topic, lambda got: len(got) >= n, COLLECT_WAIT_S)
        need = self._service.t + 1
        if len(values) < need:
            missing = sorted(set(range(1, n + 1)) - set(values))
            raise HostError(
                f"Lit.Actions.broadcastAndCollect {name!r}: {len(values)} of {n} nodes sent a value within "
                f"{COLLECT_WAIT_S:.0f} s, need {need}; missing nodes {missing}"
            )
        return [values[i] for i in sorted(values)]

    async def op_signAndCombineEcdsa(self, args: dict[str, Any], ctx: OpContext) -> str:
        return await self._sign_and_combine(args, "signAndCombineEcdsa", K256_ECDSA)

    async def op_signAndCombine(self, args: dict[str, Any], ctx: OpContext) -> str:
        scheme = scheme_arg(args, "signAndCombine")  # Lit's errors for unknown and unsupported schemes
        return await self._sign_and_combine(args, "signAndCombine", scheme)

    async def _sign_and_combine(self, args: dict[str, Any], op: str, scheme: str) -> str:
        """Sign under the agreement as sign does, and give the combined signature to the action in
        Lit's JSON (ECDSA `{"r", "s", "v"}`, FROST `{"r", "s"}`), the client no share. ECDSA shares
        are swapped with the other nodes and combined here; a FROST signature every node already
        holds once the signing rounds end (node/frost_signing.py)."""
        request_id = self._meeting(op)
        frost = frost_ops.frost_scheme(scheme)
        # Schnorr schemes sign the bytes as given, any length; ECDSA takes a 32-byte digest.
        to_sign = bytes_arg(args.get("toSign"), "toSign") if frost is not None else bytes32_arg(args.get("toSign"), "toSign")
        sig_name = text_arg(args, "sigName")
        request = self._request
        if sig_name in request.signed or sig_name in request.combined:
            raise HostError(f"sigName {sig_name!r} is already used in this execution")
        signer = self._service.signer
        pkp = await signer.resolve(args.get("publicKey"))
        refusal = scheme_refusal(scheme, pkp.key_type)
        if refusal is not None:
            raise HostError(f"Lit.Actions.{op}: {refusal}")
        await signer.authorize(pkp, SCOPE_SIGN_ANYTHING, self.action_cid, request.auth_sig, request.auth_methods)
        request.combined.add(sig_name)
        if frost is not None:
            payload = await frost_ops.frost_payload(self._service, request.slot(sig_name), frost, pkp.key_id, to_sign)
            return frost_ops.sign_and_combine_text(frost, payload)
        share = await signer.sign(pkp, to_sign, request.slot(sig_name))

        combined = await self._combine_with_peers(op, request_id, f"shares:{sig_name}", sig_name, share)
        recid = int(combined["recid"])
        # lit-peer's shape (action_client.rs, SignAndCombineEcdsa): r and s as 32-byte big-endian scalars
        # in bare hex, v the recovery id, serde_json's compact JSON. (Datil's node gave r as the compressed
        # R point, 02/03 ‖ x; actions written for it strip two characters, and would lose r's first byte here.)
        return json.dumps({"r": combined["r"], "s": combined["s"], "v": recid & 1}, separators=(",", ":"))
