"""The four entity labels and the IOB2 tag set built from them.

The label order is part of every saved model's label map, so it never changes;
a new label is appended at the end.
"""

from __future__ import annotations

LABELS: tuple[str, ...] = ("LOC", "ORG", "AMOUNT", "SLOGAN")
OUTSIDE = "O"
TAGS: tuple[str, ...] = (OUTSIDE, *(f"{p}-{label}" for label in LABELS for p in ("B", "I")))
TAG_TO_ID: dict[str, int] = {tag: i for i, tag in enumerate(TAGS)}
