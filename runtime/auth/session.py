"""Lit v7 session signatures: a wallet delegates to an ed25519 session key, which signs per node.

The wallet signs a SIWE message (an authSig) whose URI is `lit:session:<session public key hex>` and
whose ReCap resources say what the session may do. The session key then signs, for each node, the
JSON `{sessionKey, resourceAbilityRequests, capabilities, issuedAt, expiration, nodeAddress}`; the
capabilities are the wallet's authSigs. A node checks that signature, that `nodeAddress` is its own,
the times, and that one capability names this session key and grants what is asked.

Formats follow js-sdk v7.4.0 `lit-node-client-nodejs.ts::getSessionSigs` (L1876-2037) and the checks
follow LIT-Protocol/Node `rust/lit-node/src/auth/session_sigs.rs::validate_session_sig`.

    SessionSigError             .field names what failed
     ├── SessionSigMalformed    "bad request": the sig or its message is not well-formed
     └── SessionSigRefused      "not permitted": well-formed, but it does not grant this request
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "SESSION_DERIVED_VIA",
    "SESSION_ALGO",
    "SESSION_URI_PREFIX",
    "DEFAULT_MAX_LIFETIME",
    "ISSUED_AT_SKEW",
    "ABILITIES_BY_PREFIX",
    "RECAP_ABILITY",
    "SessionSigError",
    "SessionSigMalformed",
    "SessionSigRefused",
    "SessionKey",
    "ResourceAbilityRequest",
    "SessionAuth",
    "make_session_sigs",
    "verify_session_sig",
    "node_endpoint",
    "iso_time",
    "siwe_uri",
]

SESSION_DERIVED_VIA = "litSessionSignViaNacl"
SESSION_ALGO = "ed25519"
SESSION_URI_PREFIX = "lit:session:"  # js-sdk constants.ts LIT_SESSION_KEY_URI
# Lit's node allows 30 days (siwe_db/utils.rs MAX_TIMESTAMP_VALIDITY_DAYS); issue 11 caps sign-in at 7.
DEFAULT_MAX_LIFETIME = timedelta(days=7)
# Lit's node grace period: a client clock slightly ahead of ours must not be refused.
ISSUED_AT_SKEW = timedelta(seconds=60)

# js-sdk constants.ts LIT_RESOURCE_PREFIX / LIT_ABILITY and resources.ts isValidLitAbility.
ABILITIES_BY_PREFIX: Mapping[str, frozenset[str]] = {
    "lit-accesscontrolcondition": frozenset({"access-control-condition-decryption", "access-control-condition-signing"}),
    "lit-pkp": frozenset({"pkp-signing"}),
    "lit-ratelimitincrease": frozenset({"rate-limit-increase-auth"}),
    "lit-litaction": frozenset({"lit-action-execution"}),
}

# js-sdk auth-helpers recap/utils.ts getRecapNamespaceAndAbility: the ReCap ability a Lit ability needs.
RECAP_ABILITY: Mapping[str, str] = {
    "access-control-condition-decryption": "Threshold/Decryption",
    "access-control-condition-signing": "Threshold/Signing",
    "pkp-signing": "Threshold/Signing",
    "rate-limit-increase-auth": "Auth/Auth",
    "lit-action-execution": "Threshold/Execution",
}

_SESSION_FIELDS = ("sig", "derivedVia", "signedMessage", "address", "algo")
_HEX = re.compile(r"^[0-9a-fA-F]*$")
# RFC 3339 as Lit's node parses it (chrono parse_from_rfc3339): a date, a time and an offset.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class SessionSigError(Exception):
    """A session signature was not accepted; `field` is the part that failed."""

    kind = "not_permitted"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class SessionSigMalformed(SessionSigError):
    kind = "bad_request"


class SessionSigRefused(SessionSigError):
    kind = "not_permitted"


def iso_time(moment: datetime) -> str:
    """UTC with milliseconds and `Z`, as JavaScript's `Date.prototype.toISOString` writes it."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time {moment!r} is naive; give it a timezone")
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: Any, field: str) -> datetime:
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise SessionSigMalformed(field, f"{value!r} is not an RFC 3339 time with an offset")
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError as exc:
        raise SessionSigMalformed(field, f"{value!r} is not a valid time ({exc})") from None
    return parsed.astimezone(timezone.utc)


