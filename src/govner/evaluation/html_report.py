"""``report.html``: the evaluation report with an error browser, self-contained (charts inlined).

The tables are ``report.md``'s, rendered by markdown-it (one source for both files). Then,
per system, every error in a table whose rows link to the span in its document; and the
documents themselves (:mod:`govner.html`), each span marked by what happened to it:
``correct``, ``boundary`` (right label, other boundaries), ``type`` (right boundaries, other
label), ``boundary+type``, ``spurious`` (a prediction overlapping no gold span) or ``missed``
(a gold span no prediction overlaps). A predicted span carries the gold span it was compared
with (hover), so a boundary or type error shows both sides. Filters by label and kind, a
choice of system (``--system`` baselines side by side), search.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from govner.data.document import Document, Span
from govner.evaluation.metrics import KINDS, outcomes
from govner.html import document_line, page_foot, page_head


def span_marks(doc: Document, predicted: Sequence[Span]) -> list[dict[str, Any]]:
    """The marks of one document for one system: every predicted span with its kind, plus missed gold spans.

    These never overlap one another (predictions don't, and a missed gold span overlaps no
    prediction), so each is one highlighted element.

    >>> doc = Document("d", "巴中市恩阳区投资38亿元", "inline", [Span(0, 6, "LOC"), Span(8, 12, "AMOUNT")])
    >>> [(m["at"], m["kind"]) for m in span_marks(doc, [Span(0, 3, "LOC")])]
    [('p0-3', 'boundary'), ('g8-12', 'missed')]
    """
    marks = []
    for o in outcomes([doc.spans], [predicted]):
        if o.side == "gold" and o.kind != "missed":
            continue  # shown through the predicted span it was compared with
        mark: dict[str, Any] = {"start": o.span.start, "end": o.span.end, "label": o.span.label, "kind": o.kind,
                                "at": ("p" if o.side == "predicted" else "g") + f"{o.span.start}-{o.span.end}"}
        if o.side == "predicted" and o.span.score is not None:
            mark["score"] = round(float(o.span.score), 4)
        if o.other is not None and o.kind != "correct":
            mark["gold"] = {"label": o.other.label, "text": doc.text[o.other.start : o.other.end]}
        marks.append(mark)
    return sorted(marks, key=lambda m: m["start"])


def error_anchor(entry: dict[str, Any]) -> str:
    """The mark an error-list entry is shown on: the FP itself, a missed gold span, or the prediction it met."""
    if entry["error"] == "FP" or entry["kind"] == "missed" or not entry.get("other"):
        prefix = "p" if entry["error"] == "FP" else "g"
        return f"{prefix}{entry['start']}-{entry['end']}"
    return f"p{entry['other']['start']}-{entry['other']['end']}"


def _errors_table(name: str, system: dict[str, Any]) -> str:
    rows = []
    for e in system["error_list"]:
        link = html.escape(f"#system={quote(name, safe='')}&doc={quote(e['doc'], safe='')}&at={error_anchor(e)}")
        other = e.get("other")
        versus = f"{html.escape(other['label'])} {html.escape(other['text'])}" if other else ""
        rows.append(
            f'<tr data-kind="{html.escape(e["kind"])}" data-label="{html.escape(e["label"])}">'
            f"<td>{e['error']}</td><td class=\"text\">{html.escape(e['kind'])}</td>"
            f"<td class=\"text\">{html.escape(e['label'])}</td><td class=\"text\">{html.escape(e['text'])}</td>"
            f"<td class=\"text\">{versus}</td><td class=\"id\"><a href=\"{link}\">{html.escape(e['doc'])}</a> "
            f"[{e['start']}, {e['end']})</td></tr>"
        )
    if not rows:
        return f"<p>{html.escape(name)}: no errors.</p>"
    return (f'<details><summary>{html.escape(name)}: {len(rows)} errors (click a document to see the span)</summary>'
            '<table class="errors"><tr><th>error</th><th>kind</th><th>label</th><th>text</th>'
            "<th>other side</th><th class=\"id\">where</th></tr>" + "".join(rows) + "</table></details>")


def render_html(report: dict[str, Any], docs: Sequence[Document], predictions: dict[str, Sequence[Sequence[Span]]],
                folder: Path, images: dict[str, str]) -> str:
    """The whole page; ``predictions`` maps each system of ``report`` to its spans per document of ``docs``."""
    from markdown_it import MarkdownIt

    from govner.evaluation.markdown import render_markdown

    # html=False: report text (ids, labels, messages) is shown as text, never run as HTML
    tables = MarkdownIt("commonmark", {"html": False}).enable("table").render(
        render_markdown(report, images, errors=False))
    for file in set(images.values()):  # inline the charts: the page must work as a single file
        data = base64.b64encode((folder / file).read_bytes()).decode("ascii")
        tables = tables.replace(f'src="{file}"', f'class="chart" src="data:image/png;base64,{data}"')
    systems = tuple(report["systems"])
    errors = "".join(_errors_table(name, report["systems"][name]) for name in systems)
    intro = (f'<section class="static">{tables}<h2>Errors</h2>{errors}'
             "<h2>Documents</h2><p class=\"meta\">Each predicted span marked by what happened to it, and every "
             "missed gold span (hover for the score and the gold span it was compared with).</p></section>")
    labels = sorted({s.label for d in docs for s in d.spans} | {s.label for spans in predictions.values()
                                                               for doc_spans in spans for s in doc_spans})
    head = page_head("govner evaluation", labels, kinds=KINDS, systems=systems, intro=intro, heading=False)
    parts = [head, "\n"]
    for index, doc in enumerate(docs):
        marks = {name: span_marks(doc, predictions[name][index]) for name in systems}
        parts.append(document_line({"id": doc.id, "source": doc.source, "text": doc.text, "marks": marks}))
    parts.append(page_foot())
    return "".join(parts)
