"""RFC 9591 Appendix E test vectors for FROST(Ed25519, SHA-512) and FROST(secp256k1, SHA-256).

The values are the published vectors (RFC 9591 E.1 and E.5, as shipped in the Zcash Foundation's
frost-ed25519/frost-secp256k1 `tests/helpers/vectors.json`): 2-of-3, signers 1 and 3, message "test".
Every intermediate is pinned, so a wrong hash, encoding or ordering shows where it went wrong.
"""

from __future__ import annotations

import pytest

from runtime.crypto.frost import (
    binding_factors,
    commit,
    encode_commitment_list,
    nonce_generate,
    sign_share,
    signing_package,
    aggregate,
)
from runtime.crypto.frost_suites import SCHNORR_ED25519_SHA512, SCHNORR_K256_SHA256, Ciphersuite
from runtime.crypto.shamir import evaluate

ED25519_VECTOR = {
    "suite": SCHNORR_ED25519_SHA512,
    "group_secret_key": "7b1c33d3f5291d85de664833beb1ad469f7fb6025a0ec78b3a790c6e13a98304",
    "group_public_key": "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673",
    "message": "74657374",
    "coefficient": "178199860edd8c62f5212ee91eff1295d0d670ab4ed4506866bae57e7030b204",
    "shares": {
        1: "929dcc590407aae7d388761cddb0c0db6f5627aea8e217f4a033f2ec83d93509",
        2: "a91e66e012e4364ac9aaa405fcafd370402d9859f7b6685c07eed76bf409e80d",
        3: "d3cb090a075eb154e82fdb4b3cb507f110040905468bb9c46da8bdea643a9a02",
    },
    "signers": {
        1: {
            "hiding_nonce_randomness": "06894e04ee4aceec8619d5f6a0a180e2f47194d2ac306cba586b555e7c48d765",
            "binding_nonce_randomness": "40d6f879ff22e22409f7d808fed81f37118e7d3e4af71c0f44c60207553bcbce",
            "hiding_nonce": "ef6599dea4010581a72b3018c37c29a4341d7cab0773e8687ca74dcf14009701",
            "binding_nonce": "2baadfa0c69aa60d517ad4751de372a73f9d89cfc39026601f18458cdec12605",
            "hiding_nonce_commitment": "9b116f12589591a7e23fe8048059ab10ab48e67739e7a2fb3890f61a7999478c",
            "binding_nonce_commitment": "c39b66b7dfccb122da24f13587f9a08c4347cae70046ca15169adf90ba65854d",
            "binding_factor_input": "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673504df914fa965023fb75c25ded4bb260f417de6d32e5c442c6ba313791cc9a4948d6273e8d3511f93348ea7a708a9b862bc73ba2a79cfdfe07729a193751cbc93df7739fd1223d8697dfc21b1679435bafda1f92815944f28d2faf21ded33ae94a16100090ae7d83555c9b2d961e3d5d1b62828e8cb58a88a73cda404f8f725a0100000000000000000000000000000000000000000000000000000000000000",
            "binding_factor": "ff960a65374e216a0918729b153466016664fa980d409bc3f308daa7acb30d0d",
            "sig_share": "60997f0142e43e8005027fe5ab7447dac00d22c2d7ddd9571a02613ba7d81c08",
        },
        3: {
            "hiding_nonce_randomness": "fa5d950626782aade9e33fa781376d4888c2d1de7c37518bc248eb818ed0cdde",
            "binding_nonce_randomness": "7459a4d14ded0e365b085271be8dc6600d5b88f3978a2174297ffa32001a5afc",
            "hiding_nonce": "80f8d9a4b8f9366e1a0b618107c907cd3ee29fa9bb40b4691cc1bde696240005",
            "binding_nonce": "2610b664a5a187b4855e87d2ff485bebdf043dc2f161fcd4854cd01dc0276404",
            "hiding_nonce_commitment": "e679a2a971748ccfaabead4dbe8ac1def61275c186c79d471e1e45091ad1e687",
            "binding_nonce_commitment": "b2a942478453fabb6bd3181c56ba657413447b4136e1daea2484d396d1a516b3",
            "binding_factor_input": "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673504df914fa965023fb75c25ded4bb260f417de6d32e5c442c6ba313791cc9a4948d6273e8d3511f93348ea7a708a9b862bc73ba2a79cfdfe07729a193751cbc93df7739fd1223d8697dfc21b1679435bafda1f92815944f28d2faf21ded33ae94a16100090ae7d83555c9b2d961e3d5d1b62828e8cb58a88a73cda404f8f725a0300000000000000000000000000000000000000000000000000000000000000",
            "binding_factor": "279d48ec56f16d234c09ea62f3d02ab776ee38e03f66b20f939f1316e13df10f",
            "sig_share": "79390e78bc59699c7af831f8f5fb478ec871a85f561a8641b5670ac4443f720f",
        },
    },
    "sig": "154fb694ee7fcb37bf2381d94488c2a84b03b3352ad085feca81ad26d45852b7ecfe971ce4da95c4a95db93ac376b053897fca212ef85f99cf696bffeb178f07",
}

