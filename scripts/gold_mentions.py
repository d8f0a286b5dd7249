"""Build the seed gold files from hand-written mention lists.

Annotators (people or agents) never type offsets. For each report they write
``annotations/mentions/<stem>*.tsv`` with one mention per row::

    <line>\t<LABEL>\t<mention exactly as it appears in the original line>

``line`` is 1-based over ``text.split("\\n")``; within a line, rows are in
order of appearance, and each mention is searched for after the end of the
previous one, so repeated mentions are annotated by repeating the row. This
script resolves the rows to ``[start, end)`` offsets, refuses anything it
cannot find, and writes Label Studio JSON.

    python scripts/gold_mentions.py lines data/raw/000_x.txt --from 1 --to 40
    python scripts/gold_mentions.py check data/raw/000_x.txt   # errors + review aids
    python scripts/gold_mentions.py render data/raw/000_x.txt  # inline [LABEL text]
    python scripts/gold_mentions.py build                       # -> annotations/seed_gold.json

The same tool builds the synthetic training reports (``data/synthetic/``)::

    python scripts/gold_mentions.py --set synthetic build       # -> data/synthetic/synthetic_gold.json

``annotations/seed_gold.json`` is tracked: it is the seed gold that users read and
review. ``data/synthetic/synthetic_gold.json`` (300+ reports, megabytes) is not: it is a
build product of the tracked reports and mention lists, made by ``scripts/setup_env.sh``
(and the test session) with ``build --if-stale``, which rebuilds only when a report, a
mention list, their folders or the code it is built with (:data:`CODE`) is newer than the file.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Each set: (folder of reports, folder of mention lists, output file).
SETS = {
    "seed": (ROOT / "data" / "raw", ROOT / "annotations" / "mentions", ROOT / "annotations" / "seed_gold.json"),
    "synthetic": (
        ROOT / "data" / "synthetic" / "reports",
        ROOT / "data" / "synthetic" / "mentions",
        ROOT / "data" / "synthetic" / "synthetic_gold.json",
    ),
}
RAW, MENTIONS, OUT = SETS["seed"]
# the code an output depends on besides its reports and lists: this script and the govner modules it reads the
# labels from and writes the Label Studio file with
CODE = [Path(__file__).resolve(), *(ROOT / "src" / "govner" / m for m in ("labels.py", "data/document.py",
                                                                          "data/labelstudio.py"))]
sys.path.insert(0, str(ROOT / "src"))
from govner.labels import LABELS, QUOTE_PAIRS  # noqa: E402  (the script runs from a checkout, without install)


def mention_files(doc: Path) -> list[Path]:
    return sorted(MENTIONS.glob(f"{doc.stem}*.tsv"))


def resolve(doc: Path) -> tuple[list[tuple[int, int, str]], list[str]]:
    text = doc.read_text(encoding="utf-8")
    lines = text.split("\n")
    line_starts = [0]
    for line in lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    cursor: dict[int, int] = defaultdict(int)
    spans: list[tuple[int, int, str]] = []
    errors: list[str] = []
    for path in mention_files(doc):
        for row_no, row in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if not row.strip() or row.startswith("#"):
                continue
            parts = row.split("\t")
            if len(parts) != 3:
                errors.append(f"{path.name}:{row_no}: expected 3 tab-separated fields: {row!r}")
                continue
            line_s, label, mention = parts
            if label not in LABELS:
                errors.append(f"{path.name}:{row_no}: unknown label {label!r}")
                continue
            try:
                line_no = int(line_s)
                line = lines[line_no - 1]
            except (ValueError, IndexError):
                errors.append(f"{path.name}:{row_no}: bad line number {line_s!r}")
                continue
            pos = line.find(mention, cursor[line_no])
            if not mention or pos < 0:
                where = "anywhere in" if line.find(mention) < 0 else "after the previous mention in"
                errors.append(f"{path.name}:{row_no}: {mention!r} not found {where} line {line_no}")
                continue
            cursor[line_no] = pos + len(mention)
            start = line_starts[line_no - 1] + pos
            spans.append((start, start + len(mention), label))
    spans.sort()
    for (s1, e1, l1), (s2, e2, l2) in pairwise(spans):
        if s2 < e1:
            errors.append(f"overlap: {text[s1:e1]!r}/{l1} at {s1} and {text[s2:e2]!r}/{l2} at {s2}")
    return spans, errors


def quoted_phrases(text: str) -> list[tuple[int, int]]:
    """[start, end) of the content of each outermost quotation (content only)."""
    found = []
    i = 0
    while i < len(text):
        close = QUOTE_PAIRS.get(text[i])
        if close:
            depth, j = 0, i + 1
            while j < len(text) and text[j] != "\n":
                if text[j] == text[i]:
                    depth += 1
                elif text[j] == close:
                    if depth == 0:
                        break
                    depth -= 1
                j += 1
            if j < len(text) and text[j] == close:
                found.append((i + 1, j))
                i = j
        i += 1
    return found


def line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"L{line}"


def review(doc: Path, spans: list[tuple[int, int, str]]) -> list[str]:
    """Hints for a reviewer: likely misses under the guideline's mechanical rules."""
    text = doc.read_text(encoding="utf-8")
    hints = []
    covered = {(s, e): label for s, e, label in spans}

    def is_covered(s: int, e: int) -> bool:
        return any(a <= s and e <= b for a, b, _ in spans)

    for s, e in quoted_phrases(text):
        if e - s >= 2 and (s, e) not in covered:
            hints.append(f"quoted, not a span: {line_col(text, s)} “{text[s:e]}”")
        elif (s, e) in covered and covered[(s, e)] not in ("SLOGAN", "LOC", "ORG"):
            hints.append(f"quoted, labelled {covered[(s, e)]}: {line_col(text, s)} “{text[s:e]}”")
    by_text: dict[str, set[str]] = defaultdict(set)
    for s, e, label in spans:
        by_text[text[s:e]].add(label)
    for mention, labels in sorted(by_text.items()):
        if len(labels) > 1:
            hints.append(f"same text, several labels: {mention!r} {sorted(labels)}")
        for m in re.finditer(re.escape(mention), text):
            if not is_covered(m.start(), m.end()):
                hints.append(
                    f"{'/'.join(sorted(labels))} {mention!r} also at {line_col(text, m.start())} "
                    f"unannotated: …{text[max(0, m.start() - 8):m.end() + 8]}…"
                )
    return hints


