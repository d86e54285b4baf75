"""The Lit.Actions surface: which functions go to the host, and which budget each one draws on.

Names and argument shapes follow Lit's `lit-actions/ext/js/02_litActionsSDK.js`. `setResponse`,
`uint8arrayToString/FromString` and `runOnce`'s orchestration live in the prelude; every other function
is one JSON call over the bridge to `Host.handle(op, args)`.

Every host call draws on one of the per-execution budgets of `Limits` (security review H3): an
operation nobody counts can be called a hundred thousand times from one `Promise.all`. The one
exception is `webcrypto`, the work behind the prelude's crypto.subtle: Deno does that work inside
the isolate, uncounted, and it is bounded by the caps on calls in flight and by the wall time.
"""

from __future__ import annotations

__all__ = [
    "HOST_OPS",
    "SIGNING_OPS",
    "CONTRACT_OPS",
    "FETCH_OP",
    "RUN_ONCE_OP",
    "WEBCRYPTO_OP",
    "INTERNAL_OPS",
    "BUDGETS",
    "budget_of",
]

FETCH_OP = "fetch"
RUN_ONCE_OP = "runOnce"
# crypto.subtle's work; not a Lit.Actions function, so it is neither counted nor listed in `operations`.
WEBCRYPTO_OP = "webcrypto"
INTERNAL_OPS = frozenset({WEBCRYPTO_OP})

# Operations that use a key of the network or of this node: they share `max_signatures` (Lit's
# max_sign_count, 10). claimKey signs with the node's wallet and adds to the answer the client gets;
# Lit counts claims (claim_count) but enforces no limit on them.
SIGNING_OPS = frozenset(
    {
        "signEcdsa",
        "sign",
        "signAsAction",
        "ethPersonalSignMessageEcdsa",
        "signAndCombineEcdsa",
        "signAndCombine",
        "claimKey",
    }
)

# Every other operation: a chain or IPFS read, a round with the other nodes, or CPU work done for the
# action. They share `max_contract_calls` (30, the number Lit's nodes allow both for contract calls and
# for broadcasts). Lit bills checkConditions as a contract call and counts the decrypt operations,
# broadcastAndCollect and runOnce's collect as broadcasts (lit-node functions/action_client.rs); a
# child action (`call`) reads IPFS and starts an isolate. runOnce is two host calls (elect, then the
# leader's result or the others' wait), so it costs two.
CONTRACT_OPS = frozenset(
    {
        "callContract",
        "getLatestNonce",
        "isPermittedAction",
        "isPermittedAddress",
        "isPermittedAuthMethod",
        "getPermittedActions",
        "getPermittedAddresses",
        "getPermittedAuthMethods",
        "getPermittedAuthMethodScopes",
        "checkConditions",
        "decryptAndCombine",
        "decryptToSingleNode",
        "broadcastAndCollect",
        RUN_ONCE_OP,
        "call",
        "encrypt",
        "aesDecrypt",
        "getActionPublicKey",
        "verifyActionSignature",
        "getRpcUrl",
        "pubkeyToTokenId",
    }
)

# Lit.Actions functions that are a plain host call (runOnce is composed from RUN_ONCE_OP calls).
HOST_OPS: tuple[str, ...] = tuple(sorted((SIGNING_OPS | CONTRACT_OPS) - {RUN_ONCE_OP}))

# The error kind a budget reports when it runs out -> the Limits field that sets it.
BUDGETS = {"fetch_limit": "max_fetches", "signature_limit": "max_signatures", "contract_call_limit": "max_contract_calls"}


def budget_of(op: str) -> str | None:
    """The budget (a key of BUDGETS) a call of `op` draws on; None for internal work only."""
    if op == FETCH_OP:
        return "fetch_limit"
    if op in SIGNING_OPS:
        return "signature_limit"
    if op in CONTRACT_OPS:
        return "contract_call_limit"
    return None
