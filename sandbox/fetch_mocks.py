"""Fetch mocks: chosen hosts answered from a JSON file, or by a local server, instead of the internet.

A development aid, active only where the user configures it (`litrt run|dev|up --mock-fetch
HOST=FILE.json|URL`, a node config's `fetch_mocks`), so actions that call hard-coded hosts such as
api.coingecko.com can be developed and tested offline.

HOST is `name[:port][/path-prefix]`. It matches a URL whose host is `name` (any scheme; any port
unless one is given) and whose path is the prefix or lies below it (`/v1` matches `/v1` and `/v1/x`,
not `/v10`). When several match, the longest path prefix wins, then the one naming a port.

FILE.json holds one of:
  * any JSON value: the body, served with status 200 and content-type application/json;
  * a response, marked by an integer "status":
    {"status": 404, "statusText"?: "...", "headers"?: {...}, "body"?: <JSON> | "bodyText"?: "..." | "bodyBase64"?: "..."};
  * routes: {"routes": {"GET /api/v3/ping": <body or response>, "/api/v3/*": ..., "*": ...}}: the
    key is an optional method and a path of the URL (query ignored); a trailing * makes it a prefix.
    A method-specific route beats one without; an exact path beats a prefix, a longer prefix a shorter.
    A request no route matches gets a 404 saying so.
The file is read again for every request, so edits show up at the next run without a restart.

A URL value (http://127.0.0.1:8080 or http://localhost:8080/base) forwards the request there: the
URL's path is prefixed to the request's path, the query is kept, X-Forwarded-Host names the original
host. Only loopback targets are accepted: a mock is a way to stay on this machine, not a way out of it.

Mocked answers carry an `x-litrt-mock` header naming the rule, and each is logged ("mocked: GET
https://... -> prices.json (200)") on this module's logger and through `report`, if given. Inside
`recording()` each is also kept as {method, url, mock, status}: a node wraps every execution in one,
so that its answer lists the mocked requests that execution made, and only those.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from yarl import URL

from sandbox.errors import HostError

__all__ = ["FetchMocks", "MockRule", "FetchReply", "MockSpecError", "MOCK_HEADER", "recording", "mocked_line"]

log = logging.getLogger(__name__)

MOCK_HEADER = "x-litrt-mock"
# The list recording() keeps; asyncio tasks copy the context they are started in, so the host calls
# of one execution (and of its child actions) append to that execution's list and no other.
_RECORDED: ContextVar[list[dict[str, Any]] | None] = ContextVar("litrt_mocked_fetches", default=None)
_RESPONSE_KEYS = frozenset({"status", "statusText", "headers", "body", "bodyText", "bodyBase64"})
_BODY_KEYS = ("body", "bodyText", "bodyBase64")


class MockSpecError(ValueError):
    """A mock that cannot be used; the message names the flag or config key and what was wrong."""


@dataclass(frozen=True)
class FetchReply:
    """One HTTP answer as fetch() hands it to the action, from the network or from a mock."""

    status: int
    status_text: str
    headers: list[tuple[str, str]]
    body: bytes


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""  # a code HTTP does not name, e.g. 599


def _reply_from(doc: Any, where: str) -> FetchReply:
    """A response document (see the module docstring) as a reply; ValueError naming what is wrong."""
    if not (isinstance(doc, dict) and "status" in doc and set(doc) <= _RESPONSE_KEYS):
        body = json.dumps(doc).encode()
        return FetchReply(200, "OK", [("content-type", "application/json")], body)
    status = doc["status"]
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise ValueError(f"{where}: \"status\" must be an integer from 100 to 599, not {status!r}")
    headers = doc.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ValueError(f"{where}: \"headers\" must map header names to strings")
    bodies = [key for key in _BODY_KEYS if key in doc]
    if len(bodies) > 1:
        raise ValueError(f"{where}: give only one of {', '.join(bodies)}")
    kind = bodies[0] if bodies else "bodyText"
    default_type = "application/json" if kind == "body" else "text/plain; charset=utf-8"
    if kind == "body":
        body = json.dumps(doc["body"]).encode()
    elif kind == "bodyBase64":
        try:
            body = base64.b64decode(str(doc["bodyBase64"]), validate=True)
        except binascii.Error:
            raise ValueError(f"{where}: \"bodyBase64\" is not valid base64") from None
        default_type = "application/octet-stream"
    else:
        text = doc.get("bodyText", "")
        if not isinstance(text, str):
            raise ValueError(f"{where}: \"bodyText\" must be a string")
        body = text.encode()
    pairs = [(str(k), v) for k, v in headers.items()]
    if not any(k.lower() == "content-type" for k, _ in pairs) and (body or kind != "bodyText"):
        pairs.append(("content-type", default_type))
    status_text = doc.get("statusText", _phrase(status))
    if not isinstance(status_text, str):
        raise ValueError(f"{where}: \"statusText\" must be a string")
    return FetchReply(status, status_text, pairs, body)


@dataclass(frozen=True)
class _Route:
    method: str | None
    path: str
    prefix: bool
    reply: FetchReply

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return path.startswith(self.path) if self.prefix else path == self.path

    def rank(self) -> tuple[bool, bool, int]:
        return (self.method is not None, not self.prefix, len(self.path))


def _routes_from(table: Any, where: str) -> list[_Route]:
    if not isinstance(table, dict) or not table:
        raise ValueError(f"{where}: \"routes\" must be a non-empty object of \"[METHOD] /path\" keys")
    routes = []
    for key, doc in table.items():
        words = key.split()
        if len(words) == 1:
            method, path = None, words[0]
        elif len(words) == 2 and words[0].isalpha():
            method, path = words[0].upper(), words[1]
        else:
            raise ValueError(f"{where}: route {key!r} is not \"[METHOD] /path\"")
        if path != "*" and not path.startswith("/"):
            raise ValueError(f"{where}: route {key!r}: the path must start with / (or be *)")
        prefix = path.endswith("*")
        routes.append(_Route(method, path.rstrip("*"), prefix, _reply_from(doc, f"{where}, route {key!r}")))
    return sorted(routes, key=_Route.rank, reverse=True)


def _answer(doc: Any, method: str, url: URL, where: str) -> FetchReply:
    """The reply a mock document gives to one request (a route's, or the document's own)."""
    if not (isinstance(doc, dict) and set(doc) == {"routes"}):
        return _reply_from(doc, where)
    for route in _routes_from(doc["routes"], where):
        if route.matches(method, url.path):
            return route.reply
    text = f"litrt fetch mock: no route in {where} for {method} {url.path}"
    return FetchReply(404, "Not Found", [("content-type", "text/plain; charset=utf-8")], text.encode())


def _read_json(path: Path) -> Any:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"no such file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None


def _loopback_target(text: str) -> URL:
    url = URL(text)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"{text!r} is not an http(s) URL with a host")
    if url.query_string or url.fragment:
        raise ValueError(f"{text!r}: a forward URL takes no query or fragment (the request's query is kept)")
    host = url.host.strip("[]")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host.lower() == "localhost"
    if not loopback:
        raise ValueError(f"{text!r}: a mock forwards only to this machine (127.0.0.1, ::1 or localhost)")
    return url


@dataclass(frozen=True)
class MockRule:
    """One HOST=FILE|URL mock: where it applies and what answers."""

    pattern: str  # as the user wrote HOST, e.g. "api.example.com/v1"
    host: str
    port: int | None
    path: str  # "" or a prefix such as "/v1"
    file: Path | None = None
    inline: Any = None  # a response document given in a node config instead of a file
    forward: URL | None = None

    @classmethod
    def parse(cls, pattern: str, source: Any) -> MockRule:
        """ValueError naming what is wrong with HOST or the FILE|URL|inline document."""
        host, port, path = _parse_pattern(pattern)
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            return cls(pattern, host, port, path, forward=_loopback_target(source))
        if isinstance(source, str):
            if not source:
                raise ValueError("the file name is empty")
            file = Path(source).expanduser().resolve()
            rule = cls(pattern, host, port, path, file=file)
        else:
            rule = cls(pattern, host, port, path, inline=source)
        rule.document()  # fail now, not at the action's first fetch
        return rule

    @property
    def source(self) -> Any:
        """FILE|URL as a node config holds it (absolute path, URL, or the inline document)."""
        if self.forward is not None:
            return str(self.forward)
        return str(self.file) if self.file is not None else self.inline

    @property
    def where(self) -> str:
        return self.file.name if self.file is not None else "the inline mock"

    @property
    def label(self) -> str:
        return "forwarded to " + str(self.forward) if self.forward is not None else self.where

    def matches(self, url: URL) -> bool:
        if (url.host or "").rstrip(".").lower() != self.host:
            return False
        if self.port is not None and url.port != self.port:
            return False
        return not self.path or url.path == self.path or url.path.startswith(self.path + "/")

    def rank(self) -> tuple[int, bool]:
        return (len(self.path), self.port is not None)

    def document(self) -> Any:
        """The response document, validated; ValueError naming the file and the problem."""
        doc = self._load()
        if isinstance(doc, dict) and set(doc) == {"routes"}:
            _routes_from(doc["routes"], self.where)
        else:
            _reply_from(doc, self.where)
        return doc

    def _load(self) -> Any:
        return _read_json(self.file) if self.file is not None else self.inline

    def forward_url(self, url: URL) -> URL:
        """Where a request to `url` goes: the target's path, then the request's path and query."""
        assert self.forward is not None
        query = "?" + url.raw_query_string if url.raw_query_string else ""
        base = str(self.forward.origin()) + self.forward.raw_path.rstrip("/")
        return URL(base + url.raw_path + query, encoded=True)  # as the action encoded it

    def reply(self, method: str, url: URL) -> FetchReply:
        """The file's (or inline document's) answer; HostError if the file went bad since start-up."""
        try:
            reply = _answer(self._load(), method, url, self.where)  # validates as it goes
        except ValueError as exc:
            raise HostError(f"fetch: the mock for {self.pattern} is unusable: {exc}") from None
        return FetchReply(reply.status, reply.status_text, [*reply.headers, (MOCK_HEADER, self.pattern)], reply.body)


def _parse_pattern(pattern: str) -> tuple[str, int | None, str]:
    if "://" in pattern:
        raise ValueError(f"HOST {pattern!r} is a URL: give the host alone, e.g. {URL(pattern).host or 'api.example.com'}")
    hostport, slash, rest = pattern.partition("/")
    path = ("/" + rest).rstrip("/") if slash else ""
    try:
        url = URL(f"http://{hostport}")
        host, port = url.host, url.explicit_port
    except ValueError:
        host, port = None, None
    if not host or url.user or url.password or any(c in hostport for c in "?#@ "):
        raise ValueError(f"HOST {pattern!r} is not host[:port][/path]")
    if "?" in path or "#" in path:
        raise ValueError(f"HOST {pattern!r}: the path prefix takes no query or fragment")
    return host.rstrip(".").lower(), port, path


@dataclass(frozen=True)
class FetchMocks:
    """The configured mocks; `report` also hears each "mocked: ..." line (the CLI prints them)."""

    rules: tuple[MockRule, ...]
    report: Callable[[str], None] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_flags(
        cls, specs: Iterable[str], flag: str = "--mock-fetch", report: Callable[[str], None] | None = None
    ) -> FetchMocks:
        """`HOST=FILE.json|URL` strings; MockSpecError naming the flag, the spec and what was wrong."""
        table: dict[str, str] = {}
        for spec in specs:
            host, eq, source = spec.partition("=")
            if not eq:
                raise MockSpecError(f"{flag} {spec}: expected HOST=FILE.json or HOST=URL (no '=')")
            if not host.strip():
                raise MockSpecError(f"{flag} {spec}: HOST before '=' is empty")
            if host.strip() in table:
                raise MockSpecError(f"{flag} {spec}: {host.strip()} is mocked twice")
            table[host.strip()] = source.strip()
        return cls.from_config(table, flag, report)

    @classmethod
    def from_config(
        cls, table: Mapping[str, Any], what: str = "fetch_mocks", report: Callable[[str], None] | None = None
    ) -> FetchMocks:
        """{HOST: FILE|URL|document}, as `to_config` writes it; MockSpecError naming `what` and HOST."""
        if not isinstance(table, Mapping):
            raise MockSpecError(f"{what} must be an object of HOST: FILE|URL")
        rules: list[MockRule] = []
        for pattern, source in table.items():
            try:
                rule = MockRule.parse(str(pattern), source)
            except ValueError as exc:
                shown = f"{pattern}={source}" if isinstance(source, str) else str(pattern)
                raise MockSpecError(f"{what} {shown}: {exc}") from None
            if any((r.host, r.port, r.path) == (rule.host, rule.port, rule.path) for r in rules):
                raise MockSpecError(f"{what} {pattern}: the same host and path is mocked twice")
            rules.append(rule)
        return cls(tuple(sorted(rules, key=MockRule.rank, reverse=True)), report)

    def to_config(self) -> dict[str, Any]:
        return {rule.pattern: rule.source for rule in self.rules}

    def find(self, url: URL) -> MockRule | None:
        return next((rule for rule in self.rules if rule.matches(url)), None)

    def note(self, method: str, url: URL, rule: MockRule, status: int) -> None:
        record: dict[str, Any] = {"method": method, "url": str(url), "mock": rule.label, "status": status}
        line = mocked_line(record)
        log.info("%s", line)
        if self.report is not None:
            self.report(line)
        recorded = _RECORDED.get()
        if recorded is not None:
            recorded.append(record)


def mocked_line(record: Mapping[str, Any]) -> str:
    """How a mocked request is shown: "mocked: GET https://... -> prices.json (200)"."""
    return f"mocked: {record['method']} {record['url']} -> {record['mock']} ({record['status']})"


@contextmanager
def recording() -> Iterator[list[dict[str, Any]]]:
    """The mocked requests made inside the block, by this task and the tasks it starts, in order."""
    recorded: list[dict[str, Any]] = []
    token = _RECORDED.set(recorded)
    try:
        yield recorded
    finally:
        _RECORDED.reset(token)