def render(doc: Path, spans: list[tuple[int, int, str]]) -> str:
    text = doc.read_text(encoding="utf-8")
    out, last = [], 0
    for s, e, label in spans:
        out.append(text[last:s])
        out.append(f"[{label} {text[s:e]}]")
        last = e
    out.append(text[last:])
    rendered = "".join(out).split("\n")
    return "\n".join(f"{i}\t{line}" for i, line in enumerate(rendered, 1) if line.strip())


def is_stale(out: Path, inputs: list[Path]) -> bool:
    """True when ``out`` is missing or older than one of ``inputs`` (files or folders).

    A folder's own time changes when a file in it is added, removed or renamed, so a
    deleted mention list makes the output stale too.
    """
    if not out.exists():
        return True
    built = out.stat().st_mtime_ns
    return any(path.stat().st_mtime_ns > built for path in inputs)


def build_inputs() -> list[Path]:
    """What the current set's output is built from: its folders, their files, this script and the govner
    modules it reads the labels and writes the Label Studio file with."""
    return [RAW, MENTIONS, *RAW.glob("*.txt"), *MENTIONS.glob("*.tsv"), *CODE]


def build(if_stale: bool = False) -> int:
    if if_stale and not is_stale(OUT, build_inputs()):
        return 0
    from govner.data.document import Document, Span
    from govner.data.labelstudio import write_documents

    docs, bad = [], 0
    for doc_path in sorted(RAW.glob("*.txt")):
        spans, errors = resolve(doc_path)
        for err in errors:
            print(f"{doc_path.name}: {err}", file=sys.stderr)
        bad += len(errors)
        text = doc_path.read_text(encoding="utf-8")
        source = str(doc_path.relative_to(ROOT))
        docs.append(Document(doc_path.stem, text, source, [Span(s, e, label) for s, e, label in spans]))
    if bad:
        print(f"{bad} problem(s); nothing written", file=sys.stderr)
        return 1
    # written whole or not at all: a cut-short file newer than its inputs would never be rebuilt
    partial = OUT.with_name(OUT.name + ".partial")
    write_documents(partial, docs)
    partial.replace(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(docs)} tasks")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(SETS), default="seed", help="which reports (default: seed)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_lines = sub.add_parser("lines")
    p_lines.add_argument("doc", type=Path)
    p_lines.add_argument("--from", dest="first", type=int, default=1)
    p_lines.add_argument("--to", dest="last", type=int, default=10**9)
    for name in ("check", "render"):
        p = sub.add_parser(name)
        p.add_argument("doc", type=Path)
        p.add_argument("--from", dest="first", type=int, default=1)
        p.add_argument("--to", dest="last", type=int, default=10**9)
    p_build = sub.add_parser("build")
    p_build.add_argument("--if-stale", action="store_true", help="only when an input is newer than the output")
    args = parser.parse_args()
    global RAW, MENTIONS, OUT
    RAW, MENTIONS, OUT = SETS[args.set]
    if args.cmd == "build":
        return build(if_stale=args.if_stale)
    text = args.doc.read_text(encoding="utf-8")
    if args.cmd == "lines":
        for i, line in enumerate(text.split("\n"), 1):
            if args.first <= i <= args.last and line.strip():
                print(f"{i}\t{line}")
        return 0
    spans, errors = resolve(args.doc)
    if args.cmd == "render":
        for row in render(args.doc, spans).split("\n"):
            if args.first <= int(row.split("\t", 1)[0]) <= args.last:
                print(row)
        return 0
    for err in errors:
        print("ERROR", err)
    counts = defaultdict(int)
    for *_, label in spans:
        counts[label] += 1
    print(f"{len(spans)} spans", dict(counts))
    for hint in review(args.doc, spans):
        line = int(re.search(r"L(\d+)", hint).group(1)) if re.search(r"L(\d+)", hint) else None
        if line is None or args.first <= line <= args.last:
            print("HINT", hint)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
