"""Plain records passed between the readers, the annotation loaders and the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Span:
    """An entity as ``[start, end)`` code-point offsets into some text, with its label.

    The one entity type of govner, from the annotation files through the tagger to
    every writer. ``score`` is a model's confidence in a predicted span (0 to 1; 1.0
    for a rule match) and ``None`` for gold spans; it takes no part in comparing or
    hashing, so a predicted span equals the gold span at the same place.

    >>> Span(0, 3, "LOC", 0.9) == Span(0, 3, "LOC")
    True
    >>> Span(0, 3, "LOC", 0.91234).to_dict("巴中市投资")
    {'start': 0, 'end': 3, 'label': 'LOC', 'text': '巴中市', 'score': 0.9123}
    """

    start: int
    end: int
    label: str
    score: float | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"span [{self.start}, {self.end}) is empty or negative")

    def to_dict(self, text: str) -> dict[str, Any]:
        """The record ``govner predict`` writes: offsets, label, ``text[start:end]`` and the score (if any)."""
        record: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label,
                                  "text": text[self.start : self.end]}
        if self.score is not None:
            record["score"] = round(float(self.score), 4)
        return record


@dataclass
class Document:
    """One report as read: ``text`` is the original text, never altered.

    ``spans`` holds gold entities when the document came from an annotation
    file; ``meta`` carries fields a ``.jsonl`` line had besides ``id`` and ``text``.
    """

    id: str
    text: str
    source: str
    spans: list[Span] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadError:
    """A document that could not be read. ``line`` is 1-based, for ``.jsonl`` input."""

    source: str
    message: str
    line: int | None = None
    id: str | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"
