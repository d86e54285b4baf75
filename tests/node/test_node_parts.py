"""The node's pieces on their own: sealed store, usage log, authSigs, peer envelopes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from eth_account import Account

from node.auth import verify_auth_sig
from node.config import NodeConfig, PeerInfo
from node.errors import BadRequest, NotPermitted, StateCorrupted, Unauthorized
from node.peer import PeerTransport, ReplayGuard, open_envelope
from node.sealed import SealedStore, load_or_create_key
from node.usage_log import UsageLog
from runtime.client.auth import create_auth_sig
from runtime.crypto.errors import PresignatureReused
from runtime.crypto.identity import PartyKeys


def test_sealed_store_round_trip_and_tamper(tmp_path):
    key = load_or_create_key(tmp_path / "seal.key")
    store = SealedStore(tmp_path / "state", key)
    store.save("network-keys", {"share": "abc"})
    assert store.load("network-keys") == {"share": "abc"}
    assert b"abc" not in (tmp_path / "state" / "network-keys.sealed").read_bytes()
    blob = bytearray((tmp_path / "state" / "network-keys.sealed").read_bytes())
    blob[-1] ^= 1
    (tmp_path / "state" / "network-keys.sealed").write_bytes(bytes(blob))
    with pytest.raises(StateCorrupted, match="failed authentication"):
        store.load("network-keys")


def test_sealed_records_cannot_be_swapped(tmp_path):
    store = SealedStore(tmp_path, load_or_create_key(tmp_path / "k"))
    store.save("a", 1)
    store.save("b", 2)
    (tmp_path / "a.sealed").write_bytes((tmp_path / "b.sealed").read_bytes())
    with pytest.raises(StateCorrupted):
        store.load("a")


def test_wrong_sealing_key_is_refused(tmp_path):
    SealedStore(tmp_path / "s", load_or_create_key(tmp_path / "k1")).save("identity", "x")
    with pytest.raises(StateCorrupted):
        SealedStore(tmp_path / "s", load_or_create_key(tmp_path / "k2")).load("identity")


def _usage_log(tmp_path):
    store = SealedStore(tmp_path / "state", load_or_create_key(tmp_path / "secrets" / "seal.key"))
    return UsageLog(
        tmp_path / "state" / "usage.log",
        mac_key=store.derive_key("presign-usage-log"),
        counter_path=tmp_path / "secrets" / "seal.key.usage-counter",
    )


def test_usage_log_refuses_second_message_and_survives_restart(tmp_path):
    log = _usage_log(tmp_path)
    log.claim("p/1", "aa")
    log.claim("p/1", "aa")  # the same message again yields the same share: allowed
    with pytest.raises(PresignatureReused):
        log.claim("p/1", "bb")
    reopened = _usage_log(tmp_path)
    assert reopened.message_for("p/1") == "aa"
    with pytest.raises(PresignatureReused):
        reopened.claim("p/1", "bb")


def test_usage_log_ignores_a_torn_last_line(tmp_path):
    _usage_log(tmp_path).claim("p/1", "aa")
    with open(tmp_path / "state" / "usage.log", "a") as fh:
        fh.write('{"id": "p/2", "ms')
    log = _usage_log(tmp_path)
    assert log.is_used("p/1") and not log.is_used("p/2")


def _auth(account, **kw):
    return create_auth_sig(account.key, **kw)


def test_auth_sig_accepts_a_fresh_siwe_signature():
    account = Account.create()
    assert verify_auth_sig(_auth(account)).address == account.address


def test_auth_sig_refusals_name_the_rule():
    account, other = Account.create(), Account.create()
    past = datetime.now(timezone.utc) - timedelta(hours=3)
    with pytest.raises(NotPermitted, match="expired"):
        verify_auth_sig(_auth(account, issued_at=past))
    forged = {**_auth(account), "address": other.address}
    with pytest.raises(NotPermitted, match="not from authSig.address"):
        verify_auth_sig(forged)
    # Not an ECDSA signature: a refusal, not a malformed request (a contract wallet's EIP-1271
    # signature may have any length; `authenticate` asks the wallet, this check alone refuses).
    with pytest.raises(NotPermitted, match="authSig.sig"):
        verify_auth_sig({**_auth(account), "sig": "0x1234"})
    with pytest.raises(BadRequest, match="signedMessage"):
        verify_auth_sig({"sig": "0x", "address": account.address})
    future = datetime.now(timezone.utc) + timedelta(hours=2)
    with pytest.raises(NotPermitted, match="Issued At"):
        verify_auth_sig(_auth(account, issued_at=future, expires_in=timedelta(hours=3)))
    edited = _auth(account)
    edited["signedMessage"] = edited["signedMessage"].replace("Version: 1", "Version: 2")
    with pytest.raises(NotPermitted):
        verify_auth_sig(edited)


def _config(keys: dict[int, PartyKeys], index: int) -> NodeConfig:
    peers = [
        PeerInfo(i, f"http://127.0.0.1:{7000 + i}", k.public.signing_key, k.public.encryption_key)
        for i, k in keys.items()
    ]
    return NodeConfig(index, "127.0.0.1", 7000 + index, peers, "/tmp/x", "/tmp/k", {}, "0x" + "0" * 40)


def test_peer_envelopes_are_signed_and_bound_to_path_and_network():
    keys = {i: PartyKeys.generate() for i in (1, 2, 3)}
    sender = PeerTransport(_config(keys, 1), "net-a", keys[1].signing)
    receiver = _config(keys, 2)
    guard = ReplayGuard()
    envelope = sender.envelope("/peer/message", {"hello": 1}, recipient=2)
    assert open_envelope(receiver, "net-a", "/peer/message", envelope, guard) == (1, {"hello": 1})
    with pytest.raises(Unauthorized, match="bad signature"):
        open_envelope(receiver, "net-a", "/peer/presign/start", envelope, guard)
    with pytest.raises(Unauthorized, match="bad signature"):
        open_envelope(receiver, "net-b", "/peer/message", envelope, guard)
    with pytest.raises(Unauthorized, match="bad signature"):
        open_envelope(receiver, "net-a", "/peer/message", {**envelope, "body": '{"hello":2}'}, guard)
    with pytest.raises(Unauthorized, match="unknown node 9"):
        open_envelope(receiver, "net-a", "/peer/message", {**envelope, "from": 9}, guard)
    impostor = PeerTransport(_config(keys, 3), "net-a", keys[3].signing).envelope("/peer/message", {"x": 1}, recipient=2)
    with pytest.raises(Unauthorized):
        open_envelope(receiver, "net-a", "/peer/message", {**impostor, "from": 1}, guard)
    with pytest.raises(BadRequest):
        open_envelope(receiver, "net-a", "/peer/message", {"from": "x"}, guard)


def test_config_rejects_bad_peer_indices():
    keys = {i: PartyKeys.generate() for i in (1, 2)}
    data = json.loads(_config(keys, 1).to_json())
    data["peers"][1]["index"] = 5
    with pytest.raises(BadRequest, match="1..n"):
        NodeConfig.from_dict(data)
