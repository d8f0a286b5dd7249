"""Dictionary words at every character: the lexicon behind govner's SoftLexicon features.

For each character of a normalized text, the lexicon words that **B**egin there, have it in
their **M**iddle, **E**nd there, or are that **S**ingle character (Ma et al. 2020, "Simplify
the Usage of Lexicon in Chinese NER"). The network pools each of the four sets into a vector
(:mod:`govner.model.network`); this module only finds the words, the same way at training
and in every prediction backend.

Each word has a category, which the network learns a vector for, and a weight (the log of
its frequency), which decides its share of the pooled vector. Sources, assembled by
``govner lexicon build`` and cached (:func:`build_lexicon`):

- jionlp's administrative division tree (``dictionary/china_location.zip``, read from the
  zip): provinces, cities, counties and their short forms → ``admin``; towns → ``town``.
- jieba's ``dict.txt``: words tagged ``ns`` (places) that end like a place (``省市县区镇乡村
  州旗盟``, mountains, rivers, sites) → ``place``; ``nt`` (organizations) that end like one
  (``govner/data/suffixes.tsv``) → ``org``. jieba tags idioms such as 一马平川 ``ns``: the
  ending filter keeps the names and drops those. With ``general_words`` every other jieba
  word is added as ``word`` (off by default: LAC's encoder was trained for word segmentation
  and knows word boundaries already; what it lacks is which words are places and bodies).
- ``govner/data/suffixes.tsv``, written for govner: endings of companies, bodies and sites (not
  its ``unit`` rows, which only the short-name step of prediction reads).
- jieba's ``nr`` words (person names) of 2 or 3 Han characters that begin with a surname →
  ``person``, source ``persons`` (not a default source: govner never tags persons; the MSRA
  benchmark, which does, can use it).
- user dictionaries, ``word<TAB>LABEL`` per line → ``user:LABEL``.

A word in several sources keeps the most specific category (user, then admin, town, org,
place, the suffixes, person, word).

>>> lexicon = Lexicon.from_entries([("巴中市", "admin", 3.0), ("巴中", "admin", 2.0), ("市", "body_suffix", 1.0)])
>>> [(s, e, CATEGORIES[c]) for s, e, c, _ in lexicon.matches("巴中市恩阳区")]
[(0, 2, 'admin'), (0, 3, 'admin'), (2, 3, 'body_suffix')]
>>> start, end, category, weight = lexicon.features(["巴中市"], width=3, words_per_set=2)
>>> start[0, 0, SETS.index("B")].tolist(), end[0, 0, SETS.index("B")].tolist()  # words beginning at 巴
([0, 0], [3, 2])
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from govner.config import LexiconConfig, cache_dir
from govner.data.conventions import ADMIN_LEVELS, DIVISION_LEVELS
from govner.data.normalize import normalize
from govner.errors import GovnerError, MissingPackageError
from govner.labels import LABELS

SETS = ("B", "M", "E", "S")
# Categories, most specific first (a word in several sources keeps the first); the network learns a
# vector per category, so this order is part of a saved model (append, never reorder).
CATEGORIES: tuple[str, ...] = (
    *(f"user:{label}" for label in LABELS),
    "admin", "town", "org", "place", "body_suffix", "org_suffix", "site_suffix", "word", "person",
)
CATEGORY_ID = {name: i for i, name in enumerate(CATEGORIES)}
# which category a word in several sources keeps: the lowest rank, the id except that "word" (jieba's general
# vocabulary) is the least specific, whatever categories were appended after it
_SPECIFICITY = {i: len(CATEGORIES) if name == "word" else i for i, name in enumerate(CATEGORIES)}
SUFFIX_FILE = Path(__file__).with_name("suffixes.tsv")  # package data: prediction reads it too
# suffixes.tsv's endings of branches and sub-units (支行, 厂, 部): the short-name step reads them, the lexicon
# does not (a new feature category would change what a lexicon model learns, and it was not measured)
UNIT_CATEGORY = "unit"
LEXICON_FILE = "lexicon.tsv"  # the lexicon a model was trained with, saved in its folder
USER_WEIGHT = math.log1p(100_000)  # a user's word counts as much as a very common dictionary word
ADMIN_WEIGHT = math.log1p(1_000)  # administrative names jieba does not count
# Endings that make a jieba ns word a place name rather than an idiom tagged ns.
PLACE_ENDINGS = re.compile(f"[{ADMIN_LEVELS}岛山河江湖海港湾峡谷岭峰关洲沟坝滩塘泉渠道路街]$")


class LexiconError(GovnerError):
    """A lexicon or user dictionary file that cannot be read."""


class Lexicon:
    """Words with a category and a weight, matched with an Aho–Corasick automaton (pyahocorasick)."""

    def __init__(self, words: dict[str, tuple[int, float]]) -> None:
        import ahocorasick

        self.words = words  # normalized word -> (category id, weight)
        self._automaton = ahocorasick.Automaton()
        for word, (category, weight) in words.items():
            self._automaton.add_word(word, (len(word), category, weight))
        if words:
            self._automaton.make_automaton()

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, str, float]]) -> Lexicon:
        """A lexicon of ``(word, category, weight)``; words are normalized; the most specific category and the
        largest weight win."""
        words: dict[str, tuple[int, float]] = {}
        for word, category, weight in entries:
            word = normalize(word).text.strip()
            if not word:
                continue
            cat, weight = CATEGORY_ID[category], round(float(weight), 4)  # as saved: a loaded lexicon is the same
            old = words.get(word)
            if old is not None:
                cat, weight = min(cat, old[0], key=_SPECIFICITY.__getitem__), max(weight, old[1])
            words[word] = (cat, weight)
        return cls(words)

    def __len__(self) -> int:
        return len(self.words)

    def with_entries(self, entries: Iterable[tuple[str, str, float]]) -> Lexicon:
        """This lexicon plus ``entries`` (a user dictionary), the more specific category winning."""
        names = {i: c for c, i in CATEGORY_ID.items()}
        return Lexicon.from_entries([*((w, names[c], x) for w, (c, x) in self.words.items()), *entries])

    def matches(self, text: str) -> list[tuple[int, int, int, float]]:
        """``(start, end, category id, weight)`` of every lexicon word in ``text``, by start then end."""
        if not self.words:
            return []
        found = [(end + 1 - n, end + 1, cat, weight) for end, (n, cat, weight) in self._automaton.iter(text)]
        found.sort()
        return found

    def features(
        self,
        texts: Sequence[str],
        width: int,
        words_per_set: int,
        extra: Sequence[Sequence[tuple[str, str]]] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(start, end, category, weight)``, each ``[len(texts), width, 4, words_per_set]``.

        For character ``i`` of a text and set ``t`` (B, M, E, S), slot ``j`` holds the ``j``-th
        word of that set (the heaviest first): its ``[start, end)`` in the text, its category and
        its weight. Weights are normalized per character as in SoftLexicon: ``4 z(w) / Z`` with
        ``Z`` the sum of ``z`` over the four sets, so a character's pooled vectors have the scale of
        one word vector whatever its number of words; empty slots have weight 0. ``extra[i]``
        holds more ``(word, label)`` user-dictionary words for text ``i`` only (training shows
        some of a report's own mentions this way, so the network learns what a user's word means).
        """
        shape = (len(texts), width, len(SETS), words_per_set)
        rows, positions, sets, values = [], [], [], []
        for row, text in enumerate(texts):
            taken: dict[tuple[int, int], int] = {}
            found = self.matches(text[:width])
            if extra and extra[row]:
                found = _without_duplicates([*found, *_find_words(text[:width], extra[row])])
            for start, end, category, weight in sorted(found, key=lambda m: -m[3]):
                if end - start == 1:
                    slots = [(start, 3)]
                else:
                    slots = [(start, 0), *((i, 1) for i in range(start + 1, end - 1)), (end - 1, 2)]
                for slot in slots:
                    j = taken.get(slot, 0)
                    if j < words_per_set:
                        taken[slot] = j + 1
                        rows.append(row)
                        positions.append(slot)
                        sets.append(j)
                        values.append((start, end, category, weight))
        start = np.zeros(shape, dtype=np.int64)
        end = np.zeros(shape, dtype=np.int64)
        category = np.zeros(shape, dtype=np.int64)
        weight = np.zeros(shape, dtype=np.float32)
        if rows:
            index = (np.array(rows), *np.array(positions).T, np.array(sets))
            table = np.array(values, dtype=np.float64)
            start[index] = table[:, 0]
            end[index] = table[:, 1]
            category[index] = table[:, 2]
            weight[index] = table[:, 3]
            total = weight.sum(axis=(2, 3), keepdims=True)
            weight = np.where(total > 0, len(SETS) * weight / np.maximum(total, 1e-6), 0).astype(np.float32)
        return start, end, category, weight

    # ------------------------------------------------------------------ files

    def save(self, path: str | Path) -> None:
        """``word<TAB>category<TAB>weight`` per line, sorted: the lexicon travels with the model."""
        lines = [f"{w}\t{CATEGORIES[c]}\t{x:.4f}" for w, (c, x) in sorted(self.words.items())]
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Lexicon:
        entries = []
        for number, line in enumerate(_lines(path), 1):
            parts = line.split("\t")
            if len(parts) != 3 or parts[1] not in CATEGORY_ID:
                raise LexiconError(f"{path}:{number}: expected word<TAB>category<TAB>weight, got {line!r}")
            try:
                entries.append((parts[0], parts[1], float(parts[2])))
            except ValueError:
                raise LexiconError(f"{path}:{number}: weight {parts[2]!r} is not a number") from None
        return cls.from_entries(entries)


