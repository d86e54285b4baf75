"""L4: IPv6 forms that carry an IPv4 address are judged by that IPv4 address.

NAT64 (64:ff9b::/96), 6to4 (2002::/16), IPv4-compatible (::a.b.c.d) and IPv4-mapped
(::ffff:a.b.c.d) addresses reach the embedded IPv4 host, so an action must not use them to
reach loopback or private hosts that the plain IPv4 form would be refused for.
"""

from __future__ import annotations

import ipaddress

import pytest

from sandbox import FetchPolicy
from sandbox.addresses import is_public, resolve_checked
from sandbox.errors import FetchRefused

WRAPPING_PRIVATE = [
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254, the cloud metadata service
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "::127.0.0.1",  # IPv4-compatible
    "::10.1.2.3",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
]

WRAPPING_PUBLIC = ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", WRAPPING_PRIVATE)
def test_embedded_private_ipv4_is_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", WRAPPING_PRIVATE)
async def test_fetch_to_embedded_private_ipv4_is_refused(address: str) -> None:
    with pytest.raises(FetchRefused, match="this host does not allow fetching it"):
        await resolve_checked(address, 80, FetchPolicy())


@pytest.mark.parametrize("address", WRAPPING_PUBLIC)
def test_embedded_public_ipv4_stays_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def test_loopback_and_unspecified_ipv6_are_not_unwrapped_into_ipv4() -> None:
    assert not is_public(ipaddress.ip_address("::1"))
    assert not is_public(ipaddress.ip_address("::"))


async def test_node_endpoint_refused_through_nat64() -> None:
    policy = FetchPolicy(allow_private=True, forbidden_endpoints=frozenset({("127.0.0.1", 7471)}))
    with pytest.raises(FetchRefused, match="network's own services"):
        await resolve_checked("64:ff9b::7f00:1", 7471, policy)
