#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine with Python 3.11+, Node/npm and apt.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v ipfs_cid >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ipfs-cid >/dev/null
  else
    echo "warning: apt-get not found; Debian's ipfs-cid oracle will be skipped by the tests" >&2
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"

if [ ! -d node_modules/ethers ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# The sandbox's optional JS bundles (sandbox/js/bundles/*.mjs, built with esbuild into node_modules/.litrt-bundles/)
# and the manifest ethers is linked from per action (sandbox/js/ethers/).
BUNDLES=node_modules/.litrt-bundles
if [ ! -f "$BUNDLES/ethers-manifest.json" ] || [ -n "$(find sandbox/js/bundles sandbox/js/ethers sandbox/js/build.mjs package-lock.json -newer "$BUNDLES" -print -quit)" ]; then
  node sandbox/js/build.mjs
  touch "$BUNDLES"
fi
