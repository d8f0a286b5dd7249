"""Rule-based tagger for AMOUNT and SLOGAN, following the annotation guideline.

Its main job is at prediction time: the guideline defines amounts and slogans
regularly enough (a number with its unit; a quoted phrase that is not speech) for
regexes to find them, and their spans take precedence over the network's where
the two overlap (:func:`govner.inference.postprocess.combine_with_rules`, for the
labels that :data:`govner.labels.RULE_LABELS` names). It is also the "rules"
baseline of ``govner evaluate`` and gives silver AMOUNT/SLOGAN labels to
general-domain corpora that never mark them (``corpus.msra_missing_labels: silver``).
LOC and ORG are out of reach for regexes and left to the model.

Every function takes text and returns ``Span`` offsets into that same text.
Matching runs on ``convert_chars(text)`` (traditional → simplified, full-width →
half-width, one character for one character), so ``億元``, ``１２個`` and ``９％``
work directly on the original text without any offset bookkeeping. Pinyin
notes inside a mention (``億(yì)元``) do break a regex; ``rule_spans_original``
handles them by running on ``normalize(text).text`` and mapping back.

Known limits, by design of a regex tagger: quoted place and organization names
(“长三角”) come out as SLOGAN, and so do their unquoted repeats of 3+ characters;
whether an unquoted repeat means the same thing (the project's 三大行动 case)
is not checked; 2-character slogans are never repeated; quoted speech without a
verb of saying, a colon or sentence punctuation is caught only by a length and
function-word heuristic; numbers in names outside 《》 and quotes (百强县 aside)
can pass as amounts when they carry a unit.

>>> text = "全年投资38.01億元，同比增长9.6%，占全市总量的三成；开展“走百企、解千难”活动。"
>>> [(text[s.start:s.end], s.label) for s in rule_spans(text)]
[('38.01億元', 'AMOUNT'), ('9.6%', 'AMOUNT'), ('三成', 'AMOUNT'), ('走百企、解千难', 'SLOGAN')]
>>> raw = "建成20個(gè)項目，“開門紅”"
>>> [raw[s.start:s.end] for s in rule_spans_original(raw)]
['20個', '開門紅']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from govner.data.document import Span
from govner.data.normalize import HAN_CHAR, convert_chars, normalize
from govner.labels import CLOSING_QUOTES, OPENING_QUOTES, QUOTE_PAIRS, QUOTES

AMOUNT = "AMOUNT"
SLOGAN = "SLOGAN"

# ---------------------------------------------------------------------------
# AMOUNT
# ---------------------------------------------------------------------------
# All patterns are written in simplified, half-width characters: they only
# ever see ``convert_chars`` output.

_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_SCALES = "十百千万亿"
_CN_CHARS = _CN_DIGITS + _CN_SCALES + "几"
# Arabic number; a thousands separator only when exactly three digits follow it,
# so that "100,200家" in a list of numbers is not read as one number by accident.
_ARABIC = r"[0-9]+(?:,[0-9]{3}(?![0-9]))*(?:\.[0-9]+)?"
# Arabic or Chinese numeral with an optional scale (3.5万, 250余万, 5100多万, 五千多万,
# 十几, 数百). 数 only counts as a numeral in front of a scale (数百家),
# never alone (数据, 指数).
_NUM = rf"(?:{_ARABIC}|(?:数(?=[{_CN_SCALES}]))?[{_CN_CHARS}]+)(?:[余多]?[{_CN_SCALES}]+)?"

# Units by kind (money matters to the bare-scale rule: 亿元 alone is an amount).
# Sorted longest first in the alternation so that 个百分点 wins over 个,
# 平方公里 over 公里, GWh over GW.
_MONEY_UNITS = ("元", "美元", "欧元", "港元", "港币", "日元", "英镑", "人民币")
_RATIO_UNITS = ("%", "‰", "个百分点", "百分点", "倍", "成")
_MEASURE_WORDS = (
    "平方公里 平方千米 平方米 平米 立方米 公顷 亩 公里 千米 厘米 毫米 米 吨 千克 公斤 微克 毫克 克 斤 升 "
    "千瓦时 千瓦 兆瓦 千伏安 度 标箱 TEU kWh MWh GWh TWh kWp MWp kW kw KW MW GW"
)
_MEASURE_UNITS = tuple(_MEASURE_WORDS.split())
_COUNT_WORDS = (
    "人次 户次 家次 车次 辆次 架次 艘次 班次 台次 台套 批次 场次 标准箱 "
    "家 个 项 名 人 户 条 座 所 辆 只 头 件 次 批 台 单 轮 "
    "套 张 间 栋 幢 处 块 类 种 款 份 篇 位 架 艘 株 棵 起 例 宗 笔 支 场 片 瓶 盒 箱 袋 县 镇 乡 村"
)
_COUNT_UNITS = tuple(_COUNT_WORDS.split())
# Right-context guards for units that are also the first character of common words.
# 个 is followed by a time word in durations (45个工作日, 三个多小时, 每2个月) -
# durations are not amounts; the others stop 项目, 成为, 人民 and the like.
_TIME_WORDS = "工作日|自然日|月|小时|钟头|星期|礼拜|季度|年|周|世纪|昼夜|学期|半月|晚上"
_UNIT_GUARDS = {
    "个": rf"(?![多半]?(?:{_TIME_WORDS}))",
    "项": r"(?!目)",
    "成": r"(?!为|立|功|果|效|本|员|绩|熟|交|长|就|型|品|都|套|片|批|规模|不变|群)",
    "人": r"(?!民|才|员|口|大|士|物|事|社|力|工|均|文|类|生|家|们|心|身)",
    "所": r"(?!有|在|属|以|得|谓|需|述|说|长)",
    # not 长: parents are counted with 名 or 位 (200名家长), and 40家 + 长三角企业, 3家 + 长春企业 are counts
    # 家电 is appliances, but 12家 + 电子信息企业 and 3家 + 电商企业 are counts
    "家": r"(?!庭|乡|园|居|具|电(?!子|商|力|网|池|气|器|信|缆|源|厂|站)|属|人)",
    "次": r"(?!要|级|生|数|日|年|序|第|于)",
    "度": r"(?!假|过|的|上|下|内|末|初|重|化)",
    "台": r"(?!湾|阶|账|风(?!机|电|扇|力|冷)|上|下|前|后)",  # 台风 is a typhoon, 48台风机 are wind turbines
    "头": r"(?!部|脑|条|号|上|等)",
    "只": r"(?!有|要|是|能|会|需|在)",
    "支": r"(?!持|撑|出|付|部|柱|点|流)",
    "县": r"(?!委|政|级|域|城|长|里)",
    "镇": r"(?!委|政|级|域|长|里|街)",
    "乡": r"(?!村|镇|委|政|级|长|里|土|亲)",
    "村": r"(?!委|民|级|庄|里|长|组|集)",
    "起": r"(?!来|步|到|草|点|源|跑|飞|航|诉)",
    "处": r"(?!理|置|于|长|室|级|罚|分|在)",
    "块": r"(?!钱|状)",
    "片": r"(?!区|面|刻|段|林|中)",
    "场": r"(?!景|所|地|馆|面|合|域|站|内|上|外|均|次|化|主|经|监|准)",
    "位": r"(?!置|于|居|列|次|数|列)",
    "元": r"(?!素|宵|旦|首|老|帅|化)",
    "米": r"(?!饭|粮|面)",
    "条": r"(?!件|例|款|理|码|形)",
    "种": r"(?!植|养|子|苗|业)",
    "批": r"(?!准|复|示|评|次|发)",
    "名": r"(?!单|义|称|片|牌|列|字|誉|额)",
    "类": r"(?!似|别|型)",
    "克": r"(?!服|隆|难)",
    # 15万单 are orders; not 单位, 单元, 单体, 单品, 单项, 单独, 单一 …
    "单": r"(?!位|元|体|品|项|独|一|个|列|晶|价|产|车|线|次|打)",
    # 8轮 rounds of checks; not 轮胎, 轮换, 轮流, 轮动, 轮值 …
    "轮": r"(?!胎|换|流|动|值|岗|椅|船|渡|廓|毂|驱|式|盘|机|番)",
}


def _unit_alternation(units: Iterable[str]) -> str:
    parts = []
    for unit in sorted(units, key=len, reverse=True):
        guard = _UNIT_GUARDS.get(unit, "")
        tail = r"(?![A-Za-z])" if unit.isascii() and unit[-1].isalpha() else ""
        parts.append(re.escape(unit) + guard + tail)
    return "|".join(parts)


_ALL_UNITS = _MONEY_UNITS + _RATIO_UNITS + _MEASURE_UNITS + _COUNT_UNITS
# A rate keeps its denominator: 3000元/吨, 28微克/立方米, 50万元/亩.
_PER = "立方米|平方米|平米|千瓦时|公斤|吨|亩|人|年|月|天|小时|台|件|个|kWh"
_UNIT = rf"(?:{_unit_alternation(_ALL_UNITS)})(?:/(?:{_PER}))?"
_RANGE_SEP = r"(?:至|到|-|~|—|–|－|～)"

# One amount, unit optional (whether a bare number is an amount is decided in code):
#   nums   a number, or a list of numbers sharing the unit (1.5、0.5、0.8个百分点)
#   range  an optional second end (2万元至20万元, 10-20亿元)
#   unit   the unit or measure word
# The first alternative needs a unit and backtracks into the number to find one
# (100万千瓦: 100万 + 千瓦, not 100万千 + 瓦); only when no unit fits does the
# second take the bare number, whose fate ``_number_ok`` decides.
_AMOUNT_RE = re.compile(
    rf"(?P<nums>{_NUM}(?:、{_NUM})*)"
    rf"(?P<range>[余多]?(?:{_UNIT})?{_RANGE_SEP}{_NUM})?"
    rf"(?P<mod>[余多])?"
    rf"(?P<unit>{_UNIT})"
    rf"|(?P<bare>{_NUM})"
)
# Fractions and spelled-out percentages: 三分之一, 百分之五十, 千分之三.
_FRACTION_RE = re.compile(rf"(?:{_NUM})分之(?:{_NUM})")
_CN_RUN = re.compile(rf"[{_CN_CHARS}]+")
_ANY_NUMERAL = re.compile(rf"[0-9{_CN_CHARS}]")
# an Arabic number alone, or a list's item number (3.)
_BARE_ARABIC = re.compile(r"[0-9]+(?:[.,][0-9]+)*[.、]?")
# after a bare number: the next number of a list sharing a unit (3、5和8家)
_NEXT_LIST_NUMBER = re.compile(r"[、和及与或][0-9]")
_ARABIC_RE = re.compile(_ARABIC)
# Adjacent Chinese digits (十四五, 三五个, 二〇二三) are names, rough guesses or
# years, never a well-formed number.
_ADJACENT_DIGITS = re.compile(r"[一二两三四五六七八九零〇]{2}")
# Words after which a bare scale is a threshold or an approximate quantity:
# 过千亿, 超百亿, 突破千亿, 逾万人, 近百亿, 达千亿, 上万人.
_THRESHOLD_BEFORE = "过超逾破达近上"
# A rank (前100位, 排名18位); a 前 or 后 that ends a word of time (目前, 节前, 随后) is not one.
_RANK_BEFORE = re.compile(r"(?:(?<![目此之节年日提随今以然会])[前后]|[居列]|排名|位列|位居|名列)$")
# Codes and formulas (G65, 5G.3, 1+2); letters before money are a word (GDP1234亿元).
_NOT_BEFORE_ARABIC = re.compile(r"[A-Za-z0-9.+_#]")
_PER_UNIT_AFTER = re.compile("GDP|生产总值|工业增加值|增加值")
# How far those exclusions look around a number: 排名 before it, plus the one character that
# _RANK_BEFORE's look-behind reads (目 of 目前); 工业增加值 after it.
_CONTEXT_BEFORE = len("排名") + 1
_CONTEXT_AFTER = len("工业增加值")
# Document titles: numbers in 《……十条措施》 belong to a name, not an amount.
_TITLE_RE = re.compile("《[^《》\n]*》")


def _valid_numeral(token: str) -> bool:
    """A Chinese numeral run that reads as one number (not 十四五, not 三五)."""
    return not _ADJACENT_DIGITS.search(token) and not token.startswith("几" * 2)


def _number_ok(text: str, m: re.Match[str]) -> bool:
    """Decide whether a match of ``_AMOUNT_RE`` is an amount (the guideline's exclusions)."""
    start, end = m.span()
    nums, unit, mod = m.group("nums") or m.group("bare"), m.group("unit"), m.group("mod")
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    core = m.group(0)
    if before == "第" or after == "级":  # ordinals (第一), scale labels (千亿级, 20亿元级)
        return False
    if unit in ("名", "位") and _RANK_BEFORE.search(text, max(0, start - 2), start):  # 前100位, 排名18位
        return False
    arabic = nums[0].isdigit()
    if arabic:
        if _NOT_BEFORE_ARABIC.match(before) and not (before.isalpha() and unit in _MONEY_UNITS):
            return False
        first = _ARABIC_RE.match(nums).group()
        if len(first) > 1 and first[0] == "0" and first[1] != ".":  # 0816: area codes, ids
            return False
        if len(first.replace(",", "").split(".")[0]) > 10:  # phone and registration numbers
            return False
    cn_runs = _CN_RUN.findall(core if unit is None else core[: len(core) - len(unit)])
    if not all(_valid_numeral(run) for run in cn_runs):
        return False
    if unit is None:
        # A number without a unit is an amount only when it carries its own
        # scale: 2000亿, 3.5万, 五千万, or a threshold after 过/超/突破 (过千亿).
        if not core.endswith(("万", "亿")):
            return False
        if arabic:
            return True
        if before in _THRESHOLD_BEFORE:
            return True
        # 五千万 is an amount; 千亿园区, 百亿企业 (a bare scale before a noun) are designations.
        return any(c in "一二两三四五六七八九" for c in core)
    if arabic or m.group("range") or "、" in nums:
        return True
    # Chinese numeral with a unit. A single character is not an amount when it
    # counts things (一个, 两家, 五类, 十条) - the guideline's single-digit rule -
    # but fractions and multiples (三成, 两倍) are, and so are a bare scale
    # before money (亿元以上项目 → 亿元), an approximate count (十余家, 百余家)
    # and a quantity after a threshold verb (近万人, 过千家).
    if len(nums) > 1:
        return nums != "几" * len(nums)
    if nums == "几":
        return False
    if mod:
        return nums in "十百千万"
    if nums in "百千万亿":
        if unit in _MONEY_UNITS:
            return not _PER_UNIT_AFTER.match(text, end)  # 万元GDP能耗 is a unit of measure, not an amount
        return before in _THRESHOLD_BEFORE
    return unit in ("倍", "成")


def amount_spans(text: str) -> list[Span]:
    """AMOUNT spans of ``text``: a number with its unit or measure word, as the guideline defines it.

    Words around the number stay out (近, 超过, 以上, 左右); a range is one span;
    a list of numbers sharing one unit gives one span per number.

    >>> text = "引进亿元以上项目12个，投资2万元至20万元，分别增长1.5、0.8个百分点，近百亿元，2023年第一。"
    >>> [text[s.start:s.end] for s in amount_spans(text)]
    ['亿元', '12个', '2万元至20万元', '1.5', '0.8个百分点', '百亿元']
    """
    conv = convert_chars(text)
    titles = [m.span() for m in _TITLE_RE.finditer(conv)]
    title_ends = [b for _, b in titles]

    def in_title(a: int, b: int) -> bool:
        i = bisect_right(title_ends, a)
        return i < len(titles) and titles[i][0] < b

    spans: list[Span] = []
    for m in _FRACTION_RE.finditer(conv):
        if conv[m.start() - 1 : m.start()] != "第" and not in_title(*m.span()):
            spans.append(Span(m.start(), m.end(), AMOUNT))
    # Fractions are taken first; titles are no-go zones. Neither overlaps the
    # other, so one sorted list and a binary search keep the overlap test cheap.
    blocked = sorted([(s.start, s.end) for s in spans] + titles)
    ends = [b for _, b in blocked]
    for m in _AMOUNT_RE.finditer(conv):
        i = bisect_right(ends, m.start())
        if (i < len(blocked) and blocked[i][0] < m.end()) or not _number_ok(conv, m):
            continue
        # A list shares its unit: each number is its own span, the last one with the unit.
        pos = m.start()
        for item in (m.group("nums") or "").split("、")[:-1]:
            spans.append(Span(pos, pos + len(item), AMOUNT))
            pos += len(item) + 1
        spans.append(Span(pos, m.end(), AMOUNT))
    return sorted(spans)


def rejects_amount(text: str, start: int, end: int) -> bool:
    """Whether the guideline rules out ``text[start:end]``, a span from elsewhere (the network), as an AMOUNT.

    Rejected: a span without a numeral; a bare Arabic number that is not an item of a list of
    numbers sharing a unit (a numbered list's ``1.``); and a span of a shape the rules know that
    their exclusions rule out where it stands, looking at the few characters around it: ranks
    (``前100位``), scale labels (``5000吨级``), a bare scale before a noun (``百亿企业``), a
    measure word that begins a duration (``12个月``). A span whose unit the rules do not know
    (``800PFlops``) is left to the network. (Exclusions that need the whole line, such as a
    number inside a document title, are not applied.)

    >>> text = "1.排名前100位，新增2家，算力800PFlops，建设百亿企业"
    >>> spans = ["1", "100位", "2家", "800PFlops", "百亿"]
    >>> [w for w in spans if rejects_amount(text, text.index(w), text.index(w) + len(w))]
    ['1', '100位', '百亿']
    """
    lo = max(0, start - _CONTEXT_BEFORE)
    conv = convert_chars(text[lo : end + _CONTEXT_AFTER])
    start, end = start - lo, end - lo
    span = conv[start:end]
    if not _ANY_NUMERAL.search(span):
        return True
    if _BARE_ARABIC.fullmatch(span):
        return not _NEXT_LIST_NUMBER.match(conv, end)
    if _AMOUNT_RE.fullmatch(conv, start, end) is None:
        return False  # a shape the rules do not know
    # Read with what follows, as the rules read it: a guard may refuse the unit (个 before 月).
    m = _AMOUNT_RE.match(conv, start)
    return m is None or m.end() != end or not _number_ok(conv, m)


# ---------------------------------------------------------------------------
# SLOGAN
# ---------------------------------------------------------------------------

_PAIRS = QUOTE_PAIRS
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}
_OPENING = frozenset(OPENING_QUOTES)
_CLOSING = frozenset(CLOSING_QUOTES)
_QUOTE_OR_BREAK = re.compile(f"[{re.escape(QUOTES)}\n]")
# What may not start or end a span: white space and punctuation (not + or %,
# which end slogans such as 互联网+).
_EDGE_JUNK = " \t\u3000,，.。、;；:：!！?？…—-·'()（）《》〈〉[]【】" + QUOTES
# the same without quotation marks: a nested quotation's marks belong to the content around it (“‘两山’理念”)
_EDGE_PUNCTUATION = "".join(c for c in _EDGE_JUNK if c not in QUOTES)
_SENTENCE_END = re.compile(r"[。！？!?]")
# Verbs that introduce quoted speech ("他强调：“……”"), with or without a colon.
_SAY_VERBS = ("说", "说道", "写道", "问道", "指出", "强调", "表示", "问", "声称", "认为", "坦言", "回答", "透露")
_CLAUSE_BREAKS = (",", "，", ";", "；", ":", "：")
# Speech attributed after the quote: a short subject, then a verb of saying.
_SAID_AFTER = re.compile(f"[^，,。；;：:“”\n]{{0,8}}?(?:{'|'.join(_SAY_VERBS)})[，,。：:]")
_AFTER_SPEECH_MIN = 6
# Verbs that introduce speech only with a colon; without one they mostly introduce a formula.
_DEMAND_VERBS = ("要求", "提出")
# A quote that reads as a clause rather than a formula: long, not a list of
# parallel phrases, and holding a function word formulas avoid.
_CLAUSE_WORDS = re.compile("[的是了我你他她们把将吗呢吧啊着]")
_CLAUSE_MIN = 12
# Longer quotations are passages (speech, citations), not formulas: the longest
# slogans, lists of four or five parallel phrases, stay well under this.
_QUOTE_MAX = 50
# The unquoted-repeat rule only for phrases of 3+ characters: 2-character
# quotes (主体, 攻坚, 高地) are everyday words whose unquoted uses mostly mean
# something else (市场主体), so repeating them would tag ordinary vocabulary.
REPEAT_MIN_CHARS = 3


