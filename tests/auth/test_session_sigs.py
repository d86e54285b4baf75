"""Lit v7 session signatures: made by the client, checked as a node checks them."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from node.auth import verify_auth_sig
from runtime.auth.session import (
    ResourceAbilityRequest,
    SessionAuth,
    SessionKey,
    SessionSigMalformed,
    SessionSigRefused,
    make_session_sigs,
    node_endpoint,
    verify_session_sig,
)
from runtime.client import auth as client_auth
from runtime.client.session import get_session_sigs
from tests.oracles import needs_oracle

ROOT = Path(__file__).parents[2]
NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
NODES = ["http://127.0.0.1:7470", "http://127.0.0.1:7471", "http://127.0.0.1:7472"]
WALLET = Account.from_key("0x" + "11" * 32)
PKP_ANY = ResourceAbilityRequest("lit-pkp", "*", "pkp-signing")
ACTION_ANY = ResourceAbilityRequest("lit-litaction", "*", "lit-action-execution")


@dataclass(frozen=True)
class Verified:
    """What node/auth.py's verifier returns, as far as session sigs need it; `grants` stands in for the ReCap."""

    address: str
    grants: frozenset[str]  # "<ReCap ability> <resource uri>"

    def allows(self, ability: str, resource: str) -> bool:
        prefix = resource.partition("://")[0]
        return f"{ability} {resource}" in self.grants or f"{ability} {prefix}://*" in self.grants


def verifier(*grants: ResourceAbilityRequest, with_allows: bool = True) -> Any:
    """An authSig check written for these tests: EIP-191 recovery and the SIWE expiration."""
    granted = frozenset(f"{g.recap_ability} {g.key}" for g in grants)

    def verify(auth_sig: dict[str, Any], now: datetime) -> Any:
        recovered = Account.recover_message(encode_defunct(text=auth_sig["signedMessage"]), signature=auth_sig["sig"])
        if recovered != auth_sig["address"]:
            raise ValueError("authSig.sig is not from authSig.address")
        expires = re.search(r"^Expiration Time: (.+)$", auth_sig["signedMessage"], re.MULTILINE)
        if not expires or datetime.fromisoformat(expires[1].replace("Z", "+00:00")) <= now:
            raise ValueError("authSig expired")
        return Verified(recovered, granted) if with_allows else type("Bare", (), {"address": recovered})()

    return verify


def rng(seed: int = 7) -> Any:
    return random.Random(seed).randbytes


def wallet_sig(key: SessionKey, *, expires_in: timedelta = timedelta(hours=24), uri: str | None = None) -> dict[str, str]:
    return client_auth.create_auth_sig(
        WALLET, uri=uri or key.uri, issued_at=NOW, expires_in=expires_in, nonce="0123456789abcdef"
    )


def session_sigs(
    requests: list[ResourceAbilityRequest] | None = None,
    *,
    key: SessionKey | None = None,
    capabilities: list[dict[str, str]] | None = None,
    issued_at: datetime = NOW,
    lifetime: timedelta = timedelta(hours=24),
    nodes: list[str] = NODES,
) -> dict[str, dict[str, str]]:
    key = key or SessionKey.generate(rng())
    return make_session_sigs(
        key, capabilities or [wallet_sig(key)], requests or [PKP_ANY], nodes, issued_at, issued_at + lifetime
    )


def check(sig: dict[str, Any], node: str = NODES[0], now: datetime = NOW, verify: Any = None, **kw: Any) -> SessionAuth:
    return verify_session_sig(sig, node, now, verify or verifier(PKP_ANY, ACTION_ANY), **kw)


def resign(sig: dict[str, str], key: SessionKey, **changes: Any) -> dict[str, str]:
    """The same session sig with its message changed and properly signed again by `key`."""
    message = {**json.loads(sig["signedMessage"]), **changes}
    text = json.dumps(message, separators=(",", ":"))
    return {**sig, "signedMessage": text, "sig": key.sign(text.encode()).hex()}


# --- the wire format -------------------------------------------------------------------------


