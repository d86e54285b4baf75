// The `jwt` global Lit gives actions (lit-actions/ext/js/03_jsonwebtoken.js bundles npm jsonwebtoken 8.x:
// it lacks 9's key-type checks): sign, verify and decode with jsonwebtoken's names, options and error
// messages, synchronous as they are. Behaviour follows jsonwebtoken 9, whose key-type checks close 8's
// algorithm confusion (an RSA public key accepted as an HS256 secret).
// HS* with @noble/hashes, ES* with @noble/curves (RFC 6979 nonces: jsrsasign's ECDSA would draw its
// nonce from Math.random inside the isolate), RS* and PEM parsing with jsrsasign (RSA PKCS#1 v1.5 is
// deterministic). Built by sandbox/js/build.mjs; loaded only for actions that name `jwt`.
import { hmac } from "@noble/hashes/hmac";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2";
import { p256, p384, p521 } from "@noble/curves/nist";

// jsrsasign seeds its generator from crypto.getRandomValues when its module body runs, and the
// isolate's random pool is only filled just before the action starts: so its body runs on first use.
let rsasign = null;
const jsrsasign = () => rsasign || (rsasign = require("jsrsasign"));

class JsonWebTokenError extends Error {
  constructor(message, inner) {
    super(message);
    this.name = "JsonWebTokenError";
    if (inner) this.inner = inner;
  }
}

class TokenExpiredError extends JsonWebTokenError {
  constructor(message, expiredAt) {
    super(message);
    this.name = "TokenExpiredError";
    this.expiredAt = expiredAt;
  }
}

class NotBeforeError extends JsonWebTokenError {
  constructor(message, date) {
    super(message);
    this.name = "NotBeforeError";
    this.date = date;
  }
}

const HMAC = { HS256: sha256, HS384: sha384, HS512: sha512 };
const RSA = { RS256: "SHA256withRSA", RS384: "SHA384withRSA", RS512: "SHA512withRSA" };
const EC = {
  ES256: { curve: p256, hash: sha256, name: "secp256r1", size: 32 },
  ES384: { curve: p384, hash: sha384, name: "secp384r1", size: 48 },
  ES512: { curve: p521, hash: sha512, name: "secp521r1", size: 66 },
};

// ---- encodings ---------------------------------------------------------------------------------
const utf8 = (s) => new TextEncoder().encode(s);
const fromUtf8 = (b) => new TextDecoder().decode(b);

