"""authSigs made by code we did not write are accepted, and refused when they are not for this network.

Oracles (tests/auth/oracle.js): npm `siwe` with npm `siwe-recap`, and Lit's npm
`@lit-protocol/auth-helpers` v7 `createSiweMessageWithRecaps` + `generateAuthSig`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from node.auth import AuthSig, verify_auth_sig
from node.errors import NotPermitted
from runtime.auth.recap import DECRYPTION, EXECUTION, SIGNING, pkp_resource
from runtime.auth.siwe import format_time
from tests.oracles import require_oracle

ROOT = Path(__file__).parents[2]
ORACLE = Path(__file__).with_name("oracle.js")
KEY = "0x" + "4c" * 32


@pytest.fixture(scope="module")
def oracle():
    require_oracle(
        shutil.which("node") is not None and (ROOT / "node_modules" / "@lit-protocol" / "auth-helpers").exists(),
        "node or node_modules/@lit-protocol/auth-helpers missing (npm install)",
    )

    def run(*requests: dict[str, Any]) -> list[dict[str, str]]:
        proc = subprocess.run(["node", str(ORACLE), str(ROOT)], input=json.dumps(list(requests)),
                              capture_output=True, text=True, check=True)
        answers = json.loads(proc.stdout)
        for answer in answers:
            assert "error" not in answer, answer
        return answers

    return run


def _iso(delta: timedelta) -> str:
    return format_time(datetime.now(timezone.utc) + delta)


def _lit(**kw: Any) -> dict[str, Any]:
    base = {"maker": "lit", "key": KEY, "domain": "localhost", "uri": "lit:session:" + "ab" * 32, "chainId": 31337,
            "expiration": _iso(timedelta(hours=24)), "nonce": "0x" + "12" * 32,
            "abilities": [["lit-litaction", "*", "lit-action-execution"], ["lit-pkp", "*", "pkp-signing"],
                          ["lit-accesscontrolcondition", "*", "access-control-condition-decryption"]]}
    return {**base, **kw}


def _siwe(**kw: Any) -> dict[str, Any]:
    base = {"maker": "siwe", "key": KEY, "domain": "localhost", "uri": "https://localhost/login", "chainId": 31337,
            "issuedAt": _iso(timedelta(0)), "expiration": _iso(timedelta(hours=1)), "nonce": "n0nceN0nce",
            "statement": "Sign in to litrt.", "grants": [["lit-pkp://*", "Threshold", "Signing"]]}
    return {**base, **kw}


def _verify(auth_sig: dict[str, str]) -> AuthSig:
    return verify_auth_sig(auth_sig, time.time())


def test_lit_auth_helpers_v7_and_npm_siwe_messages_are_accepted(oracle):
    lit, siwe = oracle(_lit(), _siwe())
    address = Account.from_key(KEY).address
    verified = _verify(lit)
    assert verified.address == address
    assert verified.allows(EXECUTION, "lit-litaction://QmAny") and verified.allows(SIGNING, pkp_resource(7))
    assert verified.allows(DECRYPTION, "lit-accesscontrolcondition://aa/bb")
    other = _verify(siwe)
    assert other.address == address and other.allows(SIGNING, pkp_resource(7))
    assert not other.allows(EXECUTION, "lit-litaction://QmAny")


def test_lit_scoped_resources_are_honoured(oracle):
    token = pkp_resource(12345).removeprefix("lit-pkp://")
    (auth,) = oracle(_lit(abilities=[["lit-pkp", token, "pkp-signing"],
                                     ["lit-accesscontrolcondition", "*", "access-control-condition-signing"]]))
    verified = _verify(auth)
    assert verified.allows(SIGNING, pkp_resource(12345)) and not verified.allows(SIGNING, pkp_resource(12346))
    # Lit's access-control-condition-signing is Threshold/Signing: it does not decrypt.
    assert not verified.allows(DECRYPTION, "lit-accesscontrolcondition://aa/bb")
    with pytest.raises(NotPermitted, match="does not grant Threshold/Execution on lit-litaction://Qm"):
        verified.require(EXECUTION, "lit-litaction://QmX")


@pytest.mark.parametrize(
    "request_, field",
    [
        (_lit(domain="evil.com"), "SIWE domain"),
        (_lit(chainId=1), "SIWE Chain ID"),
        (_lit(uri="https://evil.com/login"), "SIWE URI"),
        (_lit(expiration=_iso(timedelta(days=8))), "SIWE Expiration Time: lifetime"),
        (_lit(expiration=_iso(-timedelta(hours=1))), "SIWE Expiration Time"),
        (_siwe(issuedAt=_iso(-timedelta(hours=3)), expiration=_iso(-timedelta(hours=2))), "SIWE Expiration Time: expired"),
        (_siwe(domain="evil.com"), "SIWE domain"),
        (_siwe(chainId=999), "SIWE Chain ID"),
        (_siwe(uri="ftp://localhost/x"), "SIWE URI"),
        (_siwe(grants=[]), "SIWE Resources: no urn:recap:"),
    ],
)
def test_oracle_messages_not_for_this_network_are_refused_naming_the_field(oracle, request_, field):
    (auth,) = oracle(request_)
    with pytest.raises(NotPermitted, match=field):
        _verify(auth)