def test_wire_format_is_the_sdks() -> None:
    key = SessionKey.generate(rng())
    sigs = session_sigs([PKP_ANY, ACTION_ANY], key=key)
    assert list(sigs) == NODES
    sig = sigs[NODES[1]]
    assert list(sig) == ["sig", "derivedVia", "signedMessage", "address", "algo"]
    assert sig["derivedVia"] == "litSessionSignViaNacl" and sig["algo"] == "ed25519"
    assert sig["address"] == key.public_hex and re.fullmatch(r"[0-9a-f]{64}", sig["address"])
    assert re.fullmatch(r"[0-9a-f]{128}", sig["sig"])
    assert key.uri == "lit:session:" + key.public_hex
    message = json.loads(sig["signedMessage"])
    assert list(message) == ["sessionKey", "resourceAbilityRequests", "capabilities", "issuedAt", "expiration", "nodeAddress"]
    assert message["resourceAbilityRequests"][0] == {
        "resource": {"resource": "*", "resourcePrefix": "lit-pkp"}, "ability": "pkp-signing"
    }
    assert message["issuedAt"] == "2025-03-01T12:00:00.000Z" and message["expiration"] == "2025-03-02T12:00:00.000Z"
    assert message["nodeAddress"] == NODES[1]
    assert ", " not in sig["signedMessage"] and ": " not in sig["signedMessage"].split('"capabilities"')[0]
    assert "URI: lit:session:" + key.public_hex in message["capabilities"][-1]["signedMessage"]


def test_session_key_is_nacls() -> None:
    key = SessionKey(bytes(32))
    assert key.public_hex == "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
    assert SessionKey.from_secret_hex(key.secret_hex) == key  # the SDK stores nacl's 64-byte secretKey
    with pytest.raises(ValueError, match="second half"):
        SessionKey.from_secret_hex(key.seed.hex() + "00" * 32)
    assert "seed" not in repr(key) and key.seed.hex() not in repr(key)


