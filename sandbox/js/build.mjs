// Builds the optional bundles an action may need (sandbox/js/bundles/*.mjs) into one IIFE script each,
// under node_modules/.litrt-bundles/, and the manifest ethers is linked from per action
// (sandbox/js/ethers/build.mjs). Run by scripts/setup.sh; sandbox/assets.py loads the results.
import { build } from "esbuild";
import { readdirSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const entries = join(here, "bundles");
const out = join(root, "node_modules", ".litrt-bundles");

for (const file of readdirSync(entries).filter((f) => f.endsWith(".mjs")).sort()) {
  await build({
    entryPoints: [join(entries, file)],
    outfile: join(out, basename(file, ".mjs") + ".js"),
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    keepNames: true,
    legalComments: "eof",
    logLevel: "warning",
  });
}

await import("./ethers/build.mjs");
