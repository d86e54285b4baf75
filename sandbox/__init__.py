"""The embedded V8 sandbox that runs Lit Actions. Knows nothing of keys or HTTP servers.

    result = await execute(code, {"name": "x"}, Host(), Limits(timeout_ms=5000))

A node subclasses `Host` and adds one `async def op_<name>(self, args, ctx)` per Lit.Actions function.
"""

from sandbox.addresses import FetchPolicy
from sandbox.errors import ExecutionError, FetchRefused, HostError, SandboxSetupError
from sandbox.host import Host, OpContext
from sandbox.limits import Limits
from sandbox.ops import CONTRACT_OPS, HOST_OPS, SIGNING_OPS
from sandbox.result import ExecutionResult
from sandbox.runner import execute

__all__ = [
    "CONTRACT_OPS",
    "HOST_OPS",
    "SIGNING_OPS",
    "ExecutionError",
    "ExecutionResult",
    "FetchPolicy",
    "FetchRefused",
    "Host",
    "HostError",
    "Limits",
    "OpContext",
    "SandboxSetupError",
    "execute",
]
