"""Combine the model's spans with the rule tagger's AMOUNT and SLOGAN spans.

Amounts and quoted slogans follow regular patterns that ``govner.rules`` encodes
from the guideline (number + unit; the content of a quotation unless it is
speech), and those patterns hold in reports from any province, where a model
trained on a few reports is less sure. So a rule span wins over model AMOUNT or
SLOGAN spans it overlaps, and is added where the model found nothing; where it
overlaps a model LOC or ORG span the model wins (a quoted place name is a place).

>>> model = [Span(0, 4, "SLOGAN"), Span(10, 12, "LOC")]
>>> rules = [Span(0, 6, "SLOGAN"), Span(10, 12, "SLOGAN"), Span(20, 24, "AMOUNT")]
>>> combine_with_rules(model, rules)
[Span(start=0, end=6, label='SLOGAN'), Span(start=10, end=12, label='LOC'), Span(start=20, end=24, label='AMOUNT')]
"""

from __future__ import annotations

from collections.abc import Sequence

from govner.data.document import Span

RULE_LABELS = ("AMOUNT", "SLOGAN")
# Characters that, right after a place name, make it part of a longer entity (a lower
# administrative level, or a body of that place), traditional forms included.
LONGER_NAME_NEXT = set("市县縣区區省镇鎮乡鄉村州委局办辦厅廳府")


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def combine_with_rules(model_spans: Sequence[Span], rule_spans: Sequence[Span]) -> list[Span]:
    """Flat spans: model spans, with rule AMOUNT/SLOGAN spans taking precedence over model ones."""
    kept_rules = [
        r for r in rule_spans
        if r.label in RULE_LABELS and not any(_overlaps(r, m) for m in model_spans if m.label not in RULE_LABELS)
    ]
    kept_model = [m for m in model_spans if not any(_overlaps(m, r) for r in kept_rules)]
    return sorted([*kept_model, *kept_rules])


def propagate_labels(
    text: str, spans: Sequence[Span], labels: Sequence[str] = ("LOC", "ORG", "SLOGAN"), min_length: int = 2
) -> list[Span]:
    """Tag every other occurrence of a mention the tagger found, with the same label.

    Reports repeat their places, bodies and slogans, and the guideline tags every
    occurrence (for slogans explicitly: "the same phrase without quotation marks
    elsewhere in the same document"); a tagger that saw a name in one context misses
    it in another. Occurrences that overlap an existing span are left alone, and so are
    occurrences followed by an administrative unit or a body (``恩平`` in ``恩平市委``):
    the guideline makes those part of a longer LOC or ORG.

    >>> propagate_labels("恩平市委在恩平召开会议。恩平好", [Span(5, 7, "LOC")])
    [Span(start=5, end=7, label='LOC'), Span(start=12, end=14, label='LOC')]
    """
    import re
    from collections import Counter

    votes: dict[str, Counter] = {}
    for span in spans:
        if span.label in labels and span.end - span.start >= min_length:
            votes.setdefault(text[span.start : span.end], Counter())[span.label] += 1
    result = sorted(spans)
    taken = [(s.start, s.end) for s in result]
    # longest mentions first, so 恩平工业园 claims its occurrences before 恩平 does
    for mention in sorted(votes, key=len, reverse=True):
        label = votes[mention].most_common(1)[0][0]
        for match in re.finditer(re.escape(mention), text):
            start, end = match.span()
            extends = end < len(text) and text[end] in LONGER_NAME_NEXT
            if not extends and all(end <= a or start >= b for a, b in taken):
                result.append(Span(start, end, label))
                taken.append((start, end))
    return sorted(result)
