"""Guideline conventions that other corpora and raw model output do not follow by themselves.

The guideline makes adjacent administrative levels one place (``巴中市恩阳区``), while
MSRA, LAC and a model trained partly on them split them (``巴中市`` ``恩阳区``); and it makes
joined body short forms one ORG each (``市委市政府`` → ``市委``, ``市政府``), which a model that
saw few of them tags as one.

>>> merge_adjacent([Span(0, 3, "LOC"), Span(3, 6, "LOC"), Span(6, 9, "ORG")], "LOC")
[Span(start=0, end=6, label='LOC'), Span(start=6, end=9, label='ORG')]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence

from govner.data.document import Span
from govner.data.normalize import HAN_CHAR, convert_chars
from govner.labels import NAME_LABELS

# The characters that end the name of a province, city or county (巴中市, 恩阳区, 奈曼旗; 自治区, 地区
# and 林区 end in 区), and of any administrative division with towns and villages, simplified.
DIVISION_LEVELS = "省市县区州盟旗"
ADMIN_LEVELS = DIVISION_LEVELS + "镇乡村"
# Short forms of party and government bodies, in simplified characters (the text the model tags),
# longer alternatives first: a level character with its body (市委, 县政府, 镇党委) or a body of its own.
# The bodies a division's name is written with (县 + 政府 → 县政府, 镇 + 党委), longer alternatives first.
BODY_AFTER_LEVEL = "人大常委会|人大|政协|政府|纪委|监委|党委|委"
BODY_SHORT_FORM = re.compile(rf"党中央|中央|国务院|党工委|工委|管委会|管委|[{ADMIN_LEVELS}](?:{BODY_AFTER_LEVEL})")


def merge_adjacent(spans: Iterable[Span], label: str = "LOC") -> list[Span]:
    """``spans`` with runs of touching ``label`` spans (no character between them) joined into one."""
    merged: list[Span] = []
    for span in sorted(spans):
        last = merged[-1] if merged else None
        if last and span.label == label == last.label and span.start == last.end:
            merged[-1] = Span(last.start, span.end, label)
        else:
            merged.append(span)
    return merged


# What a named area takes in and what it leaves out. The guideline: "named regions and economic areas, with
# 地区 when it follows" (京津冀地区), but 地区生产总值 is GDP, whatever place comes before it (安化县地区生产总值);
# a plain or corridor named by its region is one too (三江平原, 辽西走廊: annotations/GUIDELINES.md), not after a
# division's level (泗洪县平原地区) nor as the start of a county's name (德州市平原县); and "never LOC: unnamed
# areas": the banks and shores of a named water (汀江两岸, 金沙江畔, 长江之滨) and the kind of a housing estate
# (淮远苑安置小区) stay out of the name.
REGION_WORD = "地区"
NAMED_AREA_WORDS = ("平原", "走廊", REGION_WORD)  # 地区 last: 成都 + 平原 + 地区
NOT_A_REGION_AFTER = "生产总值"
BANK_WORDS = ("两岸", "南岸", "北岸", "东岸", "西岸", "沿岸", "之滨", "畔")
WATER_ENDINGS = tuple("江河湖海溪湾")  # a water's name ends so; after another name 南岸 may be a place (重庆南岸)
ESTATE_WORDS = ("安置小区",)


def _ends_in_two_han(name: str) -> bool:
    """What is left of a cut place must still end as a name: two Han characters, not 中海· of 中海·江畔."""
    return len(name) >= 2 and all(HAN_CHAR.fullmatch(char) for char in name[-2:])


def extend_over_region_word(text: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` with each LOC that ``平原``, ``走廊`` or ``地区`` (:data:`NAMED_AREA_WORDS`) directly follows
    extended over it.

    Not ``地区`` before ``生产总值`` (GDP), not ``平原`` or ``走廊`` after a place that ends in a level or before a
    level (``泗洪县平原地区``, ``德州市平原县``), and never into another span. ``text`` is what the spans
    index, in simplified characters.

    >>> text = "来自京津冀地区的企业，安化县地区生产总值增长，保障三江平原粮食生产"
    >>> spans = [Span(2, 5, "LOC"), Span(11, 14, "LOC"), Span(25, 27, "LOC")]
    >>> [text[s.start : s.end] for s in extend_over_region_word(text, spans)]
    ['京津冀地区', '安化县', '三江平原']
    """
    def may_extend(span: Span, word: str) -> bool:
        after = span.end + len(word)
        if word == REGION_WORD:
            return not text.startswith(NOT_A_REGION_AFTER, after)
        return text[span.end - 1] not in ADMIN_LEVELS and (after == len(text) or text[after] not in ADMIN_LEVELS)

    for word in NAMED_AREA_WORDS:
        spans = _extend_over_word(text, spans, word, lambda span, word=word: may_extend(span, word))
    return list(spans)


