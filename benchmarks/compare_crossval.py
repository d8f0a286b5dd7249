"""Two ``govner crossval`` runs over the same folds, compared fold by fold.

Not a test: run it by hand and read the table.

    python benchmarks/compare_crossval.py runs/crossval/base runs/crossval/new [--view network]

Differences between settings are small next to the spread between folds (one fold holds
harder provinces than another), so the comparison that can show a change is paired: the
same held-out documents scored by both models. Per label: each run's mean F1, the per-fold
differences B − A, their mean and sd, and how many folds went up; precision and recall
differences too. Both runs must hold the same folds (same documents, ``--folds``,
``--group-by``).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path


def load(path: Path) -> dict:
    file = path / "crossval.json" if path.is_dir() else path
    return json.loads(file.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="crossval output folder (or its crossval.json): the baseline")
    parser.add_argument("b", type=Path, help="the run compared with it")
    parser.add_argument("--view", choices=("as_used", "network"), default="as_used")
    args = parser.parse_args()
    a, b = load(args.a), load(args.b)
    if a["fold_documents"] != b["fold_documents"]:
        raise SystemExit("the two runs hold different folds: compare runs with the same documents and --folds")
    folds = sorted(a["per_fold"], key=int)
    labels = [name for name in a["per_fold"][folds[0]][args.view]
              if name not in ("macro", "weighted") and name in b["per_fold"][folds[0]][args.view]]
    print(f"{len(folds)} folds, {args.view}; A = {args.a}, B = {args.b}\n")
    print("| label | F1 A | F1 B | ΔF1 per fold | ΔF1 mean ± sd | folds up | ΔP mean | ΔR mean |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")

    def per_fold(run: dict, label: str, measure: str) -> list[float]:
        return [run["per_fold"][k][args.view][label][measure] for k in folds]

    for label in labels:
        delta = {m: [y - x for x, y in zip(per_fold(a, label, m), per_fold(b, label, m), strict=True)]
                 for m in ("precision", "recall", "f1")}
        sd = statistics.stdev(delta["f1"]) if len(folds) > 1 else 0.0
        means = [statistics.fmean(per_fold(run, label, "f1")) for run in (a, b)]
        print(f"| {label} | {means[0]:.3f} | {means[1]:.3f} | "
              + ", ".join(f"{d:+.3f}" for d in delta["f1"])
              + f" | {statistics.fmean(delta['f1']):+.4f} ± {sd:.4f} | {sum(d > 0 for d in delta['f1'])}/{len(folds)}"
              f" | {statistics.fmean(delta['precision']):+.4f} | {statistics.fmean(delta['recall']):+.4f} |")
    pooled = [run.get("annotated_pooled", {}).get("scores") for run in (a, b)]
    if all(pooled):
        print("\nThe annotated reports alone, pooled over folds (one score per run, no spread):\n")
        print("| label | support | F1 A | F1 B | ΔF1 | P A → B | R A → B |")
        print("|---|---:|---:|---:|---:|---|---|")
        for label, x in pooled[0].items():
            y = pooled[1][label]
            print(f"| {label} | {x['support']} | {x['f1']:.3f} | {y['f1']:.3f} | {y['f1'] - x['f1']:+.3f} | "
                  f"{x['precision']:.3f} → {y['precision']:.3f} | {x['recall']:.3f} → {y['recall']:.3f} |")


if __name__ == "__main__":
    main()