SECP256K1_VECTOR = {
    "suite": SCHNORR_K256_SHA256,
    "group_secret_key": "0d004150d27c3bf2a42f312683d35fac7394b1e9e318249c1bfe7f0795a83114",
    "group_public_key": "02f37c34b66ced1fb51c34a90bdae006901f10625cc06c4f64663b0eae87d87b4f",
    "message": "74657374",
    "coefficient": "fbf85eadae3058ea14f19148bb72b45e4399c0b16028acaf0395c9b03c823579",
    "shares": {
        1: "08f89ffe80ac94dcb920c26f3f46140bfc7f95b493f8310f5fc1ea2b01f4254c",
        2: "04f0feac2edcedc6ce1253b7fab8c86b856a797f44d83d82a385554e6e401984",
        3: "00e95d59dd0d46b0e303e500b62b7ccb0e555d49f5b849f5e748c071da8c0dbc",
    },
    "signers": {
        1: {
            "hiding_nonce_randomness": "bda8e748e599187762cff956f03dc6ea13fc8e04491a0427b7e6e78600f41c52",
            "binding_nonce_randomness": "2ca682429bf05df435b9927b8edb1d748278f3e42fa11ef358e49bbf4a1b780d",
            "hiding_nonce": "09764379667f9a9fa61928947bd925a7f162b21886b750d3b11c226d16b32f58",
            "binding_nonce": "b2d3f8cb9da70984354c3fc3511b1f6ed21b7205941cb5553565d2ecade8c694",
            "hiding_nonce_commitment": "0305e62a1d3f57a0b17ade569a3a4043e2a1fc3bd0b102614a8d8cc68e3322ad89",
            "binding_nonce_commitment": "03b634c2aed7f85b8eec22e97e5f916ab43a3518821480e15da2af7cffcb060a30",
            "binding_factor_input": "02f37c34b66ced1fb51c34a90bdae006901f10625cc06c4f64663b0eae87d87b4fff9b5210ffbb3c07a73a7c8935be4a8c62cf015f6cf7ade6efac09a6513540fcfac8df6fa81b3f4d9ced4be2474894308232dc0be75dbf81f5a103579a8236310000000000000000000000000000000000000000000000000000000000000001",
            "binding_factor": "9bee5aef4012de4b94c9fc1a9a9572181079e293bf1d7545a5af0ef86f824a91",
            "sig_share": "ca54b18d7449377cfa680760a5770b9e64e201f7ea36b068effeca5fce2155e5",
        },
        3: {
            "hiding_nonce_randomness": "70818dd5170672c4a4285fd593d4f222417f941f3118e1244955e7a1098a35d8",
            "binding_nonce_randomness": "74ca2da071ed4a2a6cad5087d6758b48a558ab5861c61117fee05757e4b1309e",
            "hiding_nonce": "0d92e255e5b42ebc2863f8198d946fc10f388c4983073c18cbb77b88e3bf2e34",
            "binding_nonce": "1c7243ce00a499b1e7ce3403e7b731d0c820cf108feb8c5ee7c29b4ef43be5e0",
            "hiding_nonce_commitment": "036f878da0dc19ba7da9f2d9e795e2674e62ff06c990fc4464cc1ed55a2acce46b",
            "binding_nonce_commitment": "025350e2a9e32e7b1fe0161e990623600b2d301b3307641469129cff7936c4d2ce",
            "binding_factor_input": "02f37c34b66ced1fb51c34a90bdae006901f10625cc06c4f64663b0eae87d87b4fff9b5210ffbb3c07a73a7c8935be4a8c62cf015f6cf7ade6efac09a6513540fcfac8df6fa81b3f4d9ced4be2474894308232dc0be75dbf81f5a103579a8236310000000000000000000000000000000000000000000000000000000000000003",
            "binding_factor": "cfe0db2197c94cc355b6ab05610f27f4a874898009c8bf007f2a4e2ce2c8306d",
            "sig_share": "da13d054e83052568706a6d161d80f112a6bc3f76aa903c022585ae7e091e65e",
        },
    },
    "sig": "024c1ad4e031872661fa6ebd05dfc7fb30db08b38d79f0edbc82051ae931381bc6a46881e25c7989d3816eae32074f1ab0d49ee908a59713ed5284c6bade7cfb02",
}

