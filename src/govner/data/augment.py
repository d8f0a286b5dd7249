"""Training text changed on purpose: place swaps and run-together person lists.

**Place swaps**: training copies of a report in which its administrative places are other real places.

Unseen reports name counties, cities and towns that no training report mentions, and the
model misses places outside the provinces it was trained on (issue 11). A swapped copy shows
the same sentences with other names of the same kind from jionlp's division tree (a county
ending in 县 for a county ending in 县, a banner for a banner, a town ending in 镇 for another),
so that the network learns what a place name looks like in context rather than the training
reports' list of names (mention replacement, Dai and Adel 2020).

Which places a report names is read from the chain of division names that begins each LOC or
ORG span (湖南省涟源市 in 湖南省涟源市人民政府). Each such place is then swapped wherever its
full name or short form stands inside a LOC or ORG span of the report (双峰县 → 宁乡县 and
双峰 → 宁乡, 中共双峰县委 → 中共宁乡县委), and spans move with the text. Outside every span
nothing changes: a short form there may be an ordinary word (通道 is a county's short form and
also "a passage"). A name that a span boundary cuts through stays. Names are matched on the
normalized text, so traditional characters and pinyin notes (`區(qū)`) do not hide them; the
replacement is written in simplified characters, which the network reads after normalization
anyway.

**Run-together person lists** (:func:`join_person_lists`): MSRA's training sentences separate
the names in a list with 、 (李鹏、乔石), while the lists of the SIGHAN 2006 test set have no
separator (李鹏乔石李瑞环: the spaces between the names were lost when the corpus became one
character per line; 554 pairs of touching persons in the test set against 220 in all of
msra_train). The sentence without those 、, in place of the sentence with them, shows the
network names that touch.

>>> from govner.data.document import Span
>>> table = PlaceTable([("双峰县", "双峰", 2), ("宁乡县", "宁乡", 2)])
>>> doc = Document("d", "雙峰縣政府在双峰召开会议，中共双峰县委", "x",
...                [Span(0, 5, "ORG"), Span(6, 8, "LOC"), Span(13, 19, "ORG")])
>>> swapped = swap_places(doc, table, random.Random(0))
>>> swapped.text, [swapped.text[s.start : s.end] for s in swapped.spans]
('宁乡县政府在宁乡召开会议，中共宁乡县委', ['宁乡县政府', '宁乡', '中共宁乡县委'])
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, replace

from govner.data.document import Document
from govner.data.normalize import normalize

SWAPPED_LABELS = ("LOC", "ORG")  # spans whose place names are swapped
# Towns are swapped by full name only: jionlp gives them no short form, and dropping 镇 makes words
# such as 发展 or 长江 that start other names; entries without a town's ending are not towns
TOWN_ENDINGS = ("镇", "乡", "街道")


# Entries of the tree that are not place names a report would swap: development zones and parks
# (whose names are not a county's), administrative bodies (乌拉盖管委会), placeholders
# (省直辖行政区划) and generic districts (城区, 郊区)
NOT_A_PLACE_NAME = re.compile(
    "开发区|产业园|工业园|示范区|管理区|高新|经开|行政区划|管委会|委员会|海域|^(城区|郊区|矿区|新区|市辖区)$")


HAN = re.compile("[\u4e00-\u9fff]{2,}")  # a name or short form: two Chinese characters or more


@dataclass(frozen=True)
class Place:
    name: str  # full name: 双峰县
    short: str  # short form, "" if it has none of two characters or more: 双峰
    depth: int  # in the division tree: 0 province, 1 city, 2 county, 3 town
    ending: str  # last character: 县, 旗, 镇…

    @property
    def kind(self) -> tuple[int, str]:
        """Only places of one kind replace each other: a county ending in 县 by another."""
        return self.depth, self.ending


class PlaceTable:
    """Division names by kind, and every full name and short form looked up to its place."""

    def __init__(self, names: Iterable[tuple[str, str, int]]) -> None:
        self.by_kind: dict[tuple[int, str], list[Place]] = defaultdict(list)
        places: dict[str, Place] = {}
        for name, short, depth in names:
            if len(name) < 2 or name in places or NOT_A_PLACE_NAME.search(name):
                continue  # a name in two provinces: one place is enough to swap it
            if depth == 3 and not (name.endswith(TOWN_ENDINGS) and len(name) >= 3):
                continue
            if not HAN.fullmatch(short):
                short = ""  # 克州/克孜勒苏: two forms in one field; too short; or none
            if not HAN.fullmatch(name):
                continue
            place = Place(name, short if short != name else "", depth, name[-1])
            places[name] = place
            self.by_kind[place.kind].append(place)
        # a word is the place it names most plainly: full names first, then short forms from the
        # province down (西安 is the city 西安市 before the district 西安区)
        self.by_word: dict[str, Place] = {}
        ranked = sorted(places.values(), key=lambda p: p.depth)
        for word, place in [(p.name, p) for p in ranked] + [(p.short, p) for p in ranked if p.short]:
            self.by_word.setdefault(word, place)
        self.longest = max((len(w) for w in self.by_word), default=0)
        # a short form is replaced by a short form: a full name in its place would double the ending
        # that follows it (融水县 → 茂县县)
        self.with_short = {kind: [p for p in pool if p.short] for kind, pool in self.by_kind.items()}

    @classmethod
    def from_jionlp(cls) -> PlaceTable:
        """The table of jionlp's division tree (:func:`govner.data.lexicon.division_names`)."""
        from govner.data.lexicon import division_names

        return cls(division_names())

    def find(self, text: str, start: int, end: int) -> list[tuple[int, int, Place]]:
        """The chain of names that begins ``text[start:end]``, each deeper in the tree than the one before.

        A place inside a name comes first (a company or body named after its place), so a word
        further in that looks like a place's short form (资源 in 自然资源局) is not read as one.

        >>> table = PlaceTable([("湖南省", "湖南", 0), ("娄底市", "娄底", 1),
        ...                     ("涟源市", "涟源", 2), ("资源县", "资源", 2)])
        >>> [(s, e, p.name) for s, e, p in table.find("湖南省涟源市政府", 0, 8)]
        [(0, 3, '湖南省'), (3, 6, '涟源市')]
        >>> table.find("自然资源局", 0, 5), len(table.find("涟源娄底", 0, 4))  # a city is not inside a county
        ([], 1)
        """
        found: list[tuple[int, int, Place]] = []
        for a, b in longest_words(self.by_word, self.longest, text, start, end):
            place = self.by_word[text[a:b]]
            if a != (found[-1][1] if found else start) or (found and place.depth <= found[-1][2].depth):
                break
            found.append((a, b, place))
        return found


