// The litrt prelude: the globals a Lit Action sees, built in a fresh isolate before the action runs.
//
// The only door to the host is the outbox below: functions append messages to it, and the Python driver
// takes them out with __litrt.drain() between V8 tasks and answers through __litrt.step(). Nothing here
// is trusted by the host; every message is validated and every limit enforced again on the Python side.
// Placeholders filled in by sandbox/assets.py: __LITRT_HOST_OPS__ (JSON list of op names).
// The scripts loaded after this one (webcrypto.js, clone.js, the bundles) reach the prelude's
// internals through globalThis.__litrtInternal, which configure() removes before the action runs.
(function (global) {
  "use strict";

  const HOST_OPS = __LITRT_HOST_OPS__;
  // Removed from the global object below; wasm.js builds a guarded WebAssembly on top of it.
  const nativeWasm = global.WebAssembly;
  // The outbox has no prototype, and the messages in it none either, so what the action does to
  // Array.prototype or Object.prototype (push, toJSON, index setters) cannot reach them.
  const outbox = [];
  Object.setPrototypeOf(outbox, null);
  // Built-ins the prelude calls after the action has started are captured now, as Node's primordials:
  // `uncurry(fn)(self, ...args)` is fn.call(self, ...args) without looking anything up at call time.
  const uncurry = (fn) => Function.prototype.call.bind(fn);
  const stringify = JSON.stringify;
  const { setPrototypeOf, defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Object;
  const getterOf = (object, key) => uncurry(getOwnPropertyDescriptor(object, key).get);
  const mapSize = getterOf(Map.prototype, "size");
  const mapGet = uncurry(Map.prototype.get);
  const mapSet = uncurry(Map.prototype.set);
  const mapDelete = uncurry(Map.prototype.delete);
  const pendingCalls = new Map();
  const timers = new Map();
  let nextId = 1;
  // Caps on what one turn (the V8 work between two drains) may hand the host, and on what may wait
  // for it; configure() sets them. The host checks them again: these only stop a flood early.
  let maxTimers = Infinity, maxCalls = Infinity, maxOutboxMessages = Infinity, maxOutboxChars = Infinity;
  let outboxChars = 0;
  // The first limit the action ran into; drain() reports it even when the outbox is full.
  let limitHit = null;
  // Until configure() runs, console output comes from our own set-up (ethers' warnings) and is dropped.
  let consoleBudget = -1;
  let consoleUsed = 0;
  // Set-up's own allocations (ethers' tables) are not charged: configure() starts the count.
  let bufferBudget = Infinity;
  let bufferUsed = 0;
  // Values the optional bundles hand in (Buffer, pubkeyToTokenId, ...), by name.
  const modules = new Map();

  function hitLimit(kind) {
    if (limitHit === null) limitHit = kind;
  }

  function limitError(kind, what) {
    hitLimit(kind);
    return new RangeError("Your function exceeded the maximum of " + what + " and was terminated.");
  }

  // `chars` is the size of the message's strings; with a bound for the rest of its JSON, the outbox's
  // size stays under the character cap that the host checks again.
  const MESSAGE_CHARS = 100;
  function post(message, chars = 0) {
    if (outbox.length >= maxOutboxMessages) throw limitError("outbox_messages", maxOutboxMessages + " messages to the host in one turn");
    const size = chars + MESSAGE_CHARS;
    if (outboxChars + size > maxOutboxChars) throw limitError("outbox_chars", maxOutboxChars + " characters of messages to the host in one turn");
    outboxChars += size;
    setPrototypeOf(message, null);
    defineProperty(outbox, outbox.length, { value: message, writable: true, enumerable: true, configurable: true });
  }

  // Typed arrays travel as plain arrays of bytes, BigInts as decimal strings.
  function jsonReplacer(_key, value) {
    if (typeof value === "bigint") return value.toString();
    if (value instanceof ArrayBuffer) return Array.from(new Uint8Array(value));
    if (ArrayBuffer.isView(value)) {
      return Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    return value;
  }

  function describeError(err) {
    if (err !== null && typeof err === "object") {
      return {
        __proto__: null,
        name: String(err.name || "Error"),
        message: String(err.message === undefined ? err : err.message),
        stack: typeof err.stack === "string" ? err.stack : null,
      };
    }
    return { __proto__: null, name: "Error", message: String(err), stack: null };
  }

  function hostCall(op, args) {
    const id = nextId++;
    let json;
    try {
      json = JSON.stringify(args === undefined ? {} : args, jsonReplacer);
    } catch (e) {
      return Promise.reject(new TypeError("Lit.Actions." + op + ": arguments are not JSON-serialisable: " + e.message));
    }
    if (mapSize(pendingCalls) >= maxCalls) {
      return Promise.reject(limitError("call_limit", maxCalls + " host calls in flight"));
    }
    // The caller's stack, so that a refusal points at the action's line that asked.
    const origin = new Error();
    return new Promise((resolve, reject) => {
      post({ t: "call", id, op, args: json }, json.length);
      mapSet(pendingCalls, id, { resolve, reject, origin });
    });
  }

  // ---- unhandled rejections ------------------------------------------------------------------
  // V8 tells only an embedder hook (which mini-racer does not offer) about rejections nobody handles,
  // so the prelude keeps the books, as Deno's rejection tracker would: a promise made through the
  // Promise constructor (host calls, Promise.reject, every then()/all()/race() result) has its
  // rejection noted; then() marks its receiver handled; drain() reports what is still unhandled once
  // the turn's microtasks have run. With Promise.prototype.constructor replaced, `await` and
  // Promise.resolve go through then() for native promises too, so they count as handlers.
  const handledPromises = new WeakSet();
  const unhandled = new Map();

  function noteRejection(promise, reason) {
    if (!handledPromises.has(promise)) unhandled.set(promise, reason);
  }

  function trackRejections() {
    const NativePromise = global.Promise;
    const nativeThen = NativePromise.prototype.then;
    // Captured: a Reflect.construct the action replaced would be handed the native Promise.
    const construct = Reflect.construct;
    const tracked = new Proxy(NativePromise, {
      construct(target, args, newTarget) {
        const make = newTarget === tracked ? target : newTarget;
        const executor = args[0];
        if (typeof executor !== "function") return construct(target, args, make);
        let promise = null, settled = false, early = false, earlyReason;
        const made = construct(target, [function (resolve, reject) {
          const rejectNoted = (reason) => {
            if (!settled) {
              settled = true;
              if (promise) noteRejection(promise, reason);
              else { early = true; earlyReason = reason; }
            }
            reject(reason);
          };
          const resolveNoted = (value) => { settled = true; resolve(value); };
          try { executor(resolveNoted, rejectNoted); } catch (e) { rejectNoted(e); }
        }], make);
        promise = made;
        if (early) noteRejection(made, earlyReason);
        return made;
      },
    });
    const then = function then(onFulfilled, onRejected) {
      handledPromises.add(this);
      unhandled.delete(this);
      return nativeThen.call(this, onFulfilled, onRejected);
    };
    Object.defineProperty(NativePromise.prototype, "then", { value: then, writable: true, configurable: true });
    Object.defineProperty(NativePromise.prototype, "constructor", { value: tracked, writable: true, configurable: true });
    global.Promise = tracked;
  }

  function reportUnhandled() {
    for (const [promise, reason] of unhandled) {
      unhandled.delete(promise);
      handledPromises.add(promise);
      post({ t: "unhandled", error: describeError(reason) });
    }
  }

  // Deno's DOMException, as far as WebCrypto and structuredClone need it.
  class DOMException extends Error {
    constructor(message = "", name = "Error") {
      super(String(message));
      Object.defineProperty(this, "name", { value: String(name), writable: true, configurable: true });
    }
  }

  // ---- console -------------------------------------------------------------------------------
  function inspect(value, depth, seen) {
    if (typeof value === "string") return depth === 0 ? value : JSON.stringify(value);
    if (typeof value === "bigint") return value.toString() + "n";
    if (typeof value === "function") return "[Function: " + (value.name || "(anonymous)") + "]";
    if (typeof value === "symbol") return value.toString();
    if (value === null || typeof value !== "object") return String(value);
    if (value instanceof Error) return value.stack || String(value);
    if (seen.has(value)) return "[Circular]";
    if (depth > 4) return Array.isArray(value) ? "[Array]" : "[Object]";
    seen.add(value);
    try {
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
        const items = Array.from(value.slice(0, 100), (x) => String(x));
        if (value.length > 100) items.push("... " + (value.length - 100) + " more items");
        return value.constructor.name + "(" + value.length + ") [ " + items.join(", ") + " ]";
      }
      if (Array.isArray(value)) {
        return "[ " + value.map((x) => inspect(x, depth + 1, seen)).join(", ") + " ]";
      }
      if (value instanceof Map) {
        const items = Array.from(value, ([k, v]) => inspect(k, depth + 1, seen) + " => " + inspect(v, depth + 1, seen));
        return "Map(" + value.size + ") { " + items.join(", ") + " }";
      }
      if (value instanceof Set) {
        return "Set(" + value.size + ") { " + Array.from(value, (x) => inspect(x, depth + 1, seen)).join(", ") + " }";
      }
      const keys = Object.keys(value);
      if (keys.length === 0) return "{}";
      const body = keys.map((k) => k + ": " + inspect(value[k], depth + 1, seen)).join(", ");
      return "{ " + body + " }";
    } finally {
      seen.delete(value);
    }
  }

  function makeLogger(level) {
    return function (...args) {
      if (consoleBudget < 0) return;
      const text = args.map((a) => inspect(a, 0, new Set())).join(" ") + "\n";
      consoleUsed += text.length;
      if (consoleUsed > consoleBudget) {
        hitLimit("console_size");
        throw new RangeError("Console output exceeds the limit of " + consoleBudget + " bytes");
      }
      // Consecutive lines travel as one message: console output has its own budget.
      const last = outbox[outbox.length - 1];
      if (last !== undefined && last.t === "log" && outboxChars + text.length <= maxOutboxChars) {
        last.text += text;
        outboxChars += text.length;
      } else {
        post({ t: "log", level, text }, text.length);
      }
    };
  }

  const consoleObject = {};
  for (const level of ["log", "info", "warn", "error", "debug", "trace"]) {
    consoleObject[level] = makeLogger(level);
  }

  // ---- timers ---------------------------------------------------------------------------------
  function addTimer(fn, delay, args, repeat) {
    if (typeof fn !== "function") throw new TypeError("setTimeout/setInterval: callback must be a function");
    if (mapSize(timers) >= maxTimers) throw limitError("timer_limit", maxTimers + " pending timers");
    const id = nextId++;
    const ms = Math.max(0, Number(delay) || 0);
    post({ t: "timer", id, ms });
    mapSet(timers, id, { fn, args, repeat, ms });
    return id;
  }

  function clearTimer(id) {
    if (mapDelete(timers, id)) post({ t: "cleartimer", id });
  }

  // ---- text, base64 -------------------------------------------------------------------------
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  function btoa(input) {
    const s = String(input);
    let out = "";
    for (let i = 0; i < s.length; i += 3) {
      const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw new Error("btoa: the string contains characters outside of the Latin1 range");
      const n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      out += i + 1 < s.length ? B64[(n >> 6) & 63] : "=";
      out += i + 2 < s.length ? B64[n & 63] : "=";
    }
    return out;
  }

  function atob(input) {
    let s = String(input).replace(/[\t\n\f\r ]/g, "");
    if (s.length % 4 === 0) s = s.replace(/==?$/, "");
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw new Error("atob: the string is not correctly encoded");
    let out = "", buffer = 0, bits = 0;
    for (let i = 0; i < s.length; i++) {
      buffer = (buffer << 6) | B64.indexOf(s[i]);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((buffer >> bits) & 255);
      }
    }
    return out;
  }

  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") {
      const s = String(input);
      const bytes = [];
      for (let i = 0; i < s.length; i++) {
        let cp = s.codePointAt(i);
        if (cp > 0xffff) i++;
        else if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
        if (cp < 0x80) bytes.push(cp);
        else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
        else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
        else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
      }
      const out = newBytes(bytes.length);
      typedSet(out, bytes);
      return out;
    }
  }

  class TextDecoder {
    constructor(label = "utf-8", options = {}) {
      const name = String(label).toLowerCase();
      if (name !== "utf-8" && name !== "utf8") throw new RangeError("TextDecoder: only utf-8 is supported, not " + label);
      this.fatal = Boolean(options.fatal);
    }
    get encoding() { return "utf-8"; }
    decode(input) {
      if (input === undefined) return "";
      const b = input instanceof ArrayBuffer ? new Uint8Array(input)
        : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      // The WHATWG decoder: one U+FFFD per maximal invalid subpart, and the byte that broke a
      // sequence is read again as the start of the next one.
      let out = "";
      const bad = () => {
        if (this.fatal) throw new TypeError("TextDecoder: the encoded data was not valid utf-8");
        out += "\ufffd";
      };
      let needed = 0, seen = 0, cp = 0, lower = 0x80, upper = 0xbf;
      for (let i = 0; i < b.length; ) {
        const byte = b[i];
        if (needed === 0) {
          i++;
          if (byte <= 0x7f) out += String.fromCharCode(byte);
          else if (byte >= 0xc2 && byte <= 0xdf) { needed = 1; cp = byte & 0x1f; }
          else if (byte >= 0xe0 && byte <= 0xef) {
            if (byte === 0xe0) lower = 0xa0;
            if (byte === 0xed) upper = 0x9f;
            needed = 2; cp = byte & 0xf;
          } else if (byte >= 0xf0 && byte <= 0xf4) {
            if (byte === 0xf0) lower = 0x90;
            if (byte === 0xf4) upper = 0x8f;
            needed = 3; cp = byte & 0x7;
          } else bad();
          continue;
        }
        if (byte < lower || byte > upper) {
          needed = seen = cp = 0; lower = 0x80; upper = 0xbf;
          bad();
          continue;
        }
        lower = 0x80; upper = 0xbf;
        cp = (cp << 6) | (byte & 0x3f);
        seen++; i++;
        if (seen === needed) { out += String.fromCodePoint(cp); needed = seen = cp = 0; }
      }
      if (needed) bad();
      return out;
    }
  }

  // ---- crypto.getRandomValues ------------------------------------------------------------------
  // Fed from a pool of host randomness handed in by configure(); the isolate has no entropy source.
  let randomPool = new Uint8Array(0);
  let randomUsed = 0;
  const cryptoObject = {
    getRandomValues(array) {
      if (!ArrayBuffer.isView(array) || array instanceof DataView || array instanceof Float32Array || array instanceof Float64Array) {
        throw new TypeError("crypto.getRandomValues: argument must be an integer typed array");
      }
      if (array.byteLength > 65536) throw new RangeError("crypto.getRandomValues: at most 65536 bytes per call");
      if (randomUsed + array.byteLength > randomPool.length) {
        throw new Error("crypto.getRandomValues: this execution has used up its " + randomPool.length + " random bytes");
      }
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(randomPool.subarray(randomUsed, randomUsed + array.byteLength));
      randomPool.fill(0, randomUsed, randomUsed + array.byteLength);
      randomUsed += array.byteLength;
      return array;
    },
    randomUUID() {
      const b = cryptoObject.getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40;  // version 4
      b[8] = (b[8] & 0x3f) | 0x80;  // RFC 9562 variant
      const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
      return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
    },
  };

  // ---- fetch ----------------------------------------------------------------------------------
  class Headers {
    constructor(init) {
      this._map = new Map();
      if (init instanceof Headers) init = Array.from(init.entries());
      if (Array.isArray(init)) for (const [k, v] of init) this.append(k, v);
      else if (init && typeof init === "object") for (const k of Object.keys(init)) this.append(k, init[k]);
    }
    append(name, value) {
      const key = String(name).toLowerCase();
      const prev = this._map.get(key);
      this._map.set(key, prev === undefined ? String(value) : prev + ", " + String(value));
    }
    set(name, value) { this._map.set(String(name).toLowerCase(), String(value)); }
    get(name) { const v = this._map.get(String(name).toLowerCase()); return v === undefined ? null : v; }
    has(name) { return this._map.has(String(name).toLowerCase()); }
    delete(name) { this._map.delete(String(name).toLowerCase()); }
    entries() { return this._map.entries(); }
    keys() { return this._map.keys(); }
    values() { return this._map.values(); }
    forEach(cb, thisArg) { for (const [k, v] of this._map) cb.call(thisArg, v, k, this); }
    [Symbol.iterator]() { return this._map.entries(); }
  }

  function bytesFromBase64(b64) {
    const raw = atob(b64);
    const out = newBytes(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  class Response {
    constructor(result) {
      this.status = result.status;
      this.statusText = result.statusText;
      this.ok = result.status >= 200 && result.status < 300;
      this.url = result.url;
      this.redirected = Boolean(result.redirected);
      this.headers = new Headers(result.headers);
      this._bytes = bytesFromBase64(result.body);
      this.bodyUsed = false;
    }
    _take() {
      if (this.bodyUsed) return Promise.reject(new TypeError("Response body has already been read"));
      this.bodyUsed = true;
      return Promise.resolve(this._bytes);
    }
    text() { return this._take().then((b) => new TextDecoder().decode(b)); }
    json() { return this.text().then((t) => JSON.parse(t)); }
    // The body's bytes are read only once, so their buffer is handed over rather than copied.
    arrayBuffer() { return this._take().then((b) => typedBuffer(b)); }
  }

  function bodyToBase64(body) {
    if (body === undefined || body === null) return null;
    let bytes;
    if (typeof body === "string") bytes = new TextEncoder().encode(body);
    else if (body instanceof ArrayBuffer) bytes = new Uint8Array(body);
    else if (ArrayBuffer.isView(body)) bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    else bytes = new TextEncoder().encode(String(body));
    return bytesToBase64(bytes);
  }

  // Bytes cross the bridge as base64: a quarter bigger, where a JSON array of numbers is four times.
  function bytesToBase64(bytes) {
    const chunks = [];
    for (let i = 0; i < bytes.length; i += 8192) chunks.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 8192)));
    return btoa(chunks.join(""));
  }

  function fetch(resource, init = {}) {
    const url = typeof resource === "string" ? resource : resource && resource.url ? resource.url : String(resource);
    const headers = {};
    new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
    const request = {
      url,
      method: String(init.method || "GET").toUpperCase(),
      headers,
      body: bodyToBase64(init.body),
    };
    return hostCall("fetch", request).then((result) => new Response(result));
  }

  // ---- Lit.Actions ----------------------------------------------------------------------------
  // Lit re-exports npm uint8arrays for these two helpers: the same encoding names, the same errors.
  const B64_URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  function toBase64(bytes, alphabet, pad) {
    let out = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
      for (let k = 0; k < chars; k++) out += alphabet[(n >> (18 - 6 * k)) & 63];
    }
    return pad ? out + "=".repeat((4 - (out.length % 4)) % 4) : out;
  }

  function fromBase64(text, alphabet, name) {
    const body = text.replace(/=+$/, "");
    const out = newBytes(Math.floor((body.length * 6) / 8));
    let buffer = 0, bits = 0, at = 0;
    for (let i = 0; i < body.length; i++) {
      const v = alphabet.indexOf(body[i]);
      if (v < 0) throw new SyntaxError("Non-" + name + " character");
      buffer = ((buffer << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) { bits -= 8; out[at++] = (buffer >> bits) & 255; }
    }
    return out;
  }

  function toBase58(bytes) {
    let zeros = 0;
    while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
    const digits = [];
    for (let i = zeros; i < bytes.length; i++) {
      let carry = bytes[i];
      for (let j = 0; j < digits.length; j++) { carry += digits[j] << 8; digits[j] = carry % 58; carry = (carry / 58) | 0; }
      while (carry) { digits.push(carry % 58); carry = (carry / 58) | 0; }
    }
    let out = "1".repeat(zeros);
    for (let i = digits.length - 1; i >= 0; i--) out += B58[digits[i]];
    return out;
  }

  function fromBase58(text) {
    let zeros = 0;
    while (zeros < text.length && text[zeros] === "1") zeros++;
    const bytes = [];
    for (let i = zeros; i < text.length; i++) {
      let carry = B58.indexOf(text[i]);
      if (carry < 0) throw new SyntaxError("Non-base58btc character");
      for (let j = 0; j < bytes.length; j++) { carry += bytes[j] * 58; bytes[j] = carry & 255; carry >>= 8; }
      while (carry) { bytes.push(carry & 255); carry >>= 8; }
    }
    const out = newBytes(zeros + bytes.length);
    for (let i = 0; i < bytes.length; i++) out[zeros + i] = bytes[bytes.length - 1 - i];
    return out;
  }

  function fromBase16(text) {
    if (text.length % 2 || !/^[0-9a-f]*$/.test(text)) throw new SyntaxError("Non-base16 character");
    const out = newBytes(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }

  function fromLatin1(text) {
    const out = newBytes(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 255;
    return out;
  }

  const latin1 = {
    to: (bytes) => { let out = ""; for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]); return out; },
    from: fromLatin1,
  };
  const base16 = { to: (bytes) => Array.from(bytes, (b) => (b < 16 ? "0" : "") + b.toString(16)).join(""), from: fromBase16 };
  const BYTE_ENCODINGS = {
    utf8: { to: (bytes) => new TextDecoder("utf-8").decode(bytes), from: (text) => new TextEncoder().encode(text) },
    ascii: latin1,
    latin1,
    base16,
    hex: base16,
    base64: { to: (bytes) => toBase64(bytes, B64, false), from: (text) => fromBase64(text, B64, "base64") },
    base64pad: { to: (bytes) => toBase64(bytes, B64, true), from: (text) => fromBase64(text, B64, "base64pad") },
    base64url: { to: (bytes) => toBase64(bytes, B64_URL, false), from: (text) => fromBase64(text, B64_URL, "base64url") },
    base64urlpad: { to: (bytes) => toBase64(bytes, B64_URL, true), from: (text) => fromBase64(text, B64_URL, "base64urlpad") },
    base58btc: { to: toBase58, from: fromBase58 },
  };
  BYTE_ENCODINGS["utf-8"] = BYTE_ENCODINGS.utf8;

  function byteEncoding(encoding) {
    const name = encoding === undefined ? "utf8" : encoding;
    const found = Object.prototype.hasOwnProperty.call(BYTE_ENCODINGS, name) ? BYTE_ENCODINGS[name] : undefined;
    if (!found) throw new Error('Unsupported encoding "' + name + '"');
    return found;
  }

  const actions = {};
  for (const op of HOST_OPS) {
    actions[op] = (params) => hostCall(op, params);
  }
  // Lit's SDK turns a string message into bytes before its op (02_litActionsSDK.js).
  actions.ethPersonalSignMessageEcdsa = function ethPersonalSignMessageEcdsa(params = {}) {
    const message = typeof params.message === "string" ? new TextEncoder().encode(params.message) : params.message;
    return hostCall("ethPersonalSignMessageEcdsa", { ...params, message });
  };
  // Lit's op is synchronous (lit-actions ext/bindings.rs): the tokenid bundle, loaded for actions that
  // name pubkeyToTokenId, computes it in the isolate; without the bundle the host answers.
  actions.pubkeyToTokenId = function pubkeyToTokenId(params = {}) {
    const local = modules.get("pubkeyToTokenId");
    return local ? local(params.publicKey) : hostCall("pubkeyToTokenId", params);
  };
  actions.setResponse = function setResponse({ response } = {}) {
    const text = typeof response === "string" ? response : JSON.stringify(response, jsonReplacer);
    post({ t: "response", response: text }, typeof text === "string" ? text.length : 0);
  };
  actions.uint8arrayToString = function uint8arrayToString(array, encoding) {
    return byteEncoding(encoding).to(array);
  };
  actions.uint8arrayFromString = function uint8arrayFromString(string, encoding) {
    return byteEncoding(encoding).from(String(string));
  };
  // Lit's runOnce: the host elects one node, which runs the function; its result, always a string
  // ("[ERROR]" when the function throws), reaches the others through the host.
  actions.runOnce = async function runOnce({ waitForResponse, name } = {}, asyncFn) {
    const election = await hostCall("runOnce", { phase: "elect", name });
    if (election && election.isLeader) {
      let response = "";
      try {
        response = await asyncFn();
      } catch (e) {
        consoleObject.error("Error running function:", e);
        response = "[ERROR]";
      }
      try {
        response = response.toString();
      } catch (e) {
        consoleObject.error("Error converting response to string:", e);
        response = "";
      }
      if (waitForResponse) await hostCall("runOnce", { phase: "result", name, response });
      return response;
    }
    if (!waitForResponse) return undefined;
    const answer = await hostCall("runOnce", { phase: "wait", name });
    return answer.response;
  };

  // ---- external memory ------------------------------------------------------------------------
  // V8's heap limit does not see ArrayBuffer backing stores, so their sizes are charged here. Every
  // built-in that can make a new backing store is replaced by a wrapper that works out the size from
  // values it read once (an action's getters and valueOf run before the charge, never between the
  // charge and the allocation), charges it, and allocates through an intrinsic captured below. The
  // natives are kept only in this closure, so tampering with prototypes, `constructor` or
  // Symbol.species afterwards cannot reach an uncharged allocation.
  const { apply: ReflectApply, construct: ReflectConstruct } = Reflect;
  const { max: MathMax, min: MathMin, trunc: MathTrunc, ceil: MathCeil } = Math;
  const ArrayIsArray = Array.isArray;
  const SymbolIterator = Symbol.iterator, SymbolSpecies = Symbol.species;
  const NativeArrayBuffer = global.ArrayBuffer;
  const NativeSharedArrayBuffer = global.SharedArrayBuffer;
  const abByteLength = getterOf(NativeArrayBuffer.prototype, "byteLength");
  const abMaxByteLength = getterOf(NativeArrayBuffer.prototype, "maxByteLength");
  const abResizable = getterOf(NativeArrayBuffer.prototype, "resizable");
  const abDetached = getterOf(NativeArrayBuffer.prototype, "detached");
  const sabByteLength = getterOf(NativeSharedArrayBuffer.prototype, "byteLength");
  const TypedArray = getPrototypeOf(global.Uint8Array);
  const TypedArrayPrototype = TypedArray.prototype;
  const typedName = getterOf(TypedArrayPrototype, Symbol.toStringTag);  // undefined for anything else
  const typedLength = getterOf(TypedArrayPrototype, "length");
  const typedBuffer = getterOf(TypedArrayPrototype, "buffer");
  const typedByteOffset = getterOf(TypedArrayPrototype, "byteOffset");
  const typedSet = uncurry(TypedArrayPrototype.set);
  const dataViewBuffer = getterOf(DataView.prototype, "buffer");
  const dataViewByteOffset = getterOf(DataView.prototype, "byteOffset");
  const dataViewByteLength = getterOf(DataView.prototype, "byteLength");
  const typedSort = uncurry(TypedArrayPrototype.sort);
  const typedToReversed = uncurry(TypedArrayPrototype.toReversed);
  const typedWith = uncurry(TypedArrayPrototype.with);
  const abSlice = uncurry(NativeArrayBuffer.prototype.slice);
  const sabSlice = uncurry(NativeSharedArrayBuffer.prototype.slice);
  const abTransfer = uncurry(NativeArrayBuffer.prototype.transfer);
  const abTransferToFixedLength = uncurry(NativeArrayBuffer.prototype.transferToFixedLength);
  const TYPED_NAMES = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
    "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"];
  const nativeTyped = new Map();   // name -> the intrinsic constructor
  const guardedTyped = new Map();  // name -> what the action sees
  const NativeUint8Array = global.Uint8Array;
  const isBigIntType = (name) => name === "BigInt64Array" || name === "BigUint64Array";

  function charge(bytes) {
    bufferUsed += Number(bytes) || 0;
    if (bufferUsed > bufferBudget) {
      hitLimit("memory");
      throw new RangeError("Array buffer allocations exceed the memory limit");
    }
  }

  // A size as V8 will read it, for a value already converted to a number: negative or NaN sizes
  // allocate nothing (V8 throws), anything else is charged even if V8 would then refuse it.
  function chargeSize(size, perElement = 1) {
    const n = MathTrunc(size);
    if (n > 0) charge(n * perElement);
  }

  // The one conversion an action's valueOf gets; V8 then reads the resulting primitive.
  function toNumber(value) {
    return value === undefined ? 0 : +value;
  }

  function toIntegerOrInfinity(value) {
    const n = +value;
    return n !== n ? 0 : MathTrunc(n);
  }

  function isArrayBuffer(value) {
    try { abByteLength(value); return true; } catch (e) { return false; }
  }

  function isSharedArrayBuffer(value) {
    try { sabByteLength(value); return true; } catch (e) { return false; }
  }

  function requireTyped(value, method) {
    const name = typedName(value);
    if (name === undefined) throw new TypeError("this is not a typed array.");
    if (abDetachedSafe(typedBuffer(value))) {
      throw new TypeError("Cannot perform %TypedArray%.prototype." + method + " on a detached ArrayBuffer");
    }
    return name;
  }

  function abDetachedSafe(buffer) {
    return isArrayBuffer(buffer) && abDetached(buffer);
  }

  function isConstructor(value) {
    if (typeof value !== "function") return false;
    try { ReflectConstruct(function () {}, [], value); return true; } catch (e) { return false; }
  }

  // SpeciesConstructor, reading `constructor` and Symbol.species once; the intrinsic is never the answer.
  function speciesOf(object, fallback) {
    const C = object.constructor;
    if (C === undefined) return fallback;
    if (C === null || (typeof C !== "object" && typeof C !== "function")) throw new TypeError("object.constructor is not an object");
    const S = C[SymbolSpecies];
    if (S === undefined || S === null) return fallback;
    if (!isConstructor(S)) throw new TypeError("object.constructor[Symbol.species] is not a constructor");
    return S;
  }

  // A view of `length` elements of `ta` from `start`, made by the intrinsic: no allocation, no species.
  function viewOf(ta, name, start, length) {
    const Native = nativeTyped.get(name);
    return ReflectConstruct(Native, [typedBuffer(ta), typedByteOffset(ta) + start * Native.BYTES_PER_ELEMENT, length]);
  }

  // TypedArraySpeciesCreate with a length: the species (ours by default) allocates, and is charged there.
  function typedSpeciesCreate(exemplar, name, count) {
    const result = ReflectConstruct(speciesOf(exemplar, guardedTyped.get(name)), [count]);
    const made = typedName(result);
    if (made === undefined) throw new TypeError("the species constructor did not return a typed array");
    if (typedLength(result) < count) throw new TypeError("the species constructor returned a typed array that is too short");
    if (isBigIntType(made) !== isBigIntType(name)) throw new TypeError("the species constructor returned a typed array of another content type");
    return result;
  }

  function typedFromLength(target, make, length, perElement) {
    chargeSize(length, perElement);
    return ReflectConstruct(target, [length], make);
  }

  // `new Uint8Array(x)`: a length, a buffer (a view: nothing new), a typed array, or an iterable or
  // array-like whose values are collected first so the charge is the length that gets allocated.
  function constructTyped(target, args, make) {
    const per = target.BYTES_PER_ELEMENT;
    const first = args[0];
    if (first === null || (typeof first !== "object" && typeof first !== "function")) {
      return typedFromLength(target, make, toNumber(first), per);
    }
    if (isArrayBuffer(first) || isSharedArrayBuffer(first)) return ReflectConstruct(target, args, make);
    if (typedName(first) !== undefined) {
      chargeSize(typedLength(first), per);
      return ReflectConstruct(target, [first], make);
    }
    const iterator = first[SymbolIterator];
    let values = first;
    if (iterator !== undefined && iterator !== null) {
      if (typeof iterator !== "function") throw new TypeError("Symbol.iterator is not a function");
      if (!ArrayIsArray(first) || iterator !== arrayValues || arrayIteratorPrototype.next !== arrayIteratorNext) {
        values = [];
        const it = ReflectApply(iterator, first, []);
        const next = it.next;
        for (let n = 0; ; n++) {
          const step = ReflectApply(next, it, []);
          if (step === null || typeof step !== "object") throw new TypeError("Iterator result " + step + " is not an object");
          if (step.done) break;
          values[n] = step.value;
        }
      }
    }
    const length = MathMax(0, MathMin(toIntegerOrInfinity(values.length), 2 ** 53 - 1));
    const out = typedFromLength(target, make, length, per);
    for (let k = 0; k < length; k++) out[k] = values[k];
    return out;
  }
  const arrayValues = Array.prototype[SymbolIterator];
  const arrayIteratorPrototype = getPrototypeOf([][SymbolIterator]());
  const arrayIteratorNext = arrayIteratorPrototype.next;

  // `new ArrayBuffer(length, { maxByteLength })`: a resizable buffer is charged its maximum up front,
  // so resize() and grow() never need a charge.
  function constructBuffer(target, args, make) {
    const length = toNumber(args[0]);
    const options = args[1];
    let maxLength;
    if (options !== null && typeof options === "object") {
      const declared = options.maxByteLength;
      if (declared !== undefined) maxLength = toNumber(declared);
    }
    chargeSize(maxLength === undefined ? length : MathMax(length, maxLength));
    return ReflectConstruct(target, maxLength === undefined ? [length] : [length, { maxByteLength: maxLength }], make);
  }

  function guardConstructor(name, construct) {
    const Original = global[name];
    const guarded = new Proxy(Original, {
      construct(target, args, newTarget) {
        return construct(target, args, newTarget === guarded ? target : newTarget);
      },
    });
    defineProperty(Original.prototype, "constructor", { value: guarded, writable: true, configurable: true });
    global[name] = guarded;
    return guarded;
  }

  function replaceMethod(object, key, fn) {
    defineProperty(object, key, { value: fn, writable: true, configurable: true, enumerable: false });
  }

  // slice()'s start and count, as the specification reads its arguments (an action's valueOf runs here).
  function sliceBounds(length, start, end) {
    const relStart = toIntegerOrInfinity(start);
    const first = relStart < 0 ? MathMax(length + relStart, 0) : MathMin(relStart, length);
    const relEnd = end === undefined ? length : toIntegerOrInfinity(end);
    const final = relEnd < 0 ? MathMax(length + relEnd, 0) : MathMin(relEnd, length);
    return { first, count: MathMax(final - first, 0) };
  }

  // %ArrayBuffer%.prototype.slice and its shared twin, with the species read once and the copy ours.
  function bufferSlice(lengthOf, nativeSlice, fallback, shared) {
    return {
      slice(start, end) {
        let length;
        try { length = lengthOf(this); } catch (e) { return nativeSlice(this, start, end); }  // V8's TypeError
        if (!shared && abDetached(this)) return nativeSlice(this, start, end);
        const { first, count: newLength } = sliceBounds(length, start, end);
        const out = ReflectConstruct(speciesOf(this, fallback()), [newLength]);
        if (shared ? !isSharedArrayBuffer(out) : !isArrayBuffer(out) || abDetached(out)) {
          throw new TypeError("the species constructor did not return a usable " + (shared ? "SharedArrayBuffer" : "ArrayBuffer"));
        }
        if (out === this) throw new TypeError("the species constructor returned the same buffer");
        if (lengthOf(out) < newLength) throw new TypeError("the species constructor returned a buffer that is too small");
        if (!shared && abDetached(this)) throw new TypeError("Cannot perform ArrayBuffer.prototype.slice on a detached ArrayBuffer");
        const count = MathMin(newLength, MathMax(lengthOf(this) - first, 0));
        if (count > 0) typedSet(new NativeUint8Array(out, 0, count), new NativeUint8Array(this, first, count));
        return out;
      },
    }.slice;
  }

  function bufferTransfer(name, nativeTransfer, keepsResizable) {
    return {
      [name](newLength) {
        if (!isArrayBuffer(this)) return nativeTransfer(this, newLength);  // V8's TypeError
        const length = newLength === undefined ? abByteLength(this) : toNumber(newLength);
        if (abDetached(this)) return nativeTransfer(this, length);
        const keeps = keepsResizable && abResizable(this);
        chargeSize(keeps ? MathMax(length, abMaxByteLength(this)) : length);
        return nativeTransfer(this, length);
      },
    }[name];
  }

  const typedMethods = {
    slice(start, end) {
      const name = requireTyped(this, "slice");
      const length = typedLength(this);
      const { first, count } = sliceBounds(length, start, end);
      const out = typedSpeciesCreate(this, name, count);
      if (count > 0) {
        requireTyped(this, "slice");
        const available = MathMin(count, MathMax(typedLength(this) - first, 0));
        if (available > 0) typedSet(out, viewOf(this, name, first, available));
      }
      return out;
    },
    map(callback, thisArg) {
      const name = requireTyped(this, "map");
      const length = typedLength(this);
      if (typeof callback !== "function") throw new TypeError(String(callback) + " is not a function");
      const out = typedSpeciesCreate(this, name, length);
      for (let k = 0; k < length; k++) out[k] = ReflectApply(callback, thisArg, [this[k], k, this]);
      return out;
    },
    filter(callback, thisArg) {
      const name = requireTyped(this, "filter");
      const length = typedLength(this);
      if (typeof callback !== "function") throw new TypeError(String(callback) + " is not a function");
      const kept = [];
      let count = 0;
      for (let k = 0; k < length; k++) {
        const value = this[k];
        if (ReflectApply(callback, thisArg, [value, k, this])) kept[count++] = value;
      }
      const out = typedSpeciesCreate(this, name, count);
      for (let n = 0; n < count; n++) out[n] = kept[n];
      return out;
    },
    toReversed() {
      const name = requireTyped(this, "toReversed");
      chargeSize(typedLength(this), nativeTyped.get(name).BYTES_PER_ELEMENT);
      return typedToReversed(this);
    },
    // The copy is ours and sorted in place, so the comparator never runs inside an allocating builtin.
    toSorted(comparator) {
      if (comparator !== undefined && typeof comparator !== "function") {
        throw new TypeError("The comparison function must be either a function or undefined");
      }
      const name = requireTyped(this, "toSorted");
      const length = typedLength(this);
      const Native = nativeTyped.get(name);
      chargeSize(length, Native.BYTES_PER_ELEMENT);
      const out = new Native(length);
      typedSet(out, viewOf(this, name, 0, length));
      return typedSort(out, comparator);
    },
    with(index, value) {
      const name = requireTyped(this, "with");
      const length = typedLength(this);
      const relative = toIntegerOrInfinity(index);
      const actual = relative >= 0 ? relative : length + relative;
      if (!(actual >= 0 && actual < length)) throw new RangeError("Invalid typed array index");
      // V8 allocates the length it reads on entry, before it converts `value`.
      chargeSize(typedLength(this), nativeTyped.get(name).BYTES_PER_ELEMENT);
      return typedWith(this, actual, value);
    },
  };

  function guardBuffers() {
    const GuardedArrayBuffer = guardConstructor("ArrayBuffer", constructBuffer);
    const GuardedShared = guardConstructor("SharedArrayBuffer", constructBuffer);
    for (const name of TYPED_NAMES) {
      nativeTyped.set(name, global[name]);
      guardedTyped.set(name, guardConstructor(name, constructTyped));
    }
    const abProto = NativeArrayBuffer.prototype;
    replaceMethod(abProto, "slice", bufferSlice(abByteLength, abSlice, () => GuardedArrayBuffer, false));
    replaceMethod(NativeSharedArrayBuffer.prototype, "slice", bufferSlice(sabByteLength, sabSlice, () => GuardedShared, true));
    replaceMethod(abProto, "transfer", bufferTransfer("transfer", abTransfer, true));
    replaceMethod(abProto, "transferToFixedLength", bufferTransfer("transferToFixedLength", abTransferToFixedLength, false));
    for (const key of Object.keys(typedMethods)) replaceMethod(TypedArrayPrototype, key, typedMethods[key]);
    // Static constructors of Uint8Array that decode text straight into a new intrinsic Uint8Array.
    // The charge is the most the text can decode to.
    const fromBase64 = NativeUint8Array.fromBase64, fromHex = NativeUint8Array.fromHex;
    const statics = {
      fromBase64(string, options) {
        if (typeof string === "string") chargeSize(MathCeil(string.length * 3 / 4));
        return ReflectApply(fromBase64, undefined, [string, options]);
      },
      fromHex(string) {
        if (typeof string === "string") chargeSize(MathCeil(string.length / 2));
        return ReflectApply(fromHex, undefined, [string]);
      },
    };
    replaceMethod(NativeUint8Array, "fromBase64", statics.fromBase64);
    replaceMethod(NativeUint8Array, "fromHex", statics.fromHex);
  }

  // Allocation helpers for the prelude and the scripts after it: charged, and immune to the action
  // replacing the globals.
  function newBytes(length) {
    chargeSize(length);
    return new NativeUint8Array(length);
  }

  function copyBuffer(buffer) {
    const length = abByteLength(buffer);
    const out = newBytes(length);
    typedSet(out, new NativeUint8Array(buffer, 0, length));
    return typedBuffer(out);
  }

  // The bytes of a BufferSource (ArrayBuffer, SharedArrayBuffer, typed array, DataView) as an intrinsic
  // view read through captured getters; undefined for anything else.
  function bytesView(source) {
    if (isArrayBuffer(source) || isSharedArrayBuffer(source)) return new NativeUint8Array(source);
    if (typedName(source) !== undefined) {
      const per = nativeTyped.get(typedName(source)).BYTES_PER_ELEMENT;
      return new NativeUint8Array(typedBuffer(source), typedByteOffset(source), typedLength(source) * per);
    }
    try {
      return new NativeUint8Array(dataViewBuffer(source), dataViewByteOffset(source), dataViewByteLength(source));
    } catch (e) {
      return undefined;
    }
  }

  // A typed array's buffer, offset and length as the intrinsics see them, and a view made from them.
  function typedView(name, buffer, byteOffset, length) {
    return ReflectConstruct(guardedTyped.get(name), [buffer, byteOffset, length]);
  }

  // ---- the driver's entry points --------------------------------------------------------------
  function fireTimer(id) {
    const timer = mapGet(timers, id);
    if (!timer) return;
    if (timer.repeat) post({ t: "timer", id, ms: timer.ms });
    else mapDelete(timers, id);
    try {
      timer.fn(...timer.args);
    } catch (e) {
      post({ t: "uncaught", error: describeError(e) });
    }
  }

  function settle(id, ok, payload) {
    const call = mapGet(pendingCalls, id);
    if (!call) return;
    mapDelete(pendingCalls, id);
    if (ok) {
      call.resolve(JSON.parse(payload));
      return;
    }
    const failure = JSON.parse(payload);
    const err = new Error(failure.message);
    err.name = failure.name;
    const frames = String(call.origin.stack).split("\n").slice(1).join("\n");
    err.stack = failure.name + ": " + failure.message + "\n" + frames;
    call.reject(err);
  }

  const driver = Object.freeze({
    drain() {
      try {
        reportUnhandled();
      } catch (e) {
        // The outbox is full: the limit it hit is reported below, and ends the execution.
      }
      if (limitHit !== null) {
        defineProperty(outbox, outbox.length, { value: { __proto__: null, t: "limit", kind: limitHit }, enumerable: true, configurable: true });
        limitHit = null;
      }
      const text = stringify(outbox);
      outbox.length = 0;
      outboxChars = 0;
      return text;
    },
    step(kind, id, payload) {
      if (kind === "ok") settle(id, true, payload);
      else if (kind === "error") settle(id, false, payload);
      else if (kind === "timer") fireTimer(id);
    },
    // Called with the action's completion value as `this`, so an action that ends with a promise
    // (`go();`, `(async () => {...})()`) is finished only when that promise settles.
    track() {
      const value = this;
      Promise.resolve(value).then(
        () => post({ t: "main", ok: true }),
        (e) => post({ t: "main", ok: false, error: describeError(e) }),
      );
    },
    // Last step before the action runs: per-execution values, then the door is closed behind them.
    configure(configJson) {
      const config = JSON.parse(configJson);
      consoleBudget = config.maxConsoleBytes;
      maxTimers = config.maxTimers;
      maxCalls = config.maxCallsInFlight;
      maxOutboxMessages = config.maxOutboxMessages;
      maxOutboxChars = config.maxOutboxChars;
      randomPool = bytesFromBase64(config.random);
      bufferUsed = 0;
      bufferBudget = config.maxBufferBytes;
      const headers = new Headers(config.headers || {});
      global.Lit = { Actions: actions, Auth: config.auth, Headers: headers };
      global.LitActions = actions;
      global.LitAuth = config.auth;
      global.LitHeaders = headers;
      global.jsParams = config.jsParams;
      // A parameter never hides a built-in; it stays reachable as jsParams[key].
      for (const key of Object.keys(config.jsParams)) {
        if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) && !(key in global)) global[key] = config.jsParams[key];
      }
      delete global.__litrtInternal;
    },
  });

  // Plain assignment: mini-racer declared setTimeout/clearTimeout with `var`, which cannot be redefined.
  Object.assign(global, {
    console: consoleObject,
    setTimeout: (fn, delay, ...args) => addTimer(fn, delay, args, false),
    setInterval: (fn, delay, ...args) => addTimer(fn, delay, args, true),
    clearTimeout: clearTimer,
    clearInterval: clearTimer,
    atob, btoa, TextEncoder, TextDecoder, Headers, Response, fetch, crypto: cryptoObject, DOMException,
  });
  // Lit sets `global` for code written for its older Deno (99_patches.js); plain `Buffer` stays undefined.
  global.global = global;
  guardBuffers();
  trackRejections();
  // What `import("node:buffer")` in an action is rewritten to (sandbox/assets.py): the isolate has no
  // module loader, so modules come from the bundles loaded for the action.
  Object.defineProperty(global, "__litrtImport", {
    value: function __litrtImport(specifier) {
      const found = modules.get(String(specifier));
      if (!found) return Promise.reject(new TypeError("Module not found \"" + specifier + "\""));
      return Promise.resolve(found);
    },
    writable: false, configurable: false, enumerable: false,
  });
  Object.defineProperty(global, "__litrtInternal", {
    value: Object.freeze({
      hostCall, post, bytesFromBase64, bytesToBase64, describeError, DOMException, modules, crypto: cryptoObject,
      charge, remainingBytes: () => bufferBudget - bufferUsed, nativeWasm, newBytes, copyBuffer, typedBuffer,
      typedView, typedName, typedLength, bytesView, uncurry,
    }),
    writable: false, configurable: true, enumerable: false,
  });
  Object.defineProperty(global, "__litrt", { value: driver, writable: false, configurable: false, enumerable: false });

  // Doors V8 opens on its own: these run JavaScript outside the tasks the driver schedules (and so
  // outside its time limit), or allocate memory no limit sees (WebAssembly comes back, guarded, only
  // through wasm.js).
  global.__timer_manager = undefined;
  delete global.FinalizationRegistry;
  delete global.WebAssembly;
  if (typeof Atomics === "object") delete Atomics.waitAsync;
})(globalThis);
