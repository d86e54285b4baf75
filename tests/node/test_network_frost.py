"""FROST on a real 4-node network: Ed25519 root keys from genesis, and Lit.Actions.signAsAction /
getActionPublicKey / verifyActionSignature for SchnorrEd25519Sha512, SchnorrK256Sha256 and
SchnorrK256Taproot. Signatures are checked by verifiers litrt did not write: PyNaCl and
`cryptography` (Ed25519), npm @noble/curves and libsecp256k1 (BIP-340), coincurve's point
arithmetic (FROST(secp256k1, SHA-256)); a node that sends bad shares is named and outvoted."""

from __future__ import annotations

import importlib.util
import json
import os
import urllib.request

import aiohttp
import pytest
from coincurve import PublicKey, PublicKeyXOnly
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.signing import VerifyKey

from runtime.client import InvalidArgument, LitClient, NotPermitted, create_auth_sig
from runtime.client.combine import curve_roots
from runtime.client.errors import ActionError
from runtime.crypto.hd import HD_ED25519, HD_K256, action_key_id, derive_public_key
from tests.crypto.test_frost import NOBLE_MISSING, _noble
from tests.vectors.independent import k256_frost_verifies
from tests.oracles import needs_oracle

pytestmark = pytest.mark.slow

EMBIT_MISSING = None if importlib.util.find_spec("embit") else "needs embit (PyPI) to check a Bitcoin transaction"
SOLDERS_MISSING = None if importlib.util.find_spec("solders") else "needs solders (PyPI) to check a Solana transaction"

SCHEMES = ("SchnorrEd25519Sha512", "SchnorrK256Sha256", "SchnorrK256Taproot")
# lit-frost's names for them (its Scheme's Display), as Lit's keys and signatures carry them.
LIT_FROST = {"SchnorrEd25519Sha512": "Ed25519Sha512", "SchnorrK256Sha256": "K256Sha256", "SchnorrK256Taproot": "K256Taproot"}

SIGN_AS_ACTION = """(async () => {
  const me = Lit.Auth.actionIpfsIdStack[0];
  const out = {};
  for (const signingScheme of schemes) {
    const sig = await Lit.Actions.signAsAction({toSign, sigName: signingScheme, signingScheme});
    const pk = await Lit.Actions.getActionPublicKey({signingScheme, actionIpfsCid: me});
    const ok = await Lit.Actions.verifyActionSignature({signingScheme, actionIpfsCid: me, toSign, signOutput: sig});
    const other = await Lit.Actions.verifyActionSignature({signingScheme, actionIpfsCid: me, toSign: [1, 2, 3], signOutput: sig});
    out[signingScheme] = {sig, pk, ok, other};
  }
  Lit.Actions.setResponse({response: JSON.stringify({me, out})});
})();"""


def _bip340(scheme: str, value: bytes) -> bytes:
    """The signature a verifier takes from lit-frost's value: for Taproot, 0x02 ‖ BIP-340 signature."""
    if scheme != "SchnorrK256Taproot":
        return value
    assert len(value) == 65 and value[0] == 2
    return value[1:]


def _check(scheme: str, public_key: bytes, message: bytes, signature: bytes) -> None:
    if scheme == "SchnorrEd25519Sha512":
        assert VerifyKey(public_key).verify(message, signature) == message
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    elif scheme == "SchnorrK256Taproot":
        assert PublicKeyXOnly(public_key[1:]).verify(signature, message)
    else:
        assert k256_frost_verifies(public_key, message, signature)
        assert not k256_frost_verifies(public_key, message + b"x", signature)


