"""Convert between character spans and character-level IOB2 tags.

Every character is one token, so a tag sequence has exactly ``len(text)``
entries. The converters are strict: an ``I-`` tag that does not continue an
entity of the same label, overlapping spans, or spans outside the text raise
``ValueError`` naming the position, because silently repairing them hides
annotation and decoding bugs.

>>> tags = spans_to_tags(6, [Span(0, 2, "LOC"), Span(3, 6, "AMOUNT")])
>>> tags
['B-LOC', 'I-LOC', 'O', 'B-AMOUNT', 'I-AMOUNT', 'I-AMOUNT']
>>> tags_to_spans(tags)
[Span(start=0, end=2, label='LOC'), Span(start=3, end=6, label='AMOUNT')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from govner.data.document import Span
from govner.labels import OUTSIDE


def spans_to_tags(length: int, spans: Iterable[Span]) -> list[str]:
    """IOB2 tags for a text of ``length`` characters holding ``spans``.

    >>> spans_to_tags(3, [Span(1, 3, "ORG")])
    ['O', 'B-ORG', 'I-ORG']
    """
    tags = [OUTSIDE] * length
    for span in sorted(spans):
        if span.end > length:
            raise ValueError(f"span [{span.start}, {span.end}) {span.label} ends past the text ({length} chars)")
        if any(tag != OUTSIDE for tag in tags[span.start : span.end]):
            raise ValueError(f"span [{span.start}, {span.end}) {span.label} overlaps another span")
        tags[span.start] = f"B-{span.label}"
        for i in range(span.start + 1, span.end):
            tags[i] = f"I-{span.label}"
    return tags


def tags_to_spans(tags: Sequence[str]) -> list[Span]:
    """Spans encoded by IOB2 ``tags``; raises on a malformed sequence.

    >>> tags_to_spans(["B-LOC", "B-LOC", "I-LOC", "O"])
    [Span(start=0, end=1, label='LOC'), Span(start=1, end=3, label='LOC')]
    >>> tags_to_spans(["O", "I-LOC"])
    Traceback (most recent call last):
    ...
    ValueError: tag 1 is 'I-LOC' but does not continue a LOC entity (previous tag 'O')
    """
    spans: list[Span] = []
    start: int | None = None
    label: str | None = None
    for i, tag in enumerate(tags):
        if tag == OUTSIDE or tag.startswith("B-"):
            if start is not None:
                spans.append(Span(start, i, label))  # type: ignore[arg-type]
                start = label = None
            if tag != OUTSIDE:
                start, label = i, tag[2:]
        elif tag.startswith("I-"):
            if label != tag[2:]:
                previous = tags[i - 1] if i else "<start>"
                raise ValueError(
                    f"tag {i} is {tag!r} but does not continue a {tag[2:]} entity (previous tag {previous!r})"
                )
        else:
            raise ValueError(f"tag {i} is {tag!r}, which is not IOB2 (O, B-X or I-X)")
    if start is not None:
        spans.append(Span(start, len(tags), label))  # type: ignore[arg-type]
    return spans


def bioes_to_iob2(tags: Sequence[str]) -> list[str]:
    """Rewrite BIOES (also called BMES/BILOU) tags as IOB2, as the MSRA corpus ships them.

    ``M-`` is accepted as a synonym of ``I-`` and ``L-``/``U-`` of ``E-``/``S-``.

    >>> bioes_to_iob2(["S-LOC", "B-ORG", "M-ORG", "E-ORG", "O"])
    ['B-LOC', 'B-ORG', 'I-ORG', 'I-ORG', 'O']
    """
    out = []
    for i, tag in enumerate(tags):
        if tag == OUTSIDE:
            out.append(OUTSIDE)
            continue
        prefix, sep, label = tag.partition("-")
        if not sep or prefix not in {"B", "I", "M", "E", "S", "L", "U"}:
            raise ValueError(f"tag {i} is {tag!r}, which is not BIOES")
        out.append(f"B-{label}" if prefix in {"B", "S", "U"} else f"I-{label}")
    return out
