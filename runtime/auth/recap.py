"""ReCap (EIP-5573): the capabilities a SIWE message grants, as Lit's SDK v7 writes them.

The last `Resources:` entry is `urn:recap:<base64url of JSON {"att": {...}, "prf": [...]}>`, where
`att` maps a resource URI to `{"<namespace>/<ability>": [<restriction objects>]}`. The statement must
end with the text EIP-5573 derives from `att`, so the user was shown what they granted.

Lit's resources and abilities: `Threshold/Execution` on `lit-litaction://<CID or *>`,
`Threshold/Signing` on `lit-pkp://<token id as 64 hex digits or *>`, `Threshold/Decryption` (and
`Threshold/Signing`, for JWTs) on `lit-accesscontrolcondition://<hash or *>`. `*/*` grants every
ability on its resource.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .siwe import SiweError

__all__ = [
    "Capabilities",
    "RECAP_PREFIX",
    "EXECUTION",
    "SIGNING",
    "DECRYPTION",
    "ACTION_PREFIX",
    "PKP_PREFIX",
    "ACC_PREFIX",
    "parse_recap",
    "encode_recap",
    "recap_statement",
    "pkp_resource",
    "action_resource",
    "acc_resource",
]

RECAP_PREFIX = "urn:recap:"
EXECUTION = "Threshold/Execution"
SIGNING = "Threshold/Signing"
DECRYPTION = "Threshold/Decryption"
ACTION_PREFIX = "lit-litaction"
PKP_PREFIX = "lit-pkp"
ACC_PREFIX = "lit-accesscontrolcondition"
_ANY_ABILITY = "*/*"
_STATEMENT_OPENING = "I further authorize the stated URI to perform the following actions on my behalf: "
# EIP-5573's ability string: namespace/name, each of these characters.
_ABILITY = re.compile(r"[A-Za-z0-9.*_+\-]+/[A-Za-z0-9.*_+\-]+")
_BASE64URL = re.compile(r"[A-Za-z0-9_\-]*")


def pkp_resource(token_id: int | str) -> str:
    """Lit's key for a PKP: its token id as 64 lower-case hex digits, no 0x."""
    value = token_id if isinstance(token_id, int) else int(token_id, 0)
    return f"{PKP_PREFIX}://{value:064x}"


def action_resource(cid: str) -> str:
    return f"{ACTION_PREFIX}://{cid}"


def acc_resource(key: str) -> str:
    return f"{ACC_PREFIX}://{key}"


def _wildcard(resource: str) -> str | None:
    scheme, sep, _ = resource.partition("://")
    return f"{scheme}://*" if sep else None


@dataclass(frozen=True)
class Capabilities:
    """What a ReCap grants: resource URI -> the abilities (`namespace/name`) granted on it."""

    grants: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def allows(self, ability: str, resource: str) -> bool:
        """As Lit's nodes decide: the exact resource or its `<prefix>://*`, the ability or `*/*`."""
        for key in (resource, _wildcard(resource)):
            if key is not None and key in self.grants:
                granted = self.grants[key]
                if ability in granted or _ANY_ABILITY in granted:
                    return True
        return False

    def describe(self) -> str:
        if not self.grants:
            return "nothing"
        return "; ".join(f"{', '.join(sorted(a))} on {r}" for r, a in sorted(self.grants.items()))


def recap_statement(att: Mapping[str, Mapping[str, Any]]) -> str:
    """The statement text EIP-5573 derives from `att` (resources and abilities in sorted order)."""
    parts: list[str] = []
    for resource in sorted(att):
        by_namespace: dict[str, list[str]] = {}
        for ability in sorted(att[resource]):
            namespace, _, name = ability.partition("/")
            by_namespace.setdefault(namespace, []).append(name)
        for namespace, names in by_namespace.items():
            listed = ", ".join(f"'{n}'" for n in names)
            parts.append(f"({len(parts) + 1}) '{namespace}': {listed} for '{resource}'.")
    return _STATEMENT_OPENING + " ".join(parts)


def encode_recap(grants: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """(the `urn:recap:` resource, its statement) granting each (ability, resource) pair."""
    att: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for ability, resource in grants:
        if not _ABILITY.fullmatch(ability):
            raise ValueError(f"ability {ability!r} is not namespace/name")
        if _wildcard(resource) is None:
            raise ValueError(f"resource {resource!r} is not a <prefix>://<id> URI")
        att.setdefault(resource, {})[ability] = [{}]
    canonical = {r: dict(sorted(a.items())) for r, a in sorted(att.items())}
    # Sorted keys and no spaces, as siwe-recap's canonical JSON, so other parsers accept it too.
    body = json.dumps({"att": canonical, "prf": []}, separators=(",", ":"), sort_keys=True)
    encoded = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
    return RECAP_PREFIX + encoded, recap_statement(canonical)


def _decode(urn: str) -> dict[str, Any]:
    payload = urn[len(RECAP_PREFIX):]
    if not _BASE64URL.fullmatch(payload) or len(payload) % 4 == 1:
        raise SiweError("Resources", "the urn:recap: payload is not unpadded base64url")
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise SiweError("Resources", "the urn:recap: payload is not base64url JSON") from None
    if not isinstance(data, dict) or set(data) != {"att", "prf"}:
        raise SiweError("Resources", "the ReCap must be a JSON object with exactly att and prf")
    return data


def parse_recap(resources: Sequence[str], statement: str | None) -> Capabilities:
    """The capabilities the last resource grants; SiweError naming Resources or statement if malformed.

    A message whose last resource is not a ReCap grants nothing (an empty Capabilities)."""
    if not resources or not resources[-1].startswith(RECAP_PREFIX):
        return Capabilities()
    data = _decode(resources[-1])
    att, prf = data["att"], data["prf"]
    if not isinstance(att, dict) or not isinstance(prf, list) or not all(isinstance(p, str) for p in prf):
        raise SiweError("Resources", "ReCap att must be an object and prf a list of strings")
    grants: dict[str, frozenset[str]] = {}
    for resource, abilities in att.items():
        if _wildcard(resource) is None:
            raise SiweError("Resources", f"ReCap resource {resource[:80]!r} is not a <prefix>://<id> URI")
        if not isinstance(abilities, dict):
            raise SiweError("Resources", f"ReCap abilities of {resource[:80]!r} must be an object")
        for ability, restrictions in abilities.items():
            if not _ABILITY.fullmatch(ability):
                raise SiweError("Resources", f"ReCap ability {ability[:40]!r} is not namespace/name")
            if not isinstance(restrictions, list) or not all(isinstance(r, dict) for r in restrictions):
                raise SiweError("Resources", f"ReCap {ability} on {resource[:80]!r} must list restriction objects")
        grants[resource] = frozenset(abilities)
    expected = recap_statement(att)
    if statement is None or not statement.endswith(expected):
        # Without it the wallet showed the user a message that did not say what it grants.
        raise SiweError("statement", f"must end with the ReCap text EIP-5573 requires: {expected!r}")
    return Capabilities(grants)
