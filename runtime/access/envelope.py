"""Data encrypted to the network under conditions: its identity, and its wire form.

Clients and actions (on a node) encrypt the same way, and nodes sign the same identity, so all of
them build it here: `lit-accesscontrolcondition://{conditions hash}/{data hash}` (docs/architecture.md §Access control).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from runtime.crypto import ibe
from runtime.crypto.bls import G1Point
from runtime.crypto.errors import CryptoError

from .canonical import conditions_hash
from .conditions import Group

__all__ = ["access_identity", "encrypt_under_conditions", "parse_ciphertext"]


def access_identity(kind: str, parsed: Group, data_hash: str) -> bytes:
    """The IBE identity for conditions `parsed` (request field `kind`) and the data's hex SHA-256."""
    return ibe.access_control_identity(conditions_hash(kind, parsed), data_hash)


def encrypt_under_conditions(network_key: G1Point | bytes, data: bytes, kind: str, parsed: Group) -> tuple[str, str]:
    """Lit's (ciphertext as base64, dataToEncryptHash as hex) for `data` under the conditions."""
    data_hash = hashlib.sha256(data).hexdigest()
    ciphertext = ibe.encrypt(network_key, data, access_identity(kind, parsed, data_hash))
    return base64.b64encode(ciphertext.to_bytes()).decode(), data_hash


def parse_ciphertext(text: object) -> ibe.Ciphertext:
    """A base64 ciphertext as Lit sends it; ValueError saying what is wrong with it."""
    try:
        return ibe.Ciphertext.from_bytes(base64.b64decode(str(text), validate=True))
    except (binascii.Error, ValueError, CryptoError) as exc:
        raise ValueError(f"ciphertext: not a base64 BLS ciphertext ({exc})") from None
