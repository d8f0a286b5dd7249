"""Split a document into model windows that each carry their offset in the document.

Windows never cross a line break (a line of a report is a paragraph or a
heading) and end at sentence ends (``。！？；`` and their half-width forms)
where they can; consecutive sentences of one line are packed into a window up
to ``max_len`` characters so the model sees context. A sentence longer than
``max_len`` is cut into overlapping chunks.

Every window owns a ``keep`` region: the keep regions of all windows are
disjoint and cover every non-blank character, so when windows overlap each
character's prediction is taken from the window where it sits furthest from
an edge.

>>> [(w.start, w.end) for w in split_windows("甲乙。丙丁！\\n戊己", max_len=4, overlap=0)]
[(0, 3), (3, 6), (7, 9)]
>>> [(w.start, w.end, w.keep_start, w.keep_end) for w in split_windows("一二三四五六七八", max_len=6, overlap=2)]
[(0, 6, 0, 4), (2, 8, 4, 8)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

SENTENCE_END = "。！？；!?;"
# A sentence runs to its terminators plus any closing quotes or brackets after them.
_SENTENCE = re.compile(f"[^{SENTENCE_END}\\n]*[{SENTENCE_END}]+[”’」』)）]*|[^{SENTENCE_END}\\n]+")


@dataclass(frozen=True)
class Window:
    """``text[start:end]`` is shown to the model; it owns predictions in ``[keep_start, keep_end)``."""

    start: int
    end: int
    keep_start: int
    keep_end: int


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """``[start, end)`` of each sentence, without surrounding white space, never across a newline.

    >>> [(s, e) for s, e in sentences(" 甲。乙\\n丙")]
    [(1, 3), (3, 4), (5, 6)]
    """
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            yield start, end


def _chunks(start: int, end: int, max_len: int, overlap: int) -> list[Window]:
    """Overlapping fixed-size chunks of one over-long sentence; keep regions meet mid-overlap."""
    stride = max_len - overlap
    bounds = []
    pos = start
    while True:
        if pos + max_len >= end:
            bounds.append((max(start, end - max_len), end))
            break
        bounds.append((pos, pos + max_len))
        pos += stride
    windows = []
    keep_start = start
    for i, (a, b) in enumerate(bounds):
        if i + 1 < len(bounds):
            next_a = bounds[i + 1][0]
            keep_end = (next_a + b + 1) // 2  # middle of the overlap
        else:
            keep_end = end
        windows.append(Window(a, b, keep_start, keep_end))
        keep_start = keep_end
    return windows


def split_windows(text: str, max_len: int = 256, overlap: int = 32) -> list[Window]:
    """Windows of at most ``max_len`` characters covering every non-blank character of ``text``."""
    if max_len < 2 or not 0 <= overlap < max_len:
        raise ValueError(f"need max_len >= 2 and 0 <= overlap < max_len, got {max_len=} {overlap=}")
    windows: list[Window] = []
    current: tuple[int, int] | None = None

    def flush() -> None:
        nonlocal current
        if current is not None:
            windows.append(Window(current[0], current[1], current[0], current[1]))
            current = None

    for start, end in sentences(text):
        same_line = current is not None and "\n" not in text[current[1] : start]
        if same_line and end - current[0] <= max_len:
            current = (current[0], end)
            continue
        flush()
        if end - start > max_len:
            windows.extend(_chunks(start, end, max_len, overlap))
        else:
            current = (start, end)
    flush()
    return windows
