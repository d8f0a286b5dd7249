"""Assemble an evaluation report (plain data, saved as ``report.json``), compare it with an older one, gate on it.

A report holds, for each system evaluated on the same documents: strict seqeval scores, the
lenient views, the label confusion table, error counts and the list of every false positive
and false negative with its context. ``write_report`` writes ``report.json``, ``report.md``,
the PNG charts and ``report.html`` (with the error browser) into one folder.

>>> from govner.data.document import Document, Span
>>> from govner.evaluation.systems import SystemOutput
>>> doc = Document("d1", "巴中市恩阳区投资38亿元。", "inline", [Span(0, 6, "LOC"), Span(8, 12, "AMOUNT")])
>>> out = SystemOutput("pred", "by hand", [[Span(0, 3, "LOC"), Span(8, 12, "AMOUNT")]])
>>> report = build_report([doc], [out], {"files": ["inline"]})
>>> report["systems"]["pred"]["strict"]["micro"]["f1"]
0.5
>>> [(e["error"], e["kind"], e["text"]) for e in report["systems"]["pred"]["error_list"]]
[('FN', 'boundary', '巴中市恩阳区'), ('FP', 'boundary', '巴中市')]
>>> check_gates(report, "pred", fail_under=0.85)["passed"]
False
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govner import __version__
from govner.data.document import Document, Span
from govner.evaluation.metrics import (
    VIEWS,
    confusion,
    error_counts,
    label_order,
    lenient_scores,
    outcomes,
    span_scores,
)
from govner.evaluation.systems import EvaluationInputError, SystemOutput
from govner.labels import LABELS

CONTEXT = 15  # characters of context on each side of a listed error


def _span_record(doc: Document, span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "label": span.label, "text": doc.text[span.start : span.end]}


def error_list(
    docs: Sequence[Document], predicted: Sequence[Sequence[Span]], labels: Sequence[str], context: int = CONTEXT
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every false negative (``FN``) and false positive (``FP``), ordered by label, document, offset.

    An FN is a gold span without an exact match, filed under its gold label; an FP is a
    predicted span without one, filed under its predicted label. ``kind`` says why (see
    ``govner.evaluation.metrics.KINDS``) and ``other`` is the closest span on the other side.
    ``left``/``right`` are up to ``context`` characters of the original text around the span.
    FNs of labels the system cannot predict (``labels``) are only counted, in the second value.
    """
    entries, unlisted = [], Counter()
    gold = [d.spans for d in docs]
    for o in outcomes(gold, predicted):
        if o.kind == "correct":
            continue
        doc = docs[o.doc]
        if o.side == "gold" and o.span.label not in labels:
            unlisted[o.span.label] += 1
            continue
        entries.append({
            "doc": doc.id,
            "error": "FN" if o.side == "gold" else "FP",
            "kind": o.kind,
            **_span_record(doc, o.span),
            "left": doc.text[max(0, o.span.start - context) : o.span.start],
            "right": doc.text[o.span.end : o.span.end + context],
            "at_start": o.span.start <= context,
            "at_end": o.span.end + context >= len(doc.text),
            "other": _span_record(doc, o.other) if o.other else None,
            "_order": (o.doc, o.span.start, o.side != "gold"),
        })
    rank = {label: i for i, label in enumerate(label_order({e["label"] for e in entries}))}
    entries.sort(key=lambda e: (rank[e["label"]], e["_order"]))
    for e in entries:
        del e["_order"]
    return entries, dict(unlisted)


def system_report(docs: Sequence[Document], output: SystemOutput, context: int = CONTEXT) -> dict[str, Any]:
    """All numbers and the error listing of one system on ``docs``."""
    gold = [d.spans for d in docs]
    predicted = output.spans
    errors, unlisted = error_list(docs, predicted, output.labels, context)
    return {
        "description": output.description,
        "labels": list(output.labels),
        "predicted_spans": dict(Counter(s.label for spans in predicted for s in spans)),
        "strict": span_scores([len(d.text) for d in docs], gold, predicted),
        "lenient": {view: lenient_scores(gold, predicted, view) for view in VIEWS},
        "confusion": confusion(gold, predicted),
        "errors": error_counts(gold, predicted),
        "error_list": errors,
        "unlisted_false_negatives": unlisted,
        "notes": output.notes,
    }


