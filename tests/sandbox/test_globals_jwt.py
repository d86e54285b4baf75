"""The `jwt` global (jsonwebtoken's API, as Lit provides it); npm jsonwebtoken in Node.js is the oracle."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sandbox import Host, Limits, execute
from tests.oracles import require_oracle
from tests.sandbox.conftest import run

NODE = shutil.which("node")
ROOT = Path(__file__).resolve().parents[2]
NOW = 1_800_000_000  # a fixed clock for both sides, so claims compare exactly


def node(script: str, inputs: dict[str, Any]) -> Any:
    """Run `script` in Node with `jwt` = npm jsonwebtoken, `crypto` = node:crypto and `input`."""
    require_oracle(NODE is not None, "node is not on PATH: npm jsonwebtoken is the oracle for jwt")
    require_oracle((ROOT / "node_modules/jsonwebtoken").is_dir(), "npm jsonwebtoken is not installed: run scripts/setup.sh")
    program = (
        "const jwt = require('jsonwebtoken'); const crypto = require('node:crypto');\n"
        "const input = JSON.parse(process.argv[1]);\n"
        f"const out = (() => {{ {script} }})();\n"
        "process.stdout.write(JSON.stringify(out));"
    )
    done = subprocess.run([NODE, "-e", program, json.dumps(inputs)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def action(body: str, params: dict[str, Any]) -> Any:
    result = await run(body + "\nLit.Actions.setResponse({ response: JSON.stringify(out) });", params)
    assert result.error is None, result.error
    return json.loads(result.response)


@pytest.fixture(scope="module")
def keys() -> dict[str, str]:
    return node(
        "const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });\n"
        "const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });\n"
        "const pem = (k, type) => k.export({ format: 'pem', type });\n"
        "return { rsaPrivate: pem(rsa.privateKey, 'pkcs8'), rsaPrivatePkcs1: pem(rsa.privateKey, 'pkcs1'), rsaPublic: pem(rsa.publicKey, 'spki'),\n"
        "  ecPrivate: pem(ec.privateKey, 'pkcs8'), ecPrivateSec1: pem(ec.privateKey, 'sec1'), ecPublic: pem(ec.publicKey, 'spki') };",
        {},
    )


OPTIONS = {"expiresIn": "2h", "notBefore": 0, "audience": "lit", "issuer": "litrt", "subject": "alice", "jwtid": "id-1", "keyid": "k1"}

CASES = [
    ("HS256", "secret", "secret"),
    ("HS384", "secret", "secret"),
    ("HS512", "secret", "secret"),
    ("RS256", "rsaPrivate", "rsaPublic"),
    ("RS256", "rsaPrivatePkcs1", "rsaPublic"),
    ("RS512", "rsaPrivate", "rsaPublic"),
    ("ES256", "ecPrivate", "ecPublic"),
    ("ES256", "ecPrivateSec1", "ecPublic"),
]


def _key(keys: dict[str, str], name: str) -> str:
    return "a shared secret of enough length" if name == "secret" else keys[name]


@pytest.mark.parametrize(("alg", "signing", "checking"), CASES)
async def test_tokens_we_sign_verify_with_jsonwebtoken(keys: dict[str, str], alg: str, signing: str, checking: str) -> None:
    payload = {"userId": 123, "roles": ["a", "b"], "iat": NOW}
    ours = await action(
        "const out = jwt.sign(payload, key, { ...options, algorithm: alg });",
        {"payload": payload, "key": _key(keys, signing), "options": OPTIONS, "alg": alg},
    )
    theirs = node(
        "const v = jwt.verify(input.token, input.key, { algorithms: [input.alg], audience: 'lit', issuer: 'litrt', subject: 'alice', jwtid: 'id-1', clockTimestamp: input.now, complete: true });\n"
        "return { header: v.header, payload: v.payload, same: input.deterministic ? jwt.sign(input.payload, input.signKey, { ...input.options, algorithm: input.alg }) : null };",
        {"token": ours, "key": _key(keys, checking), "alg": alg, "now": NOW + 60, "payload": payload, "signKey": _key(keys, signing),
         "options": OPTIONS, "deterministic": not alg.startswith("ES")},
    )
    assert theirs["header"] == {"alg": alg, "typ": "JWT", "kid": "k1"}
    assert theirs["payload"] == {**payload, "exp": NOW + 7200, "nbf": NOW, "aud": "lit", "iss": "litrt", "sub": "alice", "jti": "id-1"}
    if theirs["same"] is not None:  # HMAC and RSA PKCS#1 v1.5 are deterministic: the very same token
        assert theirs["same"] == ours


@pytest.mark.parametrize(("alg", "signing", "checking"), CASES)
async def test_tokens_jsonwebtoken_signs_verify_with_ours(keys: dict[str, str], alg: str, signing: str, checking: str) -> None:
    token = node(
        "return jwt.sign({ userId: 7, iat: input.now }, input.key, { algorithm: input.alg, expiresIn: 60, audience: ['x', 'lit'] });",
        {"key": _key(keys, signing), "alg": alg, "now": NOW},
    )
    ours = await action(
        "const v = jwt.verify(token, key, { algorithms: [alg], audience: 'lit', clockTimestamp: now + 30, complete: true });\n"
        "let tampered; try { jwt.verify(token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA'), key, { clockTimestamp: now }); } catch (e) { tampered = e.name + ': ' + e.message; }\n"
        "const out = { header: v.header, payload: v.payload, tampered, decoded: jwt.decode(token) };",
        {"token": token, "key": _key(keys, checking), "alg": alg, "now": NOW},
    )
    assert ours["header"] == {"alg": alg, "typ": "JWT"}
    assert ours["payload"] == ours["decoded"] == {"userId": 7, "iat": NOW, "exp": NOW + 60, "aud": ["x", "lit"]}
    assert ours["tampered"] == "JsonWebTokenError: invalid signature"


# Each failure as `name: message`, computed by both sides from the same token and options.
FAILURES = [
    ("{ iat: now - 100, exp: now - 10 }", "{}", "'s3cret'"),
    ("{ iat: now, nbf: now + 100 }", "{}", "'s3cret'"),
    ("{ iat: now, aud: 'other' }", "{ audience: 'lit' }", "'s3cret'"),
    ("{ iat: now, aud: 'other' }", "{ audience: ['lit', 'x'] }", "'s3cret'"),
    ("{ iat: now, iss: 'mallory' }", "{ issuer: 'litrt' }", "'s3cret'"),
    ("{ iat: now, sub: 'bob' }", "{ subject: 'alice' }", "'s3cret'"),
    ("{ iat: now, jti: 'x' }", "{ jwtid: 'y' }", "'s3cret'"),
    ("{ iat: now - 1000 }", "{ maxAge: '10m' }", "'s3cret'"),
    ("{ iat: now }", "{}", "'wrong secret'"),
    ("{ iat: now }", "{ algorithms: ['HS512'] }", "'s3cret'"),
    ("{ iat: now, exp: now - 10 }", "{ clockTolerance: 60 }", "'s3cret'"),
    ("{ iat: now, exp: now - 10 }", "{ ignoreExpiration: true }", "'s3cret'"),
]

FAILURE_SCRIPT = """
const now = input.now;
const token = jwt.sign(PAYLOAD, 's3cret');
const attempt = (t, key, options) => { try { jwt.verify(t, key, { clockTimestamp: now, ...options }); return 'ok'; } catch (e) { return e.name + ': ' + e.message + (e.expiredAt ? ' at ' + e.expiredAt.toISOString() : '') + (e.date ? ' at ' + e.date.toISOString() : ''); } };
const out = [attempt(token, KEY, OPTIONS), attempt('a.b', 's3cret', {}), attempt('', 's3cret', {}), attempt(token, '', {}),
  attempt('eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.', 's3cret', {}), jwt.decode('garbage')];
