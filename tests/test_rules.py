"""The rule-based AMOUNT/SLOGAN tagger: one group of cases per guideline rule, plus a gold-set floor.

The example sentences are written for these tests; each assertion names the exact
mentions expected, so a rule that stops firing or starts over-firing fails.
"""

import itertools
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govner.data.labelstudio import load_documents
from govner.rules import amount_spans, rejects_amount, rule_spans, rule_spans_original, slogan_spans
from helpers import ROOT

GOLD = ROOT / "annotations" / "seed_gold.json"


def amounts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in amount_spans(text)]


def slogans(text: str) -> list[str]:
    return [text[s.start : s.end] for s in slogan_spans(text)]


def tagged(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in rule_spans(text)]


# ---------------------------------------------------------------- AMOUNT: what is an amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今年完成固定资产投资47.25亿元。", ["47.25亿元"]),
        ("出口额达到3.8亿美元。", ["3.8亿美元"]),
        ("税收收入同比下降4.7%，增速回落2个百分点。", ["4.7%", "2个百分点"]),
        ("不良贷款率为1.2‰。", ["1.2‰"]),
        ("新增规上企业27家、入库项目9个、专利134项。", ["27家", "9个", "134项"]),
        ("及40余家长三角企业、3家长春企业参加，培训200名家长。", ["40余家", "3家", "200名"]),  # 家 before 长
        ("走访12家电子信息企业、3家电商平台，推动家电下乡，5家家电企业", ["12家", "3家", "5家"]),  # not 家电
        ("选派驻企干部260名，培训技工1800人。", ["260名", "1800人"]),
        ("流转土地3200亩，建成厂房8.5万平方米，园区规划面积11.6平方公里。", ["3200亩", "8.5万平方米", "11.6平方公里"]),
        ("新修乡村公路37公里，年产钢材120万吨。", ["37公里", "120万吨"]),
        ("新增光伏装机45MW、储能6GWh，风电总装机60万kw。", ["45MW", "6GWh", "60万kw"]),
        ("新增充电桩800台、公交车50辆、养殖肉牛3000头。", ["800台", "50辆", "3000头"]),
        ("产值达到3000亿，带动就业5万。", ["3000亿", "5万"]),
        ("用工成本为每人每月4500元/人。", ["4500元/人"]),
        # trips of vehicles and ships, orders and rounds: the whole unit (not 186万辆 + 次, 15万 + 单); not 单元, 轮胎
        ("驗放交通工具186萬輛次、船舶30艘次，日均发货量15万单，专项检查8轮，建成10单元、更换4轮胎",
         ["186萬輛次", "30艘次", "15万单", "8轮"]),
    ],
)
def test_number_with_unit_is_an_amount(text, expected):
    assert amounts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("外地游客占四成。", ["四成"]),
        ("收入增长到原来的3倍。", ["3倍"]),
        ("近三分之二的企业完成改造。", ["三分之二"]),
        ("完成率达到百分之九十五。", ["百分之九十五"]),
    ],
)
def test_fractions_and_multiples(text, expected):
    assert amounts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("组织十二个工作组，走访三十家企业，争取资金五千万元。", ["十二个", "三十家", "五千万元"]),
        ("全县共有5个乡镇、1个街道。", ["5个", "1个"]),
    ],
)
def test_multi_character_chinese_numerals_and_all_arabic_counts_are_amounts(text, expected):
    assert amounts(text) == expected


def test_bare_unit_as_threshold():
    text = "新签约亿元以上项目，销售收入过千亿，税收过千万的企业。"
    assert amounts(text) == ["亿元", "千亿", "千万"]


def test_bare_scale_in_a_designation_is_not_an_amount():
    assert amounts("全力打造千亿园区，培育百亿企业。") == []


def test_modifiers_inside_kept_words_around_left_out():
    text = "建成道路40多条，新建厂房120余万平方米，引进十几家企业，近百亿元，超过200家，9%以上，15个左右，约80人。"
    assert amounts(text) == ["40多条", "120余万平方米", "十几家", "百亿元", "200家", "9%", "15个", "80人"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("给予5万元至10万元的补助。", ["5万元至10万元"]),
        ("单个项目投资30-50亿元。", ["30-50亿元"]),
        ("每年新增8到12家。", ["8到12家"]),
    ],
)
def test_range_is_one_span(text, expected):
    assert amounts(text) == expected


