"""Access control inside Lit Actions: checkConditions, encrypt, decryptAndCombine, decryptToSingleNode.

Decrypting inside an action needs 2t+1 nodes' shares, so the node running the action asks its peers
over the signed peer channel. A peer gives its share only for a request it is running itself with
the same action (so a lone node cannot ask on behalf of an action nobody sent), and only after its
own check of the authSig and the conditions; the share is sealed to the asking node's identity key.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

from runtime.access import ConditionError, conditions_field, conditions_from_request
from runtime.access.envelope import encrypt_under_conditions, parse_ciphertext
from runtime.crypto import ibe
from runtime.crypto.bls_threshold import SignatureShare, combine
from runtime.crypto.channel import open_sealed, seal
from runtime.crypto.errors import CryptoError
from runtime.crypto.errors import NotEnoughShares as CryptoNotEnough
from sandbox import HostError, OpContext

from .access import data_hash_of, decryption_share, require_conditions
from .auth import verify_auth_sig
from .errors import BadRequest, NotPermitted

if TYPE_CHECKING:
    from .host import RequestContext

__all__ = ["AccessOps", "handle_peer_decryption_share", "PEER_SHARE_PATH"]

PEER_SHARE_PATH = "/peer/access/share"
_ZERO_ADDRESS = "0x" + "00" * 20
_REQUEST_WAIT_S = 10.0  # a peer may receive the ask before the client's request reaches it


def _conditions(args: dict[str, Any], op: str) -> dict[str, Any]:
    """Lit passes `conditions` (a list) or one of the request-style fields."""
    try:
        if args.get("conditions") is not None:
            return conditions_field(args["conditions"])
        return conditions_field({k: v for k, v in args.items() if k.endswith("Conditions")})
    except ConditionError as exc:
        raise HostError(f"Lit.Actions.{op}: {exc}") from None


def _bytes_arg(value: Any, name: str, op: str) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value)
    raise HostError(f"Lit.Actions.{op}: {name} must be a string or a Uint8Array")


def _user_address(auth_sig: Any, request: "RequestContext") -> str:
    """Whose conditions: the authSig's if one is given, else the request's, else nobody's."""
    if auth_sig:
        return verify_auth_sig(auth_sig).address
    return request.auth_sig.address if request.auth_sig else _ZERO_ADDRESS


class AccessOps:
    """Mixed into NodeHost, which provides `_service`, `_request` and `action_cid`."""

    _service: Any
    _request: "RequestContext"
    action_cid: str

    async def op_checkConditions(self, args: dict[str, Any], ctx: OpContext) -> bool:
        fields = _conditions(args, "checkConditions")
        kind, parsed = conditions_from_request(fields)
        address = _user_address(args.get("authSig"), self._request)
        try:
            await require_conditions(self._service, kind, parsed, address, self.action_cid)
        except NotPermitted:
            return False
        return True

    async def op_encrypt(self, args: dict[str, Any], ctx: OpContext) -> dict[str, str]:
        fields = _conditions(args, "encrypt")
        data = _bytes_arg(args.get("to_encrypt", args.get("toEncrypt")), "to_encrypt", "encrypt")
        kind, parsed = conditions_from_request(fields)
        network_key = self._service.require_keys().bls_commitments[0]
        ciphertext, data_hash = encrypt_under_conditions(network_key, data, kind, parsed)
        return {"ciphertext": ciphertext, "dataToEncryptHash": data_hash}

    async def op_decryptAndCombine(self, args: dict[str, Any], ctx: OpContext) -> str:
        return await self._decrypt(args, "decryptAndCombine")

    async def op_decryptToSingleNode(self, args: dict[str, Any], ctx: OpContext) -> str | None:
        """Only one node, chosen from the request id, decrypts; the others answer null."""
        request_id = self._request.request_id or ""
        chosen = int.from_bytes(hashlib.sha256(request_id.encode()).digest()[:8], "big") % self._service.config.n + 1
        if chosen != self._service.config.index:
            return None
        return await self._decrypt(args, "decryptToSingleNode")

    async def _decrypt(self, args: dict[str, Any], op: str) -> str:
        fields = _conditions(args, op)
        kind, parsed = conditions_from_request(fields)
        try:
            data_hash = data_hash_of(args)
            ciphertext = parse_ciphertext(args.get("ciphertext"))
        except (BadRequest, ValueError) as exc:
            raise HostError(f"Lit.Actions.{op}: {exc}") from None
        if self._request.request_id is None:
            raise HostError(f"Lit.Actions.{op}: this request has no requestId, so peers cannot join it")
        address = _user_address(args.get("authSig"), self._request)
        await require_conditions(self._service, kind, parsed, address, self.action_cid)
        identity, own = decryption_share(self._service, kind, parsed, data_hash)
        ask = {**fields, "dataToEncryptHash": data_hash, "authSig": args.get("authSig"),
               "requestId": self._request.request_id, "actionCid": self.action_cid}
        answers = await self._service.transport.broadcast(PEER_SHARE_PATH, ask, attempts=1)
        shares = [own]
        for peer, answer in answers.items():
            try:
                payload = json.loads(open_sealed(self._service.identity, bytes.fromhex(answer["sealed"]), identity))
                share = SignatureShare.from_json(payload["signatureShare"], f"node {peer} share")
            except (CryptoError, ValueError, KeyError, TypeError):
                continue  # an unusable answer counts as no answer
            if share.index == peer:
                shares.append(share)
        try:
            decryption_key = combine(shares, self._service.require_keys().bls_threshold_key, identity)
        except CryptoNotEnough as exc:
            raise HostError(f"Lit.Actions.{op}: {exc} (answers from nodes {sorted(answers)} and this one)") from None
        try:
            plaintext = ibe.decrypt(ciphertext, decryption_key)
        except CryptoError:
            raise HostError(f"Lit.Actions.{op}: decryption failed (ciphertext altered or not for these conditions)") from None
        return plaintext.decode("utf-8", errors="replace")


async def handle_peer_decryption_share(service: Any, sender: int, ask: Any) -> dict[str, Any]:
    """A peer's share for an action this node is running under the same request."""
    if not isinstance(ask, dict):
        raise BadRequest("share request must be an object")
    request_id, action_cid = ask.get("requestId"), ask.get("actionCid")
    deadline = time.monotonic() + _REQUEST_WAIT_S
    while (request := service.active_requests.get(request_id)) is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    if request is None or action_cid not in request.action_cids:
        raise NotPermitted(f"node {service.config.index} runs no request {request_id!r} with action {action_cid!r}")
    try:
        kind, parsed = conditions_from_request(ask)
    except ConditionError as exc:
        raise BadRequest(f"conditions: {exc}") from None
    address = _user_address(ask.get("authSig"), request)
    await require_conditions(service, kind, parsed, address, action_cid)
    identity, share = decryption_share(service, kind, parsed, data_hash_of(ask))
    recipient = service.directory[sender].encryption_key
    sealed = seal(recipient, json.dumps({"signatureShare": share.to_json()}).encode(), identity)
    return {"sealed": sealed.hex()}

