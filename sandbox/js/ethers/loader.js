// The module loader of a linked ethers script (sandbox/ethers_linker.py fills the placeholders). Module
// bodies run on first require, as in CommonJS; a barrel (a file that only re-exports) gets lazy stand-ins
// for the modules it never reads at load, so reading `ethers.utils.keccak256` runs only keccak256's file.
// One registry per isolate keeps every class single (instanceof BigNumber holds across modules).
(function (global) {
  "use strict";
  const defs = __LITRT_ETHERS_DEFS__;
  const lazy = __LITRT_ETHERS_LAZY__;
  const paths = __LITRT_ETHERS_PATHS__;
  const cache = new Map();
  const disabled = {};

  function load(id) {
    if (id === -1) return disabled;
    const hit = cache.get(id);
    if (hit !== undefined) return hit.exports;
    const def = defs[id];
    if (def === undefined) throw new Error("ethers: " + paths[id] + " was not linked into this execution");
    const module = { exports: {} };
    cache.set(id, module);
    const standIns = lazy[id];
    const req = standIns === undefined ? load : (target) => (standIns.includes(target) ? standIn(target) : load(target));
    def.call(module.exports, module.exports, req, module);
    return module.exports;
  }

  // Used only inside the barrel's own getters and functions, never handed out.
  function standIn(target) {
    return new Proxy({}, { get: (_, key) => load(target)[key] });
  }

  global.ethers = load(__LITRT_ETHERS_ENTRY__);
})(globalThis);