def build_report(
    docs: Sequence[Document], outputs: Sequence[SystemOutput], data: dict[str, Any], context: int = CONTEXT
) -> dict[str, Any]:
    """The report of several systems on the same documents; ``data`` says where the documents came from."""
    gold_counts = Counter(s.label for d in docs for s in d.spans)
    return {
        "govner_version": __version__,
        "data": data,
        "documents": {
            "count": len(docs),
            "characters": sum(len(d.text) for d in docs),
            "ids": [d.id for d in docs],
            "gold_spans": {label: gold_counts[label] for label in label_order(gold_counts)},
        },
        "metric": "seqeval strict, IOB2, one token per character of the original text",
        "error_context": context,
        "systems": {out.name: system_report(docs, out, context) for out in outputs},
    }


def load_report(path: str | Path) -> dict[str, Any]:
    """A ``report.json`` written earlier (for ``--baseline``)."""
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise EvaluationInputError(f"{path}: cannot read the baseline report: {err}") from None
    if not isinstance(report, dict) or not isinstance(report.get("systems"), dict):
        raise EvaluationInputError(f"{path}: not a govner evaluation report (no 'systems')")
    return report


def add_baseline(report: dict[str, Any], baseline: dict[str, Any], path: str) -> None:
    """Add ``report["baseline"]``: strict-score deltas (this report − ``baseline``) per system present in both.

    A label missing from one side gets ``None``. ``same_documents`` is False when the two
    reports were computed on different document ids (their deltas then compare different things).
    """
    deltas = {}
    for name, system in report["systems"].items():
        old = baseline["systems"].get(name, {}).get("strict")
        if old is None:
            continue
        deltas[name] = {
            key: {m: round(new[m] - old[key][m], 6) for m in ("precision", "recall", "f1")} if key in old else None
            for key, new in system["strict"].items()
        }
    report["baseline"] = {
        "path": path,
        "same_documents": baseline.get("documents", {}).get("ids") == report["documents"]["ids"],
        "deltas": deltas,
    }


def parse_label_floor(text: str) -> tuple[str, float]:
    """``LABEL=VALUE`` of ``--fail-under-label``.

    >>> parse_label_floor("SLOGAN=0.9")
    ('SLOGAN', 0.9)
    """
    label, sep, value = text.partition("=")
    try:
        floor = float(value)
    except ValueError:
        floor = None
    if not sep or not label.strip() or floor is None:
        raise EvaluationInputError(f"--fail-under-label {text!r}: expected LABEL=VALUE, e.g. SLOGAN=0.9")
    return label.strip(), floor


def check_gates(
    report: dict[str, Any], system: str, fail_under: float | None = None,
    label_floors: Sequence[tuple[str, float]] = (),
) -> dict[str, Any]:
    """Compare ``system``'s strict micro-F1 and per-label F1 with the floors; a missing label fails.

    A label that is neither one of govner's labels nor in the report is an input error (a typo
    must not make a gate pass silently).
    """
    strict = report["systems"][system]["strict"]
    checks = []
    if fail_under is not None:
        checks.append(("micro", fail_under))
    for label, floor in label_floors:
        if label not in LABELS and label not in strict:
            raise EvaluationInputError(f"--fail-under-label: unknown label {label!r}; labels: {', '.join(LABELS)}")
        checks.append((label, floor))
    results = []
    for key, floor in checks:
        value = strict[key]["f1"] if key in strict else None
        results.append({"what": key, "floor": floor, "f1": value, "passed": value is not None and value >= floor})
    return {"system": system, "checks": results, "passed": all(r["passed"] for r in results)}


def write_report(
    report: dict[str, Any],
    output: str | Path,
    charts: bool = True,
    docs: Sequence[Document] | None = None,
    outputs: Sequence[SystemOutput] | None = None,
) -> list[Path]:
    """Write ``report.json``, the PNG charts (when ``charts`` and matplotlib is there) and ``report.md``.

    Given the gold ``docs`` and the systems' ``outputs`` the report was built from, also
    ``report.html``: the same tables and an error browser over the documents.
    """
    from govner.evaluation.markdown import render_markdown

    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    written = []
    images: dict[str, str] = {}
    if charts:
        from govner.evaluation.charts import write_charts

        images = write_charts(report, output)
        written.extend(output / name for name in images.values())
    (output / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (output / "report.md").write_text(render_markdown(report, images), encoding="utf-8")
    written = [output / "report.json", output / "report.md", *written]
    if docs is not None and outputs is not None:
        from govner.evaluation.html_report import render_html

        page = render_html(report, docs, {out.name: out.spans for out in outputs}, output, images)
        (output / "report.html").write_text(page, encoding="utf-8")
        written.append(output / "report.html")
    return written


__all__ = [
    "add_baseline", "build_report", "check_gates", "error_list", "load_report",
    "parse_label_floor", "system_report", "write_report",
]
