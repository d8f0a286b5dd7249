"""The numbers of every govner evaluation: strict seqeval scores, lenient views, label confusion, error counts.

Strict scores come from seqeval (IOB2, ``mode="strict"``) and nothing else: a predicted entity
counts only when its label and both boundaries equal a gold entity's. The other views explain
the strict errors and are computed here on spans of whole documents (one character = one token):

- **lenient views** (``lenient_scores``): ``overlap`` accepts a predicted span of the right label
  that shares at least one character with a gold span; ``type_ignoring`` accepts exact
  boundaries with any label. A boundary error is right under ``overlap`` only, a type error under
  ``type_ignoring`` only.
- **confusion** (``confusion``): gold label × predicted label of overlapping spans, with
  ``none`` for gold spans nothing overlaps (misses) and predictions that overlap no gold (spurious).
- **error counts** (``error_counts``): each predicted span is correct, a boundary error, a type
  error, a boundary+type error or spurious; each gold span that nothing overlaps is a miss.

>>> scores = strict_scores([["B-LOC", "I-LOC", "O"]], [["B-LOC", "I-LOC", "O"]])
>>> scores["micro"]["f1"], scores["LOC"]["support"]
(1.0, 1)
>>> gold, pred = [[Span(0, 3, "LOC"), Span(5, 7, "ORG")]], [[Span(0, 2, "LOC"), Span(5, 7, "LOC")]]
>>> span_scores([8], gold, pred)["micro"]["f1"]  # strict: nothing matches
0.0
>>> lenient_scores(gold, pred, "overlap")["micro"]["precision"], lenient_scores(gold, pred, "type_ignoring")["micro"]
(0.5, {'precision': 0.5, 'recall': 0.5, 'f1': 0.5, 'support': 2})
>>> error_counts(gold, pred)["all"]
{'gold': 2, 'predicted': 2, 'correct': 0, 'boundary': 1, 'type': 1, 'boundary+type': 0, 'missed': 0, 'spurious': 0}
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from govner.data.document import Span
from govner.data.iob import spans_to_tags
from govner.labels import LABELS

AVERAGES = ("micro", "macro", "weighted")
VIEWS = ("overlap", "type_ignoring")
NONE = "none"  # the confusion table's row/column for "no span on this side"
# Error kinds of a predicted span (and "missed" for a gold span), in report order.
KINDS = ("correct", "boundary", "type", "boundary+type", "missed", "spurious")


def strict_scores(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per label plus ``micro``, ``macro`` and ``weighted`` averages.

    seqeval's strict mode reads entities the IOB2 way only: an ``I-X`` that does not continue an
    ``X`` entity (after ``O``, or after ``B-Y``) starts nothing and is simply not an entity.
    Undefined numbers (no entity anywhere) are 0, never NaN, so reports stay valid JSON.

    >>> strict_scores([["B-LOC", "I-LOC"]], [["O", "I-LOC"]])["LOC"]
    {'precision': 0.0, 'recall': 0.0, 'f1': 0.0, 'support': 1}
    """
    with warnings.catch_warnings():
        # seqeval averages an empty list of labels when there is no entity at all (numpy warns, we return 0)
        warnings.simplefilter("ignore", RuntimeWarning)
        report = classification_report(
            [list(s) for s in y_true], [list(s) for s in y_pred], mode="strict", scheme=IOB2, output_dict=True,
            zero_division=0,
        )
    scores = {}
    for key, values in report.items():
        name = {"micro avg": "micro", "macro avg": "macro", "weighted avg": "weighted"}.get(key, key)
        scores[name] = {
            "precision": _finite(values["precision"]),
            "recall": _finite(values["recall"]),
            "f1": _finite(values["f1-score"]),
            "support": int(values["support"]),
        }
    return scores


def _finite(value: float) -> float:
    value = float(value)
    return 0.0 if math.isnan(value) else value


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


def prf(correct_predicted: int, predicted: int, correct_gold: int, gold: int) -> dict[str, float]:
    """Precision, recall, F1 (0 when undefined, as seqeval's ``zero_division=0``) and support.

    Precision and recall get their own numerators because a lenient match is one-sided: two
    predicted fragments can both be right about one gold span.

    >>> prf(1, 2, 1, 1)
    {'precision': 0.5, 'recall': 1.0, 'f1': 0.6666666666666666, 'support': 1}
    """
    precision = correct_predicted / predicted if predicted else 0.0
    recall = correct_gold / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": gold}


