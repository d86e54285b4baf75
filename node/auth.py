"""Who is asking: authSig checks (an EIP-191 signature over a SIWE message) and the PKP rules.

An authSig is Lit's `{sig, derivedVia, signedMessage, address}`. It proves control of `address`
only while its SIWE message is unexpired; a node refuses it otherwise, saying why.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct

from .errors import BadRequest, NotPermitted

__all__ = ["AuthSig", "verify_auth_sig"]

_SIWE_FIELD = re.compile(r"^(Expiration Time|Issued At|Not Before|URI|Chain ID|Nonce): (.+)$", re.MULTILINE)
_CLOCK_SKEW_S = 300


@dataclass(frozen=True)
class AuthSig:
    address: str  # checksummed
    expires_at: float
    message: str


def _parse_time(value: str, field: str) -> float:
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise BadRequest(f"authSig.signedMessage: {field} {value!r} is not an ISO-8601 time") from None


def verify_auth_sig(auth_sig: Any, now: float | None = None) -> AuthSig:
    """Check signature, address and validity window; raise NotPermitted/BadRequest naming the fault."""
    now = time.time() if now is None else now
    if not isinstance(auth_sig, dict):
        raise BadRequest("authSig must be an object with sig, derivedVia, signedMessage, address")
    for name in ("sig", "signedMessage", "address"):
        if not isinstance(auth_sig.get(name), str) or not auth_sig[name]:
            raise BadRequest(f"authSig.{name} is missing or not a string")
    message = auth_sig["signedMessage"]
    try:
        recovered = Account.recover_message(encode_defunct(text=message), signature=auth_sig["sig"])
    except Exception:
        raise BadRequest("authSig.sig is not a valid 65-byte signature") from None
    if recovered.lower() != auth_sig["address"].lower():
        raise NotPermitted(f"authSig: signature is from {recovered}, not from authSig.address {auth_sig['address']}")
    fields = dict(_SIWE_FIELD.findall(message))
    if "Expiration Time" not in fields:
        raise NotPermitted("authSig: the signed message has no Expiration Time")
    expires = _parse_time(fields["Expiration Time"], "Expiration Time")
    if expires <= now:
        raise NotPermitted(f"authSig: expired at {fields['Expiration Time']}")
    if "Not Before" in fields and _parse_time(fields["Not Before"], "Not Before") > now + _CLOCK_SKEW_S:
        raise NotPermitted("authSig: not valid yet (Not Before is in the future)")
    if "Issued At" in fields and _parse_time(fields["Issued At"], "Issued At") > now + _CLOCK_SKEW_S:
        raise NotPermitted("authSig: Issued At is in the future")
    return AuthSig(address=recovered, expires_at=expires, message=message)
