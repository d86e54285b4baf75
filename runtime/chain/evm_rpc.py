"""Ethereum JSON-RPC methods over an in-process eth-tester / py-evm chain (synchronous).

`EvmRpc.handle(method, params)` takes and returns JSON-RPC shapes (hex quantities, camelCase
keys) and raises `RpcError` with the codes real nodes use. It is not thread-safe: the dev chain
calls it from one worker thread only. Every transaction is mined at once in its own block, so
there is no pending pool and the "pending" tag means "latest".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth.vm.spoof import SpoofTransaction
from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_bloom.bloom import BloomFilter
# eth-tester ships no types.
from eth_tester import EthereumTester, PyEVMBackend  # type: ignore[import-untyped]
from eth_tester.exceptions import BlockNotFound, TransactionFailed, TransactionNotFound  # type: ignore[import-untyped]
from eth_utils.address import to_canonical_address
from eth_utils.crypto import keccak
from eth_utils.exceptions import ValidationError

from .errors import RpcError

__all__ = ["EvmRpc", "ERROR_SELECTOR", "PRIORITY_FEE"]

ERROR_SELECTOR = keccak(text="Error(string)")[:4]
PRIORITY_FEE = 10**9  # what eth_maxPriorityFeePerGas suggests; any tip is accepted
_ZERO_ADDRESS = "0x" + "00" * 20

# JSON-RPC error codes as geth/ganache use them
_INVALID_PARAMS = -32602
_METHOD_NOT_FOUND = -32601
_SERVER_ERROR = -32000
_EXECUTION_REVERTED = 3


def _quantity(value: str | int, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.startswith(("0x", "0X")):
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise RpcError(_INVALID_PARAMS, f"{field}: expected a hex quantity, got {value!r}")


def _hexbytes(value: str, field: str) -> bytes:
    if not isinstance(value, str) or not value.startswith(("0x", "0X")):
        raise RpcError(_INVALID_PARAMS, f"{field}: expected 0x-prefixed hex data, got {value!r}")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise RpcError(_INVALID_PARAMS, f"{field}: not valid hex") from None


def _hex(value: int) -> str:
    return hex(value)


def _revert_error(exc: TransactionFailed) -> RpcError:
    """eth-tester gives the decoded reason (calls) or the raw revert data (estimates): rebuild both."""
    arg = exc.args[0] if exc.args else b""
    if isinstance(arg, bytes):
        data = arg
        reason = ""
        if data[:4] == ERROR_SELECTOR:
            try:
                reason = abi_decode(["string"], data[4:])[0]
            except Exception:  # malformed Error(string) payload: keep the raw data only
                reason = ""
    else:
        reason = str(arg)
        data = ERROR_SELECTOR + abi_encode(["string"], [reason])
    message = f"execution reverted: {reason}" if reason else "execution reverted"
    return RpcError(_EXECUTION_REVERTED, message, "0x" + data.hex())


def _format_log(log: dict[str, Any]) -> dict[str, Any]:
    return {
        "removed": False,
        "logIndex": _hex(log["log_index"]),
        "transactionIndex": _hex(log["transaction_index"]),
        "transactionHash": log["transaction_hash"],
        "blockHash": log["block_hash"],
        "blockNumber": _hex(log["block_number"]),
        "address": log["address"],
        "data": log["data"],
        "topics": list(log["topics"]),
    }


def _bloom_of(logs: list[dict[str, Any]]) -> str:
    bloom = BloomFilter()
    for log in logs:
        bloom.add(bytes.fromhex(log["address"][2:]))
        for topic in log["topics"]:
            bloom.add(bytes.fromhex(topic[2:]))
    return "0x" + int(bloom).to_bytes(256, "big").hex()


def _format_tx(tx: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": tx["type"],
        "hash": tx["hash"],
        "nonce": _hex(tx["nonce"]),
        "blockHash": tx["block_hash"],
        "blockNumber": _hex(tx["block_number"]),
        "transactionIndex": _hex(tx["transaction_index"]),
        "from": tx["from"],
        "to": tx["to"] or None,
        "value": _hex(tx["value"]),
        "gas": _hex(tx["gas"]),
        "gasPrice": _hex(tx["gas_price"]),
        "input": tx["data"],
        "v": _hex(tx["v"]),
        "r": _hex(tx["r"]),
        "s": _hex(tx["s"]),
    }
    if "chain_id" in tx:
        out["chainId"] = _hex(tx["chain_id"])
    if "max_fee_per_gas" in tx:
        out["maxFeePerGas"] = _hex(tx["max_fee_per_gas"])
        out["maxPriorityFeePerGas"] = _hex(tx["max_priority_fee_per_gas"])
    if "access_list" in tx:
        out["accessList"] = [
            {"address": e["address"], "storageKeys": list(e["storage_keys"])} for e in tx["access_list"]
        ]
    if "y_parity" in tx:
        out["yParity"] = _hex(tx["y_parity"])
    return out


def _format_receipt(r: dict[str, Any]) -> dict[str, Any]:
    logs = [_format_log(log) for log in r["logs"]]
    return {
        "transactionHash": r["transaction_hash"],
        "transactionIndex": _hex(r["transaction_index"]),
        "blockHash": r["block_hash"],
        "blockNumber": _hex(r["block_number"]),
        "from": r["from"],
        "to": r["to"] or None,
        "contractAddress": r["contract_address"],
        "cumulativeGasUsed": _hex(r["cumulative_gas_used"]),
        "gasUsed": _hex(r["gas_used"]),
        "effectiveGasPrice": _hex(r["effective_gas_price"]),
        "logs": logs,
        "logsBloom": _bloom_of(list(r["logs"])),
        "status": _hex(r["status"]),
        "type": r["type"],
    }


def _format_block(b: dict[str, Any], full: bool) -> dict[str, Any]:
    txs = b["transactions"]
    return {
        "number": _hex(b["number"]),
        "hash": b["hash"],
        "parentHash": b["parent_hash"],
        "nonce": b["nonce"],
        "sha3Uncles": b["sha3_uncles"],
        "logsBloom": "0x" + int(b["logs_bloom"]).to_bytes(256, "big").hex(),
        "transactionsRoot": b["transactions_root"],
        "stateRoot": b["state_root"],
        "receiptsRoot": b["receipts_root"],
        "miner": b["coinbase"],
        "difficulty": _hex(b["difficulty"]),
        "totalDifficulty": _hex(b["total_difficulty"]),
        "mixHash": b["mix_hash"],
        "extraData": b["extra_data"],
        "size": _hex(b["size"]),
        "gasLimit": _hex(b["gas_limit"]),
        "gasUsed": _hex(b["gas_used"]),
        "timestamp": _hex(b["timestamp"]),
        "transactions": [_format_tx(t) for t in txs] if full else list(txs),
        "uncles": list(b["uncles"]),
        "baseFeePerGas": _hex(b["base_fee_per_gas"]),
        "withdrawals": [],
        "withdrawalsRoot": b["withdrawals_root"],
    }


class EvmRpc:
    """The JSON-RPC method table of one eth-tester chain."""

    def __init__(self, backend: PyEVMBackend, chain_id: int) -> None:
        # py-evm's chain class fixes its id; an instance attribute overrides it for CHAINID,
        # signing defaults and eth_chainId alike.
        backend.chain.chain_id = chain_id
        self.chain_id = chain_id
        self.backend = backend
        self.tester = EthereumTester(backend)
        self._methods: dict[str, Callable[[list[Any]], Any]] = {
            "web3_clientVersion": lambda p: "litrt-devchain/eth-tester+py-evm",
            "net_version": lambda p: str(self.chain_id),
            "net_listening": lambda p: True,
            "eth_chainId": lambda p: _hex(self.chain_id),
            "eth_syncing": lambda p: False,
            "eth_mining": lambda p: False,
            "eth_accounts": lambda p: list(self.tester.get_accounts()),
            "eth_blockNumber": lambda p: _hex(self._latest_number()),
            "eth_gasPrice": lambda p: _hex(self._next_base_fee() + PRIORITY_FEE),
            "eth_maxPriorityFeePerGas": lambda p: _hex(PRIORITY_FEE),
            "eth_feeHistory": self._fee_history,
            "eth_getBalance": lambda p: _hex(self.tester.get_balance(self._address(p, 0), self._tag(p, 1))),
            "eth_getTransactionCount": lambda p: _hex(self.tester.get_nonce(self._address(p, 0), self._tag(p, 1))),
            "eth_getCode": lambda p: self.tester.get_code(self._address(p, 0), self._tag(p, 1)),
            "eth_getStorageAt": self._get_storage_at,
            "eth_call": self._call,
            "eth_estimateGas": self._estimate_gas,
            "eth_sendRawTransaction": self._send_raw_transaction,
            "eth_sendTransaction": self._send_transaction,
            "eth_getTransactionByHash": self._get_transaction,
            "eth_getTransactionReceipt": self._get_receipt,
            "eth_getBlockByNumber": self._get_block_by_number,
            "eth_getBlockByHash": self._get_block_by_hash,
            "eth_getLogs": self._get_logs,
        }

    @property
    def methods(self) -> list[str]:
        return sorted(self._methods)

    def handle(self, method: str, params: list[Any] | None) -> Any:
        fn = self._methods.get(method)
        if fn is None:
            raise RpcError(_METHOD_NOT_FOUND, f"the method {method} does not exist/is not available")
        if params is not None and not isinstance(params, list):
            raise RpcError(_INVALID_PARAMS, f"{method}: params must be a list")
        try:
            return fn(params or [])
        except RpcError:
            raise
        except TransactionFailed as exc:
            raise _revert_error(exc) from None
        except (ValidationError, ValueError, TypeError) as exc:
            raise RpcError(_SERVER_ERROR, f"{method}: {exc}") from None

    # ---- argument helpers --------------------------------------------------------------------

    @staticmethod
    def _param(params: list[Any], i: int, name: str) -> Any:
        if len(params) <= i:
            raise RpcError(_INVALID_PARAMS, f"missing parameter {i} ({name})")
        return params[i]

    def _address(self, params: list[Any], i: int) -> str:
        value = self._param(params, i, "address")
        if not isinstance(value, str) or len(value) != 42 or not value.startswith("0x"):
            raise RpcError(_INVALID_PARAMS, f"expected a 20-byte 0x address, got {value!r}")
        return value

    def _latest_number(self) -> int:
        return int(self.tester.get_block_by_number("latest")["number"])

    def _next_base_fee(self) -> int:
        return int(self.tester.get_block_by_number("pending")["base_fee_per_gas"])

    def _tag(self, params: list[Any], i: int) -> str | int:
        """A block parameter as eth-tester takes it; absent means latest, pending means latest."""
        value = params[i] if len(params) > i else "latest"
        if isinstance(value, dict):  # EIP-1898 {blockNumber} / {blockHash}
            if "blockHash" in value:
                return int(self.tester.get_block_by_hash(value["blockHash"])["number"])
            value = value.get("blockNumber", "latest")
        if value in ("latest", "pending", "safe", "finalized"):
            return "latest"
        if value == "earliest":
            return "earliest"
        number = _quantity(value, "block")
        if number > self._latest_number():
            raise RpcError(_SERVER_ERROR, f"block {number} is beyond the head {self._latest_number()}")
        return number

    def _tx_params(self, obj: Any, *, for_send: bool) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise RpcError(_INVALID_PARAMS, "transaction: expected an object")
        tx: dict[str, Any] = {"from": obj.get("from") or _ZERO_ADDRESS}
        if obj.get("to"):
            tx["to"] = obj["to"]
        data = obj.get("input", obj.get("data"))
        if data is not None:
            tx["data"] = data
        for rpc_key, key in (("value", "value"), ("gas", "gas"), ("nonce", "nonce")):
            if obj.get(rpc_key) is not None:
                tx[key] = _quantity(obj[rpc_key], rpc_key)
        if for_send:
            for rpc_key, key in (
                ("gasPrice", "gas_price"),
                ("maxFeePerGas", "max_fee_per_gas"),
                ("maxPriorityFeePerGas", "max_priority_fee_per_gas"),
            ):
                if obj.get(rpc_key) is not None:
                    tx[key] = _quantity(obj[rpc_key], rpc_key)
        return tx

    # ---- methods -----------------------------------------------------------------------------

    def _call(self, params: list[Any]) -> str:
        tx = self._tx_params(self._param(params, 0, "transaction"), for_send=False)
        tag = self._tag(params, 1)
        return "0x" + self._execute_without_fees(tx, tag).hex()

    def _execute_without_fees(self, tx: dict[str, Any], tag: str | int) -> bytes:
        """Run a call the way geth's eth_call does: gas price 0, so no balance or base-fee check.

        eth-tester's own call() validates the fee against the base fee and the sender's balance,
        which makes calls from fresh accounts (or with no `from`) fail; we build the message and
        run it on a snapshot of the block's state directly.
        """
        chain = self.backend.chain
        header = (
            chain.get_canonical_head()
            if tag == "latest"
            else chain.get_canonical_block_header_by_number(0 if tag == "earliest" else int(tag))
        )
        vm = chain.get_vm(at_header=header)
        sender = to_canonical_address(tx["from"])
        unsigned = vm.create_unsigned_transaction(
            nonce=vm.state.get_nonce(sender),
            gas_price=0,
            gas=tx.get("gas", header.gas_limit),
            to=to_canonical_address(tx["to"]) if "to" in tx else b"",
            value=tx.get("value", 0),
            data=_hexbytes(tx.get("data", "0x"), "data"),
        )
        spoofed = SpoofTransaction(unsigned, from_=sender)
        state = vm.state
        snapshot = state.snapshot()
        try:
            executor = state.get_transaction_executor()
            message = executor.build_evm_message(spoofed)
            computation = executor.build_computation(message, spoofed)
        finally:
            state.revert(snapshot)
        if computation.is_error:
            error = computation.error
            data = error.args[0] if error.args and isinstance(error.args[0], bytes) else None
            if data is not None:
                raise _revert_error(TransactionFailed(data))
            raise RpcError(_SERVER_ERROR, f"execution failed: {error!r}")
        return bytes(computation.output)

    def _estimate_gas(self, params: list[Any]) -> str:
        tx = self._tx_params(self._param(params, 0, "transaction"), for_send=False)
        tx.pop("gas", None)
        tx["gas_price"] = 0  # estimate the work, not whether the sender can pay for it
        tag = self._tag(params, 1)
        try:
            return _hex(self.tester.estimate_gas(tx, tag))
        except TransactionFailed:
            # eth-tester flattens the revert data to a string here; rerun as a call to get it
            self._execute_without_fees(tx, tag)
            raise

    def _send_raw_transaction(self, params: list[Any]) -> str:
        raw_hex = self._param(params, 0, "signed transaction")
        raw = _hexbytes(raw_hex, "signed transaction")
        try:
            decoded = self.backend.chain.get_vm().get_transaction_builder().decode(raw)
        except Exception as exc:  # rlp/py-evm raise many kinds for undecodable input
            raise RpcError(_INVALID_PARAMS, f"could not decode the signed transaction: {exc}") from None
        # py-evm does not check the EIP-155 chain id; a node must, or replays from other chains land
        tx_chain_id = getattr(decoded, "chain_id", None)
        if tx_chain_id is not None and tx_chain_id != self.chain_id:
            raise RpcError(
                _SERVER_ERROR, f"transaction is for chain id {tx_chain_id}, this chain is {self.chain_id}"
            )
        tx_hash: str = self.tester.send_raw_transaction("0x" + raw.hex())
        return tx_hash

    def _send_transaction(self, params: list[Any]) -> str:
        tx = self._tx_params(self._param(params, 0, "transaction"), for_send=True)
        if tx["from"] not in self.tester.get_accounts():
            raise RpcError(_SERVER_ERROR, f"sender account {tx['from']} is not unlocked on this chain")
        if "gas" not in tx:
            tx["gas"] = int(self._estimate_gas([{k: v for k, v in params[0].items() if k != "gas"}]), 16)
        tx_hash: str = self.tester.send_transaction(tx)
        return tx_hash

    def _get_transaction(self, params: list[Any]) -> dict[str, Any] | None:
        try:
            return _format_tx(self.tester.get_transaction_by_hash(self._param(params, 0, "hash")))
        except TransactionNotFound:
            return None

    def _get_receipt(self, params: list[Any]) -> dict[str, Any] | None:
        try:
            receipt = self.tester.get_transaction_receipt(self._param(params, 0, "hash"))
        except TransactionNotFound:
            return None
        return None if receipt is None or receipt.get("block_number") is None else _format_receipt(receipt)

    def _get_block_by_number(self, params: list[Any]) -> dict[str, Any] | None:
        try:
            tag = self._tag(params, 0)
        except RpcError:
            if len(params) > 0 and isinstance(params[0], str) and params[0].startswith("0x"):
                return None  # a future block: null, as real nodes answer
            raise
        full = bool(params[1]) if len(params) > 1 else False
        try:
            return _format_block(self.tester.get_block_by_number(tag, full), full)
        except BlockNotFound:
            return None

    def _get_block_by_hash(self, params: list[Any]) -> dict[str, Any] | None:
        full = bool(params[1]) if len(params) > 1 else False
        try:
            return _format_block(self.tester.get_block_by_hash(self._param(params, 0, "hash"), full), full)
        except BlockNotFound:
            return None

    def _get_storage_at(self, params: list[Any]) -> str:
        slot = _quantity(self._param(params, 1, "slot"), "slot")
        address = to_canonical_address(self._address(params, 0))
        value = self.backend.get_storage(address, slot, self._tag(params, 2))
        word = int.from_bytes(value, "big") if isinstance(value, bytes) else int(value)
        return "0x" + word.to_bytes(32, "big").hex()

    def _block_number_of(self, value: Any, default: str) -> int:
        tag = self._tag([value if value is not None else default], 0)
        return self._latest_number() if tag == "latest" else 0 if tag == "earliest" else int(tag)

    def _get_logs(self, params: list[Any]) -> list[dict[str, Any]]:
        flt = self._param(params, 0, "filter")
        if not isinstance(flt, dict):
            raise RpcError(_INVALID_PARAMS, "filter: expected an object")
        if flt.get("blockHash"):
            number = int(self.tester.get_block_by_hash(flt["blockHash"])["number"])
            from_block = to_block = number
        else:
            from_block = self._block_number_of(flt.get("fromBlock"), "latest")
            to_block = self._block_number_of(flt.get("toBlock"), "latest")
        topics = flt.get("topics")
        logs = self.tester.get_logs(
            from_block=from_block,
            to_block=to_block,
            address=flt.get("address"),
            topics=list(topics) if topics else None,
        )
        return [_format_log(log) for log in logs]

    def _fee_history(self, params: list[Any]) -> dict[str, Any]:
        count = _quantity(self._param(params, 0, "blockCount"), "blockCount")
        newest = self._tag(params, 1)
        percentiles = list(params[2]) if len(params) > 2 and params[2] else []
        h = self.tester.get_fee_history(count, newest, percentiles)
        return {
            "oldestBlock": _hex(h["oldest_block"]),
            "baseFeePerGas": [_hex(x) for x in h["base_fee_per_gas"]],
            "gasUsedRatio": list(h["gas_used_ratio"]),
            # eth-tester computes no rewards; every block here tips PRIORITY_FEE at most
            "reward": [[_hex(x) for x in row] for row in h["reward"]]
            or ([[_hex(PRIORITY_FEE)] * len(percentiles) for _ in h["gas_used_ratio"]] if percentiles else []),
        }
