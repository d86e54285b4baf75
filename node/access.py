"""Access control on this node: BLS shares released only to a caller who meets the conditions.

Two requests, as Lit's nodes serve them:
- a decryption share: this node's BLS signature share on the identity
  `lit-accesscontrolcondition://{conditions hash}/{data hash}`, sealed to the client's key;
- a JWT share: this node's BLS signature share on an unsigned JWT naming the caller and the
  conditions, which the client combines into a network-signed token.

The order is the security argument: authSig first (who asks), then every condition evaluated for
that address on the chain, and only then the share. Refusals name the condition that failed.
"""

from __future__ import annotations

import re
import time
from typing import Any

from runtime.access import ChainReadFailed, ConditionError, conditions_from_request, evaluate
from runtime.access.conditions import Group
from runtime.access.envelope import access_identity
from runtime.access.jwt import jwt_payload, unsigned_jwt
from runtime.crypto.bls_threshold import SignatureShare, sign_share
from runtime.access.canonical import conditions_hash
from runtime.auth.recap import DECRYPTION, SIGNING, acc_resource

from . import testfaults
from .auth import AuthSig, authenticate
from .context import NodeContext
from .errors import BadRequest, NotPermitted, NotReady
from .testfaults import Fault
from .wire import request_object, seal_for_client

__all__ = [
    "parse_conditions_request",
    "require_conditions",
    "decryption_share",
    "handle_encryption_sign",
    "handle_signing_jwt",
    "MAX_JWT_LIFETIME_S",
    "require_decryption",
    "require_jwt",
]

MAX_JWT_LIFETIME_S = 7 * 24 * 3600
_CLOCK_SKEW_S = 300
_HEX64 = re.compile(r"(0x)?[0-9a-fA-F]{64}")


def parse_conditions_request(body: dict[str, Any]) -> tuple[str, Group]:
    """The request's one conditions field, parsed; a malformed one is a BadRequest naming the field."""
    try:
        return conditions_from_request(body)
    except ConditionError as exc:
        raise BadRequest(f"conditions: {exc}") from None


def data_hash_of(body: dict[str, Any]) -> str:
    value = body.get("dataToEncryptHash")
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise BadRequest("dataToEncryptHash must be the hex SHA-256 of the encrypted data (64 hex digits)")
    return value.lower().removeprefix("0x")


async def require_conditions(service: NodeContext, kind: str, parsed: Group, address: str, action_cid: str | None = None) -> None:
    """Evaluate the conditions for `address`; NotPermitted naming the failure unless they hold."""
    try:
        result = await evaluate(kind, parsed, address, service.chains, current_action_ipfs_id=action_cid)
    except ConditionError as exc:
        raise BadRequest(f"conditions: {exc}") from None
    except ChainReadFailed as exc:
        raise NotReady(f"conditions could not be checked: {exc}") from None
    if not result.ok:
        raise NotPermitted(f"access control conditions not met for {address}: {result.failed}")


def require_decryption(auth: AuthSig, kind: str, parsed: Group, data_hash: str) -> None:
    """NotPermitted unless the authSig grants Threshold/Decryption on Lit's resource for this data:
    `lit-accesscontrolcondition://<conditions hash>/<data hash>` (or `...://*`)."""
    auth.require(DECRYPTION, access_identity(kind, parsed, data_hash).decode())


def require_jwt(auth: AuthSig, kind: str, parsed: Group) -> None:
    """NotPermitted unless the authSig grants a JWT on these conditions,
    `lit-accesscontrolcondition://<conditions hash>` (or `...://*`): Lit's SDK asks Threshold/Signing
    for it (access-control-condition-signing); Threshold/Decryption, which reads more, is taken too."""
    resource = acc_resource(conditions_hash(kind, parsed).hex())
    if not (auth.allows(SIGNING, resource) or auth.allows(DECRYPTION, resource)):
        raise NotPermitted(
            f"authSig of {auth.address} does not grant {SIGNING} or {DECRYPTION} on {resource} "
            f"(its ReCap grants {auth.capabilities.describe()})"
        )


def bls_share(service: NodeContext, message: bytes) -> SignatureShare:
    share = sign_share(service.config.index, service.require_keys().bls_share, message)
    if service.config.fault == Fault.WRONG_BLS_SHARES:
        share = testfaults.wrong_bls_share(share)
    return share


def decryption_share(service: NodeContext, kind: str, parsed: Group, data_hash: str) -> tuple[bytes, SignatureShare]:
    """(identity, this node's share of the decryption key for it). Call only after the check."""
    identity = access_identity(kind, parsed, data_hash)
    return identity, bls_share(service, identity)


async def handle_encryption_sign(service: NodeContext, body: Any) -> dict[str, Any]:
    """A decryption share for the caller, if the authSig is good and the conditions hold for it."""
    body = request_object(body)
    auth = await authenticate(body.get("authSig"), service.config)
    kind, parsed = parse_conditions_request(body)
    data_hash = data_hash_of(body)
    require_decryption(auth, kind, parsed, data_hash)
    await require_conditions(service, kind, parsed, auth.address)
    identity, share = decryption_share(service, kind, parsed, data_hash)
    payload = {"signatureShare": share.to_json(), "shareIndex": service.config.index, "identity": identity.decode()}
    return {"result": "success", "nodeIndex": service.config.index, "signedData": seal_for_client(body, payload)}


def _jwt_times(body: dict[str, Any], now: float) -> tuple[int, int]:
    iat, exp = body.get("iat"), body.get("exp")
    for name, value in (("iat", iat), ("exp", exp)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BadRequest(f"{name} must be a Unix time in whole seconds")
    assert isinstance(iat, int) and isinstance(exp, int)
    if not iat < exp <= iat + MAX_JWT_LIFETIME_S:
        raise BadRequest(f"exp must be after iat and at most {MAX_JWT_LIFETIME_S} s later (iat {iat}, exp {exp})")
    if exp <= now or iat > now + _CLOCK_SKEW_S:
        raise BadRequest(f"iat..exp ({iat}..{exp}) must include the present ({int(now)})")
    return iat, exp


async def handle_signing_jwt(service: NodeContext, body: Any) -> dict[str, Any]:
    """A share of the network's signature on a JWT saying the caller meets the conditions."""
    body = request_object(body)
    auth = await authenticate(body.get("authSig"), service.config)
    kind, parsed = parse_conditions_request(body)
    require_jwt(auth, kind, parsed)
    chain = body.get("chain")
    if not isinstance(chain, str) or not chain:
        raise BadRequest("chain must name the chain the conditions are about")
    iat, exp = _jwt_times(body, time.time())
    await require_conditions(service, kind, parsed, auth.address)
    unsigned = unsigned_jwt(jwt_payload(auth.address, chain, iat, exp, kind, body[kind]))
    share = bls_share(service, unsigned.encode())
    return {
        "result": "success",
        "nodeIndex": service.config.index,
        "unsignedJwt": unsigned,
        "signatureShare": share.to_json(),
    }
