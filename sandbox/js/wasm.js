// WebAssembly for actions that name it, inside the memory limit.
//
// A wasm memory lives outside V8's heap, and `memory.grow` inside a module reaches no JavaScript, so
// no limit would see it. Every memory therefore gets a maximum before it exists, and that maximum is
// charged to the execution's buffer budget up front: a module's own memories are rewritten to declare
// a capped maximum (the binary's memory section), a JS-made WebAssembly.Memory is capped in its
// constructor. Shared and 64-bit memories are refused. Time needs nothing: V8 checks for termination
// inside wasm loops, and compiling is bounded by the module size cap.
(function (global, internal) {
  "use strict";

  const { charge, remainingBytes } = internal;
  const native = internal.nativeWasm;
  const PAGE = 65536;
  const MAX_MODULE_BYTES = 8 * 1024 * 1024;
  // How far a memory without a declared maximum may grow (on top of its initial size).
  const DEFAULT_GROWTH_PAGES = 1024;  // 64 MiB
  const memoryCost = new WeakMap();  // Module -> bytes its instances' memories may reach

  function compileError(message) {
    return new native.CompileError("WebAssembly.Module(): " + message);
  }

  function readLeb(bytes, pos) {
    let value = 0, shift = 0;
    for (let i = 0; i < 5; i++) {
      if (pos >= bytes.length) throw compileError("unexpected end of the module");
      const b = bytes[pos++];
      value += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return [value, pos];
      shift += 7;
    }
    throw compileError("an integer is longer than 5 bytes");
  }

  function writeLeb(value, out) {
    do {
      let b = value % 128;
      value = Math.floor(value / 128);
      if (value) b |= 0x80;
      out.push(b);
    } while (value);
  }

  function capPages(initial, declaredMax) {
    const budget = Math.floor(remainingBytes() / PAGE);
    const wanted = declaredMax === undefined ? initial + DEFAULT_GROWTH_PAGES : declaredMax;
    const cap = Math.min(wanted, 65536, budget);
    if (initial > cap) {
      charge(initial * PAGE);  // over the budget: reports the memory limit and throws
    }
    return cap;
  }

  // The module's bytes with its memory section rewritten to capped maximums, and the bytes to charge.
  function rewrite(source) {
    let bytes;
    if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
    else if (ArrayBuffer.isView(source)) bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    else throw new TypeError("WebAssembly.Module(): Argument 0 must be a buffer source");
    if (bytes.length > MAX_MODULE_BYTES) throw new RangeError("WebAssembly.Module(): modules are limited to " + MAX_MODULE_BYTES + " bytes here");
    const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw compileError("not a WebAssembly 1 module");
    const out = Array.from(bytes.subarray(0, 8));
    let pos = 8, cost = 0;
    while (pos < bytes.length) {
      const id = bytes[pos];
      const [size, start] = readLeb(bytes, pos + 1);
      const end = start + size;
      if (end > bytes.length) throw compileError("a section runs past the end of the module");
      if (id !== 5) {
        for (let i = pos; i < end; i++) out.push(bytes[i]);
      } else {
        const [count, first] = readLeb(bytes, start);
        const body = [];
        writeLeb(count, body);
        let p = first;
        for (let m = 0; m < count; m++) {
          if (p >= end) throw compileError("the memory section is truncated");
          const flags = bytes[p++];
          if (flags !== 0 && flags !== 1) throw compileError("shared or 64-bit memories are not supported in this sandbox");
          let initial, max;
          [initial, p] = readLeb(bytes, p);
          if (flags === 1) [max, p] = readLeb(bytes, p);
          const cap = capPages(initial, max);
          cost += cap * PAGE;
          body.push(1);
          writeLeb(initial, body);
          writeLeb(cap, body);
        }
        if (p !== end) throw compileError("the memory section has trailing bytes");
        out.push(5);
        writeLeb(body.length, out);
        for (const b of body) out.push(b);
      }
      pos = end;
    }
    return { bytes: new Uint8Array(out), cost };
  }

  const Module = new Proxy(native.Module, {
    construct(target, args, newTarget) {
      const { bytes, cost } = rewrite(args[0]);
      const module = Reflect.construct(target, [bytes], newTarget === Module ? target : newTarget);
      memoryCost.set(module, cost);
      return module;
    },
    apply() {
      throw new TypeError("WebAssembly.Module must be invoked with 'new'");
    },
  });

  const Instance = new Proxy(native.Instance, {
    construct(target, args, newTarget) {
      const cost = memoryCost.get(args[0]);
      if (cost === undefined) throw new TypeError("WebAssembly.Instance(): Argument 0 must be a WebAssembly.Module");
      charge(cost);
      return Reflect.construct(target, args, newTarget === Instance ? target : newTarget);
    },
    apply() {
      throw new TypeError("WebAssembly.Instance must be invoked with 'new'");
    },
  });

  const Memory = new Proxy(native.Memory, {
    construct(target, args, newTarget) {
      const descriptor = Object(args[0]);
      if (descriptor.shared || (descriptor.index !== undefined && descriptor.index !== "i32")) {
        throw new TypeError("WebAssembly.Memory(): shared or 64-bit memories are not supported in this sandbox");
      }
      const initial = Number(descriptor.initial) || 0;
      const declared = descriptor.maximum === undefined ? undefined : Number(descriptor.maximum);
      const cap = capPages(initial, declared);
      charge(cap * PAGE);
      return Reflect.construct(target, [{ initial, maximum: cap }], newTarget === Memory ? target : newTarget);
    },
    apply() {
      throw new TypeError("WebAssembly.Memory must be invoked with 'new'");
    },
  });

  for (const [guarded, Native] of [[Module, native.Module], [Instance, native.Instance], [Memory, native.Memory]]) {
    Object.defineProperty(Native.prototype, "constructor", { value: guarded, writable: true, configurable: true });
  }

  // The asynchronous forms run the synchronous ones in a promise job, inside the driver's tasks.
  const later = (fn) => Promise.resolve().then(fn);
  const wasm = {
    Module, Instance, Memory,
    Table: native.Table, Global: native.Global, Tag: native.Tag, Exception: native.Exception,
    CompileError: native.CompileError, LinkError: native.LinkError, RuntimeError: native.RuntimeError,
    validate(source) {
      try { return native.validate(rewrite(source).bytes); } catch (e) { if (e instanceof RangeError) throw e; return false; }
    },
    compile: (source) => later(() => new Module(source)),
    instantiate(source, imports) {
      return later(() => {
        if (source instanceof native.Module) return new Instance(source, imports);
        const module = new Module(source);
        return { module, instance: new Instance(module, imports) };
      });
    },
  };
  Object.defineProperty(wasm, Symbol.toStringTag, { value: "WebAssembly" });
  Object.defineProperty(global, "WebAssembly", { value: wasm, writable: true, configurable: true, enumerable: false });
})(globalThis, globalThis.__litrtInternal);