def _as_datetime(now: datetime | float) -> datetime:
    if isinstance(now, datetime):
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"now {now!r} is naive; give it a timezone")
        return now.astimezone(timezone.utc)
    return datetime.fromtimestamp(float(now), timezone.utc)


@dataclass(frozen=True)
class SessionKey:
    """An ed25519 key pair, Lit's `nacl.sign.keyPair()`: public key and nacl secret key as lowercase hex."""

    seed: bytes

    def __post_init__(self) -> None:
        if len(self.seed) != 32:
            raise ValueError(f"session key seed must be 32 bytes, not {len(self.seed)}")

    def __repr__(self) -> str:
        return f"SessionKey(public_hex={self.public_hex!r})"

    @classmethod
    def generate(cls, randbytes: Callable[[int], bytes]) -> SessionKey:
        return cls(bytes(randbytes(32)))

    @classmethod
    def from_secret_hex(cls, secret_hex: str) -> SessionKey:
        """From the SDK's stored `secretKey` (64 bytes, seed then public key) or a bare 32-byte seed."""
        raw = bytes.fromhex(secret_hex.removeprefix("0x"))
        if len(raw) == 64:
            key = cls(raw[:32])
            if key.public_key != raw[32:]:
                raise ValueError("secret key: its second half is not the public key of its seed")
            return key
        return cls(raw)

    @property
    def public_key(self) -> bytes:
        return self._private().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_hex(self) -> str:
        return self.public_key.hex()

    @property
    def secret_hex(self) -> str:
        return (self.seed + self.public_key).hex()

    @property
    def uri(self) -> str:
        return SESSION_URI_PREFIX + self.public_hex

    def sign(self, message: bytes) -> bytes:
        return self._private().sign(message)

    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)


@dataclass(frozen=True)
class ResourceAbilityRequest:
    """One of Lit's `resourceAbilityRequests`: `{resource: {resource, resourcePrefix}, ability}`."""

    resource_prefix: str  # e.g. "lit-pkp"
    resource: str  # an id or "*"
    ability: str  # e.g. "pkp-signing"

    def __post_init__(self) -> None:
        allowed = ABILITIES_BY_PREFIX.get(self.resource_prefix)
        if allowed is None:
            raise ValueError(f"resource prefix {self.resource_prefix!r} is not one of {sorted(ABILITIES_BY_PREFIX)}")
        if self.ability not in allowed:
            raise ValueError(f"ability {self.ability!r} does not apply to {self.resource_prefix}:// (use {sorted(allowed)})")
        if not self.resource:
            raise ValueError("resource id is empty (use '*' for any)")

    @classmethod
    def parse(cls, resource_uri: str, ability: str) -> ResourceAbilityRequest:
        """From `"lit-pkp://<id or *>"` and an ability, Lit's (`pkp-signing`) or the ReCap's (`Threshold/Signing`)."""
        prefix, sep, resource = resource_uri.partition("://")
        if not sep:
            raise ValueError(f"resource {resource_uri!r} is not '<prefix>://<id or *>'")
        if "/" in ability:
            # Threshold/Signing names two Lit abilities; the resource prefix tells which.
            matches = [a for a in ABILITIES_BY_PREFIX.get(prefix, ()) if RECAP_ABILITY[a] == ability]
            if len(matches) != 1:
                raise ValueError(f"ReCap ability {ability!r} does not apply to {prefix}://")
            ability = matches[0]
        return cls(prefix, resource, ability)

    @classmethod
    def from_json(cls, value: Any, field: str = "resourceAbilityRequest") -> ResourceAbilityRequest:
        resource = value.get("resource") if isinstance(value, dict) else None
        if not isinstance(resource, dict):
            raise SessionSigMalformed(field, "is not {resource: {resource, resourcePrefix}, ability}")
        prefix, name, ability = resource.get("resourcePrefix"), resource.get("resource"), value.get("ability")
        if not (isinstance(prefix, str) and isinstance(name, str) and isinstance(ability, str)):
            raise SessionSigMalformed(field, "resource.resourcePrefix, resource.resource and ability must be strings")
        try:
            return cls(prefix, name, ability)
        except ValueError as exc:
            raise SessionSigMalformed(field, str(exc)) from None

    @property
    def key(self) -> str:
        return f"{self.resource_prefix}://{self.resource}"

    @property
    def recap_ability(self) -> str:
        return RECAP_ABILITY[self.ability]

    def covers(self, other: ResourceAbilityRequest) -> bool:
        """Lit's rule (session_sigs.rs L278-321): same prefix, and `*` or the same id; here also the same ability."""
        return (
            self.resource_prefix == other.resource_prefix
            and self.ability == other.ability
            and self.resource in ("*", other.resource)
        )

    def to_json(self) -> dict[str, Any]:
        # Key order is JSON.stringify's order for js-sdk's LitResource objects: `resource` then `resourcePrefix`.
        return {"resource": {"resource": self.resource, "resourcePrefix": self.resource_prefix}, "ability": self.ability}


