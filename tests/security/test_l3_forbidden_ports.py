"""L3: the endpoints an action may not fetch are this network's real node endpoints.

Before the fix a peer URL without a port stopped the node from starting, a network served on
:443 forbade port 443 on every host on the internet, and a bind port other than the URL's (NAT,
a proxy) was not forbidden at all.
"""

from __future__ import annotations

import pytest

from node.errors import BadRequest
from sandbox.addresses import resolve_checked
from sandbox.errors import FetchRefused

from .nodes import node_config, node_service

PUBLIC_HOST = "93.184.216.34"


def test_node_starts_with_peer_urls_without_a_port(tmp_path) -> None:
    service = node_service(tmp_path, ["https://node1.example", "https://node2.example", "http://node3.example"])
    assert ("node1.example", 443) in service.fetch_policy.forbidden_endpoints
    assert ("node3.example", 80) in service.fetch_policy.forbidden_endpoints


async def test_serving_on_443_does_not_forbid_443_on_other_hosts(tmp_path) -> None:
    service = node_service(tmp_path, ["https://node1.example:443", "https://node2.example:443"])
    assert await resolve_checked(PUBLIC_HOST, 443, service.fetch_policy)


async def test_bind_port_other_than_the_url_is_forbidden(tmp_path) -> None:
    urls = ["http://127.0.0.1:8001", "http://127.0.0.1:8002"]
    service = node_service(tmp_path, urls, host="0.0.0.0", port=7999, allow_private_fetch=True)
    with pytest.raises(FetchRefused, match="network's own services"):
        await resolve_checked("127.0.0.1", 7999, service.fetch_policy)
    with pytest.raises(FetchRefused, match="network's own services"):
        await resolve_checked("10.9.8.7", 7999, service.fetch_policy)  # bound to every address


async def test_every_peer_endpoint_is_forbidden_even_by_name(tmp_path) -> None:
    urls = ["http://127.0.0.1:8001", "http://127.0.0.1:8002/", "http://localhost"]
    service = node_service(tmp_path, urls, allow_private_fetch=True)
    for host, port in (("127.0.0.1", 8002), ("localhost", 8002), ("127.0.0.1", 80), ("[::ffff:127.0.0.1]", 8001)):
        with pytest.raises(FetchRefused, match="network's own services"):
            await resolve_checked(host, port, service.fetch_policy)
    assert await resolve_checked("127.0.0.1", 8003, service.fetch_policy)


@pytest.mark.parametrize("url", ["http://127.0.0.1:notaport", "127.0.0.1:8002", "http://:8002", "http://h:99999"])
def test_unusable_peer_url_is_a_config_error_naming_the_peer(tmp_path, url: str) -> None:
    config = node_config(tmp_path, ["http://127.0.0.1:8001", url])
    with pytest.raises(BadRequest, match="peer 2 url"):
        config.fetch_forbidden_endpoints()
