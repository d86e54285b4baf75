// crypto.subtle: WebCrypto's API shape in JS, the cryptography on the host (sandbox/webcrypto.py).
//
// A CryptoKey's material never becomes a property: it lives in a WeakMap of this closure, so an action
// cannot read a non-extractable key, and the isolate (and so the key) is gone after the execution.
(function (global, internal) {
  "use strict";

  const { hostCall, bytesFromBase64, bytesToBase64, DOMException, typedBuffer } = internal;
  const DOM_NAMES = new Set(["NotSupportedError", "OperationError", "DataError", "InvalidAccessError", "SyntaxError"]);
  const slots = new WeakMap();

  class CryptoKey {
    constructor() {
      throw new TypeError("Illegal constructor");
    }
    get type() { return slot(this).type; }
    get extractable() { return slot(this).extractable; }
    get algorithm() { return slot(this).algorithm; }
    get usages() { return slot(this).usages.slice(); }
    get [Symbol.toStringTag]() { return "CryptoKey"; }
  }

  function slot(key) {
    const found = slots.get(key);
    if (!found) throw new TypeError("not a CryptoKey");
    return found;
  }

  function makeKey(record, extractable) {
    const key = Object.create(CryptoKey.prototype);
    const algorithm = record.algorithm;
    if (algorithm.hash) Object.freeze(algorithm.hash);
    slots.set(key, {
      type: record.type,
      algorithm: Object.freeze(algorithm),
      material: record.material,
      usages: record.usages,
      extractable: Boolean(extractable),
    });
    return key;
  }

  // A BufferSource as the host reads it: base64. Typed arrays inside algorithm parameters (iv,
  // additionalData) are converted the same way by `params`.
  function bytes(data, what) {
    if (data instanceof ArrayBuffer) return bytesToBase64(new Uint8Array(data));
    if (ArrayBuffer.isView(data)) return bytesToBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    throw new TypeError(what + " must be an ArrayBuffer, a typed array or a DataView");
  }

  function params(algorithm) {
    if (algorithm === null || typeof algorithm !== "object") return algorithm;
    const out = {};
    for (const key of Object.keys(algorithm)) {
      const value = algorithm[key];
      out[key] = value instanceof ArrayBuffer || ArrayBuffer.isView(value) ? bytes(value, key) : value;
    }
    return out;
  }

  // The host's WebCrypto errors become DOMExceptions (or TypeErrors) of the same name, keeping the
  // stack of the call, which points at the action's line.
  function call(method, args) {
    return hostCall("webcrypto", { method, ...args }).catch((e) => {
      let error = e;
      if (e && e.name === "TypeError") error = new TypeError(e.message);
      else if (e && DOM_NAMES.has(e.name)) error = new DOMException(e.message, e.name);
      if (error !== e) error.stack = e.stack;
      throw error;
    });
  }

  // Charged by the prelude's allocator; its captured getter, so a tampered prototype cannot swap the result.
  function buffer(b64) {
    return typedBuffer(bytesFromBase64(b64));
  }

  function useKey(key, usage, method) {
    const record = slot(key);
    if (!record.usages.includes(usage)) {
      throw new DOMException(method + ": the key's usages [" + record.usages.join(", ") + "] do not include '" + usage + "'", "InvalidAccessError");
    }
    return { type: record.type, algorithm: record.algorithm, material: record.material, usages: record.usages };
  }

  // Every method is async: argument errors become rejections, as WebCrypto's are.
  const subtle = {
    async digest(algorithm, data) {
      return buffer(await call("digest", { algorithm: params(algorithm), data: bytes(data, "data") }));
    },
    async importKey(format, keyData, algorithm, extractable, keyUsages) {
      const data = format === "jwk" ? keyData : bytes(keyData, "keyData");
      const record = await call("importKey", { format, keyData: data, algorithm: params(algorithm), keyUsages });
      return makeKey(record, extractable);
    },
    async generateKey(algorithm, extractable, keyUsages) {
      const made = await call("generateKey", { algorithm: params(algorithm), keyUsages });
      if (made.publicKey) {
        return { publicKey: makeKey(made.publicKey, true), privateKey: makeKey(made.privateKey, extractable) };
      }
      return makeKey(made, extractable);
    },
    async exportKey(format, key) {
      const record = slot(key);
      if (!record.extractable) throw new DOMException("exportKey: the key is not extractable", "InvalidAccessError");
      const exported = await call("exportKey", { format, key: record });
      return format === "jwk" ? exported : buffer(exported);
    },
    async sign(algorithm, key, data) {
      const record = useKey(key, "sign", "sign");
      return buffer(await call("sign", { algorithm: params(algorithm), key: record, data: bytes(data, "data") }));
    },
    async verify(algorithm, key, signature, data) {
      const record = useKey(key, "verify", "verify");
      return call("verify", { algorithm: params(algorithm), key: record, signature: bytes(signature, "signature"), data: bytes(data, "data") });
    },
    async encrypt(algorithm, key, data) {
      const record = useKey(key, "encrypt", "encrypt");
      return buffer(await call("encrypt", { algorithm: params(algorithm), key: record, data: bytes(data, "data") }));
    },
    async decrypt(algorithm, key, data) {
      const record = useKey(key, "decrypt", "decrypt");
      return buffer(await call("decrypt", { algorithm: params(algorithm), key: record, data: bytes(data, "data") }));
    },
  };

  Object.defineProperty(internal.crypto, "subtle", { value: Object.freeze(subtle), enumerable: true });
  global.CryptoKey = CryptoKey;
})(globalThis, globalThis.__litrtInternal);
