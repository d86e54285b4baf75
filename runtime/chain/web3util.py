"""The one boundary to web3.py: connecting, mapping its exceptions to ours, sending transactions.

Everything else in runtime.chain goes through `connect`, `mapped_errors` and `TxSender`, so no
web3 or aiohttp exception reaches a caller of this package.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import aiohttp
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception, Web3RPCError
from web3.middleware import AttributeDictMiddleware

from .errors import ChainError, ContractReverted, NotOwner, RpcError, RpcUnavailable, TransactionFailed, redact_urls

__all__ = ["connect", "mapped_errors", "TxSender", "REQUEST_TIMEOUT_S"]

REQUEST_TIMEOUT_S = 30.0
RECEIPT_TIMEOUT_S = 120.0
# Reverts that mean "you may not do this" rather than "this input is wrong".
_NOT_OWNER_REASONS = ("caller is not the PKP owner", "from is not the PKP owner", "caller is not the admin")


# web3's default middleware minus what costs on every request and does nothing for us:
# - "validation" sends an extra eth_chainId request before every eth_call/eth_estimateGas, to check
#   a chainId we never put there (TxSender signs locally with the chain's own id and sends raw
#   transactions, which it does not check); measured: a contract read costs about half the CPU
#   without it. It also refuses blocks with POA-length extraData, which we do not want either.
# - "gas_price_strategy" and "gas_estimate" only fill in eth_sendTransaction, which we never send.
# - "ens_name_to_address": no chain we talk to has ENS; addresses are checked before they get here.
# Kept: "attrdict", so results are the AttributeDicts web3 users expect.
_MIDDLEWARE = ((AttributeDictMiddleware, "attrdict"),)


def connect(url: str) -> AsyncWeb3[AsyncHTTPProvider]:
    """An AsyncWeb3 on `url`; close it with `await w3.provider.disconnect()`."""
    provider = AsyncHTTPProvider(url, request_kwargs={"timeout": aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)})
    return AsyncWeb3(provider, middleware=_MIDDLEWARE)


# geth/eth-tester say "execution reverted: R"; ganache says "VM Exception ...: revert R"
_REVERT_PREFIXES = ("execution reverted", "VM Exception while processing transaction: revert")


def _revert_reason(message: str) -> str | None:
    """The contract's reason if `message` reports a revert, else None."""
    reason = None
    stripped = True
    while stripped:  # web3 may wrap ganache's message in its own prefix: peel both
        stripped = False
        for prefix in _REVERT_PREFIXES:
            if message.startswith(prefix):
                message = reason = message[len(prefix):].lstrip(": ")
                stripped = True
    return None if reason is None else reason or "no reason given"


def _reverted(reason: str, what: str) -> ContractReverted:
    cls = NotOwner if any(r in reason for r in _NOT_OWNER_REASONS) else ContractReverted
    return cls(reason, what)


@contextlib.contextmanager
def mapped_errors(url: str, what: str) -> Iterator[None]:
    """Turn web3/aiohttp failures inside the block into runtime.chain errors naming `what`."""
    try:
        yield
    except ChainError:
        raise
    except ContractLogicError as exc:
        message = str(exc.message or "")
        raise _reverted(_revert_reason(message) or message or "no reason given", what) from exc
    except Web3RPCError as exc:
        err = exc.rpc_response.get("error", {}) if isinstance(exc.rpc_response, dict) else {}
        message = str(err.get("message", exc))
        reason = _revert_reason(message)
        if reason is not None:  # a revert web3 did not recognise (ganache's error shape)
            raise _reverted(reason, what) from exc
        raise RpcError(int(err.get("code", -32000)), f"{what}: {message}", err.get("data")) from exc
    except TimeExhausted as exc:
        raise ChainError(f"{what}: no receipt within {RECEIPT_TIMEOUT_S:.0f} s") from exc
    except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError) as exc:
        raise RpcUnavailable(url, f"{what}: {type(exc).__name__}: {exc}") from exc
    except Web3Exception as exc:
        raise ChainError(f"{what}: {redact_urls(str(exc), [url])}") from exc


class TxSender:
    """Signs transactions locally with one key and sends them as raw transactions.

    Nonces are read from the chain under a lock, so concurrent sends from one TxSender are
    ordered; two senders (or processes) using the same key at once are not supported.
    """

    def __init__(self, w3: AsyncWeb3[AsyncHTTPProvider], url: str, private_key: str | bytes) -> None:
        self.w3 = w3
        self.url = url
        self.account: LocalAccount = Account.from_key(private_key)
        self._lock = asyncio.Lock()
        self._chain_id: int | None = None

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    async def send(self, tx: dict[str, Any], what: str) -> dict[str, Any]:
        """Estimate, sign, send and wait for `tx` ({to?, data, value?}); returns the receipt.

        A revert during estimation raises ContractReverted (or NotOwner) with the contract's
        reason before anything is sent; a mined failure raises TransactionFailed.
        """
        with mapped_errors(self.url, what):
            async with self._lock:
                if self._chain_id is None:
                    self._chain_id = await self.w3.eth.chain_id
                full = {"from": self.address, "value": 0, **tx}
                gas = await self.w3.eth.estimate_gas(full)  # type: ignore[arg-type]
                full.update(
                    # headroom: refunds and the 63/64 rule can make an exact estimate fall short
                    gas=gas * 5 // 4 + 10_000,
                    gasPrice=await self.w3.eth.gas_price,
                    nonce=await self.w3.eth.get_transaction_count(self.address, "pending"),
                    chainId=self._chain_id,
                )
                del full["from"]
                signed = self.account.sign_transaction(full)
                tx_hash = await self.w3.eth.send_raw_transaction(signed.raw_transaction)
            receipt = await self.w3.eth.wait_for_transaction_receipt(
                tx_hash, timeout=RECEIPT_TIMEOUT_S, poll_latency=0.05
            )
        if receipt["status"] != 1:
            raise TransactionFailed("0x" + bytes(tx_hash).hex(), what)
        return dict(receipt)
