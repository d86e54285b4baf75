"""Encryption to the network under access-control conditions, decryption, and network-signed JWTs.

Encrypting needs only the network's BLS public key (no node is asked). Decrypting and JWTs ask
every node; each checks the caller's authSig and the conditions before it releases a BLS share, and
the client verifies every share against the node's public key share before combining.

The client's ConditionError and JwtError live here, with the access-control packages they wrap:
each is a LitError and also the runtime.access error of the same name, so `except LitError` and
`except runtime.access.ConditionError` both catch what these functions raise.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from runtime.access import conditions_field, conditions_from_request
from runtime.access import errors as access_errors
from runtime.access import jwt
from runtime.access._checks import plan
from runtime.access.conditions import Group, Kind
from runtime.access.evaluate import check_chains as chain_rule
from runtime.access.envelope import access_identity, encrypt_under_conditions, parse_ciphertext
from runtime.crypto import ibe
from runtime.crypto.bls import G1, G2, G2Point
from runtime.crypto.bls_threshold import SignatureShare, ThresholdPublicKey, combine_verified, verify_shares
from runtime.crypto.channel import ResponseKey
from runtime.crypto.errors import CryptoError

from ._errors_map import caller_argument
from .errors import InvalidArgument, LitError, NotEnoughShares
from .fanout import NodeFanOut

__all__ = [
    "EncryptedData", "DecryptResult", "ConditionError", "JwtError", "conditions_field", "check_chains", "encrypt",
    "decrypt", "sign_jwt", "verify_jwt", "parse_envelope",
]

DEFAULT_JWT_LIFETIME_S = 12 * 3600  # as Lit's SDK


class ConditionError(InvalidArgument, access_errors.ConditionError):
    """Access-control conditions that are malformed, unsupported or on a chain the network cannot
    use; `.path` names the offending part, e.g. "accessControlConditions[0].chain"."""

    def __init__(self, path: str, message: str) -> None:
        access_errors.ConditionError.__init__(self, path, message)


class JwtError(LitError, jwt.JwtError):
    """A token that is malformed, not signed by the network, expired or not yet valid; says which."""


@contextmanager
def _conditions() -> Iterator[None]:
    try:
        yield
    except ConditionError:
        raise
    except access_errors.ConditionError as exc:
        raise ConditionError(exc.path, exc.message) from exc


def _parse_conditions(conditions: Any) -> tuple[dict[str, Any], Kind, Group]:
    """The request field, kind and parsed form of `conditions`; ConditionError names a bad part."""
    with _conditions():
        fields = conditions_field(conditions)
        kind, parsed = conditions_from_request(fields)
    return fields, kind, parsed


def verify_jwt(token: str, network_public_key: bytes | str, now: float | None = None) -> dict[str, Any]:
    """The payload if the network whose BLS key is `network_public_key` signed `token` and it is
    valid at `now` (default: the current time); JwtError saying what is wrong otherwise."""
    if not isinstance(token, str):
        raise JwtError(f"a JWT is a string, not {type(token).__name__}")
    try:
        return jwt.verify_jwt(token, network_public_key, now)
    except jwt.JwtError as exc:
        raise JwtError(str(exc)) from exc
    except (ValueError, CryptoError) as exc:
        raise InvalidArgument(f"network_public_key: {exc}") from exc


@dataclass(frozen=True)
class EncryptedData:
    """What `encrypt` gives and `decrypt` takes: Lit's `{ciphertext (base64), dataToEncryptHash (hex)}`."""

    ciphertext: str
    data_to_encrypt_hash: str

    def to_json(self) -> dict[str, str]:
        return {"ciphertext": self.ciphertext, "dataToEncryptHash": self.data_to_encrypt_hash}

    @classmethod
    def from_json(cls, data: Any) -> "EncryptedData":
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("ciphertext", "dataToEncryptHash")):
            raise InvalidArgument("an encrypted envelope is a JSON object with string ciphertext and dataToEncryptHash")
        return cls(data["ciphertext"], data["dataToEncryptHash"])


