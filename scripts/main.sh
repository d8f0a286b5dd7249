#!/usr/bin/env bash
# The main job on a fresh machine: set up .venv, validate the gold annotations, train the default
# model (configs/default.yaml, offline), print its dev scores, and tag the seed reports with it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup_env.sh
govner annotations validate annotations/*.json data/synthetic/*.json
govner annotations stats annotations/seed_gold.json
mkdir -p data/normalized runs
govner data normalize data/raw -o data/normalized/seeds.jsonl --quiet
govner train --config configs/default.yaml --output models/default
cat models/default/README.md
govner predict --model models/default data/raw -o runs/seed_predictions.jsonl
echo "predictions: runs/seed_predictions.jsonl"
