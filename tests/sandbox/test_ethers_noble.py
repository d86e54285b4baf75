"""signing-key over @noble/secp256k1 (sandbox/js/ethers/noble_ec.js) answers as over elliptic.

The oracle is ethers' own UMD bundle (elliptic, as npm ships it), run in the same kind of isolate. Keys and
digests are random (drawn in the action from a seed the test picks), 200 of each, through every path
signing-key takes to the curve: public keys (both forms), RFC 6979 low-s signatures with their recovery
bit, recovered public keys and addresses, computePublicKey from each key form, ECDH, and _addPoint.
"""

from __future__ import annotations

import json
import secrets

import pytest

from tests.sandbox.test_ethers_linked import respond, use_umd  # noqa: F401 - use_umd is a fixture

VECTORS = 200

# Each vector's answers are hashed (the response limit is 100 KiB); a mismatch names the vector.
FUZZ = """
const u = ethers.utils;
let seed = u.id(SEED);
const next = () => (seed = u.keccak256(seed));
const out = [];
for (let i = 0; i < COUNT; i++) {
  const key = new u.SigningKey(next());
  const other = new u.SigningKey(next());
  const digest = next();
  const sig = key.signDigest(digest);
  const answers = [
    key.publicKey, key.compressedPublicKey, sig.r, sig.s, sig.v, sig.recoveryParam,
    u.recoverPublicKey(digest, sig), u.recoverAddress(digest, sig), u.computeAddress(key.privateKey),
    u.computePublicKey(key.publicKey, true), u.computePublicKey(key.compressedPublicKey),
    u.computePublicKey(key.privateKey, true), key.computeSharedSecret(other.compressedPublicKey),
    key._addPoint(other.publicKey),
  ];
  out.push(u.id(JSON.stringify(answers)).slice(0, 18));
}
Lit.Actions.setResponse({ response: JSON.stringify(out) });
"""

# Inputs elliptic and noble treat differently: expression, then how elliptic's answer starts. noble
# refuses all three; elliptic answers the first with some address, and refuses the others in its words.
INVALID = {
    "r-not-below-n": (
        "ethers.utils.recoverAddress(ethers.utils.id('x'), { r: '0x' + 'ff'.repeat(32), s: '0x' + '11'.repeat(32), v: 27 })",
        "ok 0x",
    ),
    "off-curve-public-key": ("ethers.utils.computePublicKey('0x02' + '00'.repeat(31) + '05')", "throws invalid point"),
    "zero-private-key": ("new ethers.utils.SigningKey('0x' + '00'.repeat(32)).publicKey", "throws Cannot read"),
}


async def test_random_keys_and_digests_agree_with_elliptic(use_umd) -> None:
    seed = secrets.token_hex(16)
    code = FUZZ.replace("SEED", json.dumps(seed)).replace("COUNT", str(VECTORS))
    use_umd(False)
    noble = json.loads(await respond(code))
    use_umd(True)
    elliptic = json.loads(await respond(code))
    assert len(noble) == VECTORS
    mismatched = [i for i, (a, b) in enumerate(zip(noble, elliptic, strict=True)) if a != b]
    assert mismatched == [], f"seed {seed}: vectors {mismatched} differ"


def _probe(expression: str) -> str:
    return (
        "let r; try { r = 'ok ' + (" + expression + "); } catch (e) { r = 'throws ' + e.message.split(' (')[0]; }"
        " Lit.Actions.setResponse({ response: r });"
    )


@pytest.mark.parametrize("name", sorted(INVALID))
async def test_invalid_inputs_are_refused(name: str, use_umd) -> None:
    """Where the two differ, noble refuses (an error the action can catch) what elliptic answered."""
    expression, elliptic_says = INVALID[name]
    use_umd(False)
    noble = await respond(_probe(expression))
    use_umd(True)
    elliptic = await respond(_probe(expression))
    assert noble.startswith("throws"), noble
    assert elliptic.startswith(elliptic_says), elliptic