async def test_genesis_made_ten_root_keys_per_curve_the_same_everywhere(network):
    statuses = [json.load(urllib.request.urlopen(u + "/status")) for u in network.nodes]
    views = {json.dumps(s["network"], sort_keys=True) for s in statuses}
    assert len(views) == 1
    public = statuses[0]["network"]
    for curve, size in (("ecdsa", 33), ("ed25519", 32), ("p256", 33)):
        roots = public[f"{curve}RootKeys"]
        assert len(roots) == len(set(roots)) == 10, curve
        assert all(len(bytes.fromhex(k)) == size for k in roots), curve
        assert public[f"{curve}Qualified"] == [1, 2, 3, 4]
    # Each P-256 root key is a point OpenSSL accepts (it checks the curve equation).
    for key in public["p256RootKeys"]:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes.fromhex(key))


async def test_sign_as_action_for_every_frost_scheme_verifies_with_outside_verifiers(network):
    message = os.urandom(32)  # a BIP-341 sighash is 32 bytes; Ed25519 signs any length
    async with await LitClient.connect(network.state_dir) as client:
        cid = await client.upload_action(SIGN_AS_ACTION)
        result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(message), "schemes": list(SCHEMES)})
        roots = curve_roots(client.network.public, client.root_commitments)
        taproot = []
        for scheme in SCHEMES:
            out = result.response["out"][scheme]
            curve = HD_ED25519 if scheme == "SchnorrEd25519Sha512" else HD_K256
            expected = derive_public_key(action_key_id(cid), [row[0] for row in roots[curve.name]], curve)
            public_key = curve.group.encode(expected)
            # getActionPublicKey as Lit's: lit-frost's [scheme, hex] pair, from the client's own derivation
            assert out["pk"] == json.dumps([LIT_FROST[scheme], public_key.hex()], separators=(",", ":"))
            output = json.loads(out["sig"])
            assert output["recovery_id"] is None and output["signed_data"] == message.hex()
            assert output["verifying_key"] == out["pk"]
            name, signature_hex = json.loads(output["signature"])
            assert name == LIT_FROST[scheme]
            signature = _bip340(scheme, bytes.fromhex(signature_hex))
            _check(scheme, public_key, message, signature)
            assert out["ok"] is True and out["other"] is False
            # The client combined the same signature from the shares the nodes sealed for it.
            combined = result.signatures[scheme]
            assert combined["signingScheme"] == scheme and combined["publicKey"] == "0x" + public_key.hex()
            assert combined["signature"] == "0x" + signature.hex() and combined["badNodes"] == []
            if scheme == "SchnorrK256Taproot":
                taproot.append({"pub": public_key[1:].hex(), "msg": message.hex(), "sig": signature.hex()})
        if NOBLE_MISSING is None:
            assert _noble(taproot) == [True]


@needs_oracle(NOBLE_MISSING)
async def test_taproot_signatures_of_several_actions_verify_with_noble(network):
    async with await LitClient.connect(network.state_dir) as client:
        cases = []
        for k in range(3):
            cid = await client.upload_action(SIGN_AS_ACTION + f"\n// {k}")
            message = os.urandom(32)
            result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(message), "schemes": ["SchnorrK256Taproot"]})
            output = json.loads(result.response["out"]["SchnorrK256Taproot"]["sig"])
            sig, key = json.loads(output["signature"])[1], json.loads(output["verifying_key"])[1]
            assert sig[:2] == "02"  # Lit's 65-byte form: R compressed, even y
            cases.append({"pub": key[2:], "msg": message.hex(), "sig": sig[2:]})
        tampered = dict(cases[0], msg=("00" if cases[0]["msg"][:2] != "00" else "01") + cases[0]["msg"][2:])
        assert _noble(cases + [tampered]) == [True, True, True, False]


SIGN_WITH_PKP = """(async () => {
  for (const signingScheme of schemes) {
    await Lit.Actions.sign({toSign, publicKey, sigName: signingScheme, signingScheme});
  }
})();"""


