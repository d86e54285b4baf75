"""Running one Check against a chain: read, decode, compare, describe.

Decisions (lit-peer turns every one of these into an error for the whole request):
- a call that reverts (ownerOf a token that does not exist, a gate that refuses) is "not met";
- a call that returns no data or data that does not decode as the ABI's outputs (no contract
  at that address, a different function) is "not met";
- an endpoint that is down or answers a JSON-RPC error raises ChainReadFailed: the answer is
  unknown, not "no".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address

from ..chain.errors import ChainError, ContractReverted
from ..chain.rpc import ChainRpc
from ..chain.web3util import mapped_errors
from . import _abi
from ._checks import CURRENT_ACTION, Call, Check
from ._compare import USER_ADDRESS, ResultKind, compare, expected_value, show
from ._fields import parse_address
from .errors import ChainReadFailed


@dataclass(frozen=True)
class Caller:
    """Who the conditions are checked for: the values of Lit's placeholders."""

    address: bytes
    current_action_ipfs_id: str | None = None

    def substitute(self, text: str) -> str:
        if text == USER_ADDRESS:
            return to_checksum_address(self.address)
        if text == CURRENT_ACTION:
            return self.current_action_ipfs_id or ""  # Lit substitutes "" outside an action
        return text


@dataclass(frozen=True)
class Outcome:
    met: bool
    description: str


async def run_check(check: Check, chains: ChainRpc, caller: Caller) -> Outcome:
    label = check.label.replace(USER_ADDRESS, caller.substitute(USER_ADDRESS))
    # a parameter is tested as it is: no chain is read, so none is named
    where = (
        f"{check.path}: {check.subject}" if check.source == "parameter" else f"{check.path}: {label} on {check.chain}"
    )
    try:
        actual = await _read(check, chains, caller)
    except ContractReverted as exc:
        return Outcome(False, f"{where} reverted: {exc.reason}")
    except _abi.DecodingError as exc:
        return Outcome(False, f"{where} returned no decodable result: {exc}")
    except ChainError as exc:
        raise ChainReadFailed(check.path, f"could not read {label} on {check.chain}: {exc}") from exc
    expected = expected_value(check.result, check.value, caller.address, f"{check.path}.returnValueTest.value")
    if isinstance(actual, list):  # ERC1155 balanceOfBatch: any balance may pass
        values, shown = actual, "[" + ", ".join(show(check.result, a) for a in actual) + "]"
    else:
        values, shown = [actual], show(check.result, actual)
    met = any(compare(check.comparator, a, expected) for a in values)
    rule = f"{check.comparator} {show(check.result, expected)}"
    verb = "is" if check.source == "parameter" else "returned"
    return Outcome(met, f"{where} {verb} {shown}, {'meets' if met else 'required'} {rule}")


async def _read(check: Check, chains: ChainRpc, caller: Caller) -> Any:
    if check.source == "parameter":
        if check.result is ResultKind.ADDRESS:
            return caller.address
        return caller.substitute(check.subject)
    url = chains.get_rpc_url(check.chain)
    w3 = chains.web3(check.chain)
    if check.source == "timestamp":
        with mapped_errors(url, f"reading the latest block of {check.chain}"):
            block = await w3.eth.get_block("latest")
        return int(block["timestamp"])
    if check.source == "balance":
        address = parse_address(caller.substitute(check.subject), f"{check.path}.parameters[0]")
        with mapped_errors(url, f"eth_getBalance on {check.chain}"):
            return int(await w3.eth.get_balance(to_checksum_address(address), "latest"))
    assert check.call is not None
    return await _call(check.call, check.path, chains, check.chain, caller.substitute)


async def _call(call: Call, path: str, chains: ChainRpc, chain: str, substitute: Callable[[str], str]) -> Any:
    values = [
        _abi.convert_arg(t, text, f"{path}.{call.params_field}[{i}]", substitute)
        for i, (t, text) in enumerate(zip(call.input_types, call.args))
    ]
    data = _abi.encode_call(call.function, call.input_types, values, path)
    raw = await chains.call_contract(chain, to_checksum_address(call.contract), data)
    if raw == "0x":  # what an eth_call to an account without code answers
        raise _abi.DecodingError("no data (is there a contract at that address?)")
    result = _abi.decode_result(call.output_types, bytes.fromhex(raw[2:]))[call.output_index]
    if isinstance(result, str) and call.output_types[call.output_index] == "address":
        return bytes.fromhex(result[2:])
    if isinstance(result, tuple) and call.any_of and call.output_types[call.output_index] == "uint256[]":
        return list(result)
    return result
