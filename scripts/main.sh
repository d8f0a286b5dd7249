#!/usr/bin/env bash
# The main job on a fresh machine: set up .venv, validate the gold annotations, train the default
# model (configs/default.yaml, offline; reused when config, data and code are unchanged), tag the
# seed reports with it, and print its evaluation report next to the two baselines.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup_env.sh
govner annotations validate annotations/*.json data/synthetic/*.json
govner annotations stats annotations/seed_gold.json
mkdir -p data/normalized runs
govner data normalize data/raw -o data/normalized/seeds.jsonl --quiet
govner train --config configs/default.yaml --output models/default --reuse
govner predict --model models/default data/raw -o runs/seed_predictions.jsonl --quiet
govner predict --model models/default data/raw -o runs/seed_predictions.html --format html --quiet
echo "predictions: runs/seed_predictions.jsonl, runs/seed_predictions.html (open in a browser)"
govner evaluate --model models/default --config configs/default.yaml --split dev \
  --system model --system rules --system lac --output runs/eval