"""


@pytest.mark.parametrize(("payload", "options", "key"), FAILURES)
async def test_failures_match_jsonwebtoken(payload: str, options: str, key: str) -> None:
    script = FAILURE_SCRIPT.replace("PAYLOAD", payload).replace("OPTIONS", options).replace("KEY", key)
    ours = await action(script, {"input": {"now": NOW}})
    assert ours == node(script + "return out;", {"now": NOW})


async def test_sign_and_verify_are_synchronous_and_callbacks_work() -> None:
    ours = await action(
        "const go = async () => {\n"
        "  const token = jwt.sign({ a: 1 }, 'k', { noTimestamp: true });\n"
        "  const viaCallback = await new Promise((resolve, reject) => jwt.verify(token, 'k', (err, decoded) => err ? reject(err) : resolve(decoded)));\n"
        "  const failed = await new Promise((resolve) => jwt.verify(token, 'other', (err) => resolve(err.message)));\n"
        "  return { token: typeof token, viaCallback, failed, complete: jwt.decode(token, { complete: true }).header, keys: Object.keys(jwt).sort() };\n"
        "};\n"
        "let out; go().then((v) => { out = v; Lit.Actions.setResponse({ response: JSON.stringify(out) }); });\n"
        "out = null;",
        {},
    )
    assert ours == {
        "token": "string",
        "viaCallback": {"a": 1},
        "failed": "invalid signature",
        "complete": {"alg": "HS256", "typ": "JWT"},
        "keys": ["JsonWebTokenError", "NotBeforeError", "TokenExpiredError", "sign", "verify"],
    }


async def test_key_kind_mismatches_are_refused(keys: dict[str, str]) -> None:
    ours = await action(
        "const attempt = (f) => { try { f(); return 'ok'; } catch (e) { return e.message; } };\n"
        "const out = [\n"
        "  attempt(() => jwt.sign({}, rsaPublic, { algorithm: 'HS256' })),\n"
        "  attempt(() => jwt.sign({}, 'secret', { algorithm: 'RS256' })),\n"
        "  attempt(() => jwt.verify(jwt.sign({}, 'secret'), rsaPublic)),\n"
        "  attempt(() => jwt.sign({}, 'secret', { algorithm: 'PS256' })),\n"
        "];",
        {"rsaPublic": keys["rsaPublic"]},
    )
    assert ours == [
        "secretOrPrivateKey must be a symmetric key when using HS256",
        "secretOrPrivateKey must be an asymmetric key when using RS256",
        "invalid algorithm",
        '"algorithm" must be a valid string enum value',
    ]


async def test_jwt_is_loaded_only_for_actions_that_name_it() -> None:
    result = await execute("Lit.Actions.setResponse({ response: typeof globalThis['j' + 'wt'] });", None, Host(), Limits())
    assert result.response == "undefined"