def test_list_sharing_one_unit_gives_one_span_per_number():
    text = "三项指标分别高出2.1、1.3、0.6个百分点。"
    spans = amount_spans(text)
    assert [text[s.start : s.end] for s in spans] == ["2.1", "1.3", "0.6个百分点"]
    assert all(s.label == "AMOUNT" for s in spans)


@pytest.mark.parametrize(
    "text",
    [
        "2024年3月18日上午，会议在二〇二三年总结的基础上召开。",  # dates
        "一季度和上半年情况良好，会议于16:30结束，发布于2022-05-17。",  # quarters, times, ISO dates
        "项目建设周期为3年，审批时限压缩至30个工作日，会议开了两个多小时，每3个月调度一次。",  # durations
        "全省排名第一，考核位列第4名，综合排名12位，前20位。",  # ordinals and ranks
        "形成一个中心、两家龙头、五类产业、三期工程，十条措施落地。",  # single Chinese digit counts
        "搭建两大平台，实施三大行动，推进四大工程。",  # rhetorical counts
        "打造千亿级产业集群和50亿元级项目。",  # 级 labels
        "入围世界500强，编制十四五规划，推行3456工作法。",  # numbers in names
        "联系电话0571-86012345，统一社会信用代码913301001234567890。",  # phone and registration numbers
        "储备一批项目，引进一些人才，提供一条龙服务。",  # vague quantities
        "建设5G基站，改造G318国道，PM2.5持续下降。",  # codes
    ],
)
def test_not_amounts(text):
    assert amounts(text) == []


@pytest.mark.parametrize(
    ("text", "span", "rejected"),
    [
        ("三、主要成效\n1.实现了增长", "1", True),  # a numbered list's item number
        ("3.坚持落地为王", "3.", True),
        ("綜合排名前100位", "100位", True),  # a rank
        ("建成5000吨级泊位", "5000吨", True),  # a scale label
        ("没有百亿企业的历史", "百亿", True),  # a bare scale before a noun
        ("与四川广元等地签约", "广元", True),  # no numeral at all
        ("新增規上企業12家", "12家", False),
        ("算力规模达800PFlops", "800PFlops", False),  # a unit the rules do not know: the network's call
        ("分别增长1.5、0.8个百分点", "1.5", False),  # an item of a list sharing a unit
        ("分别为3、5和8家", "5", False),
        ("工业产值过千亿", "千亿", False),  # a threshold
        ("截至目前100名干部下沉一线", "100名", False),  # 目前 is time, not a rank
        ("随后200位专家到场", "200位", False),
        ("实现GDP1234.5亿元", "1234.5亿元", False),  # letters before money are a word, not a code
        ("建设G65高速", "65", True),
        ("施工期12个月", "12个", True),  # a duration: the rules refuse 个 before 月
        ("单位万元工业增加值能耗下降", "万元", True),  # a unit of measure (looks 5 characters ahead)
        ("建成5000噸級泊位", "5000噸", True),  # traditional characters
        ("48臺風機全部吊裝", "48臺", False),  # wind turbines, not a typhoon (臺風 normalizes to 台风)
        ("受12台风影响", "12台", True),
        ("吊装25台风力发电机组", "25台", False),
        ("更换3台风扇", "3台", False),
    ],
)
def test_rejects_amount_applies_the_guidelines_exclusions_to_a_given_span(text, span, rejected):
    start = text.index(span)
    assert rejects_amount(text, start, start + len(span)) is rejected


