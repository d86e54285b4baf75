"""The transaction a Lit Action hands to `Lit.Actions.callContract`, decoded into an eth_call.

Lit's users write `ethers.utils.serializeTransaction({to, data, ...})` and pass the hex. lit-peer
(`lit-node/src/functions/action_client.rs`, CallContract) decodes it with ethers-rs
`TransactionRequest::decode_unsigned_rlp`: an RLP list whose first six items are the legacy fields
nonce, gasPrice, gasLimit, to, value, data; what follows (an EIP-155 chainId and its two empty
items, or a signature) is read past. A typed (EIP-2718) transaction starts with its type byte, not
an RLP list, so Lit refuses it; so do we, saying how to serialize instead. No `from` is sent, and a
gas limit of 0 or none becomes 10,000,000, as in lit-peer (an eth_call with no gas can fail). The
nonce and gasPrice are not sent (lit-peer passes them on): a call does not use a nonce, and a
price would only make the zero-balance `from` unable to pay.
"""

from __future__ import annotations

from dataclasses import dataclass

import rlp  # type: ignore[import-untyped]  # pyrlp ships no types
from rlp.sedes import big_endian_int  # type: ignore[import-untyped]

from .errors import InvalidArgument

__all__ = ["CallTxn", "decode_call_txn", "DEFAULT_CALL_GAS"]

DEFAULT_CALL_GAS = 10_000_000
_LEGACY_FIELDS = ("nonce", "gasPrice", "gasLimit", "to", "value", "data")
_TYPED_TX_MAX_TYPE = 0x7F  # EIP-2718: a first byte up to 0x7f is a transaction type


@dataclass(frozen=True)
class CallTxn:
    to: str  # 0x-hex address, lower case
    data: bytes
    value: int
    gas: int


def decode_call_txn(txn: str) -> CallTxn:
    """The eth_call an action's serialized legacy transaction (hex, 0x optional) asks for."""
    raw = _hex_bytes(txn)
    if not raw:
        raise InvalidArgument("txn", "empty: expected a serialized transaction")
    if raw[0] <= _TYPED_TX_MAX_TYPE:
        raise InvalidArgument(
            "txn",
            f"a typed (EIP-2718, type {raw[0]:#04x}) transaction: Lit decodes only legacy RLP transactions; "
            "serialize one without type, maxFeePerGas or accessList",
        )
    try:
        items = rlp.decode(raw, strict=True)
    except rlp.exceptions.DecodingError as exc:
        raise InvalidArgument("txn", f"not RLP: {exc}") from None
    if not isinstance(items, list) or len(items) < len(_LEGACY_FIELDS):
        count = len(items) if isinstance(items, list) else "a byte string, not"
        raise InvalidArgument(
            "txn", f"expected an RLP list of at least 6 items ({', '.join(_LEGACY_FIELDS)}), got {count} items"
        )
    fields = dict(zip(_LEGACY_FIELDS, items))
    for name, value in fields.items():
        if isinstance(value, list):
            raise InvalidArgument(f"txn.{name}", "expected a byte string, got a list")
    to = fields["to"]
    if len(to) != 20:
        what = "empty (a contract creation)" if not to else f"{len(to)} bytes"
        raise InvalidArgument("txn.to", f"expected a 20-byte contract address, got {what}")
    gas = _integer(fields["gasLimit"], "gasLimit")
    return CallTxn(
        to="0x" + to.hex(),
        data=fields["data"],
        value=_integer(fields["value"], "value"),
        gas=gas or DEFAULT_CALL_GAS,
    )


def _hex_bytes(text: str) -> bytes:
    digits = text[2:] if text.startswith(("0x", "0X")) else text
    if len(digits) % 2:
        digits = "0" + digits  # lit-peer's hex_to_bytes pads an odd length the same way
    try:
        return bytes.fromhex(digits)
    except ValueError:
        raise InvalidArgument("txn", f"not hex: {text[:80]!r}") from None


def _integer(value: bytes, name: str) -> int:
    try:
        number: int = big_endian_int.deserialize(value)
        return number
    except rlp.exceptions.DeserializationError as exc:
        raise InvalidArgument(f"txn.{name}", f"not an RLP integer: {exc}") from None
