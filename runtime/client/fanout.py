"""What runtime/client/access.py needs of the client (runtime/client/client.py LitClient): the
network, its BLS key, the fan-out to every node and the opening of sealed answers.

A Protocol, so access.py need not import client.py (which imports it); LitClient satisfies it by
its shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from runtime.crypto.bls_threshold import ThresholdPublicKey
    from runtime.crypto.channel import ResponseKey
    from runtime.network.launcher import NetworkInfo

    from .quorum import Decide

__all__ = ["NodeFanOut"]

T = TypeVar("T")


class NodeFanOut(Protocol):
    @property
    def network(self) -> NetworkInfo: ...
    @property
    def bls_key(self) -> ThresholdPublicKey: ...

    async def _fan_out(
        self, method: str, path: str, body: Any, decide: Decide[T], session_sigs: Mapping[str, Any] | None = None
    ) -> T:
        """The same request to every node at once; the outcome `decide` settles on."""
        ...

    def _open_shares(
        self, answers: dict[int, Any], key: ResponseKey, request_id: str, errors: dict[int, str]
    ) -> dict[int, dict[str, Any]]:
        """Each node's sealed answer opened with `key` (bad ones go to `errors`)."""
        ...
