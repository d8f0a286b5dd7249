"""Turn annotated documents into model examples, and model tags back into document spans.

An example is one window of normalized text with one IOB2 tag per character,
plus what is needed to put predictions back: the document id and the window's
offset in the normalized document. ``window_spans_to_original`` is the reverse
trip, ending in offsets into the original text.

>>> from govner.data.document import Document, Span
>>> doc = Document("d", "巴中市恩陽區(qū)投資38億元。", "inline", [Span(0, 6, "LOC"), Span(12, 16, "AMOUNT")])
>>> ex = document_examples(doc, max_len=64, overlap=8)[0]
>>> ex["text"], ex["tags"][:7]
('巴中市恩阳区投资38亿元。', ['B-LOC', 'I-LOC', 'I-LOC', 'I-LOC', 'I-LOC', 'I-LOC', 'O'])
>>> norm = normalize(doc.text)
>>> [doc.text[s.start:s.end] for s in window_spans_to_original(norm, ex["window_start"], ex["tags"])]
['巴中市恩陽區', '38億元']
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from govner.data.document import Document, Span
from govner.data.iob import spans_to_tags, tags_to_spans
from govner.data.normalize import NormalizedText, normalize
from govner.data.segment import split_windows
from govner.labels import OUTSIDE, TAG_TO_ID, TAGS


class SpanMappingError(ValueError):
    """A gold span whose edges do not fall on characters the model sees."""


def normalized_spans(doc: Document, norm: NormalizedText) -> list[Span]:
    """``doc.spans`` moved into normalized offsets; raises if one would not map back exactly."""
    out = []
    for span in doc.spans:
        start, end = norm.to_normalized(span.start, span.end)
        if norm.to_original(start, end) != (span.start, span.end):
            mention = doc.text[span.start : span.end]
            raise SpanMappingError(
                f"{doc.source}: {doc.id}: span [{span.start}, {span.end}) {mention!r} starts or ends on "
                "white space or a pronunciation note, so it cannot round-trip through normalization"
            )
        out.append(Span(start, end, span.label))
    return out


def clip_tags(tags: Sequence[str]) -> list[str]:
    """Tags of a window cut out of a longer sequence: a leading ``I-X`` becomes ``B-X``.

    >>> clip_tags(["I-LOC", "I-LOC", "O"])
    ['B-LOC', 'I-LOC', 'O']
    """
    out = list(tags)
    if out and out[0].startswith("I-"):
        out[0] = "B-" + out[0][2:]
    return out


def document_examples(
    doc: Document, max_len: int, overlap: int, tag_to_id: dict[str, int] = TAG_TO_ID
) -> list[dict[str, Any]]:
    """One example per model window of ``doc``: normalized text, characters and IOB2 tags."""
    norm = normalize(doc.text)
    tags = spans_to_tags(len(norm.text), normalized_spans(doc, norm))
    examples = []
    for window in split_windows(norm.text, max_len=max_len, overlap=overlap):
        window_tags = clip_tags(tags[window.start : window.end])
        text = norm.text[window.start : window.end]
        examples.append(
            {
                "doc_id": doc.id,
                "window_start": window.start,
                "text": text,
                "tokens": list(text),
                "tags": window_tags,
                "ner_tags": [tag_to_id[t] for t in window_tags],
            }
        )
    return examples


def window_spans_to_original(
    norm: NormalizedText, window_start: int, tags: Sequence[str], keep: tuple[int, int] | None = None
) -> list[Span]:
    """Original-text spans of a window's predicted ``tags``.

    ``keep`` (normalized document offsets) drops spans that start outside the
    window's own region, so overlapping windows report each entity once.
    """
    spans = []
    for span in tags_to_spans(tags):
        start, end = window_start + span.start, window_start + span.end
        if keep is not None and not keep[0] <= start < keep[1]:
            continue
        original_start, original_end = norm.to_original(start, end)
        spans.append(Span(original_start, original_end, span.label))
    return spans


def split_ids(doc_ids: Iterable[str], dev_fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Deterministic document-level train/dev split.

    Documents are ranked by a hash of ``seed`` and their id, so the split does
    not depend on file order and a new document never moves an old one across
    the split unless it outranks it. At least one document goes to dev when
    ``dev_fraction > 0`` and there are two or more documents.

    >>> split_ids(["a", "b", "c", "d", "e"], 0.4, seed=13) == split_ids(["e", "d", "c", "b", "a"], 0.4, seed=13)
    True
    """
    ids = sorted(set(doc_ids), key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
    n_dev = 0 if dev_fraction <= 0 or len(ids) < 2 else min(len(ids) - 1, max(1, round(dev_fraction * len(ids))))
    return sorted(ids[n_dev:]), sorted(ids[:n_dev])


def to_dataset(examples: list[dict[str, Any]]):
    """A ``datasets.Dataset`` with the usual token-classification columns (``tokens``, ``ner_tags``)."""
    import datasets

    features = datasets.Features(
        {
            "doc_id": datasets.Value("string"),
            "window_start": datasets.Value("int32"),
            "text": datasets.Value("string"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "tags": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(datasets.ClassLabel(names=list(TAGS))),
        }
    )
    return datasets.Dataset.from_list(examples, features=features)


def build_datasets(
    docs: Sequence[Document], dev_fraction: float, seed: int, max_len: int, overlap: int, dev_ids: Sequence[str] = ()
):
    """``DatasetDict`` with ``train`` and ``dev`` splits of the windows of ``docs``.

    ``dev_ids``, when given, fixes the dev documents instead of the hashed split.
    """
    import datasets

    ids = [doc.id for doc in docs]
    if len(set(ids)) != len(ids):
        raise ValueError("document ids are not unique across the annotation files")
    if dev_ids:
        unknown = set(dev_ids) - set(ids)
        if unknown:
            raise ValueError(f"dev_ids not among the documents: {sorted(unknown)}")
        dev = set(dev_ids)
    else:
        dev = set(split_ids(ids, dev_fraction, seed)[1])
    parts: dict[str, list[dict[str, Any]]] = {"train": [], "dev": []}
    for doc in docs:
        parts["dev" if doc.id in dev else "train"].extend(document_examples(doc, max_len, overlap))
    return datasets.DatasetDict({name: to_dataset(rows) for name, rows in parts.items()})


__all__ = [
    "OUTSIDE",
    "SpanMappingError",
    "build_datasets",
    "clip_tags",
    "document_examples",
    "normalized_spans",
    "split_ids",
    "to_dataset",
    "window_spans_to_original",
]
