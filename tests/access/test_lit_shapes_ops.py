"""aesDecrypt's and callContract's inputs in Lit's shapes, against oracles we did not write:
Node's crypto encrypts as Lit's older SDKs did (IV then AES-256-CBC), ethers v5 serializes the
transactions Lit's users pass (runtime.access.aes, runtime.chain.txn)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils import to_checksum_address

from runtime.access.aes import AesDecryptError, aes_decrypt
from runtime.chain.errors import InvalidArgument
from runtime.chain.txn import DEFAULT_CALL_GAS, decode_call_txn

ROOT = Path(__file__).resolve().parents[2]
KEY = bytes(range(32))
WRONG_KEY = bytes(range(1, 33))
IV = bytes(range(100, 116))

# Node's crypto: AES-256-CBC (PKCS#7 by default), the IV in front, hex out; one line per plaintext.
_NODE_ENCRYPT = r"""
const crypto = require('crypto');
const [key, iv, plaintexts] = [Buffer.from(process.argv[1], 'hex'), Buffer.from(process.argv[2], 'hex'), JSON.parse(process.argv[3])];
for (const p of plaintexts) {
  const c = crypto.createCipheriv('aes-256-cbc', key, iv);
  console.log(Buffer.concat([iv, c.update(Buffer.from(p, 'hex')), c.final()]).toString('hex'));
}
"""

# ethers v5 as inside an action: serializeTransaction of each object, one line each.
_ETHERS_SERIALIZE = r"""
const { ethers } = require('ethers');
for (const tx of JSON.parse(process.argv[1])) console.log(ethers.utils.serializeTransaction(tx));
"""


def node_encrypt(key: bytes, iv: bytes, *plaintexts: bytes) -> list[bytes]:
    out = subprocess.run(
        ["node", "-e", _NODE_ENCRYPT, key.hex(), iv.hex(), json.dumps([p.hex() for p in plaintexts])],
        capture_output=True, text=True, check=True, timeout=60,
    )
    return [bytes.fromhex(line) for line in out.stdout.split()]


def ethers_serialize(*txs: dict) -> list[str]:
    out = subprocess.run(
        ["node", "-e", _ETHERS_SERIALIZE, json.dumps(list(txs))],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )
    return out.stdout.split()


def test_node_crypto_ciphertexts_decrypt_for_every_padding_length() -> None:
    plaintexts = [b"", b"a", b"fifteen bytes!!", b"exactly sixteen!", b"seventeen bytes!!", "héllo wörld ✓".encode() * 9]
    for plaintext, ciphertext in zip(plaintexts, node_encrypt(KEY, IV, *plaintexts), strict=True):
        assert ciphertext[:16] == IV
        assert aes_decrypt(KEY, ciphertext) == plaintext


def test_wrong_key_or_altered_last_block_is_an_error_not_garbage() -> None:
    (ciphertext,) = node_encrypt(KEY, IV, b"attack at dawn, bring snacks")
    with pytest.raises(AesDecryptError, match="padding is invalid \\(a wrong symmetricKey, or an altered ciphertext\\)"):
        aes_decrypt(WRONG_KEY, ciphertext)
    altered = ciphertext[:-1] + bytes([ciphertext[-1] ^ 0x01])
    with pytest.raises(AesDecryptError, match="padding is invalid"):
        aes_decrypt(KEY, altered)


def test_cbc_is_malleable_an_iv_change_alters_the_plaintext_silently_as_in_lit() -> None:
    # What Lit's mode gives: no integrity. Flipping a bit of the IV flips the same bit of the text.
    (ciphertext,) = node_encrypt(KEY, IV, b"pay 100 to alice")
    forged = ciphertext[:4] + bytes([ciphertext[4] ^ ord("1") ^ ord("9")]) + ciphertext[5:]
    assert aes_decrypt(KEY, forged) == b"pay 900 to alice"


@pytest.mark.parametrize("key, ciphertext, fault", [
    (bytes(16), IV + bytes(16), "symmetricKey must be 32 bytes \\(AES-256\\), got 16"),
    (KEY, IV[:15], "ciphertext is too short: 15 bytes"),
    (KEY, IV, "non-empty whole number of 16-byte blocks, got 0 bytes"),
    (KEY, IV + bytes(20), "non-empty whole number of 16-byte blocks, got 20 bytes"),
])
def test_bad_lengths_are_named(key: bytes, ciphertext: bytes, fault: str) -> None:
    with pytest.raises(AesDecryptError, match=fault):
        aes_decrypt(key, ciphertext)


TO = "0x" + "ab" * 20
DATA = "0x70a08231" + "00" * 12 + "11" * 20  # balanceOf(0x1111…)


def test_ethers_serialized_legacy_transactions_decode_to_the_call() -> None:
    plain, eip155, full = ethers_serialize(
        {"to": TO, "data": DATA},
        {"to": TO, "data": DATA, "chainId": 1337},
        {"to": TO, "data": DATA, "chainId": 1337, "gasLimit": 50000, "value": 7, "nonce": 3, "gasPrice": 10},
    )
    for txn in (plain, eip155, plain[2:], plain.upper().replace("0X", "0x")):
        call = decode_call_txn(txn)
        assert (call.to, "0x" + call.data.hex(), call.value, call.gas) == (TO, DATA, 0, DEFAULT_CALL_GAS)
    call = decode_call_txn(full)
    assert (call.to, call.value, call.gas) == (TO, 7, 50000)


def test_a_signed_legacy_transaction_is_read_past_its_signature_as_lit_does() -> None:
    signed = Account.from_key("0x" + "07" * 32).sign_transaction(
        {"to": to_checksum_address(TO), "data": DATA, "gas": 60000, "gasPrice": 1, "nonce": 0, "chainId": 1337, "value": 0}
    )
    call = decode_call_txn("0x" + bytes(signed.raw_transaction).hex())
    assert (call.to, "0x" + call.data.hex(), call.gas) == (TO, DATA, 60000)


def test_typed_transactions_and_bad_input_are_refused_by_name() -> None:
    eip1559, eip2930 = ethers_serialize(
        {"type": 2, "to": TO, "data": DATA, "chainId": 1337},
        {"type": 1, "to": TO, "data": DATA, "chainId": 1337},
    )
    with pytest.raises(InvalidArgument, match="typed \\(EIP-2718, type 0x02\\) transaction: Lit decodes only legacy"):
        decode_call_txn(eip1559)
    with pytest.raises(InvalidArgument, match="type 0x01"):
        decode_call_txn(eip2930)
    (creation,) = ethers_serialize({"data": DATA})
    with pytest.raises(InvalidArgument, match="txn.to: expected a 20-byte contract address, got empty"):
        decode_call_txn(creation)
    with pytest.raises(InvalidArgument, match="txn: not hex: 'zz'"):
        decode_call_txn("zz")
    with pytest.raises(InvalidArgument, match="txn: empty"):
        decode_call_txn("0x")
    with pytest.raises(InvalidArgument, match="not RLP"):
        decode_call_txn("0xf8")
    with pytest.raises(InvalidArgument, match="at least 6 items .* got 2 items"):
        decode_call_txn("0xc28080")
    with pytest.raises(InvalidArgument, match="a byte string, not"):
        decode_call_txn("0x83010203")
