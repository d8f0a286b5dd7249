#!/usr/bin/env bash
# The test suite on a fresh machine: set up .venv, lint, run pytest (arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup_env.sh
ruff check src tests scripts benchmarks
python -m pytest -q "$@"