def _find_words(text: str, words: Sequence[tuple[str, str]]) -> list[tuple[int, int, int, float]]:
    """Every occurrence of each ``(word, label)`` in ``text``, as a user-dictionary match."""
    found = []
    for word, label in words:
        category = CATEGORY_ID[f"user:{label}"]
        at = text.find(word)
        while at >= 0 and word:
            found.append((at, at + len(word), category, USER_WEIGHT))
            at = text.find(word, at + 1)
    return found


def _without_duplicates(found: list[tuple[int, int, int, float]]) -> list[tuple[int, int, int, float]]:
    """One match per ``[start, end)``: the most specific category (the lowest id) wins."""
    best: dict[tuple[int, int], tuple[int, int, int, float]] = {}
    for match in found:
        key = (match[0], match[1])
        if key not in best or match[2] < best[key][2]:
            best[key] = match
    return sorted(best.values())


def _lines(path: str | Path) -> list[str]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LexiconError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise LexiconError(f"{path}: cannot read: {err}") from None
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def read_user_dictionary(path: str | Path) -> list[tuple[str, str, float]]:
    """The entries of a user dictionary: one ``word<TAB>LABEL`` per line (``#`` starts a comment)."""
    entries = []
    for number, line in enumerate(_lines(path), 1):
        word, sep, label = line.partition("\t")
        label = label.strip()
        if not sep or not word.strip() or label not in LABELS:
            raise LexiconError(f"{path}:{number}: expected word<TAB>LABEL with LABEL one of {', '.join(LABELS)}, "
                               f"got {line!r}")
        entries.append((word.strip(), f"user:{label}", USER_WEIGHT))
    return entries


