"""EIP-1271: asking a contract wallet whether a signature is its own.

A contract account has no key, so a sign-in by one (a Safe, a smart account) is checked by calling
`isValidSignature(bytes32 hash, bytes signature)` on it; the wallet answers the magic value
0x1626ba7e when it accepts. The call is made raw (selector plus eth_abi words, the answer's first
four bytes compared) so that a wallet that answers nonsense is simply not valid.
"""

from __future__ import annotations

from eth_abi.abi import encode as abi_encode
from eth_typing import HexStr
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from .errors import ContractReverted, InvalidArgument
from .web3util import connect, mapped_errors

__all__ = ["EIP1271_MAGIC_VALUE", "is_valid_signature"]

EIP1271_MAGIC_VALUE = bytes.fromhex("1626ba7e")
_SELECTOR = function_signature_to_4byte_selector("isValidSignature(bytes32,bytes)")


async def is_valid_signature(rpc_url: str, wallet: str, digest: bytes, signature: bytes) -> bool:
    """Whether the contract at `wallet` accepts `signature` over `digest` (EIP-1271).

    False when the address has no code (an EOA or nothing), when the call reverts, and when the
    answer is not the magic value. An unreachable or failing endpoint raises RpcUnavailable or
    RpcError: "could not ask" must not read as "refused" to a caller that retries.
    """
    try:
        address = to_checksum_address(wallet)
    except (ValueError, TypeError):
        raise InvalidArgument("wallet", f"not an Ethereum address: {wallet!r}") from None
    if not isinstance(digest, (bytes, bytearray)) or len(digest) != 32:
        raise InvalidArgument("digest", f"must be exactly 32 bytes, not {digest!r}")
    if not isinstance(signature, (bytes, bytearray)):
        raise InvalidArgument("signature", f"must be bytes, not {type(signature).__name__}")
    data = _SELECTOR + abi_encode(["bytes32", "bytes"], [bytes(digest), bytes(signature)])
    w3 = connect(rpc_url)
    try:
        with mapped_errors(rpc_url, f"eth_getCode of wallet {address}"):
            code = await w3.eth.get_code(address)
        if not code:
            return False
        try:
            with mapped_errors(rpc_url, f"isValidSignature on wallet {address}"):
                answer = bytes(await w3.eth.call({"to": address, "data": HexStr("0x" + data.hex())}))
        except ContractReverted:
            return False
    finally:
        await w3.provider.disconnect()
    # bytes4 comes back left-aligned in one 32-byte word; the rest of the word must be zero
    return len(answer) == 32 and answer[:4] == EIP1271_MAGIC_VALUE and not any(answer[4:])