async def test_a_k256_pkp_signs_the_k256_frost_schemes_and_the_client_combines(network, owner_key):
    message = os.urandom(32)
    schemes = ["SchnorrK256Sha256", "SchnorrK256Taproot"]
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        await client.permit_action(owner_key, pkp.token_id, await client.upload_action(SIGN_WITH_PKP))
        params = {"toSign": list(message), "publicKey": "0x" + pkp.pubkey.hex(), "schemes": schemes}
        result = await client.execute_js(code=SIGN_WITH_PKP, js_params=params)
        compressed = PublicKey(pkp.pubkey).format(compressed=True)
        for scheme in schemes:
            sig = result.signatures[scheme]
            assert sig["signingScheme"] == scheme and sig["publicKey"] == "0x" + compressed.hex()
            assert sig["dataSigned"] == "0x" + message.hex() and sig["badNodes"] == []
            _check(scheme, compressed, message, bytes.fromhex(sig["signature"][2:]))
        if NOBLE_MISSING is None:
            taproot = result.signatures["SchnorrK256Taproot"]["signature"][2:]
            assert _noble([{"pub": compressed[1:].hex(), "msg": message.hex(), "sig": taproot}]) == [True]
        # A PKP that did not permit this action signs nothing, whatever the scheme.
        other = await client.mint_pkp(owner_key)
        with pytest.raises(NotPermitted, match="is not permitted with scope 1"):
            await client.execute_js(code=SIGN_WITH_PKP, js_params={**params, "publicKey": "0x" + other.pubkey.hex()})


SIGN_AND_COMBINE = """(async () => {
  const out = {};
  for (const [signingScheme, publicKey] of Object.entries(keys)) {
    out[signingScheme] = await Lit.Actions.signAndCombine({toSign, publicKey, sigName: signingScheme, signingScheme});
  }
  Lit.Actions.setResponse({response: JSON.stringify(out)});
})();"""


async def test_sign_and_combine_gives_the_action_lits_r_s_halves_of_each_frost_signature(network, owner_key):
    """Lit's signAndCombine for a FROST scheme: lit-frost's signature value cut at half its length,
    {"r","s"} as compact JSON; r ‖ s verifies with PyNaCl and `cryptography` (Ed25519), libsecp256k1
    and noble (BIP-340, after Lit's 0x02), coincurve arithmetic (FROST(secp256k1, SHA-256)). The
    client gets no share, and a scheme of another curve than the PKP's is refused by name."""
    message = b"signAndCombine: " + os.urandom(16)  # Schnorr schemes sign any length
    async with await LitClient.connect(network.state_dir) as client:
        k256 = await client.mint_pkp(owner_key)
        ed25519 = await client.mint_pkp(owner_key, key_type="ed25519")
        auth = create_auth_sig(owner_key, chain_id=client.network.chain_id)
        compressed = PublicKey(k256.pubkey).format(compressed=True)
        keys = {"SchnorrEd25519Sha512": ed25519.pubkey, "SchnorrK256Sha256": k256.pubkey, "SchnorrK256Taproot": k256.pubkey}
        params = {"toSign": list(message), "keys": {scheme: "0x" + key.hex() for scheme, key in keys.items()}}
        result = await client.execute_js(code=SIGN_AND_COMBINE, js_params=params, auth_sig=auth)
        assert result.signatures == {}  # combined in the nodes: no share left them for the client
        for scheme in SCHEMES:
            text = result.response[scheme]
            halves = json.loads(text)
            assert list(halves) == ["r", "s"] and text == json.dumps(halves, separators=(",", ":"))
            value = bytes.fromhex(halves["r"] + halves["s"])
            sizes = (len(halves["r"]) // 2, len(halves["s"]) // 2)
            assert sizes == ((32, 32) if scheme == "SchnorrEd25519Sha512" else (32, 33)), (scheme, sizes)
            public_key = ed25519.pubkey if scheme == "SchnorrEd25519Sha512" else compressed
            _check(scheme, public_key, message, _bip340(scheme, value))
        if NOBLE_MISSING is None:
            taproot = _bip340("SchnorrK256Taproot", bytes.fromhex("".join(json.loads(result.response["SchnorrK256Taproot"]).values())))
            assert _noble([{"pub": compressed[1:].hex(), "msg": message.hex(), "sig": taproot.hex()}]) == [True]
        wrong = {"toSign": list(message), "keys": {"SchnorrEd25519Sha512": "0x" + k256.pubkey.hex()}}
        with pytest.raises(ActionError, match="signAndCombine: signingScheme must be one of .* for a PKP of key type k256"):
            await client.execute_js(code=SIGN_AND_COMBINE, js_params=wrong, auth_sig=auth)


async def test_unknown_scheme_names_are_refused(network):
    async with await LitClient.connect(network.state_dir) as client:
        with pytest.raises(ActionError, match="Parse error Invalid signing scheme: Schnorr"):
            await client.execute_js(code=SIGN_AS_ACTION, js_params={"toSign": [1], "schemes": ["Schnorr"]})


async def test_a_node_sending_bad_frost_shares_is_named_and_outvoted(liar_network):
    message = os.urandom(32)
    async with await LitClient.connect(liar_network.state_dir, straggler_grace_s=30) as client:
        cid = await client.upload_action(SIGN_AS_ACTION)
        result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(message), "schemes": list(SCHEMES)})
        roots = curve_roots(client.network.public, client.root_commitments)
        for scheme in SCHEMES:
            curve = HD_ED25519 if scheme == "SchnorrEd25519Sha512" else HD_K256
            public_key = curve.group.encode(derive_public_key(action_key_id(cid), [row[0] for row in roots[curve.name]], curve))
            output = json.loads(result.response["out"][scheme]["sig"])
            _check(scheme, public_key, message, _bip340(scheme, bytes.fromhex(json.loads(output["signature"])[1])))
            combined = result.signatures[scheme]
            assert combined["badNodes"] == [2], combined
            assert 2 not in combined["signingSet"] and len(combined["signingSet"]) == 3


