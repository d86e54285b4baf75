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
  const outbox = [];
  const pendingCalls = new Map();
  const timers = new Map();
  let nextId = 1;
  // Until configure() runs, console output comes from our own set-up (ethers' warnings) and is dropped.
  let consoleBudget = -1;
  let consoleUsed = 0;
  // Set-up's own allocations (ethers' tables) are not charged: configure() starts the count.
  let bufferBudget = Infinity;
  let bufferUsed = 0;
  // Values the optional bundles hand in (Buffer, pubkeyToTokenId, ...), by name.
  const modules = new Map();

  function post(message) {
    outbox.push(message);
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
        name: String(err.name || "Error"),
        message: String(err.message === undefined ? err : err.message),
        stack: typeof err.stack === "string" ? err.stack : null,
      };
    }
    return { name: "Error", message: String(err), stack: null };
  }

  function hostCall(op, args) {
    const id = nextId++;
    let json;
    try {
      json = JSON.stringify(args === undefined ? {} : args, jsonReplacer);
    } catch (e) {
      return Promise.reject(new TypeError("Lit.Actions." + op + ": arguments are not JSON-serialisable: " + e.message));
    }
    // The caller's stack, so that a refusal points at the action's line that asked.
    const origin = new Error();
    return new Promise((resolve, reject) => {
      pendingCalls.set(id, { resolve, reject, origin });
      post({ t: "call", id, op, args: json });
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
    const tracked = new Proxy(NativePromise, {
      construct(target, args, newTarget) {
        const make = newTarget === tracked ? target : newTarget;
        const executor = args[0];
        if (typeof executor !== "function") return Reflect.construct(target, args, make);
        let promise = null, settled = false, early = false, earlyReason;
        const made = Reflect.construct(target, [function (resolve, reject) {
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
        post({ t: "limit", kind: "console_size" });
        throw new RangeError("Console output exceeds the limit of " + consoleBudget + " bytes");
      }
      post({ t: "log", level, text });
    };
  }

  const consoleObject = {};
  for (const level of ["log", "info", "warn", "error", "debug", "trace"]) {
    consoleObject[level] = makeLogger(level);
  }

  // ---- timers ---------------------------------------------------------------------------------
  function addTimer(fn, delay, args, repeat) {
    if (typeof fn !== "function") throw new TypeError("setTimeout/setInterval: callback must be a function");
    const id = nextId++;
    const ms = Math.max(0, Number(delay) || 0);
    timers.set(id, { fn, args, repeat, ms });
    post({ t: "timer", id, ms });
    return id;
  }

  function clearTimer(id) {
    if (timers.delete(id)) post({ t: "cleartimer", id });
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
      return new Uint8Array(bytes);
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
      let out = "";
      let i = 0;
      const bad = () => {
        if (this.fatal) throw new TypeError("TextDecoder: the encoded data was not valid utf-8");
        out += "\ufffd";
        i++;
      };
      while (i < b.length) {
        const c = b[i];
        let need = 0, cp = 0, min = 0;
        if (c < 0x80) { out += String.fromCharCode(c); i++; continue; }
        else if ((c & 0xe0) === 0xc0) { need = 1; cp = c & 31; min = 0x80; }
        else if ((c & 0xf0) === 0xe0) { need = 2; cp = c & 15; min = 0x800; }
        else if ((c & 0xf8) === 0xf0) { need = 3; cp = c & 7; min = 0x10000; }
        else { bad(); continue; }
        if (i + need > b.length - 1) { bad(); continue; }
        let ok = true;
        for (let k = 1; k <= need; k++) {
          const d = b[i + k];
          if (d === undefined || (d & 0xc0) !== 0x80) { ok = false; break; }
          cp = (cp << 6) | (d & 63);
        }
        if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) { bad(); continue; }
        out += String.fromCodePoint(cp);
        i += need + 1;
      }
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
    const out = new Uint8Array(raw.length);
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
    arrayBuffer() { return this._take().then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); }
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
  function utf8Only(encoding) {
    const enc = encoding || "utf8";
    if (enc !== "utf8" && enc !== "utf-8") {
      throw new Error("Unsupported encoding: '" + enc + "'. Only 'utf8' is supported.");
    }
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
    post({ t: "response", response: typeof response === "string" ? response : JSON.stringify(response, jsonReplacer) });
  };
  actions.uint8arrayToString = function uint8arrayToString(array, encoding) {
    utf8Only(encoding);
    return new TextDecoder("utf-8").decode(array);
  };
  actions.uint8arrayFromString = function uint8arrayFromString(string, encoding) {
    utf8Only(encoding);
    return new TextEncoder().encode(string);
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
  // V8's heap limit does not see ArrayBuffer backing stores, so their sizes are charged here.
  function charge(bytes) {
    bufferUsed += Number(bytes) || 0;
    if (bufferUsed > bufferBudget) {
      post({ t: "limit", kind: "memory" });
      throw new RangeError("Array buffer allocations exceed the memory limit");
    }
  }

  function guardConstructor(name, bytesFor) {
    const Original = global[name];
    const guarded = new Proxy(Original, {
      construct(target, args, newTarget) {
        charge(bytesFor(args, target));
        return Reflect.construct(target, args, newTarget === guarded ? target : newTarget);
      },
    });
    Object.defineProperty(Original.prototype, "constructor", { value: guarded, writable: true, configurable: true });
    global[name] = guarded;
  }

  function lengthOf(arg) {
    if (typeof arg === "number") return arg;
    if (arg instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && arg instanceof SharedArrayBuffer)) return 0;
    if (arg && typeof arg.length === "number") return arg.length;
    return 0;
  }

  function guardBuffers() {
    const bufferBytes = (args) => Math.max(Number(args[0]) || 0, Number(args[1] && args[1].maxByteLength) || 0);
    guardConstructor("ArrayBuffer", bufferBytes);
    guardConstructor("SharedArrayBuffer", bufferBytes);
    for (const name of ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
      "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"]) {
      guardConstructor(name, (args, target) => lengthOf(args[0]) * target.BYTES_PER_ELEMENT);
    }
    const transfer = ArrayBuffer.prototype.transfer;
    if (typeof transfer === "function") {
      const chargedTransfer = function (newLength) {
        charge(newLength === undefined ? this.byteLength : newLength);
        return transfer.call(this, newLength);
      };
      Object.defineProperty(ArrayBuffer.prototype, "transfer", { value: chargedTransfer, writable: true, configurable: true });
      Object.defineProperty(ArrayBuffer.prototype, "transferToFixedLength", { value: chargedTransfer, writable: true, configurable: true });
    }
  }

  // ---- the driver's entry points --------------------------------------------------------------
  function fireTimer(id) {
    const timer = timers.get(id);
    if (!timer) return;
    if (timer.repeat) post({ t: "timer", id, ms: timer.ms });
    else timers.delete(id);
    try {
      timer.fn(...timer.args);
    } catch (e) {
      post({ t: "uncaught", error: describeError(e) });
    }
  }

  function settle(id, ok, payload) {
    const call = pendingCalls.get(id);
    if (!call) return;
    pendingCalls.delete(id);
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
      reportUnhandled();
      const text = JSON.stringify(outbox);
      outbox.length = 0;
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
      charge, remainingBytes: () => bufferBudget - bufferUsed, nativeWasm,
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