def longest_words(words: Container[str], longest: int, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Leftmost-longest stands of ``words`` (two characters or more) in ``text[start:end]``, as ``(start, end)``.

    A dictionary probe per position and length: spans are short, and pyahocorasick's
    ``iter_long``, the automaton's way to do this, has had missed-match bugs across releases.

    >>> list(longest_words({"双峰", "双峰县", "峰县"}, 3, "在双峰县双峰", 0, 6))
    [(1, 4), (4, 6)]
    """
    i = start
    while i < end:
        size = next((n for n in range(min(longest, end - i), 1, -1) if text[i : i + n] in words), 0)
        if size:
            yield i, i + size
        i += size or 1


def swap_places(doc: Document, table: PlaceTable, rng: random.Random) -> Document:
    """A copy of ``doc`` with the places its LOC/ORG names begin with replaced by others of their kind.

    ``doc`` comes back as it is when it names no division.
    """
    norm = normalize(doc.text)
    spans = [s for s in doc.spans if s.label in SWAPPED_LABELS]
    inside = [norm.to_normalized(s.start, s.end) for s in spans if s.end > s.start]
    inside = [(a, b) for a, b in inside if a < b]
    choice: dict[Place, Place] = {}
    for a, b in sorted(inside):
        for _, _, place in table.find(norm.text, a, b):
            pool = table.with_short[place.kind] if place.short else table.by_kind[place.kind]
            if place not in choice and pool:
                other = rng.randrange(len(pool))
                if pool[other] is place:  # never itself, unless it is the only one of its kind
                    other = (other + 1) % len(pool)
                choice[place] = pool[other]
    new_word = {p.name: o.name for p, o in choice.items()} | {p.short: o.short for p, o in choice.items() if p.short}
    # every stand of a chosen place's names inside a LOC/ORG span, in original offsets
    stands: set[tuple[int, int, str]] = set()
    for a, b in inside:
        for i, j in longest_words(new_word, table.longest, norm.text, a, b):
            stands.add((*norm.to_original(i, j), new_word[norm.text[i:j]]))
    boundaries = {x for s in doc.spans for x in (s.start, s.end)}
    pieces, new_index, last, shift = [], {}, 0, 0
    for start, end, new in sorted(stands, key=lambda o: (o[0], -o[1])):
        if start < last or any(start < x < end for x in boundaries):
            continue
        pieces.append(doc.text[last:start])
        new_index[start] = start + shift
        pieces.append(new)
        shift += len(new) - (end - start)
        new_index[end] = end + shift
        last = end
    if not pieces:
        return doc
    pieces.append(doc.text[last:])
    delta = sorted(new_index.items())

    def moved(offset: int) -> int:
        if offset in new_index:
            return new_index[offset]
        before = [n - o for o, n in delta if o <= offset]  # the shift after the last swap before offset
        return offset + (before[-1] if before else 0)

    return replace(doc, text="".join(pieces),
                   spans=[replace(s, start=moved(s.start), end=moved(s.end)) for s in doc.spans])


LIST_SEPARATOR = "、"


def join_person_lists(doc: Document, rng: random.Random, share: float) -> Document:
    """``doc`` with the 、 between two PER spans dropped, in each list of persons with probability ``share``.

    A list is a run of PER spans separated by single 、; its separators go or stay together.

    >>> from govner.data.document import Span
    >>> doc = Document("s", "李鹏、乔石和朱镕基、胡锦涛", "x",
    ...                [Span(0, 2, "PER"), Span(3, 5, "PER"), Span(6, 9, "PER"), Span(10, 13, "PER")])
    >>> joined = join_person_lists(doc, random.Random(0), 1.0)
    >>> joined.text, [joined.text[s.start : s.end] for s in joined.spans]
    ('李鹏乔石和朱镕基胡锦涛', ['李鹏', '乔石', '朱镕基', '胡锦涛'])
    """
    spans = sorted(doc.spans, key=lambda s: s.start)
    dropped: set[int] = set()  # offsets of the dropped separators
    run: list[int] = []
    for a, b in itertools.pairwise(spans):
        if a.label == b.label == "PER" and b.start == a.end + 1 and doc.text[a.end] == LIST_SEPARATOR:
            run.append(a.end)
            continue
        if run and rng.random() < share:
            dropped.update(run)
        run = []
    if run and rng.random() < share:
        dropped.update(run)
    if not dropped:
        return doc
    cut = sorted(dropped)
    text = "".join(ch for i, ch in enumerate(doc.text) if i not in dropped)
    return replace(doc, text=text, spans=[replace(s, start=s.start - bisect.bisect_left(cut, s.start),
                                                  end=s.end - bisect.bisect_left(cut, s.end)) for s in doc.spans])
