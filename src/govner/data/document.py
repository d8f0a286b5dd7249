"""Plain records passed between the readers, the annotation loaders and the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Span:
    """An entity as ``[start, end)`` code-point offsets into some text, with its label."""

    start: int
    end: int
    label: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"span [{self.start}, {self.end}) is empty or negative")


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