@needs_oracle(
    None if (ROOT / "node_modules/@noble/curves").exists() and shutil.which("node")
    else "node or node_modules/@noble/curves missing (scripts/setup.sh installs them)"
)
def test_signature_checked_by_noble_ed25519() -> None:
    """An ed25519 we did not write (npm @noble/curves, in node) verifies our signature and makes the same one."""
    key = SessionKey.generate(rng(3))
    sig = session_sigs(key=key)[NODES[0]]
    script = (
        "const {ed25519} = require('@noble/curves/ed25519');"
        "const r = JSON.parse(process.argv[1]), m = Buffer.from(r.message, 'utf8');"
        "console.log(JSON.stringify({ok: ed25519.verify(r.sig, m, r.pub),"
        " tampered: ed25519.verify(r.sig, Buffer.concat([m, Buffer.from(' ')]), r.pub),"
        " pub: Buffer.from(ed25519.getPublicKey(r.seed)).toString('hex'),"
        " sig: Buffer.from(ed25519.sign(m, r.seed)).toString('hex')}));"
    )
    request = {"message": sig["signedMessage"], "sig": sig["sig"], "pub": sig["address"], "seed": key.seed.hex()}
    out = subprocess.run(
        ["node", "-e", script, json.dumps(request)], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(out.stdout)
    assert result == {"ok": True, "tampered": False, "pub": sig["address"], "sig": sig["sig"]}


# --- a node accepts ---------------------------------------------------------------------------


def test_round_trip_at_every_node() -> None:
    key = SessionKey.generate(rng())
    sigs = session_sigs([PKP_ANY, ACTION_ANY], key=key)
    for node in NODES:
        auth = check(sigs[node], node)
        assert auth.address == WALLET.address and auth.session_key == key.public_hex
        assert auth.node_address == node and auth.capability_index == 0
        assert auth.expiration - auth.issued_at == timedelta(hours=24)
        assert auth.allows("pkp-signing", "lit-pkp://" + "ab" * 32)
        assert auth.allows("Threshold/Signing", "lit-pkp://" + "ab" * 32)
        assert not auth.allows("Threshold/Signing", "lit-accesscontrolcondition://*")
        assert not auth.allows("access-control-condition-decryption", "lit-accesscontrolcondition://*")


def test_node_address_forms_as_lits_node_reads_them() -> None:
    sigs = session_sigs(nodes=["http://localhost:7470", "https://node.example:443"])
    check(sigs["http://localhost:7470"], "http://127.0.0.1:7470")
    check(sigs["http://localhost:7470"], "127.0.0.1:7470")
    check(sigs["https://node.example:443"], "https://NODE.example")
    assert node_endpoint("https://node.example") == "node.example:443"


def test_capacity_delegation_before_the_wallet_sig_is_skipped() -> None:
    key = SessionKey.generate(rng())
    delegation = wallet_sig(key, uri="lit:capability:delegation")
    auth = check(session_sigs(key=key, capabilities=[delegation, wallet_sig(key)])[NODES[0]])
    assert auth.capability_index == 1


def test_requested_resource_within_the_session() -> None:
    pkp = ResourceAbilityRequest("lit-pkp", "ab" * 32, "pkp-signing")
    sigs = session_sigs([pkp])
    check(sigs[NODES[0]], requested=pkp)
    with pytest.raises(SessionSigRefused) as err:
        check(sigs[NODES[0]], requested=ResourceAbilityRequest("lit-pkp", "cd" * 32, "pkp-signing"))
    assert err.value.field == "signedMessage.resourceAbilityRequests"


# --- a node refuses ---------------------------------------------------------------------------


def test_replayed_to_another_node_refused() -> None:
    sigs = session_sigs()
    with pytest.raises(SessionSigRefused) as err:
        check(sigs[NODES[0]], NODES[1])
    assert err.value.field == "signedMessage.nodeAddress" and err.value.kind == "not_permitted"


def test_bad_ed25519_signature_refused() -> None:
    sig = session_sigs()[NODES[0]]
    flipped = bytes.fromhex(sig["sig"])
    flipped = bytes([flipped[0] ^ 1]) + flipped[1:]
    with pytest.raises(SessionSigRefused) as err:
        check({**sig, "sig": flipped.hex()})
    assert err.value.field == "sessionSig.sig"
    other = SessionKey.generate(rng(99))
    with pytest.raises(SessionSigRefused) as err:
        check({**sig, "sig": other.sign(sig["signedMessage"].encode()).hex()})
    assert err.value.field == "sessionSig.sig"
    with pytest.raises(SessionSigMalformed) as err:
        check({**sig, "sig": sig["sig"][:-2]})
    assert err.value.field == "sessionSig.sig" and err.value.kind == "bad_request"


def test_tampered_signed_message_refused() -> None:
    sig = session_sigs()[NODES[0]]
    for tampered in (
        sig["signedMessage"].replace(NODES[0], NODES[1]),
        sig["signedMessage"].replace("2025-03-02T12", "2025-03-05T12"),
        sig["signedMessage"].replace('"lit-pkp"', '"lit-litaction"'),
        sig["signedMessage"] + " ",
    ):
        assert tampered != sig["signedMessage"]
        with pytest.raises(SessionSigRefused) as err:
            check({**sig, "signedMessage": tampered})
        assert err.value.field == "sessionSig.sig"


def test_session_key_swapped_refused() -> None:
    key, other = SessionKey.generate(rng(1)), SessionKey.generate(rng(2))
    sig = session_sigs(key=key)[NODES[0]]
    with pytest.raises(SessionSigRefused) as err:
        check(resign(sig, key, sessionKey=other.public_hex))
    assert err.value.field == "signedMessage.sessionKey"


def test_expired_refused() -> None:
    sig = session_sigs()[NODES[0]]
    with pytest.raises(SessionSigRefused) as err:
        check(sig, now=NOW + timedelta(hours=24, seconds=1))
    assert err.value.field == "signedMessage.expiration" and "expired" in str(err.value)
    check(sig, now=NOW + timedelta(hours=23, minutes=59))


def test_times_refused() -> None:
    key = SessionKey.generate(rng())
    sig = session_sigs(key=key)[NODES[0]]
    cases = {
        "signedMessage.issuedAt": ({"issuedAt": "2025-03-01T12:02:00.000Z"}, SessionSigRefused),  # future
        "signedMessage.expiration": ({"expiration": "2025-03-01T11:59:00.000Z"}, SessionSigRefused),  # before issuedAt
    }
    for field, (change, error) in cases.items():
        with pytest.raises(error) as err:
            check(resign(sig, key, **change))
        assert err.value.field == field
    for naive in ({"issuedAt": "2025-03-01T12:00:00.000"}, {"expiration": "2025-03-02 12:00:00"}, {"issuedAt": 1740830400}):
        with pytest.raises(SessionSigMalformed) as err:
            check(resign(sig, key, **naive))
        assert err.value.field == "signedMessage." + next(iter(naive))
    check(resign(sig, key, issuedAt="2025-03-01T12:00:59.000Z"))  # a client clock a little ahead
    with pytest.raises(ValueError, match="naive"):
        check(sig, now=NOW.replace(tzinfo=None))


def test_lifetime_cap() -> None:
    long = session_sigs(lifetime=timedelta(days=8))[NODES[0]]
    with pytest.raises(SessionSigRefused) as err:
        check(long)
    assert err.value.field == "signedMessage.expiration" and "lifetime" in str(err.value)
    check(long, max_lifetime=timedelta(days=30))


def test_wrong_type_refused() -> None:
    sig = session_sigs()[NODES[0]]
    for name, value in (("derivedVia", "web3.eth.personal.sign"), ("algo", "secp256k1")):
        with pytest.raises(SessionSigRefused) as err:
            check({**sig, name: value})
        assert err.value.field == "sessionSig." + name
    del sig["algo"]
    with pytest.raises(SessionSigMalformed) as err:
        check(sig)
    assert err.value.field == "sessionSig.algo"


def test_capability_for_another_session_key_refused() -> None:
    key, other = SessionKey.generate(rng(1)), SessionKey.generate(rng(2))
    sig = session_sigs(key=key, capabilities=[wallet_sig(other)])[NODES[0]]
    with pytest.raises(SessionSigRefused) as err:
        check(sig)
    assert err.value.field == "signedMessage.capabilities"
    assert "capabilities[0].signedMessage URI" in str(err.value) and other.public_hex in str(err.value)


def test_capability_refused_by_the_verifier() -> None:
    key = SessionKey.generate(rng())
    forged = {**wallet_sig(key), "address": Account.from_key("0x" + "22" * 32).address}
    with pytest.raises(SessionSigRefused) as err:
        check(session_sigs(key=key, capabilities=[forged])[NODES[0]])
    assert err.value.field == "signedMessage.capabilities" and "not from authSig.address" in str(err.value)
    short = wallet_sig(key, expires_in=timedelta(minutes=5))
    with pytest.raises(SessionSigRefused, match="authSig expired"):
        check(session_sigs(key=key, capabilities=[short])[NODES[0]], now=NOW + timedelta(minutes=6))


def test_resources_outside_the_capability_refused() -> None:
    sigs = session_sigs([PKP_ANY, ACTION_ANY])
    with pytest.raises(SessionSigRefused) as err:
        check(sigs[NODES[0]], verify=verifier(PKP_ANY))
    assert err.value.field == "signedMessage.capabilities"
    assert "Resources: ReCap does not grant Threshold/Execution (lit-action-execution) on lit-litaction://*" in str(err.value)
    one_pkp = ResourceAbilityRequest("lit-pkp", "ab" * 32, "pkp-signing")
    with pytest.raises(SessionSigRefused, match="does not grant Threshold/Signing \\(pkp-signing\\) on lit-pkp://\\*"):
        check(session_sigs([PKP_ANY])[NODES[0]], verify=verifier(one_pkp))


def test_verifier_without_recap_is_refused_not_trusted() -> None:
    with pytest.raises(SessionSigRefused, match="no allows\\(ability, resource\\)"):
        check(session_sigs()[NODES[0]], verify=verifier(with_allows=False))


def test_malformed_messages() -> None:
    key = SessionKey.generate(rng())
    sig = session_sigs(key=key)[NODES[0]]
    for change, field in (
        ({"capabilities": []}, "signedMessage.capabilities"),
        ({"resourceAbilityRequests": []}, "signedMessage.resourceAbilityRequests"),
        ({"resourceAbilityRequests": [{"resource": {"resource": "*", "resourcePrefix": "lit-nope"}, "ability": "x"}]},
         "signedMessage.resourceAbilityRequests[0]"),
        ({"nodeAddress": "ftp://127.0.0.1:7470"}, "signedMessage.nodeAddress"),
        ({"nodeAddress": 7470}, "signedMessage.nodeAddress"),
    ):
        with pytest.raises((SessionSigMalformed, SessionSigRefused)) as err:
            check(resign(sig, key, **change))
        assert err.value.field == field, change
    text = "not json"
    with pytest.raises(SessionSigMalformed) as err:
        check({**sig, "signedMessage": text, "sig": key.sign(text.encode()).hex()})
    assert err.value.field == "sessionSig.signedMessage"


def test_maker_refuses_naive_or_empty() -> None:
    key = SessionKey.generate(rng())
    with pytest.raises(ValueError, match="naive"):
        make_session_sigs(key, [wallet_sig(key)], [PKP_ANY], NODES, NOW.replace(tzinfo=None), NOW + timedelta(hours=1))
    with pytest.raises(ValueError, match="capability_auth_sigs"):
        make_session_sigs(key, [], [PKP_ANY], NODES, NOW, NOW + timedelta(hours=1))
    with pytest.raises(ValueError, match="does not apply"):
        ResourceAbilityRequest.parse("lit-pkp://*", "lit-action-execution")
    with pytest.raises(ValueError, match="does not apply"):
        ResourceAbilityRequest.parse("lit-pkp://*", "Threshold/Execution")
    assert ResourceAbilityRequest.parse("lit-accesscontrolcondition://*", "Threshold/Decryption").ability == (
        "access-control-condition-decryption"
    )


# --- the client -------------------------------------------------------------------------------


def test_client_get_session_sigs() -> None:
    client = type("Client", (), {"network": type("Net", (), {"nodes": NODES})()})()
    sigs = get_session_sigs(
        client, WALLET.key, [("lit-pkp://*", "pkp-signing")], timedelta(hours=2), now=lambda: NOW, randbytes=rng()
    )
    assert list(sigs) == NODES
    keys = {s["address"] for s in sigs.values()}
    assert len(keys) == 1
    for node in NODES:
        auth = check(sigs[node], node)
        assert auth.expiration == NOW + timedelta(hours=2) and auth.address == WALLET.address
    wallet = json.loads(sigs[NODES[0]]["signedMessage"])["capabilities"][-1]["signedMessage"]
    assert "Expiration Time: 2025-03-01T14:00:00.000Z" in wallet
    again = get_session_sigs(NODES, WALLET, [PKP_ANY], NOW + timedelta(hours=2), now=lambda: NOW, randbytes=rng())
    assert again == sigs  # clock and randomness are arguments


def test_client_passes_recap_resources_when_create_auth_sig_takes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    real = client_auth.create_auth_sig

    def with_resources(account: Any, *, resources: list[dict[str, Any]] | None = None, **siwe: Any) -> dict[str, str]:
        seen["resources"] = resources
        return real(account, **siwe)

    monkeypatch.setattr(client_auth, "create_auth_sig", with_resources)
    get_session_sigs(NODES, WALLET, [ACTION_ANY], now=lambda: NOW, randbytes=rng())
    assert seen["resources"] == [("Threshold/Execution", "lit-litaction://*")]


def test_client_cannot_override_the_session_uri() -> None:
    sigs = get_session_sigs(NODES[:1], WALLET, [PKP_ANY], uri="https://example.com", now=lambda: NOW, randbytes=rng())
    check(sigs[NODES[0]])


def test_with_the_nodes_authsig_verifier() -> None:
    """The node's own verify_auth_sig (strict SIWE and ReCap) as the capability check."""
    sigs = get_session_sigs(NODES, WALLET, [PKP_ANY], timedelta(hours=1), now=lambda: NOW, randbytes=rng())
    auth = verify_session_sig(sigs[NODES[2]], NODES[2], NOW.timestamp(), verify_auth_sig)
    assert auth.address == WALLET.address and auth.allows("Threshold/Signing", "lit-pkp://*")
    assert not auth.allows("Threshold/Execution", "lit-litaction://*")
    with pytest.raises(SessionSigRefused) as err:
        verify_session_sig(sigs[NODES[2]], NODES[0], NOW.timestamp(), verify_auth_sig)
    assert err.value.field == "signedMessage.nodeAddress"
    key = SessionKey.generate(rng(5))
    narrow = client_auth.create_auth_sig(  # a ReCap for actions only, behind a session asking for PKP signing
        WALLET, uri=key.uri, issued_at=NOW, expires_in=timedelta(hours=1),
        resources=[("Threshold/Execution", "lit-litaction://*")],
    )
    sig = make_session_sigs(key, [narrow], [PKP_ANY], NODES, NOW, NOW + timedelta(hours=1))[NODES[0]]
    with pytest.raises(SessionSigRefused, match="ReCap does not grant Threshold/Signing"):
        verify_session_sig(sig, NODES[0], NOW.timestamp(), verify_auth_sig)