@dataclass(frozen=True)
class DecryptResult:
    plaintext: bytes
    errors: dict[int, str] = field(default_factory=dict)  # nodes that refused, failed or sent bad shares


def check_chains(conditions: Any, configured: Iterable[str]) -> None:
    """ConditionError, in the words the nodes refuse a decryption with, when a condition names a chain
    the network cannot use (runtime.access.evaluate.check_chains, the nodes' own rule)."""
    _, _, parsed = _parse_conditions(conditions)
    with _conditions():
        chain_rule(map(plan, parsed.conditions()), configured)


def encrypt(
    network_public_key: bytes | str, data: bytes, conditions: Any, chains: Iterable[str] | None = None
) -> EncryptedData:
    """Encrypt `data` so that only callers who meet `conditions` can have the network open it.

    With `chains` (the chain names the network's nodes are configured with) a condition the nodes
    would refuse for its chain is refused here, before anything is encrypted that nobody could open."""
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidArgument(f"data: expected bytes, got {type(data).__name__}")
    with caller_argument("network_public_key"):
        key = bytes.fromhex(network_public_key.removeprefix("0x")) if isinstance(network_public_key, str) else network_public_key
        point = G1.decode(key, "network_public_key")
    _, kind, parsed = _parse_conditions(conditions)
    if chains is not None:
        with _conditions():
            chain_rule(map(plan, parsed.conditions()), chains)
    return EncryptedData(*encrypt_under_conditions(point, bytes(data), kind, parsed))


def _failure(client: NodeFanOut, answers: dict[int, Any], errors: dict[int, str]) -> LitError:
    """Why too few nodes gave good shares: the error most of them gave (a refusal names the failed
    condition), else NotEnoughShares listing each node's failure."""
    counts = Counter((type(a), str(a)) for a in answers.values() if isinstance(a, LitError)).most_common(1)
    if counts and counts[0][1] > len(client.network.nodes) - client.network.threshold:
        (cls, message), _ = counts[0]
        return cls(message)
    summary = "; ".join(f"node {i}: {e}" for i, e in sorted(errors.items()))
    return NotEnoughShares(f"fewer than {client.network.threshold} valid shares: {summary}", errors)


@dataclass
class _Combined:
    signature: G2Point | None  # None until enough good shares have come
    possibly_good: int  # shares that parsed and were not (yet) found bad


def _combine_shares(
    payloads: dict[int, dict[str, Any]], key: ThresholdPublicKey, message: bytes, errors: dict[int, str]
) -> _Combined:
    """Combine the nodes' `signatureShare`s on `message` once there are enough; what is wrong with
    the others (unparseable, not their own, failing verification) goes to `errors`."""
    shares = []
    for index, payload in payloads.items():
        try:
            share = SignatureShare.from_json(payload.get("signatureShare", ""), f"node {index} share")
        except CryptoError as exc:
            errors[index] = str(exc)
            continue
        if share.index != index:
            errors[index] = f"sent a share for index {share.index}"
        else:
            shares.append(share)
    if len(shares) < key.need:
        return _Combined(None, len(shares))
    valid, bad = verify_shares(shares, key, message)
    for index in bad:
        errors[index] = "sent a BLS share that does not verify against its public key share"
    if len(valid) < key.need:
        return _Combined(None, len(valid))
    return _Combined(combine_verified(valid, key, message), len(valid))