@dataclass(frozen=True)
class SessionAuth:
    """What a node learned from a valid session signature."""

    address: str  # the wallet that delegated, as the capability verifier reported it
    session_key: str  # lowercase hex ed25519 public key
    capability: Any  # what verify_capability returned for the capability that granted the session
    capability_index: int
    resource_ability_requests: tuple[ResourceAbilityRequest, ...]
    issued_at: datetime
    expiration: datetime
    node_address: str  # as signed

    def allows(self, ability: str, resource_uri: str) -> bool:
        """Whether this session may do `ability` (Lit's or the ReCap's name) on `resource_uri`
        (e.g. "lit-pkp://<id>"): both the session's own requests and the wallet's ReCap must grant it."""
        try:
            wanted = ResourceAbilityRequest.parse(resource_uri, ability)
        except ValueError:
            return False
        if not any(r.covers(wanted) for r in self.resource_ability_requests):
            return False
        allows = getattr(self.capability, "allows", None)
        return bool(callable(allows) and allows(wanted.recap_ability, wanted.key))


def siwe_uri(signed_message: str) -> str:
    """The `URI:` line of a SIWE (EIP-4361) message; exactly one must be present."""
    uris = [line[len("URI: "):] for line in signed_message.split("\n") if line.startswith("URI: ")]
    if len(uris) != 1:
        raise ValueError(f"has {len(uris)} 'URI:' lines; a SIWE message has exactly one")
    return uris[0].rstrip("\r")


def node_endpoint(address: str) -> str:
    """`host:port` of a node address, URL or bare: Lit's node strips `http(s)://` and reads `localhost` as
    `127.0.0.1` (session_sigs.rs prepare_domain_name); a URL without a port gets its scheme's."""
    text = address.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"node address {address!r}: {exc}") from None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"node address {address!r} is not an http(s) URL or host:port")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username is not None:
        raise ValueError(f"node address {address!r} has more than a scheme, host and port")
    host = parts.hostname.lower()
    host = "127.0.0.1" if host == "localhost" else host
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port if port is not None else _DEFAULT_PORTS[parts.scheme.lower()]}"


def make_session_sigs(
    session_key: SessionKey,
    capability_auth_sigs: Sequence[Mapping[str, Any]],
    resource_ability_requests: Sequence[ResourceAbilityRequest],
    node_addresses: Iterable[str],
    issued_at: datetime,
    expiration: datetime,
) -> dict[str, dict[str, str]]:
    """Lit's `sessionSigs` map: for each node address, the session key's signature over that node's message.

    `capability_auth_sigs` go into `capabilities` in the order given (Lit puts the wallet's authSig last).
    """
    if not capability_auth_sigs:
        raise ValueError("capability_auth_sigs is empty: a session needs the wallet's authSig")
    if not resource_ability_requests:
        raise ValueError("resource_ability_requests is empty: the session would grant nothing")
    issued_text, expiration_text = iso_time(issued_at), iso_time(expiration)
    if expiration <= issued_at:
        raise ValueError(f"expiration {expiration_text} is not after issued_at {issued_text}")
    template = {
        "sessionKey": session_key.public_hex,
        "resourceAbilityRequests": [r.to_json() for r in resource_ability_requests],
        "capabilities": [dict(a) for a in capability_auth_sigs],
        "issuedAt": issued_text,
        "expiration": expiration_text,
    }
    sigs: dict[str, dict[str, str]] = {}
    for node_address in node_addresses:
        # JSON.stringify's compact form; the node verifies these exact bytes, so any serialisation is fine
        # for litrt, but matching the SDK's keeps the messages comparable byte for byte.
        signed_message = json.dumps({**template, "nodeAddress": node_address}, separators=(",", ":"), ensure_ascii=False)
        sigs[node_address] = {
            "sig": session_key.sign(signed_message.encode("utf-8")).hex(),
            "derivedVia": SESSION_DERIVED_VIA,
            "signedMessage": signed_message,
            "address": session_key.public_hex,
            "algo": SESSION_ALGO,
        }
    return sigs


