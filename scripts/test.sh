#!/usr/bin/env bash
# The README's test command: set up, lint, then run the whole suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m ruff check .  # lint (pyproject.toml [tool.ruff]) before the suite
exec python3 -m pytest -q "$@"