def overlaps(a: Span, b: Span) -> bool:
    """Whether two spans share at least one character.

    >>> overlaps(Span(0, 3, "LOC"), Span(2, 5, "ORG")), overlaps(Span(0, 3, "LOC"), Span(3, 5, "LOC"))
    (True, False)
    """
    return a.start < b.end and b.start < a.end


def _overlap_size(a: Span, b: Span) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def _matches(a: Span, b: Span, view: str) -> bool:
    if view == "exact":
        return a == b
    if view == "overlap":
        return a.label == b.label and overlaps(a, b)
    if view == "type_ignoring":
        return (a.start, a.end) == (b.start, b.end)
    raise ValueError(f"unknown view {view!r}: choose exact, overlap or type_ignoring")


def label_order(labels: Iterable[str]) -> list[str]:
    """Labels in report order: govner's own labels first (in their fixed order), then others sorted.

    >>> label_order({"PER", "SLOGAN", "LOC"})
    ['LOC', 'SLOGAN', 'PER']
    """
    labels = set(labels)
    return [x for x in LABELS if x in labels] + sorted(labels - set(LABELS))


def lenient_scores(
    gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]], view: str
) -> dict[str, dict[str, float]]:
    """Per-label and averaged scores under a lenient ``view`` (``overlap`` or ``type_ignoring``).

    A predicted span is right when some gold span of its document matches it under the view, and
    a gold span is found when some predicted span matches it. Per label, precision is over the
    predicted spans of that label and recall over the gold spans of that label. The labels, the
    macro average (mean of the per-label numbers) and the weighted average follow seqeval's
    report. ``view="exact"`` reproduces the strict numbers (the tests check it against seqeval).

    >>> lenient_scores([[Span(0, 6, "LOC")]], [[Span(0, 3, "LOC"), Span(3, 6, "LOC")]], "overlap")["LOC"]
    {'precision': 1.0, 'recall': 1.0, 'f1': 1.0, 'support': 1}
    """
    right_pred: Counter = Counter()
    n_pred: Counter = Counter()
    found_gold: Counter = Counter()
    n_gold: Counter = Counter()
    for gold_spans, pred_spans in zip(gold, predicted, strict=True):
        for p in pred_spans:
            n_pred[p.label] += 1
            right_pred[p.label] += any(_matches(g, p, view) for g in gold_spans)
        for g in gold_spans:
            n_gold[g.label] += 1
            found_gold[g.label] += any(_matches(g, p, view) for p in pred_spans)
    labels = sorted(set(n_pred) | set(n_gold))  # seqeval's order: sorted
    scores = {x: prf(right_pred[x], n_pred[x], found_gold[x], n_gold[x]) for x in labels}
    scores["micro"] = prf(sum(right_pred.values()), sum(n_pred.values()), sum(found_gold.values()),
                          sum(n_gold.values()))
    total = sum(n_gold.values())
    for name in ("macro", "weighted"):
        weights = {x: 1 / len(labels) if name == "macro" else (n_gold[x] / total if total else 0.0) for x in labels}
        scores[name] = {k: sum(weights[x] * scores[x][k] for x in labels) for k in ("precision", "recall", "f1")}
        scores[name]["support"] = total
    return scores


def _best_overlap(span: Span, others: Sequence[Span]) -> Span | None:
    """The span of ``others`` sharing most characters with ``span``; ties go to the same label, then the first."""
    candidates = [o for o in others if overlaps(span, o)]
    if not candidates:
        return None
    return max(candidates, key=lambda o: (_overlap_size(span, o), o.label == span.label, -o.start))


def confusion(gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]]) -> dict[str, dict[str, int]]:
    """Gold label (rows) × predicted label (columns), with ``none`` rows/columns.

    Each gold span is counted once, in the column of the predicted span that overlaps it most
    (ties: the same label, then the earlier span), or in ``none`` when nothing overlaps it (a
    miss); so a row sums to that label's gold support. Each predicted span that overlaps no gold
    span is counted in the ``none`` row (spurious). Every label seen on either side gets a row
    and a column.

    >>> table = confusion([[Span(0, 7, "ORG"), Span(9, 11, "LOC")]], [[Span(0, 2, "LOC"), Span(2, 7, "ORG")]])
    >>> table["ORG"]["ORG"], table["LOC"]["none"], table["none"]
    (1, 1, {'LOC': 0, 'ORG': 0, 'none': 0})
    """
    labels = label_order({s.label for doc in (*gold, *predicted) for s in doc})
    table = {row: dict.fromkeys([*labels, NONE], 0) for row in [*labels, NONE]}
    for gold_spans, pred_spans in zip(gold, predicted, strict=True):
        for g in gold_spans:
            best = _best_overlap(g, pred_spans)
            table[g.label][best.label if best else NONE] += 1
        for p in pred_spans:
            if not any(overlaps(p, g) for g in gold_spans):
                table[NONE][p.label] += 1
    return table


