"""What does a user dictionary add on reports the model never saw?

Not a test: run it by hand on a finished ``govner crossval`` run and read the table.

    python benchmarks/user_dictionary.py runs/crossval/default [--fraction 0.3] [--seed 42]

For each fold, the dictionary a researcher who knows some of the region's names would write:
a seeded ``--fraction`` of the distinct LOC and ORG names of the fold's held-out documents, as
``word<TAB>LABEL`` lines. The fold's model (trained without those documents) then tags them
twice, as ``govner predict`` does: without the dictionary, and with ``--user-dict FILE
--force-user-words``. Reported as mean ± sd over folds: strict P/R/F1 per label, as used, and
the recall of the mentions whose name is *not* in the dictionary, which says whether forcing the
dictionary's words costs the rest anything.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
from pathlib import Path

from govner.data.labelstudio import load_documents
from govner.evaluation.metrics import span_scores
from govner.evaluation.systems import model_output
from govner.labels import LABELS, RULE_LABELS

NAME_LABELS = tuple(label for label in LABELS if label not in RULE_LABELS)  # what a dictionary lists: LOC, ORG


def dictionary_names(docs, fraction: float, seed: int) -> set[tuple[str, str]]:
    """A seeded share of the documents' distinct (name, label) pairs of ``NAME_LABELS``."""
    names = sorted({(d.text[s.start : s.end], s.label) for d in docs for s in d.spans if s.label in NAME_LABELS})
    names = [(w, label) for w, label in names if w.strip() == w and "\t" not in w and "\n" not in w]
    rng = random.Random(seed)
    return {name for name in names if rng.random() < fraction}


def unlisted_recall(docs, predicted, listed: set[tuple[str, str]]) -> float:
    """Recall (exact span and label) over the gold LOC/ORG mentions whose name is not ``listed``."""
    found = total = 0
    for doc, spans in zip(docs, predicted, strict=True):
        keep = {(s.start, s.end, s.label) for s in spans}
        for s in doc.spans:
            if s.label in NAME_LABELS and (doc.text[s.start : s.end], s.label) not in listed:
                total += 1
                found += (s.start, s.end, s.label) in keep
    return found / total if total else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a govner crossval output folder (fold-*/model, fold-*/test.json)")
    parser.add_argument("--fraction", type=float, default=0.3, help="share of the held-out names listed")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    folds = sorted(p for p in args.run.glob("fold-*") if (p / "model").is_dir())
    if not folds:
        raise SystemExit(f"{args.run}: no fold-*/model folders (a finished govner crossval run)")
    rows: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fold in folds:
            docs = load_documents(fold / "test.json")
            listed = dictionary_names(docs, args.fraction, args.seed)
            dictionary = Path(tmp) / f"{fold.name}.tsv"
            dictionary.write_text("".join(f"{w}\t{label}\n" for w, label in sorted(listed)), encoding="utf-8")
            lengths, gold = [len(d.text) for d in docs], [d.spans for d in docs]
            for name, options in (("without", {}),
                                  ("with", {"user_dictionaries": [dictionary], "force_user_words": True})):
                spans = model_output(fold / "model", docs, **options).spans
                scores = span_scores(lengths, gold, spans)
                row = rows.setdefault(name, {})
                for label in (*NAME_LABELS, "micro"):
                    for measure in ("precision", "recall", "f1"):
                        row.setdefault(f"{label} {measure}", []).append(scores[label][measure])
                row.setdefault("unlisted recall", []).append(unlisted_recall(docs, spans, listed))
            print(f"{fold.name}: {len(listed)} names listed ({len(docs)} documents)", flush=True)
    print(f"\n{len(folds)} folds, {args.fraction:.0%} of each held-out fold's LOC/ORG names listed; mean ± sd\n")
    print("| measure | without dictionary | with dictionary (forced) |")
    print("|---|---:|---:|")
    for measure in rows["without"]:
        cells = [f"{statistics.fmean(rows[n][measure]):.3f} ± {statistics.stdev(rows[n][measure]):.3f}"
                 if len(folds) > 1 else f"{rows[n][measure][0]:.3f}" for n in ("without", "with")]
        print(f"| {measure} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