function b64url(bytes) {
  let raw = "";
  for (let i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
  return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const raw = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function fromHex(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

// "2h", "7 days", "1.5d", "120" (milliseconds, as npm `ms` reads a bare string) -> seconds
function timespan(value, base) {
  if (typeof value === "number") return base + value;
  const match = /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i.exec(String(value));
  if (!match) return undefined;
  const unit = (match[2] || "ms").toLowerCase();
  const seconds = unit.startsWith("y") ? 31557600 : unit.startsWith("w") ? 604800 : unit.startsWith("d") ? 86400
    : unit.startsWith("h") ? 3600 : unit === "m" || unit.startsWith("min") ? 60
    : unit === "s" || unit.startsWith("sec") ? 1 : 0.001;
  return Math.floor(base + parseFloat(match[1]) * seconds);
}

// ---- keys -------------------------------------------------------------------------------------
// A secret (string or bytes) or a PEM key, read once per call: {secret} or {asymmetric: jsrsasign key}.
function readKey(key, role) {
  if (key && typeof key === "object" && !ArrayBuffer.isView(key) && "key" in key) key = key.key;
  if (typeof key === "string" && key.includes("-----BEGIN")) {
    try {
      return { asymmetric: jsrsasign().KEYUTIL.getKey(key) };
    } catch (e) {
      throw new JsonWebTokenError(role + " is not a valid PEM key: " + (e && e.message ? e.message : e));
    }
  }
  if (typeof key === "string") return { secret: utf8(key) };
  if (ArrayBuffer.isView(key)) return { secret: new Uint8Array(key.buffer, key.byteOffset, key.byteLength) };
  throw new JsonWebTokenError(role + " must be a string, a Buffer or a PEM key");
}

function ecKey(alg, key, role) {
  const spec = EC[alg];
  if (!(key instanceof jsrsasign().KJUR.crypto.ECDSA)) throw new JsonWebTokenError(role + " must be an EC key when using " + alg);
  if (key.curveName !== spec.name && !(spec.name === "secp256r1" && key.curveName === "prime256v1")) {
    throw new JsonWebTokenError('"alg" parameter "' + alg + '" requires curve "' + spec.name + '".');
  }
  return spec;
}

function signBytes(alg, input, key) {
  if (HMAC[alg]) {
    if (!key.secret) throw new JsonWebTokenError("secretOrPrivateKey must be a symmetric key when using " + alg);
    return hmac(HMAC[alg], key.secret, input);
  }
  if (!key.asymmetric) throw new JsonWebTokenError("secretOrPrivateKey must be an asymmetric key when using " + alg);
  if (RSA[alg]) {
    if (!(key.asymmetric instanceof jsrsasign().RSAKey) || !key.asymmetric.isPrivate) {
      throw new JsonWebTokenError("secretOrPrivateKey must be an RSA private key when using " + alg);
    }
    const signer = new (jsrsasign().KJUR.crypto.Signature)({ alg: RSA[alg] });
    signer.init(key.asymmetric);
    signer.updateHex(toHex(input));
    return fromHex(signer.sign());
  }
  const spec = ecKey(alg, key.asymmetric, "secretOrPrivateKey");
  if (!key.asymmetric.prvKeyHex) throw new JsonWebTokenError("secretOrPrivateKey must be an EC private key when using " + alg);
  return spec.curve.sign(spec.hash(input), key.asymmetric.prvKeyHex.padStart(spec.size * 2, "0")).toCompactRawBytes();
}

function verifyBytes(alg, input, signature, key) {
  if (HMAC[alg]) {
    if (!key.secret) throw new JsonWebTokenError("secretOrPublicKey must be a symmetric key when using " + alg);
    const expected = hmac(HMAC[alg], key.secret, input);
    let diff = expected.length ^ signature.length;
    for (let i = 0; i < expected.length; i++) diff |= expected[i] ^ (signature[i] | 0);
    return diff === 0;
  }
  if (!key.asymmetric) throw new JsonWebTokenError("secretOrPublicKey must be an asymmetric key when using " + alg);
  if (RSA[alg]) {
    if (!(key.asymmetric instanceof jsrsasign().RSAKey)) throw new JsonWebTokenError("secretOrPublicKey must be an RSA key when using " + alg);
    const verifier = new (jsrsasign().KJUR.crypto.Signature)({ alg: RSA[alg] });
    verifier.init(key.asymmetric);
    verifier.updateHex(toHex(input));
    return verifier.verify(toHex(signature));
  }
  const spec = ecKey(alg, key.asymmetric, "secretOrPublicKey");
  if (signature.length !== spec.size * 2) return false;
  try {
    return spec.curve.verify(signature, spec.hash(input), key.asymmetric.pubKeyHex, { lowS: false });
  } catch (e) {
    return false;
  }
}

const SUPPORTED = [...Object.keys(HMAC), ...Object.keys(RSA), ...Object.keys(EC)];

// ---- the API ----------------------------------------------------------------------------------
function withCallback(callback, work) {
  if (typeof callback !== "function") return work();
  let result, error = null;
  try { result = work(); } catch (e) { error = e; }
  Promise.resolve().then(() => (error ? callback(error) : callback(null, result)));
  return undefined;
}

function sign(payload, secretOrPrivateKey, options, callback) {
  if (typeof options === "function") { callback = options; options = {}; }
  options = options || {};
  return withCallback(callback, () => {
    const alg = options.algorithm || "HS256";
    if (alg !== "none" && !secretOrPrivateKey) throw new Error("secretOrPrivateKey must have a value");
    if (alg !== "none" && !SUPPORTED.includes(alg)) throw new Error('"algorithm" must be a valid string enum value');
    const header = Object.assign({ alg, typ: typeof payload === "object" ? "JWT" : undefined }, options.header);
    if (options.keyid) header.kid = options.keyid;
    let body = payload;
    if (payload !== null && typeof payload === "object" && !ArrayBuffer.isView(payload)) {
      body = Object.assign({}, payload);
      for (const [option, claim] of [["expiresIn", "exp"], ["notBefore", "nbf"]]) {
        if (options[option] !== undefined && body[claim] !== undefined) {
          throw new Error('Bad "options.' + option + '" option the payload already has an "' + claim + '" property.');
        }
      }
      const now = body.iat || Math.floor(Date.now() / 1000);
      if (options.noTimestamp) delete body.iat;
      else body.iat = now;
      // nbf before exp: the claims' order is the token's bytes, which jsonwebtoken's must equal.
      for (const [option, claim] of [["notBefore", "nbf"], ["expiresIn", "exp"]]) {
        if (options[option] === undefined) continue;
        body[claim] = timespan(options[option], now);
        if (body[claim] === undefined) {
          throw new Error('"' + option + '" should be a number of seconds or string representing a timespan eg: "1d", "20h", 60');
        }
      }
      for (const [option, claim] of [["audience", "aud"], ["issuer", "iss"], ["subject", "sub"], ["jwtid", "jti"]]) {
        if (options[option] === undefined) continue;
        if (body[claim] !== undefined) {
          throw new Error('Bad "options.' + option + '" option. The payload already has an "' + claim + '" property.');
        }
        body[claim] = options[option];
      }
    } else if (options.expiresIn !== undefined || options.notBefore !== undefined) {
      throw new Error("invalid " + (options.expiresIn !== undefined ? "expiresIn" : "notBefore") + " option for string payload");
    }
    const headerPart = b64url(utf8(JSON.stringify(header)));
    const payloadPart = typeof body === "string" ? b64url(utf8(body))
      : ArrayBuffer.isView(body) ? b64url(new Uint8Array(body.buffer, body.byteOffset, body.byteLength))
      : b64url(utf8(JSON.stringify(body)));
    const input = headerPart + "." + payloadPart;
    if (alg === "none") return input + ".";
    return input + "." + b64url(signBytes(alg, utf8(input), readKey(secretOrPrivateKey, "secretOrPrivateKey")));
  });
}

function parse(token) {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JsonWebTokenError("jwt malformed");
  let header, payload;
  try {
    header = JSON.parse(fromUtf8(fromB64url(parts[0])));
    const text = fromUtf8(fromB64url(parts[1]));
    try { payload = JSON.parse(text); } catch (e) { payload = text; }
  } catch (e) {
    throw new JsonWebTokenError("invalid token");
  }
  if (!header || typeof header !== "object") throw new JsonWebTokenError("invalid token");
  return { header, payload, signature: parts[2], parts };
}

function decode(token, options) {
  options = options || {};
  let decoded;
  try { decoded = parse(String(token)); } catch (e) { return null; }
  let payload = decoded.payload;
  if (options.json && typeof payload === "string") {
    try { payload = JSON.parse(payload); } catch (e) { return null; }
  }
  return options.complete ? { header: decoded.header, payload, signature: decoded.signature } : payload;
}

function checkClaims(payload, options) {
  const now = typeof options.clockTimestamp === "number" ? options.clockTimestamp : Math.floor(Date.now() / 1000);
  const tolerance = options.clockTolerance || 0;
  if (payload.nbf !== undefined && !options.ignoreNotBefore) {
    if (typeof payload.nbf !== "number") throw new JsonWebTokenError("invalid nbf value");
    if (payload.nbf > now + tolerance) throw new NotBeforeError("jwt not active", new Date(payload.nbf * 1000));
  }
  if (payload.exp !== undefined && !options.ignoreExpiration) {
    if (typeof payload.exp !== "number") throw new JsonWebTokenError("invalid exp value");
    if (now >= payload.exp + tolerance) throw new TokenExpiredError("jwt expired", new Date(payload.exp * 1000));
  }
  if (options.audience) {
    const wanted = Array.isArray(options.audience) ? options.audience : [options.audience];
    const got = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const ok = got.some((aud) => wanted.some((w) => (w instanceof RegExp ? w.test(aud) : w === aud)));
    if (!ok) throw new JsonWebTokenError("jwt audience invalid. expected: " + wanted.join(" or "));
  }
  for (const [option, claim] of [["issuer", "iss"], ["subject", "sub"], ["jwtid", "jti"]]) {
    if (!options[option]) continue;
    const wanted = Array.isArray(options[option]) ? options[option] : [options[option]];
    if (!wanted.includes(payload[claim])) {
      const label = option === "jwtid" ? "jwt jwtid" : "jwt " + option;
      throw new JsonWebTokenError(label + " invalid. expected: " + wanted.join(" or "));
    }
  }
  if (options.nonce && payload.nonce !== options.nonce) throw new JsonWebTokenError("jwt nonce invalid. expected: " + options.nonce);
  if (options.maxAge) {
    if (typeof payload.iat !== "number") throw new JsonWebTokenError("iat required when maxAge is specified");
    const latest = timespan(options.maxAge, payload.iat);
    if (latest === undefined) throw new Error('"maxAge" should be a number of seconds or string representing a timespan');
    if (now >= latest + tolerance) throw new TokenExpiredError("maxAge exceeded", new Date(latest * 1000));
  }
}

function verify(token, secretOrPublicKey, options, callback) {
  if (typeof options === "function") { callback = options; options = {}; }
  options = Object.assign({}, options);
  return withCallback(callback, () => {
    if (!token) throw new JsonWebTokenError("jwt must be provided");
    if (typeof token !== "string") throw new JsonWebTokenError("jwt must be a string");
    const decoded = parse(token);
    if (!decoded.signature && decoded.header.alg !== "none") throw new JsonWebTokenError("jwt signature is required");
    if (!secretOrPublicKey) throw new JsonWebTokenError("secret or public key must be provided");
    const key = readKey(secretOrPublicKey, "secretOrPublicKey");
    const defaults = key.secret ? Object.keys(HMAC)
      : key.asymmetric instanceof jsrsasign().RSAKey ? Object.keys(RSA) : Object.keys(EC);
    const algorithms = options.algorithms || defaults;
    if (!algorithms.includes(decoded.header.alg) || !SUPPORTED.includes(decoded.header.alg)) {
      throw new JsonWebTokenError("invalid algorithm");
    }
    let signature;
    try { signature = fromB64url(decoded.signature); } catch (e) { throw new JsonWebTokenError("invalid signature"); }
    const input = utf8(decoded.parts[0] + "." + decoded.parts[1]);
    if (!verifyBytes(decoded.header.alg, input, signature, key)) throw new JsonWebTokenError("invalid signature");
    const payload = decoded.payload;
    if (payload !== null && typeof payload === "object") checkClaims(payload, options);
    return options.complete ? { header: decoded.header, payload, signature: decoded.signature } : payload;
  });
}

const jwt = { sign, verify, JsonWebTokenError, NotBeforeError, TokenExpiredError };
// As in jsonwebtoken, decode is there but not enumerable.
Object.defineProperty(jwt, "decode", { value: decode, enumerable: false });
globalThis.jwt = jwt;