def _extend_over_word(text: str, spans: Sequence[Span], word: str, may_extend: Callable[[Span], bool]) -> list[Span]:
    """``spans`` with each LOC that ``word`` directly follows extended over it where ``may_extend`` says so and
    no other span holds any of the word (the one shape of the region and road steps)."""
    extended = []
    for span in spans:
        end = span.end + len(word)
        if (span.label == "LOC" and text.startswith(word, span.end) and may_extend(span)
                and not any(other.start < end and other.end > span.end for other in spans)):  # rare: scan
            span = Span(span.start, end, span.label)
        extended.append(span)
    return extended


def cut_bank_and_estate_words(text: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` with each LOC that ends in a bank word after a water's name, or in ``安置小区``, cut before it.

    A bank word (:data:`BANK_WORDS`) counts only after a name ending in :data:`WATER_ENDINGS`,
    and nothing is cut that would leave anything but a name ending in 2 Han characters (``江畔``,
    ``城南·安置小区`` and the estate ``中海·江畔`` stay). ``text`` is what the spans index, in simplified characters.

    >>> text = "金沙江畔的淮远苑安置小区，重庆南岸"
    >>> spans = [Span(0, 4, "LOC"), Span(5, 12, "LOC"), Span(13, 17, "LOC")]
    >>> [text[s.start : s.end] for s in cut_bank_and_estate_words(text, spans)]
    ['金沙江', '淮远苑', '重庆南岸']
    """
    cut = []
    for span in spans:
        name = text[span.start : span.end]
        remainders = [name.removesuffix(w) for w in BANK_WORDS if name.endswith(w)]
        remainders = [r for r in remainders if r.endswith(WATER_ENDINGS)]
        remainders += [name.removesuffix(w) for w in ESTATE_WORDS if name.endswith(w)]
        if span.label == "LOC" and remainders and _ends_in_two_han(remainders[0]):
            span = Span(span.start, span.start + len(remainders[0]), span.label)
        cut.append(span)
    return cut


# A count of divisions after the last place of a list (琼中、保亭、白沙三县; 仙龙、来苏等镇) is not part of its name:
# a count from two on (a name may hold 一: 八一镇; 十二 and 二十 count), then a division level, not 区 or 村 alone
# (numbered villages and blocks are names: 幸福三村). The one pattern of such a count (the list step of
# govner.inference.postprocess reads it too).
_COUNTED_LEVEL = "(?:县市区|县市|县区|市县|省市|乡镇|苏木|街道|[省市县州盟旗镇乡])"
COUNT_OF_DIVISIONS = rf"(?:[两二三四五六七八九十几]+|\d+)个?{_COUNTED_LEVEL}"
DIVISION_COUNT = re.compile(rf"(?:等{_COUNTED_LEVEL}|{COUNT_OF_DIVISIONS})$")  # 等镇 too
# the same after a list of zones (东疆综合保税区、中新天津生态城五大开发区; 临溪、扬溪两个片区): the area step only
_ZONE_COUNT = re.compile(r"(?:[两二三四五六七八九十]+|\d+)[个大]"
                         r"(?:开发区|经开区|高新区|园区|产业园|工业园|片区|功能区|板块)$")
LIST_BREAKS = "、和及与"  # what comes before the last item of a list


def cut_division_counts(text: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` with each LOC that ends a list and ends in a count of divisions (``三县``, ``等镇``,
    ``十二个乡镇``) or of zones (``五大开发区``, ``两个片区``) cut before the count.

    The place must follow a list break (:data:`LIST_BREAKS`: ``东北三省`` and ``武汉三镇`` stand
    alone and stay whole), keep two characters, and, before a count of divisions, not end in a level itself
    (``林芝市八一镇``, ``江门、中山市三乡镇`` are names). ``text`` is what the spans index, in simplified characters.

    >>> text = "辐射琼中、保亭、白沙三县，融入东北三省，对接江门、中山市三乡镇，保税区、东疆综合保税区五大开发区"
    >>> spans = [Span(2, 4, "LOC"), Span(5, 7, "LOC"), Span(8, 12, "LOC"), Span(15, 19, "LOC"), Span(25, 31, "LOC"),
    ...          Span(36, 48, "LOC")]
    >>> [text[s.start : s.end] for s in cut_division_counts(text, spans)]
    ['琼中', '保亭', '白沙', '东北三省', '中山市三乡镇', '东疆综合保税区']
    """
    cut = []
    for span in spans:
        divisions = DIVISION_COUNT.search(text, span.start, span.end) if span.label == "LOC" else None
        # a level before a count of divisions makes a name (中山市三乡镇); a count of zones is never part of one
        zones = _ZONE_COUNT.search(text, span.start, span.end) if span.label == "LOC" and not divisions else None
        count = divisions or zones
        if (count and span.start and text[span.start - 1] in LIST_BREAKS and count.start() - span.start >= 2
                and (zones or text[count.start() - 1] not in ADMIN_LEVELS)):
            span = Span(span.start, count.start(), span.label)
        cut.append(span)
    return cut


_ORDINAL = "[一二三四五六七八九十]+"
_PLENUM = f"(?:第?{_ORDINAL}届)?{_ORDINAL}中"  # 十九届二中, 三中: the plenum of a central committee
PLENUM_NAME = re.compile(f"{_PLENUM}(?:[、和]{_PLENUM})*(?:全会)?")  # one, a list, or a whole plenum
PLENUM_LIST_END = re.compile(f"(?:[、和]{_PLENUM})*全会")  # what follows an ordinal of a list of plenums
LIST_REACH = 40  # characters after an ordinal read for the rest of its list of plenums (、三中、四中全会)
CONGRESS_NAME = re.compile("[二三四]?十[一二三四五六七八九]?大")  # 十九大: a national congress of the party


def drop_plenum_ordinals(text: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` without the names of a party congress or plenum (``十九大``, ``十九届二中``, ``…、三中全会``).

    The guideline does not tag sessions (``区委三届四次全会``: only ``区委`` is ORG), but a
    network reads ``二中`` as a school's short name (No. 2 Middle School) in a list of plenums.
    A span is dropped when it is such an ordinal (or a list of them) and the list it stands in
    ends in ``全会``, when it is a whole plenum (``十九届五中全会``) or a congress (``十九大``).
    ``text`` is what the spans index, simplified or traditional: only the spans and the few
    characters after them are read, through :func:`~govner.data.normalize.convert_chars`. The
    tagger runs the step on the normalized text before the document-level steps, and on the
    original text after them, since propagation may tag an ordinal again after a school of the
    same name.

    >>> text = "贯彻党的十九届二中、三中、四中全会精神，在二中召开会议，十九大"
    >>> spans = [Span(4, 9, "ORG"), Span(10, 12, "ORG"), Span(13, 15, "ORG"), Span(21, 23, "ORG"), Span(28, 31, "ORG")]
    >>> [text[s.start : s.end] for s in drop_plenum_ordinals(text, spans)]
    ['二中']
    """
    kept = []
    for span in spans:
        name = convert_chars(text[span.start : span.end]) if span.label in NAME_LABELS else ""
        if CONGRESS_NAME.fullmatch(name) or (PLENUM_NAME.fullmatch(name) and (
                name.endswith("全会") or PLENUM_LIST_END.match(convert_chars(text[span.end : span.end + LIST_REACH])))):
            continue
        kept.append(span)
    return kept


def split_joined_bodies(text: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` with each ORG that is two or more joined body short forms split into one ORG per body.

    ``text`` is what the spans index, in simplified characters (the normalized text the model
    tagged). The guideline: "`市委市政府` and `省委省政府` are two ORGs each". The first body may
    carry its place (`龙岩市委市政府` → `龙岩市委`, `市政府`): the span splits into the longest
    tail that is made of two or more short forms, with what comes before it joined to the first.

    >>> split_joined_bodies("按照龙岩市委市政府部署", [Span(2, 9, "ORG")])
    [Span(start=2, end=6, label='ORG'), Span(start=6, end=9, label='ORG')]
    >>> split_joined_bodies("市人大常委会", [Span(0, 6, "ORG")])
    [Span(start=0, end=6, label='ORG')]
    """
    result: list[Span] = []
    for span in spans:
        parts: list[tuple[int, int]] = []
        # a tail of two short forms has four characters at least (工委管委)
        for first in range(span.start, span.end - 3) if span.label == "ORG" else ():
            parts = _tiling(BODY_SHORT_FORM, text, first, span.end)
            if len(parts) > 1:
                parts[0] = (span.start, parts[0][1])
                break
        if len(parts) > 1:
            result.extend(Span(a, b, span.label) for a, b in parts)
        else:
            result.append(span)
    return result


def join_bracketed_names(text: str, spans: Sequence[Span], longest_place: int = 8) -> list[Span]:
    """``spans`` with a name cut at a bracketed place joined into one span again.

    ``text`` is what the spans index, normalized (brackets half-width, pinyin notes removed). A
    company or park may carry its place in brackets (``晶途微电子(芜湖)有限公司``,
    ``西部云计算(沙坡头)产业园``), and the guideline makes the whole name one entity; a network
    that saw few of them starts a second span inside the brackets (``芜湖)有限公司``). A LOC or
    ORG span whose first ``)`` closes a bracket opened before it is joined, under its own label,
    with the LOC or ORG span that ends right at that ``(``, if the bracket holds at most
    ``longest_place`` characters, no other bracket and no break, and the joined name's brackets
    balance. Anything else is left as it is.

    >>> join_bracketed_names("晶途微电子(芜湖)有限公司", [Span(0, 5, "ORG"), Span(6, 13, "ORG")])
    [Span(start=0, end=13, label='ORG')]
    >>> join_bracketed_names("食品加工(曲水)产业园", [Span(5, 11, "LOC")])  # no span ends at the "("
    [Span(start=5, end=11, label='LOC')]
    """
    result: list[Span] = []
    name_ending_at: dict[int, int] = {}  # end offset -> index in result, LOC and ORG spans only
    for span in sorted(spans):
        closer = text.find(")", span.start, span.end)
        # the "(" can only stand within longest_place characters of the ")": look no further back
        opener = text.rfind("(", max(0, closer - longest_place - 1), span.start) if closer > span.start else -1
        before = name_ending_at.get(opener) if opener >= 0 else None
        if (span.label in NAME_LABELS and closer > span.start and before is not None
                and "(" not in text[span.start : closer]
                and closer - opener - 1 <= longest_place
                and not _BRACKET_OR_BREAK.search(text, opener + 1, closer)
                and _balanced(text[result[before].start : span.end])):
            del name_ending_at[opener]
            result[before] = Span(result[before].start, span.end, span.label)
            name_ending_at[span.end] = before
            continue
        if span.label in NAME_LABELS:
            name_ending_at[span.end] = len(result)
        result.append(span)
    return sorted(result)


def split_unclosed_brackets(
    text: str, spans: Sequence[Span], endings: Sequence[str] = (), places: Collection[str] = ()
) -> list[Span]:
    """``spans`` with a LOC that opens a bracket it does not close split into the places on either side.

    An event or a section is named after two places, the second in brackets (``衡阳（东莞）电子信息产业对接会``,
    ``金义新区（金东区）：``), and the guideline tags both; a network may run them together up to the bracket's
    end (``衡阳(东莞``), a span no reading of the guideline allows. A LOC with a ``(`` and no ``)`` after it, that
    the text closes right after the span, becomes two LOC (before and inside the bracket, each of 2+
    characters) when what the bracket holds is a place: one of ``places`` or a name ending in a level
    (``金东区``; not a phase, ``白乌风电场(二期``). Not when the text after the ``)`` holds one of ``endings``
    before the next break: then the bracket is part of a park's name (``秀山(武陵)现代物流园区``, one LOC in the
    guideline), which the network cut and this step cannot mend. Anything else is left as it is. ``text`` is
    what the spans index, normalized (brackets half-width).

    >>> text = "衡阳(东莞)电子信息产业对接会，秀山(武陵)现代物流园区，白乌风电场(二期)"
    >>> spans = [Span(0, 5, "LOC"), Span(16, 21, "LOC"), Span(29, 37, "LOC")]
    >>> [text[s.start : s.end] for s in split_unclosed_brackets(text, spans, ("园区",), {"东莞", "武陵"})]
    ['衡阳', '东莞', '秀山(武陵', '白乌风电场(二期']
    """
    result: list[Span] = []
    for span in spans:
        opener = text.rfind("(", span.start, span.end)
        inside = text[opener + 1 : span.end]
        if (span.label == "LOC" and opener >= 0 and ")" not in inside and text.startswith(")", span.end)
                and opener - span.start >= 2 and len(inside) >= 2
                and (inside in places or inside[-1] in ADMIN_LEVELS)):
            after = _BRACKET_OR_BREAK.search(text, span.end + 1)
            rest = text[span.end + 1 : after.start() if after else len(text)]
            if not any(ending in rest for ending in endings):
                result += [Span(span.start, opener, "LOC"), Span(opener + 1, span.end, "LOC")]
                continue
        result.append(span)
    return sorted(result)


_BRACKET_OR_BREAK = re.compile(r"[()\n。；;，,、]")


def _balanced(name: str) -> bool:
    """Whether every ``(`` in ``name`` is closed by a later ``)`` and every ``)`` closes one."""
    depth = 0
    for char in name:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def _tiling(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Consecutive matches of ``pattern`` that cover ``text[start:end]`` exactly, or ``[]``."""
    parts = []
    while start < end:
        match = pattern.match(text, start, end)
        if not match:
            return []
        parts.append(match.span())
        start = match.end()
    return parts


# Roads named by their two ends or by a contraction of them (annotations/GUIDELINES.md): a descriptive route
# gives a LOC for each end (尉犁至且末沙漠公路, 神木至府谷天然气支线), while a contracted name is one LOC with its
# road word (徐沛快速通道). The network takes a route's two ends as one place (熊岳至鲅鱼圈) and a contracted
# name without its road word (瓦蛟 + 快速通道).
ROAD_WORD = "快速通道"
ROUTE_JOIN = "至"  # between the two ends of a route
# what comes before a route's second end (长汀至瑞金, 长沙到株洲, 沈阳—抚顺); so does 与 or 和 after a place
# (鄂州与黄石快速通道), not after a road (金海公路和奉浦快速通道 is a list of roads), nor 、 (铜梁东互通、铜合快速通道)
_BEFORE_SECOND_END = ROUTE_JOIN + "到—–-~"
_PAIR_JOINS = "与和"
# how a route's own name ends (衢州至丽水铁路, 西安至十堰高铁, 南京至句容城际, 遂川至大余高速崇义段,
# G315线墨玉至皮山段, 重庆至成都轨道交通, 北京至雄安轻轨, 杭州至绍兴有轨电车): one LOC, not split; unless that
# end is a place itself (柯桥, 中枢街道)
_ROUTE_NAME_ENDS = tuple("路线道段桥速铁际通轨车")
_PLACE_NAME_ENDS = (*ADMIN_LEVELS, "街道")
_HAN_RUN = re.compile(f"{HAN_CHAR.pattern}{{2,6}}")
_PLACE_CHARACTERS = 4  # the longest piece of a place name looked for across a join (周至县, 东至)


def split_joined_places(text: str, spans: Sequence[Span], places: Collection[str]) -> list[Span]:
    """``spans`` with each LOC made of two places and a join between them split into the two places.

    ``A至B`` (the two ends of a route: ``熊岳至鲅鱼圈快速通道``, ``神木至府谷天然气支线``) is split when
    both ends are 2–6 Han characters other than 至 and B does not end as a route's own name does
    (``衢州至丽水铁路`` stays one LOC) or is a place (a name of ``places``, or ending in a level or 街道:
    ``越州镇至中枢街道``); ``A、B``, ``A和B``, ``A及B``, ``A与B`` (a list break of :data:`LIST_BREAKS`) only
    when both are division names or short forms of ``places`` (names hold 和: ``和龙``, ``仁和镇``).
    Where one end is no such name, not where a name of ``places`` may run across the join (``周至县``,
    ``东至经开区``). The join itself is tagged neither way. ``text`` is what the spans index, in
    simplified characters.

    >>> text = "熊岳至鲅鱼圈快速通道，衢州至丽水铁路，同心与利通区错位发展，西安周至县"
    >>> spans = [Span(0, 6, "LOC"), Span(11, 18, "LOC"), Span(19, 25, "LOC"), Span(30, 35, "LOC")]
    >>> [text[s.start : s.end] for s in split_joined_places(text, spans, {"同心", "利通区", "周至县", "周至"})]
    ['熊岳', '鲅鱼圈', '衢州至丽水铁路', '同心', '利通区', '西安周至县']
    """
    result: list[Span] = []
    for span in spans:
        name = text[span.start : span.end]
        cut = None
        if span.label == "LOC":
            for at, join in enumerate(name):
                first, second = name[:at], name[at + 1 :]
                if join == ROUTE_JOIN:
                    ends = all(_HAN_RUN.fullmatch(end) and ROUTE_JOIN not in end for end in (first, second))
                    place = second in places or second.endswith(_PLACE_NAME_ENDS)
                    joined = ends and (place or not second.endswith(_ROUTE_NAME_ENDS))
                elif join in LIST_BREAKS:
                    joined = len(first) >= 2 and first in places and second in places
                else:
                    continue
                known = first in places and second in places  # 河南和湖北: 南和 begins no name here
                if joined and (known or not _name_across(name, at, places)):
                    cut = at
                    break
        if cut is None:
            result.append(span)
        else:
            result += [Span(span.start, span.start + cut, "LOC"), Span(span.start + cut + 1, span.end, "LOC")]
    return result


# the words that end a railway's or expressway's name, longest first: its official name holds 至 (衢州至丽水铁路),
# unlike a road described by its two ends (燕矶至杨叶快速路)
_NAMED_LINE = "(?:城际铁路|高速公路|高速铁路|铁路|高速|高铁|城际)"
_NAMED_LINE_AFTER = re.compile(_NAMED_LINE)
_NAMED_LINE_AT_END = re.compile(f"{_NAMED_LINE}$")
# what makes the line's word no line's name: the start of another word
# (高铁站, 高速路口, 城际公交, 高速化) or names a service or corridor on it (城际列车, 高速大巴, 高速通道: a trip)
_NOT_A_LINE_AFTER = (
    "站", "新城", "新区", "公交", "客运", "货运", "班车", "列车", "动车", "大巴", "客车", "巴士", "专线", "票", "快速",
    "通道", "公路", "路", "化", "服务区", "收费站", "出口", "入口",
)
# before a route's first end: 从武汉至鄂州高铁仅需20分钟 is a trip, not the line's name
_ROUTE_FROM = ("从", "由", "自")
_SITE_ENDS = ("港", "站")  # 黄石港至京九铁路: a site is no line's first end


def join_named_lines(text: str, spans: Sequence[Span], places: Collection[str]) -> list[Span]:
    """``spans`` with a railway or expressway whose name holds 至, cut there, made one LOC again.

    The guideline: a line whose name holds 至 is one LOC (``衢州至丽水铁路``, ``鹤岗至佳木斯高速公路``), a
    road described by its two ends two (``燕矶至杨叶快速路``). A network that has seen both tags the first
    end alone and the second with the line's word (``鹤岗`` + ``佳木斯高速公路``) or without it. Two LOC
    spans with only 至 between them become one when the second is a place of ``places`` that ends in a
    railway's or expressway's word (铁路, 高速公路, 高速, 高铁, 城际) or is directly followed by one, which is
    then taken in (with 公路 after 高速, and a 连接线 after it). Not where the word begins another (高铁站,
    高速路口, 城际公交), where another span begins in it, after 从, 由 or 自 (a trip: ``从武汉至鄂州高铁``), nor
    from a first end that is a road or site itself (``黄石港至京九铁路``), nor to a line with a name of its
    own (``黄冈至沪渝高速``: 沪渝 is no place). ``text`` is what the spans index, in simplified characters.

    >>> text = "鹤岗至佳木斯高速公路扩容，松桃至秀山高速公路，燕矶至杨叶快速路"
    >>> spans = [Span(0, 2, "LOC"), Span(3, 10, "LOC"), Span(13, 15, "LOC"), Span(16, 18, "LOC"),
    ...          Span(23, 25, "LOC"), Span(26, 28, "LOC")]
    >>> [text[s.start : s.end] for s in join_named_lines(text, spans, {"佳木斯", "秀山", "杨叶"})]
    ['鹤岗至佳木斯高速公路', '松桃至秀山高速公路', '燕矶', '杨叶']
    """
    result: list[Span] = []
    ordered = sorted(spans)
    i = 0
    while i < len(ordered):
        end = _named_line_end(text, ordered[i], ordered[i + 1 : i + 3], places)
        if end is None:
            result.append(ordered[i])
            i += 1
        else:
            result.append(Span(ordered[i].start, end, "LOC"))
            i += 2
    return result


def _named_line_end(text: str, first: Span, later: Sequence[Span], places: Collection[str]) -> int | None:
    """Where the line whose name begins at ``first`` (a route's first end) and goes on into ``later[0]`` ends, or
    None if the two are no line's name."""
    if not later:
        return None
    second = later[0]
    if (first.label != "LOC" or second.label != "LOC" or text[first.end : second.start] != ROUTE_JOIN
            or text.endswith(_ROUTE_FROM, 0, first.start)
            or text[first.start : first.end].endswith(_ROUTE_NAME_ENDS + _SITE_ENDS)):
        return None
    line = _NAMED_LINE_AT_END.search(text, second.start, second.end)
    if line is not None:
        stem, end = text[second.start : line.start()], second.end
    elif (after := _NAMED_LINE_AFTER.match(text, second.end)) is not None:
        stem, end = text[second.start : second.end], after.end()
    else:
        return None
    if text.endswith("高速", 0, end) and text.startswith("公路", end):
        end += 2
    if text.startswith("连接线", end):
        end += 3
    elif text.startswith(_NOT_A_LINE_AFTER, end):
        return None
    if stem not in places or (len(later) > 1 and later[1].start < end):
        return None
    return end


def _name_across(name: str, at: int, places: Collection[str]) -> bool:
    """Whether a name of ``places`` in ``name`` holds its character ``at`` and one before it: 周至 of 周至县, and
    东至 of 东至经开区 (a name that begins with the piece up to ``at``). Only spans that hold a join get here,
    so the scan of ``places`` is rare."""
    pieces = [name[i : at + 1] for i in range(max(0, at - _PLACE_CHARACTERS + 1), at)]
    return any(place.startswith(piece) for place in places for piece in pieces)


def extend_over_road_word(text: str, spans: Sequence[Span], places: Collection[str] = ()) -> list[Span]:
    """``spans`` with each LOC that :data:`ROAD_WORD` directly follows extended over it: a contracted road name.

    Not a route's second end: after 至, 到 or a dash (``长汀至瑞金快速通道`` gives 长汀 and 瑞金), or after
    与 or 和 that follows a place that is no road (``鄂州与黄石快速通道``; ``金海公路和奉浦快速通道`` is a
    list of roads); not a place that holds a join either, nor a division's name of ``places`` (``对接成都快速通道``:
    a road to a city, no contraction), and never into another span. ``text`` is what the spans index, in
    simplified characters.

    >>> text = "瓦蛟快速通道通车，长汀至瑞金快速通道，鄂州与黄石快速通道"
    >>> spans = [Span(0, 2, "LOC"), Span(9, 11, "LOC"), Span(12, 14, "LOC"), Span(19, 21, "LOC"), Span(22, 24, "LOC")]
    >>> [text[s.start : s.end] for s in extend_over_road_word(text, spans)]
    ['瓦蛟快速通道', '长汀', '瑞金', '鄂州', '黄石']
    """
    def a_place(name: str) -> bool:  # 南通 ends like 大通道 but is a city
        return name in places or not name.endswith(_ROUTE_NAME_ENDS)

    place_ends = {s.end for s in spans if s.label == "LOC" and a_place(text[s.start : s.end])}

    def contracted(span: Span) -> bool:
        name = text[span.start : span.end]
        before = text[span.start - 1] if span.start else ""
        after_place = before in _PAIR_JOINS and span.start - 1 in place_ends
        second_end = before and (before in _BEFORE_SECOND_END or after_place)
        return (not second_end and name not in places
                and not any(join in name for join in ROUTE_JOIN + LIST_BREAKS + _BEFORE_SECOND_END))

    return _extend_over_word(text, spans, ROAD_WORD, contracted)
