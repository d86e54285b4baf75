"""Sign-In with Ethereum (EIP-4361): a strict parser and the checks a node makes before it trusts one.

A SIWE message is only a credential for *this* network if it says so: the domain is one the network
serves, the URI is a Lit session (or a page of that domain), the chain is the network's, and the
validity window is short. Anything else is refused with `SiweError`, which names the field.

Why not PyPI `siwe` (4.4.0): it pins eth-account < 0.14 and web3 < 8 (we run 0.14 and 8), reads a
zone-less time as a naive datetime (and then fails comparing it), has no chain-id or lifetime check,
and its errors do not name the field. The grammar is small enough to check exactly here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from runtime.crypto.eth import is_checksum_address

__all__ = [
    "SiweError",
    "SiweMessage",
    "SiwePolicy",
    "parse_siwe",
    "parse_time",
    "format_time",
    "DEFAULT_LIFETIME",
    "MAX_LIFETIME",
    "LIT_SESSION_URI_PREFIX",
]

DEFAULT_LIFETIME = timedelta(hours=24)  # what Lit's SDK asks for when the caller names none
MAX_LIFETIME = timedelta(days=7)  # Lit's MAX_TIMESTAMP_VALIDITY_DAYS
CLOCK_SKEW = timedelta(seconds=60)  # Lit's nodes allow one minute either way
LIT_SESSION_URI_PREFIX = "lit:session:"

_HEADER_SUFFIX = " wants you to sign in with your Ethereum account:"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
# RFC 3986 authority without userinfo: a host (reg-name, IPv4 or [IPv6]) and an optional port.
_AUTHORITY = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=%]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_ADDRESS = re.compile(r"0x[0-9A-Fa-f]{40}")
_NONCE = re.compile(r"[A-Za-z0-9]{8,}")
_CHAIN_ID = re.compile(r"[1-9][0-9]{0,19}")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+")
_REQUEST_ID = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*")
# RFC 3339 date-time: the offset (Z or ±hh:mm) is required, so a time is never read in local time.
_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE
)
# (line label, attribute, required) in the order EIP-4361 fixes.
_FIELDS = (
    ("URI", "uri", True),
    ("Version", "version", True),
    ("Chain ID", "chain_id", True),
    ("Nonce", "nonce", True),
    ("Issued At", "issued_at", True),
    ("Expiration Time", "expiration_time", False),
    ("Not Before", "not_before", False),
    ("Request ID", "request_id", False),
)


class SiweError(ValueError):
    """A SIWE message that is malformed or not acceptable here; `field` names the EIP-4361 field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"SIWE {field}: {reason}")
        self.field = field
        self.reason = reason


def parse_time(value: str, field: str) -> datetime:
    """An RFC 3339 time with its zone; SiweError naming `field` for anything else (a naive time too)."""
    match = _TIME.fullmatch(value)
    if match is None:
        raise SiweError(field, f"{value!r} is not an RFC 3339 time with a zone (e.g. 2030-01-01T00:00:00Z)")
    day, clock, fraction, zone = match.groups()
    micro = (fraction or "").ljust(6, "0")[:6]  # Python keeps microseconds; finer digits cannot matter here
    text = f"{day}T{clock}.{micro}{'+00:00' if zone.upper() == 'Z' else zone}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise SiweError(field, f"{value!r} is not a valid date and time") from None


def format_time(moment: datetime) -> str:
    """The form Lit's SDK writes (JavaScript's toISOString): UTC, milliseconds, Z."""
    if moment.tzinfo is None:
        raise ValueError("a SIWE time needs a time zone")
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class SiweMessage:
    domain: str
    address: str  # EIP-55 checksummed
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: datetime
    expiration_time: datetime | None = None
    not_before: datetime | None = None
    statement: str | None = None
    scheme: str | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = ()

    def to_text(self) -> str:
        """The EIP-4361 text; parse_siwe(m.to_text()) == m."""
        header = f"{self.scheme}://{self.domain}" if self.scheme else self.domain
        lines = [header + _HEADER_SUFFIX, self.address, ""]
        if self.statement is not None:
            lines.append(self.statement)
        lines += ["", f"URI: {self.uri}", f"Version: {self.version}", f"Chain ID: {self.chain_id}",
                  f"Nonce: {self.nonce}", f"Issued At: {format_time(self.issued_at)}"]
        if self.expiration_time is not None:
            lines.append(f"Expiration Time: {format_time(self.expiration_time)}")
        if self.not_before is not None:
            lines.append(f"Not Before: {format_time(self.not_before)}")
        if self.request_id is not None:
            lines.append(f"Request ID: {self.request_id}")
        if self.resources:
            lines += ["Resources:", *(f"- {r}" for r in self.resources)]
        return "\n".join(lines)


def _header(line: str) -> tuple[str | None, str]:
    if not line.endswith(_HEADER_SUFFIX):
        raise SiweError("domain", f"the first line must be '<domain>{_HEADER_SUFFIX}', got {line[:80]!r}")
    origin = line[: -len(_HEADER_SUFFIX)]
    scheme, sep, domain = origin.rpartition("://")
    if sep and not _SCHEME.fullmatch(scheme):
        raise SiweError("scheme", f"{scheme!r} is not a URI scheme")
    if not _AUTHORITY.fullmatch(domain):
        raise SiweError("domain", f"{domain!r} is not an RFC 3986 authority (host[:port])")
    return (scheme if sep else None), domain


