"""Who is asking, and what they allowed: authSig checks (an EIP-191 signature over a SIWE message).

An authSig is Lit's `{sig, derivedVia, signedMessage, address}`. Its signed message must be an
EIP-4361 message for this network (one of its domains, a Lit session or network URI, its chain id,
an expiry at most 7 days after Issued At) carrying an EIP-5573 ReCap. The address may then do
only what the ReCap grants: `AuthSig.require` is called where a capability is used. A refusal
names the field or the capability that failed (security review H1).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct

from runtime.auth.recap import Capabilities, parse_recap
from runtime.auth.siwe import SiweError, SiweMessage, SiwePolicy, parse_siwe

from .errors import BadRequest, NotPermitted

__all__ = ["AuthSig", "verify_auth_sig", "LOCAL_POLICY", "policy_of"]

# A local network's: `litrt up` serves "localhost" on the dev chain (runtime/chain/devchain.py).
LOCAL_POLICY = SiwePolicy(domains=("localhost",), chain_id=31337)


def policy_of(config: Any) -> SiwePolicy:
    """The SIWE policy a node's config (node/config.py) sets."""
    return SiwePolicy(domains=tuple(config.siwe_domains), chain_id=int(config.siwe_chain_id))


@dataclass(frozen=True)
class AuthSig:
    address: str  # checksummed
    expires_at: float
    message: str
    siwe: SiweMessage | None = field(default=None, compare=False)
    capabilities: Capabilities = field(default_factory=Capabilities)

    def allows(self, ability: str, resource: str) -> bool:
        """Whether the signed ReCap grants `ability` (e.g. Threshold/Signing) on `resource`."""
        return self.capabilities.allows(ability, resource)

    def require(self, ability: str, *resources: str) -> None:
        """NotPermitted naming the missing capability unless one of `resources` is granted `ability`."""
        if any(self.allows(ability, r) for r in resources):
            return
        raise NotPermitted(
            f"authSig of {self.address} does not grant {ability} on {' or '.join(resources)} "
            f"(its ReCap grants {self.capabilities.describe()})"
        )


def verify_auth_sig(auth_sig: Any, now: float | None = None, *, policy: SiwePolicy = LOCAL_POLICY) -> AuthSig:
    """The authSig's address and capabilities, if its SIWE message is valid under `policy` at `now`
    (Unix seconds) and signed by that address; NotPermitted/BadRequest naming the fault otherwise."""
    now = time.time() if now is None else now
    if not isinstance(auth_sig, dict):
        raise BadRequest("authSig must be an object with sig, derivedVia, signedMessage, address")
    for name in ("sig", "signedMessage", "address"):
        if not isinstance(auth_sig.get(name), str) or not auth_sig[name]:
            raise BadRequest(f"authSig.{name} is missing or not a string")
    text = auth_sig["signedMessage"]
    try:
        message = parse_siwe(text)
        policy.check(message, datetime.fromtimestamp(now, timezone.utc))
        capabilities = parse_recap(message.resources, message.statement)
    except SiweError as exc:
        raise NotPermitted(f"authSig.signedMessage: {exc}") from None
    if not capabilities.grants:
        raise NotPermitted(
            "authSig.signedMessage: SIWE Resources: no urn:recap: capability (EIP-5573) as the last resource, "
            "so it grants nothing"
        )
    try:
        recovered = Account.recover_message(encode_defunct(text=text), signature=auth_sig["sig"])
    except Exception:
        raise BadRequest("authSig.sig is not a valid 65-byte signature") from None
    if recovered.lower() != auth_sig["address"].lower():
        raise NotPermitted(f"authSig: signature is from {recovered}, not from authSig.address {auth_sig['address']}")
    if recovered != message.address:
        raise NotPermitted(f"authSig: signature is from {recovered}, not from the SIWE address {message.address}")
    assert message.expiration_time is not None  # policy.check requires it
    return AuthSig(
        address=recovered, expires_at=message.expiration_time.timestamp(), message=text,
        siwe=message, capabilities=capabilities,
    )