class _Quote:
    __slots__ = ("children", "end", "start")

    def __init__(self, start: int) -> None:
        self.start = start  # first character of the content
        self.end = start  # one past the last character of the content
        self.children: list[_Quote] = []


def _quotations(text: str) -> list[_Quote]:
    """Outermost quotations of ``text`` with their nested quotations.

    A quotation never crosses a line break; an unclosed quotation is dropped and
    any complete quotation inside it is promoted. Chinese never nests a quote mark
    inside the same mark, so a second “ while “ is open is read as a mistyped ”.
    """
    roots: list[_Quote] = []
    stack: list[tuple[str, _Quote]] = []

    def add(node: _Quote) -> None:
        (stack[-1][1].children if stack else roots).append(node)

    def close_top(pos: int) -> None:
        _, node = stack.pop()
        node.end = pos
        add(node)

    def drop_top() -> None:
        _, node = stack.pop()
        for child in node.children:
            add(child)

    for m in _QUOTE_OR_BREAK.finditer(text):
        ch, pos = m.group(), m.start()
        if ch == "\n":
            while stack:
                drop_top()
        elif ch == '"':
            if stack and stack[-1][0] == '"':
                close_top(pos)
            else:
                stack.append(('"', _Quote(pos + 1)))
        elif ch in _PAIRS:
            if stack and stack[-1][0] == ch and ch == "“":
                close_top(pos)
            else:
                stack.append((ch, _Quote(pos + 1)))
        else:
            opener = _CLOSERS[ch]
            if not any(o == opener for o, _ in stack):
                continue  # a stray closing mark
            while stack[-1][0] != opener:
                drop_top()
            close_top(pos)
    while stack:
        drop_top()
    return roots