def _check_signature(session_sig: Mapping[str, Any]) -> None:
    address, sig = session_sig["address"], session_sig["sig"]
    if len(address) != 64 or not _HEX.match(address):
        raise SessionSigMalformed("sessionSig.address", "is not a 32-byte ed25519 public key in hex")
    if len(sig) != 128 or not _HEX.match(sig):
        raise SessionSigMalformed("sessionSig.sig", "is not a 64-byte ed25519 signature in hex")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(address)).verify(
            bytes.fromhex(sig), session_sig["signedMessage"].encode("utf-8")
        )
    except (InvalidSignature, ValueError):
        raise SessionSigRefused("sessionSig.sig", "is not the session key's ed25519 signature of signedMessage") from None


def _check_times(message: Mapping[str, Any], now: datetime, max_lifetime: timedelta) -> tuple[datetime, datetime]:
    issued_at = _parse_time(message.get("issuedAt"), "signedMessage.issuedAt")
    expiration = _parse_time(message.get("expiration"), "signedMessage.expiration")
    if issued_at > now + ISSUED_AT_SKEW:
        raise SessionSigRefused("signedMessage.issuedAt", f"{message['issuedAt']} is in the future (now {iso_time(now)})")
    if expiration < issued_at:
        raise SessionSigRefused("signedMessage.expiration", f"{message['expiration']} is before issuedAt {message['issuedAt']}")
    if expiration <= now:
        raise SessionSigRefused("signedMessage.expiration", f"expired at {message['expiration']} (now {iso_time(now)})")
    if expiration - issued_at > max_lifetime:
        raise SessionSigRefused(
            "signedMessage.expiration",
            f"lifetime {expiration - issued_at} from issuedAt is longer than the {max_lifetime} allowed",
        )
    return issued_at, expiration


def _try_capability(
    index: int,
    capability: Any,
    session_key: str,
    needed: Sequence[ResourceAbilityRequest],
    now: datetime | float,
    verify_capability: Callable[[dict[str, Any], Any], Any],
) -> Any:
    """The verifier's result if capability `index` delegates to `session_key` everything `needed`; else raises."""
    field = f"signedMessage.capabilities[{index}]"
    if not isinstance(capability, dict) or not isinstance(capability.get("signedMessage"), str):
        raise SessionSigMalformed(field, "is not an authSig with a signedMessage")
    try:
        uri = siwe_uri(capability["signedMessage"])
    except ValueError as exc:
        raise SessionSigMalformed(f"{field}.signedMessage", str(exc)) from None
    # Lit compares with the sig's `address` exactly as sent (siwe.rs L207-216), so case matters here too.
    if uri != SESSION_URI_PREFIX + session_key:
        raise SessionSigRefused(f"{field}.signedMessage URI", f"is {uri!r}, not {SESSION_URI_PREFIX + session_key!r}")
    try:
        verified = verify_capability(capability, now)
    except Exception as exc:  # the node's verifier: any refusal of it makes this capability unusable
        raise SessionSigRefused(field, f"authSig refused: {exc}") from exc
    if not isinstance(getattr(verified, "address", None), str):
        raise SessionSigRefused(field, "the authSig verifier returned no address")
    allows = getattr(verified, "allows", None)
    if not callable(allows):
        raise SessionSigRefused(
            field, "the authSig verifier's result has no allows(ability, resource); ReCap cannot be checked"
        )
    for request in needed:
        if not allows(request.recap_ability, request.key):
            raise SessionSigRefused(
                f"{field}.signedMessage Resources",
                f"ReCap does not grant {request.recap_ability} ({request.ability}) on {request.key}",
            )
    return verified