@needs_oracle(SOLDERS_MISSING)
async def test_an_action_signs_a_solana_transfer_that_solders_accepts(network):
    from solders.hash import Hash
    from solders.message import Message
    from solders.pubkey import Pubkey
    from solders.signature import Signature
    from solders.system_program import TransferParams, transfer
    from solders.transaction import Transaction, TransactionError

    async with await LitClient.connect(network.state_dir) as client:
        code = SIGN_AS_ACTION + "\n// solana"
        cid = await client.upload_action(code)
        roots = curve_roots(client.network.public, client.root_commitments)["ed25519"]
        payer = Pubkey(HD_ED25519.group.encode(derive_public_key(action_key_id(cid), [r[0] for r in roots], HD_ED25519)))
        instruction = transfer(TransferParams(from_pubkey=payer, to_pubkey=Pubkey.new_unique(), lamports=1_000_000))
        message = Message.new_with_blockhash([instruction], payer, Hash.new_unique())
        params = {"toSign": list(bytes(message)), "schemes": ["SchnorrEd25519Sha512"]}
        result = await client.execute_js(ipfs_id=cid, js_params=params)
        output = json.loads(result.response["out"]["SchnorrEd25519Sha512"]["sig"])
        signature = Signature.from_bytes(bytes.fromhex(json.loads(output["signature"])[1]))
        Transaction.populate(message, [signature]).verify()  # raises unless the payer's signature is valid
        other = Message.new_with_blockhash([instruction], payer, Hash.new_unique())
        with pytest.raises(TransactionError):
            Transaction.populate(other, [signature]).verify()