def _trim(text: str, start: int, end: int, junk: str = _EDGE_JUNK) -> tuple[int, int]:
    while start < end and text[start] in junk:
        start += 1
    while end > start and text[end - 1] in junk:
        end -= 1
    return start, end


def _is_speech(text: str, q: _Quote) -> bool:
    """Quoted direct speech: a full sentence, or a clause introduced by 说/指出/强调/... ."""
    content = text[q.start : q.end].rstrip()
    if len(content) > _QUOTE_MAX:
        return True  # far longer than any formula: a quoted passage
    if _SENTENCE_END.search(content) or content.endswith(_CLAUSE_BREAKS):
        return True  # a sentence, or a sentence broken off at a comma (“……，”他说)
    if len(content) >= _AFTER_SPEECH_MIN and _SAID_AFTER.match(text, q.end + 1):
        return True  # “……”他说 / “……”王书记强调
    head = text[max(0, q.start - 12) : q.start - 1].rstrip()
    colon = head.endswith((":", "："))
    if colon:
        head = head[:-1].rstrip()
    if head.endswith(_SAY_VERBS) or (colon and head.endswith(_DEMAND_VERBS)):
        return True
    # Without a colon, 提出/要求 introduce a formula (提出“三高四新”战略) about as often
    # as speech, so they count only for a clause-like quote. The same test catches
    # remarks quoted with no verb at all: long, not a list of parallel phrases
    # (、), and holding a function word that formulas avoid.
    return len(content) >= _CLAUSE_MIN and "、" not in content and bool(_CLAUSE_WORDS.search(content))


