"""Entity-level scores with seqeval (IOB2, ``mode="strict"``): the numbers every govner report uses.

>>> scores = strict_scores([["B-LOC", "I-LOC", "O"]], [["B-LOC", "I-LOC", "O"]])
>>> scores["micro"]["f1"], scores["LOC"]["support"]
(1.0, 1)
"""

from __future__ import annotations

from collections.abc import Sequence

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from govner.data.document import Span
from govner.data.iob import spans_to_tags


def strict_scores(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per label plus ``micro`` and ``macro`` averages."""
    report = classification_report(
        [list(s) for s in y_true], [list(s) for s in y_pred], mode="strict", scheme=IOB2, output_dict=True,
        zero_division=0,
    )
    scores = {}
    for key, values in report.items():
        name = {"micro avg": "micro", "macro avg": "macro", "weighted avg": "weighted"}.get(key, key)
        scores[name] = {
            "precision": float(values["precision"]),
            "recall": float(values["recall"]),
            "f1": float(values["f1-score"]),
            "support": int(values["support"]),
        }
    return scores


def span_scores(
    lengths: Sequence[int], gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]]
) -> dict[str, dict[str, float]]:
    """``strict_scores`` of whole documents given as spans (one character = one IOB2 token).

    >>> span_scores([4], [[Span(0, 2, "LOC")]], [[Span(0, 2, "LOC"), Span(2, 4, "ORG")]])["micro"]["precision"]
    0.5
    """
    y_true = [spans_to_tags(n, spans) for n, spans in zip(lengths, gold, strict=True)]
    y_pred = [spans_to_tags(n, spans) for n, spans in zip(lengths, predicted, strict=True)]
    return strict_scores(y_true, y_pred)
