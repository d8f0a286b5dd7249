"""Turn annotated documents into model examples: windows of normalized text with one IOB2 tag per character.

An example also carries the document id and the window's offset in the
normalized document. (The way back, from a model's tags to original offsets, is
:class:`govner.inference.tagger.Tagger`'s.)

>>> from govner.data.document import Document, Span
>>> doc = Document("d", "巴中市恩陽區(qū)投資38億元。", "inline", [Span(0, 6, "LOC"), Span(12, 16, "AMOUNT")])
>>> ex = document_examples(doc, max_len=64, overlap=8)[0]
>>> ex["text"], ex["tags"][:7]
('巴中市恩阳区投资38亿元。', ['B-LOC', 'I-LOC', 'I-LOC', 'I-LOC', 'I-LOC', 'I-LOC', 'O'])
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from govner.data.document import Document, Span
from govner.data.iob import spans_to_tags
from govner.data.normalize import NormalizedText, normalize
from govner.data.segment import split_windows
from govner.errors import GovnerError
from govner.labels import TAG_TO_ID, TAGS


class SpanMappingError(GovnerError, ValueError):
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


def to_dataset(examples: list[dict[str, Any]], tags: Sequence[str] = TAGS):
    """A ``datasets.Dataset`` with the usual token-classification columns (``tokens``, ``ner_tags``)."""
    import datasets

    features = datasets.Features(
        {
            "doc_id": datasets.Value("string"),
            "window_start": datasets.Value("int32"),
            "text": datasets.Value("string"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "tags": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(datasets.ClassLabel(names=list(tags))),
            "o_may_hide": datasets.Sequence(datasets.Value("string")),
        }
    )
    rows = [{"o_may_hide": [], **{k: v for k, v in ex.items() if k != "user_words"}} for ex in examples]
    return datasets.Dataset.from_list(rows, features=features)
