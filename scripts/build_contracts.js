#!/usr/bin/env node
// Rebuilds runtime/chain/artifacts/*.json (ABI + bytecode) from contracts/*.sol with npm `solc`.
//
//   node scripts/build_contracts.js            write the artifacts
//   node scripts/build_contracts.js --out DIR  write them to DIR instead (the tests compare)
//
// The output is deterministic: fixed settings, sources keyed by their repo-relative path,
// sorted keys. evmVersion is pinned to "shanghai" because ganache 7.9 knows no Cancun opcodes
// (solc 0.8.28 would otherwise emit MCOPY), and py-evm runs shanghai code as well.
"use strict";

const fs = require("fs");
const path = require("path");
const solc = require("solc");

const ROOT = path.resolve(__dirname, "..");
const SOURCES_DIR = path.join(ROOT, "contracts");
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "shanghai",
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
};

function parseArgs(argv) {
  const args = { out: path.join(ROOT, "runtime", "chain", "artifacts") };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && i + 1 < argv.length) {
      args.out = path.resolve(argv[++i]);
    } else {
      throw new Error(`unknown argument: ${argv[i]} (usage: build_contracts.js [--out DIR])`);
    }
  }
  return args;
}

function compile() {
  const sources = {};
  for (const name of fs.readdirSync(SOURCES_DIR).filter((f) => f.endsWith(".sol")).sort()) {
    sources[`contracts/${name}`] = { content: fs.readFileSync(path.join(SOURCES_DIR, name), "utf8") };
  }
  const input = { language: "Solidity", sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) process.stderr.write(e.formattedMessage + "\n");
  if (errors.length) throw new Error(`solc reported ${errors.length} error(s)`);
  return output.contracts;
}

function main() {
  const { out } = parseArgs(process.argv.slice(2));
  fs.mkdirSync(out, { recursive: true });
  const contracts = compile();
  for (const source of Object.keys(contracts).sort()) {
    for (const name of Object.keys(contracts[source]).sort()) {
      const c = contracts[source][name];
      const artifact = {
        contractName: name,
        sourceName: source,
        compiler: { name: "solc", version: solc.version(), settings: { optimizer: SETTINGS.optimizer, evmVersion: SETTINGS.evmVersion } },
        abi: c.abi,
        bytecode: "0x" + c.evm.bytecode.object,
        deployedBytecode: "0x" + c.evm.deployedBytecode.object,
      };
      fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify(artifact, null, 2) + "\n");
      process.stdout.write(`wrote ${path.relative(ROOT, path.join(out, name + ".json"))}\n`);
    }
  }
}

main();
