#!/usr/bin/env bash
# The test suite on a fresh machine: set up .venv, lint, run pytest (arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup_env.sh
ruff check src tests scripts benchmarks
# one worker per core (pytest-xdist), each module whole in one worker (its fixtures are made once)
python -m pytest -q -n logical --dist loadfile "$@"
