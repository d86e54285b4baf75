// structuredClone, written here rather than taken from npm: the packages at hand (@ungap/structured-clone)
// copy typed arrays element by element, lose shared ArrayBuffers and throw TypeError where the HTML
// algorithm throws a DataCloneError. New buffers come from the prelude's charged allocator, and typed
// arrays are read through its captured intrinsics, so what the action does to the globals and
// prototypes changes neither the clone nor its charge against the memory limit.
(function (global, internal) {
  "use strict";

  const { DOMException, copyBuffer, typedView, typedName, typedBuffer, uncurry } = internal;
  const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
  const getter = (name) => uncurry(Object.getOwnPropertyDescriptor(TypedArrayPrototype, name).get);
  const typedByteOffset = getter("byteOffset");
  const typedLength = getter("length");
  const tagOf = (v) => Object.prototype.toString.call(v).slice(8, -1);
  const ERRORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
  const TYPED = new Set(["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
    "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"]);

  function refuse(value) {
    const what = typeof value === "function" ? "function " + (value.name || "(anonymous)") + "() {}"
      : typeof value === "symbol" ? value.toString() : "#<" + tagOf(value) + ">";
    throw new DOMException(what + " could not be cloned.", "DataCloneError");
  }

  function cloneInto(value, seen) {
    if (typeof value === "symbol" || typeof value === "function") refuse(value);
    if (value === null || typeof value !== "object") return value;
    if (seen.has(value)) return seen.get(value);
    const tag = tagOf(value);
    const remember = (out) => { seen.set(value, out); return out; };
    const copyProps = (out) => {
      for (const key of Object.keys(value)) out[key] = cloneInto(value[key], seen);
      return out;
    };
    if (Array.isArray(value)) return copyProps(remember(new Array(value.length)));
    switch (tag) {
      case "Date": return remember(new Date(value.getTime()));
      case "RegExp": return remember(new RegExp(value.source, value.flags));
      case "Boolean": case "Number": case "String": case "BigInt": return remember(Object(value.valueOf()));
      case "ArrayBuffer": return remember(copyBuffer(value));
      case "DataView": {
        const buffer = cloneInto(value.buffer, seen);
        return remember(new DataView(buffer, value.byteOffset, value.byteLength));
      }
      case "Map": {
        const out = remember(new Map());
        for (const [k, v] of value) out.set(cloneInto(k, seen), cloneInto(v, seen));
        return out;
      }
      case "Set": {
        const out = remember(new Set());
        for (const v of value) out.add(cloneInto(v, seen));
        return out;
      }
      case "Error": {
        const Kind = ERRORS[value.name] || Error;
        const out = remember(new Kind(value.message));
        if (typeof value.stack === "string") out.stack = value.stack;
        return out;
      }
      case "Object": return copyProps(remember({}));
    }
    const name = typedName(value);
    if (name !== undefined && TYPED.has(name)) {
      const buffer = cloneInto(typedBuffer(value), seen);
      return remember(typedView(name, buffer, typedByteOffset(value), typedLength(value)));
    }
    return refuse(value);
  }

  global.structuredClone = function structuredClone(value) {
    if (arguments.length === 0) throw new TypeError("structuredClone: 1 argument required, but only 0 present.");
    return cloneInto(value, new Map());
  };
})(globalThis, globalThis.__litrtInternal);
