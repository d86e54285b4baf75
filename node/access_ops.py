"""Access control inside Lit Actions: checkConditions, encrypt, decryptAndCombine, decryptToSingleNode, aesDecrypt.

Decrypting inside an action needs 2t+1 nodes' shares, so the node running the action asks its peers
over the signed peer channel. A peer gives its share only for a request it is running itself with
the same action (so a lone node cannot ask on behalf of an action nobody sent), only for an
operation and ciphertext its own run of that action also asked for (so a peer cannot claim
decryptAndCombine where the action said decryptToSingleNode), for decryptToSingleNode only to the
node elected for the request, and only after its own check of the authSig and the conditions; the
share is sealed to the asking node's identity key.

With decryptAndCombine every node running the action sees the plaintext by design, so a single
malicious node learns secrets that the action decrypts that way, `:currentActionIpfsId` ones included.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import weakref
from typing import Any

from runtime.access import ConditionError, conditions_field, conditions_from_request, json_type
from runtime.access.aes import AesDecryptError, aes_decrypt
from runtime.access.envelope import encrypt_under_conditions, parse_ciphertext
from runtime.access.shapes import conditions_by_shape
from runtime.crypto import ibe
from runtime.crypto.bls_threshold import SignatureShare, combine
from runtime.crypto.channel import open_sealed, seal
from runtime.crypto.errors import CryptoError
from runtime.crypto.errors import NotEnoughShares as CryptoNotEnough
from sandbox import HostError, OpContext

from .access import data_hash_of, decryption_share, require_conditions, require_decryption
from .auth import AuthSig, authenticate
from .context import NodeContext
from .errors import BadRequest, NotPermitted
from .request import RequestContext

__all__ = ["AccessOps", "handle_peer_decryption_share", "elected_node", "PEER_SHARE_PATH"]

PEER_SHARE_PATH = "/peer/access/share"
_ZERO_ADDRESS = "0x" + "00" * 20
_REQUEST_WAIT_S = 10.0  # a peer may receive the ask before the client's request (or its action's call) reaches it
_POLL_S = 0.05
_DECRYPT_OPS = ("decryptAndCombine", "decryptToSingleNode")

# The (op, dataToEncryptHash) pairs each request's actions have asked to decrypt at this node,
# keyed by the request object's id and dropped with it (RequestContext is not hashable).
_decrypt_calls: dict[int, set[tuple[str, str]]] = {}


def _record_decrypt_call(request: RequestContext, op: str, data_hash: str) -> None:
    key = id(request)
    if key not in _decrypt_calls:
        _decrypt_calls[key] = set()
        weakref.finalize(request, _decrypt_calls.pop, key, None)
    _decrypt_calls[key].add((op, data_hash))


def elected_node(request_id: str, n: int) -> int:
    """The one node (1..n) that decrypts for decryptToSingleNode; every node computes the same."""
    return int.from_bytes(hashlib.sha256(request_id.encode()).digest()[:8], "big") % n + 1


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


def _byte_array(value: Any, name: str, op: str) -> bytes:
    """A Uint8Array argument (it crosses the bridge as an array of byte values)."""
    if isinstance(value, list) and value and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value)
    if isinstance(value, list):
        got = "an empty array" if not value else "an array holding other values than bytes"
    else:
        got = json_type(value)
    hint = " (decode it first, e.g. with ethers.utils.arrayify for hex)" if isinstance(value, str) else ""
    raise HostError(f"Lit.Actions.{op}: {name} must be a non-empty Uint8Array, got {got}{hint}")


async def _caller(service: NodeContext, auth_sig: Any, request: RequestContext) -> AuthSig | None:
    """Whose conditions: the authSig given to the call, else the request's, else nobody's (None)."""
    if auth_sig:
        return await authenticate(auth_sig, service.config)
    return request.auth_sig


def _address(caller: AuthSig | None) -> str:
    return caller.address if caller is not None else _ZERO_ADDRESS


class AccessOps:
    """Mixed into NodeHost, which provides `_service`, `_request` and `action_cid`."""

    _service: NodeContext
    _request: RequestContext
    action_cid: str

    async def op_checkConditions(self, args: dict[str, Any], ctx: OpContext) -> bool:
        """As lit-peer's CheckConditions: `conditions` is one list whose items are told apart by shape
        (runtime.access.shapes); `chain` is required; the authSig is the one given, else the request's,
        and with neither the call fails. This runtime also takes `conditions` as an object holding one
        request-style field (`{accessControlConditions: [...]}`), its earlier form."""
        op = "Lit.Actions.checkConditions"
        raw = args.get("conditions")
        try:
            if isinstance(raw, dict):
                kind, parsed = conditions_from_request(conditions_field(raw))
            else:
                kind, parsed = "unifiedAccessControlConditions", conditions_by_shape(raw)
        except ConditionError as exc:
            raise HostError(f"{op}: {exc}") from None
        chain = args.get("chain")
        if not isinstance(chain, str) or not chain.strip():
            raise HostError(f"{op}: chain is required (the chain the authSig is from, e.g. \"ethereum\")")
        caller = await _caller(self._service, args.get("authSig"), self._request)
        if caller is None:
            raise HostError(f"{op}: no authSig: pass one, or send the request with one (its address is checked)")
        try:
            await require_conditions(self._service, kind, parsed, caller.address, self.action_cid)
        except NotPermitted:
            return False
        return True

    async def op_aesDecrypt(self, args: dict[str, Any], ctx: OpContext) -> str:
        """Lit's answer: the plaintext's bytes as lower-case hex without 0x (runtime.access.aes)."""
        key = _byte_array(args.get("symmetricKey"), "symmetricKey", "aesDecrypt")
        ciphertext = _byte_array(args.get("ciphertext"), "ciphertext", "aesDecrypt")
        try:
            return aes_decrypt(key, ciphertext).hex()
        except AesDecryptError as exc:
            raise HostError(f"Lit.Actions.aesDecrypt: {exc}") from None

    async def op_encrypt(self, args: dict[str, Any], ctx: OpContext) -> dict[str, str]:
        fields = _conditions(args, "encrypt")
        data = _bytes_arg(args.get("to_encrypt", args.get("toEncrypt")), "to_encrypt", "encrypt")
        kind, parsed = conditions_from_request(fields)
        network_key = self._service.require_keys().bls_commitments[0]
        # About 2 ms of pairing-based CPU work: in a thread, so the node's other requests keep moving.
        ciphertext, data_hash = await asyncio.to_thread(encrypt_under_conditions, network_key, data, kind, parsed)
        return {"ciphertext": ciphertext, "dataToEncryptHash": data_hash}

    async def op_decryptAndCombine(self, args: dict[str, Any], ctx: OpContext) -> str:
        return await self._decrypt(args, "decryptAndCombine")

    async def op_decryptToSingleNode(self, args: dict[str, Any], ctx: OpContext) -> str | None:
        """Only one node, chosen from the request id, decrypts; the others answer null.

        The others still note the call: they give their shares only for calls their own run made."""
        chosen = elected_node(self._request.request_id or "", self._service.config.n)
        if chosen != self._service.config.index:
            try:
                _record_decrypt_call(self._request, "decryptToSingleNode", data_hash_of(args))
            except BadRequest:
                pass  # the elected node reports the malformed argument
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
        _record_decrypt_call(self._request, op, data_hash)
        caller = await _caller(self._service, args.get("authSig"), self._request)
        if caller is not None:
            # Decrypting as an address needs that address's ReCap to allow it (review H1); with no
            # authSig the conditions are checked for nobody (e.g. :currentActionIpfsId ones).
            require_decryption(caller, kind, parsed, data_hash)
        await require_conditions(self._service, kind, parsed, _address(caller), self.action_cid)
        identity, own = decryption_share(self._service, kind, parsed, data_hash)
        ask = {**fields, "dataToEncryptHash": data_hash, "authSig": args.get("authSig"),
               "requestId": self._request.request_id, "actionCid": self.action_cid, "op": op}
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


async def _own_request(service: NodeContext, request_id: str, op: str, data_hash: str) -> RequestContext | None:
    """This node's request `request_id` once its own run has asked for (op, data_hash); None if not in time."""
    deadline = time.monotonic() + _REQUEST_WAIT_S
    while True:
        request = service.active_requests.get(request_id)
        if request is not None and (op, data_hash) in _decrypt_calls.get(id(request), ()):
            return request
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(_POLL_S)


