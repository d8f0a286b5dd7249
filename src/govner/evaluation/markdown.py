"""Render an evaluation report (``govner.evaluation.report``) as Markdown: tables first, error listing last.

The same text is written to ``report.md`` and printed by ``govner evaluate``, so a CI log shows
the tables. Mentions and contexts go into code spans: report text is full of characters
Markdown would otherwise interpret (``*``, ``[``, ``|``).

>>> print(table(["label", "F1"], [["LOC", "0.5000"]], "lr"))
| label | F1 |
|---|---:|
| LOC | 0.5000 |
>>> code("a`b")
'`` a`b ``'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from govner.evaluation.metrics import AVERAGES, KINDS, NONE, label_order
from govner.labels import LABELS

VIEW_TITLES = {"overlap": "overlap", "type_ignoring": "type-ignoring"}


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A Markdown table; ``align`` has one letter per column, ``l`` or ``r`` (default: first left, others right)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = "|" + "|".join("---" if a == "l" else "---:" for a in align) + "|"
    lines = ["| " + " | ".join(header) + " |", rule]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def code(text: str) -> str:
    """``text`` as an inline code span, whatever backticks it holds."""
    fence = "`"
    while fence in text:
        fence += "`"
    return f"{fence} {text} {fence}" if "`" in text else f"{fence}{text}{fence}"


def num(value: float | None) -> str:
    """A score with four decimals, or ``–`` when there is none.

    >>> num(0.5), num(None)
    ('0.5000', '–')
    """
    return "–" if value is None else f"{value:.4f}"


def signed(value: float | None) -> str:
    """A delta with its sign, or ``new`` when the baseline had no such row.

    >>> signed(0.01234), signed(-0.5), signed(None)
    ('+0.0123', '-0.5000', 'new')
    """
    return "new" if value is None else f"{value:+.4f}"


def _one_line(text: str) -> str:
    return text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎").replace("\t", " ")


def _row_keys(report: dict[str, Any]) -> list[str]:
    labels = set(report["documents"]["gold_spans"])
    for system in report["systems"].values():
        labels |= {k for k in system["strict"] if k not in AVERAGES}
    return [*label_order(labels), "micro", "macro"]


def _name(key: str) -> str:
    return f"**{key}**" if key in AVERAGES else key


def header_section(report: dict[str, Any]) -> str:
    docs = report["documents"]
    gold = docs["gold_spans"]
    data = report["data"]
    if "config" in data:
        source = f"split `{data['split']}` of config `{data['config']}`"
    else:
        source = ", ".join(f"`{f}`" for f in data.get("files", []))
    ids = ", ".join(f"`{i}`" for i in docs["ids"][:20]) + (" …" if len(docs["ids"]) > 20 else "")
    lines = [
        "# govner evaluation",
        "",
        f"- **Documents:** {docs['count']} from {source} ({ids}), {docs['characters']:,} characters",
        "- **Gold spans:** " + ", ".join(f"{k} {v}" for k, v in gold.items()) + f" (total {sum(gold.values())})",
        "- **Systems:**",
    ]
    for name, system in report["systems"].items():
        only = "" if set(LABELS) <= set(system["labels"]) else f"; predicts {', '.join(system['labels'])} only"
        lines.append(f"  - `{name}`: {system['description']}{only}")
    if "baseline" in report:
        b = report["baseline"]
        same = "" if b["same_documents"] else " **(computed on other documents: deltas compare different data)**"
        lines.append(f"- **Baseline:** `{b['path']}`; Δ = this run − baseline{same}")
    for name, system in report["systems"].items():
        notes = system.get("notes") or {}
        if notes.get("missing"):
            lines.append(f"- **`{name}` has no prediction for** {len(notes['missing'])} document(s), scored as "
                         "predicting nothing: " + ", ".join(f"`{i}`" for i in notes["missing"]))
        if notes.get("unknown"):
            lines.append(f"- **`{name}` predicted documents that are not in the gold** (not scored): "
                         + ", ".join(f"`{i}`" for i in notes["unknown"]))
        for doc_id, message in (notes.get("errors") or {}).items():
            lines.append(f"- `{name}` failed on `{doc_id}`: {message}")
    return "\n".join(lines)


def strict_section(report: dict[str, Any]) -> str:
    systems = report["systems"]
    deltas = report.get("baseline", {}).get("deltas", {})
    gold = report["documents"]["gold_spans"]
    header = ["label", "support"]
    for name in systems:
        header += [f"{name} P", f"{name} R", f"{name} F1"] + (["Δ F1"] if name in deltas else [])
    rows = []
    for key in _row_keys(report):
        support = sum(gold.values()) if key in AVERAGES else gold.get(key, 0)
        row = [_name(key), str(support)]
        for name, system in systems.items():
            s = system["strict"].get(key)
            row += [num(s and s["precision"]), num(s and s["recall"]), num(s and s["f1"])]
            if name in deltas:
                d = deltas[name].get(key)
                row.append(signed(d["f1"]) if d else ("new" if s else "–"))
        rows.append(row)
    partial = [n for n, s in systems.items() if not set(LABELS) <= set(s["labels"])]
    note = ""
    if partial:
        note = (f"\n\n{', '.join(f'`{n}`' for n in partial)} cannot predict some labels: those rows are 0 by "
                "construction and pull the averages down; compare such a system on its own labels.")
    return (
        "## Strict scores\n\nseqeval, IOB2, `mode=\"strict\"`, one token per character of the original text: an "
        "entity counts only with the right label and both boundaries right.\n\n"
        + table(header, rows) + note
    )


def lenient_table(report: dict[str, Any], name: str) -> str:
    system = report["systems"][name]
    header = ["label", "strict F1"]
    for view in VIEW_TITLES.values():
        header += [f"{view} P", f"{view} R", f"{view} F1"]
    rows = []
    for key in _row_keys(report):
        row = [_name(key), num(system["strict"].get(key, {}).get("f1"))]
        for view in VIEW_TITLES:
            s = system["lenient"][view].get(key)
            row += [num(s and s["precision"]), num(s and s["recall"]), num(s and s["f1"])]
        rows.append(row)
    return table(header, rows)


def errors_table(system: dict[str, Any]) -> str:
    columns = ["gold", "predicted", *KINDS]
    rows = [[_name(k) if k != "all" else "**all**", *(str(v[c]) for c in columns)] for k, v in system["errors"].items()]
    return table(["label", *columns], rows)


def confusion_table(system: dict[str, Any]) -> str:
    matrix = system["confusion"]
    columns = list(next(iter(matrix.values()), {}))
    rows = [[row if row != NONE else f"*{NONE}*", *(str(matrix[row][c]) for c in columns)] for row in matrix]
    return table(["gold ↓ / predicted →", *(c if c != NONE else f"*{NONE}*" for c in columns)], rows)


def system_section(report: dict[str, Any], name: str, images: dict[str, str]) -> str:
    system = report["systems"][name]
    parts = [
        f"## `{name}`",
        "### Lenient views\n\n*overlap*: right label, at least one character shared with a gold span; "
        "*type-ignoring*: both boundaries right, any label. Right under overlap only = a boundary error; "
        "under type-ignoring only = a type error.\n\n" + lenient_table(report, name),
        "### Error counts\n\nEach predicted span is *correct*, a *boundary* error (right label, overlaps a gold span "
        "of that label), a *type* error (exact boundaries, other label), *boundary+type* (overlaps only gold "
        "spans of other labels) or *spurious* (overlaps nothing), counted under its predicted label; *missed* "
        "gold spans (nothing overlaps them) are counted under their gold label.\n\n" + errors_table(system),
        "### Confusion\n\nEach gold span in the column of the predicted span overlapping it most (*none*: "
        "missed); the *none* row holds predicted spans overlapping no gold span.\n\n" + confusion_table(system),
    ]
    pictures = [f"![{key} {name}]({file})" for key, file in images.items() if key in (f"confusion:{name}",)]
    if pictures:
        parts.append("\n".join(pictures))
    return "\n\n".join(parts)


def _context_line(e: dict[str, Any]) -> str:
    left = ("" if e["at_start"] else "…") + e["left"]
    right = e["right"] + ("" if e["at_end"] else "…")
    return code(_one_line(f"{left}⟦{e['text']}⟧{right}"))


def listing_section(report: dict[str, Any]) -> str:
    parts = ["## Error listing\n\nEvery false negative (FN: a gold span without an exact match) under its gold "
             "label and every false positive (FP: a predicted span without one) under its predicted label, with "
             f"{report.get('error_context', 15)} characters of context on each side; ⟦ ⟧ mark the span, ⏎ a line "
             "break. In parentheses: the closest span on the other side."]
    for name, system in report["systems"].items():
        entries = system["error_list"]
        n_fn = sum(e["error"] == "FN" for e in entries)
        parts.append(f"### `{name}`: {n_fn} FN, {len(entries) - n_fn} FP")
        unlisted = system.get("unlisted_false_negatives") or {}
        if unlisted:
            parts.append(f"Not listed: the FNs of labels `{name}` cannot predict ("
                         + ", ".join(f"{k} {v}" for k, v in unlisted.items()) + ").")
        by_label: dict[str, list[dict[str, Any]]] = {}
        for e in entries:
            by_label.setdefault(e["label"], []).append(e)
        for label, items in by_label.items():
            fn = sum(e["error"] == "FN" for e in items)
            lines = [f"#### {name} · {label}: {fn} FN, {len(items) - fn} FP", ""]
            for e in items:
                other = e["other"]
                versus = ""
                if other:
                    side = "predicted" if e["error"] == "FN" else "gold"
                    versus = f" ({side} {other['label']} {code(_one_line(other['text']))})"
                lines.append(f"- **{e['error']}** {e['kind']}: {code(_one_line(e['text']))}{versus} · "
                             f"`{e['doc']}` [{e['start']}, {e['end']}) · {_context_line(e)}")
            parts.append("\n".join(lines))
        if not entries:
            parts.append("No errors." if not unlisted else "No other errors.")
    return "\n\n".join(parts)


def gate_messages(gates: dict[str, Any]) -> list[str]:
    """One line per check, e.g. ``FAILED: model micro-F1 0.8123 < 0.8500 (--fail-under)``."""
    lines = []
    for r in gates["checks"]:
        what = "micro-F1" if r["what"] == "micro" else f"{r['what']} F1"
        option = "--fail-under" if r["what"] == "micro" else f"--fail-under-label {r['what']}={r['floor']}"
        if r["f1"] is None:
            lines.append(f"FAILED: {gates['system']} has no {r['what']} score (no such entity in the data) ({option})")
        else:
            sign = "≥" if r["passed"] else "<"
            status = "passed" if r["passed"] else "FAILED"
            lines.append(f"{status}: {gates['system']} {what} {r['f1']:.4f} {sign} {r['floor']:.4f} ({option})")
    return lines


def gates_section(report: dict[str, Any]) -> str:

    gates = report["gates"]
    verdict = "passed" if gates["passed"] else "**FAILED**"
    return f"## Gate: {verdict}\n\n" + "\n".join(f"- {line}" for line in gate_messages(gates))


def render_markdown(report: dict[str, Any], images: dict[str, str] | None = None, errors: bool = True) -> str:
    """The whole report as Markdown; ``images`` maps chart keys to file names next to ``report.md``.

    ``errors=False`` leaves out the error listing (the tables alone, for a short log).
    """
    images = images or {}
    parts = [header_section(report), strict_section(report)]
    if "scores" in images:
        parts.append(f"![strict precision, recall and F1 per label]({images['scores']})")
    if report.get("gates", {}).get("checks"):
        parts.append(gates_section(report))
    parts += [system_section(report, name, images) for name in report["systems"]]
    if errors:
        parts.append(listing_section(report))
    return "\n\n".join(parts) + "\n"
