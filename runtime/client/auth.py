"""authSigs: a SIWE (EIP-4361) message signed with EIP-191 by an Ethereum key, as Lit's SDK makes them."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

__all__ = ["create_auth_sig", "siwe_message"]


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def siwe_message(
    address: str,
    *,
    domain: str = "localhost",
    uri: str = "lit:session:litrt",
    chain_id: int = 1,
    statement: str = "Sign in to the Lit network (litrt).",
    issued_at: datetime | None = None,
    expires_in: timedelta = timedelta(hours=1),
    nonce: str | None = None,
) -> str:
    issued = issued_at or datetime.now(timezone.utc)
    return (
        f"{domain} wants you to sign in with your Ethereum account:\n{address}\n\n{statement}\n\n"
        f"URI: {uri}\nVersion: 1\nChain ID: {chain_id}\nNonce: {nonce or secrets.token_hex(8)}\n"
        f"Issued At: {_iso(issued)}\nExpiration Time: {_iso(issued + expires_in)}"
    )


def create_auth_sig(account: LocalAccount | str | bytes, **siwe: Any) -> dict[str, str]:
    """Lit's authSig `{sig, derivedVia, signedMessage, address}` for `account` (a key or an eth_account)."""
    signer = account if isinstance(account, LocalAccount) else Account.from_key(account)
    message = siwe_message(signer.address, **siwe)
    signature = signer.sign_message(encode_defunct(text=message)).signature
    return {
        "sig": "0x" + bytes(signature).hex(),
        "derivedVia": "web3.eth.personal.sign",
        "signedMessage": message,
        "address": signer.address,
    }