async def decrypt(
    client: NodeFanOut,
    encrypted: EncryptedData,
    conditions: Any,
    auth_sig: dict[str, Any] | None,
    session_sigs: Mapping[str, Any] | None = None,
) -> DecryptResult:
    """Ask every node for its decryption share; verify, combine and decrypt."""
    if not isinstance(encrypted, EncryptedData):
        raise InvalidArgument(f"encrypted: expected an EncryptedData, got {type(encrypted).__name__}")
    fields, kind, parsed = _parse_conditions(conditions)
    with caller_argument("encrypted"):
        ciphertext = parse_ciphertext(encrypted.ciphertext)
        identity = access_identity(kind, parsed, encrypted.data_to_encrypt_hash)
    key, request_id, public = ResponseKey.generate(), secrets.token_hex(16), client.bls_key
    body = {**fields, "dataToEncryptHash": encrypted.data_to_encrypt_hash, "authSig": auth_sig,
            "clientPublicKey": key.public_hex, "requestId": request_id}

    def decide(answers: dict[int, Any], final: bool) -> DecryptResult | None:
        errors = {i: str(a) for i, a in answers.items() if isinstance(a, Exception)}
        combined = _combine_shares(client._open_shares(answers, key, request_id, errors), public, identity, errors)
        if combined.signature is not None:
            try:
                plaintext = ibe.decrypt(ciphertext, combined.signature)
            except CryptoError:
                raise LitError("decryption failed: the ciphertext was altered or was not made for these conditions and data hash") from None
            if hashlib.sha256(plaintext).hexdigest() != encrypted.data_to_encrypt_hash.lower().removeprefix("0x"):
                raise LitError("decrypted data does not match dataToEncryptHash")
            return DecryptResult(plaintext, errors)
        if not final and len(answers) - combined.possibly_good <= len(client.network.nodes) - public.need:
            return None
        raise _failure(client, answers, errors)

    return await client._fan_out("POST", "/web/encryption/sign", body, decide, session_sigs)


def _first_chain(raw: Any) -> str | None:
    if isinstance(raw, dict):
        return raw.get("chain") if isinstance(raw.get("chain"), str) else None
    for item in raw if isinstance(raw, list) else []:
        found = _first_chain(item)
        if found:
            return found
    return None


async def sign_jwt(
    client: NodeFanOut,
    conditions: Any,
    auth_sig: dict[str, Any] | None,
    chain: str | None = None,
    lifetime_s: int = DEFAULT_JWT_LIFETIME_S,
    session_sigs: Mapping[str, Any] | None = None,
) -> str:
    """A JWT signed by the network saying the authSig's address meets `conditions` (compact form)."""
    fields, _, _ = _parse_conditions(conditions)
    chain = chain or _first_chain(next(iter(fields.values())))
    if not chain:
        raise ConditionError("chain", "give chain= or put a chain in the conditions")
    iat = int(time.time())
    body = {**fields, "authSig": auth_sig, "chain": chain, "iat": iat, "exp": iat + lifetime_s}
    public = client.bls_key
    network_key = client.network.public["blsPublicKey"]

    def decide(answers: dict[int, Any], final: bool) -> str | None:
        errors = {i: str(a) for i, a in answers.items() if isinstance(a, Exception)}
        answered = {i: a for i, a in answers.items() if isinstance(a, dict)}
        unsigned_counts = Counter(a.get("unsignedJwt") for a in answered.values() if isinstance(a.get("unsignedJwt"), str))
        unsigned = unsigned_counts.most_common(1)[0][0] if unsigned_counts else None
        for index, answer in answered.items():
            if answer.get("unsignedJwt") != unsigned:
                errors[index] = "signed a different JWT payload than the other nodes"
        agreeing = {i: a for i, a in answered.items() if a.get("unsignedJwt") == unsigned}
        message = (unsigned or "").encode()
        combined = _combine_shares(agreeing, public, message, errors)
        if unsigned and combined.signature is not None:
            token = f"{unsigned}.{jwt.b64url(G2.encode(combined.signature))}"
            try:  # shares are verified one by one, so this fails only if the nodes' JWT itself is bad
                verify_jwt(token, network_key)
            except JwtError as exc:
                raise NotEnoughShares(f"the nodes' JWT does not verify under the network key: {exc}", errors) from exc
            return token
        if not final and len(answers) - combined.possibly_good <= len(client.network.nodes) - public.need:
            return None
        raise _failure(client, answers, errors)

    return await client._fan_out("POST", "/web/signing/access_control_condition", body, decide, session_sigs)


def parse_envelope(text: str) -> EncryptedData:
    """An envelope file's JSON (as `litrt encrypt` writes it)."""
    try:
        return EncryptedData.from_json(json.loads(text))
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"envelope is not JSON: {exc}") from exc
