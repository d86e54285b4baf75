#!/usr/bin/env bash
# The README's test command: set up, lint, then run the whole suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m ruff check .  # lint (pyproject.toml [tool.ruff]) before the suite
python3 -m mypy  # strict types on the packages pyproject.toml [tool.mypy] lists
exec python3 -m pytest -q "$@"
