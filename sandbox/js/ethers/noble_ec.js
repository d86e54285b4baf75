"use strict";
// Stands in for @ethersproject/signing-key/lib/elliptic.js: the few calls signing-key makes on elliptic's
// EC("secp256k1"), answered by @noble/secp256k1 1.7.1 over native BigInt. elliptic spends ~70 ms building
// its curve and ~10 ms per recovery in cold bn.js code; noble needs no set-up. Same results for valid
// inputs (tests/sandbox/test_ethers_noble.py fuzzes both).
var secp = require("@noble/secp256k1");
var sha256 = require("hash.js/lib/hash/sha/256");
var hmac = require("hash.js/lib/hash/hmac");

// noble precomputes 2^7 * 33 multiples of G on first use (window 8), which pays off only over many
// operations; an isolate does a few, and window 4 (264 points) halves a one-shot recovery or signature.
secp.Point.BASE._setWindowSize(4);

// signSync needs a synchronous HMAC-SHA256 for RFC 6979; hash.js is already part of ethers' graph.
secp.utils.hmacSha256Sync = function (key) {
  var mac = hmac(sha256, Array.from(key));
  for (var i = 1; i < arguments.length; i++) mac.update(Array.from(arguments[i]));
  return Uint8Array.from(mac.digest());
};

function hexOf(bytes) {
  var out = "";
  for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out;
}

function bigOf(bytes) {
  return bytes.length === 0 ? BigInt(0) : BigInt("0x" + hexOf(bytes));
}

// elliptic's BN prints without leading zeros; signing-key pads the result itself.
function Scalar(value) {
  this.value = value;
}
Scalar.prototype.toString = function (base) {
  return this.value.toString(base);
};

function Point(point) {
  this.point = point;
}
Point.prototype.add = function (other) {
  return new Point(this.point.add(other.point));
};
Point.prototype.encodeCompressed = function () {
  return this.point.toHex(true);
};
Point.prototype.encode = function (enc, compact) {
  return this.point.toHex(!!compact);
};

function KeyPair(priv, pub) {
  this.priv = priv;
  this.pub = pub;
}
KeyPair.prototype.getPublic = function (compact, enc) {
  if (this.pub === null) this.pub = new Point(secp.Point.fromPrivateKey(this.priv));
  if (enc === undefined) return this.pub;
  return this.pub.encode("hex", compact);
};
KeyPair.prototype.sign = function (digest) {
  var signed = secp.signSync(digest, this.priv, { recovered: true, der: false, canonical: true });
  var sig = signed[0];
  return { r: new Scalar(bigOf(sig.subarray(0, 32))), s: new Scalar(bigOf(sig.subarray(32))), recoveryParam: signed[1] };
};
KeyPair.prototype.derive = function (pub) {
  var shared = pub.point.multiply(this.priv);
  return new Scalar(shared.x);
};

function EC() {}
EC.prototype.keyFromPrivate = function (bytes) {
  return new KeyPair(bigOf(bytes), null);
};
EC.prototype.keyFromPublic = function (bytes) {
  return new KeyPair(null, new Point(secp.Point.fromHex(Uint8Array.from(bytes))));
};
EC.prototype.recoverPubKey = function (digest, rs, recoveryParam) {
  var sig = new secp.Signature(bigOf(rs.r), bigOf(rs.s));
  return new Point(secp.Point.fromSignature(Uint8Array.from(digest), sig, recoveryParam));
};

exports.EC = EC;
