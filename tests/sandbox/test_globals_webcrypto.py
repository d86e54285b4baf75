"""crypto.subtle and crypto.randomUUID inside actions, checked against Node.js's own WebCrypto."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from sandbox import Host
from sandbox.webcrypto import webcrypto
from tests.oracles import require_oracle
from tests.sandbox.conftest import run

NODE = shutil.which("node")

# Shared by every action below: hex/bytes helpers an action author would write.
HELPERS = """
const hex = (buf) => Array.from(new Uint8Array(buf), (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (h) => new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16)));
const utf8 = (s) => new TextEncoder().encode(s);
"""


def node(script: str, inputs: dict[str, Any]) -> Any:
    """Run `script` (an async function body given `input`, returning JSON) in Node's crypto.subtle."""
    require_oracle(NODE is not None, "node is not on PATH: Node's crypto.subtle is the oracle for WebCrypto")
    program = (
        "const { subtle } = globalThis.crypto;\n"
        "const hex = (buf) => Buffer.from(buf).toString('hex');\n"
        "const unhex = (h) => new Uint8Array(Buffer.from(h, 'hex'));\n"
        "const utf8 = (s) => new TextEncoder().encode(s);\n"
        "let data = ''; process.stdin.on('data', (c) => data += c).on('end', async () => {\n"
        "  const input = JSON.parse(data);\n"
        f"  const out = await (async () => {{ {script} }})();\n"
        "  process.stdout.write(JSON.stringify(out));\n"
        "});\n"
    )
    done = subprocess.run([NODE, "-e", program], input=json.dumps(inputs), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def action(body: str, params: dict[str, Any] | None = None) -> Any:
    """Run an action in the `(async () => {...})()` idiom; it answers JSON through setResponse."""
    result = await run(HELPERS + "(async () => {\n" + body + "\n})();", params)
    assert result.error is None, result.error
    return json.loads(result.response)


@pytest.mark.parametrize("alg", ["SHA-1", "SHA-256", "SHA-384", "SHA-512"])
async def test_digest_equals_node(alg: str) -> None:
    message = "Hello, crypto world! \u00e9\u6f22"
    ours = await action(
        f"const d = await crypto.subtle.digest('{alg}', utf8(message));\n"
        "Lit.Actions.setResponse({ response: JSON.stringify(hex(d)) });",
        {"message": message},
    )
    theirs = node(f"return hex(await subtle.digest('{alg}', utf8(input.message)));", {"message": message})
    assert ours == theirs and len(ours) > 0


async def test_hmac_equals_node_and_verifies_node_signature() -> None:
    key, message = "6b6579" * 11, "the quick brown fox"
    ours = await action(
        "const k = await crypto.subtle.importKey('raw', unhex(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);\n"
        "const sig = await crypto.subtle.sign('HMAC', k, utf8(message));\n"
        "const ok = await crypto.subtle.verify('HMAC', k, unhex(nodeSig), utf8(message));\n"
        "const bad = await crypto.subtle.verify('HMAC', k, unhex(nodeSig), utf8(message + '!'));\n"
        "Lit.Actions.setResponse({ response: JSON.stringify({ sig: hex(sig), ok, bad }) });",
        {
            "key": key,
            "message": message,
            "nodeSig": node(
                "const k = await subtle.importKey('raw', unhex(input.key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);\n"
                "return hex(await subtle.sign('HMAC', k, utf8(input.message)));",
                {"key": key, "message": message},
            ),
        },
    )
    theirs = node(
        "const k = await subtle.importKey('raw', unhex(input.key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);\n"
        "return hex(await subtle.sign('HMAC', k, utf8(input.message)));",
        {"key": key, "message": message},
    )
    assert ours == {"sig": theirs, "ok": True, "bad": False}


# Sign in the sandbox with a generated key; Node verifies with the exported public key (spki and jwk).
SIGN_IN_SANDBOX = """
const pair = await crypto.subtle.generateKey(ALG_GEN, false, ['sign', 'verify']);
const sig = await crypto.subtle.sign(ALG_SIGN, pair.privateKey, utf8(message));
const spki = await crypto.subtle.exportKey('spki', pair.publicKey);
const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
const raw = await crypto.subtle.exportKey('raw', pair.publicKey);
const self = await crypto.subtle.verify(ALG_SIGN, pair.publicKey, sig, utf8(message));
Lit.Actions.setResponse({ response: JSON.stringify({ sig: hex(sig), spki: hex(spki), jwk, raw: hex(raw), self }) });
"""

NODE_VERIFIES = """
const bySpki = await subtle.importKey('spki', unhex(input.spki), ALG_GEN, true, ['verify']);
const byJwk = await subtle.importKey('jwk', input.jwk, ALG_GEN, true, ['verify']);
const byRaw = await subtle.importKey('raw', unhex(input.raw), ALG_GEN, true, ['verify']);
const msg = utf8(input.message), sig = unhex(input.sig);
return [await subtle.verify(ALG_SIGN, bySpki, sig, msg), await subtle.verify(ALG_SIGN, byJwk, sig, msg),
  await subtle.verify(ALG_SIGN, byRaw, sig, msg), await subtle.verify(ALG_SIGN, bySpki, sig, utf8(input.message + '.'))];
"""

# Node makes a key and signs; the sandbox imports it (pkcs8/spki/jwk) and verifies, and signs with it.
NODE_SIGNS = """
const pair = await subtle.generateKey(ALG_GEN, true, ['sign', 'verify']);
const sig = await subtle.sign(ALG_SIGN, pair.privateKey, utf8(input.message));
return { sig: hex(sig), pkcs8: hex(await subtle.exportKey('pkcs8', pair.privateKey)),
  spki: hex(await subtle.exportKey('spki', pair.publicKey)), jwk: await subtle.exportKey('jwk', pair.privateKey) };
"""

SANDBOX_VERIFIES = """
const pub = await crypto.subtle.importKey('spki', unhex(theirs.spki), ALG_GEN, true, ['verify']);
const priv = await crypto.subtle.importKey('pkcs8', unhex(theirs.pkcs8), ALG_GEN, false, ['sign']);
const privJwk = await crypto.subtle.importKey('jwk', theirs.jwk, ALG_GEN, true, ['sign']);
const ok = await crypto.subtle.verify(ALG_SIGN, pub, unhex(theirs.sig), utf8(message));
const tampered = unhex(theirs.sig); tampered[5] ^= 1;
const bad = await crypto.subtle.verify(ALG_SIGN, pub, tampered, utf8(message));
const mine = await crypto.subtle.sign(ALG_SIGN, priv, utf8(message));
const mineJwk = await crypto.subtle.sign(ALG_SIGN, privJwk, utf8(message));
const back = await crypto.subtle.exportKey('jwk', privJwk);
Lit.Actions.setResponse({ response: JSON.stringify({ ok, bad, mine: hex(mine), mineJwk: hex(mineJwk), d: back.d }) });
"""

ALGORITHMS = {
    "Ed25519": ("{ name: 'Ed25519' }", "{ name: 'Ed25519' }"),
    "ECDSA": ("{ name: 'ECDSA', namedCurve: 'P-256' }", "{ name: 'ECDSA', hash: 'SHA-256' }"),
}


def _fill(template: str, alg: str) -> str:
    gen, sign = ALGORITHMS[alg]
    return template.replace("ALG_GEN", gen).replace("ALG_SIGN", sign)


@pytest.mark.parametrize("alg", sorted(ALGORITHMS))
async def test_signatures_made_in_the_sandbox_verify_in_node(alg: str) -> None:
    message = "sign me, " + alg
    ours = await action(_fill(SIGN_IN_SANDBOX, alg), {"message": message})
    assert ours["self"] is True
    if alg == "ECDSA":
        assert len(ours["sig"]) == 128  # WebCrypto's raw r||s, not DER
    assert node(_fill(NODE_VERIFIES, alg), {**ours, "message": message}) == [True, True, True, False]


@pytest.mark.parametrize("alg", sorted(ALGORITHMS))
async def test_node_signatures_verify_in_the_sandbox_and_imported_keys_sign(alg: str) -> None:
    message = "from node, " + alg
    theirs = node(_fill(NODE_SIGNS, alg), {"message": message})
    ours = await action(_fill(SANDBOX_VERIFIES, alg), {"message": message, "theirs": theirs})
    assert ours["ok"] is True and ours["bad"] is False
    assert ours["d"] == theirs["jwk"]["d"]
    if alg == "Ed25519":  # deterministic: the same key signs the same bytes
        assert ours["mine"] == ours["mineJwk"] == theirs["sig"]
    check = "const k = await subtle.importKey('spki', unhex(input.spki), ALG_GEN, true, ['verify']);\n" + (
        "return [await subtle.verify(ALG_SIGN, k, unhex(input.a), utf8(input.m)), await subtle.verify(ALG_SIGN, k, unhex(input.b), utf8(input.m))];"
    )
    assert node(_fill(check, alg), {"spki": theirs["spki"], "a": ours["mine"], "b": ours["mineJwk"], "m": message}) == [True, True]


async def test_aes_gcm_round_trips_with_node() -> None:
    key, iv, aad, plain = "00112233445566778899aabbccddeeff" * 2, "0102030405060708090a0b0c", "6865616465", "secret payload"
    ours = await action(
        "const k = await crypto.subtle.importKey('raw', unhex(key), 'AES-GCM', true, ['encrypt', 'decrypt']);\n"
        "const alg = { name: 'AES-GCM', iv: unhex(iv), additionalData: unhex(aad), tagLength: 128 };\n"
        "const ct = await crypto.subtle.encrypt(alg, k, utf8(plain));\n"
        "const back = await crypto.subtle.decrypt(alg, k, unhex(nodeCt));\n"
        "const jwk = await crypto.subtle.exportKey('jwk', k);\n"
        "Lit.Actions.setResponse({ response: JSON.stringify({ ct: hex(ct), back: new TextDecoder().decode(back), alg: jwk.alg }) });",
        {
            "key": key, "iv": iv, "aad": aad, "plain": plain,
            "nodeCt": node(
                "const k = await subtle.importKey('raw', unhex(input.key), 'AES-GCM', false, ['encrypt']);\n"
                "return hex(await subtle.encrypt({ name: 'AES-GCM', iv: unhex(input.iv), additionalData: unhex(input.aad) }, k, utf8('from node')));",
                {"key": key, "iv": iv, "aad": aad},
            ),
        },
    )
    assert ours["back"] == "from node" and ours["alg"] == "A256GCM"
    decrypted = node(
        "const k = await subtle.importKey('raw', unhex(input.key), 'AES-GCM', false, ['decrypt']);\n"
        "return new TextDecoder().decode(await subtle.decrypt({ name: 'AES-GCM', iv: unhex(input.iv), additionalData: unhex(input.aad) }, k, unhex(input.ct)));",
        {"key": key, "iv": iv, "aad": aad, "ct": ours["ct"]},
    )
    assert decrypted == plain


ERRORS = [
    ("await crypto.subtle.digest('MD5', utf8('x'))", "NotSupportedError", "MD5"),
    ("await crypto.subtle.importKey('raw', utf8('k'), { name: 'RSA-PSS' }, false, ['sign'])", "NotSupportedError", "RSA-PSS"),
    ("await crypto.subtle.importKey('raw', new Uint8Array(5), 'AES-GCM', false, ['encrypt'])", "DataError", "16, 24 or 32 bytes"),
    ("await crypto.subtle.importKey('spki', new Uint8Array([1, 2, 3]), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify'])", "DataError", "spki"),
    ("await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['sign'])", "SyntaxError", "sign"),
    (
        "const k = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']);\n"
        "await crypto.subtle.exportKey('raw', k)",
        "InvalidAccessError",
        "not extractable",
    ),
    (
        "const k = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']);\n"
        "await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, k, new Uint8Array(32))",
        "InvalidAccessError",
        "'decrypt'",
    ),
    (
        "const k = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['decrypt']);\n"
        "await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, k, new Uint8Array(32))",
        "OperationError",
        "not authentic",
    ),
    (
        "const k = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']);\n"
        "await crypto.subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12), tagLength: 96 }, k, new Uint8Array(3))",
        "NotSupportedError",
        "tagLength 96",
    ),
    (
        "const k = await crypto.subtle.importKey('raw', new Uint8Array(16), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);\n"
        "await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, k, new Uint8Array(3))",
        "InvalidAccessError",
        "HMAC key, not ECDSA",
    ),
    ("await crypto.subtle.digest('SHA-256', 'not bytes')", "TypeError", "ArrayBuffer"),
]


@pytest.mark.parametrize(("statement", "name", "words"), ERRORS)
async def test_errors_carry_webcrypto_names(statement: str, name: str, words: str) -> None:
    got = await action(
        "try {\n" + statement + ";\nLit.Actions.setResponse({ response: JSON.stringify(null) });\n"
        "} catch (e) { Lit.Actions.setResponse({ response: JSON.stringify({ name: e.name, message: e.message, dom: e instanceof DOMException }) }); }"
    )
    assert got is not None, "the operation should have failed"
    assert got["name"] == name and words in got["message"]
    assert got["dom"] is (name != "TypeError")


async def test_uncaught_webcrypto_error_fails_the_execution_with_its_name() -> None:
    result = await run("const go = async () => { await crypto.subtle.digest('SHA-999', new Uint8Array(1)); };\ngo();")
    assert result.error is not None and result.error.kind == "js_error"
    assert result.error.message.startswith("NotSupportedError:") and "SHA-999" in result.error.message
    assert result.error.line == 1
    assert result.operations == []  # crypto.subtle's host calls are not Lit.Actions operations


async def test_key_material_is_out_of_the_actions_reach() -> None:
    # A non-extractable key: no property, no JSON, no clone, no export shows its bytes.
    got = await action(
        "const k = await crypto.subtle.importKey('raw', unhex('aa'.repeat(32)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);\n"
        "const seen = [];\n"
        "for (let o = k; o; o = Object.getPrototypeOf(o)) seen.push(...Object.getOwnPropertyNames(o), ...Object.getOwnPropertySymbols(o).map(String));\n"
        "let cloned; try { structuredClone(k); cloned = 'cloned'; } catch (e) { cloned = e.name; }\n"
        "let constructed; try { new CryptoKey(); constructed = 'made'; } catch (e) { constructed = e.name; }\n"
        "Lit.Actions.setResponse({ response: JSON.stringify({ json: JSON.stringify(k), seen: seen.join(','), cloned, constructed,"
        " type: k.type, extractable: k.extractable, algorithm: k.algorithm, usages: k.usages, tag: String(k) }) });"
    )
    assert "aa" * 8 not in json.dumps(got) and "material" not in got["seen"]
    assert got["json"] == "{}" and got["cloned"] == "DataCloneError" and got["constructed"] == "TypeError"
    assert got["type"] == "secret" and got["extractable"] is False and got["usages"] == ["sign"]
    assert got["algorithm"] == {"name": "HMAC", "hash": {"name": "SHA-256"}, "length": 256}
    assert got["tag"] == "[object CryptoKey]"


async def test_keys_do_not_survive_the_execution() -> None:
    first = await run(
        HELPERS + "(async () => { globalThis.k = await crypto.subtle.importKey('raw', new Uint8Array(32), 'AES-GCM', true, ['encrypt']); })();"
    )
    assert first.error is None
    second = await run("Lit.Actions.setResponse({ response: typeof k });")
    assert second.response == "undefined"


async def test_a_call_beyond_the_size_cap_is_refused_by_the_host() -> None:
    with pytest.raises(Exception, match="the most one call may pass"):
        await webcrypto({"method": "digest", "algorithm": "SHA-256", "data": base64.b64encode(bytes(16 * 1024 * 1024 + 3)).decode()})
    with pytest.raises(Exception, match="crypto.subtle.nonsense is not supported"):
        await Host().handle("webcrypto", {"method": "nonsense"})


async def test_random_uuid_is_version_4_and_fresh() -> None:
    result = await run(
        "const ids = Array.from({ length: 50 }, () => crypto.randomUUID());\n"
        "Lit.Actions.setResponse({ response: JSON.stringify(ids) });"
    )
    ids = json.loads(result.response)
    assert len(set(ids)) == 50
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", i) for i in ids)


async def test_subtle_is_loaded_only_for_actions_that_name_it() -> None:
    result = await run("Lit.Actions.setResponse({ response: typeof crypto['sub' + 'tle'] + typeof crypto.getRandomValues });")
    assert result.response == "undefinedfunction"


async def test_big_inputs_hash_like_node() -> None:
    # 5 MiB through the bridge (base64) and a worker thread on the host.
    result = await run(
        HELPERS + "(async () => { const data = new Uint8Array(5 * 1024 * 1024); for (let i = 0; i < data.length; i++) data[i] = i % 251;\n"
        "Lit.Actions.setResponse({ response: hex(await crypto.subtle.digest('SHA-256', data.subarray(3))) }); })();"
    )
    assert result.error is None, result.error
    data = bytes(i % 251 for i in range(5 * 1024 * 1024))[3:]
    assert result.response == hashlib.sha256(data).hexdigest()
