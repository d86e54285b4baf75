"""Session signatures for an Ethereum account, as js-sdk v7's `getSessionSigs` makes them for an EOA.

No node is asked: a fresh ed25519 session key, a wallet authSig whose SIWE URI is `lit:session:<key>`
and whose ReCap grants `resources`, then one session signature per node. A node's address is its URL
as the client knows it (`NetworkInfo.nodes`, e.g. `http://127.0.0.1:7470`), which is what the SDK uses:
it keys `sessionSigs` by each connected node's URL and signs that URL as `nodeAddress`; the node strips
the scheme and compares `host:port` with its own. A request to node `url` carries `sessionSigs[url]`
in its `authSig` field.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from runtime.auth.session import ResourceAbilityRequest, SessionKey, make_session_sigs

from . import auth as _auth
from ._errors_map import caller_argument
from .errors import InvalidArgument

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

__all__ = ["DEFAULT_EXPIRATION", "get_session_sigs", "node_addresses_of", "resource_requests"]

# js-sdk v7 `LitNodeClientNodeJs.getExpiration`: a day.
DEFAULT_EXPIRATION = timedelta(hours=24)

Resource = ResourceAbilityRequest | tuple[str, str]


def node_addresses_of(client_or_node_addresses: Any) -> list[str]:
    """Node URLs from a LitClient (`.network.nodes`), a NetworkInfo (`.nodes`) or a list of URLs."""
    target = client_or_node_addresses
    network = getattr(target, "network", None)
    nodes = getattr(network, "nodes", None) if network is not None else getattr(target, "nodes", None)
    if nodes is None:
        nodes = target
    if isinstance(nodes, str) or not isinstance(nodes, Iterable) or not all(isinstance(n, str) for n in nodes):
        raise InvalidArgument(f"expected a LitClient, a NetworkInfo or a list of node URLs, got {type(target).__name__}")
    addresses = list(nodes)
    if not addresses:
        raise InvalidArgument("no node addresses to sign for")
    return addresses


def resource_requests(resources: Iterable[Resource]) -> list[ResourceAbilityRequest]:
    """`("lit-pkp://<id or *>", "pkp-signing")` pairs (or ResourceAbilityRequests) as ResourceAbilityRequests."""
    out = []
    for index, r in enumerate(resources):
        with caller_argument(f"resources[{index}]"):
            out.append(r if isinstance(r, ResourceAbilityRequest) else ResourceAbilityRequest.parse(*r))
    if not out:
        raise InvalidArgument("resources is empty: the session would grant nothing")
    return out


def get_session_sigs(
    client_or_node_addresses: Any,
    account: LocalAccount | str | bytes,
    resources: Iterable[Resource],
    expiration: datetime | timedelta | None = None,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    randbytes: Callable[[int], bytes] = secrets.token_bytes,
    session_key: SessionKey | None = None,
    capability_auth_sigs: Sequence[Mapping[str, Any]] = (),
    **siwe: Any,
) -> dict[str, dict[str, str]]:
    """Lit's `sessionSigs`: node URL -> session signature, for `account` (a key or an eth_account).

    `expiration` is a time or a lifetime from now (default 24 h); the wallet's SIWE expires then too.
    `capability_auth_sigs` (e.g. a capacity delegation) go before the wallet's authSig, as in the SDK.
    `**siwe` goes to `create_auth_sig` (domain, chain_id, statement, nonce, wallet, ...): with
    `wallet=<contract address>`, `account` signs for that EIP-1271 wallet.
    """
    addresses = node_addresses_of(client_or_node_addresses)
    for index, capability in enumerate(capability_auth_sigs):
        if not isinstance(capability, Mapping):
            raise InvalidArgument(f"capability_auth_sigs[{index}]: expected an authSig object, got {type(capability).__name__}")
    requests = resource_requests(resources)
    issued_at = now()
    if issued_at.tzinfo is None:
        raise InvalidArgument("now() returned a naive time; give it a timezone")
    if expiration is None:
        expiration = DEFAULT_EXPIRATION
    if not isinstance(expiration, (datetime, timedelta)):
        raise InvalidArgument(f"expiration: expected a datetime or a timedelta, got {type(expiration).__name__}")
    expires = issued_at + expiration if isinstance(expiration, timedelta) else expiration
    if expires.tzinfo is None:
        raise InvalidArgument("expiration is a naive time; give it a timezone")
    if expires <= issued_at:
        raise InvalidArgument(f"expiration {expires.isoformat()} is not after now {issued_at.isoformat()}")
    key = session_key or SessionKey.generate(randbytes)

    options: dict[str, Any] = {
        "issued_at": issued_at, "expires_in": expires - issued_at, "nonce": randbytes(16).hex(),
        "resources": [(r.recap_ability, r.key) for r in requests],
    }
    options.update(siwe)
    options["uri"] = key.uri  # not overridable: the SIWE must delegate to this session key
    wallet_auth_sig = _auth.create_auth_sig(account, **options)

    with caller_argument("session signatures"):  # node addresses and capability_auth_sigs are checked here
        return make_session_sigs(key, [*capability_auth_sigs, wallet_auth_sig], requests, addresses, issued_at, expires)
