"""Who is asking, and what they allowed: authSig checks (an EIP-191 signature over a SIWE message).

An authSig is Lit's `{sig, derivedVia, signedMessage, address}`. Its signed message must be an
EIP-4361 message for this network (one of its domains, a Lit session or network URI, its chain id,
an expiry at most 7 days after Issued At) carrying an EIP-5573 ReCap. The address may then do
only what the ReCap grants: `AuthSig.require` is called where a capability is used. A refusal
names the field or the capability that failed (security review H1).

`authenticate` is what request handlers call. It also takes Lit's session signatures (an ed25519
session key, delegated to by such an authSig, signs each node's request: runtime/auth/session.py),
and contract wallets: when the signature is not the address's own key, the wallet's EIP-1271
`isValidSignature` on the network's chain decides.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct

from runtime.auth.recap import Capabilities, parse_recap
from runtime.auth.session import SESSION_DERIVED_VIA, SessionSigMalformed, SessionSigRefused, verify_session_sig
from runtime.auth.siwe import SiweError, SiweMessage, SiwePolicy, parse_siwe
from runtime.chain.eip1271 import is_valid_signature

from .errors import BadRequest, NotPermitted

__all__ = ["AuthSig", "authenticate", "verify_auth_sig", "NotSignedByAddress", "LOCAL_POLICY", "policy_of"]

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
    session: Any = field(default=None, compare=False)  # a verified SessionAuth, when one was used

    def allows(self, ability: str, resource: str) -> bool:
        """Whether the signed ReCap grants `ability` (e.g. Threshold/Signing) on `resource` (and,
        through a session signature, the session asked for it too)."""
        if self.session is not None:
            return bool(self.session.allows(ability, resource))
        return self.capabilities.allows(ability, resource)

    def require(self, ability: str, *resources: str) -> None:
        """NotPermitted naming the missing capability unless one of `resources` is granted `ability`."""
        if any(self.allows(ability, r) for r in resources):
            return
        raise NotPermitted(
            f"authSig of {self.address} does not grant {ability} on {' or '.join(resources)} "
            f"(its ReCap grants {self.capabilities.describe()})"
        )


class NotSignedByAddress(NotPermitted):
    """The signature is not the address's own key's: only a contract wallet there could vouch for it."""


def verify_auth_sig(
    auth_sig: Any, now: float | None = None, *, policy: SiwePolicy = LOCAL_POLICY, wallet_vouched: bool = False
) -> AuthSig:
    """The authSig's address and capabilities, if its SIWE message is valid under `policy` at `now`
    (Unix seconds) and signed by that address; NotPermitted/BadRequest naming the fault otherwise.
    `wallet_vouched`: the address is a contract wallet whose EIP-1271 check already accepted the
    signature (see `authenticate`), so no key is recovered from it."""
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
    if wallet_vouched:
        recovered = message.address
        if recovered.lower() != auth_sig["address"].lower():
            raise NotPermitted(f"authSig: address {auth_sig['address']} is not the SIWE address {message.address}")
    else:
        try:
            recovered = Account.recover_message(encode_defunct(text=text), signature=auth_sig["sig"])
        except Exception:
            raise NotSignedByAddress("authSig.sig is not a 65-byte ECDSA signature of the message") from None
        if recovered.lower() != auth_sig["address"].lower():
            raise NotSignedByAddress(f"authSig: signature is from {recovered}, not from authSig.address {auth_sig['address']}")
        if recovered != message.address:
            raise NotPermitted(f"authSig: signature is from {recovered}, not from the SIWE address {message.address}")
    assert message.expiration_time is not None  # policy.check requires it
    return AuthSig(
        address=recovered, expires_at=message.expiration_time.timestamp(), message=text,
        siwe=message, capabilities=capabilities,
    )


async def authenticate(value: Any, config: Any, now: float | None = None) -> AuthSig:
    """Who signed this request's `authSig` and what they allowed, for the node `config` describes:
    an EOA's or a contract wallet's authSig, or a session signature addressed to this node."""
    now = time.time() if now is None else now
    policy = policy_of(config)
    if isinstance(value, dict) and value.get("derivedVia") == SESSION_DERIVED_VIA:
        own_url = config.peer(config.index).url  # what clients sign as nodeAddress
        try:
            session = verify_session_sig(value, own_url, now, lambda capability, at: verify_auth_sig(capability, at, policy=policy))
        except SessionSigMalformed as exc:
            raise BadRequest(f"authSig (session signature): {exc}") from None
        except SessionSigRefused as exc:
            raise NotPermitted(f"authSig (session signature): {exc}") from None
        wallet = session.capability
        return AuthSig(
            address=wallet.address, expires_at=session.expiration.timestamp(), message=wallet.message,
            siwe=wallet.siwe, capabilities=wallet.capabilities, session=session,
        )
    try:
        return verify_auth_sig(value, now, policy=policy)
    except NotSignedByAddress:
        if not await _wallet_vouches(value, config):
            raise
        return verify_auth_sig(value, now, policy=policy, wallet_vouched=True)


async def _wallet_vouches(auth_sig: dict[str, Any], config: Any) -> bool:
    """EIP-1271 on the network's chain (the only chain id a SIWE may name here): a contract at the
    address that accepts this signature of the message's EIP-191 hash."""
    try:
        signature = bytes.fromhex(auth_sig["sig"].removeprefix("0x"))
    except ValueError:
        raise BadRequest("authSig.sig is not hex") from None
    digest = _hash_eip191_message(encode_defunct(text=auth_sig["signedMessage"]))
    return await is_valid_signature(config.chains["lit"], auth_sig["address"], digest, signature)