def test_every_annotated_amount_is_kept_or_found_by_the_rules():
    # Prediction drops the network's amounts that rejects_amount rules out, and adds the rules' own:
    # no amount the annotators tagged may fall between the two (the bare items of a list sharing a unit
    # are kept either way).
    for path in (GOLD, ROOT / "data/synthetic/synthetic_gold.json"):
        for doc in load_documents(path):
            rules = set(rule_spans_original(doc.text))
            for s in doc.spans:
                if s.label == "AMOUNT" and rejects_amount(doc.text, s.start, s.end):
                    assert s in rules, (doc.id, doc.text[s.start : s.end])


def test_number_inside_a_document_title_is_part_of_a_name():
    text = "印发《关于支持实体经济发展的二十条措施》，兑现奖补资金3200万元。"
    assert amounts(text) == ["3200万元"]


def test_unit_of_duration_after_ge_is_not_a_count_but_other_counts_are():
    assert amounts("用时45个工作日，建成45个站点。") == ["45个"]


def test_rate_per_unit_and_per_unit_measures():
    assert amounts("综合能耗为每万元GDP下降3.2%，均价6800元/平方米。") == ["3.2%", "6800元/平方米"]


def test_traditional_and_full_width_text():
    text = "完成投資１２．５億元，新建廠房８萬平方米，引進項目１６個，增長７．８％，新增企業三十家。"
    assert amounts(text) == ["１２．５億元", "８萬平方米", "１６個", "７．８％", "三十家"]


# ---------------------------------------------------------------- SLOGAN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("实施“强县富民”战略。", ["强县富民"]),
        ("落实‘两个不动摇’。", ["两个不动摇"]),
        ("開展「企業服務月」活動。", ["企業服務月"]),
        ("推行『一窗受理』改革。", ["一窗受理"]),
        ('打造"数字政府"样板。', ["数字政府"]),
        ("跑出“ 加速度 ”。", ["加速度"]),  # spaces at the edges stay out
    ],
)
def test_every_kind_of_quotation_mark(text, expected):
    assert slogans(text) == expected


def test_slogan_span_is_the_content_without_the_marks():
    text = "奋力冲刺“双过半”。"
    (span,) = slogan_spans(text)
    assert (span.start, span.end) == (text.index("双"), text.index("”"))


def test_a_quoted_list_is_one_span():
    assert slogans("坚持“稳中求进、以进促稳、先立后破”的工作总基调。") == ["稳中求进、以进促稳、先立后破"]


def test_nested_quotes_stay_inside_the_outer_span():
    assert slogans("开展“书记与企业家‘零距离’座谈”活动。") == ["书记与企业家‘零距离’座谈"]


@pytest.mark.parametrize(
    "text",
    [
        "书记指出：“发展是第一要务，必须牢牢抓在手上。”",
        "他表示“全力以赴完成全年目标任务”。",
        "区长强调：“抓项目就是抓发展”",
        "会议要求：“各部门务必压实责任”",
        "“明年的目标能不能实现？关键在于项目落地。”",
        "“我们一定要把园区建设好，”主任说，“让企业放心投资。”",
    ],
)
def test_quoted_speech_is_not_a_slogan(text):
    assert slogans(text) == []


def test_slogan_quoted_inside_speech_is_still_a_slogan():
    assert slogans("他说：“我们要打好‘攻坚战’，确保实现目标。”") == ["攻坚战"]


def test_tichu_without_colon_introduces_a_formula():
    assert slogans("省委提出“强省会”战略。") == ["强省会"]


def test_single_quoted_characters_are_not_slogans():
    assert slogans("要善于在“危”中寻“机”，把“稳”字放在首位。") == []


def test_unquoted_repeat_of_a_quoted_phrase_is_a_slogan():
    text = "全面实施“人才强企”计划。人才强企计划已覆盖全市。"
    assert slogans(text) == ["人才强企", "人才强企"]


def test_unquoted_repeat_is_only_applied_to_phrases_of_three_or_more_characters():
    # “主体” is quoted, but 市场主体 is a different word: 2-character phrases are not repeated.
    text = "企业要当好创新“主体”，全年新增市场主体两万户。"
    assert slogans(text) == ["主体"]


def test_repeat_does_not_split_a_longer_quoted_slogan():
    text = "推进“园区提质”，打响“园区提质增效年”品牌。"
    assert slogans(text) == ["园区提质", "园区提质增效年"]