def verify_session_sig(
    session_sig: Any,
    node_address: str,
    now: datetime | float,
    verify_capability: Callable[[dict[str, Any], Any], Any],
    *,
    requested: ResourceAbilityRequest | None = None,
    max_lifetime: timedelta = DEFAULT_MAX_LIFETIME,
) -> SessionAuth:
    """Check a session signature sent to the node at `node_address` (its URL or host:port) at time `now`.

    `verify_capability(auth_sig, now)` checks a wallet authSig (signature, SIWE rules) and returns an object
    with `.address` and `.allows(recap_ability, resource_uri)` (e.g. "Threshold/Signing", "lit-pkp://*"),
    or raises; it is given `now` exactly as passed here (node/auth.py takes Unix seconds).
    `requested`, when the handler knows it, must be among the session's resourceAbilityRequests. Every
    resourceAbilityRequest must be granted by the capability's ReCap, so the session claims nothing more.
    The first capability that passes is used; capacity-delegation authSigs fail the URI check and are skipped.
    """
    moment = _as_datetime(now)
    if not isinstance(session_sig, dict):
        raise SessionSigMalformed("sessionSig", f"must be an object with {', '.join(_SESSION_FIELDS)}")
    for name in _SESSION_FIELDS:
        if not isinstance(session_sig.get(name), str) or not session_sig[name]:
            raise SessionSigMalformed(f"sessionSig.{name}", "is missing or not a string")
    if session_sig["derivedVia"] != SESSION_DERIVED_VIA:
        raise SessionSigRefused("sessionSig.derivedVia", f"is {session_sig['derivedVia']!r}, not {SESSION_DERIVED_VIA!r}")
    if session_sig["algo"] != SESSION_ALGO:
        raise SessionSigRefused("sessionSig.algo", f"is {session_sig['algo']!r}, not {SESSION_ALGO!r}")
    _check_signature(session_sig)
    session_key = session_sig["address"]

    try:
        message = json.loads(session_sig["signedMessage"])
    except ValueError:
        raise SessionSigMalformed("sessionSig.signedMessage", "is not JSON") from None
    if not isinstance(message, dict):
        raise SessionSigMalformed("sessionSig.signedMessage", "is not a JSON object")
    for name, kind in (("sessionKey", str), ("nodeAddress", str), ("resourceAbilityRequests", list), ("capabilities", list)):
        if not isinstance(message.get(name), kind):
            raise SessionSigMalformed(f"signedMessage.{name}", f"is missing or not a {'string' if kind is str else 'list'}")
    if message["sessionKey"] != session_key:
        raise SessionSigRefused("signedMessage.sessionKey", "is not sessionSig.address, the key that signed it")

    try:
        ours, theirs = node_endpoint(node_address), node_endpoint(message["nodeAddress"])
    except ValueError as exc:
        raise SessionSigMalformed("signedMessage.nodeAddress", str(exc)) from None
    if theirs != ours:
        raise SessionSigRefused(
            "signedMessage.nodeAddress", f"is {message['nodeAddress']!r}: signed for another node, not {ours}"
        )

    issued_at, expiration = _check_times(message, moment, max_lifetime)

    requests = tuple(
        ResourceAbilityRequest.from_json(r, f"signedMessage.resourceAbilityRequests[{i}]")
        for i, r in enumerate(message["resourceAbilityRequests"])
    )
    if not requests:
        raise SessionSigRefused("signedMessage.resourceAbilityRequests", "is empty: the session grants nothing")
    if requested is not None and not any(r.covers(requested) for r in requests):
        raise SessionSigRefused(
            "signedMessage.resourceAbilityRequests", f"does not include {requested.ability} on {requested.key}"
        )

    if not message["capabilities"]:
        raise SessionSigRefused("signedMessage.capabilities", "is empty: no wallet delegated to this session key")
    failures: list[str] = []
    for index, capability in enumerate(message["capabilities"]):
        try:
            verified = _try_capability(index, capability, session_key, requests, now, verify_capability)
        except SessionSigError as exc:
            failures.append(str(exc))
            continue
        return SessionAuth(
            address=verified.address,
            session_key=session_key.lower(),
            capability=verified,
            capability_index=index,
            resource_ability_requests=requests,
            issued_at=issued_at,
            expiration=expiration,
            node_address=message["nodeAddress"],
        )
    raise SessionSigRefused("signedMessage.capabilities", "no capability grants this session: " + "; ".join(failures))