VECTORS = pytest.mark.parametrize("v", [ED25519_VECTOR, SECP256K1_VECTOR], ids=["ed25519", "secp256k1"])


def _scalar(suite: Ciphersuite, text: str) -> int:
    return suite.decode_scalar(bytes.fromhex(text))


@VECTORS
def test_key_material(v):
    suite = v["suite"]
    g = suite.group
    secret = _scalar(suite, v["group_secret_key"])
    assert suite.encode_point(g.base_mul(secret)).hex() == v["group_public_key"]
    polynomial = [secret, _scalar(suite, v["coefficient"])]
    for i, share in v["shares"].items():
        assert suite.encode_scalar(evaluate(polynomial, i, suite.order)).hex() == share


@VECTORS
def test_round_one(v):
    suite = v["suite"]
    for i, s in v["signers"].items():
        share = _scalar(suite, v["shares"][i])
        randomness = bytes.fromhex(s["hiding_nonce_randomness"] + s["binding_nonce_randomness"])
        assert suite.encode_scalar(nonce_generate(suite, share, randomness[:32])).hex() == s["hiding_nonce"]
        nonces, commitment = commit(suite, i, share, randomness)
        assert suite.encode_scalar(nonces.binding).hex() == s["binding_nonce"]
        assert suite.encode_point(commitment.hiding).hex() == s["hiding_nonce_commitment"]
        assert suite.encode_point(commitment.binding).hex() == s["binding_nonce_commitment"]


def _run(v):
    suite = v["suite"]
    pk = suite.decode_point(bytes.fromhex(v["group_public_key"]))
    msg = bytes.fromhex(v["message"])
    rounds = {}
    for i, s in v["signers"].items():
        randomness = bytes.fromhex(s["hiding_nonce_randomness"] + s["binding_nonce_randomness"])
        rounds[i] = commit(suite, i, _scalar(suite, v["shares"][i]), randomness)
    commitments = [c for _, c in rounds.values()][::-1]  # order given must not matter
    return suite, pk, msg, rounds, commitments


@VECTORS
def test_binding_factors(v):
    suite, pk, msg, _, commitments = _run(v)
    prefix = suite.encode_point(pk) + suite.h4(msg) + suite.h5(encode_commitment_list(suite, commitments))
    factors = binding_factors(suite, pk, commitments, msg)
    for i, s in v["signers"].items():
        assert (prefix + suite.encode_scalar(i)).hex() == s["binding_factor_input"]
        assert suite.encode_scalar(factors[i]).hex() == s["binding_factor"]


@VECTORS
def test_round_two_and_aggregate(v):
    suite, pk, msg, rounds, commitments = _run(v)
    package = signing_package(suite, pk, msg, commitments)
    shares = {}
    for i, s in v["signers"].items():
        shares[i] = sign_share(package, i, _scalar(suite, v["shares"][i]), rounds[i][0])
        assert suite.encode_scalar(shares[i]).hex() == s["sig_share"]
    public_shares = {i: suite.group.base_mul(_scalar(suite, v["shares"][i])) for i in v["signers"]}
    signature = aggregate(package, shares, public_shares)
    assert signature.hex() == v["sig"]
    assert suite.verify(pk, msg, signature)
    assert not suite.verify(pk, msg + b"!", signature)