def _value(label: str, raw: str) -> object:
    """One field's value, checked against its grammar."""
    if label == "URI":
        if not _URI.fullmatch(raw):
            raise SiweError(label, f"{raw!r} is not an RFC 3986 URI")
        return raw
    if label == "Version":
        if raw != "1":
            raise SiweError(label, f"must be 1, got {raw!r}")
        return raw
    if label == "Chain ID":
        if not _CHAIN_ID.fullmatch(raw):
            raise SiweError(label, f"{raw!r} is not a chain id (decimal digits)")
        return int(raw)
    if label == "Nonce":
        if not _NONCE.fullmatch(raw):
            raise SiweError(label, f"{raw!r} is not at least 8 letters and digits")
        return raw
    if label == "Request ID":
        if not _REQUEST_ID.fullmatch(raw):
            raise SiweError(label, f"{raw!r} has characters a request id may not have")
        return raw
    return parse_time(raw, label)


def parse_siwe(text: str) -> SiweMessage:
    """The EIP-4361 message `text`, exactly per its grammar; SiweError naming the first bad field."""
    if "\r" in text:
        raise SiweError("message", "lines must end with LF only")
    lines = text.split("\n")
    scheme, domain = _header(lines[0])
    if len(lines) < 9:
        raise SiweError("message", "too short to be an EIP-4361 message")
    address = lines[1]
    if not _ADDRESS.fullmatch(address):
        raise SiweError("address", f"{address[:60]!r} is not a 0x-prefixed 20-byte hex address")
    if not is_checksum_address(address):
        raise SiweError("address", f"{address} is not in EIP-55 checksum form")
    if lines[2] != "":
        raise SiweError("statement", "the address must be followed by an empty line")
    statement: str | None = None
    at = 3
    if lines[3] != "":
        statement, at = lines[3], 4
        if lines[4] != "":
            raise SiweError("statement", "must be one line followed by an empty line")
    at += 1
    values: dict[str, object] = {}
    for label, attribute, required in _FIELDS:
        prefix = f"{label}: "
        if at < len(lines) and lines[at].startswith(prefix):
            values[attribute] = _value(label, lines[at][len(prefix):])
            at += 1
        elif required:
            found = lines[at][:40] if at < len(lines) else "the end of the message"
            raise SiweError(label, f"missing (expected '{label}: ...' at line {at + 1}, found {found!r})")
    resources: list[str] = []
    if at < len(lines) and lines[at] == "Resources:":
        at += 1
        while at < len(lines) and lines[at].startswith("- "):
            resource = lines[at][2:]
            if not _URI.fullmatch(resource):
                raise SiweError("Resources", f"{resource[:80]!r} is not a URI")
            resources.append(resource)
            at += 1
    if at != len(lines):
        raise SiweError("message", f"unexpected line {at + 1}: {lines[at][:60]!r}")
    return SiweMessage(domain=domain, address=address, statement=statement, scheme=scheme,
                       resources=tuple(resources), **values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SiwePolicy:
    """What this network accepts: its domains, its chain id, and how long a sign-in may last."""

    domains: tuple[str, ...]
    chain_id: int
    max_lifetime: timedelta = MAX_LIFETIME
    clock_skew: timedelta = CLOCK_SKEW
    uri_prefixes: tuple[str, ...] = field(default=(LIT_SESSION_URI_PREFIX,))

    def _domain_ok(self, authority: str) -> bool:
        host = urlsplit(f"//{authority}").hostname or ""
        allowed = {d.lower() for d in self.domains}
        return authority.lower() in allowed or host.lower() in allowed

    def check(self, message: SiweMessage, now: datetime) -> None:
        """SiweError naming the field unless `message` is for this network and valid at `now`."""
        if now.tzinfo is None:
            raise ValueError("now must carry a time zone")
        if not self._domain_ok(message.domain):
            raise SiweError("domain", f"{message.domain!r} is not a domain of this network ({', '.join(self.domains)})")
        if message.scheme is not None and message.scheme.lower() not in ("http", "https"):
            raise SiweError("scheme", f"{message.scheme!r} is not http or https")
        self._check_uri(message.uri)
        if message.chain_id != self.chain_id:
            raise SiweError("Chain ID", f"{message.chain_id} is not this network's chain id {self.chain_id}")
        if message.expiration_time is None:
            # EIP-4361 makes it optional; a credential without an end would be valid for ever.
            raise SiweError("Expiration Time", "missing; this network accepts only sign-ins that expire")
        if message.issued_at > now + self.clock_skew:
            raise SiweError("Issued At", f"{format_time(message.issued_at)} is in the future")
        if message.expiration_time <= message.issued_at:
            raise SiweError("Expiration Time", "is not after Issued At")
        if message.expiration_time - message.issued_at > self.max_lifetime:
            raise SiweError(
                "Expiration Time",
                f"lifetime {message.expiration_time - message.issued_at} exceeds the {self.max_lifetime} maximum",
            )
        if message.expiration_time <= now - self.clock_skew:
            raise SiweError("Expiration Time", f"expired at {format_time(message.expiration_time)}")
        if message.not_before is not None and message.not_before > now + self.clock_skew:
            raise SiweError("Not Before", f"not valid before {format_time(message.not_before)}")

    def _check_uri(self, uri: str) -> None:
        for prefix in self.uri_prefixes:
            if uri.startswith(prefix) and len(uri) > len(prefix):
                return
        parts = urlsplit(uri)
        if parts.scheme in ("http", "https") and parts.netloc and self._domain_ok(parts.netloc):
            return
        wanted = " or ".join([f"{p}<key>" for p in self.uri_prefixes] + ["an http(s) URL on a domain of this network"])
        raise SiweError("URI", f"{uri!r} is not {wanted}")