def quotation_contents(text: str) -> tuple[list[tuple[int, int]], set[int]]:
    """Every quotation of ``text`` in one pass: the ``(start, end)`` of each content, nested ones and speech
    included, trimmed of white space and punctuation at the edges (a nested quotation's marks stay), in order
    of start; and the positions of the marks that open or close a complete quotation. A straight ``"`` both
    opens and closes, so one beside a phrase says nothing about the phrase unless it is not among them (left
    over from a broken pair).

    >>> text = '实施“工业强县”，学习“‘两山’理念”，培育"小巨人"，支持“组团出海'  # the last mark pairs with none
    >>> contents, marks = quotation_contents(text)
    >>> [text[a:b] for a, b in contents], sorted(marks)
    (['工业强县', '‘两山’理念', '两山', '小巨人'], [2, 7, 11, 12, 15, 18, 22, 26])
    """
    contents: list[tuple[int, int]] = []
    marks: set[int] = set()
    todo = _quotations(text)
    while todo:
        q = todo.pop()
        todo.extend(q.children)
        marks.update((q.start - 1, q.end))
        start, end = _trim(text, q.start, q.end, _EDGE_PUNCTUATION)
        if end > start:
            contents.append((start, end))
    return sorted(contents), marks


def _quoted_slogans(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    todo = _quotations(text)
    while todo:
        q = todo.pop()
        if _is_speech(text, q):
            todo.extend(q.children)  # a slogan quoted inside speech is still a slogan
            continue
        start, end = _trim(text, q.start, q.end)
        if end - start >= 2:
            out.append((start, end))
    return sorted(out)


def _phrase_pattern(phrase: str) -> str:
    """Regex for a slogan phrase, any quotation mark matching any other (nested quotes)."""
    quote = f"[{re.escape(QUOTES)}]"
    return "".join(quote if c in QUOTES else re.escape(c) for c in phrase)


def slogan_spans(text: str, *, repeats: bool = True) -> list[Span]:
    """SLOGAN spans of ``text``: quoted phrases of 2+ characters, and unquoted repeats of them.

    Quoted speech and single quoted characters are left out; a quotation nested
    in another stays inside the outer span. ``repeats=False`` leaves out the
    unquoted repeats (the document-level part of the guideline's rule), so each
    span rests on its own quotation marks only (``govner predict --no-consistency``).

    >>> text = "实施“工业强县”战略。他说：“我们一定能完成任务。”坚持工业强县不动摇，“危”中寻“机”。"
    >>> [text[s.start:s.end] for s in slogan_spans(text)]
    ['工业强县', '工业强县']
    """
    conv = convert_chars(text)
    quoted = _quoted_slogans(conv)  # sorted, non-overlapping
    repeat = {conv[a:b] for a, b in quoted}
    repeat = [p for p in repeat if len(p) >= REPEAT_MIN_CHARS and HAN_CHAR.search(p)]
    if not repeat or not repeats:
        return [Span(a, b, SLOGAN) for a, b in quoted]
    ends = [b for _, b in quoted]
    swallowed: set[tuple[int, int]] = set()
    repeats: list[tuple[int, int]] = []
    pattern = re.compile("|".join(_phrase_pattern(p) for p in sorted(repeat, key=len, reverse=True)))
    for m in pattern.finditer(conv):
        a, b = m.span()
        if conv[a - 1 : a] in _OPENING and conv[b : b + 1] in _CLOSING:
            continue  # a quotation of its own: already a slogan, or rejected as speech
        # Outermost wins: a repeat may swallow whole quotations inside it (a partly
        # quoted repeat of a nested slogan: 与企业“面对面”活动), never cut one in half.
        overlapping = []
        for i in range(bisect_right(ends, a), len(quoted)):
            if quoted[i][0] >= b:
                break
            overlapping.append(quoted[i])
        if all(a <= s - 1 and e + 1 <= b for s, e in overlapping):
            swallowed.update(overlapping)
            repeats.append((a, b))
    spans = sorted([q for q in quoted if q not in swallowed] + repeats)
    return [Span(a, b, SLOGAN) for a, b in spans]


# ---------------------------------------------------------------------------
# Both
# ---------------------------------------------------------------------------


def rule_spans(text: str, labels: Sequence[str] = (AMOUNT, SLOGAN), *, repeats: bool = True) -> list[Span]:
    """AMOUNT and SLOGAN spans of ``text``, flat and non-overlapping.

    A SLOGAN wins over any AMOUNT it overlaps: numbers inside slogans are not amounts.
    ``repeats`` is passed to :func:`slogan_spans`.

    >>> text = "落实“制造业23条”，新增企业23家。"
    >>> [(text[s.start:s.end], s.label) for s in rule_spans(text)]
    [('制造业23条', 'SLOGAN'), ('23家', 'AMOUNT')]
    """
    unknown = set(labels) - {AMOUNT, SLOGAN}
    if unknown:
        raise ValueError(f"rules tag only {AMOUNT} and {SLOGAN}, not {sorted(unknown)}")
    slogans = slogan_spans(text, repeats=repeats) if SLOGAN in labels else []
    amounts = amount_spans(text) if AMOUNT in labels else []
    slogan_ends = [s.end for s in slogans]
    kept = []
    for a in amounts:
        i = bisect_right(slogan_ends, a.start)  # first slogan ending after the amount starts
        if i == len(slogans) or slogans[i].start >= a.end:
            kept.append(a)
    return sorted(slogans + kept)


def rule_spans_original(text: str, labels: Sequence[str] = (AMOUNT, SLOGAN)) -> list[Span]:
    """``rule_spans`` on ``normalize(text).text``, mapped back to offsets into ``text``.

    Normalizing first removes pinyin notes (``個(gè)``) and folds white space, so
    amounts and slogans broken up by scraping noise are still found; a note after
    a span's last character stays outside the mapped span, as the guideline wants.

    >>> raw = "投資5億(yì)元，“五區(qū)建設(shè)”"
    >>> [raw[s.start:s.end] for s in rule_spans_original(raw)]
    ['5億(yì)元', '五區(qū)建設']
    """
    norm = normalize(text)
    return [Span(*norm.to_original(s.start, s.end), s.label) for s in rule_spans(norm.text, labels)]
