#!/usr/bin/env bash
# The main job on a fresh machine: set up .venv, validate the gold annotations, normalize the
# seed reports, and build the train/dev datasets of configs/default.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup_env.sh
govner annotations validate annotations/*.json
govner annotations stats annotations/*.json
mkdir -p data/normalized
govner data normalize data/raw -o data/normalized/seeds.jsonl --quiet
govner data build --config configs/default.yaml -o data/processed/default
