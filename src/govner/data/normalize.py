"""Normalize report text for the model while keeping an exact map to the original.

The model always sees simplified, half-width text without scraping noise; users
always get offsets into the text they gave. ``normalize`` does both in one pass:

- traditional → simplified, one character at a time with OpenCC's ``t2s``
  character table. Per character (not OpenCC's phrase pass) so that the
  normalization of a substring is the substring of the normalization; that is
  what makes every span map back exactly. Length-preserving by construction.
- full-width ASCII (``Ａ１，（``) → half-width (``A1,(``).
- inline pronunciation notes after a Han character (``區(qū)``) are removed:
  Latin letters with at least one tone mark inside ``()`` or ``（）``. Real
  bracketed text such as ``(重庆)`` or ``(2)`` is kept.
- zero-width characters are removed; a run of white space becomes one space,
  or one newline if it holds a line break.

Every output character ``i`` comes from ``original[starts[i]:ends[i]]``
(one character, or a whole white-space run), so a span found in the
normalized text converts to the exact original span.

>>> norm = normalize("廣安區(qū)  經開區")
>>> norm.text
'广安区 经开区'
>>> norm.to_original(0, 3)
(0, 3)
>>> norm.to_original(4, 7)
(9, 12)
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
TONE_MARKED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
PINYIN_LETTERS = f"a-zü{TONE_MARKED}"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

# A pronunciation note: brackets right after a Han character holding one
# romanized syllable (or a few) with at least one tone mark. A doubled note
# (a scraper that ran twice) is removed whole, so normalizing is idempotent.
# Zero-width characters are removed anyway, so they may sit inside or before a note.
_NOTE_LETTER = f"{PINYIN_LETTERS}{ZERO_WIDTH}"
_ONE_NOTE = f"[{ZERO_WIDTH}]*[(（][{_NOTE_LETTER}]{{0,12}}[{TONE_MARKED}][{_NOTE_LETTER}]{{0,12}}[)）]"
PINYIN_NOTE = re.compile(f"(?<=[{HAN}])(?:{_ONE_NOTE})+")
_SPECIAL = re.compile(f"(?P<note>{PINYIN_NOTE.pattern})|(?P<space>[\\s{ZERO_WIDTH}]+)")
HAN_CHAR = re.compile(f"[{HAN}]")  # one Han character: the one regex for it that other modules import


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


class _CharTable(dict):
    """``str.translate`` table filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII block
            out = chr(code - 0xFEE0)
        elif HAN_CHAR.match(char):
            out = _t2s().convert(char)
            if len(out) != 1:  # never let one character become several
                out = char
        else:
            out = char
        self[code] = out
        return out


_TABLE = _CharTable()


def convert_chars(text: str) -> str:
    """Map characters one to one: traditional → simplified, full-width → half-width.

    >>> convert_chars("發展ＡＢ１２，")
    '发展AB12,'
    """
    out = text.translate(_TABLE)
    assert len(out) == len(text), "character conversion must preserve length"
    return out


@dataclass(frozen=True)
class NormalizedText:
    """Normalized ``text`` with, for each of its characters, the original ``[start, end)``."""

    text: str
    starts: list[int]
    ends: list[int]
    original_length: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalized span ``[start, end)``."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is not inside the normalized text ({len(self.text)} chars)")
        return self.starts[start], self.ends[end - 1]

    def to_normalized(self, start: int, end: int) -> tuple[int, int]:
        """Normalized offsets of the characters that come from inside original ``[start, end)``.

        Characters removed by normalization (a pronunciation note at the edge)
        are dropped, so ``to_original`` of the result may be narrower than the input.
        """
        if not 0 <= start < end <= self.original_length:
            raise ValueError(f"span [{start}, {end}) is not inside the original text ({self.original_length} chars)")
        i = bisect_left(self.starts, start)
        j = bisect_right(self.ends, end)
        if i >= j:
            raise ValueError(f"original span [{start}, {end}) holds no character the model sees")
        return i, j


def normalize(text: str) -> NormalizedText:
    """Normalize ``text`` and record where each output character came from."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0

    def keep(a: int, b: int) -> None:
        if a < b:
            pieces.append(convert_chars(text[a:b]))
            starts.extend(range(a, b))
            ends.extend(range(a + 1, b + 1))

    for match in _SPECIAL.finditer(text):
        a, b = match.span()
        keep(last, a)
        last = b
        if match.lastgroup == "note":
            continue
        run = match.group()
        if run == " ":
            keep(a, b)
            continue
        if not any(c.isspace() for c in run):  # zero-width only
            continue
        pieces.append("\n" if any(c in LINE_BREAKS for c in run) else " ")
        starts.append(a)
        ends.append(b)
    keep(last, len(text))
    return NormalizedText("".join(pieces), starts, ends, len(text))
