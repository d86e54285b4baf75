"""A host that is the whole network: `litrt run` executes an action on this machine alone.

runOnce's function runs here (this host is its leader) and broadcastAndCollect hears one value,
its own, as a one-node Lit network would.
"""

from __future__ import annotations

from typing import Any

from sandbox.errors import HostError
from sandbox.host import Host, OpContext

__all__ = ["SoloHost"]


class SoloHost(Host):
    async def op_runOnce(self, args: dict[str, Any], ctx: OpContext) -> Any:
        phase = args.get("phase")
        if phase == "elect":
            return {"isLeader": True}
        if phase == "result":
            return True
        raise HostError("Lit.Actions.runOnce: this host is the leader; nobody waits for another node")

    async def op_broadcastAndCollect(self, args: dict[str, Any], ctx: OpContext) -> list[str]:
        value = args.get("value")
        if not isinstance(value, str):
            raise HostError("Lit.Actions.broadcastAndCollect: value must be a string")
        return [value]
