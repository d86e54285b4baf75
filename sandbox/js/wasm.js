// WebAssembly for actions that name it, inside the memory limit.
//
// A wasm memory lives outside V8's heap, and `memory.grow` inside a module reaches no JavaScript, so
// no limit would see it. Every memory therefore gets a maximum before it exists, and that maximum is
// charged to the execution's buffer budget up front: a module's own memories are rewritten to declare
// a capped maximum (the binary's memory section), a JS-made WebAssembly.Memory is capped in its
// constructor. Shared and 64-bit memories are refused. Time needs nothing: V8 checks for termination
// inside wasm loops, and compiling is bounded by the module size cap.
// Everything this file calls at run time is captured when it loads: an action that replaces
// Reflect.construct, Uint8Array, Math or WeakMap's methods must not get hold of a native constructor,
// nor make the module that is compiled differ from the one whose memories were capped and charged.
(function (global, internal) {
  "use strict";

  const { charge, remainingBytes, bytesView, typedLength, uncurry } = internal;
  const native = internal.nativeWasm;
  const construct = Reflect.construct;
  const Uint8 = global.Uint8Array;  // the prelude's charged constructor
  const { floor: MathFloor, min: MathMin } = Math;
  const weakGet = uncurry(WeakMap.prototype.get), weakSet = uncurry(WeakMap.prototype.set);
  const NativeModule = native.Module;
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
      if (pos >= typedLength(bytes)) throw compileError("unexpected end of the module");
      const b = bytes[pos++];
      value += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return { value, pos };
      shift += 7;
    }
    throw compileError("an integer is longer than 5 bytes");
  }

  function writeLeb(value, out) {
    do {
      let b = value % 128;
      value = MathFloor(value / 128);
      if (value) b |= 0x80;
      out[out.length] = b;
    } while (value);
  }

  function capPages(initial, declaredMax) {
    const budget = MathFloor(remainingBytes() / PAGE);
    const wanted = declaredMax === undefined ? initial + DEFAULT_GROWTH_PAGES : declaredMax;
    const cap = MathMin(wanted, 65536, budget);
    if (initial > cap) {
      charge(initial * PAGE);  // over the budget: reports the memory limit and throws
    }
    return cap;
  }

  // The module's bytes with its memory section rewritten to capped maximums, and the bytes to charge.
  function rewrite(source) {
    const bytes = bytesView(source);
    if (bytes === undefined) throw new TypeError("WebAssembly.Module(): Argument 0 must be a buffer source");
    const length = typedLength(bytes);
    if (length > MAX_MODULE_BYTES) throw new RangeError("WebAssembly.Module(): modules are limited to " + MAX_MODULE_BYTES + " bytes here");
    // Null prototypes: index writes into these arrays can meet no setter the action defined.
    const out = [];
    Object.setPrototypeOf(out, null);
    const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    if (length < 8) throw compileError("not a WebAssembly 1 module");
    for (let i = 0; i < 8; i++) {
      if (bytes[i] !== magic[i]) throw compileError("not a WebAssembly 1 module");
      out[i] = bytes[i];
    }
    let pos = 8, cost = 0;
    while (pos < length) {
      const id = bytes[pos];
      const { value: size, pos: start } = readLeb(bytes, pos + 1);
      const end = start + size;
      if (end > length) throw compileError("a section runs past the end of the module");
      if (id !== 5) {
        for (let i = pos; i < end; i++) out[out.length] = bytes[i];
      } else {
        const { value: count, pos: first } = readLeb(bytes, start);
        const body = [];
        Object.setPrototypeOf(body, null);
        writeLeb(count, body);
        let p = first;
        for (let m = 0; m < count; m++) {
          if (p >= end) throw compileError("the memory section is truncated");
          const flags = bytes[p++];
          if (flags !== 0 && flags !== 1) throw compileError("shared or 64-bit memories are not supported in this sandbox");
          const initialLeb = readLeb(bytes, p);
          const initial = initialLeb.value;
          let max;
          p = initialLeb.pos;
          if (flags === 1) {
            const maxLeb = readLeb(bytes, p);
            max = maxLeb.value;
            p = maxLeb.pos;
          }
          const cap = capPages(initial, max);
          cost += cap * PAGE;
          body[body.length] = 1;
          writeLeb(initial, body);
          writeLeb(cap, body);
        }
        if (p !== end) throw compileError("the memory section has trailing bytes");
        out[out.length] = 5;
        writeLeb(body.length, out);
        for (let i = 0; i < body.length; i++) out[out.length] = body[i];
      }
      pos = end;
    }
    return { bytes: new Uint8(out), cost };
  }

  const Module = new Proxy(native.Module, {
    construct(target, args, newTarget) {
      const { bytes, cost } = rewrite(args[0]);
      const module = construct(target, [bytes], newTarget === Module ? target : newTarget);
      weakSet(memoryCost, module, cost);
      return module;
    },
    apply() {
      throw new TypeError("WebAssembly.Module must be invoked with 'new'");
    },
  });

  const Instance = new Proxy(native.Instance, {
    construct(target, args, newTarget) {
      const cost = weakGet(memoryCost, args[0]);
      if (cost === undefined) throw new TypeError("WebAssembly.Instance(): Argument 0 must be a WebAssembly.Module");
      charge(cost);
      return construct(target, args, newTarget === Instance ? target : newTarget);
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
      return construct(target, [{ initial, maximum: cap }], newTarget === Memory ? target : newTarget);
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
        if (weakGet(memoryCost, source) !== undefined) return new Instance(source, imports);
        const module = new Module(source);
        return { module, instance: new Instance(module, imports) };
      });
    },
  };
  Object.defineProperty(wasm, Symbol.toStringTag, { value: "WebAssembly" });
  Object.defineProperty(global, "WebAssembly", { value: wasm, writable: true, configurable: true, enumerable: false });
})(globalThis, globalThis.__litrtInternal);
