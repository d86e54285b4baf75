"""Which network addresses an action's fetch may reach.

Every name is resolved once, every resolved address is checked, and the connection is then pinned to
the checked addresses, so a second DNS answer cannot point the request elsewhere.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sandbox.errors import FetchRefused

if TYPE_CHECKING:
    from sandbox.fetch_mocks import FetchMocks

__all__ = ["FetchPolicy", "resolve_checked"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchPolicy:
    """Network rules for fetch().

    allow_private: also allow loopback, private, link-local and other non-global addresses (local dev).
    forbidden_ports: ports refused on every host, whatever allow_private says (the node's own ports).
    forbidden_endpoints: (host, port) pairs refused whatever allow_private says; a host of 0.0.0.0 or ::
    stands for every address, as a server bound there answers on all of them.
    mocks: hosts answered from a file or a local server instead of the network (development only;
    None unless the user configured some, see sandbox/fetch_mocks.py).
    """

    allow_private: bool = False
    forbidden_ports: frozenset[int] = field(default_factory=frozenset)
    forbidden_endpoints: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    mocks: FetchMocks | None = None

    def with_forbidden(self, host: str, port: int) -> FetchPolicy:
        return replace(self, forbidden_endpoints=self.forbidden_endpoints | {(host, port)})

    def for_forwarding(self) -> FetchPolicy:
        """The rules for a mock's forward to a local server: loopback allowed, own services still not."""
        return replace(self, allow_private=True, mocks=None)


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # RFC 2765's IPv4-translated form
# RFC 8215's local-use NAT64 prefix: where an address in it carries its IPv4 address depends on the
# local translator's prefix length (RFC 6052 §2.2), so none of it can be judged and none is fetched.
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def _unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries, where packets to it reach that IPv4 host.

    NAT64, 6to4, IPv4-mapped and IPv4-compatible forms are judged by their IPv4 address, or an
    action could reach 127.0.0.1 as 64:ff9b::7f00:1. `::` and `::1` keep their IPv6 meaning.
    """
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _NAT64 or address in _TRANSLATED or (int(address) >> 32 == 0 and int(address) > 1):
        return low32
    return address


def is_loopback(address: IPAddress) -> bool:
    return _unwrap(address).is_loopback


def is_public(address: IPAddress) -> bool:
    if address in _NAT64_LOCAL:
        return False
    address = _unwrap(address)
    return address.is_global and not address.is_multicast and not address.is_unspecified


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchRefused(f"fetch: cannot resolve host {host!r}: {exc.strerror}") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchRefused(f"fetch: host {host!r} has no addresses")
    return addresses


async def _endpoint_addresses(policy: FetchPolicy, port: int) -> list[IPAddress | None]:
    """The addresses of the forbidden endpoints on `port`; None stands for every address.

    A forbidden name that does not resolve now is left out rather than failing every fetch to
    that port (a peer's name may resolve only inside its own network); it is still refused by name.
    """
    out: list[IPAddress | None] = []
    for host, bad_port in policy.forbidden_endpoints:
        if bad_port != port:
            continue
        try:
            literal = _unwrap(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            try:
                out.extend(_unwrap(a) for a in await _resolve(host, port))
            except FetchRefused:
                pass
            continue
        out.append(None if literal.is_unspecified else literal)
    return out


async def resolve_checked(host: str, port: int, policy: FetchPolicy) -> list[IPAddress]:
    """Resolve `host` and return its addresses, or raise FetchRefused naming what is not allowed."""
    if port in policy.forbidden_ports:
        raise FetchRefused(f"fetch: port {port} is reserved for the node and may not be fetched")
    own = FetchRefused(
        f"fetch: {host}:{port} is one of this network's own services (a node, its chain or its IPFS) and may not be fetched"
    )
    if (host.strip("[]").lower(), port) in {(h.strip("[]").lower(), p) for h, p in policy.forbidden_endpoints}:
        raise own
    addresses = await _resolve(host, port)
    forbidden = await _endpoint_addresses(policy, port)
    for address in addresses:
        if address in _NAT64_LOCAL:
            raise FetchRefused(
                f"fetch: {host} resolves to {address}, in the local-use NAT64 prefix 64:ff9b:1::/48, whose IPv4 "
                "target depends on the local translator; this host does not allow fetching it"
            )
        plain = _unwrap(address)
        if None in forbidden or plain in forbidden:
            raise own
        if not policy.allow_private and not is_public(address):
            raise FetchRefused(
                f"fetch: {host} resolves to {address}, a loopback, private, link-local, multicast or "
                "unspecified address; this host does not allow fetching it"
            )
    return addresses
