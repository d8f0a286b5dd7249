"""Combine the model's spans with the rule tagger's AMOUNT and SLOGAN spans.

Amounts and quoted slogans follow regular patterns that ``govner.rules`` encodes
from the guideline (number + unit; the content of a quotation unless it is
speech), and those patterns hold in reports from any province, where a model
trained on a few reports is less sure. So a rule span wins over the model spans it
overlaps (of nested entities the guideline keeps the outermost) and is added where
the model found nothing; only a model LOC or ORG span with exactly its boundaries
wins (a quoted place name is a place).

>>> model = [Span(0, 4, "SLOGAN"), Span(10, 12, "LOC")]
>>> rules = [Span(0, 6, "SLOGAN"), Span(10, 12, "SLOGAN"), Span(20, 24, "AMOUNT")]
>>> combine_with_rules(model, rules)
[Span(start=0, end=6, label='SLOGAN'), Span(start=10, end=12, label='LOC'), Span(start=20, end=24, label='AMOUNT')]
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import tempfile
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from functools import cache, lru_cache
from itertools import accumulate, pairwise
from pathlib import Path
from typing import BinaryIO, NamedTuple

from govner.config import cache_dir
from govner.data.conventions import (
    ADMIN_LEVELS,
    BODY_AFTER_LEVEL,
    COUNT_OF_DIVISIONS,
    DIVISION_LEVELS,
    LIST_BREAKS,
    ROUTE_JOIN,
)
from govner.data.document import Span
from govner.data.lexicon import suffix_rows
from govner.data.normalize import HAN, HAN_CHAR, PINYIN_LETTERS, TONE_MARKED, NormalizedText
from govner.labels import (
    CLOSING_QUOTES,
    INSIDE_NAME_LABELS,
    NAME_LABELS,
    OPENING_QUOTES,
    QUOTES,
    RULE_LABELS,
    TWO_WAY_QUOTES,
)
from govner.rules import quotation_contents

# Characters that, right after a place name, make it part of a longer entity (a lower
# administrative level, or a body of that place), traditional forms included.
LONGER_NAME_NEXT = set(ADMIN_LEVELS) | set("縣區鎮鄉") | set("委局办辦厅廳府")
_DIVISION_LEVEL = re.compile(f"[{DIVISION_LEVELS}]")


# As in govner.rules: 2-character quotes (主体, 攻坚) are everyday words whose unquoted uses
# mostly mean something else, so only phrases of 3+ characters are repeated.
REPEAT_MIN_CHARS = 3

# a run of lowercase pinyin with a tone mark in it (zhàn, chǎnyè): no name is written so
_PINYIN_ONLY = re.compile(f"[{PINYIN_LETTERS}]*[{TONE_MARKED}][{PINYIN_LETTERS}]*")


class _Intervals:
    """Answers "does ``[start, end)`` overlap any of these spans?" in O(log n).

    Sorted by start with a running maximum of the ends: the spans starting before
    ``end`` are a prefix, and one of them reaches past ``start`` iff the prefix's
    largest end does. (Reports have hundreds of spans; comparing every pair made
    post-processing quadratic in the length of a report.)
    """

    def __init__(self, spans: Sequence[Span]) -> None:
        ordered = sorted(spans, key=lambda s: s.start)
        self.starts = [s.start for s in ordered]
        self.reach = list(accumulate((s.end for s in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect_left(self.starts, end)
        return k > 0 and self.reach[k - 1] > start


def drop_overlaps(spans: Sequence[Span]) -> list[Span]:
    """``spans`` sorted, without any span that overlaps an earlier one.

    Windows of an over-long sentence overlap, and a span that starts in one window's own
    region may run into the next window's, where that window found a span of its own;
    the first one (which the tagger saw with context on both sides) is kept, so the
    output is always flat, as IOB2 (``--format conll``) and Label Studio need.

    >>> drop_overlaps([Span(5, 9, "ORG"), Span(0, 6, "LOC"), Span(9, 10, "LOC")])
    [Span(start=0, end=6, label='LOC'), Span(start=9, end=10, label='LOC')]
    """
    kept: list[Span] = []
    for span in sorted(spans):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def drop_pinyin_spans(text: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` (the network's) without those that are lowercase pinyin: scraped notes.

    A note whose parenthesis the scraper broke (``反饋?zhàn)``) stays in the text the model reads,
    and the model may tag its letters, as any label. No name, amount or slogan is written in
    tone-marked pinyin alone; Latin names with accents (``Nestlé``) are not pinyin and stay.

    >>> drop_pinyin_spans("反馈?zhàn)情况，Nestlé", [Span(3, 7, "SLOGAN"), Span(11, 17, "ORG")])
    [Span(start=11, end=17, label='ORG')]
    """
    return [s for s in spans if not _PINYIN_ONLY.fullmatch(text, s.start, s.end)]


@cache
def _kind_words() -> dict[str, frozenset[str]]:
    """The endings of govner/data/suffixes.tsv that name a kind of place (经开区, 大桥: ``site_suffix``) or of
    organization (集团, 分公司: ``org_suffix``), by the label a span made of one alone would have. Bodies are
    not among them: a bare 县委 or 管委会 is the report's own body, an ORG in the guideline."""
    kinds = {"site_suffix": "LOC", "org_suffix": "ORG"}
    words: dict[str, set[str]] = {"LOC": set(), "ORG": set()}
    for word, category in suffix_rows():
        if category in kinds and len(word) >= 2:  # 港 alone is Hong Kong
            words[kinds[category]].add(word)
    return {label: frozenset(found) for label, found in words.items()}