@dataclass(frozen=True)
class Outcome:
    """What happened to one span: its ``kind`` (one of ``KINDS``) and the closest span on the other side.

    For a predicted span, ``span`` is the prediction and ``other`` the gold span it overlaps most;
    for a gold span, the reverse. ``doc`` is the document's index.
    """

    doc: int
    side: str  # "predicted" or "gold"
    kind: str
    span: Span
    other: Span | None


def predicted_outcome(p: Span, gold_spans: Sequence[Span]) -> tuple[str, Span | None]:
    """The kind of a predicted span: correct, type (same boundaries), boundary, boundary+type or spurious.

    >>> predicted_outcome(Span(0, 2, "LOC"), [Span(0, 2, "ORG")])
    ('type', Span(start=0, end=2, label='ORG'))
    """
    same_place = [g for g in gold_spans if (g.start, g.end) == (p.start, p.end)]
    if same_place:  # gold spans never overlap, so there is at most one
        return ("correct" if same_place[0].label == p.label else "type"), same_place[0]
    same_label = _best_overlap(p, [g for g in gold_spans if g.label == p.label])
    if same_label is not None:
        return "boundary", same_label
    other = _best_overlap(p, gold_spans)
    return ("spurious", None) if other is None else ("boundary+type", other)


def gold_outcome(g: Span, pred_spans: Sequence[Span]) -> tuple[str, Span | None]:
    """Why a gold span was (not) found: correct, type, boundary, boundary+type or missed.

    >>> gold_outcome(Span(0, 6, "LOC"), [Span(0, 3, "LOC"), Span(3, 6, "LOC")])
    ('boundary', Span(start=0, end=3, label='LOC'))
    """
    kind, other = predicted_outcome(g, pred_spans)  # the same tests, seen from the gold side
    return ("missed" if kind == "spurious" else kind), other


def outcomes(gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]]) -> list[Outcome]:
    """Every predicted span and every gold span with its kind, document by document."""
    out = []
    for d, (gold_spans, pred_spans) in enumerate(zip(gold, predicted, strict=True)):
        for p in sorted(pred_spans):
            kind, other = predicted_outcome(p, gold_spans)
            out.append(Outcome(d, "predicted", kind, p, other))
        for g in sorted(gold_spans):
            kind, other = gold_outcome(g, pred_spans)
            out.append(Outcome(d, "gold", kind, g, other))
    return out


def error_counts(
    gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]]
) -> dict[str, dict[str, int]]:
    """Counts per label and for ``all``: gold and predicted spans, and the kind of each span.

    Predicted spans are counted under their predicted label as ``correct``, ``boundary`` (right
    label, overlapping a gold span of that label, other boundaries), ``type`` (exact boundaries,
    other label), ``boundary+type`` (overlapping only gold spans of other labels, other
    boundaries) or ``spurious`` (overlapping no gold span): these five add up to ``predicted``.
    Gold spans that no predicted span overlaps are counted under their gold label as ``missed``.
    ``correct`` is the strict true-positive count.

    >>> error_counts([[Span(0, 6, "LOC"), Span(8, 9, "ORG")]], [[Span(0, 3, "LOC"), Span(3, 6, "LOC")]])["LOC"]
    {'gold': 1, 'predicted': 2, 'correct': 0, 'boundary': 2, 'type': 0, 'boundary+type': 0, 'missed': 0, 'spurious': 0}
    """
    counts: dict[str, Counter] = {}
    for o in outcomes(gold, predicted):
        row = counts.setdefault(o.span.label, Counter())
        if o.side == "predicted":
            row["predicted"] += 1
            row[o.kind] += 1
        else:
            row["gold"] += 1
            # the other kinds of a gold span are already counted once, on the predicted span involved
            row["missed"] += o.kind == "missed"
    table = {}
    for label in label_order(counts):
        table[label] = {k: counts[label][k] for k in ("gold", "predicted", *KINDS)}
    table["all"] = {k: sum(row[k] for row in table.values()) for k in ("gold", "predicted", *KINDS)}
    return table