# ---------------------------------------------------------------------- sources


def _package_file(package: str, relative: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackageError(f"the lexicon reads {package}'s dictionaries: pip install {package}")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.exists():
        raise MissingPackageError(f"{path}: not found (reinstall {package})")
    return path


def division_names() -> list[tuple[str, str, int]]:
    """jionlp's division tree as ``(name, short form or "", depth)``: 0 province, 1 city, 2 county, 3 town.

    Read from the zip jionlp ships (``dictionary/china_location.zip``), so nothing is unpacked.
    Village and community names (depth 4) are left out: hundreds of thousands of names such as
    新村 or 胜利村 that match ordinary words far more often than places. Towns have no short form.
    """
    path = _package_file("jionlp", "dictionary/china_location.zip")
    with zipfile.ZipFile(path) as archive:
        text = archive.read("china_location.txt").decode("utf-8")
    names = []
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        fields = [f.strip() for f in line.strip().split("\t")]
        if fields[0] and depth <= 3:
            names.append((fields[0], fields[2] if depth < 3 and len(fields) > 2 else "", depth))
    return names


# jieba's parts of speech that are not nouns: a division's short form that jieba counts 1,000 times or
# more under one of them is an everyday word first (合作, 比如, 通道, 和平). Nouns stay, because jieba
# tags many city names n or nr (石首, 孝感, 黄石); a few names are lost (开封 v, 大连 d, 监利 vn).
_EVERYDAY_POS = frozenset({"v", "vn", "vd", "a", "ad", "an", "d", "f", "s", "m", "b", "c", "p", "t", "nz", "j"})
_EVERYDAY_MIN_FREQ = 1_000
_DIVISION_TABLE_VERSION = 2  # bump when the rules below change: it is part of the cache key


def division_table(cache: bool = True) -> dict[str, str]:
    """Provinces, cities and counties of jionlp's division tree: normalized full name → short form or "".

    Full names are those that end in a division level (``双峰县``, ``察哈尔右翼前旗``; not zones such
    as ``焦作城乡一体化示范区``). A short form is kept (``双峰``, ``察右前旗``) unless it is one
    character, ends like a zone (区园港), begins with a level (``市中`` of 市中区: 全市中小企业), or
    is an everyday word (:data:`_EVERYDAY_POS`); its full name stays either way (``合作市`` → "").
    Built once per machine (about 2 s: both packages' files are read) and cached by the two
    packages' versions; where the cache cannot be written, the table is built in memory.
    """
    from importlib.metadata import version

    inputs = (_DIVISION_TABLE_VERSION, version("jionlp"), version("jieba"), _EVERYDAY_MIN_FREQ, sorted(_EVERYDAY_POS))
    cached = cache_dir() / f"divisions-{hashlib.sha256(repr(inputs).encode()).hexdigest()[:16]}.tsv"
    if cache and cached.exists():
        return dict(line.split("\t") for line in cached.read_text(encoding="utf-8").splitlines())
    everyday = set()
    for line in _package_file("jieba", "dict.txt").read_text(encoding="utf-8").splitlines():
        word, freq, pos = line.split(" ")
        if pos in _EVERYDAY_POS and int(freq) >= _EVERYDAY_MIN_FREQ:
            everyday.add(word)
    table: dict[str, str] = {}
    for name, short in _division_pairs():
        table[name] = short if short and short not in everyday else table.get(name, "")
    if cache:
        _write_atomically(cached, "".join(f"{name}\t{short}\n" for name, short in table.items()))
    return table


def _division_pairs() -> Iterable[tuple[str, str]]:
    """Provinces, cities and counties of jionlp's tree as normalized ``(full name, short form)`` (乾安县 → 干安县, as
    the tagger reads it), full names ending in a level; the short form is "" where it is no name of its own (one
    character, the full name itself, ending in 区, 园 or 港, beginning with a level)."""
    for name, short, depth in division_names():
        name, short = normalize(name).text, normalize(short).text
        if depth > 2 or len(name) < 2 or name[-1] not in DIVISION_LEVELS:
            continue
        keep = len(short) >= 2 and short != name and short[-1] not in "区园港" and short[0] not in DIVISION_LEVELS
        yield name, short if keep else ""


def division_short_forms() -> frozenset[str]:
    """Every short form of :func:`division_table`'s divisions, the everyday words it leaves out included (大连,
    开封): where a name may be a place whatever else it is."""
    return frozenset(short for _, short in _division_pairs() if short)


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file of this process, so that readers see all or nothing;
    a cache that cannot be written (a read-only home) is skipped."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as f:
            f.write(text)
        Path(f.name).replace(path)
    except OSError:
        pass


def admin_entries() -> list[tuple[str, str, float]]:
    """The division tree (:func:`division_names`): provinces, cities and counties with their short forms as
    ``admin``, towns as ``town``."""
    entries = []
    for name, short, depth in division_names():
        category = "town" if depth == 3 else "admin"
        entries.extend((word, category, ADMIN_WEIGHT) for word in (name, short) if len(word) >= 2)
    return entries


def jieba_entries(general_words: bool) -> list[tuple[str, str, float]]:
    """Places (``ns`` with a place ending) and organizations (``nt`` with an organization ending) of jieba."""
    path = _package_file("jieba", "dict.txt")
    org_endings = tuple(w for w, c, _ in suffix_entries() if c in ("org_suffix", "body_suffix"))
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or len(parts[0]) < 2:
            continue
        word, freq, tag = parts
        weight = math.log1p(int(freq))
        if tag == "ns" and PLACE_ENDINGS.search(word):
            entries.append((word, "place", weight))
        elif tag == "nt" and word.endswith(org_endings):
            entries.append((word, "org", weight))
        elif general_words:
            entries.append((word, "word", weight))
    return entries


_PERSON_NAME = re.compile("[\u4e00-\u9fff]{2,3}")
SURNAMES = 400  # the first characters of this many of jieba's 3-character nr words count as surnames


def person_entries() -> list[tuple[str, str, float]]:
    """jieba's person names as ``person``, weighted by their frequency.

    jieba tags many everyday words ``nr`` (奥妙, 蓝图, and four-character idioms): kept are words of
    2 or 3 Han characters that begin with a surname, a surname being one of the :data:`SURNAMES`
    characters that begin the most 3-character ``nr`` words (李, 王, 张 … 简). Two-character
    words still bring noise (麻城, 利剑); the network learns how far to trust the category.
    """
    names = []
    for line in _package_file("jieba", "dict.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and parts[2] == "nr" and _PERSON_NAME.fullmatch(parts[0]):
            names.append((parts[0], int(parts[1])))
    first = Counter(word[0] for word, _ in names if len(word) == 3)
    surnames = {char for char, _ in first.most_common(SURNAMES)}
    return [(word, "person", math.log1p(freq)) for word, freq in names if word[0] in surnames]


def suffix_rows() -> list[tuple[str, str]]:
    """Every ``(ending, category)`` of ``govner/data/suffixes.tsv``, the :data:`UNIT_CATEGORY` ones included."""
    rows = []
    for number, line in enumerate(_lines(SUFFIX_FILE), 1):
        word, _, category = line.partition("\t")
        if category not in CATEGORY_ID and category != UNIT_CATEGORY:
            raise LexiconError(f"{SUFFIX_FILE}:{number}: unknown category {category!r}")
        rows.append((word, category))
    return rows


def suffix_entries() -> list[tuple[str, str, float]]:
    """The lexicon's entries of ``govner/data/suffixes.tsv``: endings of company, body and site names."""
    return [(word, category, 1.0) for word, category in suffix_rows() if category != UNIT_CATEGORY]


_SOURCE_PACKAGE = {"jionlp": "jionlp", "jieba": "jieba", "persons": "jieba"}  # what a source's words come from


def build_lexicon(config: LexiconConfig, cache: bool = True) -> Lexicon:
    """The lexicon a config asks for (sources plus user dictionaries), cached per machine by its inputs."""
    from importlib.metadata import version

    key = hashlib.sha256()
    key.update(repr((sorted(config.sources), config.general_words)).encode())
    key.update(SUFFIX_FILE.read_bytes())
    for package in sorted({_SOURCE_PACKAGE[s] for s in config.sources if s in _SOURCE_PACKAGE}):
        key.update(f"{package}={version(package)}".encode())
    cached = cache_dir() / f"lexicon-{key.hexdigest()[:16]}.tsv"
    if cache and cached.exists():
        lexicon = Lexicon.load(cached)
    else:
        entries: list[tuple[str, str, float]] = []
        builders = {"jionlp": admin_entries, "jieba": lambda: jieba_entries(config.general_words),
                    "suffixes": suffix_entries, "persons": person_entries}
        for source in config.sources:
            if source not in builders:
                raise LexiconError(f"lexicon.sources: unknown source {source!r} (known: {', '.join(builders)})")
            entries.extend(builders[source]())
        lexicon = Lexicon.from_entries(entries)
        if cache:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".tmp{os.getpid()}")  # one per process: workers may build it at once
            lexicon.save(tmp)
            tmp.replace(cached)
    user = [e for path in config.user_dictionaries for e in read_user_dictionary(path)]
    return lexicon.with_entries(user) if user else lexicon
