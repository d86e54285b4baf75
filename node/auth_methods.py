"""The bodies of Lit.Actions.isPermittedAuthMethod, getPermittedAuthMethods and
getPermittedAuthMethodScopes.

Arguments arrive as the action passed them (Lit's names: tokenId, authMethodType, userId,
maxScopeId) and are checked here; a bad one is a `HostError` naming it. Results have Lit's shapes:
what lit-node's ops return after reading PKPPermissions. Chain failures are left to the caller's
boundary (NodeHost.handle turns a ChainError into a HostError without the RPC URL).
"""

from __future__ import annotations

import re
from typing import Any

from runtime.chain.pkp import AUTH_METHOD_ADDRESS, PkpRegistry
from sandbox import HostError

__all__ = [
    "DEFAULT_MAX_SCOPE_ID",
    "is_permitted_auth_method",
    "get_permitted_auth_methods",
    "get_permitted_auth_method_scopes",
]

_UINT256_MAX = 2**256 - 1
_NUMBER_TEXT = re.compile(r"0[xX][0-9a-fA-F]+|[0-9]+")
# Lit's SDK default (02_litActionsSDK.js) when the action gives no maxScopeId.
DEFAULT_MAX_SCOPE_ID = 100
# PKPRegistry keeps scopes in one uint256 bitmap; more entries than that would all be false.
_MAX_SCOPE_ID_LIMIT = 256


async def is_permitted_auth_method(registry: PkpRegistry, token_id: Any, auth_method_type: Any, user_id: Any) -> bool:
    token = _uint256(token_id, "tokenId")
    method_type = _uint256(auth_method_type, "authMethodType")
    uid = _user_id(user_id)
    if not _could_be_permitted(method_type, uid):
        return False
    return await registry.is_permitted_auth_method(token, method_type, uid)


async def get_permitted_auth_methods(registry: PkpRegistry, token_id: Any) -> list[dict[str, str]]:
    """Lit's shape: [{auth_method_type, id, user_pubkey}], each a 0x-hex string.

    lit-node serialises the contract's AuthMethod structs with serde, which writes a U256 as a
    hex quantity ("0x2") and bytes as 0x-hex ("0x" when empty); an action parses them as such.
    """
    methods = await registry.get_permitted_auth_methods(_uint256(token_id, "tokenId"))
    return [
        {
            "auth_method_type": hex(m.auth_method_type),
            "id": "0x" + m.id.hex(),
            "user_pubkey": "0x" + m.user_pubkey.hex(),
        }
        for m in methods
    ]


async def get_permitted_auth_method_scopes(
    registry: PkpRegistry, token_id: Any, auth_method_type: Any, user_id: Any, max_scope_id: Any = None
) -> list[bool]:
    """Lit's shape: maxScopeId booleans, entry s telling whether scope s is granted."""
    token = _uint256(token_id, "tokenId")
    method_type = _uint256(auth_method_type, "authMethodType")
    uid = _user_id(user_id)
    count = DEFAULT_MAX_SCOPE_ID if max_scope_id is None else _uint256(max_scope_id, "maxScopeId")
    if count > _MAX_SCOPE_ID_LIMIT:
        raise HostError(f"maxScopeId must be at most {_MAX_SCOPE_ID_LIMIT}, got {count}")
    if count == 0 or not _could_be_permitted(method_type, uid):
        return [False] * count
    # the client's method is inclusive of max_scope_id; Lit's answer has count entries: 0..count-1
    return (await registry.get_permitted_auth_method_scopes(token, method_type, uid, count - 1))[:count]


def _could_be_permitted(method_type: int, user_id: bytes) -> bool:
    # Lit answers "no" for these rather than failing: type 0 is its NULLMETHOD, an address is 20 bytes
    return method_type != 0 and (method_type != AUTH_METHOD_ADDRESS or len(user_id) == 20)


def _uint256(value: Any, name: str) -> int:
    """A uint256 given as a JS number or a decimal or 0x-hex string, as lit-node's ops accept."""
    if isinstance(value, bool):
        raise HostError(f"{name} must be an integer or a decimal/hex string, not a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        text = value.strip()
        number = int(text, 16) if text[:2].lower() == "0x" else int(text, 10)
    else:
        raise HostError(f"{name} must be an integer or a decimal/hex string, got {value!r}")
    if not 0 <= number <= _UINT256_MAX:
        raise HostError(f"{name} must be in [0, 2**256), got {number}")
    return number


def _user_id(value: Any) -> bytes:
    """userId as Lit's SDK passes it (`new Uint8Array(userId)`): an array of bytes, not empty."""
    if isinstance(value, dict):  # a Uint8Array serialised as {"0": .., "1": ..}
        try:
            value = [value[k] for k in sorted(value, key=int)]
        except ValueError:
            raise HostError("userId must be a Uint8Array or an array of bytes") from None
    if not isinstance(value, list) or not all(
        isinstance(b, int) and not isinstance(b, bool) and 0 <= b < 256 for b in value
    ):
        raise HostError("userId must be a Uint8Array or an array of bytes")
    if not value:
        raise HostError("userId must not be empty")
    return bytes(value)
