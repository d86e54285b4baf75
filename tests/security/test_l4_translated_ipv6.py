"""L4, the forms test_l4_embedded_ipv4.py does not cover.

- On a dev network (loopback allowed) the network's own services must stay unreachable through every
  IPv6 form that carries their IPv4 address, not only NAT64's.
- RFC 8215's local-use NAT64 prefix 64:ff9b:1::/48 and RFC 2765's IPv4-translated ::ffff:0:a.b.c.d
  reach IPv4 hosts through a translator, yet Python 3.11 calls them global. Where the IPv4 address
  sits in a 64:ff9b:1::/48 address depends on the translator's prefix length (RFC 6052 §2.2), so
  none of that prefix may be fetched.
"""

from __future__ import annotations

import ipaddress

import pytest

from sandbox import FetchPolicy
from sandbox.addresses import is_public, resolve_checked
from sandbox.errors import FetchRefused

# 127.0.0.1, the address the dev network's services listen on, in each IPv6 form that reaches it.
LOOPBACK_FORMS = [
    "64:ff9b::7f00:1",  # NAT64, well-known prefix
    "2002:7f00:1::1",  # 6to4
    "::127.0.0.1",  # IPv4-compatible
    "::ffff:127.0.0.1",  # IPv4-mapped
]
DEV_SERVICE = ("127.0.0.1", 8545)

# Python 3.11 judges these public; each reaches an IPv4 host through a translator.
TRANSLATED = [
    "64:ff9b:1::7f00:1",  # local-use NAT64 under a /96 translator prefix: 127.0.0.1
    "64:ff9b:1:7f00:0:100::",  # local-use NAT64 under the /48 itself (RFC 6052 layout): 127.0.0.1
    "64:ff9b:1:a00:0:100::",  # the same for 10.0.0.1
    "64:ff9b:1::a9fe:a9fe",  # 169.254.169.254, the cloud metadata service
    "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1
    "::ffff:0:a00:1",  # IPv4-translated 10.0.0.1
]


@pytest.mark.parametrize("address", LOOPBACK_FORMS)
async def test_dev_network_service_is_refused_in_every_embedding(address: str) -> None:
    policy = FetchPolicy(allow_private=True, forbidden_endpoints=frozenset({DEV_SERVICE}))
    with pytest.raises(FetchRefused, match="network's own services"):
        await resolve_checked(address, DEV_SERVICE[1], policy)


@pytest.mark.parametrize("address", LOOPBACK_FORMS)
async def test_dev_network_still_reaches_other_loopback_ports_in_those_forms(address: str) -> None:
    """The refusal is about the service's endpoint, not the form: the user's own mock server stays reachable."""
    policy = FetchPolicy(allow_private=True, forbidden_endpoints=frozenset({DEV_SERVICE}))
    assert await resolve_checked(address, DEV_SERVICE[1] + 1, policy) == [ipaddress.ip_address(address)]


@pytest.mark.parametrize("address", TRANSLATED)
def test_translated_addresses_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", TRANSLATED)
async def test_a_public_node_refuses_translated_addresses(address: str) -> None:
    with pytest.raises(FetchRefused, match="does not allow fetching it"):
        await resolve_checked(address, 80, FetchPolicy())


@pytest.mark.parametrize("address", ["64:ff9b:1::7f00:1", "64:ff9b:1:7f00:0:100::", "::ffff:0:7f00:1"])
async def test_dev_network_service_is_refused_through_translated_addresses(address: str) -> None:
    policy = FetchPolicy(allow_private=True, forbidden_endpoints=frozenset({DEV_SERVICE}))
    with pytest.raises(FetchRefused):
        await resolve_checked(address, DEV_SERVICE[1], policy)
