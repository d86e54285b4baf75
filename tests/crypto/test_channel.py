"""Identities, sealed payloads and signed messages."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.crypto.channel import (
    ResponseKey,
    bind,
    open_sealed,
    seal,
    seal_response,
    sign,
    sign_message,
    verify,
    verify_message,
)
from runtime.crypto.errors import InvalidInput, ProtocolError, VerificationFailed
from runtime.crypto.identity import PartyKeys, PeerDirectory, PublicKeys
from runtime.crypto.protocol import Message

ALICE = PartyKeys.generate(random.Random("alice").randbytes)
BOB = PartyKeys.generate(random.Random("bob").randbytes)
AD = bind("litrt/test", "session-1", 1, 2)


@settings(max_examples=40, deadline=None)
@given(plaintext=st.binary(max_size=2048), ad=st.binary(max_size=64))
def test_seal_then_open_is_identity(plaintext, ad):
    assert open_sealed(BOB, seal(BOB.public.encryption_key, plaintext, ad), ad) == plaintext


def test_sealed_payload_is_bound_to_recipient_and_associated_data():
    sealed = seal(BOB.public.encryption_key, b"share", AD)
    for key, ad in [(ALICE, AD), (BOB, bind("litrt/test", "session-2", 1, 2)), (BOB, bind("litrt/test", "session-1", 3, 2))]:
        with pytest.raises(VerificationFailed):
            open_sealed(key, sealed, ad)
    for i in (0, 1, 40, len(sealed) - 1):  # version, ephemeral key, nonce, tag
        tampered = bytearray(sealed)
        tampered[i] ^= 1
        with pytest.raises(VerificationFailed):
            open_sealed(BOB, bytes(tampered), AD)
    with pytest.raises(VerificationFailed):
        open_sealed(BOB, sealed[:20], AD)


def test_seal_is_deterministic_only_with_handed_in_randomness():
    a = seal(BOB.public.encryption_key, b"x", AD, randbytes=random.Random(1).randbytes)
    b = seal(BOB.public.encryption_key, b"x", AD, randbytes=random.Random(1).randbytes)
    assert a == b != seal(BOB.public.encryption_key, b"x", AD)


def test_bind_is_unambiguous():
    assert bind("ab", "c") != bind("a", "bc")
    assert bind(1, "2") != bind("1", 2)
    with pytest.raises(InvalidInput) as err:
        bind(True)
    assert err.value.field == "associated_data"


def test_seal_rejects_bad_recipient_keys():
    with pytest.raises(InvalidInput) as err:
        seal("zz", b"x")
    assert err.value.field == "recipient"
    with pytest.raises(InvalidInput) as err:
        seal(bytes(32), b"x")  # a low-order point: the shared secret would be zero
    assert err.value.field == "recipient"


def test_response_key_round_trip_for_clients():
    client = ResponseKey.generate()
    sealed_hex = seal_response(client.public_hex, b'{"share":"..."}', b"request-7")
    assert client.open(sealed_hex, b"request-7") == b'{"share":"..."}'
    with pytest.raises(VerificationFailed):
        ResponseKey.generate().open(sealed_hex, b"request-7")
    with pytest.raises(InvalidInput) as err:
        client.open("not hex")
    assert err.value.field == "sealed"


def test_sign_and_verify():
    signature = sign(ALICE, b"data")
    verify(ALICE.public.signing_key, b"data", signature)
    with pytest.raises(VerificationFailed) as err:
        verify(BOB.public.signing_key, b"data", signature, party=2)
    assert err.value.parties == (2,)


def test_signed_messages_cannot_be_forged_or_readdressed():
    directory = PeerDirectory.of({1: ALICE, 2: BOB})
    message = sign_message(ALICE, Message("s", "deal", 1, None, {"x": [1, "a"]}))
    verify_message(directory, message)
    verify_message(directory, Message.from_json(message.to_json()))
    for forged in [
        replace(message, session="t"),
        replace(message, kind="answer"),
        replace(message, recipient=2),
        replace(message, sender=2),
        replace(message, body=dict(message.body, x=[2, "a"])),
    ]:
        with pytest.raises(VerificationFailed):
            verify_message(directory, forged)
    with pytest.raises(ProtocolError, match="sender"):
        verify_message(directory, replace(message, sender=3))


def test_party_keys_serialise_for_sealed_storage():
    raw = ALICE.to_bytes()
    assert len(raw) == 65
    again = PartyKeys.from_bytes(raw)
    assert again.public == ALICE.public
    assert open_sealed(again, seal(ALICE.public.encryption_key, b"m", AD), AD) == b"m"
    assert raw.hex() not in repr(ALICE)
    with pytest.raises(InvalidInput) as err:
        PartyKeys.from_bytes(raw[:-1])
    assert err.value.field == "party_keys"
    with pytest.raises(InvalidInput):
        PartyKeys.from_bytes(b"\x09" + raw[1:])


def test_peer_directory_round_trip_and_validation():
    directory = PeerDirectory.of({2: BOB, 1: ALICE})
    assert directory.indices == (1, 2)
    assert PeerDirectory.from_dict(directory.to_dict())[2] == BOB.public
    with pytest.raises(ProtocolError):
        directory.require(5)
    with pytest.raises(InvalidInput) as err:
        PublicKeys(signing_key="00" * 31, encryption_key=BOB.public.encryption_key)
    assert err.value.field == "signing_key"
    with pytest.raises(InvalidInput) as err:
        PublicKeys.from_dict({"signing_key": BOB.public.signing_key})
    assert err.value.field == "encryption_key"
    with pytest.raises(InvalidInput) as err:
        PeerDirectory.from_dict({"x": BOB.public.to_dict()})
    assert err.value.field == "peers"


def test_public_keys_compare_by_value_not_spelling():
    upper = PublicKeys(signing_key="0x" + ALICE.public.signing_key.upper(), encryption_key=ALICE.public.encryption_key)
    assert upper == ALICE.public