def test_partly_quoted_repeat_keeps_the_nested_quote_inside():
    text = "举办“局长与企业‘面对面’活动”。局长与企业“面对面”活动已开展十期。"
    assert slogans(text) == ["局长与企业‘面对面’活动", "局长与企业“面对面”活动"]


def test_phrases_never_quoted_are_not_tagged():
    assert slogans("坚持工业强县战略不动摇。") == []


def test_quoted_place_names_cannot_be_told_apart_and_stay_slogans():
    # Known limitation: the guideline makes “长三角” a LOC, which needs knowledge rules lack.
    assert slogans("主动融入“长三角”一体化。") == ["长三角"]


def test_quotes_never_cross_a_line_break():
    assert slogans("他在会上讲“这一\n段没有结束。又一“新动能”出现。") == ["新动能"]


# ---------------------------------------------------------------- both labels


def test_slogan_wins_over_an_amount_inside_it():
    text = "落实“惠企20条”，新增企业20家。"
    assert tagged(text) == [("惠企20条", "SLOGAN"), ("20家", "AMOUNT")]


def test_labels_selects_what_is_tagged():
    text = "落实“惠企政策”，投资3亿元。"
    assert [s.label for s in rule_spans(text, labels=("AMOUNT",))] == ["AMOUNT"]
    assert [s.label for s in rule_spans(text, labels=("SLOGAN",))] == ["SLOGAN"]
    with pytest.raises(ValueError, match="LOC"):
        rule_spans(text, labels=("LOC",))


def test_original_offsets_skip_pinyin_notes_at_the_edges_and_keep_inner_ones():
    raw = "投資5億(yì)元建設(shè)20個(gè)項(xiàng)目，推進“五區(qū)聯動(dòng)”"
    got = [(raw[s.start : s.end], s.label) for s in rule_spans_original(raw)]
    assert got == [("5億(yì)元", "AMOUNT"), ("20個", "AMOUNT"), ("五區(qū)聯動", "SLOGAN")]


_EDGE = set(' \n“”‘’「」『』"，,。、：')


@given(st.text(alphabet='一二三十百千万亿0123456789.,、%个家元年月“”‘’"「」：说是的工业强县过近第级\n 。', max_size=60))
def test_spans_are_flat_sorted_and_never_start_or_end_on_punctuation(text):
    for spans in (rule_spans(text), rule_spans_original(text)):
        assert spans == sorted(spans)
        for left, right in itertools.pairwise(spans):
            assert left.end <= right.start
        for s in spans:
            assert 0 <= s.start < s.end <= len(text)
            assert text[s.start] not in _EDGE and text[s.end - 1] not in _EDGE, (text, s)


def test_fast_enough_for_a_large_corpus():
    docs = load_documents(GOLD)
    text = "\n".join(d.text for d in docs)
    big = text * (300_000 // len(text) + 1)
    start = time.perf_counter()
    rule_spans(big)
    assert time.perf_counter() - start < 10  # about 0.15 s on a laptop; catches runaway backtracking


# ---------------------------------------------------------------- the seed gold


def gold_scores() -> dict[str, tuple[float, float, float]]:
    docs = load_documents(GOLD)
    scores = {}
    for label in ("AMOUNT", "SLOGAN"):
        tp = fp = fn = 0
        for doc in docs:
            gold = {(s.start, s.end) for s in doc.spans if s.label == label}
            pred = {(s.start, s.end) for s in rule_spans_original(doc.text) if s.label == label}
            tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
        p, r = tp / (tp + fp), tp / (tp + fn)
        scores[label] = (p, r, 2 * p * r / (p + r))
    return scores


def test_seed_gold_f1_stays_above_its_floor():
    # Measured when the rules were written: AMOUNT P=R=F1=1.000 (150 spans),
    # SLOGAN P=0.989 R=0.969 F1=0.979. The floors sit a few points lower.
    scores = gold_scores()
    assert scores["AMOUNT"][2] >= 0.96, scores
    assert scores["SLOGAN"][2] >= 0.94, scores
