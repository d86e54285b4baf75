"""The Lit.Actions surface: which functions go to the host, and which of them count against limits.

Names and argument shapes follow Lit's `lit-actions/ext/js/02_litActionsSDK.js`. `setResponse`,
`uint8arrayToString/FromString` and `runOnce`'s orchestration live in the prelude; every other function
is one JSON call over the bridge to `Host.handle(op, args)`.
"""

from __future__ import annotations

__all__ = ["HOST_OPS", "SIGNING_OPS", "CONTRACT_OPS", "FETCH_OP", "RUN_ONCE_OP", "WEBCRYPTO_OP", "INTERNAL_OPS"]

FETCH_OP = "fetch"
RUN_ONCE_OP = "runOnce"
# crypto.subtle's work; not a Lit.Actions function, so it is neither counted nor listed in `operations`.
WEBCRYPTO_OP = "webcrypto"
INTERNAL_OPS = frozenset({WEBCRYPTO_OP})

SIGNING_OPS = frozenset(
    {
        "signEcdsa",
        "sign",
        "signAsAction",
        "ethPersonalSignMessageEcdsa",
        "signAndCombineEcdsa",
        "signAndCombine",
    }
)

# Operations that read or call a chain; they share the `max_contract_calls` budget.
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
    }
)

# Lit.Actions functions that are a plain host call (runOnce is composed from RUN_ONCE_OP calls).
HOST_OPS: tuple[str, ...] = tuple(
    sorted(
        SIGNING_OPS
        | CONTRACT_OPS
        | {
            "getActionPublicKey",
            "verifyActionSignature",
            "getRpcUrl",
            "checkConditions",
            "pubkeyToTokenId",
            "call",
            "broadcastAndCollect",
            "decryptAndCombine",
            "decryptToSingleNode",
            "encrypt",
            "claimKey",
            "aesDecrypt",
        }
    )
)
