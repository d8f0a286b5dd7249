"""Guideline conventions that other corpora and raw model output do not follow by themselves.

The guideline makes adjacent administrative levels one place (``巴中市恩阳区``), while
MSRA, LAC and a model trained partly on them split them (``巴中市`` ``恩阳区``).

>>> merge_adjacent([Span(0, 3, "LOC"), Span(3, 6, "LOC"), Span(6, 9, "ORG")], "LOC")
[Span(start=0, end=6, label='LOC'), Span(start=6, end=9, label='ORG')]
"""

from __future__ import annotations

from collections.abc import Iterable

from govner.data.document import Span


def merge_adjacent(spans: Iterable[Span], label: str = "LOC") -> list[Span]:
    """``spans`` with runs of touching ``label`` spans (no character between them) joined into one."""
    merged: list[Span] = []
    for span in sorted(spans):
        last = merged[-1] if merged else None
        if last and span.label == label == last.label and span.start == last.end:
            merged[-1] = Span(last.start, span.end, label)
        else:
            merged.append(span)
    return merged
