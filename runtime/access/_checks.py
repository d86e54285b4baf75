"""What each condition means: the one chain read it needs and the test its result must pass.

`plan(condition)` turns a parsed condition into a Check, refusing what cannot be evaluated.
Parsing calls it so that every unsupported type, method, parameter or comparator is reported
before anything is stored or hashed; evaluation calls it again to run the Check.

evmBasic types and methods, as lit-peer `access_control/mod.rs::check_condition` evaluates them:
    ""         method ""               parameters[0] itself: `:userAddress` is compared as an
                                        address, anything else as a string (no chain read)
    ""         eth_getBalance          native balance of parameters[0] at the latest block
    timestamp  eth_getBlockByNumber    timestamp of the latest block
    ERC20      balanceOf               balanceOf(address)
    ERC721     ownerOf, balanceOf      ownerOf(uint256) -> address; balanceOf(address)
    ERC721MetadataName  name           name() -> string (lit-peer answers "not met" for this
                                        type whatever the method; we call name())
    ERC1155    balanceOf               balanceOf(address, id); the id in decimal or 0x-hex
    ERC1155    balanceOfBatch          "a,b" and "1,2": met when any returned balance passes
    PKPPermissions  isPermittedAction(tokenId, ipfsId as hex or CID),
                    isPermittedAddress(tokenId) for the user's address
POAP, SIWE, LitAction, CASK, Creaton, MolochDAOv2.1 and ProofOfHumanity need services or
contracts this runtime does not have and are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..chain.errors import InvalidArgument
from . import _abi
from ._compare import USER_ADDRESS, ResultKind, check_test
from ._fields import parse_address
from ._model import Condition, EvmBasicCondition, EvmContractCondition
from .errors import ConditionError

CURRENT_ACTION = ":currentActionIpfsId"
PLACEHOLDERS = (USER_ADDRESS, CURRENT_ACTION)
# Stand-ins used to validate a parameter that holds a placeholder before the user is known.
_SAMPLES = {USER_ADDRESS: "0x" + "00" * 20, CURRENT_ACTION: ""}

_UNSUPPORTED_TYPES = ("POAP", "SIWE", "LitAction", "CASK", "Creaton", "MolochDAOv2.1", "ProofOfHumanity")

# (standardContractType, method) -> (parameter names and types, output type)
_CALLS: dict[tuple[str, str], tuple[tuple[tuple[str, str], ...], str]] = {
    ("ERC20", "balanceOf"): ((("owner", "address"),), "uint256"),
    ("ERC721", "ownerOf"): ((("tokenId", "uint256"),), "address"),
    ("ERC721", "balanceOf"): ((("owner", "address"),), "uint256"),
    ("ERC721MetadataName", "name"): ((), "string"),
    ("ERC1155", "balanceOf"): ((("account", "address"), ("id", "uint256")), "uint256"),
    ("ERC1155", "balanceOfBatch"): ((("accounts", "address[]"), ("ids", "uint256[]")), "uint256[]"),
    ("PKPPermissions", "isPermittedAction"): ((("tokenId", "uint256"), ("ipfsId", "bytes")), "bool"),
    ("PKPPermissions", "isPermittedAddress"): ((("tokenId", "uint256"),), "bool"),
}
_NATIVE = {("", ""), ("", "eth_getBalance"), ("timestamp", "eth_getBlockByNumber")}


@dataclass(frozen=True)
class Call:
    """One eth_call: `function(input_types)(args)` on `contract`, result `outputs[output_index]`."""

    contract: bytes
    function: str
    input_types: tuple[str, ...]
    args: tuple[str, ...]  # parameter strings, placeholders not yet substituted
    output_types: tuple[str, ...]
    output_index: int
    any_of: bool = False  # an array result passes when any element does (ERC1155 balanceOfBatch)
    params_field: str = "parameters"  # where the args stand in the condition, for messages


@dataclass(frozen=True)
class Check:
    path: str
    chain: str
    label: str  # what is read, for messages: "ERC721 balanceOf(:userAddress) at 0x…"
    source: Literal["parameter", "balance", "timestamp", "call"]
    result: ResultKind
    comparator: str
    value: str
    subject: str = ""  # parameter / balance: the parameter string read or whose balance is read
    call: Call | None = None

    @property
    def chain_reads(self) -> int:
        return 0 if self.source == "parameter" else 1


def reject_lit_params(text: str, path: str) -> None:
    if text.startswith(":litParam"):
        raise ConditionError(path, f"{text!r}: :litParam placeholders (read from a SIWE message) are not supported")


def validate_arg(type_str: str, text: str, path: str) -> None:
    """Convert `text` now, with placeholders standing in for values known only at evaluation."""
    reject_lit_params(text, path)
    _abi.convert_arg(type_str, text, path, lambda s: _SAMPLES.get(s, s))


def plan(condition: Condition) -> Check:
    if isinstance(condition, EvmContractCondition):
        return _plan_contract(condition)
    return _plan_basic(condition)


def _param_count(cond: EvmBasicCondition, names: list[str], optional_latest: bool = False) -> None:
    got = list(cond.parameters)
    if optional_latest and len(got) == len(names) + 1:
        if got[-1] != "latest":
            raise ConditionError(
                f"{cond.path}.parameters[{len(names)}]", f'only "latest" is supported, got {got[-1]!r}'
            )
        got.pop()
    if len(got) != len(names):
        what = f"{cond.standard_contract_type or 'native'} {cond.method or 'check'}"
        takes = f"{len(names)} parameter(s) ({', '.join(names) or 'none'})"
        raise ConditionError(f"{cond.path}.parameters", f"{what} takes {takes}, got {len(cond.parameters)}")


def _plan_basic(cond: EvmBasicCondition) -> Check:
    ctype, method, path = cond.standard_contract_type, cond.method, cond.path
    rvt = cond.return_value_test
    for i, p in enumerate(cond.parameters):
        reject_lit_params(p, f"{path}.parameters[{i}]")
    if (ctype, method) in _NATIVE:
        return _plan_native(cond)
    if (ctype, method) not in _CALLS:
        if ctype in _UNSUPPORTED_TYPES:
            raise ConditionError(
                f"{path}.standardContractType", f"{ctype!r} conditions are not supported by this runtime"
            )
        methods = sorted(m for t, m in _CALLS if t == ctype) + sorted(m for t, m in _NATIVE if t == ctype)
        if not methods:
            known = sorted({t for t, _ in _CALLS} | {t for t, _ in _NATIVE})
            raise ConditionError(
                f"{path}.standardContractType", f"unknown standardContractType {ctype!r}; supported: {known}"
            )
        raise ConditionError(
            f"{path}.method",
            f"method {method!r} is not supported for {ctype or 'native'!r} conditions; supported: {methods}",
        )
    params_spec, output = _CALLS[(ctype, method)]
    _param_count(cond, [name for name, _ in params_spec])
    args = list(cond.parameters)
    types = [t for _, t in params_spec]
    if method == "balanceOfBatch":
        args = [f"[{a}]" for a in args]  # Lit's comma lists, in the array syntax of _abi
        if args[0].count(",") != args[1].count(","):
            raise ConditionError(f"{path}.parameters", "balanceOfBatch needs as many token ids as addresses")
    if method == "isPermittedAction" and not args[1].startswith(("0x", "0X")):
        from ..chain.pkp import cid_to_bytes  # web3 comes with it: loaded only for this condition

        try:
            args[1] = "0x" + cid_to_bytes(args[1]).hex()
        except InvalidArgument as exc:
            raise ConditionError(f"{path}.parameters[1]", f"expected an IPFS CID or 0x-hex: {exc}") from None
    if method == "isPermittedAddress":
        args.append(USER_ADDRESS)
        types.append("address")
    for i in range(len(cond.parameters)):
        validate_arg(types[i], args[i], f"{path}.parameters[{i}]")
    contract = parse_address(cond.contract_address, f"{path}.contractAddress")
    result = ResultKind.UINT if output == "uint256[]" else _abi.result_kind(output, f"{path}.returnValueTest")
    check_test(result, rvt.comparator, rvt.value, f"{path}.returnValueTest")
    shown = ", ".join(cond.parameters)
    return Check(
        path,
        cond.chain,
        f"{ctype} {method}({shown}) at {cond.contract_address}",
        "call",
        result,
        rvt.comparator,
        rvt.value,
        call=Call(contract, method, tuple(types), tuple(args), (output,), 0, any_of=output.endswith("[]")),
    )


def _plan_native(cond: EvmBasicCondition) -> Check:
    path, rvt, method = cond.path, cond.return_value_test, cond.method
    if method == "eth_getBlockByNumber":
        _param_count(cond, [], optional_latest=True)
        check_test(ResultKind.UINT, rvt.comparator, rvt.value, f"{path}.returnValueTest")
        return Check(
            path, cond.chain, "latest block timestamp", "timestamp", ResultKind.UINT, rvt.comparator, rvt.value
        )
    if method == "eth_getBalance":
        _param_count(cond, ["address"], optional_latest=True)
        validate_arg("address", cond.parameters[0], f"{path}.parameters[0]")
        check_test(ResultKind.UINT, rvt.comparator, rvt.value, f"{path}.returnValueTest")
        label = f"eth_getBalance({cond.parameters[0]})"
        return Check(
            path, cond.chain, label, "balance", ResultKind.UINT, rvt.comparator, rvt.value, subject=cond.parameters[0]
        )
    if not cond.parameters:
        raise ConditionError(
            f"{path}.parameters", 'a check without method needs the parameter to test, e.g. ":userAddress"'
        )
    subject = cond.parameters[0]
    kind = ResultKind.ADDRESS if subject == USER_ADDRESS else ResultKind.STRING
    check_test(kind, rvt.comparator, rvt.value, f"{path}.returnValueTest")
    return Check(path, cond.chain, subject, "parameter", kind, rvt.comparator, rvt.value, subject=subject)


def _plan_contract(cond: EvmContractCondition) -> Check:
    path, abi, rvt = cond.path, cond.function_abi, cond.return_value_test
    inputs = tuple(
        _abi.normalize_type(p.type, f"{path}.functionAbi.inputs[{i}].type", for_input=True)
        for i, p in enumerate(abi.inputs)
    )
    outputs = tuple(
        _abi.normalize_type(p.type, f"{path}.functionAbi.outputs[{i}].type", for_input=False)
        for i, p in enumerate(abi.outputs)
    )
    if len(cond.function_params) != len(inputs):
        raise ConditionError(
            f"{path}.functionParams",
            f"functionAbi has {len(inputs)} input(s), got {len(cond.function_params)} parameter(s)",
        )
    for i, (t, text) in enumerate(zip(inputs, cond.function_params)):
        validate_arg(t, text, f"{path}.functionParams[{i}]")
    if not outputs:
        raise ConditionError(f"{path}.functionAbi.outputs", "the function must return a value to test")
    key = rvt.key or ""
    names = [p.name for p in abi.outputs]
    if key and key not in names:
        raise ConditionError(f"{path}.returnValueTest.key", f"no output named {key!r}; outputs are {names}")
    index = names.index(key) if key else 0  # Lit: an empty key tests the first output
    result = _abi.result_kind(outputs[index], f"{path}.functionAbi.outputs[{index}].type")
    check_test(result, rvt.comparator, rvt.value, f"{path}.returnValueTest")
    contract = parse_address(cond.contract_address, f"{path}.contractAddress")
    label = f"{abi.name}({', '.join(cond.function_params)}) at {cond.contract_address}" + (
        f" output {key!r}" if key else ""
    )
    return Check(
        path,
        cond.chain,
        label,
        "call",
        result,
        rvt.comparator,
        rvt.value,
        call=Call(contract, abi.name, inputs, cond.function_params, outputs, index, params_field="functionParams"),
    )
