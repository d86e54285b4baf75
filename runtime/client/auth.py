"""authSigs: a SIWE (EIP-4361) message with a ReCap (EIP-5573), signed with EIP-191, as Lit's SDK makes them."""

from __future__ import annotations

import inspect
import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from runtime.crypto.eth import address_of_key, sign_personal, to_checksum_address
from runtime.auth.recap import (
    ACC_PREFIX, ACTION_PREFIX, DECRYPTION, EXECUTION, PKP_PREFIX, SIGNING, encode_recap,
)
from runtime.auth.siwe import SiweMessage

from ._errors_map import caller_argument, check_private_key
from .errors import InvalidArgument

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

__all__ = ["create_auth_sig", "eth_wallet_auth_method", "siwe_message", "ALL_ABILITIES", "LOCAL_CHAIN_ID"]

# The chain id of `litrt up`'s dev chain (runtime/chain/devchain.py), which the nodes require.
LOCAL_CHAIN_ID = 31337
# What an authSig grants unless the caller narrows it: everything, so a default sign-in works as before.
ALL_ABILITIES: tuple[tuple[str, str], ...] = (
    (EXECUTION, f"{ACTION_PREFIX}://*"),
    (SIGNING, f"{PKP_PREFIX}://*"),
    (DECRYPTION, f"{ACC_PREFIX}://*"),
)


def siwe_message(
    address: str,
    *,
    domain: str = "localhost",
    uri: str = "lit:session:litrt",
    chain_id: int = LOCAL_CHAIN_ID,
    statement: str = "Sign in to the Lit network (litrt).",
    issued_at: datetime | None = None,
    expires_in: timedelta = timedelta(hours=1),
    nonce: str | None = None,
    resources: Iterable[tuple[str, str]] | None = ALL_ABILITIES,
) -> str:
    """The SIWE text for `address`; `resources` are (ability, resource) pairs put in one ReCap
    (None: no ReCap, which a node refuses; for tests of exactly that)."""
    issued = issued_at or datetime.now(timezone.utc)
    recap: tuple[str, ...] = ()
    if resources is not None:
        with caller_argument("resources"):
            urn, recap_text = encode_recap(resources)
        statement = f"{statement} {recap_text}" if statement else recap_text
        recap = (urn,)
    with caller_argument("SIWE message"):
        message = SiweMessage(
            domain=domain, address=address,
            uri=uri, version="1", chain_id=chain_id, nonce=nonce or secrets.token_hex(8),
            issued_at=issued, expiration_time=issued + expires_in, statement=statement or None, resources=recap,
        )
        return message.to_text()


# What create_auth_sig's **siwe may override: siwe_message's keywords but the two it sets itself.
_SIWE_FIELDS = frozenset(inspect.signature(siwe_message).parameters) - {"address", "resources"}


def create_auth_sig(
    account: LocalAccount | str | bytes,
    resources: Iterable[tuple[str, str]] | None = ALL_ABILITIES,
    *,
    wallet: str | None = None,
    **siwe: Any,
) -> dict[str, str]:
    """Lit's authSig `{sig, derivedVia, signedMessage, address}` for `account` (a key or an eth_account).

    `resources`: (ability, resource) pairs to grant, e.g. `[(SIGNING, pkp_resource(token_id))]`;
    by default every ability on every resource. `wallet`: sign in as this contract wallet (EIP-1271),
    whose isValidSignature accepts `account`'s signature. `siwe` overrides siwe_message's fields."""
    given = account if isinstance(account, (str, bytes, bytearray)) else getattr(account, "key", account)
    key = check_private_key(given, "account")
    with caller_argument("wallet"):
        address = address_of_key(key) if wallet is None else to_checksum_address(wallet)
    unknown = set(siwe) - _SIWE_FIELDS
    if unknown:
        raise InvalidArgument(f"create_auth_sig got unknown SIWE fields {sorted(unknown)}; known: {sorted(_SIWE_FIELDS)}")
    message = siwe_message(address, resources=resources, **siwe)
    signature = sign_personal(key, message.encode())
    return {
        "sig": "0x" + signature.hex(),
        "derivedVia": "web3.eth.personal.sign" if wallet is None else "EIP1271",
        "signedMessage": message,
        "address": address,
    }


def eth_wallet_auth_method(account: LocalAccount | str | bytes, **auth_sig_options: Any) -> dict[str, Any]:
    """Lit's EthWallet auth method (type 1) for `account`: its authSig as the access token, which
    every node verifies before an action sees it in Lit.Auth.authMethodContexts."""
    return {"authMethodType": 1, "accessToken": json.dumps(create_auth_sig(account, **auth_sig_options))}