async def handle_peer_decryption_share(service: NodeContext, sender: int, ask: Any) -> dict[str, Any]:
    """A peer's share for an action this node is running under the same request."""
    if not isinstance(ask, dict):
        raise BadRequest("share request must be an object")
    request_id, action_cid, op = ask.get("requestId"), ask.get("actionCid"), ask.get("op")
    if op not in _DECRYPT_OPS:
        raise BadRequest(f"share request: op must be one of {', '.join(_DECRYPT_OPS)}, got {op!r}")
    if not isinstance(request_id, str) or not isinstance(action_cid, str):
        raise BadRequest("share request: requestId and actionCid must be strings")
    data_hash = data_hash_of(ask)
    me = service.config.index
    if op == "decryptToSingleNode" and sender != (elected := elected_node(request_id, service.config.n)):
        raise NotPermitted(
            f"node {me}: decryptToSingleNode for request {request_id!r} is node {elected}'s; node {sender} gets no share"
        )
    request = await _own_request(service, request_id, op, data_hash)
    if request is None or action_cid not in request.action_cids:
        raise NotPermitted(
            f"node {me} runs no request {request_id!r} with action {action_cid!r} that calls {op} on {data_hash}"
        )
    try:
        kind, parsed = conditions_from_request(ask)
    except ConditionError as exc:
        raise BadRequest(f"conditions: {exc}") from None
    caller = await _caller(service, ask.get("authSig"), request)
    if caller is not None:
        require_decryption(caller, kind, parsed, data_hash)
    await require_conditions(service, kind, parsed, _address(caller), action_cid)
    identity, share = decryption_share(service, kind, parsed, data_hash)
    recipient = service.directory[sender].encryption_key
    sealed = seal(recipient, json.dumps({"signatureShare": share.to_json()}).encode(), identity)
    return {"sealed": sealed.hex()}