@needs_oracle(EMBIT_MISSING)
async def test_an_action_spends_a_p2tr_output_by_its_key_path_as_embit_checks(network):
    """A P2TR output whose output key is the action's SchnorrK256Taproot key: embit computes the
    BIP-341 sighash of a spend, the nodes sign it, and embit accepts the key-path witness."""
    from embit import ec
    from embit.script import Script, Witness
    from embit.transaction import Transaction, TransactionInput, TransactionOutput

    async with await LitClient.connect(network.state_dir) as client:
        cid = await client.upload_action(SIGN_AS_ACTION + "\n// taproot")
        roots = curve_roots(client.network.public, client.root_commitments)["k256"]
        key = HD_K256.group.encode(derive_public_key(action_key_id(cid), [r[0] for r in roots], HD_K256))
        spent = Script(b"\x51\x20" + key[1:])  # OP_1 <x(P)>: the output key itself, no script tree
        spend = Transaction(
            vin=[TransactionInput(bytes(range(32)), 1)], vout=[TransactionOutput(90_000, Script(b"\x00\x14" + bytes(20)))]
        )
        sighash = spend.sighash_taproot(0, [spent], [100_000])  # SIGHASH_DEFAULT
        result = await client.execute_js(ipfs_id=cid, js_params={"toSign": list(sighash), "schemes": ["SchnorrK256Taproot"]})
        output = json.loads(result.response["out"]["SchnorrK256Taproot"]["sig"])
        signature = _bip340("SchnorrK256Taproot", bytes.fromhex(json.loads(output["signature"])[1]))
        spend.vin[0].witness = Witness([signature])
        signed = Transaction.parse(spend.serialize())  # a complete segwit transaction, as it would be relayed
        (witness_sig,) = signed.vin[0].witness.items
        output_key = ec.PublicKey.from_xonly(spent.data[2:])
        assert output_key.schnorr_verify(ec.SchnorrSig(witness_sig), signed.sighash_taproot(0, [spent], [100_000]))
        # The same witness does not spend an output of another amount (another sighash; a fresh
        # parse, since embit caches the amounts' hash in the transaction object).
        other = Transaction.parse(spend.serialize()).sighash_taproot(0, [spent], [100_001])
        assert other != sighash and not output_key.schnorr_verify(ec.SchnorrSig(witness_sig), other)


async def test_pkp_sign_takes_the_k256_frost_schemes_without_an_action(network, owner_key):
    """pkp_sign(signing_scheme=...) signs any bytes with the PKP's key under the K256 FROST schemes,
    checked by libsecp256k1 (BIP-340) and coincurve arithmetic; what it cannot do is refused by name."""
    message = b"not a digest: " + os.urandom(40)
    async with await LitClient.connect(network.state_dir) as client:
        pkp = await client.mint_pkp(owner_key)
        auth = create_auth_sig(owner_key, chain_id=client.network.chain_id)
        compressed = PublicKey(pkp.pubkey).format(compressed=True)
        for scheme in ("SchnorrK256Sha256", "SchnorrK256Taproot"):
            sig = await client.pkp_sign("0x" + pkp.pubkey.hex(), message, auth, signing_scheme=scheme)
            assert sig["signingScheme"] == scheme and sig["dataSigned"] == "0x" + message.hex()
            _check(scheme, compressed, message, bytes.fromhex(sig["signature"][2:]))
        with pytest.raises(InvalidArgument, match="signing_scheme must be one of"):
            await client.pkp_sign("0x" + pkp.pubkey.hex(), message, auth, signing_scheme="SchnorrEd25519Sha512")
        with pytest.raises(InvalidArgument, match="exactly 32 bytes for EcdsaK256Sha256"):
            await client.pkp_sign("0x" + pkp.pubkey.hex(), message, auth)
        # A stranger's authSig signs nothing, whatever the scheme.
        stranger = create_auth_sig("0x" + os.urandom(32).hex(), chain_id=client.network.chain_id)
        with pytest.raises(NotPermitted):
            await client.pkp_sign("0x" + pkp.pubkey.hex(), message, stranger, signing_scheme="SchnorrK256Taproot")
        # The node refuses a scheme a PKP does not sign, for any client.
        async with aiohttp.ClientSession() as http:
            body = {"signingScheme": "SchnorrEd25519Sha512", "toSign": message.hex(), "publicKey": "0x" + pkp.pubkey.hex(), "authSig": auth}
            async with http.post(client.network.nodes[0] + "/web/pkp/sign", json=body) as resp:
                answer = await resp.json()
        assert resp.status == 400 and "signingScheme must be one of" in answer["message"]
