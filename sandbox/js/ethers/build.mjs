// Builds the manifest that sandbox/ethers_linker.py links ethers 5.7.2 from, per action, at request time:
// node_modules/.litrt-bundles/ethers-manifest.json. Run by sandbox/js/build.mjs (scripts/setup.sh).
//
// esbuild resolves the browser-flavoured CommonJS graph of ethers/lib (the sources the UMD bundle is made
// of); each file is minified on its own and its require("spec") calls become numeric ids. Files that only
// re-export ("barrels": the package indexes, ethers/lib/{index,ethers,utils}.js) are found by running them
// here with recording stand-ins for require: a require they never touch at load may be handed a lazy
// stand-in in the isolate, so `ethers.utils.keccak256` runs keccak256's file and not the rest of utils.
import { build, transform } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const modules = join(root, "node_modules");
const out = join(modules, ".litrt-bundles", "ethers-manifest.json");

// The UMD's own substitutions (ethers' rollup config): English-only wordlists; plus ours: signing-key's
// elliptic backend replaced by the adapter over @noble/secp256k1.
const substitutes = [
  { from: "@ethersproject/wordlists/lib/wordlists.js", to: join(modules, "@ethersproject/wordlists/lib/browser-wordlists.js") },
  { from: "@ethersproject/signing-key/lib/elliptic.js", to: join(here, "noble_ec.js") },
];

const substitutePlugin = {
  name: "litrt-substitute",
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === "inner") return undefined;
      // npm hoisted @ethersproject 5.8 packages (other dependencies want them) next to the 5.7 ones that
      // ethers 5.7.2 keeps in its own node_modules; the UMD is all 5.7, so every package is looked up from
      // ethers' folder first.
      const from = args.path.startsWith("@ethersproject/") ? join(modules, "ethers") : args.resolveDir;
      const found = await b.resolve(args.path, { kind: args.kind, resolveDir: from, pluginData: "inner" });
      if (found.errors.length) return { errors: found.errors };
      for (const s of substitutes) {
        if (found.path.endsWith(s.from)) return { path: s.to };
      }
      return from === args.resolveDir ? undefined : found;
    });
  },
};

const result = await build({
  entryPoints: [join(modules, "ethers/lib/index.js")],
  bundle: true,
  write: false,
  metafile: true,
  platform: "browser",
  format: "cjs",
  logLevel: "warning",
  plugins: [substitutePlugin],
});

const inputs = result.metafile.inputs;
// esbuild lists the browser field's `false` entries (noble's "crypto") as "(disabled):..." inputs: they
// become require(-1), an empty object, as esbuild itself does.
const paths = Object.keys(inputs).filter((p) => !p.startsWith("(disabled)")).sort();
const idOf = new Map(paths.map((p, i) => [p, i]));
const display = (p) => relative(modules, join(root, p)).replace(/\\/g, "/");

// Records what a file does with what it requires: each stand-in remembers whether it was read at load.
function record(text) {
  const makeRef = (spec, path) => {
    const node = { spec, path, touched: false };
    const target = function () {};
    return new Proxy(target, {
      get(_, prop) {
        if (prop === "__litrtRef") return node;
        node.touched = true;
        if (prop === "__esModule") return true;
        return makeRef(spec, [...path, String(prop)]);
      },
      apply() { node.touched = true; return makeRef(spec, [...path, "()"]); },
      construct() { node.touched = true; return makeRef(spec, [...path, "new"]); },
    });
  };
  const top = new Map();
  const require = (spec) => {
    // A spec required twice (`var x = __importStar(require(s))`, then `var x_1 = require(s)`) is one
    // target: it may be lazy only if no require of it is touched.
    const ref = makeRef(spec, []);
    top.set(spec, [...(top.get(spec) ?? []), ref]);
    return ref;
  };
  const exports = {};
  const module = { exports };
  const sandbox = vm.createContext({});
  const fn = vm.runInContext(`(function (exports, require, module) {${text}\n})`, sandbox);
  fn.call(exports, exports, require, module);
  return { exports: module.exports, top };
}

const refOf = (v) => {
  try {
    return (typeof v === "function" && v.__litrtRef) || null;
  } catch {
    return null;
  }
};

