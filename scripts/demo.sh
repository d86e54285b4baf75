#!/usr/bin/env bash
# The README's main job: set up, then start a 4-node network, upload an action, mint a PKP,
# permit the action, execute it and verify the combined signature with eth_account.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec python3 -m runtime.cli.main demo "$@"
