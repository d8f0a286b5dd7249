"""The real reports of a ``govner crossval`` run, scored on their own and pooled over its folds.

Not a test: run it by hand and read the table.

    python benchmarks/real_reports.py runs/crossval/default [--synthetic-prefix syn_]

Cross-validation averages over every held-out document, and most of the project's documents
are synthetic reports: short, clean and regular. The real reports among them are the nearest
thing to the reports users bring. Each fold's model tags the real reports it held out (ids
that do not start with ``--synthetic-prefix``), as ``govner predict`` would; the spans of all
folds are then scored together, strict, so that every real report counts once and was tagged
by a model that never saw it. With a handful of real reports the counts are small: a few
entities move a label's F1 by 0.01–0.03. Needs each fold's model folder (a run with ``--jobs``;
``--ray`` brings back only the metrics).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from govner.data.labelstudio import load_documents
from govner.evaluation.metrics import span_scores
from govner.evaluation.systems import model_output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a govner crossval output folder (fold-K/test.json, fold-K/model)")
    parser.add_argument("--synthetic-prefix", default="syn_", help="ids of synthetic reports start with this")
    args = parser.parse_args()
    lengths, gold, predicted, held = [], [], [], []
    for fold in sorted(args.run.glob("fold-*"), key=lambda p: int(p.name.split("-")[1])):
        docs = [d for d in load_documents(fold / "test.json") if not d.id.startswith(args.synthetic_prefix)]
        if not docs:
            continue
        if not (fold / "model" / "config.json").exists():
            raise SystemExit(f"{fold / 'model'}: no trained model (a --ray run keeps none)")
        output = model_output(fold / "model", docs)
        lengths += [len(d.text) for d in docs]
        gold += [d.spans for d in docs]
        predicted += output.spans
        held.append(f"{fold.name}: {', '.join(d.id for d in docs)}")
    if not held:
        raise SystemExit(f"{args.run}: no fold holds out a report whose id does not start with "
                         f"{args.synthetic_prefix!r}")
    scores = span_scores(lengths, gold, predicted)
    print(f"{len(lengths)} real reports of {args.run}, each tagged by the fold model that held it out")
    print("; ".join(held) + "\n")
    print("| label | support | precision | recall | F1 |")
    print("|---|---:|---:|---:|---:|")
    for label, s in scores.items():
        if label not in ("macro", "weighted"):
            print(f"| {label} | {s['support']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")


if __name__ == "__main__":
    main()