// A file is a barrel when it loads with stand-ins and some export is a getter that reads one name off a
// required module; everything else is left to run as written. A barrel's other exports ("own": a
// function it defines, a value it computes) are answered by running it, with everything it requires.
function analyseBarrel(text, specTarget) {
  let rec;
  try {
    rec = record(text);
  } catch {
    return null;
  }
  const reexports = {};
  const own = [];
  let isBarrel = false;
  for (const key of Reflect.ownKeys(rec.exports)) {
    if (typeof key !== "string" || key === "__esModule") continue;
    const d = Object.getOwnPropertyDescriptor(rec.exports, key);
    if (d.get) {
      const all = [...rec.top.values()].flat().map((r) => r.__litrtRef);
      const before = all.map((r) => r.touched);
      const got = refOf(d.get());
      all.forEach((r, i) => (r.touched = before[i]));
      if (got && got.path.length === 1) {
        reexports[key] = { kind: "get", target: specTarget(got.spec), name: got.path[0] };
        isBarrel = true;
        continue;
      }
      own.push(key);
      continue;
    }
    const ref = refOf(d.value);
    if (ref && ref.path.length === 0) reexports[key] = { kind: "ns", target: specTarget(ref.spec) };
    else own.push(key);
  }
  if (!isBarrel) return null;
  const lazy = [];
  for (const [spec, refs] of rec.top) {
    if (!refs.some((r) => r.__litrtRef.touched)) lazy.push(specTarget(spec));
  }
  return { reexports, own, lazy };
}

const files = [];
for (const p of paths) {
  const source = readFileSync(join(root, p), "utf8");
  const specs = new Map();
  for (const imp of inputs[p].imports) {
    if (imp.kind !== "require-call") continue;
    specs.set(imp.original, imp.path.startsWith("(disabled)") ? -1 : idOf.get(imp.path));
  }
  const specTarget = (spec) => {
    if (!specs.has(spec)) throw new Error(`${p}: require(${JSON.stringify(spec)}) not in esbuild's graph`);
    return specs.get(spec);
  };
  // Which names a file reads off each module it requires (TypeScript's `var x_1 = require("...")` then
  // `x_1.name`): a barrel behind such a require only needs those names' files.
  const reads = {};
  for (const m of source.matchAll(/var (\w+) = (?:__importDefault\()?require\("([^"]+)"\)\)?;/g)) {
    const [, name, spec] = m;
    if (!specs.has(spec)) continue; // a comment quoting code
    const target = specTarget(spec);
    const uses = [...source.matchAll(new RegExp(`\\b${name}\\b(\\.(\\w+))?`, "g"))];
    // One use is the declaration itself; any bare use means the whole module is needed.
    const names = new Set();
    let opaque = false;
    for (const u of uses.slice(1)) {
      if (u[2]) names.add(u[2]);
      else opaque = true;
    }
    if (opaque || reads[target] === null) reads[target] = null;
    else reads[target] = [...(reads[target] ?? []), ...names];
  }
  // Only package entry points and ethers' own re-export files are candidates: a stand-in must never
  // escape into values an action can see, and those files only hand them to their own getters.
  const candidate = /(\/lib\/index\.js|ethers\/lib\/(ethers|utils)\.js)$/.test(p);
  const barrel = candidate ? analyseBarrel(source, specTarget) : null;
  const minified = await transform(source, {
    loader: "js",
    minify: true,
    target: "es2020",
    define: { global: "globalThis" },
    legalComments: "none",
  });
  let code = minified.code.replace(/\brequire\("([^"]+)"\)/g, (_, spec) => `require(${specTarget(spec)})`);
  if (/\brequire\((?!-?\d+\))/.test(code)) throw new Error(`${p}: a require() that is not a plain string`);
  const requires = [...specs.values()].filter((t) => t >= 0);
  files.push({ path: display(p), code: code.trimEnd(), requires, reads, barrel });
}

const entry = idOf.get(paths.find((p) => p.endsWith("node_modules/ethers/lib/index.js")));
const manifest = { version: "5.7.2", entry, files };
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(manifest));
