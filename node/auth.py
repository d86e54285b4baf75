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

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


from runtime.auth.recap import Capabilities, parse_recap
from runtime.auth.session import SESSION_DERIVED_VIA, SessionSigMalformed, SessionSigRefused, verify_session_sig
from runtime.auth.siwe import SiweError, SiweMessage, SiwePolicy, parse_siwe
from runtime.chain.eip1271 import is_valid_signature
from runtime.crypto.eth import personal_message_hash, recover_personal

from .config import NodeConfig
from .errors import BadRequest, NotPermitted

__all__ = [
    "AuthMethodContext", "AuthSig", "authenticate", "verify_auth_methods", "verify_auth_sig", "NotSignedByAddress",
    "LOCAL_POLICY", "policy_of",
]

# A local network's: `litrt up` serves "localhost" on the dev chain (runtime/chain/devchain.py).
LOCAL_POLICY = SiwePolicy(domains=("localhost",), chain_id=31337)


def policy_of(config: NodeConfig) -> SiwePolicy:
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
            recovered = recover_personal(text.encode(), bytes.fromhex(auth_sig["sig"].removeprefix("0x")))
        except ValueError:  # not hex, or not a signature (runtime.crypto InvalidInput)
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


async def authenticate(value: Any, config: NodeConfig, now: float | None = None) -> AuthSig:
    """Who signed this request's `authSig` and what they allowed, for the node `config` describes:
    an EOA's or a contract wallet's authSig, or a session signature addressed to this node."""
    now = time.time() if now is None else now
    policy = policy_of(config)
    if isinstance(value, dict) and value.get("derivedVia") == SESSION_DERIVED_VIA:
        return await _authenticate_session(value, config, policy, now)
    try:
        return verify_auth_sig(value, now, policy=policy)
    except NotSignedByAddress:
        if not await _wallet_vouches(value, config):
            raise
        return verify_auth_sig(value, now, policy=policy, wallet_vouched=True)


async def _authenticate_session(value: dict[str, Any], config: NodeConfig, policy: SiwePolicy, now: float) -> AuthSig:
    own_url = config.peer(config.index).url  # what clients sign as nodeAddress
    vouched: set[tuple[str, str]] = set()
    unvouched: list[dict[str, Any]] = []

    def verify_capability(capability: dict[str, Any], at: Any) -> AuthSig:
        key = (str(capability.get("sig")), str(capability.get("signedMessage")))
        try:
            return verify_auth_sig(capability, at, policy=policy, wallet_vouched=key in vouched)
        except NotSignedByAddress:
            unvouched.append(capability)
            raise

    def verify() -> Any:
        try:
            return verify_session_sig(value, own_url, now, verify_capability)
        except SessionSigMalformed as exc:
            raise BadRequest(f"authSig (session signature): {exc}") from None
        except SessionSigRefused as exc:
            raise NotPermitted(f"authSig (session signature): {exc}") from None

    try:
        session = verify()
    except NotPermitted:
        # A capability not signed by its address's key may come from a contract wallet: ask the
        # chain (EIP-1271) only now, so EOA sessions never wait on it, then check once more.
        for capability in unvouched:
            if await _wallet_vouches(capability, config):
                vouched.add((capability["sig"], capability["signedMessage"]))
        if not vouched:
            raise
        session = verify()
    wallet = session.capability
    return AuthSig(
        address=wallet.address, expires_at=session.expiration.timestamp(), message=wallet.message,
        siwe=wallet.siwe, capabilities=wallet.capabilities, session=session,
    )


async def _wallet_vouches(auth_sig: dict[str, Any], config: NodeConfig) -> bool:
    """EIP-1271 on the network's chain (the only chain id a SIWE may name here): a contract at the
    address that accepts this signature of the message's EIP-191 hash."""
    try:
        signature = bytes.fromhex(auth_sig["sig"].removeprefix("0x"))
    except ValueError:
        raise BadRequest("authSig.sig is not hex") from None
    digest = personal_message_hash(auth_sig["signedMessage"].encode())
    return await is_valid_signature(config.chains["lit"], auth_sig["address"], digest, signature)


# Lit's AUTH_METHOD_TYPE names (js-sdk constants), for refusals that say which kind was sent.
_AUTH_METHOD_NAMES = {
    0: "NULL", 1: "EthWallet", 2: "LitAction", 3: "WebAuthn", 4: "Discord", 5: "Google", 6: "GoogleJwt",
    7: "OTP", 8: "AppleJwt", 9: "StytchJwt", 10: "StytchEmailFactorOtp", 11: "StytchSmsFactorOtp",
    12: "StytchWhatsAppFactorOtp", 13: "StytchTotpFactorOtp",
}
_MAX_AUTH_METHODS = 8


@dataclass(frozen=True)
class AuthMethodContext:
    """An auth method the node verified itself: what an action sees in Lit.Auth.authMethodContexts."""

    auth_method_type: int
    user_id: str
    app_id: str
    expires_at: float
    auth_sig: AuthSig | None = field(default=None, compare=False)  # an EthWallet method's own authSig

    def to_lit(self) -> dict[str, Any]:
        # lit-node serialises AuthMethodResponse without lastRetrievedAt and expiration, which differ per node.
        return {
            "userId": self.user_id, "appId": self.app_id, "authMethodType": self.auth_method_type,
            "usedForSignSessionKeyRequest": False,
        }


async def verify_auth_methods(value: Any, config: NodeConfig, now: float | None = None) -> tuple[AuthMethodContext, ...]:
    """The request's `authMethods` ([{authMethodType, accessToken}]), each verified by this node.

    EthWallet (type 1, the access token a JSON authSig) is checked as any authSig is. The others
    are verified against outside providers (Google's and Discord's keys, Stytch, a WebAuthn
    registration), which a local network cannot reach: a request naming one is refused, not passed on
    unverified."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadRequest("authMethods must be a list of {authMethodType, accessToken}")
    if len(value) > _MAX_AUTH_METHODS:
        raise BadRequest(f"authMethods has {len(value)} entries; at most {_MAX_AUTH_METHODS} are accepted")
    contexts = []
    for index, method in enumerate(value):
        where = f"authMethods[{index}]"
        if not isinstance(method, dict):
            raise BadRequest(f"{where} must be an object with authMethodType and accessToken")
        method_type, token = method.get("authMethodType"), method.get("accessToken")
        if not isinstance(method_type, int) or isinstance(method_type, bool) or method_type < 0:
            raise BadRequest(f"{where}.authMethodType must be a non-negative integer")
        if not isinstance(token, str) or not token:
            raise BadRequest(f"{where}.accessToken must be a non-empty string")
        if method_type != 1:
            name = _AUTH_METHOD_NAMES.get(method_type, "a custom type")
            raise NotPermitted(
                f"{where}: auth method type {method_type} ({name}) cannot be verified by this network; only "
                "EthWallet (1) is verified by the nodes. Custom auth is checked by a Lit Action (actions_examples/custom_auth.js)"
            )
        try:
            auth_sig = json.loads(token)
        except ValueError:
            raise BadRequest(f"{where}.accessToken of an EthWallet auth method must be a JSON authSig") from None
        try:
            verified = await authenticate(auth_sig, config, now)
        except (BadRequest, NotPermitted) as exc:
            raise type(exc)(f"{where}: {exc}") from None
        contexts.append(AuthMethodContext(1, verified.address, "lit", verified.expires_at, verified))
    return tuple(contexts)