def drop_kind_words(text: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` without a LOC or ORG that is only the word for a kind of place or organization, nor an ORG that
    is an industry or a fair, and a zone's word cut off a park's name.

    The guideline tags names, and "unnamed areas" are never LOC: a report that names its zone once goes on
    with ``经开区`` alone, and the network (and propagation after it) tags that too; it does the same with
    ``集团`` or ``分公司`` for the company of the sentence before. An ORG that ends in a word of 局 that is no bureau
    (:data:`WORDS_ENDING_IN_JU`: a headline's ``新春开新局``) goes too. Kept: a kind that touches another span (the
    network's ``[常德][经开区]`` is merged into one place later) and a kind that is also a place's name, where the
    text has it with a level (``大桥`` of ``大桥镇``, ``新城`` of ``新城区``). ``text`` is what the spans index, in
    simplified characters.

    >>> text = "今年经开区新注册企业46家，常德经开区，集团旗下；大桥镇：大桥新签约项目。新春开好局"
    >>> spans = [Span(2, 5, "LOC"), Span(14, 16, "LOC"), Span(16, 19, "LOC"), Span(20, 22, "ORG"), Span(29, 31, "LOC"),
    ...          Span(37, 42, "ORG")]
    >>> [text[s.start : s.end] for s in drop_kind_words(text, spans)]
    ['常德', '经开区', '大桥']

    A zone's word before the name of a park in it is no part of the park's name either (the guideline's
    ``经开区光伏新材料产业园`` → ``光伏新材料产业园``):

    >>> text = "开发区新能源产业园已集聚企业"
    >>> [text[s.start : s.end] for s in drop_kind_words(text, [Span(0, 9, "LOC")])]
    ['新能源产业园']

    Nor is an ORG that the report names as an industry somewhere (``铜基新材料`` … ``铜基新材料产业``), nor a
    trade fair's short name (an event):

    >>> text = "新开工铜基新材料项目9个，铜基新材料产业营收增长，参加广交会"
    >>> drop_kind_words(text, [Span(3, 8, "ORG"), Span(13, 18, "ORG"), Span(27, 30, "ORG")])
    []
    """
    kinds = _kind_words()
    industries = _industries(text, spans)
    spans = [_without_leading_zone(text, s) for s in spans
             if s.label != "ORG" or text[s.start : s.end] not in industries]
    places = [s for s in spans if s.label == "LOC"]  # only places are merged (merge_adjacent)
    ends, starts = {s.end for s in places}, {s.start for s in places}
    return [
        s for s in spans
        if not (s.label == "ORG" and text.endswith(WORDS_ENDING_IN_JU, s.start, s.end))
        and (
            text[s.start : s.end] not in kinds.get(s.label, ())
            or (s.label == "LOC" and (s.start in ends or s.end in starts
                                      or _named_with_level(text, text[s.start : s.end])))
        )
    ]


# a zone's kind word that a park's name in it may follow (开发区 + 新能源产业园), and the endings of such a park; a
# choice among suffixes.tsv's site_suffix words, not all of them: a scenic area's or a community's word (景区, 社区)
# before a park is no zone, and 公园 is no park of a zone; 科技园区 is one ending, so a bare 科技园区 keeps its zone
_ZONE_WORDS = tuple(sorted(  # longest first: 经济开发区 before 开发区
    ("经开区", "经济开发区", "经济技术开发区", "高新区", "开发区", "工业园区", "产业园区", "园区", "新区",
     "保税区", "综合保税区", "自贸区", "示范区", "集聚区"), key=len, reverse=True))
_PARK_ENDING = re.compile("(?:产业园|工业园|科技园|物流园)区?$|园区$")


# an industry or a field after a name: 铜基新材料 + 产业; not what a company has or does: its 产业园, 产业链 (its
# suppliers), 产业基地, 产业基金, 产业带 (京东产业带), 产业化, 产业扶贫, 产业生态 …
_INDUSTRY_AFTER = "(?:产业(?!链|园|基地|城|集团|投资|联盟|发展基金|基金|带|化|扶贫|帮扶|生态|工人|资本|互联网)|领域)"


def _industries(text: str, spans: Sequence[Span]) -> set[str]:
    """The ORG names of ``spans`` that are an industry or an event: written somewhere in ``text`` right before
    产业 or 领域 as :data:`_INDUSTRY_AFTER` reads them (``铜基新材料产业``; of the 9,241 gold organizations of the
    project's 380 reports, the four followed by 产业 go on as a company's park or group does, which it leaves out:
    ``泰山体育产业集团``), and not ending like a company or a body (``恒大集团``, ``市发改委``); or the short name of a
    trade fair (``广交会``)."""
    names = {text[s.start : s.end] for s in spans if s.label == "ORG"}
    endings = _named_endings(kinds=False)  # not the industry words of org_suffix: 新材料 is this step's case
    return {
        name for name in names
        if _FAIR.fullmatch(name)
        or (not name.endswith(endings) and re.search(re.escape(name) + _INDUSTRY_AFTER, text) is not None)
    }


# the short name of a trade fair is an event, which the guideline never tags (西博会, 广交会, 进博会, 服贸会)
_FAIR = re.compile(f"[{HAN}]{{1,2}}[交博洽贸展]会")


def _without_leading_zone(text: str, span: Span) -> Span:
    """A LOC made of a zone's kind word and a park named in it, cut to the park (``开发区`` + ``新能源产业园``);
    the park needs a name of 2+ characters before its ending (not 园区 + 路, 开发区 + 大道, 高新区 + 科技园区)."""
    if span.label != "LOC":
        return span
    name = text[span.start : span.end]
    for zone in _ZONE_WORDS:
        if name.startswith(zone):
            park = _PARK_ENDING.search(name, len(zone))
            if park and park.start() - len(zone) >= 2:
                return Span(span.start + len(zone), span.end, "LOC")
            return span
    return span


# words that end in 局 as a bureau does and are none: a headline's 新春开好局 or 开新局 (a good start), 新格局, 大局;
# not 新局 nor 全局 alone, which end 科技创新局, 城市更新局 and 国家安全局
WORDS_ENDING_IN_JU = (
    "开局", "开新局", "开好局", "谱新局", "开创新局", "谋好局", "起好局", "布局", "格局", "大局", "变局", "结局")


# the levels after which a kind of place is a place's own name (大桥镇, 新城区, 古城村, 古城街道; not 旗 of 集团旗下)
_NAME_LEVELS = "(?:[镇乡区县市村]|街道|社区)"


def _named_with_level(text: str, kind: str) -> bool:
    """Whether ``text`` has ``kind`` with a level after it as a place's name (大桥镇, 新城区), not as a longer kind
    (产业园区) nor before 市场 (经开区市场监管局)."""
    longer_kinds = _kind_words()["LOC"]
    return any(
        found.group() not in longer_kinds
        for found in re.finditer(f"{re.escape(kind)}{_NAME_LEVELS}(?!场)", text)
    )


def combine_with_rules(model_spans: Sequence[Span], rule_spans: Sequence[Span]) -> list[Span]:
    """Flat spans: model spans, with rule AMOUNT/SLOGAN spans taking precedence over model ones.

    A rule span gives way only to a model LOC/ORG span with exactly its boundaries (a
    quoted place or organization name); a model span inside or across a rule span is
    dropped, since of nested entities the guideline keeps the outermost one.
    """
    names = {(m.start, m.end) for m in model_spans if m.label not in RULE_LABELS}
    kept_rules = [r for r in rule_spans if r.label in RULE_LABELS and (r.start, r.end) not in names]
    rules = _Intervals(kept_rules)
    kept_model = [m for m in model_spans if not rules.overlaps(m.start, m.end)]
    return sorted([*kept_model, *kept_rules])


# Characters of context on each side that jieba segments to tell whether a 2-character occurrence
# is a word of its own there: enough for the words around it (jieba's words are mostly 2-4 characters;
# a review found no disagreement with segmenting whole sentences at any 2-character position of the
# five seed reports).
SEGMENT_CONTEXT = 6
# What may follow a place inside one jieba word and still leave the place a LOC of its own: the
# guideline tags 上杭 in 上杭籍 (native of) and 湖南 in 湖南人 (syn_p review), jieba has 江苏籍 as a word; the
# postpositions 畔 and 内 make words with a place's last character (江畔, 区内: 金沙江畔, 板石镇工业集中区内)
PLACE_WORD_ENDINGS = ("籍", "人", "畔", "内")


_SEGMENTER_LOCK = threading.Lock()


def _new_segmenter_lock() -> None:
    global _SEGMENTER_LOCK
    _SEGMENTER_LOCK = threading.Lock()


# a child forked while another thread of its parent held the lock would wait for it forever
os.register_at_fork(after_in_child=_new_segmenter_lock)


def _segmenter():  # -> jieba.Tokenizer
    with _SEGMENTER_LOCK:  # loaded once, also when several threads of `govner predict --threads` ask first
        return _load_segmenter()


# jieba's words seen fewer than this many times are left out of the segmenter's dictionary, unless
# they are proper nouns: rare place names (民和县, 八家子镇) are what keeps a right place from looking
# cut, while rare common words only slow the load (docs/predict.md, "Names inside words")
SEGMENTER_MIN_FREQUENCY = 5
PROPER_NOUN_TAGS = frozenset({"ns", "nt", "nz", "nr", "nrt", "nrfg"})  # places, bodies, other names, persons


def _kept_for_segmenter(fields: list[str]) -> bool:
    """A line of jieba's dict.txt (word, count, part of speech) that the segmenter keeps."""
    if len(fields) != 3 or not fields[1].isdigit():
        return False
    return int(fields[1]) >= SEGMENTER_MIN_FREQUENCY or fields[2] in PROPER_NOUN_TAGS


def _segmenter_dictionary(jieba_dict: Path, folder: Path) -> Path:
    """jieba's ``dict.txt`` without its rare common words, written once into ``folder``."""
    source = jieba_dict.stat()
    path = folder / f"dict-{source.st_size}-{source.st_mtime_ns}-min{SEGMENTER_MIN_FREQUENCY}-names.txt"
    if not path.exists():
        lines = jieba_dict.read_text(encoding="utf-8").splitlines()
        folder.mkdir(parents=True, exist_ok=True)
        # several processes may build it at once: each writes its own file and renames it into place
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False) as out:
            out.write("\n".join(line for line in lines if _kept_for_segmenter(line.split())) + "\n")
        os.replace(out.name, path)
    return path


@cache
def _segmenter_dictionary_path() -> Path:
    """The segmenter's dictionary file (word, count, tag per line), written once per jieba version."""
    import jieba

    source = Path(jieba.__file__).with_name("dict.txt")
    # govner's per-user cache, not the shared temp directory, where another user's jieba cache can be
    # neither read nor replaced; a folder of this process's own where that cache cannot be written
    try:
        return _segmenter_dictionary(source, cache_dir() / "jieba")
    except OSError:
        return _segmenter_dictionary(source, Path(tempfile.mkdtemp(prefix="govner-jieba-")))


@cache
def _load_segmenter():  # -> jieba.Tokenizer, imported and loaded lazily
    import jieba

    dictionary = _segmenter_dictionary_path()
    # its own instance: words a caller adds to jieba's default do not reach it
    tokenizer = jieba.Tokenizer(str(dictionary))
    tokenizer.FREQ, tokenizer.total = _prefix_dictionary(dictionary, jieba.Tokenizer.gen_pfdict)
    tokenizer.initialized = True  # what jieba's initialize() sets up, without its own cache
    return tokenizer


def _prefix_dictionary(
    dictionary: Path, build: Callable[[BinaryIO], tuple[dict[str, int], int]]
) -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary of ``dictionary`` (each word and word prefix → count; the total
    count), built by ``build`` (``jieba.Tokenizer.gen_pfdict``) once and cached beside it.

    jieba would cache it as well, but reads its cache with ``marshal.load`` on the open file,
    several times slower than the same bytes read whole and then parsed, and the load is a
    start-up cost of every ``govner predict`` (docs/predict.md, "Names inside words").
    The dictionary's name already changes with jieba's ``dict.txt``, so the cache's does too.
    """
    cached = dictionary.with_name(dictionary.stem + ".prefixes.marshal")
    try:
        frequencies, total = marshal.loads(cached.read_bytes())
        if isinstance(frequencies, dict) and isinstance(total, int):
            return frequencies, total
    except (OSError, EOFError, ValueError, TypeError):  # not written yet, or cut short: built again
        pass
    with dictionary.open("rb") as lines:
        frequencies, total = build(lines)
    written: Path | None = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=cached.parent, suffix=".tmp", delete=False) as out:
            written = Path(out.name)
            marshal.dump((frequencies, total), out)
        os.replace(written, cached)
    except OSError:  # without the cache the next run only starts more slowly
        if written is not None:
            with contextlib.suppress(OSError):
                written.unlink(missing_ok=True)
    return frequencies, total


@lru_cache(maxsize=1 << 16)
def _word_edges(window: str) -> frozenset[int]:
    """Offsets in ``window`` where jieba's dictionary-only segmentation puts a word boundary.

    Cached: reports repeat their phrases, and propagation checks the same names again and again.
    """
    edges, offset = {0}, 0
    for word in _segmenter().cut(window, HMM=False):
        offset += len(word)
        edges.add(offset)
    return frozenset(edges)


def splits_a_word(
    text: str, start: int, end: int, context: int = SEGMENT_CONTEXT, left: bool = True, right: bool = True
) -> bool:
    """Whether jieba, segmenting ``text`` around ``[start, end)``, puts a word across either edge.

    A 2-character name recurs inside other words (重庆 in 隆重庆祝 = 隆重 + 庆祝); jieba's
    dictionary and word frequencies say where the words are. Only dictionary words count (no HMM
    guesses at unknown words), and a name counts as split as soon as a dictionary word crosses one
    of its edges, whether or not jieba knows the name itself. A word across the right edge whose part
    after the name is one of :data:`PLACE_WORD_ENDINGS` does not split it (上杭 in 上杭籍, 金沙江 in 江畔).
    ``left`` / ``right`` False: that edge is not checked.

    >>> splits_a_word("我们隆重庆祝经开区晋升", 3, 5), splits_a_word("重庆药友在重庆投资", 5, 7)
    (True, False)
    """
    offset = max(0, start - context)
    window = text[offset : min(len(text), end + context)]
    edges = _word_edges(window)
    first, last = start - offset, end - offset
    if left and first not in edges:
        return True
    if not right or last in edges:
        return False
    following = min((edge for edge in edges if edge > last), default=len(window))  # the word begun at the name
    return window[last:following] not in PLACE_WORD_ENDINGS


def drop_places_across_words(text: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` without the LOC spans, other than those of 2 characters, that cut a jieba word.

    A place the network found with a wrong edge often cuts a word (``[华]为``, ``[涑水河闻]喜``,
    ``[隆回区]位优越``); a right one seldom does. 2-character places are kept: many are names jieba
    does not know, whose neighbours it joins into words (``恩阳`` in ``恩阳高规格``), and dropping
    them lost right places on the real seed reports. An edge where another place touches is not
    checked (``[保定市][容城县]`` is one address, whatever jieba makes of 市容). Offsets are those of
    ``text``.

    >>> drop_places_across_words("充分发挥华为常德工业互联网作用", [Span(4, 5, "LOC"), Span(6, 8, "LOC")])
    [Span(start=6, end=8, label='LOC')]
    """
    places = [s for s in spans if s.label == "LOC"]
    place_ends, place_starts = {s.end for s in places}, {s.start for s in places}
    return [
        s for s in spans
        if s.label != "LOC" or s.end - s.start == 2
        or not splits_a_word(text, s.start, s.end, left=s.start not in place_ends, right=s.end not in place_starts)
    ]


# The endings of a park or zone that a place and the words of its industry name (拉哈镇 + 大豆加工 + 园区); the
# guideline's "a place and the named site in it that follows directly are one LOC" (西华县双汇物流园区, 余庆县工业园区)
PARK_ENDINGS = (
    "经济技术开发区", "经济开发区", "工业园区", "产业园区", "物流园区", "科技园区", "工业园", "产业园", "科技园",
    "物流园", "园区", "开发区", "经开区", "高新区", "示范区", "先行区", "集聚区", "集中区", "合作区", "试验区",
    "产业带", "经济带", "度假区", "旅游区",
)
# The endings of a platform or institute that a place and the words of its field name, one ORG (吉林省 + 碳纤维复合
# 材料 + 中试基地, 永年区 + 紧固件产业数字化 + 服务平台), as the project's rulings make a named platform a body
INSTITUTE_ENDINGS = ("中试基地", "服务平台", "互联网平台", "创新中心", "检验检测中心", "研究院")
# jieba's tags of the words a park's name holds between the place and its ending: nouns (n, nz, ng), verbal and
# adjectival nouns (加工/vn), abbreviations (光伏/j), idioms (一体化/l) and places (口岸/s); never a verb,
# preposition, conjunction or number, nor a distinguishing word (省级 + 产业园: a kind of zone, not its name)
_PARK_WORD_TAGS = frozenset({"n", "nz", "ng", "vn", "an", "j", "l", "s"})
# words jieba tags as nouns that say what is done there, which of many or what kind it is, not what the park makes
# or the platform serves (利川市 + 调研 + 工业园区, 天长校区 + 落户 + 园区, 湖北省 + 重点 + 产业园区, 亚丁 + 高端 +
# 度假区, 杭州市 + 政务 + 服务平台, 北京 + 国际 + 科技创新中心)
_NOT_PARK_NAME_WORDS = frozenset({
    "调研", "考察", "视察", "督导", "观摩", "检查", "领导", "走访", "建设", "推进", "对接", "落户", "落地", "投产",
    "招商", "高端", "重点", "各类", "相关", "主要", "政务", "企业", "公共", "综合", "国际", "全球",
})
PARK_NAME_CHARS = 10  # the most characters between the place and the ending
_PARK_AND_INSTITUTE_ENDINGS = "|".join(sorted(PARK_ENDINGS + INSTITUTE_ENDINGS, key=len, reverse=True))
_PARK_NAME = re.compile(f"[{HAN}]{{0,{PARK_NAME_CHARS}}}?(?P<ending>{_PARK_AND_INSTITUTE_ENDINGS})")


def _is_province(name: str, provinces: Collection[str]) -> bool:
    """Whether ``name`` is a province or autonomous region: its full name (by its level) or one of ``provinces``
    (the tagger passes jionlp's names and short forms; a caller without them still has the full names)."""
    return name.endswith(("省", "自治区")) or name in provinces


# a count of kinds (五大开发区, 两个园区) after the last place of a list: not a park's name
_COUNT_OF_KINDS = re.compile(r"(?:[两二三四五六七八九十]+|\d+)[个大]")


def extend_places_over_park_words(
    text: str, spans: Sequence[Span], institutes: bool = True, provinces: Collection[str] = ()
) -> list[Span]:
    """``spans`` with each LOC that the words of a park's name and its ending directly follow extended over them.

    The network often stops at the place that begins a park's or zone's name (``[陕坝镇]农畜产品加工园区``), where
    the guideline makes the place and the site that follows it one LOC; so it does with a platform's or
    institute's name, which becomes one ORG (``[吉林省]碳纤维复合材料中试基地``: :data:`INSTITUTE_ENDINGS`; not
    with ``institutes`` False). Taken in: at most :data:`PARK_NAME_CHARS` characters up to the first ending of
    :data:`PARK_ENDINGS` or of those, one or more jieba dictionary words (of 2+ characters: those have a tag)
    tagged as nouns or the like (:data:`_PARK_WORD_TAGS`, not :data:`_NOT_PARK_NAME_WORDS`), and no other
    span. A verb or a function word keeps the place alone (``利川市调研工业园区``, ``辛口镇与经开区``,
    ``红旗泡水库至园区``), and so do an ending alone, which may be generic (``菏泽市开发区综合考核``: the city's
    zones), a count of kinds (``中新天津生态城五大开发区``: the list's zones), and a province before a park's
    ending (``河北省化工园区认定``: a kind of park in the province; a name ending in 省 or 自治区, or one of
    ``provinces``).
    ``text`` is what the spans index, in simplified characters.

    >>> text = "陕坝镇农畜产品加工园区内，辛口镇与经开区错位发展，吉林省碳纤维复合材料中试基地投入运行"
    >>> spans = [Span(0, 3, "LOC"), Span(13, 16, "LOC"), Span(25, 28, "LOC")]
    >>> [(text[s.start : s.end], s.label) for s in extend_places_over_park_words(text, spans)]
    [('陕坝镇农畜产品加工园区', 'LOC'), ('辛口镇', 'LOC'), ('吉林省碳纤维复合材料中试基地', 'ORG')]
    """
    taken = _Intervals(spans)
    extended: list[Span] = []
    for span in spans:
        found = _PARK_NAME.match(text, span.end) if span.label == "LOC" else None
        if found and not taken.overlaps(span.end, found.end()):
            institute = found.group("ending") in INSTITUTE_ENDINGS
            words = [word for _, word in _words(text, span.end, found.start("ending"))]
            # no word of 1 character (those have no tag); not the ending alone: 菏泽市开发区综合考核 is the city's
            # zones, a generic noun after the place
            if (words and all(_word_tag(w) in _PARK_WORD_TAGS and w not in _NOT_PARK_NAME_WORDS for w in words)
                    and not _COUNT_OF_KINDS.match(text, span.end)  # 中新天津生态城 + 五大开发区: a list's count
                    and (institutes if institute else not _is_province(text[span.start : span.end], provinces))):
                span = Span(span.start, found.end(), "ORG" if institute else "LOC")
        extended.append(span)
    return extended


# what may follow the one 1-character product word, 技 of 技改 / 技扩改 (a technical upgrade): 岚醇酒|技扩改
_UPGRADE_NEXT = ("改", "扩改")


@cache
def name_endings() -> tuple[str, ...]:
    """What ends a name: every ending of govner/data/suffixes.tsv, its units (支行, 厂, 部 …) included."""
    return tuple(word for word, _ in suffix_rows())


def trim_to_short_names(
    text: str, spans: Sequence[Span], places: Collection[str] = (), endings: tuple[str, ...] | None = None
) -> list[Span]:
    """``spans`` with each ORG cut back to a shorter ORG of the same document that begins it.

    Lists of projects run a company's short name straight into its product (``泽弘尼龙66``,
    ``锡盟牧恒奶酪``, ``岚醇酒技扩改``), and the network often takes the product into the name,
    where the guideline tags the company only. When the network also found the short name on
    its own somewhere in the document (``泽弘、天衡等``), a longer ORG that begins with it is cut
    back to it, the rest left untagged. Not when the rest ends as a name does (``endings``, by
    default :func:`name_endings`: ``吉林银行和龙支行`` is a branch, ``蓝润饲料加工厂`` a plant), is
    one character (other than the 技 of 技改), or the short name is a place (``places``:
    ``兴安盟牧恒奶酪``). Offsets are those of ``text``.

    >>> text = "泽弘尼龙66、天衡等项目开工。泽弘为龙头，天衡集团"
    >>> spans = [Span(0, 6, "ORG"), Span(7, 9, "ORG"), Span(15, 17, "ORG"), Span(21, 25, "ORG")]
    >>> [text[s.start : s.end] for s in trim_to_short_names(text, spans)]
    ['泽弘', '天衡', '泽弘', '天衡集团']
    """
    endings = name_endings() if endings is None else endings
    # a comprehension, not a set difference: ``places`` is the whole division table, not to be copied per document
    short_names = {name for s in spans if s.label == "ORG" and (name := text[s.start : s.end]) not in places}
    trimmed = []
    for span in spans:
        name = text[span.start : span.end]
        short = None
        if span.label == "ORG":  # the longest ORG name that begins this one: one set lookup per prefix
            short = next((name[:k] for k in range(len(name) - 1, 1, -1) if name[:k] in short_names), None)
        if short is not None:
            rest = name[len(short) :]
            upgrade = rest == "技" and text.startswith(_UPGRADE_NEXT, span.end)
            if (len(rest) >= 2 or upgrade) and not rest.endswith(endings):
                span = Span(span.start, span.start + len(short), span.label)
        trimmed.append(span)
    return trimmed


# Last characters of a place's name (the text is simplified): an item of a list of companies that ends so
# is left alone (港 is not among them: a port that signs is ORG, like 盐田港), and a company's name never
# ends so, nor in 港 or 湾 (雄安新区 + 容城 is no company).
PLACE_NAME_ENDS = frozenset(ADMIN_LEVELS) | frozenset("园路街湖山江河岛")
_NOT_A_COMPANY_END = PLACE_NAME_ENDS | frozenset("港湾")
# A region named by a province's one-character form and a direction (苏北, 晋东南, 冀中) or 三角 (珠三角) is
# no company either; this also rules out the rare brand built so (京东), which the network has to find alone.
_REGION_NAME = re.compile(f"[{HAN}]{{1,2}}[东南西北中]|[{HAN}]*三角")

# What ends the name of a company's own facility named after a place: its base, plant, store, centre
# or regional headquarters (simplified; each ending in full, so a longer one is listed on its own). The
# guideline tags the company and the place in it and not the facility (annotations/GUIDELINES.md,
# "Production bases and headquarters"), while a branch or a plant that is a company of its own
# (分公司, 支行, 炼化, 供电公司) ends otherwise and stays one ORG.
FACILITY_WORDS = (
    "生产基地", "制造基地", "基地", "智能工厂", "工厂", "旗舰店", "免税店", "首店", "门店", "店",
    "购物中心", "分拨中心", "配送中心", "区域总部", "营销总部", "总部",
)
# what may follow a company and a place that the network took together (中核霞浦 + 项目)
_AFTER_COMPANY_PLACE = (*FACILITY_WORDS, "项目")


def split_company_facilities(text: str, spans: Sequence[Span], places: Collection[str]) -> list[Span]:
    """``spans`` with a company's facility named after a place split into the company and the place.

    Reports name a company's base, plant or store by the company and the place
    (``今麦郎长治生产基地``, ``大润发铜仁店``), and the guideline tags the company (ORG) and
    the place (LOC) in it, not the facility; the network often takes the two together, as
    one LOC (``今麦郎长治``) or one ORG (``物美滁州首店``). A LOC or ORG span that is a
    company, a place of ``places`` (division names and short forms) and a facility word of
    :data:`FACILITY_WORDS`, or a company and a place that one of them or 项目 follows,
    becomes an ORG and a LOC; a LOC that is a place and a facility word (``宝鸡基地``)
    keeps the place. The company part must be two Han characters or more, not a place, not
    end like a place (:data:`_NOT_A_COMPANY_END`), not be a region (``苏北``), and no place of
    ``places`` may run across its end into the place (``赣州市信丰县``: 丰县 is a county too).
    Where no facility word names it, a LOC that is a company the document names (an ORG, or the start
    of a company's full name: ``阿特斯`` of ``阿特斯阳光电力集团有限公司``) and a place of ``places`` is
    split there too (``阿特斯清水河光储项目``), where the cut splits no jieba word, the place is no
    kind of place (``南桥新城``) and the whole is no such company name. ``text`` is what the spans
    index, normalized.

    >>> text = "今麦郎长治生产基地投产，物美滁州首店开业，宝鸡基地扩建"
    >>> found = split_company_facilities(text, [Span(0, 5, "LOC"), Span(12, 18, "ORG"), Span(21, 25, "LOC")],
    ...                                  {"长治", "滁州", "宝鸡"})
    >>> [(text[s.start : s.end], s.label) for s in found]
    [('今麦郎', 'ORG'), ('长治', 'LOC'), ('物美', 'ORG'), ('滁州', 'LOC'), ('宝鸡', 'LOC')]
    >>> text = "阿特斯阳光电力公司的阿特斯清水河光储项目"
    >>> found = split_company_facilities(text, [Span(0, 9, "ORG"), Span(10, 16, "LOC")], {"清水河"})
    >>> [(text[s.start : s.end], s.label) for s in found]
    [('阿特斯阳光电力公司', 'ORG'), ('阿特斯', 'ORG'), ('清水河', 'LOC')]
    """
    companies = _company_names(text, spans, places)
    result: list[Span] = []
    for span in spans:
        parts = None
        if span.label in ("LOC", "ORG"):
            name = text[span.start : span.end]
            parts = _company_and_place(name, text.startswith(_AFTER_COMPANY_PLACE, span.end), places)
            if parts is None and span.label == "LOC":
                parts = _named_company_and_place(text, span, companies, places)
        if parts is None:
            result.append(span)
        elif parts.company_end == 0:  # a place and a facility word
            # an ORG so named may be a body of its own (宝鸡基地 as a unit's name): only a LOC is cut back
            result.append(Span(span.start, span.start + parts.place_end, "LOC") if span.label == "LOC" else span)
        else:
            result += [Span(span.start, span.start + parts.company_end, "ORG"),
                       Span(span.start + parts.company_end, span.start + parts.place_end, "LOC")]
    return result


class _CompanyAndPlace(NamedTuple):
    company_end: int  # 0: no company, the name is a place and a facility word
    place_end: int


def _company_and_place(name: str, facility_next: bool, places: Collection[str]) -> _CompanyAndPlace | None:
    """Where the company part of ``name`` ends and where the place after it ends, if ``name`` is a company,
    a place and a facility word (or a company and a place, when ``facility_next``), or a place and a facility
    word."""
    # where a place could end: before a facility word that ends the name, or at its end (a few spans only, so
    # the places are looked up for those alone: the step must not slow prediction down)
    if not (facility_next or name.endswith(FACILITY_WORDS)):
        return None
    place_ends = [len(name) - len(word) for word in FACILITY_WORDS if name.endswith(word)]
    if facility_next:
        place_ends.append(len(name))
    for start in (0, *range(2, len(name) - 1)):
        for end in place_ends:
            # a bare place that a facility word follows is no facility's name: it stays as it is
            if end <= start or name[start:end] not in places or (not start and end == len(name)):
                continue
            if start and not _may_begin_with_company(name, start, places):
                continue
            return _CompanyAndPlace(start, end)
    return None


def _company_names(text: str, spans: Sequence[Span], places: Collection[str]) -> frozenset[str]:
    """What may name a company of the document: each ORG as tagged (农夫山泉, 蔚来), and the starts of each
    ORG that holds a company word (:data:`COMPANY_WORDS`), read from its first character or after a place at its
    start (阿特斯 of 阿特斯阳光电力集团股份有限公司, 锐达 of 江西锐达液压科技有限公司); not the starts of a body,
    a museum or an association (西海岸 of 西海岸新区管委会)."""
    names = set()
    for span in spans:
        if span.label != "ORG":
            continue
        name = text[span.start : span.end]
        names.add(name)
        if any(word in name for word in COMPANY_WORDS):
            begins = (0, *(k for k in range(2, len(name) - 1) if name[:k] in places))
            names.update(name[begin:end] for begin in begins for end in range(begin + 2, len(name)))
    return frozenset(names)


def _named_company_and_place(
    text: str, span: Span, companies: Collection[str], places: Collection[str]
) -> _CompanyAndPlace | None:
    """Where a company of ``companies`` (:func:`_company_names`) ends at the start of the LOC ``span`` whose rest
    is a place of ``places``, the longest first; not where the cut splits a jieba word."""
    name = text[span.start : span.end]
    if name in companies:  # the place of a company (长兴 of 长兴…有限公司), or a name the document tags as ORG
        return None
    kinds = _kind_words()["LOC"]  # a kind is no place after a company (南桥 + 新城)
    for cut in range(len(name) - 2, 1, -1):
        rest = name[cut:]
        if (rest in places and rest not in kinds and name[:cut] in companies
                and _may_begin_with_company(name, cut, places)
                and not splits_a_word(text, span.start, span.start + cut, left=False)):
            return _CompanyAndPlace(cut, len(name))
    return None


def _may_begin_with_company(name: str, cut: int, places: Collection[str]) -> bool:
    """Whether ``name[:cut]`` may be a company's name before a place: Han characters, no place nor region, no
    place's ending, and no place of ``places`` across the cut (``赣州市信丰县``: 丰县 is a county too)."""
    company = name[:cut]
    return not (company in places or company[-1] in _NOT_A_COMPANY_END or _REGION_NAME.fullmatch(company)
                or not all(HAN_CHAR.match(c) for c in company)
                or any(name[i:j] in places for i in range(cut) for j in range(cut + 1, len(name) + 1)))


# Titles after which a name is a person's, in lists of officials and a page's credits (县委书记吴锦屏, 市长马贺山,
# 责任编辑：覃融安), simplified; after a credit a whole name may be a dateline's place (记者石家庄报道), so there only
# a surname marks a person. And 345 common single-character surnames; 于, 向 and 任 also lead to a place
# (县长于北京会见, 副县长向日本客商推介), so they mark a person only where the report writes the whole name again
# (PREPOSITION_SURNAMES: 县委书记向荣华 … 向荣华指出). All written for govner.
OFFICIAL_TITLES = (
    "书记", "县长", "区长", "市长", "州长", "旗长", "盟长", "镇长", "乡长", "省长", "主任", "主席", "局长", "部长",
    "厅长", "处长", "科长", "所长", "董事长", "总经理", "经理",
)
CREDIT_TITLES = ("编辑", "记者", "通讯员", "审核", "校对", "撰稿", "摄影", "作者")
COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤"
    # less common ones, which officials of many counties bear (县长冉光明, 书记覃, 州长向: the Tujia counties)
    "洪常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚"
    "岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝官封"
    "谈匡鞠惠荆冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝郜阚权强帅屠朴盖练廉禹井祖漆卿狄计索宣晋芮阙"
    "浦戈伏鹿薄邸雍辜羊母裘亓邰赫杭况鲜印逯隆茹诸慕危银亢嵇湛宾戎勾茅揭尉冶束檀衣展昝奉植尧闭"
)
PREPOSITION_SURNAMES = "于向任"
# a title, then the names listed after it before this one (副主任陈德惠、王|农安: two or three characters each, a
# common surname first), then this one's surname
_TITLE_BEFORE = re.compile(
    f"(?P<title>{'|'.join(OFFICIAL_TITLES + CREDIT_TITLES)})[：:]?[ \u3000]?"
    f"(?:[{COMMON_SURNAMES}][{HAN}]{{1,2}}、){{0,3}}(?P<surname>[{COMMON_SURNAMES}{PREPOSITION_SURNAMES}])?$"
)
_TITLE_REACH = 20  # characters before a place read for a title (董事长：王; 副县长方宁川、王; three names listed)


def drop_titled_persons(
    norm: NormalizedText, spans: Sequence[Span], places: Collection[str] = (), other_mentions: bool = True
) -> list[Span]:
    """``spans`` without the places (and names read as organizations) that are persons a title introduces.

    Officials' given names are often place names (``市委书记陈锦江``, ``县长洛绒江村``, and
    ``责任编辑：覃融安`` on a county's page), and a network or a dictionary step that knows the
    place tags it; the guideline never tags persons. A LOC right after a title (:data:`OFFICIAL_TITLES`,
    :data:`CREDIT_TITLES`; a colon or a space may follow it) is dropped when it is the given name after
    a common surname (1–3 characters; after 于, 向 or 任 only a name the report writes twice with it that is no
    place of ``places`` nor ends in a level: not ``副县长向日本客商推介``, ``县委书记于石门镇调研``) or,
    after an official's title with no surname, a whole name of 3–4 characters that is no division of ``places``
    (``石家庄`` after ``记者`` stays: a dateline).
    With ``other_mentions``, the document's other LOC mentions of such a person go too: the whole
    name (``仪式由高河宁主持``) or the given name right after the surname (``刘米林表示``), never the
    place alone (``锦江之畔``). A network reads some names as organizations too (``副省长[邵启年]``): an
    ORG right after an official's title goes, with its other mentions, when it is a whole name of 3–4
    characters that begins with a common surname (not ``书记王景涛、[雷山县委]``, after a listed name).
    Read on the normalized text (simplified, pinyin notes out); offsets are original.

    >>> from govner.data.normalize import normalize
    >>> text = "市委書記陳錦江出席，区长高河宁讲话，仪式由高河宁主持，锦江区代表参加"
    >>> spans = [Span(5, 7, "LOC"), Span(12, 15, "LOC"), Span(21, 24, "LOC"), Span(27, 30, "LOC")]
    >>> [text[s.start : s.end] for s in drop_titled_persons(normalize(text), spans)]
    ['锦江区']
    >>> text = "副省長邵啟年深入柞水縣，邵啟年指出"
    >>> [text[s.start : s.end] for s in drop_titled_persons(normalize(text), [Span(3, 6, "ORG"), Span(12, 15, "ORG")])]
    []
    """
    text = norm.text
    persons: set[str] = set()
    kept: list[tuple[Span, int, int]] = []  # each span kept, with its normalized offsets (-1: none)
    for span in spans:
        try:
            start, end = norm.to_normalized(span.start, span.end)
        except ValueError:  # a span over characters the model does not see (a pinyin note)
            start = end = -1
        title = (span.label in ("LOC", "ORG") and start >= 0
                 and _TITLE_BEFORE.search(text, max(0, start - _TITLE_REACH), start))
        if title and not _title_inside_a_word(text, title.start("title"), title.end("title")):
            surname, name = title["surname"] or "", text[start:end]
            # 副县长向[日本]客商推介, 县委书记于[石门镇]调研: a word that leads to a place, no surname and no person,
            # unless the report writes the whole name again (向荣华 … 向荣华指出) and it is no place
            preposition = surname != "" and surname in PREPOSITION_SURNAMES and (
                name in places or name[-1] in ADMIN_LEVELS or text.count(surname + name) < 2)
            whole_name = (title["title"] in OFFICIAL_TITLES and 3 <= len(name) <= 4 and name not in places
                          and not preposition)
            surname = "" if preposition else surname
            if span.label == "ORG":  # 副省长[邵启年]: a whole name right after the title, a surname first
                right_after = re.fullmatch("[：: \u3000]*", text[title.end("title") : start]) is not None
                # 主任：万达集团, 主任：高新区: a company or a zone, no person
                named = name.endswith(_named_endings(kinds=True))
                surname, whole_name = "", whole_name and right_after and name[0] in COMMON_SURNAMES and not named
            if (surname and len(name) <= 3) or (not surname and whole_name):
                persons.add(surname + name)
                continue
        kept.append((span, start, end))
    if not persons or not other_mentions:
        return [span for span, _, _ in kept]
    return [
        span for span, start, end in kept
        if span.label not in ("LOC", "ORG") or start < 0
        or (text[start:end] not in persons and text[max(0, start - 1) : end] not in persons)
    ]


# A quoted abbreviation of places is LOC, not SLOGAN (annotations/GUIDELINES.md: `“合廣長”` → 合廣長, `“宜荆荆”都市圈`
# → 宜荆荆), and what follows it tells it from a slogan: a word of regional cooperation (not 一体化, which
# slogans take too: “源网荷储”一体化; not 合作: “飞地园区”合作模式), and its length: two or three characters, where
# four-character slogans abound (“专精特新”). Simplified, as the normalized text is.
REGION_COOPERATION_WORDS = (
    "协同", "协作", "同城化", "都市圈", "城市群", "经济圈", "班列", "高铁", "海铁", "边界",
    "两地", "两省", "三地", "三省", "三市",
)
_QUOTED_ABBREVIATION = re.compile(
    f"[{re.escape(OPENING_QUOTES)}]([{HAN}]{{2,3}})[{re.escape(CLOSING_QUOTES)}](?:{'|'.join(REGION_COOPERATION_WORDS)})"
)


def tag_quoted_place_abbreviations(
    norm: NormalizedText, spans: Sequence[Span], every_mention: bool = True
) -> list[Span]:
    """``spans`` with each SLOGAN that is a quoted abbreviation of places made a LOC.

    Reports name a group of cities by their first characters in quotation marks (``“汉巴南”协同发展``,
    ``“赣深”高铁``); the quote makes the rules and the network say SLOGAN, the guideline says LOC.
    A quoted phrase of 2–3 Han characters that a word of :data:`REGION_COOPERATION_WORDS` follows is
    such an abbreviation when the first of its characters is no numeral and each begins a LOC of
    ``spans`` (a place the report names, as the network and the steps before found it). Many characters
    begin some place of China (``“城乡”协同``, ``“山海”协作``), and a false LOC here spreads to every bare
    mention; of the quoted 2–3-character phrases of the 314 annotated documents, no SLOGAN passes this
    test on the gold LOC spans, while ``“合广长”`` (合川, 广安, 长寿 not named) is missed. With
    ``every_mention``, the SLOGAN spans of that phrase anywhere in the document become LOC (its unquoted
    repeats too), else only the quoted one. Read on the normalized text; offsets are original.

    >>> from govner.data.normalize import normalize
    >>> text = "汉中、巴中、南充推动“漢巴南”協同發展，漢巴南合作，“店小二”服务，“城乡”协同"
    >>> places = [Span(0, 2, "LOC"), Span(3, 5, "LOC"), Span(6, 8, "LOC")]
    >>> slogans = [Span(11, 14, "SLOGAN"), Span(20, 23, "SLOGAN"), Span(27, 30, "SLOGAN"), Span(35, 37, "SLOGAN")]
    >>> found = tag_quoted_place_abbreviations(normalize(text), places + slogans)
    >>> [(text[s.start : s.end], s.label) for s in found[3:]]
    [('漢巴南', 'LOC'), ('漢巴南', 'LOC'), ('店小二', 'SLOGAN'), ('城乡', 'SLOGAN')]
    """
    text = norm.text
    quoted = {found.span(1): found.group(1) for found in _QUOTED_ABBREVIATION.finditer(text)}
    quoted = {at: phrase for at, phrase in quoted.items() if phrase[0] not in _NUMERALS}
    if not quoted:
        return list(spans)
    initials = _initials_of_named_places(norm, spans)
    abbreviations = {phrase for phrase in quoted.values() if set(phrase) <= initials}
    made_places = {
        span for start, end, span in _normalized_spans(norm, spans, "SLOGAN")
        if text[start:end] in abbreviations and (every_mention or (start, end) in quoted)
    }
    return [Span(s.start, s.end, "LOC") if s in made_places else s for s in spans]


# “双城”经济圈, “两新”协同, “五定”班列: counts, not places (万 stays a place's initial: 万州 of “万达开”)
_NUMERALS = "一二两双三四五六七八九十"


def _initials_of_named_places(norm: NormalizedText, spans: Sequence[Span]) -> set[str]:
    """The first characters of the report's LOC spans: the places it names, as the network and the steps before
    found them (a scan of the text for division names would also find 海城 in 沿海城市 and 城区 anywhere)."""
    return {norm.text[start] for start, _, _ in _normalized_spans(norm, spans, "LOC")}


def _title_inside_a_word(text: str, start: int, end: int) -> bool:
    """Whether a jieba word begins before the title ``text[start:end]`` and ends inside it: 地处|长江 holds no 处长,
    全省|长江 no 省长, while 副市长 (a word that ends with the title) and 主|任何 (the title's end joined to the
    surname that follows) keep theirs."""
    offset = max(0, start - SEGMENT_CONTEXT)
    window = text[offset : min(len(text), end + SEGMENT_CONTEXT)]
    edges = _word_edges(window)
    first, last = start - offset, end - offset
    if first in edges:
        return False
    word_end = min(edge for edge in edges if edge > first)
    return word_end < last


# A port or airport that signs, builds or works with someone is a party to it, an organization (the seed
# report's 深化与盐田港战略合作; annotations/GUIDELINES.md on ports), while goods that pass through it, a
# route that opens at it or a meeting held at it leave it a place. What such a site's name ends with (铁路港,
# 陆港 end in 港); a city or zone so named (连云港, 海南自由贸易港, 香港) is a place, whatever it does.
_SITE_NAME_END = ("机场", "港口", "港")
_NOT_A_SITE_END = ("自贸港", "自由贸易港", "香港")
_PARTY_DEEDS = ("签订", "签署", "共建", "合作")
# the deed later in the clause, within 12 characters (与天津港深化物流合作; 格尔木机场与州商务局共建)
_PARTY_DEED_LATER = re.compile(f"[^，,。；;、\\n]{{0,12}}?(?:{'|'.join(_PARTY_DEEDS)}|联合)")
# what makes the site the partner of the deed: 与 before it, or 与 after it (the site is then the subject)
_PARTNER_BEFORE = ("与", "同", "联合", "携手", "对接")
# what makes it the place of the deed or a thing passed through: 在天津港签署, 经天津港, 依托北部湾港合作
_VENUE_BEFORE = ("在", "于", "经", "依托", "通过", "从", "至", "到")


def tag_sites_as_parties(text: str, spans: Sequence[Span], places: Collection[str] = ()) -> list[Span]:
    """``spans`` with a port or airport that is a party to an agreement or a cooperation made an ORG.

    The guideline makes a port a place (``常德港国际集装箱码头``), and the seed reports make one
    that is a partner an organization (``深化与盐田港战略合作``); the network reads the name and
    says LOC either way. A LOC that ends in 机场, 港口 or 港 becomes an ORG where 签订, 签署, 共建 or
    合作 directly follows it, or where 与 (同, 联合, 携手, 对接) comes before it or 与 after it and
    签订, 签署, 共建, 合作 or 联合 comes later in the same clause, within 12 characters; not where 在, 经,
    依托 and the like come before it (the place of the deed), and not when it is a city or zone:
    a name or short form of ``places`` (连云港 of 连云港市), a free-trade port or 香港. Names of
    three characters or more only: 港 alone or in 深港 is Hong Kong. ``text`` is what the spans
    index, normalized (simplified, half-width punctuation).

    >>> text = "市政府与天津港深化物流合作，货物经天津港出口"
    >>> [(text[s.start : s.end], s.label) for s in tag_sites_as_parties(text, [Span(4, 7, "LOC"), Span(17, 20, "LOC")])]
    [('天津港', 'ORG'), ('天津港', 'LOC')]
    """
    result = []
    for span in spans:
        if span.label == "LOC" and span.end - span.start >= 3 and _is_party(text, span.start, span.end, places):
            span = Span(span.start, span.end, "ORG")
        result.append(span)
    return result


def _is_party(text: str, start: int, end: int, places: Collection[str]) -> bool:
    """Whether the site named by ``text[start:end]`` is a party to a deed of its clause."""
    name = text[start:end]
    if (not name.endswith(_SITE_NAME_END) or name.endswith(_NOT_A_SITE_END)
            or any(name + level in places for level in ("", "市", "区", "县"))
            or text.endswith(_VENUE_BEFORE, 0, start)):
        return False
    if text.startswith(_PARTY_DEEDS, end):
        return True
    partner = text.endswith(_PARTNER_BEFORE, 0, start) or text.startswith("与", end)
    return partner and _PARTY_DEED_LATER.match(text, end) is not None


# A place's own party and government bodies written after its name (巍山县 + 政府), longest first, with its general
# office (人民政府办公室, 政府办公厅); simplified, as in the normalized text
_PLACE_BODY = re.compile(f"(?:人民政府|党工委|纪委监委|委员会|{BODY_AFTER_LEVEL})(?:办公室|办公厅)?")
# the level characters of the divisions and townships that have such bodies (villages' 村委会 and 村党支部 are
# not in the list of bodies); not a count of them (川渝两省市 + 人大常委会: the guideline's 两省市人大常委会 is the
# body alone)
_LEVELS_WITH_BODIES = tuple(DIVISION_LEVELS + "镇乡")
_COUNTED_PLACES = re.compile(f"{COUNT_OF_DIVISIONS}$")
# what makes 政府 part of a term, not the body: 政府工作报告 is a report's title, in which the place stays LOC
# (审议恩阳区政府工作报告, the guideline; 人民政府工作报告 has the body), and budget and debt terms (政府性债务,
# 政府专项债券, 政府采购, 政府和社会资本合作, 政府网)
_GOVERNMENT_TERMS = (
    "性", "债", "隐性", "负债", "预算", "综合财务", "引导基金", "产业基金", "采购", "投资", "和社会资本", "购买",
    "信息公开", "网", "门户", "质量奖",
)
_GOVERNMENT_REPORT = re.compile(r"(?:\d{4}年)?工作报告")  # 政府工作报告, 政府2025年工作报告
# a title after a body: 县委书记 and 党委书记 are jieba words, but the guideline tags the body (县委书记张学锋 → 县委)
_TITLE_AFTER_BODY = ("副", "常委", "代表", "委员", *OFFICIAL_TITLES)


def join_place_bodies(text: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` with a place that the text runs on into its own body made that body, one ORG.

    The guideline makes a place's government or party committee one ORG with the place (``祁阳县政府``,
    ``科右前旗政府``), and the annotations do so hundreds of times; a network that has not seen the county
    tags the county and stops (``[巍山县]政府``). A LOC that ends in a division's or township's level
    character (省市县区州盟旗镇乡), and in no count of them (``两省市``), and that a body directly follows
    (人民政府, 政府, 党工委, 党委, 人大常委会, 人大, 政协, 纪委监委, 纪委, 监委, 委员会, 委; then 办公室 or 办公厅)
    becomes one ORG over both. Not where 政府 begins a term (政府工作报告, the title the guideline keeps the place
    LOC in; 政府性债务, 政府采购, 政府网 …), not from a LOC that holds a list's or route's join (``同心县与利通区``:
    two places the network joined, split later), where another span begins inside the body, or where the body's
    end cuts a jieba word (``由巍山县委托第三方``), unless a title follows (``八郎镇党委书记``). A department that
    jieba reads after the body joins it (``巍山县委宣传部``, the guideline's outermost name). ``text`` is what
    the spans index, normalized (simplified).

    >>> text = "听取巍山县政府、南涧县委工作汇报，审议巍山县政府工作报告"
    >>> spans = [Span(2, 5, "LOC"), Span(8, 11, "LOC"), Span(19, 22, "LOC")]
    >>> [(text[s.start : s.end], s.label) for s in join_place_bodies(text, spans)]
    [('巍山县政府', 'ORG'), ('南涧县委', 'ORG'), ('巍山县', 'LOC')]
    """
    ordered = sorted(spans)
    result: list[Span] = []
    for i, span in enumerate(ordered):
        body = _PLACE_BODY.match(text, span.end) if span.label == "LOC" else None
        if body is not None and _is_place_body(text, span, body.end(), ordered[i + 1 :]):
            end = _department_end(text, body.end())
            if i + 1 < len(ordered) and ordered[i + 1].start < end:
                end = body.end()
            span = Span(span.start, end, "ORG")
        result.append(span)
    return result


def _department_end(text: str, end: int) -> int:
    """Where a body ending at ``end`` ends with the department that jieba's word there names (巍山县委 + 宣传部:
    the guideline's outermost name, 恩阳区委统战部); ``end`` where none follows (县政府 + 主办, 会议室, 全部: words
    that only end like a department; 县委 + 政府: two bodies, the guideline's collective 党委政府)."""
    word = next(_words(text, end, min(len(text), end + SEGMENT_CONTEXT)), (end, ""))[1]
    return end + len(word) if word in _department_words() else end


@cache
def _department_words() -> frozenset[str]:
    """The departments among the body endings of govner/data/suffixes.tsv: a 部, 办 or 室 (宣传部, 编办, 政研室), or
    a 委 of three characters or more (政法委, 发改委; not a level's own 县委, 党委, 纪委)."""
    return frozenset(word for word in _body_endings() if len(word) >= 2
                     and (word.endswith(("部", "办", "室")) or (word.endswith("委") and len(word) >= 3)))


def _is_place_body(text: str, place: Span, end: int, later: Sequence[Span]) -> bool:
    """Whether the place ``place`` and the body after it, up to ``end``, are one body's name."""
    body = text[place.end : end]
    if (not text.endswith(_LEVELS_WITH_BODIES, place.start, place.end)
            or _COUNTED_PLACES.search(text, place.start, place.end)
            # two places the network joined (同心县与利通区 + 政府): the body is the last one's; the pair is split later
            or any(join in text[place.start : place.end] for join in LIST_BREAKS + ROUTE_JOIN)
            or (later and later[0].start < end)):
        return False
    if body == "政府" and _GOVERNMENT_REPORT.match(text, end):
        return False
    if body in ("政府", "人民政府") and text.startswith(_GOVERNMENT_TERMS, end):
        return False
    return text.startswith(_TITLE_AFTER_BODY, end) or not splits_a_word(text, place.start, end, left=False)


def occurrences(word: str, text: str) -> Iterator[int]:
    """Start offsets of the non-overlapping occurrences of ``word`` in ``text``, left to right, as
    ``re.finditer(re.escape(word), text)`` finds them, without compiling a pattern per word (a
    document's mentions are mostly new words, and compiling them was a quarter of post-processing).

    >>> list(occurrences("aa", "aaab aa"))
    [0, 5]
    """
    if not word:
        raise ValueError("occurrences of the empty string")
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + len(word))


def propagate_labels(
    text: str,
    spans: Sequence[Span],
    labels: Sequence[str] = ("LOC", "ORG", "SLOGAN"),
    min_length: int = 2,
    norm: NormalizedText | None = None,
) -> list[Span]:
    """Tag every other occurrence of a mention the tagger found, with the same label.

    Reports repeat their places, bodies and slogans, and the guideline tags every
    occurrence (for slogans explicitly: "the same phrase without quotation marks
    elsewhere in the same document"); a tagger that saw a name in one context misses
    it in another. Occurrences that overlap an existing span are left alone, and so are
    occurrences followed by an administrative unit or a body (``恩平`` in ``恩平市委``):
    the guideline makes those part of a longer LOC or ORG, and 2-character occurrences
    that straddle a word (``重庆`` in ``隆重庆祝``, :func:`splits_a_word`, read on the
    normalized text). With ``norm`` (the text's normalization), occurrences the model
    cannot see are skipped too: a mention made of Latin letters also occurs inside
    removed pinyin notes (``xiàng`` in ``項(xiàng)``).

    >>> propagate_labels("恩平市委在恩平召开会议。恩平好", [Span(5, 7, "LOC")])
    [Span(start=5, end=7, label='LOC'), Span(start=12, end=14, label='LOC')]
    >>> propagate_labels("重庆药友落户。我们隆重庆祝", [Span(0, 2, "LOC")])
    [Span(start=0, end=2, label='LOC')]
    """
    from collections import Counter

    votes: dict[str, Counter] = {}
    for span in spans:
        if span.label in labels and span.end - span.start >= min_length:
            votes.setdefault(text[span.start : span.end], Counter())[span.label] += 1
    result = sorted(spans)
    # What is taken, as disjoint intervals sorted by start (overlapping input spans are
    # fused into one interval: the question is only whether a position is taken).
    starts: list[int] = []
    ends: list[int] = []
    for s in result:
        if ends and s.start < ends[-1]:
            ends[-1] = max(ends[-1], s.end)
        else:
            starts.append(s.start)
            ends.append(s.end)
    # longest mentions first, so 恩平工业园 claims its occurrences before 恩平 does
    for mention in sorted(votes, key=len, reverse=True):
        label = votes[mention].most_common(1)[0][0]
        for start in occurrences(mention, text):
            end = start + len(mention)
            extends = end < len(text) and text[end] in LONGER_NAME_NEXT
            i = bisect_left(starts, end)  # intervals starting before this occurrence ends
            if (
                not extends
                and (i == 0 or ends[i - 1] <= start)
                and _visible(norm, start, end)
                and not (len(mention) == 2 and _splits_a_word_at(text, norm, start, end))
            ):
                result.append(Span(start, end, label))
                starts.insert(i, start)
                ends.insert(i, end)
    return sorted(result)


@cache
def _body_endings() -> tuple[str, ...]:
    """The body endings of govner/data/suffixes.tsv (政府, 县委, 管委会, 局 …)."""
    return tuple(word for word, category in suffix_rows() if category == "body_suffix")


@cache
def _named_endings(kinds: bool) -> tuple[str, ...]:
    """What ends the name of a company or a body (:data:`COMPANY_WORDS`, :func:`_body_endings`), and with ``kinds``
    also the kinds of place and organization (:func:`_kind_words`: 高新区, 分公司)."""
    words = (*COMPANY_WORDS, *_body_endings())
    return (*words, *_kind_words()["ORG"], *_kind_words()["LOC"]) if kinds else words


def extend_to_longer_names(
    text: str, spans: Sequence[Span], min_length: int = 3, norm: NormalizedText | None = None
) -> list[Span]:
    """A LOC or ORG that the text runs on into an ORG the document tags elsewhere becomes that ORG.

    The mirror of :func:`trim_to_short_names`: a network that finds a company whole in one sentence
    cuts it short in another (``[一汽]解放``, ``[拉萨]啤酒`` as a place), and one name has one reading in
    a report. The longer ORG (``min_length`` characters or more) must begin where the span begins, cover
    no other span, and not end in a facility word (``华湘数科数据中心`` is the company and its data centre,
    :data:`FACILITY_WORDS`). A place is more often a place than a company's first word, so a LOC grows only
    into a name that is no body of a place (``恩阳区`` of ``恩阳区政府工作报告`` stays, though the report
    names ``恩阳区政府``) and whose end cuts no jieba word (``新疆`` of ``新疆大学生``, ``北京`` of
    ``北京银行业``; read on the normalized text with ``norm``). Offsets are those of ``text``.

    >>> text = "一汽解放扩大产能。支持一汽解放、拉萨啤酒，拉萨啤酒"
    >>> spans = [Span(0, 4, "ORG"), Span(11, 13, "ORG"), Span(16, 18, "LOC"), Span(21, 25, "ORG")]
    >>> [(text[s.start : s.end], s.label) for s in extend_to_longer_names(text, spans)]
    [('一汽解放', 'ORG'), ('一汽解放', 'ORG'), ('拉萨啤酒', 'ORG'), ('拉萨啤酒', 'ORG')]
    """
    names: dict[str, list[str]] = {}  # by first character, longest first: one short list per span
    for name in sorted({text[s.start : s.end] for s in spans if s.label == "ORG"}, key=len, reverse=True):
        if len(name) >= min_length and not name.endswith(FACILITY_WORDS):
            names.setdefault(name[0], []).append(name)
    if not names:
        return list(spans)
    ordered = sorted(spans)
    extended = []
    for i, span in enumerate(ordered):
        if span.label in ("LOC", "ORG"):
            room = ordered[i + 1].start if i + 1 < len(ordered) else len(text)  # up to the next span
            for name in names.get(text[span.start : span.start + 1], ()):
                end = span.start + len(name)
                if not (span.end < end <= room and text.startswith(name, span.start)):
                    continue
                if span.label == "LOC" and (
                    name.endswith(_body_endings()) or _cuts_a_word_at_end(text, norm, span, end)
                ):
                    continue
                span = Span(span.start, end, "ORG")
                break
        extended.append(span)
    return extended


def extend_to_trade_names(
    text: str, spans: Sequence[Span], places: Collection[str] = (), norm: NormalizedText | None = None
) -> list[Span]:
    """``spans`` with a company's short name taking in the industry words its full name gives it.

    A company's registered name is place + trade name + industry + legal form (``江西`` ``锐达`` ``液压科技``
    ``有限公司``), and the guideline's short name keeps the industry words that the text writes (``锐达液压``,
    not ``锐达``); the network often stops after the trade name. Where the document tags the full name (an
    ORG ending in 公司), an ORG of 2+ characters elsewhere that is a part of it, or a LOC that begins it, and
    that the text continues as the full name does, takes in the common part, two Chinese characters or more
    (``[恒岳]起重桥式起重机`` of ``辽宁恒岳起重机械有限公司`` → ``恒岳起重``), and becomes ORG. Only a span that
    reads as no place grows (:func:`_may_be_trade_name`: no level or site ending, no name of ``places``, the
    divisions' names, at its start, and for a LOC no jieba word; ``[长鑫]存储`` is a trade name the network took
    for a place): a place's own company is mostly place + sector (``巍山县城市建设投资有限公司``, ``株洲高新区发展
    集团有限公司``), and the place stays a place in ``巍山县城市建设取得成效``. Not over another span's start, nor
    to an end that cuts a jieba word. Read on the normalized text with ``norm`` (traditional characters, pinyin
    notes); offsets are those of ``text``.

    >>> text = "江西锐达液压科技有限公司投产。引进锐达液压等企业，锐达液压油缸项目"
    >>> spans = [Span(0, 12, "ORG"), Span(17, 19, "ORG"), Span(25, 27, "ORG")]
    >>> [(text[s.start : s.end], s.label) for s in extend_to_trade_names(text, spans)]
    [('江西锐达液压科技有限公司', 'ORG'), ('锐达液压', 'ORG'), ('锐达液压', 'ORG')]

    A LOC that is all of a full name's words between its place and its legal form is that company's short
    name, an ORG, though it reads as a site (``冰溪酒庄`` of ``辽宁冰溪酒庄有限公司``):

    >>> text = "辽宁冰溪酒庄有限公司种植基地。冰溪酒庄要擦亮品牌"
    >>> spans = [Span(0, 10, "ORG"), Span(15, 19, "LOC")]
    >>> [(text[s.start : s.end], s.label) for s in extend_to_trade_names(text, spans, {"辽宁"})]
    [('辽宁冰溪酒庄有限公司', 'ORG'), ('冰溪酒庄', 'ORG')]
    """
    seen = norm.text if norm is not None else text
    located = list(_normalized_spans(norm, spans))  # (start, end, span) in ``seen``; none over a pinyin note
    full_names = sorted({seen[a:b] for a, b, span in located if span.label == "ORG" and seen[a:b].endswith("公司")})
    by_pair: dict[str, list[str]] = {}  # the full names by each pair of characters in them: one short list per span
    for name in full_names:
        for k in range(len(name) - 1):
            by_pair.setdefault(name[k : k + 2], []).append(name)
    if not by_pair:
        return list(spans)
    starts = sorted(a for a, _, _ in located)
    grown: dict[Span, Span] = {}
    for a, b, span in located:
        name = seen[a:b]
        best = b
        if _may_be_trade_name(span.label, name, places):
            following = bisect_right(starts, a)
            room = starts[following] if following < len(starts) else len(seen)  # up to the next span
            # a name of one character finds no pair
            for full in by_pair.get(name[:2], ()):
                # a LOC only at the full name's start (the place of 江西锐达…), a trade name wherever it is
                for k in (occurrences(name, full) if span.label == "ORG" else (0,) if full.startswith(name) else ()):
                    rest = full[k + len(name) :]
                    common = 0
                    while common < len(rest) and b + common < room and seen[b + common] == rest[common]:
                        common += 1
                    end = b + common
                    if (common >= 2 and end > best and _ALL_HAN.fullmatch(seen, b, end)
                            and not splits_a_word(seen, a, end, left=False)):
                        best = end
        if best > b:
            grown[span] = Span(span.start, norm.to_original(a, best)[1] if norm is not None else best, "ORG")
        elif span.label == "LOC" and _is_core_of(name, full_names, places):
            grown[span] = Span(span.start, span.end, "ORG")
    return [grown.get(span, span) for span in spans]


# the legal forms after a company's trade name and industry (辽宁 + 冰溪酒庄 + 有限公司)
_LEGAL_FORMS = (
    "有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "集团有限责任公司", "集团股份有限公司", "分公司")


def _is_core_of(name: str, full_names: Collection[str], places: Collection[str]) -> bool:
    """Whether a LOC ``name`` is the whole of a full name's words between its place and its legal form
    (``冰溪酒庄`` of ``辽宁冰溪酒庄有限公司``: the company's short name, ORG), being no place of ``places`` nor
    of jieba (``长江三峡`` of ``中国长江三峡集团有限公司``, ``华侨城`` of ``华侨城集团有限公司``) and not ending in a
    site's word (``宁波舟山港`` of ``宁波舟山港股份有限公司`` is the port)."""
    if (len(name) < 2 or name in places or name[-1] in _NOT_A_COMPANY_END or _word_tag(name) == "ns"
            or any(name.endswith(kind) for kind in _kind_words()["LOC"])):
        return False
    return any(
        full.endswith(name + form) and (full == name + form or full[: -len(name + form)] in places)
        for full in full_names for form in _LEGAL_FORMS
    )


_ALL_HAN = re.compile(f"[{HAN}]+")


def _may_be_trade_name(label: str, name: str, places: Collection[str]) -> bool:
    """Whether a span ``name`` may be a company's short name cut short: an ORG or LOC that is no full name (one
    never grows into another that holds it: 锐达液压有限公司 + 湘潭工厂), does not end like a place (县, 镇, 区 of
    高新区, 园 …) nor begin with one of ``places`` (大理州巍山县, a merged address), and, for a LOC, is no jieba
    word either (江南, 上海: a place first)."""
    if label not in ("LOC", "ORG") or not name or name[-1] in PLACE_NAME_ENDS or name.endswith("公司"):
        return False
    if any(name[:k] in places for k in range(2, len(name) + 1)):
        return False
    return label == "ORG" or name not in _word_tags()


def _cuts_a_word_at_end(text: str, norm: NormalizedText | None, span: Span, end: int) -> bool:
    """Whether ``span`` grown to ``end`` would end inside a jieba word (an end inside a pinyin note counts)."""
    try:
        return _splits_a_word_at(text, norm, span.start, end, left=False)
    except ValueError:
        return True


def _splits_a_word_at(
    text: str, norm: NormalizedText | None, start: int, end: int, left: bool = True, right: bool = True
) -> bool:
    """:func:`splits_a_word` at original offsets, on the normalized (simplified) text when there is one."""
    if norm is None:
        return splits_a_word(text, start, end, left=left, right=right)
    return splits_a_word(norm.text, *norm.to_normalized(start, end), left=left, right=right)


# 2-character full division names that are mostly something else where they stand: a district's part
# (城区, 矿区), a direction's (东区 … 中区), 和县, which reads 和 + 县 (全市和县两级), and the ends of slogans and
# phrases that jieba reads as the county (工业兴县, 旅游富县, 一批新县、新区; a review's cases)
_NOT_DIVISION_WORDS = frozenset({"东区", "西区", "南区", "北区", "中区", "城区", "矿区", "郊区", "和县", "兴县", "富县",
                                 "新县"})


def tag_division_names(norm: NormalizedText, spans: Sequence[Span], names: Collection[str]) -> list[Span]:
    """Tag as LOC the full division names (``界首市``, ``双峰县``, ``随县``) that no span covers.

    The network misses a county now and then even by its full name, most often one it never
    saw. A name from ``names`` (the full names of :func:`govner.data.lexicon.division_table`:
    provinces, cities, counties, banners) becomes LOC where it overlaps no span and no unit or
    body follows (``界首市委``: a longer name the network missed). A 2-character name (``随县``,
    ``沛县``) also needs no jieba dictionary word to cross its edges there (:func:`splits_a_word`: not
    the 兴县 of 振兴县域, not the 干县 of 若干县市) and not to be one of :data:`_NOT_DIVISION_WORDS`.
    Offsets are original.

    >>> from govner.data.normalize import normalize
    >>> tag_division_names(normalize("一季度界首市實現增長，界首市委"), [], {"界首市"})
    [Span(start=3, end=6, label='LOC')]
    >>> tag_division_names(normalize("带动随县增收，振兴县域经济"), [], {"随县", "兴县"})
    [Span(start=2, end=4, label='LOC')]
    """
    text = norm.text
    longest = max(map(len, names), default=0)
    result = list(spans)
    taken = _Intervals(result)
    added: list[Span] = []
    for unit in _DIVISION_LEVEL.finditer(text, 1):
        end = unit.end()
        if end < len(text) and text[end] in LONGER_NAME_NEXT:
            continue
        for start in range(max(0, end - longest), end - 1):  # longest name first
            if text[start:end] in names:
                if end - start == 2 and (text[start:end] in _NOT_DIVISION_WORDS or splits_a_word(text, start, end)):
                    break
                span = Span(*norm.to_original(start, end), "LOC")
                if not taken.overlaps(span.start, span.end) and not (added and added[-1].end > span.start):
                    added.append(span)
                break
    return sorted(result + added)


# what follows a company's short name in its full name (金川集团, 红塔集团, 鄂尔多斯资源股份): the legal-form words
# only, simplified. Not every org_suffix ending of govner/data/suffixes.tsv: a place's media outlet or institute
# (建始频道, 胡杨河市融媒体中心) does not make the place a company; with those endings 5 right LOC of the
# 314-document folds' held-out reports became ORG (docs/predict.md)
COMPANY_WORDS = ("集团", "股份", "公司", "有限", "控股", "实业")


def full_names_by_short_form(short_forms: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """The inverse of a division table (full name → short form): each short form's full names (鼓楼 → 鼓楼区 of
    several cities).

    >>> full_names_by_short_form({"建始县": "建始", "鼓楼区": "鼓楼", "东城区": "东城", "北京市": "北京"})["建始"]
    ('建始县',)
    """
    full_names: dict[str, list[str]] = {}
    for full, short in short_forms.items():
        full_names.setdefault(short, []).append(full)
    return {short: tuple(fulls) for short, fulls in full_names.items()}


# verbs that begin with 组 (to organize, to form): a place that acts is no body (句容 + 组织86家企业参展)
_VERBS_OF_FORMING = ("组织", "组建", "组成", "组团")


def cut_places_before_verbs(norm: NormalizedText, spans: Sequence[Span], places: Collection[str]) -> list[Span]:
    """``spans`` with each ORG that is a place's name run into a verb of forming cut back to the place.

    A report's subject often is a place that organizes or forms something (``句容组织86家企业参加广交会``,
    ``贵溪组建铜产业招商小分队``), and a network that knows bodies ending in 组 (工作组, 领导小组) reads the
    place and the verb's first character or two as an ORG. The place stays, a LOC: a division's name or short
    form (``places``) before a verb is the place acting, as the guideline keeps ``胡杨河市与石河子大学签订`` a
    place. Read on the normalized text, offsets original.

    >>> from govner.data.normalize import normalize
    >>> text = "句容组织86家企业参展，贵溪组建招商小分队，县招商工作组成员"
    >>> spans = [Span(0, 4, "ORG"), Span(12, 15, "ORG"), Span(22, 28, "ORG")]
    >>> [(text[s.start : s.end], s.label) for s in cut_places_before_verbs(normalize(text), spans, {"句容", "贵溪"})]
    [('句容', 'LOC'), ('贵溪', 'LOC'), ('县招商工作组', 'ORG')]
    """
    text = norm.text
    cut: dict[Span, Span] = {}
    for start, end, span in _normalized_spans(norm, spans, "ORG"):
        at = text.find("组", start, end) - start  # every verb of forming begins with 组
        if at >= 2 and text[start : start + at] in places and text.startswith(_VERBS_OF_FORMING, start + at):
            cut[span] = Span(*norm.to_original(start, start + at), "LOC")
    return sorted(cut.get(span, span) for span in spans) if cut else list(spans)


def relabel_division_orgs(
    norm: NormalizedText,
    spans: Sequence[Span],
    short_forms: Mapping[str, str],
    places: Collection[str],
    full_names: Mapping[str, Sequence[str]] | None = None,
) -> list[Span]:
    """``spans`` with each ORG that is a division's name made a LOC: its full name, or a short form of a
    division the document also names in full.

    The guideline keeps a place a place where it stands for its government or its people
    (``胡杨河市与石河子大学签订``, ``建始要闻``, ``推动更多项目落户松滋``); the network, reading a
    subject that signs or acts, says ORG. A short form alone may be a company's short name
    (``福田`` of 福田汽车, ``紫金`` of 紫金矿业), so it counts only where the report names the
    division in full (``建始县``) somewhere; neither counts where it is an item of a list next to an
    ORG that is no place (``支持金川、格林美``: companies) or begins a company's name of the report
    (:data:`COMPANY_WORDS` after it: ``金川集团``). ``short_forms`` maps full names to short forms ("" for none;
    :func:`govner.data.lexicon.division_table`), ``places`` holds both (the quick test: most reports
    have no such ORG), ``full_names`` is :func:`full_names_by_short_form` of ``short_forms`` (built here when
    not given; the tagger builds it once). Read on the normalized text; offsets are original.

    >>> from govner.data.normalize import normalize
    >>> text = "建始縣招商推介会举行，建始将坚持生态优先；福田配套项目开工"
    >>> spans = [Span(0, 3, "LOC"), Span(11, 13, "ORG"), Span(21, 23, "ORG")]
    >>> short_forms = {"建始县": "建始", "福田区": "福田"}
    >>> found = relabel_division_orgs(normalize(text), spans, short_forms, {*short_forms, *short_forms.values()})
    >>> [(text[s.start : s.end], s.label) for s in found]
    [('建始縣', 'LOC'), ('建始', 'LOC'), ('福田', 'ORG')]
    """
    text = norm.text
    organizations = list(_normalized_spans(norm, spans, "ORG"))
    names = [(start, end, span) for start, end, span in organizations if text[start:end] in places]
    if not names:  # most reports: no ORG is a place's name
        return list(spans)
    if full_names is None:
        full_names = full_names_by_short_form(short_forms)
    # the organizations that are no places, and those named as a company (金川集团 makes 金川 a company's short name;
    # 建始县人民政府 does not)
    companies = [(start, end) for start, end, _ in organizations if text[start:end] not in places]
    starts, ends = {start for start, _ in companies}, {end for _, end in companies}
    company_names = [text[start:end] for start, end in companies]

    def a_company(start: int, end: int) -> bool:
        before, after, name = text[start - 1 : start], text[end : end + 1], text[start:end]
        listed = (after == "、" and end + 1 in starts) or (before == "、" and start - 1 in ends)  # 支持金川、格林美
        return listed or any(other.startswith(name) and other[len(name) :].startswith(COMPANY_WORDS)
                             for other in company_names)

    made_places = {
        span for start, end, span in names
        if (text[start:end] in short_forms or any(full in text for full in full_names.get(text[start:end], ())))
        and not a_company(start, end)
    }
    return [Span(s.start, s.end, "LOC") if s in made_places else s for s in spans]


# A school's campus is part of the school's name: "A school with its campus is one ORG" (annotations/GUIDELINES.md:
# 重慶工職院高竹校區). A campus's name is a place's (霸州, 鲅鱼圈) or another proper name of 2-4 characters; not 新建,
# 两个, 共建 or 的新 (武汉大学的新校区, 县第一中学新建校区, 清华大学共建校区 name no campus).
CAMPUS_WORD = "校区"
_CAMPUS_NAME = re.compile(f"[{HAN}]{{2,4}}?{CAMPUS_WORD}")
_NOT_IN_CAMPUS_NAME = frozenset("的在与和及")
_NOT_A_CAMPUS_NAME_START = frozenset("新老两各共改扩迁建主分本原该")


def join_campuses(text: str, spans: Sequence[Span], places: Collection[str] = ()) -> list[Span]:
    """``spans`` with each ORG that a campus's name directly follows extended over it, the places in it dropped.

    The network tags the school and the campus's place apart (``燕赵理工学院`` ORG, ``霸州校区`` or ``霸州`` LOC);
    the guideline makes ``燕赵理工学院霸州校区`` one ORG. The 2–4 characters before 校区 must name the campus: a
    LOC the network found there, a division's name of ``places``, or a word jieba does not know or tags as a
    proper noun (``高竹``), and none of 的, 在, 与, 和, 及 nor a start such as 新, 两, 共 (``新建校区``, ``两个校区``,
    ``共建校区``). Only LOC spans may lie inside the campus's name (none across its end). ``text`` is what the
    spans index, in simplified characters.

    >>> text = "燕赵理工学院霸州校区与企业签约，县一中新建校区开工"
    >>> spans = [Span(0, 6, "ORG"), Span(6, 10, "LOC"), Span(16, 19, "ORG")]
    >>> [(text[s.start : s.end], s.label) for s in join_campuses(text, spans)]
    [('燕赵理工学院霸州校区', 'ORG'), ('县一中', 'ORG')]
    """
    joined: list[Span] = []
    dropped: set[Span] = set()
    for span in spans:
        campus = _CAMPUS_NAME.match(text, span.end) if span.label == "ORG" else None
        if campus is None:
            continue
        name = text[span.end : campus.end() - len(CAMPUS_WORD)]
        if _NOT_IN_CAMPUS_NAME & set(name) or name[0] in _NOT_A_CAMPUS_NAME_START:
            continue
        inside = [s for s in spans if s.start < campus.end() and s.end > span.end]
        if not all(s.label == "LOC" and s.start >= span.end and s.end <= campus.end() for s in inside):
            continue
        if inside or name in places or _word_tag(name) in ("", *PROPER_NOUN_TAGS):
            joined.append(Span(span.start, campus.end(), "ORG"))
            dropped |= {span, *inside}
    if not joined:
        return list(spans)
    return sorted([*(s for s in spans if s not in dropped), *joined])


def extend_to_division_names(
    norm: NormalizedText, spans: Sequence[Span], short_forms: Mapping[str, str], longest_cut: int = 4
) -> list[Span]:
    """``spans`` with each LOC or ORG that begins inside the full name of a division the report names made to
    begin with that name.

    The network, which has seen few of China's 2,800 counties, starts a name after the first characters of a
    rare one (``称[多县人民政府]``, ``和[龙市人民政府]``, ``察[哈尔右翼前旗…管委会]``) or after its short form
    (``建始[县政府]``). A span whose first characters, with up to ``longest_cut`` characters before it, make a
    division's full name of 3 or more characters (``short_forms`` maps full names to short forms, "" for none;
    :func:`govner.data.lexicon.division_table`) is extended back over them, when the report has a LOC span that
    is that division's full name or short form (``会同县税务局`` in a report on another county is 会同, "together
    with", and 县税务局), no span lies over those characters and none ends right before them (``县发改局会同县财政局``
    in 会同县's own report). Read on the normalized text; offsets are original.

    >>> from govner.data.normalize import normalize
    >>> text = "称多县招商：称多縣人民政府与企业签约，会同县税务局"
    >>> spans = [Span(0, 3, "LOC"), Span(7, 13, "ORG"), Span(21, 25, "ORG")]
    >>> short_forms = {"称多县": "称多", "会同县": "会同"}
    >>> [text[s.start : s.end] for s in extend_to_division_names(normalize(text), spans, short_forms)]
    ['称多县', '称多縣人民政府', '县税务局']
    """
    text = norm.text
    named = {text[start:end] for start, end, _ in _normalized_spans(norm, spans, "LOC")}
    taken = _Intervals(spans)
    ends = {s.end for s in spans}
    extended = []
    for span in spans:
        found = _division_begun_inside(norm, span, short_forms, longest_cut)
        if found is not None:
            start, name = found
            new_start = norm.to_original(start, start + 1)[0]
            # 县发改局会同县财政局 in 会同县's own report: a name right before the characters, 会同 a verb after it
            if ((name in named or short_forms[name] in named) and not taken.overlaps(new_start, span.start)
                    and new_start not in ends):
                span = Span(new_start, span.end, span.label)
        extended.append(span)
    return extended


# the longest part of a division's full name looked for inside a span that begins after its first characters: the
# longest full names run to 12 characters (察哈尔右翼前旗 is 7, 黔东南苗族侗族自治州 10), and up to 4 are cut off
_NAME_INSIDE = 8


def _division_begun_inside(
    norm: NormalizedText, span: Span, short_forms: Mapping[str, str], longest_cut: int
) -> tuple[int, str] | None:
    """``(normalized start, full name)`` of a division's full name of 3+ characters that begins up to
    ``longest_cut`` characters before ``span`` and ends inside it, or None."""
    if span.label not in NAME_LABELS:
        return None
    try:
        start, end = norm.to_normalized(span.start, span.end)
    except ValueError:  # a span over a pinyin note
        return None
    text = norm.text
    for cut in range(1, min(longest_cut, start) + 1):
        for inside in range(1, min(_NAME_INSIDE, end - start) + 1):
            name = text[start - cut : start + inside]
            if len(name) >= 3 and name in short_forms:
                return start - cut, name
    return None


def propagate_short_forms(norm: NormalizedText, spans: Sequence[Span], short_forms: Mapping[str, str]) -> list[Span]:
    """Tag a division's short form as LOC wherever the document names the division in full.

    A county report names itself in full once (``开原市``, ``开原市人民政府``) and then by its
    short form (``开原将以最优的服务``); the guideline tags both, and the network, which has
    seen few of the 2,800 counties, misses the short form more often than the full name.
    ``short_forms`` maps full names to short forms, "" for none (:func:`govner.data.lexicon.division_table`);
    a LOC or ORG span that begins with a full name puts its short form in play. An occurrence
    is skipped where it overlaps a span, where a unit or body follows (``建始县``: a longer
    name the network did not find), where it stands between a Chinese character and a
    break, as a given name after a surname does (``记者 韦宜州）``), and where a 2-character
    form straddles a word (``高要`` in ``提高要素``, :func:`splits_a_word`). Offsets are original.

    >>> from govner.data.normalize import normalize
    >>> norm = normalize("建始县招商推介会举行，建始将坚持生态优先。记者 韦建始")
    >>> propagate_short_forms(norm, [Span(0, 3, "LOC")], {"建始县": "建始"})
    [Span(start=0, end=3, label='LOC'), Span(start=11, end=13, label='LOC')]
    """
    text = norm.text
    longest = max(map(len, short_forms), default=0)
    forms: set[str] = set()
    for span in spans:
        if span.label not in NAME_LABELS:
            continue
        try:
            start, end = norm.to_normalized(span.start, span.end)
        except ValueError:  # a span over characters the model does not see (a pinyin note)
            continue
        name = text[start:end]
        for k in range(min(longest, len(name)), 1, -1):  # the longest full name it begins with
            if name[:k] in short_forms:
                forms.add(short_forms[name[:k]])
                break
    forms.discard("")
    taken = _Intervals(spans)
    added = bytearray(len(text))  # normalized characters of the short forms tagged so far
    result = list(spans)
    for form in sorted(forms, key=lambda f: (-len(f), f)):  # longest first, then a fixed order
        for start in occurrences(form, text):
            end = start + len(form)
            if end < len(text) and text[end] in LONGER_NAME_NEXT:
                continue
            if start > 0 and HAN_CHAR.match(text[start - 1]) and (end == len(text) or not HAN_CHAR.match(text[end])):
                continue
            span = Span(*norm.to_original(start, end), "LOC")
            if taken.overlaps(span.start, span.end) or any(added[start:end]):
                continue
            if len(form) == 2 and splits_a_word(text, start, end):  # 高要 in 提高要素
                continue
            added[start:end] = b"\x01" * (end - start)
            result.append(span)
    return sorted(result)


# A list of names: items of at most LIST_ITEM_CHARS characters joined by 、 (a series comma), within
# one clause. Only items of 2-8 Han characters are tagged (a short name: 中联液压, 步步高, 盐田港), but
# a longer item, such as a company's full name of up to 12 characters, must not break the list.
LIST_ITEM_CHARS = 12
_NOT_IN_ITEM = re.escape("、，,。；;：:\n" + QUOTES)  # a list ends at a clause break or a quotation mark
_LIST = re.compile(f"(?:[^{_NOT_IN_ITEM}]{{1,{LIST_ITEM_CHARS}}}、)+[^{_NOT_IN_ITEM}]{{1,{LIST_ITEM_CHARS}}}")
_SHORT_NAME = re.compile(f"[{HAN}]{{2,8}}")
_TWO_TO_FOUR_HAN = re.compile(f"[{HAN}]{{2,4}}")
# what ends the last item when no 等 does: the 为 of 以…为龙头, not the 为 of a verb (成为, 作为, 评为)
_LIST_END_WEI = re.compile("(?<![成作认评列定均视称更])为")


def _normalized_spans(
    norm: NormalizedText | None, spans: Sequence[Span], label: str | None = None
) -> Iterator[tuple[int, int, Span]]:
    """``(start, end, span)`` in normalized offsets (the spans' own without ``norm``) for each ``label`` span of
    ``spans`` (each span without ``label``), except a span over characters the model does not see (a pinyin
    note)."""
    for span in spans:
        if label is None or span.label == label:
            if norm is None:
                yield span.start, span.end, span
                continue
            try:
                yield (*norm.to_normalized(span.start, span.end), span)
            except ValueError:
                continue


def _list_items(found: re.Match) -> list[tuple[int, int]]:
    """``[start, end)`` of each item of a list that :data:`_LIST` found."""
    items, start = [], found.start()
    for part in found.group().split("、"):
        items.append((start, start + len(part)))
        start += len(part) + 1
    return items


def tag_list_items(norm: NormalizedText, spans: Sequence[Span], min_named: int = 2) -> list[Span]:
    """Tag as ORG the untagged items of a ``、`` list whose other items are organizations.

    Reports list the companies they signed or visited by short name (``以三一机械、中联液压、
    常德纺机为龙头``), and a network that knows some of the names misses the others, most of all
    well-known firms it never saw. Where at least ``min_named`` items of one list are exactly
    ORG spans, every other item that is 2–8 Han characters and overlaps no span becomes ORG,
    and so does one that only a place begins, the rest untagged (``中国`` + ``中药``: the
    guideline's company named from a place is one ORG, and the place span goes). An item that
    ends like a place (``常德经开区``) is left alone, and so is one whose edges are unsure: the
    first item (the list may begin mid-clause, ``形成了以三一机械``) and the last one, unless
    ``等`` or the ``为`` of ``以…为`` ends it (``…、步步高等高端商业``, ``…、常德纺机为龙头``; not
    ``成为``). Offsets are original.

    >>> from govner.data.normalize import normalize
    >>> text = "形成了以三一机械、中联液压、常德纺机、步步高等一批企业"
    >>> spans = [Span(4, 8, "ORG"), Span(9, 13, "ORG")]
    >>> [text[s.start : s.end] for s in tag_list_items(normalize(text), spans)]
    ['三一机械', '中联液压', '常德纺机', '步步高']
    """
    text = norm.text
    if "、" not in text:  # no list at all: most paragraphs (this runs on every document)
        return list(spans)
    orgs = {(start, end) for start, end, _ in _normalized_spans(norm, spans, "ORG")}
    if len(orgs) < min_named:
        return list(spans)
    places: dict[int, tuple[int, Span]] = {}  # normalized start -> normalized end, span of each LOC
    for start, end, span in _normalized_spans(norm, spans, "LOC"):
        # two places starting at one character (overlapping spans): neither is replaced
        places[start] = (end, span) if start not in places else (len(text) + 1, None)
    taken = _Intervals(spans)
    added: list[Span] = []
    replaced: set[Span] = set()
    for found in _LIST.finditer(text):
        items = _list_items(found)
        # the last item may run on past the name (步步高项目): it counts up to 等 or 为 (步步高等,
        # 以…常德纺机为龙头), else not at all; 等 first, since a name may hold 为 (华为等)
        last_start, last_end = items[-1]
        cut = text.find("等", last_start, last_end)
        if cut < 0:
            wei = _LIST_END_WEI.search(text, last_start, last_end)
            cut = wei.start() if wei else -1
        if cut > last_start:
            items[-1] = (last_start, cut)
        else:
            items.pop()
        # the first item counts when an ORG span ends it: the list may begin mid-clause
        first_start, first_end = items[0]
        named = any((k, first_end) in orgs for k in range(first_start, first_end - 1))
        if named + sum(item in orgs for item in items[1:]) < min_named:
            continue
        for start, end in items[1:]:
            if (start, end) in orgs or not _SHORT_NAME.fullmatch(text, start, end) or text[end - 1] in PLACE_NAME_ENDS:
                continue
            span = Span(*norm.to_original(start, end), "ORG")
            place_end, place = places.get(start, (end, None))
            if place is not None and place_end < end - 1:
                rest = norm.to_original(place_end, end)
                if not taken.overlaps(*rest):  # 中国 + 中药: the place begins the company's name
                    replaced.add(place)
                    added.append(span)
            elif not taken.overlaps(span.start, span.end):
                added.append(span)
    if not added:
        return list(spans)
    return sorted([*(s for s in spans if s not in replaced), *added])


# One-character forms of the provinces and of the cities that reports list so (赴京、沪、深、穗招商; 苏、锡、常),
# simplified; written for govner: jionlp's division table has no one-character forms.
ONE_CHARACTER_PLACES = frozenset(
    "京津沪渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀贵黔云滇藏陕秦甘陇青宁新港澳台"  # provinces
    "深穗甬杭锡常厦"  # cities
)
# a count of divisions after a list's last name (宰便、西山、停洞3个乡镇; 南河、石头咀、草盘地三个乡镇)
_NAME_AND_DIVISION_COUNT = re.compile(f"([{HAN}]{{2,4}}?){COUNT_OF_DIVISIONS}")


# A place's one-character form between a word of coming or being and a word of investing or working together
# (来岚投资, 在琴设立, 对渝合作, 赴蓟招商): the guideline tags it LOC; the network, which reads 岚 or 琴 as no name
# at all, misses it. Simplified, as the normalized text is.
_BEFORE_ABBREVIATED_PLACE = "来在赴到对"
ABBREVIATED_PLACE_DEEDS = (
    "投资", "兴业", "创业", "发展", "落地", "落户", "设立", "布局", "开展", "合作", "贸易", "出口", "考察", "洽谈",
    "举办", "举行", "参展", "招商",
)
_ABBREVIATED_PLACE = re.compile(
    f"(?<=[{_BEFORE_ABBREVIATED_PLACE}])[{HAN}](?={'|'.join(ABBREVIATED_PLACE_DEEDS)})"
)
# 对新落户的企业: new ones, not Xinjiang's; 到镇开展调研, 在市举办: the report's own level, whatever its place's
# name begins with
_NOT_ABBREVIATED = frozenset("新" + ADMIN_LEVELS)


def tag_abbreviated_places(norm: NormalizedText, spans: Sequence[Span]) -> list[Span]:
    """Tag as LOC a place's one-character form between 来, 在, 赴, 到 or 对 and a word of investing or working
    together (:data:`ABBREVIATED_PLACE_DEEDS`): ``来岚投资`` in a report on 岚皋, ``在琴设立`` in one on 琴澳.

    The character counts only where it begins a LOC of two or more characters that ``spans`` hold (a place
    the report names: 琴 of 横琴 is not caught), it and the character before it are words of their own for jieba
    (``来信考察``, ``对口合作``, ``迎来大发展`` hold other words), it is no ``新`` (``对新落户的企业``) nor a level
    (``到镇开展调研`` in a report on 镇雄), and it lies in no span. Read on the normalized text; offsets are original.

    >>> from govner.data.normalize import normalize
    >>> text = "岚皋县、信阳市、新疆、大同市：来嵐投资的企业，来信考察，对新落户企业，迎来大发展"
    >>> places = [Span(0, 3, "LOC"), Span(4, 7, "LOC"), Span(8, 10, "LOC"), Span(11, 14, "LOC")]
    >>> found = tag_abbreviated_places(normalize(text), places)
    >>> [text[s.start : s.end] for s in found]
    ['岚皋县', '信阳市', '新疆', '大同市', '嵐']
    """
    text = norm.text
    candidates = [found.start() for found in _ABBREVIATED_PLACE.finditer(text)]
    if not candidates:
        return list(spans)
    initials = {text[start] for start, end, _ in _normalized_spans(norm, spans, "LOC") if end - start >= 2}
    added = [
        Span(*norm.to_original(at, at + 1), "LOC") for at in candidates
        if text[at] in initials and text[at] not in _NOT_ABBREVIATED
        and not splits_a_word(text, at, at + 1) and not splits_a_word(text, at - 1, at)
    ]
    added = [new for new in added if not any(s.start < new.end and new.start < s.end for s in spans)]
    return sorted([*spans, *added]) if added else list(spans)


# What the 等 after a list's last item says its items are: products or crops (柯街沃柑、芒果等农产品; 香菇脆片、香菇酱
# 等产品; not 格力、美的等品牌产品), no companies; or companies (楚岳车桥、迅骋液压等12家重点企业), no places (not
# 宝鸡、广元等地企业, 等省份企业)
_PRODUCT_LIST_END = re.compile(  # not where the products name a kind of company: 等农产品加工企业
    "等(?:特色|优质|名优|绿色|生态)?(?:农特产品|农副产品|农产品|产品|特产|特色产业)(?!加工|研发|生产|龙头|企业|园|基地)")
_COMPANY_LIST_END = re.compile(  # not 企业家: persons
    "等(?:\\d+|[一二两三四五六七八九十几多]+)?[家个批]?(?:重点|龙头|骨干|规上|民营|知名|优质|领军|链主)?企业(?!家)")


def relabel_items_by_list_end(norm: NormalizedText, spans: Sequence[Span]) -> list[Span]:
    """``spans`` with the ORG items of a ``、`` list of products dropped and the LOC items of a list of companies
    made ORG, as the ``等`` phrase that ends the list says what its items are.

    Reports list crops and foods beside the companies that sell them, and the network takes a product in a list
    for a company's short name (``芒果等农产品``); it takes a company whose name ends like a site for a place
    (``楚岳车桥``, 桥 as of a bridge). An item is a span that is exactly a middle item, the last item up to
    ``等``, or that ends the first item (the list may begin mid-clause, or in an item where an earlier list's 等
    stands). A list of companies needs another item that is an ORG. Offsets are original.

    >>> from govner.data.normalize import normalize
    >>> text = "销售沃柑、芒果等农产品，已入驻楚岳车桥、迅骋液压等企业"
    >>> spans = [Span(5, 7, "ORG"), Span(15, 19, "LOC"), Span(20, 24, "ORG")]
    >>> [(text[s.start : s.end], s.label) for s in relabel_items_by_list_end(normalize(text), spans)]
    [('楚岳车桥', 'ORG'), ('迅骋液压', 'ORG')]
    """
    text = norm.text
    if "等" not in text or "、" not in text:
        return list(spans)
    by_end: dict[int, list[tuple[int, Span]]] = {}  # normalized end -> (normalized start, span)
    for start, end, span in _normalized_spans(norm, spans):
        by_end.setdefault(end, []).append((start, span))
    dropped: set[Span] = set()
    relabelled: set[Span] = set()
    for found in _LIST.finditer(text):
        items = _list_items(found)
        last_start, last_end = items[-1]
        ends = (  # the 等 that ends the list: not the 等 of 高等 or 平等 inside the last item
            (cut, _PRODUCT_LIST_END.match(text, cut), _COMPANY_LIST_END.match(text, cut))
            for cut in range(last_start + 1, last_end) if text[cut] == "等"
        )
        cut, products, companies = next((end for end in ends if end[1] or end[2]), (0, None, None))
        if not (products or companies):
            continue
        items[-1] = (last_start, cut)
        # an earlier 等 ends an earlier list (京东、抖音等平台销售沃柑、芒果等农产品): this one begins in its item
        items = items[max((i for i, (start, end) in enumerate(items[:-1]) if "等" in text[start:end]), default=0) :]
        listed = [
            span for i, (start, end) in enumerate(items) for span_start, span in by_end.get(end, ())
            if span_start == start or (i == 0 and span_start > start)
        ]
        if products:
            dropped.update(span for span in listed if span.label == "ORG")
        elif any(span.label == "ORG" for span in listed):
            relabelled.update(span for span in listed if span.label == "LOC")
    if not (dropped or relabelled):
        return list(spans)
    return [
        Span(span.start, span.end, "ORG") if span in relabelled else span for span in spans if span not in dropped
    ]


def tag_place_list_items(norm: NormalizedText, spans: Sequence[Span], places: Collection[str]) -> list[Span]:
    """Tag as LOC the untagged places of a ``、`` list whose other items are places.

    Reports list the cities a delegation went to by their one-character forms (``赴京、沪、深开展招商``)
    and the towns a project reaches by bare names (``带动南河、石头咀、草盘地三个乡镇``); a network that
    knows some of them misses the others (``深`` is mostly an adjective). Where at least two items of a
    list are places (a LOC span is the item, ends the first one or begins the last one), an untagged
    item next to a place becomes LOC when it is a division's name or short form of ``places``, or a
    one-character form (:data:`ONE_CHARACTER_PLACES`) that cuts no jieba word next to a one-character
    place (``北京、上海、台企`` has no ``台``); so does any
    2–4-character middle or last item of a list that a count of divisions ends. The first item's
    edge is unsure (the list may begin mid-clause): a place that ends it counts, and so does one that
    begins the last item (``深`` of ``深开展招商``). A place found so makes its neighbours next to one.
    Offsets are original.

    >>> from govner.data.normalize import normalize
    >>> text = "赴京、沪、深、穗开展招商，带动南河、石头咀、草盘地三个乡镇"
    >>> spans = [Span(1, 2, "LOC"), Span(3, 4, "LOC"), Span(15, 17, "LOC"), Span(18, 21, "LOC")]
    >>> [text[s.start : s.end] for s in tag_place_list_items(normalize(text), spans, set())]
    ['京', '沪', '深', '穗', '南河', '石头咀', '草盘地']
    """
    text = norm.text
    if "、" not in text:
        return list(spans)
    loc_ends = {start: end for start, end, _ in _normalized_spans(norm, spans, "LOC")}  # normalized start -> end
    taken = _Intervals(spans)
    added: list[Span] = []

    def known(start: int, end: int, one_character: bool) -> bool:
        name = text[start:end]
        if len(name) == 1:  # a list of one-character forms only (北京、上海、台企: 台 is none)
            return one_character and name in ONE_CHARACTER_PLACES and not splits_a_word(text, start, end)
        return name in places

    for items in (part for found in _LIST.finditer(text) for part in _lists_of_places(_list_items(found), loc_ends)):
        (first_start, first_end), (last_start, last_end) = items[0], items[-1]
        # the length of the place each item is (the first: ends; the last: begins), None for no place
        place_length: list[int | None] = [
            next((first_end - k for k in range(first_start, first_end) if loc_ends.get(k) == first_end), None)]
        place_length += [end - start if loc_ends.get(start) == end else None for start, end in items[1:-1]]
        last_place_end = loc_ends.get(last_start, last_end + 1)
        place_length.append(last_place_end - last_start if last_place_end <= last_end else None)
        if sum(length is not None for length in place_length) < 2:
            continue
        count_after_last = _NAME_AND_DIVISION_COUNT.match(text, last_start, last_end)
        # an item next to a place belongs to the list of places (not 刘海阳 in 刘海阳、周安阳…赴京、沪、深)
        grown = True
        while grown:
            grown = False
            for i, (start, end) in enumerate(items):
                beside = [place_length[j] for j in (i - 1, i + 1) if 0 <= j < len(items)]
                if place_length[i] is not None or all(length is None for length in beside):
                    continue
                one = 1 in beside
                if i == 0:  # a place that ends the first item
                    place = next(((k, end) for k in range(max(start, end - 4), end) if known(k, end, one)), None)
                elif i < len(items) - 1:
                    counted = count_after_last and _TWO_TO_FOUR_HAN.fullmatch(text, start, end)
                    place = (start, end) if known(start, end, one) or counted else None
                elif count_after_last:
                    place = (start, count_after_last.end(1))
                else:  # a place that begins the last item
                    ends = range(min(end, start + 4), start, -1)
                    place = next(((start, k) for k in ends if known(start, k, one)), None)
                span = Span(*norm.to_original(*place), "LOC") if place is not None else None
                if span is not None and not taken.overlaps(span.start, span.end):
                    place_length[i] = place[1] - place[0]
                    grown = True
                    added.append(span)
    return sorted([*spans, *added]) if added else list(spans)


def _lists_of_places(items: list[tuple[int, int]], loc_ends: Mapping[int, int]) -> list[list[tuple[int, int]]]:
    """The lists a run of ``、`` items holds: a middle item that words run into before a place
    (``周安阳先后8次带队赴京``) ends one list and begins the next, as a clause's first and last items do;
    a place is such an item's end, with ``loc_ends`` (normalized start → end of each LOC). As the last
    item of the list before, a place that begins it counts (``深`` of ``赴京、沪、深和台中、高雄``, where
    ``台中`` ends it), and so would one that begins a company there (``泸州`` of ``成都、绵阳、泸州老窖所在的泸州``,
    if the network missed ``泸州老窖``): measured, the first kind occurs and the second not (docs/predict.md).

    >>> _lists_of_places([(0, 3), (4, 16), (17, 18), (19, 21)], {15: 16, 17: 18})
    [[(0, 3), (4, 16)], [(4, 16), (17, 18), (19, 21)]]
    """
    cuts = [i for i, (start, end) in enumerate(items[1:-1], 1)
            if loc_ends.get(start) != end and any(loc_ends.get(k) == end for k in range(start + 1, end))]
    return [items[a : b + 1] for a, b in pairwise([0, *cuts, len(items) - 1])]


# A list that a count of divisions (带动曲当、绒辖两乡; 在宰便、西山、停洞3个乡镇) or 等 and a division level
# (花贡、中营、鸡场等乡镇) ends names divisions, whatever the network made of its items: reports list the
# towns and villages a project reaches so, by names the network has never seen. After 等 only levels that name
# places of their own: not 县 or 区 (曾郴等县领导: persons), 村 (张伟、李强等村干部; 卫生室等村级阵地) or 社区
# (养老、托育等社区服务), which are as often the first character of another word. Unlike the count of divisions
# the area step cuts off a place (COUNT_OF_DIVISIONS), this one only reads where a list ends.
_LISTED_LEVELS = "(?:乡镇|村寨|街道|苏木|嘎查|县市区|[镇乡])"
_COUNTED_LAST_ITEM = re.compile(f"([{HAN}]{{2,5}}?)(?:等?{COUNT_OF_DIVISIONS}|等{_LISTED_LEVELS})")
_TWO_TO_FIVE_HAN = re.compile(f"[{HAN}]{{2,5}}")
# what may come before a list's first name in its clause besides a verb (在宰便、…, 赴城步、…)
_BEFORE_FIRST_ITEM = frozenset("在到赴与和及对向")
# jieba's tags of the words that end what comes before a list's first name: verbs (带动, 辐射, 支持), prepositions,
# conjunctions, adverbs and words of locality (周边); a name holding such a word is none (专家深入5个乡镇)
_BEFORE_NAME_TAGS = tuple("vpcdf")
# what makes a count of divisions the parts of a company (中国移动、中国联通两市分公司; 国网湖南、国网江西两省公司);
# not 卫生院 or 政府 (东镇镇、礼元镇等6个乡镇卫生院 are places)
_COMPANY_UNITS = ("分公司", "子公司", "支行", "分行", *COMPANY_WORDS)
# jieba's tags of organizations' and other proper names: an ORG so tagged stays one in a counted list (蒙牛、伊利等苏木)
_ORGANIZATION_TAGS = ("nt", "nz")
# a scope before the first name: 全县曲当、绒辖两乡
_SCOPE = re.compile(f"[全我本该][{ADMIN_LEVELS}]")


def tag_counted_place_lists(norm: NormalizedText, spans: Sequence[Span]) -> list[Span]:
    """Tag as LOC the untagged items of a ``、`` list that a count of divisions or 等 and a division level ends.

    ``带动曲當、絨轄兩鄉`` names two townships, ``辐射白青、屿头、大练三个乡`` three, ``址山、宅梧、双合等镇``
    three towns. The middle items are the names, the last item's name ends at the count (``郑场镇等5个乡镇``;
    ``屿头和大练三个乡`` gives two), and the first item's name starts after what jieba reads as a verb,
    preposition, conjunction, adverb or word of locality (``带动``, ``在``, ``支持``, ``周边``) and after a scope
    (``全县``). The list is left alone unless every name is 2–5 Han characters holding no such word
    (``专家深入5个乡镇``), the level ends a word (``等乡村特色产业``: 乡村), and at most half the names are
    jieba's common words (``教育、卫生、文化等乡镇事业``); nor where a unit follows the count (``两市分公司``) or a span
    covers it. A name the network tagged ORG exactly becomes LOC (the count says what it is:
    ``賽漢陶來、巴彥陶來、溫圖高勒三個蘇木``), unless jieba knows it as an organization or other proper name (``蒙牛``);
    any other item that overlaps a span is left as it is. Read on the normalized text; offsets are original.

    >>> from govner.data.normalize import normalize
    >>> text = "项目带动曲當、絨轄兩鄉，支持禄步、小湘、乐城等镇发展，赵勇、曾郴等县领导出席，茶叶、中药材等乡镇产业"
    >>> [text[s.start : s.end] for s in tag_counted_place_lists(normalize(text), [])]
    ['曲當', '絨轄', '禄步', '小湘', '乐城']
    """
    text = norm.text
    if "、" not in text:
        return list(spans)
    taken = _Intervals(spans)
    names_taken = _Intervals([s for s in spans if s.label in NAME_LABELS])  # an AMOUNT may hold the count (3个乡镇)
    added: list[Span] = []
    organizations = {(start, end): span for start, end, span in _normalized_spans(norm, spans, "ORG")}
    relabelled: set[Span] = set()
    for found in _LIST.finditer(text):
        counted = _counted_list_names(text, _list_items(found))
        if counted is None or names_taken.overlaps(*norm.to_original(*counted[1])):  # 中国联通[两市分公司]
            continue
        for start, end in counted[0]:
            span = Span(*norm.to_original(start, end), "LOC")
            if _word_tag(text[start:end]) in _ORGANIZATION_TAGS:  # 蒙牛, 中国移动: organizations, tagged or not
                continue
            if (start, end) in organizations:  # 赛汉陶来、巴彦陶来、温图高勒三个苏木: the count says what they are
                relabelled.add(organizations[start, end])
                added.append(span)
            elif not taken.overlaps(span.start, span.end):
                added.append(span)
    return sorted([*(s for s in spans if s not in relabelled), *added]) if added else list(spans)


def _counted_list_names(
    text: str, items: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], tuple[int, int]] | None:
    """``[start, end)`` of each name of a list that a count of divisions ends (see
    :func:`tag_counted_place_lists`) and of the count, or None when the list is no such list."""
    (first_start, first_end), (last_start, last_end) = items[0], items[-1]
    last = _COUNTED_LAST_ITEM.match(text, last_start, last_end)
    if not last or splits_a_word(text, last.end(1), last.end(), left=False):
        return None
    if text.startswith(_COMPANY_UNITS, last.end()):  # 两市分公司, 两省公司: parts of a company, not places
        return None
    names = list(items[1:-1])
    # the last item may join two names (屿头和大练三个乡): each is one, unless a name holds the join (仁和镇)
    parts = [(last_start + m.start(), last_start + m.end())
             for m in re.finditer(f"[^{LIST_BREAKS}]+", text[last_start : last.end(1)])]
    whole = all(_TWO_TO_FIVE_HAN.fullmatch(text, start, end) for start, end in parts)
    names += parts if len(parts) > 1 and whole else [(last_start, last.end(1))]
    name_start = first_start
    for word_start, word in _words(text, first_start, first_end):
        if (word in _BEFORE_FIRST_ITEM or _SCOPE.fullmatch(word)
                or (len(word) >= 2 and _word_tag(word).startswith(_BEFORE_NAME_TAGS))):
            name_start = word_start + len(word)
    names.append((name_start, first_end))
    if not all(_TWO_TO_FIVE_HAN.fullmatch(text, start, end) for start, end in names) or any(
        len(word) >= 2 and _word_tag(word).startswith(_BEFORE_NAME_TAGS)
        for start, end in names for _, word in _words(text, start, end)
    ):
        return None
    common = sum(_word_tag(text[start:end]) not in ("", *PROPER_NOUN_TAGS) for start, end in names)
    return None if 2 * common > len(names) else (names, (last.end(1), last.end()))


def _words(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    """jieba's dictionary-only words of ``text[start:end]``, each with its offset in ``text``."""
    for word in _segmenter().cut(text[start:end], HMM=False):
        yield start, word
        start += len(word)


@cache
def _word_tags() -> dict[str, str]:
    """jieba's part-of-speech tag of each word of 2+ characters of the segmenter's dictionary, read when a list
    first needs it (under the segmenter's lock: threads of ``govner predict --threads`` build it once)."""
    with _SEGMENTER_LOCK:
        tags = {}
        for line in _segmenter_dictionary_path().read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if len(fields) == 3 and len(fields[0]) >= 2:
                tags[fields[0]] = fields[2]
        return tags


def _word_tag(word: str) -> str:
    """jieba's tag of ``word`` ("" for a word of one character or one jieba does not know)."""
    return _word_tags().get(word, "")


def _visible(norm: NormalizedText | None, start: int, end: int) -> bool:
    """Whether original ``[start, end)`` maps exactly onto characters the model sees."""
    if norm is None:
        return True
    try:
        return norm.to_original(*norm.to_normalized(start, end)) == (start, end)
    except ValueError:
        return False


def _char_at(text: str, i: int) -> str:
    """The character at ``i``, or "\\0" outside ``text`` (an empty slice would be "in" every string)."""
    return text[i] if 0 <= i < len(text) else "\0"


def drop_unquoted_slogans(norm: NormalizedText, spans: Sequence[Span]) -> list[Span]:
    """``spans`` without the SLOGANs that no quotation explains: outside every quotation, with no quotation
    mark at either edge, and never quoted anywhere in the document.

    The guideline: a quoted phrase is a SLOGAN, the same phrase without quotation marks elsewhere in the
    same document too, and "phrases never quoted in the document are not tagged" (`专精特新` is no SLOGAN
    in a report that never quotes it; nor is one item of a quoted list standing alone). A network that
    has read many reports tags such stock phrases anyway. A span that overlaps a quotation is left to the
    other steps (a partly quoted repeat, `协商“面对面”活动`, is one SLOGAN), and so is one with a quotation
    mark on the side it faces (a scraped page may lose the other mark; a straight mark of a complete
    quotation next to the span, as in `专精特新"小巨人"`, faces both sides and does not count). ``spans``
    index the original text that ``norm`` normalized; the phrases are compared normalized (`專精特新`
    matches a quoted `专精特新`).

    >>> from govner.data.normalize import normalize
    >>> text = "培育“專精特新”企业，专精特新企业12家；推进工业强县"
    >>> drop_unquoted_slogans(normalize(text), [Span(3, 7, "SLOGAN"), Span(11, 15, "SLOGAN"), Span(23, 27, "SLOGAN")])
    [Span(start=3, end=7, label='SLOGAN'), Span(start=11, end=15, label='SLOGAN')]
    """
    text = norm.text
    if not any(span.label == "SLOGAN" for span in spans):
        return list(spans)
    quotations, paired = quotation_contents(text)  # one pass over the document's quotations
    quoted = {text[a:b] for a, b in quotations}
    inside = _Intervals([Span(a, b, "") for a, b in quotations])

    def lone_mark(i: int, marks: str) -> bool:
        # “ and ” say which side they stand on even where a scrape broke their pairs; a straight " counts
        # only when it pairs with none
        char = _char_at(text, i)
        return char in marks and (char not in TWO_WAY_QUOTES or i not in paired)

    kept = []
    for span in spans:
        if span.label == "SLOGAN":
            try:
                start, end = norm.to_normalized(span.start, span.end)
            except ValueError:
                kept.append(span)  # not a stretch the normalized text has: not this step's to judge
                continue
            marked = lone_mark(start - 1, OPENING_QUOTES) or lone_mark(end, CLOSING_QUOTES)
            if not (marked or inside.overlaps(start, end) or text[start:end] in quoted):
                continue
        kept.append(span)
    return kept


def repeat_quoted_slogans(norm: NormalizedText, original: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` plus a SLOGAN at every unquoted recurrence of a phrase tagged SLOGAN inside quotation marks.

    The guideline: a phrase quoted as a slogan is a SLOGAN wherever it recurs in the same
    document. ``govner.rules`` already does this for the quotations it accepts; this does it
    for SLOGAN spans from any source (the model's included), after tagging. Matching runs on
    the normalized text (so 區 and 区, or a pinyin note in between, do not hide a repeat);
    ``spans`` and the result are offsets into ``original``. A recurrence that overlaps an
    existing span is left alone: the tagger said something else there.

    >>> from govner.data.normalize import normalize
    >>> text = "实施“工業强县”战略，坚持工业强县不动摇。"
    >>> repeat_quoted_slogans(normalize(text), text, [Span(3, 7, "SLOGAN")])
    [Span(start=3, end=7, label='SLOGAN'), Span(start=13, end=17, label='SLOGAN')]
    """
    text = norm.text
    phrases = set()
    for span in spans:
        if span.label != "SLOGAN":
            continue
        try:
            start, end = norm.to_normalized(span.start, span.end)
        except ValueError:
            continue
        quoted = _char_at(text, start - 1) in OPENING_QUOTES and _char_at(text, end) in CLOSING_QUOTES
        phrase = text[start:end]
        if quoted and len(phrase) >= REPEAT_MIN_CHARS and HAN_CHAR.search(phrase):
            phrases.add(phrase)
    result = sorted(spans)
    if not phrases:
        return result
    starts = [s.start for s in result]
    pattern = re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))
    for match in pattern.finditer(text):
        a, b = match.span()
        if _char_at(text, a - 1) in OPENING_QUOTES and _char_at(text, b) in CLOSING_QUOTES:
            continue  # a quotation of its own: the tagger's decision stands
        start, end = norm.to_original(a, b)
        i = bisect_left(starts, start)
        if (i > 0 and result[i - 1].end > start) or (i < len(result) and result[i].start < end):
            continue
        result.insert(i, Span(start, end, "SLOGAN"))
        starts.insert(i, start)
    return result


def add_dictionary_matches(norm: NormalizedText, spans: Sequence[Span], words: Sequence[tuple[str, str]]) -> list[Span]:
    """``spans`` with every occurrence of a user-dictionary word (``(normalized word, label)``) tagged.

    The user's words take precedence where they disagree with the network: a span that
    crosses an occurrence, or covers it with another label, is dropped. A longer span around
    it stays when it has the word's label, or when the word is a place: places begin many
    names, and the guideline tags the outermost entity (``湖南楚天药业`` stays an ORG when
    the dictionary has ``湖南`` as a LOC or ``楚天药业`` as an ORG). A listed organization
    inside a longer span of another label wins over it: that span is most likely a wrong
    boundary (``湖南楚天药业与祁阳`` as one LOC). Longer words first, so ``恩阳工业园`` wins
    over ``恩阳``; matching is on the normalized text, so a simplified entry finds its
    traditional spelling too. Offsets are original.

    >>> from govner.data.normalize import normalize
    >>> add_dictionary_matches(normalize("楚天藥業在恩陽區"), [Span(2, 8, "LOC")], [("楚天药业", "ORG")])
    [Span(start=0, end=4, label='ORG')]
    >>> add_dictionary_matches(normalize("湖南楚天药业"), [Span(0, 6, "ORG")], [("湖南", "LOC"), ("楚天药业", "ORG")])
    [Span(start=0, end=6, label='ORG')]
    >>> add_dictionary_matches(normalize("楚天药业"), [Span(0, 4, "LOC")], [("楚天药业", "ORG")])
    [Span(start=0, end=4, label='ORG')]
    >>> add_dictionary_matches(normalize("湖南楚天药业与祁阳"), [Span(0, 9, "LOC")], [("楚天药业", "ORG")])
    [Span(start=2, end=6, label='ORG')]
    """
    result = list(spans)
    forced: list[Span] = []
    for word, label in sorted(words, key=lambda w: -len(w[0])):
        at = norm.text.find(word) if word else -1
        while at >= 0:
            start, end = norm.to_original(at, at + len(word))
            at = norm.text.find(word, at + 1)
            if any(s.start < end and start < s.end for s in forced):
                continue  # inside a longer user word already tagged
            overlapping = [s for s in result if s.start < end and start < s.end]
            inside_name = label in INSIDE_NAME_LABELS
            if any(s.start <= start and end <= s.end and (s.label == label or inside_name) for s in overlapping):
                continue  # the network's span is this word, a longer one of its label, or a name around a place
            result = [s for s in result if s not in overlapping]
            forced.append(Span(start, end, label))
    return sorted([*result, *forced])
