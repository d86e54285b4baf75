"""Pure helpers of runtime.chain.pkp: token ids, CID bytes, pubkey forms."""

from __future__ import annotations

import coincurve
import pytest
from eth_utils import keccak

from runtime.chain.errors import ChainError, InvalidArgument
from runtime.chain.pkp import bytes_to_cid, cid_to_bytes, normalize_pubkey, pubkey_to_token_id

HELLO = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"


def test_cid_bytes_are_the_multihash() -> None:
    raw = cid_to_bytes(HELLO)
    assert len(raw) == 34 and raw[:2] == b"\x12\x20"  # as Lit's ipfsCidV0ToHex gives
    assert bytes_to_cid(raw) == HELLO
    with pytest.raises(InvalidArgument, match="cid"):
        cid_to_bytes("Qm-not-base58")
    with pytest.raises(ChainError, match="multihash"):
        bytes_to_cid(b"\x01\x02")


def test_token_id_from_either_pubkey_form() -> None:
    key = coincurve.PrivateKey(b"\x05" * 32).public_key
    full = key.format(compressed=False)
    assert pubkey_to_token_id(full) == int.from_bytes(keccak(full), "big")
    assert pubkey_to_token_id(key.format()) == pubkey_to_token_id(full)
    assert pubkey_to_token_id("0x" + full.hex()) == pubkey_to_token_id(full)
    assert normalize_pubkey(key.format()) == full
    with pytest.raises(InvalidArgument, match="pubkey"):
        normalize_pubkey(b"\x04" + bytes(64))
