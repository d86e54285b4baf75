"""The client's side of claimKey and of settling answers: claims gathered as Lit's SDK does, with
wrong entries named; empty answers left out by the named response strategies."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from runtime.client.claims import claim_key_id, collect_claims
from runtime.client.client import _pick

CID = "QmcA9npUnrzsmvx9sfmZDnEnPAEbMA5kp4tnkueYqiJKZv"


def _entry(wallet, derived: bytes) -> dict[str, str]:
    signed = Account.sign_message(encode_defunct(primitive=derived), wallet.key)
    return {"signature": bytes(signed.signature).hex(), "derivedKeyId": derived.hex()}


def test_claims_are_gathered_per_key_id_and_liars_are_named() -> None:
    wallets = [Account.create() for _ in range(4)]
    derived = claim_key_id(CID, "alice")
    assert derived == keccak(f"{CID}_alice".encode())
    answers = {i + 1: {"claimData": {"alice": _entry(w, derived)}} for i, w in enumerate(wallets)}
    # Node 3 claims for another action's key id; node 4 sends a signature that is not 65 bytes.
    answers[3]["claimData"]["alice"] = _entry(wallets[2], claim_key_id("QmOther", "alice"))
    answers[4]["claimData"]["alice"]["signature"] = "00" * 64
    errors: dict[int, str] = {}
    claims = collect_claims(answers, CID, errors)
    assert set(errors) == {3, 4} and "alice" in errors[3]
    claim = claims["alice"]
    assert claim["derivedKeyId"] == derived.hex()
    assert claim["signers"] == [wallets[0].address, wallets[1].address]
    first = claim["signatures"][0]
    assert set(first) == {"r", "s", "v"} and first["v"] in (27, 28) and first["r"].startswith("0x")


def test_a_node_cannot_sign_a_claim_with_another_nodes_wallet() -> None:
    wallets = [Account.create() for _ in range(3)]
    derived = claim_key_id(CID, "alice")
    # Node 3 knows node 1's wallet key (say, a stolen one): its claim would count twice for node 1.
    answers = {1: {"claimData": {"alice": _entry(wallets[0], derived)}}, 2: {"claimData": {"alice": _entry(wallets[1], derived)}},
               3: {"claimData": {"alice": _entry(wallets[0], derived)}}}
    published = {i + 1: w.address for i, w in enumerate(wallets)}
    errors: dict[int, str] = {}
    claims = collect_claims(answers, CID, errors, published)
    assert claims["alice"]["signers"] == [wallets[0].address, wallets[1].address]
    assert set(errors) == {3} and "not its claim wallet" in errors[3]


def test_no_claims_is_an_empty_map() -> None:
    assert collect_claims({1: {"claimData": {}}, 2: {}}, CID, {}) == {}


def test_named_strategies_leave_out_empty_answers() -> None:
    # One node answered (runOnce's leader), the others said nothing: the answer wins either way.
    assert _pick(["", "", "", "tx"], "mostCommon") == "tx"
    assert _pick([None, None, "tx", "tx2", "tx2"], "leastCommon") == "tx"
    assert _pick(["", ""], "mostCommon") == ""  # nothing but empty answers: empty
    assert _pick(["", "a"], lambda values: values) == ["", "a"]  # a function sees them all
