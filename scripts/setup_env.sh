#!/usr/bin/env bash
# Create or refresh ./.venv: torch first (the pinned CPU wheel, so nothing pulls CUDA), then govner
# in editable mode with its dev extras. Re-installs only when pyproject.toml or this file changed.
# Sourced by main.sh and test.sh; safe to run on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
stamp=$(cat pyproject.toml scripts/setup_env.sh | sha256sum | cut -c1-16)
if [ "$(cat .venv/.govner-stamp 2>/dev/null || true)" != "$stamp" ]; then
  echo "setting up .venv (torch==2.13.0 first, then govner[dev])" >&2
  # the finished .venv takes about 2.7 GB; say so before pip fails deep in its log with "No space left on
  # device" (what one CI machine's pip printed after 2 minutes)
  free_mb=$(df -Pm . 2> /dev/null | awk 'NR == 2 {print $4}' || true)
  if [[ $free_mb =~ ^[0-9]+$ ]] && ((free_mb < 3500)); then
    echo "warning: $free_mb MB free on the disk of $(pwd); .venv needs about 2,700 MB" >&2
  fi
  python -m pip install -q torch==2.13.0
  python -m pip install -q -e ".[dev]"
  echo "$stamp" > .venv/.govner-stamp
fi
# The synthetic reports' Label Studio file is built from their tracked mention lists, not tracked
# itself (scripts/gold_mentions.py); rebuilt only when a report or mention list changed.
python scripts/gold_mentions.py --set synthetic build --if-stale >&2
