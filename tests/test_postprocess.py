"""Post-processing of model spans: rules precedence, address merging, propagation within a document."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govner.data.conventions import (
    cut_bank_and_estate_words,
    cut_division_counts,
    drop_plenum_ordinals,
    extend_over_region_word,
    extend_over_road_word,
    join_bracketed_names,
    join_named_lines,
    merge_adjacent,
    split_joined_bodies,
    split_joined_places,
    split_unclosed_brackets,
)
from govner.data.document import Span
from govner.data.lexicon import UNIT_CATEGORY, suffix_entries, suffix_rows
from govner.data.normalize import normalize
from govner.inference.postprocess import (
    combine_with_rules,
    cut_places_before_verbs,
    drop_kind_words,
    drop_pinyin_spans,
    drop_places_across_words,
    drop_titled_persons,
    drop_unquoted_slogans,
    extend_places_over_park_words,
    extend_to_division_names,
    extend_to_longer_names,
    extend_to_trade_names,
    full_names_by_short_form,
    join_campuses,
    join_place_bodies,
    occurrences,
    propagate_labels,
    propagate_short_forms,
    relabel_division_orgs,
    relabel_items_by_list_end,
    repeat_quoted_slogans,
    split_company_facilities,
    splits_a_word,
    tag_abbreviated_places,
    tag_counted_place_lists,
    tag_division_names,
    tag_list_items,
    tag_place_list_items,
    tag_quoted_place_abbreviations,
    tag_sites_as_parties,
    trim_to_short_names,
)


@given(st.text("ab重庆", min_size=1, max_size=3), st.text("ab重庆 ", max_size=30))
def test_occurrences_are_those_a_regex_finds(word, text):
    # propagation used re.finditer(re.escape(word), text), which compiled a pattern per mention
    assert list(occurrences(word, text)) == [m.start() for m in re.finditer(re.escape(word), text)]


def test_occurrences_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="empty"):
        list(occurrences("", "重庆"))


def test_rules_replace_overlapping_model_amounts_and_slogans_but_not_places():
    model = [Span(0, 3, "AMOUNT"), Span(5, 8, "LOC"), Span(10, 12, "SLOGAN")]
    rules = [Span(0, 4, "AMOUNT"), Span(5, 8, "SLOGAN"), Span(9, 13, "SLOGAN")]
    assert combine_with_rules(model, rules) == [Span(0, 4, "AMOUNT"), Span(5, 8, "LOC"), Span(9, 13, "SLOGAN")]


def test_model_spans_without_a_rule_match_are_kept():
    model = [Span(0, 2, "SLOGAN"), Span(3, 5, "ORG")]
    assert combine_with_rules(model, []) == model


def test_touching_places_merge_but_separated_ones_do_not():
    spans = [Span(0, 3, "LOC"), Span(3, 6, "LOC"), Span(7, 9, "LOC"), Span(9, 11, "ORG")]
    assert merge_adjacent(spans) == [Span(0, 6, "LOC"), Span(7, 9, "LOC"), Span(9, 11, "ORG")]


def test_propagation_tags_other_occurrences_without_overlapping_existing_spans():
    text = "恩平工业园位于恩平。恩平工业园、恩平"
    spans = [Span(0, 5, "LOC"), Span(7, 9, "LOC")]
    out = propagate_labels(text, spans)
    assert out == [Span(0, 5, "LOC"), Span(7, 9, "LOC"), Span(10, 15, "LOC"), Span(16, 18, "LOC")]


def test_propagation_ignores_single_characters_and_other_labels():
    text = "渝企在渝投资3亿元,3亿元"
    spans = [Span(3, 4, "LOC"), Span(6, 9, "AMOUNT")]
    assert propagate_labels(text, spans, labels=("LOC",)) == spans


def test_propagation_skips_a_two_character_name_that_straddles_words_in_any_script():
    # 重庆 recurs inside 隆重庆祝 (隆重 + 庆祝) but stands alone in 在重庆投资
    for text in ("重庆药友落户。我们隆重庆祝，在重庆投资", "重慶藥友落戶。我們隆重慶祝，在重慶投資"):
        alone = text.rindex(text[:2])
        assert propagate_labels(text, [Span(0, 2, "LOC")], norm=normalize(text)) == [
            Span(0, 2, "LOC"), Span(alone, alone + 2, "LOC")]
    # segmented on the normalized text: jieba knows 新闻 ("news"), not the traditional 新聞
    text = "聞喜縣招商。建設富強美麗新聞喜，在聞喜投資"
    alone = text.rindex("聞喜")
    assert propagate_labels(text, [Span(0, 2, "LOC")], norm=normalize(text)) == [
        Span(0, 2, "LOC"), Span(alone, alone + 2, "LOC")]
    # at original offsets, after a removed pinyin note
    text = "重庆药友落户。區(qū)里隆重庆祝在重庆投资"
    alone = text.rindex("重庆")
    assert propagate_labels(text, [Span(0, 2, "LOC")], norm=normalize(text)) == [
        Span(0, 2, "LOC"), Span(alone, alone + 2, "LOC")]
    # 江西南昌: jieba segments 江西 + 南昌, not 江 + 西南 + 昌, so 江西 still propagates
    assert propagate_labels("江西省委。江西南昌", [Span(0, 2, "LOC")])[-1] == Span(5, 7, "LOC")
    # a word that begins with the place and ends in 籍 (native of) leaves it a place: 江苏籍 is a jieba word
    assert propagate_labels("江苏省委。江苏籍企业家", [Span(0, 2, "LOC")])[-1] == Span(5, 7, "LOC")
    # only 2-character names are checked: a longer one propagates even where a word crosses its edge
    text = "江北区招商。沿着长江北区发展"  # 长江 + 北区
    assert splits_a_word(text, 9, 12)
    assert propagate_labels(text, [Span(0, 3, "LOC")])[-1] == Span(9, 12, "LOC")


def test_a_word_across_either_edge_splits_a_name_and_only_dictionary_words_count():
    assert splits_a_word("建设美丽新闻喜", 5, 7)  # 新闻 crosses the left edge only
    assert splits_a_word("坚持高要求推进", 2, 4)  # 高要求 crosses the right edge only
    assert not splits_a_word("坚持高要推进", 2, 4)
    # 中俄: jieba's HMM would guess 俄朝 as a word; dictionary words only, so 中俄 stands
    assert not splits_a_word("珲春地处中俄朝三国交界", 4, 6)
    # a division's short form likewise: 高要 (高要区) in 提高要素 (提高 + 要素) is no place
    text = "高要区招商引资。着力提高要素保障，坚持高要求，高要将坚持开放"  # and 高要求 across the right edge
    out = propagate_short_forms(normalize(text), [Span(0, 3, "LOC")], {"高要区": "高要"})
    assert out == [Span(0, 3, "LOC"), Span(text.index("高要将"), text.index("高要将") + 2, "LOC")]


def test_places_that_cut_a_word_are_dropped_unless_of_two_characters_and_other_labels_stay():
    text = "充分发挥华为作用，隆回区位优越，隆回区招商，恩阳高规格召开，县委书记讲话"
    at = text.index
    spans = [
        Span(at("华为"), at("华为") + 1, "LOC"),  # 华 of 华为
        Span(at("隆回区位"), at("隆回区位") + 3, "LOC"),  # 区位 ("location") crosses its end
        Span(at("隆回区招"), at("隆回区招") + 3, "LOC"),  # a word of its own here
        Span(at("恩阳"), at("恩阳") + 2, "LOC"),  # jieba joins 阳高, but 2-character places stay
    ]
    assert drop_places_across_words(text, spans) == spans[2:]
    # ORG spans are not checked, even where the same edge would drop a place
    assert drop_places_across_words(text, [Span(at("隆回区位"), at("隆回区位") + 3, "ORG")]) == [
        Span(at("隆回区位"), at("隆回区位") + 3, "ORG")]
    # the edge between two touching places is not checked: 上海市浦东新区 is one jieba word, one address
    text = "会议在上海市浦东新区召开"
    touching = [Span(3, 6, "LOC"), Span(6, 10, "LOC")]
    assert drop_places_across_words(text, touching) == touching
    assert drop_places_across_words(text, touching[:1]) == []  # alone, 上海市 cuts that word


def test_propagation_uses_the_majority_label():
    text = "华为华为华为"
    spans = [Span(0, 2, "ORG"), Span(2, 4, "ORG"), Span(4, 6, "LOC")]
    assert propagate_labels(text, spans) == spans  # nothing left to add; existing spans are not relabelled
    assert propagate_labels(text + "与华为", spans)[-1] == Span(7, 9, "ORG")


def test_propagation_skips_occurrences_inside_removed_pinyin_notes():
    from govner.data.normalize import normalize

    text = "項(xiàng)目與xiàng公司"  # the model saw "xiàng" only where it is not a note
    norm = normalize(text)
    spans = [Span(text.index("xiàng公司"), text.index("xiàng公司") + 5, "ORG")]
    assert propagate_labels(text, spans, norm=norm) == spans
    assert len(propagate_labels(text, spans)) == 2  # without the map it would tag inside the note


def test_rule_slogan_wins_over_a_model_span_inside_it_but_not_an_exact_name():
    model = [Span(3, 8, "ORG"), Span(20, 24, "LOC")]
    rules = [Span(1, 12, "SLOGAN"), Span(20, 24, "SLOGAN")]
    assert combine_with_rules(model, rules) == [Span(1, 12, "SLOGAN"), Span(20, 24, "LOC")]


def _texts(text, spans):
    return [(text[s.start : s.end], s.label) for s in spans]


def test_joined_body_short_forms_become_one_org_each():
    text = "在县委县政府和工委管委领导下，落实党中央国务院部署，奈曼旗旗委旗政府"
    spans = [Span(1, 6, "ORG"), Span(7, 11, "ORG"), Span(17, 23, "ORG"), Span(26, 34, "ORG")]
    assert _texts(text, split_joined_bodies(text, spans)) == [
        ("县委", "ORG"), ("县政府", "ORG"), ("工委", "ORG"), ("管委", "ORG"), ("党中央", "ORG"), ("国务院", "ORG"),
        ("奈曼旗旗委", "ORG"), ("旗政府", "ORG"),
    ]


def test_single_bodies_longer_names_and_other_labels_are_not_split():
    text = "市人大常委会、市委宣传部、县委县政府、广州市政府"
    spans = [Span(0, 6, "ORG"), Span(7, 12, "ORG"), Span(13, 18, "LOC"), Span(19, 24, "ORG")]
    assert split_joined_bodies(text, spans) == spans


def test_congresses_and_plenums_are_no_names_but_schools_are():
    text = "学习十九大、十九届五中全会和第十九届二中、三中全会精神，区委三届四次全会，市二中、县三中师生"
    spans = _spans(text, ("十九大", "ORG"), ("十九届五中全会", "ORG"), ("第十九届二中", "ORG"), ("三中", "LOC"),
                   ("区委", "ORG"), ("市二中", "ORG"), ("三中", "ORG"))
    assert _texts(text, drop_plenum_ordinals(text, spans)) == [("区委", "ORG"), ("市二中", "ORG"), ("三中", "ORG")]
    assert drop_plenum_ordinals(text, [Span(0, 3, "AMOUNT")]) == [Span(0, 3, "AMOUNT")]  # names only
    listed = "十九届二中、三中全会和二中和三中全会"  # a list tagged whole; joined by 和
    assert drop_plenum_ordinals(listed, [Span(0, 10, "ORG"), Span(11, 13, "ORG"), Span(14, 16, "ORG")]) == []
    kept = "中国十九冶集团、第十九大队、市二中全体师生"  # names with an ordinal inside or before another word
    spans = _spans(kept, ("中国十九冶集团", "ORG"), ("第十九大队", "ORG"), ("二中", "ORG"))
    assert drop_plenum_ordinals(kept, spans) == spans


def _calls(monkeypatch, step: str) -> list[tuple]:
    """The positional arguments of every call the tagger makes to its post-processing function ``step``."""
    import govner.inference.tagger as tagger_module

    calls: list[tuple] = []
    real = getattr(tagger_module, step)
    monkeypatch.setattr(tagger_module, step, lambda *a, **k: calls.append(a) or real(*a, **k))
    return calls


def test_an_ordinal_that_propagation_tags_again_is_dropped(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    text = "在二中召開會議，學習十九屆二中、三中全會精神"
    school = text.index("二中")
    # the network finds the school; propagation would tag 二中 of the plenum list after it
    monkeypatch.setattr(tagger_module.Tagger, "_window_spans", lambda self, path, window: iter(
        [(school, school + 2, "ORG")] if window.start == 0 else []))
    tagger = Tagger.from_pretrained(tiny_model, propagate=["ORG"], rules=False)
    assert [(s["start"], s["text"], s["label"]) for s in tagger.predict([text])[0]] == [(school, "二中", "ORG")]
    tagger = Tagger.from_pretrained(tiny_model, propagate=["ORG"], rules=False, split_bodies=False)
    assert (text.rindex("二中"), "ORG") in [(s["start"], s["label"]) for s in tagger.predict([text])[0]]


def _spans(text, *parts):
    """Spans over the given (substring, label) pairs, each found after the previous one."""
    spans, at = [], 0
    for part, label in parts:
        start = text.index(part, at)
        spans.append(Span(start, start + len(part), label))
        at = start + len(part)
    return spans


def test_a_name_cut_at_its_bracketed_place_is_joined_under_the_label_of_the_part_after_it():
    text = "签约京芯碳化硅(北京)有限公司、西部云计算(沙坡头)产业园项目"
    cut = _spans(text, ("京芯碳化硅", "LOC"), ("北京)有限公司", "ORG"), ("西部云计算", "ORG"), ("沙坡头)产业园", "LOC"))
    assert _texts(text, join_bracketed_names(text, cut)) == [
        ("京芯碳化硅(北京)有限公司", "ORG"), ("西部云计算(沙坡头)产业园", "LOC"),
    ]
    whole = _spans(text, ("京芯碳化硅(北京)有限公司", "ORG"))
    assert join_bracketed_names(text, whole) == whole


def test_a_chain_of_bracketed_places_is_joined_whole():
    text = "中国(安徽)自由贸易试验区(芜湖)片区"
    cut = _spans(text, ("中国", "LOC"), ("安徽)自由贸易试验区", "LOC"), ("芜湖)片区", "LOC"))
    assert _texts(text, join_bracketed_names(text, cut)) == [(text, "LOC")]


def test_bracket_join_guards():
    def unchanged(text, *parts):
        spans = _spans(text, *parts)
        assert join_bracketed_names(text, spans) == spans, text

    unchanged("高原特色食品加工(曲水)产业园", ("曲水)产业园", "LOC"))  # no span ends at the "("
    unchanged("京芯(北京)有限公司", ("京芯", "ORG"), ("北京)有限公司", "SLOGAN"))  # not a name label
    unchanged("京芯(北京)有限公司", ("京芯", "AMOUNT"), ("北京)有限公司", "ORG"))
    too_long = "北京市海淀区中关村街道"  # more than a place's 8 characters
    unchanged(f"京芯({too_long})有限公司", ("京芯", "ORG"), (f"{too_long})有限公司", "ORG"))
    unchanged("京芯(北京,海淀)有限公司", ("京芯", "ORG"), ("海淀)有限公司", "ORG"))  # a break inside the bracket
    unchanged("晶途(芜湖(鸠江))有限公司", ("晶途", "ORG"), ("芜湖", "LOC"), ("鸠江))有限公司", "ORG"))  # nested
    unchanged("京芯((北京)有限公司", ("京芯(", "ORG"), ("北京)有限公司", "ORG"))  # would not balance


def _items(text, spans, min_named=2):
    return [(text[s.start : s.end], s.label) for s in tag_list_items(normalize(text), spans, min_named)]


def test_short_items_of_a_list_of_organizations_become_org():
    text = "签约瑞澜新材、中联液压、步步高等项目"
    named = [Span(2, 6, "ORG"), Span(7, 11, "ORG")]
    assert _items(text, named) == [("瑞澜新材", "ORG"), ("中联液压", "ORG"), ("步步高", "ORG")]  # read up to 等
    assert _items(text, named[:1]) == [("瑞澜新材", "ORG")]  # one named item is not enough
    assert _items(text, named[:1], min_named=1)[-1] == ("步步高", "ORG")
    # the first item counts when an ORG span ends it, but is never tagged itself
    text = "形成了以三一机械、中联液压、常德纺机为龙头"
    assert _items(text, [Span(4, 8, "ORG"), Span(9, 13, "ORG")])[-1] == ("常德纺机", "ORG")  # read up to 为
    # the 为 of a verb does not end the item, and 等 comes first (a name may hold 为)
    for verb in ("成为龙头", "作为龙头", "被评为龙头"):
        assert _items(f"三一机械、中联液压、常德纺机{verb}", [Span(0, 4, "ORG"), Span(5, 9, "ORG")]) == [
            ("三一机械", "ORG"), ("中联液压", "ORG")], verb
    assert _items("签约瑞澜新材、中联液压、华为等", named)[-1] == ("华为", "ORG")
    # without 等 or 为 the last item does not count: it may run on past the name
    assert _items("签约瑞澜新材、中联液压、步步高项目", named) == [("瑞澜新材", "ORG"), ("中联液压", "ORG")]
    assert _items("三一机械、中联液压、常德纺机", [Span(5, 9, "ORG"), Span(10, 14, "ORG")]) == [
        ("中联液压", "ORG"), ("常德纺机", "ORG")]


def test_a_list_item_that_a_place_only_begins_becomes_one_org():
    text = "中国中车、中国中药、复星国际等企业"
    spans = [Span(0, 4, "ORG"), Span(5, 7, "LOC"), Span(10, 14, "ORG")]  # 中国 of 中国中药 read as a place
    assert _items(text, spans) == [("中国中车", "ORG"), ("中国中药", "ORG"), ("复星国际", "ORG")]
    # not where the item ends like a place, or where the rest is tagged too
    text = "中国中车、常德经开区、复星国际等企业"
    assert _items(text, [Span(0, 4, "ORG"), Span(5, 7, "LOC"), Span(11, 15, "ORG")])[1] == ("常德", "LOC")
    spans = [Span(0, 4, "ORG"), Span(5, 7, "LOC"), Span(7, 9, "ORG"), Span(10, 14, "ORG")]
    assert _items("中国中车、中国中药、复星国际等企业", spans)[1:3] == [("中国", "LOC"), ("中药", "ORG")]


def test_list_items_leave_long_items_and_places_alone_and_keep_the_list_going():
    text = "瑞澜新材、中联液压、湖南瑞澜新材料有限公司、步步高、常德经开区、德山港等"
    spans = [Span(0, 4, "ORG"), Span(5, 9, "ORG")]
    found = _items(text, spans)
    assert ("湖南瑞澜新材料有限公司", "ORG") not in found  # longer than a short name
    assert ("步步高", "ORG") in found  # after it, the list goes on
    assert ("常德经开区", "ORG") not in found  # ends like a place
    assert ("德山港", "ORG") in found  # a port in a list of companies: ORG, like 盐田港


def test_list_items_leave_spans_long_items_and_other_clauses_alone():
    text = "引进瑞澜新材、中联液压、长沙、新材料科技股份有限公司总部项目，步步高"
    spans = [Span(2, 6, "ORG"), Span(7, 11, "ORG"), Span(12, 14, "LOC")]
    assert _items(text, spans) == [("瑞澜新材", "ORG"), ("中联液压", "ORG"), ("长沙", "LOC")]
    assert _items("瑞澜新材、中联液压、步步高等企业", [Span(0, 4, "ORG"), Span(10, 13, "ORG")]) == [
        ("瑞澜新材", "ORG"), ("中联液压", "ORG"), ("步步高", "ORG")]  # a middle item between two named ones
    pinyin = "簽約誠信、玖源、易達(dá)豐等"  # offsets stay original across a pinyin note
    found = _items(pinyin, [Span(2, 4, "ORG"), Span(5, 7, "ORG")])
    assert found[-1] == ("易達(dá)豐", "ORG")


@pytest.mark.parametrize(("step", "switch", "text", "seen"), [
    # the normalized text (already simplified here)
    ("join_bracketed_names", "join_brackets", "晶途微电子(芜湖)有限公司在芜湖投资",
     ["晶途微电子(芜湖)有限公司在芜湖投资"]),
    ("split_unclosed_brackets", "join_brackets", "衡陽（東莞）對接會", ["衡阳(东莞)对接会"]),
    # on the normalized text, and again after the document-level steps on the original text
    ("drop_plenum_ordinals", "split_bodies", "貫徹十九屆五中全會精神",
     ["贯彻十九届五中全会精神", "貫徹十九屆五中全會精神"]),
    # once, after the document-level steps, on the normalized text (a NormalizedText: its .text is compared)
    ("drop_titled_persons", "titled_persons", "市長馬賀山講話", ["市长马贺山讲话"]),
])
def test_a_step_runs_in_the_tagger_only_when_switched_on(tiny_model, monkeypatch, step, switch, text, seen):
    from govner.inference.tagger import Tagger

    calls = _calls(monkeypatch, step)
    Tagger.from_pretrained(tiny_model, **{switch: False}).predict([text])
    assert calls == []
    Tagger.from_pretrained(tiny_model).predict([text])  # on by default
    assert [getattr(a[0], "text", a[0]) for a in calls] == seen


def test_network_alone_switches_off_every_post_processing_step():
    from govner.config import InferenceConfig, inference_switches
    from govner.evaluation.systems import NETWORK_ALONE, post_processing_steps
    from govner.inference.tagger import POST_PROCESSING_STEPS

    switches = inference_switches()
    assert "rules" in switches and "sites_as_parties" in switches and "batch_size" not in switches
    assert set(NETWORK_ALONE) == {*switches, "consistency"} and not any(NETWORK_ALONE.values())
    # every switch has its words, so a new step cannot run unnamed in an evaluation report
    assert set(switches) <= {step.switch for step in POST_PROCESSING_STEPS}

    class Options:  # a Tagger's attributes, every step on
        propagate = ("LOC", "ORG")
        consistency = True
        user_words = (("凤凰湖", "LOC"),)

    every = Options()
    for name in switches:
        setattr(every, name, True)
    steps = post_processing_steps(every)
    assert len(steps) == len(POST_PROCESSING_STEPS) and "LOC/ORG mentions propagated" in steps
    every.user_words = ()  # nothing to force: the step does not run
    assert "user-dictionary words forced" not in post_processing_steps(every)
    every.consistency = False
    assert len(post_processing_steps(every)) == sum(not s.document_level for s in POST_PROCESSING_STEPS) - 1
    alone = Options()
    for name, value in NETWORK_ALONE.items():
        setattr(alone, name, value)
    assert post_processing_steps(alone) == []
    # an InferenceConfig has no consistency switch: document-level steps count as on
    defaults = post_processing_steps(InferenceConfig())
    assert "quoted slogans repeated" in defaults and "user-dictionary words forced" not in defaults


def test_a_tagger_built_directly_has_the_config_defaults():
    import inspect
    from dataclasses import fields

    from govner.config import InferenceConfig
    from govner.inference.tagger import Tagger

    keywords = inspect.signature(Tagger.__init__).parameters
    for f in fields(InferenceConfig):
        default = keywords[f.name].default
        assert (list(default) if f.name == "propagate" else default) == getattr(InferenceConfig(), f.name), f.name


def test_every_inference_setting_reaches_the_tagger(tiny_model):
    from govner.config import InferenceConfig, inference_switches
    from govner.inference.tagger import Tagger

    for name in inference_switches():
        flipped = not getattr(InferenceConfig(), name)
        tagger = Tagger.from_pretrained(tiny_model, overrides=[f"inference.{name}={str(flipped).lower()}"])
        assert getattr(tagger, name) is flipped, name


def test_pinyin_letters_are_never_an_entity_but_latin_names_are_kept():
    text = "反馈?zhàn)情况，TCL公司与Nestlé"
    spans = [Span(3, 7, "ORG"), Span(3, 7, "SLOGAN"), Span(11, 14, "ORG"), Span(0, 2, "LOC"), Span(17, 23, "ORG")]
    kept = [Span(11, 14, "ORG"), Span(0, 2, "LOC"), Span(17, 23, "ORG")]
    assert drop_pinyin_spans(text, spans) == kept


def test_propagation_leaves_a_place_inside_a_banner_or_league_name():
    text = "奈曼旗工业园区位于奈曼，奈曼旗政府"
    assert propagate_labels(text, [Span(9, 11, "LOC")]) == [Span(9, 11, "LOC")]


FORMS = {"开原市": "开原", "建始县": "建始"}


def test_a_short_form_is_tagged_where_the_document_names_the_division_in_full():
    text = "开原市人民政府召开会议。今年以来，开原坚持大抓项目，让企业在开原安心投资。"
    spans = [Span(0, 7, "ORG")]  # an ORG that begins with the full name counts too
    found = propagate_short_forms(normalize(text), spans, FORMS)
    assert [text[s.start : s.end] for s in found if s.label == "LOC"] == ["开原", "开原"]
    assert propagate_short_forms(normalize(text), [], FORMS) == []  # no full name, no short form
    assert propagate_short_forms(normalize(text), [Span(17, 19, "LOC")], FORMS) == [Span(17, 19, "LOC")]  # short only


def test_a_short_form_is_skipped_before_a_unit_inside_a_span_and_as_a_given_name():
    text = "建始县召开推介会，建始县商务局介绍，记者 韦建始\n建始富硒产业园"
    spans = [Span(0, 3, "LOC"), Span(25, 32, "LOC")]
    assert propagate_short_forms(normalize(text), spans, FORMS) == spans


def test_short_forms_match_through_traditional_characters_and_pinyin_notes():
    text = "開原市(shì)召開會議。開原(yuán)堅持大抓項目"
    found = propagate_short_forms(normalize(text), [Span(0, 3, "LOC")], FORMS)
    assert [text[s.start : s.end] for s in found] == ["開原市", "開原"]


def test_full_division_names_are_tagged_where_no_span_is():
    text = "一季度界首市實現增長。界首市委召開會議，湖北省界首市"
    found = tag_division_names(normalize(text), [Span(20, 26, "LOC")], {"界首市", "湖北省"})
    assert found == [Span(3, 6, "LOC"), Span(20, 26, "LOC")]  # not before 委, not inside a span


def test_two_character_county_names_are_tagged_only_where_jieba_reads_them_as_words():
    names = {"随县", "沛县", "兴县", "干县", "和县", "城区", "华容县", "富县"}
    text = "带动随县、沛县增收。振兴县域经济，若干县市，全市和县两级，城区道路，工业兴县、旅游富县，华容县"
    found = tag_division_names(normalize(text), [], names)
    assert [text[s.start : s.end] for s in found] == ["随县", "沛县", "华容县"]
    text = "隨縣(xiàn)和沛縣委"  # traditional with a note; 沛縣 before 委 is a longer name the network missed
    assert [text[s.start : s.end] for s in tag_division_names(normalize(text), [], names)] == ["隨縣"]


def test_places_that_cut_a_word_are_dropped_in_the_tagger_only_when_switched_on(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    text = "充分發揮華為作用。"  # traditional: the step reads the normalized text
    calls = []

    def fake(norm_text, spans):  # the step as if the network had tagged 華 of 華為, plus a marker span
        calls.append(norm_text)
        return [*drop_places_across_words(norm_text, [*spans, Span(4, 5, "LOC")]), Span(0, 2, "ORG")]

    monkeypatch.setattr(tagger_module, "drop_places_across_words", fake)
    options = {"consistency": False, "merge_locations": False, "rules": False}
    found = Tagger.from_pretrained(tiny_model, word_edges=False, **options).predict([text])[0]
    assert calls == [] and (0, 2, "ORG") not in {(e["start"], e["end"], e["label"]) for e in found}
    found = Tagger.from_pretrained(tiny_model, **options).predict([text])[0]  # on by default
    assert calls == ["充分发挥华为作用。"]
    spans = {(e["start"], e["end"], e["label"]) for e in found}
    assert (0, 2, "ORG") in spans and (4, 5, "LOC") not in spans  # what the step returns is what is kept


def places_in_lists(text: str, found: list[str], places: set[str]) -> list[str]:
    """The LOC of tag_place_list_items on ``text`` given the LOC spans ``found`` (each once in the text)."""
    spans = [Span(text.index(n), text.index(n) + len(n), "LOC") for n in found]
    return [text[s.start : s.end] for s in tag_place_list_items(normalize(text), spans, places) if s.label == "LOC"]


def test_untagged_places_of_a_list_of_places_become_loc():
    # one-character forms: 深 ends no word here, and the last item counts up to the place that begins it
    assert places_in_lists("赴京、沪、深开展招商", ["京", "沪"], set()) == ["京", "沪", "深"]
    assert places_in_lists("赴京、沪、深、穗开展招商", ["京", "沪"], set()) == ["京", "沪", "深", "穗"]
    # a division's name or short form anywhere in the list; the first item's place ends it
    assert places_in_lists("对接昆明、蒙自、开远等地", ["昆明", "蒙自"], {"开远"}) == ["昆明", "蒙自", "开远"]
    assert places_in_lists("主动对接开远、蒙自、昆明", ["蒙自", "昆明"], {"开远"}) == ["开远", "蒙自", "昆明"]
    # towns no dictionary knows, in a list that a count of divisions ends
    text = "带动南河、石头咀、草盘地三个乡镇，推进赋春、镇头、中云三个镇"
    assert places_in_lists(text, ["南河", "石头咀", "赋春", "中云"], set()) == [
        "南河", "石头咀", "草盘地", "赋春", "镇头", "中云"]
    # traditional text: the step reads the normalized text and answers in original offsets
    found = places_in_lists("帶動南河、石頭咀、草盤地三個鄉鎮", ["南河", "石頭咀"], set())
    assert found == ["南河", "石頭咀", "草盤地"]
    # a list of persons runs into the list of places through an item that ends with a place: the places'
    # list begins there, and the persons' (刘海阳 holds the county 海阳) stays untagged
    text = "刘海阳、周安阳先后8次带队赴京、沪、深开展招商"
    assert places_in_lists(text, ["京", "沪"], {"海阳", "安阳"}) == ["京", "沪", "深"]
    # such an item is also the last item of the list before it, whose place begins it (深 of 深和台中)
    assert places_in_lists("赴京、沪、深和台中、高雄招商", ["京", "沪", "台中", "高雄"], set()) == [
        "京", "沪", "深", "台中", "高雄"]


def test_place_list_items_leave_what_is_no_place_of_the_list_alone():
    # fewer than two places; an item that is no known place and no count follows (牦牛, 中部崛起)
    assert places_in_lists("赴京、深开展招商", ["京"], set()) == ["京"]
    assert places_in_lists("林周县、当雄县、牦牛、藏香等", ["林周县", "当雄县"], set()) == ["林周县", "当雄县"]
    # a one-character form that begins a word (藏香) is none
    assert places_in_lists("林周、当雄、藏香等", ["林周", "当雄"], set()) == ["林周", "当雄"]
    # an item not next to a place of the list: persons before a list of cities (刘海阳 holds the county 海阳)
    text = "刘海阳、周安阳先后带队赴京、沪、深招商"
    assert places_in_lists(text, ["京", "沪", "深"], {"海阳", "安阳"}) == ["京", "沪", "深"]
    # a span already there is never overlapped
    text = "赴京、沪、深招商"
    spans = [Span(1, 2, "LOC"), Span(3, 4, "LOC"), Span(5, 6, "ORG")]
    assert tag_place_list_items(normalize(text), spans, set()) == spans
    # a one-character form only beside a one-character place (台企 is no 台)
    assert places_in_lists("北京、上海、台企投资", ["北京", "上海"], {"北京", "上海"}) == ["北京", "上海"]
    # a count of two numerals ends the list too
    assert places_in_lists("带动南河、石头咀、草盘地十二个乡镇", ["南河", "石头咀"], set())[-1] == "草盘地"


def titled(text: str, found: list[tuple[str, str]], places: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """What drop_titled_persons keeps of ``found`` (name, label), each name at its first occurrence after the
    previous one."""
    spans, at = [], 0
    for name, label in found:
        at = text.index(name, at)
        spans.append(Span(at, at + len(name), label))
        at += len(name)
    return [text[s.start : s.end] for s in drop_titled_persons(normalize(text), spans, places)]


def test_a_place_after_an_officials_title_is_a_person():
    # the given name after a surname, or a whole name of 3-4 characters right after the title
    assert titled("市委书记陈锦江出席，县长洛绒江村讲话，区长高河宁致辞", [
        ("锦江", "LOC"), ("洛绒江村", "LOC"), ("高河宁", "LOC")]) == []
    # a page's credits, with a colon or a space; traditional characters
    credits = "責任編輯：覃融安　審核：楊康定　記者 韋宜州"
    assert titled(credits, [("融安", "LOC"), ("康定", "LOC"), ("宜州", "LOC")]) == []
    # the person's other mentions go too: the whole name, or the given name right after the surname
    text = "区长高河宁出席。仪式由高河宁主持。书记刘米林表示，刘米林指出，米林县"
    found = [("高河宁", "LOC"), ("高河宁", "LOC"), ("米林", "LOC"), ("米林", "LOC"), ("米林县", "LOC")]
    assert titled(text, found) == ["米林县"]
    # a pinyin note after the title is skipped
    assert titled("縣長(zhǎng)洛絨江村出席，書(shū)記劉米林", [("洛絨江村", "LOC"), ("米林", "LOC")]) == []
    # the later names of a list after one title; an author's byline
    assert titled("副主任陈德惠、王农安出席，副縣長方寧川、王西河、李平川參加", [
        ("农安", "LOC"), ("西河", "LOC"), ("平川", "LOC")]) == []
    assert titled("作者：杨银川　发布时间：2025年", [("银川", "LOC")]) == []
    # less common surnames too (冉, 蒙)
    assert titled("县长冉光明出席，副县长蒙山河讲话", [("光明", "LOC"), ("山河", "LOC")]) == []
    # jieba joins the title's last character to the surname (主|任何|江川, 副|县|长江|永宁): still a title
    assert titled("主任何江川出席，副县长江永宁讲话", [("江川", "LOC"), ("永宁", "LOC")]) == []
    # without the document-level steps only the mention after the title goes
    spans = [Span(2, 5, "LOC"), Span(11, 14, "LOC")]
    assert drop_titled_persons(normalize(text), spans, other_mentions=False) == [Span(11, 14, "LOC")]


def test_the_tagger_reads_titled_persons_against_every_division_short_form():
    from govner.inference.tagger import _place_names, _places_and_everyday_forms

    # 大连 and 开封 are everyday words to jieba, so _place_names leaves them out; after 向 or 于 they are places
    assert {"大连", "开封"}.isdisjoint(_place_names())
    assert {"大连", "开封", "中国", "湖北", "巴中市"} <= _places_and_everyday_forms()
    assert titled("副县长向大连客商推介。向大连客商致谢", [("大连", "LOC")], _places_and_everyday_forms()) == ["大连"]


def test_titled_persons_leave_places_and_other_labels_alone():
    # a 2-character place with no surname before it (记者北京: a dateline) stays, and so does a place after a verb
    assert titled("新华社记者北京报道，县长到石门调研", [("北京", "LOC"), ("石门", "LOC")]) == ["北京", "石门"]
    # 于, 向 and 任 lead to a place as often as they are surnames: before a division or a name with a level, no person
    assert titled("县委书记于石门镇调研，副县长向大连市客商推介", [("石门镇", "LOC"), ("大连市", "LOC")]) == [
        "石门镇", "大连市"]
    assert titled("副县长向大连客商推介。向大连客商致谢", [("大连", "LOC")], {"大连"}) == ["大连"]
    # nor before a place the report does not write again with them (a country, a region)
    assert titled("副县长向日本客商推介，县长于新加坡出席", [("日本", "LOC"), ("新加坡", "LOC")]) == ["日本", "新加坡"]
    # a name the report writes twice with one of them is a person's, and the other mentions go with it
    assert titled("县委书记向荣华先后深入零阳镇。向荣华指出", [("荣华", "LOC"), ("零阳镇", "LOC"), ("荣华", "LOC")],
                  {"大连"}) == ["零阳镇"]
    # after a credit title only a surname marks a person (本报记者石家庄报道: a dateline); after an official's title a
    # whole name that is a division is a place too; no title across a line break
    assert titled("本报记者石家庄报道。石家庄经济增长", [("石家庄", "LOC"), ("石家庄", "LOC")]) == ["石家庄", "石家庄"]
    assert titled("市长乌鲁木齐讲话", [("乌鲁木齐", "LOC")], {"乌鲁木齐"}) == ["乌鲁木齐"]
    assert titled("市长乌鲁木齐讲话", [("乌鲁木齐", "LOC")]) == []  # a whole name that is no division
    assert titled("记者\n石家庄市人民政府", [("石家庄市", "LOC")]) == ["石家庄市"]
    # an ORG after a title is a person only as a whole name of 3-4 characters right after it, a surname first
    assert titled("主任王府井集团", [("王府井集团", "ORG")]) == ["王府井集团"]
    assert titled("副省長邵啟年深入柞水縣。邵啟年指出", [("邵啟年", "ORG"), ("邵啟年", "ORG")]) == []
    assert titled("凯里市委书记龙世鸿、雷山县委书记", [("雷山县委", "ORG")]) == ["雷山县委"]  # after a listed name
    assert titled("副县长县发改委主任", [("县发改委", "ORG")]) == ["县发改委"]  # no surname first
    # a company or a zone after a title and a colon is no person, though it begins with a surname character
    assert titled("董事长：万达集团，主任：高新区", [("万达集团", "ORG"), ("高新区", "ORG")]) == ["万达集团", "高新区"]
    # a title's characters inside another word are no title (地处|长江: 处长 ends inside 长江), also before a list
    assert titled("监利地处长江三峡，地处长江之滨、江汉平原南端", [("三峡", "LOC"), ("江汉平原", "LOC")]) == [
        "三峡", "江汉平原"]
    assert titled("融入全省长江经济带", [("江经", "LOC")]) == ["江经"]  # 全省|长江: no 省长
    # a place named like the person elsewhere, without the surname before it, stays
    assert titled("书记陈锦江出席。锦江之畔", [("锦江", "LOC"), ("锦江", "LOC")]) == ["锦江"]


def test_places_of_lists_are_tagged_in_the_tagger_only_when_list_items_is_on(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    text = "領導赴京、滬、深開展招商。"  # traditional: the step reads the normalized text
    network = [Span(3, 4, "LOC"), Span(5, 6, "LOC")]  # as if the network had found 京 and 沪
    monkeypatch.setattr(tagger_module, "drop_pinyin_spans", lambda norm_text, spans: list(network))

    def places(**switches):
        found = Tagger.from_pretrained(tiny_model, rules=False, propagate=[], **switches).predict([text])[0]
        return [(text[e["start"] : e["end"]], e["score"]) for e in found if e["label"] == "LOC"]

    assert [name for name, _ in places(list_items=False)] == ["京", "滬"]
    assert places()[-1] == ("深", 1.0)  # on by default; read off the list, not a model probability
    assert [name for name, _ in places()] == ["京", "滬", "深"]


def test_list_items_run_in_the_tagger_only_when_switched_on_and_their_names_propagate(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    text = "以瑞澜新材、中联液压、步步高等企业为龙头。步步高将扩产。"
    named = [Span(1, 5, "ORG"), Span(6, 10, "ORG")]  # what a network might have found
    calls = []

    def fake(norm, spans, min_named=2):
        calls.append(norm.text)
        return tag_list_items(norm, [*spans, *named], min_named)

    monkeypatch.setattr(tagger_module, "tag_list_items", fake)
    Tagger.from_pretrained(tiny_model, list_items=False).predict([text])
    assert calls == []
    found = Tagger.from_pretrained(tiny_model).predict([text])[0]  # on by default
    assert calls == [text]
    orgs = [text[e["start"] : e["end"]] for e in found if e["label"] == "ORG"]
    assert orgs.count("步步高") == 2  # the list's item, and its other mention
    assert all(e["score"] == 1.0 for e in found if text[e["start"] : e["end"]] == "步步高")
    # a name made by replacing a place (中国 + 中药) propagates too, although the step then adds no span,
    # it only swaps one: the step before (division names) hands on exactly these spans, whatever the
    # network found, so they are what the list step starts from
    divisions = tagger_module.tag_division_names
    text = "中国中车、中国中药、复星国际等企业。中国中药将扩产。"
    named[:] = [Span(0, 4, "ORG"), Span(5, 7, "LOC"), Span(10, 14, "ORG")]
    monkeypatch.setattr(tagger_module, "tag_division_names", lambda norm, spans, names: divisions(
        norm, list(named), names))
    swapped = []

    def counting(norm, spans, min_named=2):
        out = tag_list_items(norm, spans, min_named)
        swapped.append((len(spans), len(out)))
        return out

    monkeypatch.setattr(tagger_module, "tag_list_items", counting)
    found = Tagger.from_pretrained(tiny_model).predict([text])[0]
    orgs = [text[e["start"] : e["end"]] for e in found if e["label"] == "ORG"]
    assert swapped and swapped[0][0] == swapped[0][1]  # as many spans out as in: a swap, no addition
    assert orgs.count("中国中药") == 2, found


def _trimmed(text, spans, endings=None, places=()):
    return [(text[s.start : s.end], s.label) for s in trim_to_short_names(text, spans, places, endings)]


def test_an_org_is_cut_back_to_the_short_name_the_document_gives_it_elsewhere():
    text = "签约泽弘尼龙66、锡盟牧恒奶酪等项目。泽弘、锡盟牧恒为龙头"
    spans = [Span(2, 8, "ORG"), Span(9, 15, "ORG"), Span(19, 21, "ORG"), Span(22, 26, "ORG")]
    assert _trimmed(text, spans) == [("泽弘", "ORG"), ("锡盟牧恒", "ORG"), ("泽弘", "ORG"), ("锡盟牧恒", "ORG")]
    assert _trimmed(text, spans[:2]) == [("泽弘尼龙66", "ORG"), ("锡盟牧恒奶酪", "ORG")]  # never found alone
    # a LOC or SLOGAN found alone is no short name, and only ORG spans are cut
    assert _trimmed(text, [Span(2, 8, "ORG"), Span(19, 21, "LOC")]) == [("泽弘尼龙66", "ORG"), ("泽弘", "LOC")]
    assert _trimmed(text, [Span(2, 8, "SLOGAN"), Span(19, 21, "ORG")]) == [("泽弘尼龙66", "SLOGAN"), ("泽弘", "ORG")]


def test_the_longest_short_name_is_the_one_kept():
    text = "海东恒锂碳酸锂项目。海东、海东恒锂"
    spans = [Span(0, 7, "ORG"), Span(10, 12, "ORG"), Span(13, 17, "ORG")]
    assert _trimmed(text, spans)[0] == ("海东恒锂", "ORG")


def test_a_name_that_ends_as_a_name_or_a_unit_does_is_not_cut():
    text = "吉林银行和龙支行、华湘数科药业、区委督查室、洋浦海关。吉林银行、华湘数科、区委、洋浦"
    spans = [Span(0, 8, "ORG"), Span(9, 15, "ORG"), Span(16, 21, "ORG"), Span(22, 26, "ORG"),
             Span(27, 31, "ORG"), Span(32, 36, "ORG"), Span(37, 39, "ORG"), Span(40, 42, "ORG")]
    assert _trimmed(text, spans) == [(text[s.start : s.end], "ORG") for s in spans]  # a branch, endings, units
    units = tuple(word for word, category in suffix_rows() if category == UNIT_CATEGORY)
    assert _trimmed(text, spans, endings=units)[1] == ("华湘数科", "ORG")  # 药业 is a lexicon ending, not a unit


def test_unit_endings_are_read_by_the_short_name_step_only():
    units = {word for word, category in suffix_rows() if category == UNIT_CATEGORY}
    assert {"支行", "厂", "部", "台", "署", "场"} <= units
    lexicon_words = {word for word, _, _ in suffix_entries()}
    assert not units & lexicon_words and {"有限公司", "药业", "经开区"} <= lexicon_words


def test_the_default_endings_keep_plants_bodies_and_sub_units_whole_but_not_a_session():
    long_names = ["蓝润饲料加工厂", "县纪委监委机关", "中科多源实验验证平台", "中央广播电视总台", "恒岳项目部",
                  "县委巡察组", "区委三届四次全会"]
    short_names = ["蓝润饲料", "县纪委", "中科多源", "中央", "恒岳", "县委", "区委"]
    text = "、".join(long_names) + "。" + "、".join(short_names)
    spans = [Span(text.index(n), text.index(n) + len(n), "ORG") for n in long_names]
    spans += [Span(text.rindex(n), text.rindex(n) + len(n), "ORG") for n in short_names]  # each found alone
    found = [name for name, _ in _trimmed(text, spans)]
    assert found == [*long_names[:-1], "区委", *short_names]  # the guideline: of 区委三届四次全会 only 区委 is ORG


def test_one_character_left_over_is_cut_only_as_the_ji_of_a_technical_upgrade():
    text = "岚醇酒技扩改、蒙骁重工技改、星阙机器人。岚醇酒、蒙骁重工、星阙机器"
    spans = [Span(0, 4, "ORG"), Span(7, 12, "ORG"), Span(14, 19, "ORG"),
             Span(20, 23, "ORG"), Span(24, 28, "ORG"), Span(29, 33, "ORG")]
    assert [name for name, _ in _trimmed(text, spans)[:3]] == ["岚醇酒", "蒙骁重工", "星阙机器人"]
    text = "岚醇酒技术中心。岚醇酒"  # 技 not of 技改
    assert _trimmed(text, [Span(0, 4, "ORG"), Span(8, 11, "ORG")])[0] == ("岚醇酒技", "ORG")


def test_a_place_found_as_an_org_is_no_short_name():
    text = "兴安盟牧恒奶酪与兴安盟合作"
    spans = [Span(0, 7, "ORG"), Span(8, 11, "ORG")]
    assert _trimmed(text, spans, places={"兴安盟"})[0] == ("兴安盟牧恒奶酪", "ORG")
    assert _trimmed(text, spans)[0] == ("兴安盟", "ORG")  # what the guard is for


def test_short_names_run_in_the_tagger_on_the_normalized_text_only_when_switched_on(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    text = "簽約澤弘尼龍66項目。澤弘為龍頭"  # traditional: the step reads the normalized text
    calls = []

    def fake(norm_text, spans, places):  # as if the network had found both, plus a marker span
        calls.append((norm_text, "兴安盟" in places and "开原" in places and "" not in places))
        found = [Span(2, 8, "ORG"), Span(11, 13, "ORG")]
        return [*trim_to_short_names(norm_text, found, places), Span(0, 2, "LOC")]

    monkeypatch.setattr(tagger_module, "trim_to_short_names", fake)
    options = {"merge_locations": False, "rules": False, "propagate": (), "divisions": False, "list_items": False}
    Tagger.from_pretrained(tiny_model, short_names=False, **options).predict([text])
    Tagger.from_pretrained(tiny_model, consistency=False, **options).predict([text])  # a document-level step
    assert calls == []
    found = Tagger.from_pretrained(tiny_model, **options).predict([text])[0]  # on by default
    assert calls == [("签约泽弘尼龙66项目。泽弘为龙头", True)]  # division names and their short forms
    spans = {(text[e["start"] : e["end"]], e["label"]) for e in found}
    assert {("澤弘", "ORG"), ("簽約", "LOC")} <= spans and ("澤弘尼龍66", "ORG") not in spans


def test_a_place_takes_in_the_region_word_after_it_but_not_before_gdp():
    text = "来自京津冀地区、长三角地区的企业。安化县地区生产总值增长，华中地区"
    spans = [Span(2, 5, "LOC"), Span(8, 11, "LOC"), Span(17, 20, "LOC"), Span(29, 31, "ORG")]
    found = [(text[s.start : s.end], s.label) for s in extend_over_region_word(text, spans)]
    assert found == [("京津冀地区", "LOC"), ("长三角地区", "LOC"), ("安化县", "LOC"), ("华中", "ORG")]
    # never into another span
    assert extend_over_region_word(text, [Span(2, 5, "LOC"), Span(6, 7, "ORG")])[0] == Span(2, 5, "LOC")
    # a plain or a corridor named by its region, whatever follows it but a level; 地区 after it too
    text = "保障三江平原粮食生产，地处辽西走廊，江汉平原生产总值，成都平原地区"
    spans = [Span(text.find(name), text.find(name) + 2, "LOC") for name in ("三江", "辽西", "江汉", "成都")]
    assert [text[s.start : s.end] for s in extend_over_region_word(text, spans)] == [
        "三江平原", "辽西走廊", "江汉平原", "成都平原地区"]
    # not a county named so, nor a division's plain areas
    assert extend_over_region_word("德州市平原县", [Span(0, 3, "LOC")]) == [Span(0, 3, "LOC")]
    assert extend_over_region_word("山东平原县", [Span(0, 2, "LOC")]) == [Span(0, 2, "LOC")]
    assert extend_over_region_word("泗洪县平原地区", [Span(0, 3, "LOC")]) == [Span(0, 3, "LOC")]


def test_a_place_leaves_out_the_banks_of_a_water_and_the_kind_of_an_estate():
    text = "汀江两岸、金沙江畔、长江之滨、淮远苑安置小区、重庆南岸、江畔、洞庭湖南北两岸、城南·安置小区、中海·江畔"
    names = text.split("、")
    spans = [Span(text.rindex(n), text.rindex(n) + len(n), "LOC") for n in names]
    found = [text[s.start : s.end] for s in cut_bank_and_estate_words(text, [*spans, Span(5, 9, "ORG")])]
    # a bank after a name that is no water's stays (重庆南岸 is a district; 洞庭湖南北两岸), and so does a place
    # that would not be left ending in 2 Han characters (江畔; 城南·; the estate 中海·江畔); LOC only
    assert found == ["汀江", "金沙江", "长江", "淮远苑", *names[4:], "金沙江畔"]


def test_a_place_leaves_out_the_count_of_divisions_after_it():
    text = ("辐射琼中、保亭、白沙三县，仙龙、来苏等镇，乌兰、天峻3个乡镇，札达、日土十二个乡镇，沅陵和武陵两个县，"
            "米林、林芝市八一镇，东、西二镇，红星、幸福三村，西城、东城两区，江门、中山市三乡镇，东北三省")
    names = ["白沙三县", "来苏等镇", "天峻3个乡镇", "日土十二个乡镇", "武陵两个县", "林芝市八一镇", "西二镇",
             "幸福三村", "东城两区", "中山市三乡镇", "东北三省"]
    spans = [Span(text.index(n), text.index(n) + len(n), "LOC") for n in names]
    found = [text[s.start : s.end] for s in cut_division_counts(text, [*spans, Span(2, 4, "ORG")])]
    # after a list break only (东北三省 stands alone); a name holding 一 (八一镇) or after a level (林芝市 + 八一镇,
    # 中山市 + 三乡镇), one that would keep one character (西二镇), numbered villages and blocks (幸福三村, 东城两区)
    # stay whole; counts of two numerals (十二) are counts; LOC only
    assert found == ["白沙", "来苏", "天峻", "日土", "武陵", "林芝市八一镇", "西二镇", "幸福三村", "东城两区",
                     "中山市三乡镇", "东北三省", "琼中"]
    text = "湖北、重庆两省市签署协议"  # a count of provinces and municipalities (省市) too
    found = cut_division_counts(text, [Span(0, 2, "LOC"), Span(3, 8, "LOC")])
    assert [text[s.start : s.end] for s in found] == ["湖北", "重庆"]


@pytest.fixture
def tag_as_if(tiny_model, monkeypatch):
    """``run(text, network, **switches)``: the tiny model's tagger's entities for ``text`` as if the network had
    found ``network`` (spans in normalized offsets): each step's wiring, without a model that finds the names."""
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    def run(text, network, **switches):
        monkeypatch.setattr(tagger_module, "drop_pinyin_spans", lambda norm_text, spans: list(network))
        return Tagger.from_pretrained(tiny_model, **switches).predict([text])[0]

    return run


def test_area_words_run_in_the_tagger_around_the_word_check_only_when_switched_on(tag_as_if):
    # traditional, with a pinyin note: the steps read the normalized text 来自阿克苏地区的企业,金沙江畔的工厂
    text = "來自阿克蘇地區(qū)的企業，金沙江畔的工廠，帶動保亭、白沙三縣"
    # as if the network had found 阿克苏, 金沙江畔 and 白沙三县
    network = [Span(2, 5, "LOC"), Span(11, 15, "LOC"), Span(24, 28, "LOC")]
    # the list step would tag 保亭 of 帶動保亭、白沙三縣 (a list a count ends): off, so the places are the network's
    options = {"merge_locations": False, "rules": False, "consistency": False, "list_items": False}

    def places(**switches):
        found = tag_as_if(text, network, **options, **switches)
        return [text[e["start"] : e["end"]] for e in found if e["label"] == "LOC"]

    # jieba makes one word of 阿克苏地区 and of 金沙江畔: the word check (on by default) drops a place that cuts
    # one, so 地区 is taken in before it and the bank left out after it
    assert places(area_words=False) == ["金沙江畔", "白沙三縣"]
    assert places(area_words=False, word_edges=False) == ["阿克蘇", "金沙江畔", "白沙三縣"]
    assert places() == ["阿克蘇地區", "金沙江", "白沙"]  # the pinyin note after 區 stays out


def test_joined_places_split_only_between_two_places():
    def split(text, places=frozenset({"同心", "利通区", "和龙", "延吉"})):
        return [text[s.start : s.end] for s in split_joined_places(text, [Span(0, len(text), "LOC")], places)]

    assert split("神木至府谷") == ["神木", "府谷"]  # a route's two ends need not be divisions
    assert split("周至县") == ["周至县"]  # 至 inside a name: one character before it
    assert split("衢州至丽水铁路") == ["衢州至丽水铁路"]  # a route's own name
    assert split("遂川至大余高速崇义段") == ["遂川至大余高速崇义段"]
    assert split("同心与利通区") == ["同心", "利通区"]
    assert split("和龙与延吉") == ["和龙", "延吉"]  # the join, not the 和 of 和龙
    assert split("仁和镇") == ["仁和镇"]  # 和 in a name: no places on both sides
    assert split("西安至十堰高铁") == ["西安至十堰高铁"]  # a railway's name
    assert split("南京至句容城际") == ["南京至句容城际"]
    assert split("南昌至景德镇至黄山") == ["南昌至景德镇至黄山"]  # no end holds 至
    places = frozenset({"周至县", "周至", "东至县", "西安"})
    assert split("西安周至县", places) == ["西安周至县"]  # a county's name holds 至
    assert split("池州东至经开区", places) == ["池州东至经开区"]
    # two names on both sides: split, though 南和 and 东至 begin other names
    assert split("河南和湖北", {"河南", "湖北", "南和县"}) == ["河南", "湖北"]
    assert split("广东至海南", {"广东", "海南", "东至县"}) == ["广东", "海南"]
    assert split("越州镇至中枢街道") == ["越州镇", "中枢街道"]  # a place that ends in 道
    assert split("重庆至成都轨道交通") == ["重庆至成都轨道交通"]
    assert split("北京至雄安轻轨") == ["北京至雄安轻轨"]
    assert split("杭州至绍兴有轨电车") == ["杭州至绍兴有轨电车"]
    assert split("铜产业与新能源产业园") == ["铜产业与新能源产业园"]  # a park's name: no places
    assert split_joined_places("神木至府谷", [Span(0, 5, "ORG")], set()) == [Span(0, 5, "ORG")]  # LOC only


def test_road_word_taken_into_a_contracted_name_only():
    def extend(text, spans):
        return [text[s.start : s.end] for s in extend_over_road_word(text, spans)]

    assert extend("建设瓦蛟快速通道", [Span(2, 4, "LOC")]) == ["瓦蛟快速通道"]
    assert extend("长汀至瑞金快速通道", [Span(3, 5, "LOC")]) == ["瑞金"]  # a route's second end
    assert extend("鄂州与黄石快速通道", [Span(0, 2, "LOC"), Span(3, 5, "LOC")]) == ["鄂州", "黄石"]  # after a place
    assert extend("金海公路和奉浦快速通道", [Span(0, 4, "LOC"), Span(5, 7, "LOC")]) == ["金海公路", "奉浦快速通道"]
    assert extend("铜梁东互通、铜合快速通道", [Span(0, 5, "LOC"), Span(6, 8, "LOC")]) == ["铜梁东互通", "铜合快速通道"]
    assert extend("沈阳—抚顺快速通道", [Span(3, 5, "LOC")]) == ["抚顺"]
    assert extend("沈阳~抚顺快速通道", [Span(3, 5, "LOC")]) == ["抚顺"]
    assert extend("南岸至金渡快速通道", [Span(0, 5, "LOC")]) == ["南岸至金渡"]  # two ends not yet split
    assert extend("瓦蛟快速通道", [Span(0, 2, "LOC"), Span(2, 4, "ORG")]) == ["瓦蛟", "快速"]  # never into a span
    assert extend("瓦蛟快速通道", [Span(0, 2, "ORG")]) == ["瓦蛟"]  # LOC only
    # a division's name is no contraction: a road to it
    assert [s.end for s in extend_over_road_word("对接成都快速通道", [Span(2, 4, "LOC")], {"成都"})] == [4]


def test_a_railway_or_expressway_cut_at_its_zhi_is_joined_again():
    places = frozenset({"佳木斯", "丽水", "黎平", "杨叶", "庆云", "黄冈", "安康", "平利", "鄂州", "秀山"})

    def joined(text, *names, label="LOC"):
        spans = [Span(text.index(n), text.index(n) + len(n), label if i == 0 else "LOC") for i, n in enumerate(names)]
        return [(text[s.start : s.end], s.label) for s in join_named_lines(text, spans, places)]

    # the second end with the line's word, or followed by it (taken in, with 公路 and a connecting road)
    assert joined("鹤岗至佳木斯高速公路", "鹤岗", "佳木斯高速公路") == [("鹤岗至佳木斯高速公路", "LOC")]
    assert joined("鹤岗至佳木斯高速公路", "鹤岗", "佳木斯高速") == [("鹤岗至佳木斯高速公路", "LOC")]
    assert joined("衢州至丽水铁路、", "衢州", "丽水") == [("衢州至丽水铁路", "LOC")]
    assert joined("三江至黎平高速连接线", "三江", "黎平") == [("三江至黎平高速连接线", "LOC")]
    # a road described by its ends stays two places, and so do ends followed by no line
    assert joined("燕矶至杨叶快速路", "燕矶", "杨叶") == [("燕矶", "LOC"), ("杨叶", "LOC")]
    assert joined("乐陵至庆云一级公路", "乐陵", "庆云") == [("乐陵", "LOC"), ("庆云", "LOC")]
    assert joined("鄂州至黄冈的车程", "鄂州", "黄冈") == [("鄂州", "LOC"), ("黄冈", "LOC")]
    # the line's word beginning another word, a trip, a line with a name of its own, a site as the first end
    assert joined("开通平利至安康高铁站专线", "平利", "安康")[0] == ("平利", "LOC")
    assert joined("开通平利至安康城际公交", "平利", "安康")[0] == ("平利", "LOC")
    assert joined("开行平利至安康城际列车", "平利", "安康")[0] == ("平利", "LOC")
    assert joined("打通鄂州至黄冈高速通道", "鄂州", "黄冈")[0] == ("鄂州", "LOC")
    assert joined("从老县镇至平利高速路口", "老县镇", "平利")[0] == ("老县镇", "LOC")
    assert joined("从武汉至鄂州高铁仅需20分钟", "武汉", "鄂州")[0] == ("武汉", "LOC")
    assert joined("打通黄冈至沪渝高速", "黄冈", "沪渝高速")[0] == ("黄冈", "LOC")
    assert joined("货物经黄石港至京九铁路", "黄石港", "京九铁路")[0] == ("黄石港", "LOC")
    assert joined("货物经鄂州站至黄冈高速", "鄂州站", "黄冈")[0] == ("鄂州站", "LOC")
    # only 至 between them, only two LOCs, never into a span that begins at the line's word
    assert joined("鄂州到黄冈高速", "鄂州", "黄冈")[0] == ("鄂州", "LOC")
    assert joined("中铁至黄冈高速", "中铁", "黄冈", label="ORG")[0] == ("中铁", "ORG")
    text = "鄂州至黄冈高速"
    spans = [Span(0, 2, "LOC"), Span(3, 5, "LOC"), Span(5, 7, "ORG")]
    assert join_named_lines(text, spans, places)[0] == Span(0, 2, "LOC")


def test_road_names_run_in_the_tagger_only_when_switched_on(tag_as_if):
    # traditional, with a pinyin note: the steps read the normalized text
    # 建设熊岳至鲅鱼圈快速通道和瓦蛟快速通道,同心与利通区
    text = "建設(shè)熊岳至鮁魚圈快速通道和瓦蛟快速通道，同心與利通區錯位發展"
    # as if the network had found 熊岳至鮁魚圈, 瓦蛟 and 同心與利通區 (normalized offsets: the note is out)
    network = [Span(2, 8, "LOC"), Span(13, 15, "LOC"), Span(20, 26, "LOC")]
    options = {"merge_locations": False, "rules": False, "consistency": False, "word_edges": False}

    def places(**switches):
        found = tag_as_if(text, network, **options, **switches)
        return [text[e["start"] : e["end"]] for e in found if e["label"] == "LOC"]

    assert places(road_names=False) == ["熊岳至鮁魚圈", "瓦蛟", "同心與利通區"]
    assert places() == ["熊岳", "鮁魚圈", "瓦蛟快速通道", "同心", "利通區"]
    # a named line cut at its 至 (鹤岗 + 佳木斯高速公路), in traditional characters, joined again (佳木斯 is a city)
    text = "鶴崗至佳木斯高速公路擴容"
    network = [Span(0, 2, "LOC"), Span(3, 10, "LOC")]
    assert [e["text"] for e in tag_as_if(text, network, **options, road_names=False)] == ["鶴崗", "佳木斯高速公路"]
    assert [e["text"] for e in tag_as_if(text, network, **options)] == ["鶴崗至佳木斯高速公路"]


def test_quoted_abbreviations_of_places_only_before_a_word_of_cooperation():
    # the places the report names (LOC spans)
    named = "宜昌、荆州、荆门、长沙、安庆、城口、乡宁、山南、海口、双城、万州、达州、开州。"

    def labels(text, every_mention=True):
        whole = named + text
        places = [Span(m.start(), m.end(), "LOC") for m in re.finditer("[^、。]+", named)]
        slogans = [Span(m.start() + 1, m.end() - 1, "SLOGAN") for m in re.finditer("“[^”]+”", whole)]
        found = tag_quoted_place_abbreviations(normalize(whole), places + slogans, every_mention)
        return [(whole[s.start : s.end], s.label) for s in found[len(places) :]]

    assert labels("推动“宜荆荆”都市圈建设") == [("宜荆荆", "LOC")]
    assert labels("“宜荊荊”都市圈") == [("宜荊荊", "LOC")]  # traditional: read simplified
    assert labels("“万达开”协同发展") == [("万达开", "LOC")]  # 万 begins 万州 here, no count
    assert labels("“源网荷储”一体化项目") == [("源网荷储", "SLOGAN")]  # slogans take 一体化 too
    assert labels("“飞地园区”合作模式") == [("飞地园区", "SLOGAN")]
    assert labels("“专精特新”协同发展") == [("专精特新", "SLOGAN")]  # 4 characters: a slogan's length
    # every character must begin a place the report names: 号, 医, 部 begin none here
    assert labels("开行“长安号”班列，推进“三医”协同，“东西部”协作") == [
        ("长安号", "SLOGAN"), ("三医", "SLOGAN"), ("东西部", "SLOGAN")]
    assert labels("“城乡”协同，“山海”协作") == [("城乡", "LOC"), ("山海", "LOC")]  # the report names 城口, 乡宁…
    assert labels("“双城”经济圈") == [("双城", "SLOGAN")]  # a numeral first: a count, whatever places exist
    assert labels("“宜荆荆”建设") == [("宜荆荆", "SLOGAN")]  # no word of cooperation after it
    # a place's name inside other words is no place the report names: only its LOC spans count
    text = "推动沿海城市与山区结对,“山海”协作,城区建设,“城乡”协同"
    slogans = [Span(m.start() + 1, m.end() - 1, "SLOGAN") for m in re.finditer("“[^”]+”", text)]
    assert tag_quoted_place_abbreviations(normalize(text), slogans) == slogans
    # every mention, or the quoted one only
    text = "宜昌、荆州、荆门：“宜荆荆”协同，宜荆荆合作"
    spans = [Span(0, 2, "LOC"), Span(3, 5, "LOC"), Span(6, 8, "LOC"), Span(10, 13, "SLOGAN"), Span(17, 20, "SLOGAN")]
    assert [s.label for s in tag_quoted_place_abbreviations(normalize(text), spans)][3:] == ["LOC", "LOC"]
    quoted_only = tag_quoted_place_abbreviations(normalize(text), spans, every_mention=False)
    assert [s.label for s in quoted_only][3:] == ["LOC", "SLOGAN"]
    organization = [*spans[:3], Span(10, 13, "ORG")]  # SLOGAN only
    assert tag_quoted_place_abbreviations(normalize(text), organization) == organization


def test_quoted_places_run_in_the_tagger_only_when_switched_on(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    # the rules find the quoted phrase and its unquoted repeat (SLOGAN), the network the three places. Pinyin
    # notes before and inside: the step reads the normalized text 汉中、巴中、南充推动“汉巴南”协同发展,汉巴南三市合作
    text = "漢中、巴中、南充推動(dòng)“漢巴南”協(xié)同發展，漢巴南三市合作"
    network = [Span(0, 2, "LOC"), Span(3, 5, "LOC"), Span(6, 8, "LOC")]  # as if the network had found 汉中, 巴中, 南充
    monkeypatch.setattr(tagger_module, "drop_pinyin_spans", lambda norm_text, spans: list(network))

    def found(**switches):
        entities = Tagger.from_pretrained(tiny_model, propagate=(), **switches).predict([text])[0]
        return [(e["text"], e["label"], e["score"]) for e in entities if e["text"] == "漢巴南"]

    assert found(quoted_places=False) == [("漢巴南", "SLOGAN", 1.0), ("漢巴南", "SLOGAN", 1.0)]
    assert found() == [("漢巴南", "LOC", 1.0), ("漢巴南", "LOC", 1.0)]  # a rule's quotation: still score 1.0
    # without the document-level steps, the quoted mention only (the rules find no repeat then either)
    assert found(consistency=False) == [("漢巴南", "LOC", 1.0)]


def test_division_names_taken_for_organizations_are_places():
    short_forms = {"建始县": "建始", "福田区": "福田", "金川区": "金川", "胡杨河市": "胡杨河"}
    places = {*short_forms, *short_forms.values()}

    def labels(text, names):
        spans, at = [], 0
        for name in names:
            at = text.index(name, at)
            spans.append(Span(at, at + len(name), "ORG"))
            at += len(name)
        found = relabel_division_orgs(normalize(text), spans, short_forms, places)
        # the tagger passes the inverse table it built once: the same answer
        assert found == relabel_division_orgs(
            normalize(text), spans, short_forms, places, full_names_by_short_form(short_forms))
        return [(text[s.start : s.end], s.label) for s in found]

    assert labels("胡楊河市與石河子大學簽訂協議", ["胡楊河市"]) == [("胡楊河市", "LOC")]  # a full name: always
    # a short form only where the report names the division in full
    assert labels("建始县招商会举行，建始将坚持生态优先", ["建始"]) == [("建始", "LOC")]
    assert labels("福田配套项目开工", ["福田"]) == [("福田", "ORG")]  # 福田汽车, with no 福田区 in the report
    # not an item of a list next to an organization: 金川 of 金川集团, although the report names 金川区
    assert labels("支持金川、格林美扩产，金川区招商", ["金川", "格林美"]) == [("金川", "ORG"), ("格林美", "ORG")]
    assert labels("推动项目落户建始县", []) == []
    assert labels("金川区招商，金川集团扩产，支持金川加快发展", ["金川集团", "金川"]) == [
        ("金川集团", "ORG"), ("金川", "ORG")]  # the short name of the report's 金川集团
    assert labels("建始县人民政府与企业签约，建始将坚持", ["建始县人民政府", "建始"]) == [
        ("建始县人民政府", "ORG"), ("建始", "LOC")]  # a body named after the county is no company
    # nor a media outlet or an institute named after it (the legal-form words only make a company)
    assert labels("建始县招商，建始频道报道，建始将坚持", ["建始频道", "建始"]) == [
        ("建始频道", "ORG"), ("建始", "LOC")]
    outlet = labels("胡杨河市融媒体中心报道，胡杨河市与大学签约", ["胡杨河市融媒体中心", "胡杨河市"])
    assert outlet == [("胡杨河市融媒体中心", "ORG"), ("胡杨河市", "LOC")]
    # a list of places taken for organizations: neighbours that are places are no companies
    assert labels("建始县、福田区：建始、福田协作", ["建始", "福田"]) == [("建始", "LOC"), ("福田", "LOC")]
    assert labels("格林美、金川扩产，金川区招商", ["格林美", "金川"]) == [("格林美", "ORG"), ("金川", "ORG")]


def test_division_organizations_are_relabelled_in_the_tagger_only_with_division_names(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    text = "建始縣(xiàn)招商推介會舉行，建始將堅持生態優先"  # the step reads 建始县招商推介会举行,建始将坚持生态优先
    network = [Span(0, 3, "LOC"), Span(11, 13, "ORG")]  # normalized offsets: as if the network had found these
    monkeypatch.setattr(tagger_module, "drop_pinyin_spans", lambda norm_text, spans: list(network))

    def found(**switches):
        entities = Tagger.from_pretrained(tiny_model, rules=False, propagate=(), **switches).predict([text])[0]
        return [(e["text"], e["label"]) for e in entities]

    assert found(divisions=False) == [("建始縣", "LOC"), ("建始", "ORG")]
    assert found() == [("建始縣", "LOC"), ("建始", "LOC")]


def test_the_country_found_as_an_org_is_no_short_name_in_the_tagger(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    text = "中国铝业落户。中国"
    network = [Span(0, 4, "ORG"), Span(7, 9, "ORG")]  # as if the network had taken 中国 for an ORG
    monkeypatch.setattr(tagger_module, "drop_pinyin_spans", lambda norm_text, spans: list(network))
    found = Tagger.from_pretrained(tiny_model, rules=False).predict([text])[0]
    assert ("中国铝业", "ORG") in {(text[e["start"] : e["end"]], e["label"]) for e in found}


@pytest.mark.parametrize(
    ("text", "slogan", "kept"),
    [
        ("培育專精特新企业12家", "專精特新", False),  # never quoted in the document
        ("实施“专精特新”工程，專精特新企业12家", "專精特新", True),  # the quoted phrase, normalized, recurs
        ("推进“工业立县、工业强县”，坚持工业强县", "工业强县", False),  # one item of a quoted list alone
        ("区委与企业沟通协商“面对面”活动", "沟通协商“面对面”活动", True),  # overlaps a quotation: other steps' call
        ("支持企业“组团出海", "组团出海", True),  # a scraped page lost the closing mark
        ("支持企业组团出海”等", "组团出海", True),  # or the opening one
        ("开通“港口航线，支持企业“组团出海", "组团出海", True),  # its “ read as a mistyped ” of the first
        ('培育专精特新"小巨人"企业', "专精特新", False),  # a straight mark of a complete quotation next to it
        ("区(qū)“專精特新”，专精特新企业", "专精特新", True),  # compared on the normalized text
        ("他说：“要当好排头兵。”我们当好排头兵", "排头兵", False),  # inside speech, not quoted alone
    ],
)
def test_a_slogan_the_document_never_quotes_is_dropped(text, slogan, kept):
    start = text.rindex(slogan)
    place = Span(0, 2, "ORG")  # other labels pass untouched
    spans = [place, Span(start, start + len(slogan), "SLOGAN")]
    assert drop_unquoted_slogans(normalize(text), spans) == (spans if kept else [place])


def test_unquoted_slogans_are_dropped_in_the_tagger_only_when_switched_on(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    text = "培育專精特新企業，推進“工業強縣”"
    network = [Span(2, 6, "SLOGAN")]  # as if the network had tagged the unquoted 專精特新
    monkeypatch.setattr(tagger_module, "drop_pinyin_spans", lambda norm_text, spans: list(network))

    def slogans(**switches):
        found = Tagger.from_pretrained(tiny_model, merge_locations=False, **switches).predict([text])[0]
        return [text[e["start"] : e["end"]] for e in found if e["label"] == "SLOGAN"]

    assert slogans() == ["工業強縣"]  # the rules' quoted slogan stays
    assert slogans(quoted_slogans=False) == ["專精特新", "工業強縣"]
    assert slogans(consistency=False) == ["專精特新", "工業強縣"]  # a document-level step


def test_a_slogan_at_the_start_of_a_document_is_quoted_only_with_an_opening_mark():
    # an empty slice before the text is no quotation mark: 工业强县 (no opening mark) is not a quoted
    # phrase, so its unquoted occurrence is not a repeat
    text = "工业强县”，坚持工业强县"
    assert repeat_quoted_slogans(normalize(text), text, [Span(0, 4, "SLOGAN")]) == [Span(0, 4, "SLOGAN")]
    text = "“工业强县”，坚持工业强县"
    assert repeat_quoted_slogans(normalize(text), text, [Span(1, 5, "SLOGAN")])[1] == Span(9, 13, "SLOGAN")


# division names and short forms, as the tagger passes them (its _place_names); 东风 is a district too
_PLACES = {"长治", "长治市", "滁州", "宝鸡", "沧州", "铜仁", "霞浦", "丰县", "信丰县", "赣州", "赣州市", "容城",
           "襄阳", "东风", "北京", "中国", "宿迁", "连云港市"}


@pytest.mark.parametrize(("text", "label", "expected"), [
    # a company, a place and a facility word: the company and the place
    ("物美滁州首店|开业", "ORG", [("物美", "ORG"), ("滁州", "LOC")]),
    ("大润发铜仁店", "LOC", [("大润发", "ORG"), ("铜仁", "LOC")]),
    ("北京现代沧州工厂", "ORG", [("北京现代", "ORG"), ("沧州", "LOC")]),  # a company that begins with a place
    # a company and a place that a facility word or 项目 follows
    ("今麦郎长治|生产基地投产", "LOC", [("今麦郎", "ORG"), ("长治", "LOC")]),
    ("中核霞浦|项目", "LOC", [("中核", "ORG"), ("霞浦", "LOC")]),
    # a place and a facility word: the place, for a LOC only
    ("宝鸡基地|扩建", "LOC", [("宝鸡", "LOC")]),
    ("宝鸡基地|扩建", "ORG", [("宝鸡基地", "ORG")]),
    # left alone
    ("今麦郎长治|高质量发展", "LOC", [("今麦郎长治", "LOC")]),  # nothing says facility
    ("中石化沧州炼化", "ORG", [("中石化沧州炼化", "ORG")]),  # a unit that is a company of its own
    ("国网长治供电公司", "ORG", [("国网长治供电公司", "ORG")]),
    ("赣州市信丰县|基地", "LOC", [("赣州市信丰县", "LOC")]),  # 信丰县 runs across 丰县's start
    ("雄安新区容城|项目", "LOC", [("雄安新区容城", "LOC")]),  # the first part ends like a place
    ("东风襄阳|基地", "LOC", [("东风襄阳", "LOC")]),  # the first part is a place too
    ("A店长治基地", "ORG", [("A店长治基地", "ORG")]),  # the first part is not Han characters only
    ("美长治基地", "ORG", [("美长治基地", "ORG")]),  # a one-character company is too short to trust
    ("苏北宿迁|项目", "LOC", [("苏北宿迁", "LOC")]),  # a region before the place is no company
    ("物美滁州首店|开业", "SLOGAN", [("物美滁州首店", "SLOGAN")]),  # other labels pass
])
def test_a_companys_facility_named_after_a_place_becomes_the_company_and_the_place(text, label, expected):
    span_text, _, after = text.partition("|")  # | marks where the span ends
    text = span_text + after
    found = split_company_facilities(text, [Span(0, len(span_text), label)], _PLACES)
    assert [(text[s.start : s.end], s.label) for s in found] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a company that another ORG of the document holds, then a place: split with no facility word
    ("阿特斯阳光电力公司在|阿特斯长治|光储项目", [("阿特斯", "ORG"), ("长治", "LOC")]),
    ("农夫山泉公司|农夫山泉滁州|饮用水", [("农夫山泉", "ORG"), ("滁州", "LOC")]),  # the company in full
    # left alone
    ("阿特斯阳光电力公司在|阿特斯长治市区|", [("阿特斯长治市区", "LOC")]),  # the rest is no place of the list
    ("物美公司|美长治|", [("美长治", "LOC")]),  # a one-character company
    ("华能公司|大唐长治|", [("大唐长治", "LOC")]),  # no ORG of the document holds the first part
    ("阳光包装公司|阳光包容城|", [("阳光包容城", "LOC")]),  # the cut would split the word 包容
    ("雄安新区管委会|雄安新区容城|", [("雄安新区容城", "LOC")]),  # the first part ends like a place
    ("西海岸新区管委会|西海岸长治|", [("西海岸长治", "LOC")]),  # a body's start names no company
    ("红军长征纪念馆|长征长治|", [("长征长治", "LOC")]),  # nor a museum's
    ("北京锐达液压有限公司|锐达长治|", [("锐达", "ORG"), ("长治", "LOC")]),  # a full name's start after its place
    ("南桥集团|南桥新城|", [("南桥新城", "LOC")]),  # 新城 is a kind of place, though a district's short form
    ("阿特斯宝鸡公司在|阿特斯宝鸡|", [("阿特斯宝鸡", "LOC")]),  # an ORG holds the whole
])
def test_a_company_the_document_names_is_split_from_the_place_after_it(text, expected):
    org, span_text, after = text.split("|")  # the ORG elsewhere in the document, the LOC, the text after it
    text = org + span_text + after
    spans = [Span(0, len(org), "ORG"), Span(len(org), len(org) + len(span_text), "LOC")]
    found = split_company_facilities(text, spans, _PLACES | {"新城"})
    assert [(text[s.start : s.end], s.label) for s in found][1:] == expected


def test_company_facilities_are_split_in_the_tagger_at_original_offsets(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    # traditional characters and a pinyin note: the step reads the normalized text, spans stay original
    text = "推動今麥郎長(cháng)治生產基地投產"
    norm = normalize(text)
    network = [Span(*norm.to_normalized(2, 14), "LOC")]  # as if the network had tagged 今麥郎長(cháng)治
    monkeypatch.setattr(tagger_module, "drop_pinyin_spans", lambda norm_text, spans: list(network))

    def names(**switches):
        found = Tagger.from_pretrained(tiny_model, **switches).predict([text])[0]
        return [(text[e["start"] : e["end"]], e["label"]) for e in found if e["label"] in ("LOC", "ORG")]

    assert names() == [("今麥郎", "ORG"), ("長(cháng)治", "LOC")]
    assert names(company_facilities=False) == [("今麥郎長(cháng)治", "LOC")]


@pytest.mark.parametrize(("text", "label"), [
    # a party: the partner or the deed follows, or 与 comes before and the deed later in the clause
    ("市政府与[天津港]深化物流合作", "ORG"),
    ("[柳州白莲机场]共建航空货运中心", "ORG"),
    ("[格尔木机场]与州商务局共建航空货运站", "ORG"),
    ("区政府携手[成都国际铁路港]签订合作协议", "ORG"),
    ("[厦门港口]签署协议", "ORG"),
    ("[天津港]合作开发临港片区", "ORG"),
    # a place: goods pass through it, a route opens at it, the deed is in another clause or too far on
    ("货物经[天津港]出口", "LOC"),
    ("[长治王村机场]新开至杭州航线", "LOC"),
    ("与[天津港]相连,物流合作不断深化", "LOC"),
    ("与[天津港]相邻的临港片区和东疆港区共同合作", "LOC"),
    ("深化对[港]合作", "LOC"),  # one character: 港 for Hong Kong
    ("与[天津市]合作", "LOC"),  # not a port or airport
    ("经[天津港]出口的合作项目", "LOC"),  # no partner before it, and passed through
    ("建设[天津港]配套项目并开展合作", "LOC"),  # a deed in the clause, but no partner
    ("在[长治王村机场]签署协议", "LOC"),  # the place of the deed
    ("开通[天津港]与二连浩特之间的海铁联运班列", "LOC"),  # 与 but no deed
    ("[连云港]与徐州共建产业园", "LOC"),  # a city (连云港市)
    ("深化与[海南自由贸易港]合作", "LOC"),  # a zone
])
def test_a_port_or_airport_that_is_a_party_becomes_an_org(text, label):
    start = text.index("[")
    end = text.index("]") - 1
    text = text.replace("[", "").replace("]", "")
    assert tag_sites_as_parties(text, [Span(start, end, "LOC")], _PLACES) == [Span(start, end, label)]
    assert tag_sites_as_parties(text, [Span(start, end, "SLOGAN")], _PLACES) == [Span(start, end, "SLOGAN")]


def test_sites_as_parties_in_the_tagger_at_original_offsets(tiny_model, monkeypatch):
    import govner.inference.tagger as tagger_module
    from govner.inference.tagger import Tagger

    text = "市政府與天(tiān)津港簽訂合作協議"  # traditional, with a pinyin note inside the name
    norm = normalize(text)
    network = [Span(*norm.to_normalized(4, 13), "LOC")]  # as if the network had tagged 天(tiān)津港 a place
    monkeypatch.setattr(tagger_module, "drop_pinyin_spans", lambda norm_text, spans: list(network))

    def names(**switches):
        found = Tagger.from_pretrained(tiny_model, **switches).predict([text])[0]
        return [(text[e["start"] : e["end"]], e["label"]) for e in found if e["label"] in ("LOC", "ORG")]

    assert names() == [("天(tiān)津港", "ORG")]
    assert names(sites_as_parties=False) == [("天(tiān)津港", "LOC")]


def test_predict_set_switches_a_step_off_over_the_saved_config(tiny_model, monkeypatch, tmp_path, capsys):
    import json

    import govner.inference.tagger as tagger_module
    from govner.cli import main

    text = "市政府與天津港簽訂合作協議"
    network = [Span(4, 7, "LOC")]  # as if the network had tagged 天津港 a place (no pinyin: same offsets)
    monkeypatch.setattr(tagger_module, "drop_pinyin_spans", lambda norm_text, spans: list(network))
    report = tmp_path / "r.txt"
    report.write_text(text, encoding="utf-8")

    def labels(*options: str) -> list[str]:
        out = tmp_path / "out.jsonl"
        out.unlink(missing_ok=True)
        assert main(["predict", "--model", str(tiny_model), str(report), "-o", str(out), "--quiet", *options]) == 0
        entities = json.loads(out.read_text(encoding="utf-8"))["entities"]
        return [e["label"] for e in entities if e["text"] == "天津港"]

    assert labels() == ["ORG"]
    assert labels("--set", "inference.sites_as_parties=false") == ["LOC"]
    # the weights are fixed, and a key or value the config does not know is the user's error, named
    for bad, said in (("model.dropout=0.1", "only inference.KEY=VALUE"), ("inference.ports=false", "unknown key"),
                      ("inference.sites_as_parties=maybe", "expected bool")):
        capsys.readouterr()
        assert main(["predict", "--model", str(tiny_model), str(report), "--quiet", "--set", bad]) == 2
        assert said in capsys.readouterr().err


def test_segmenter_reads_its_prefix_cache_and_rebuilds_a_broken_one(tmp_path, monkeypatch):
    import marshal

    from govner.inference import postprocess

    monkeypatch.setenv("GOVNER_CACHE", str(tmp_path))
    postprocess._segmenter_dictionary_path.cache_clear()
    postprocess._load_segmenter.cache_clear()
    try:
        built = postprocess._load_segmenter()
        (cache,) = (tmp_path / "jieba").glob("*.prefixes.marshal")
        words = list(built.cut("我们隆重庆祝经开区晋升", HMM=False))
        assert "庆祝" in words or "隆重庆祝" in words
        # what the cache holds is what segments: a dictionary of one word
        cache.write_bytes(marshal.dumps(({"经开区": 5, "经": 0, "经开": 0}, 5)))
        postprocess._load_segmenter.cache_clear()
        assert list(postprocess._load_segmenter().cut("经开区晋升", HMM=False)) == ["经开区", "晋", "升"]
        for broken in (cache.read_bytes()[:7], b"not marshal", marshal.dumps(["a list"]), marshal.dumps((["x"], 1))):
            cache.write_bytes(broken)
            postprocess._load_segmenter.cache_clear()
            assert list(postprocess._load_segmenter().cut("我们隆重庆祝经开区晋升", HMM=False)) == words
            assert marshal.loads(cache.read_bytes())[1] == built.total  # written again, whole
    finally:
        postprocess._segmenter_dictionary_path.cache_clear()  # the next test loads the usual cache again
        postprocess._load_segmenter.cache_clear()


def test_one_character_forms_of_the_reports_places_between_a_coming_and_a_deed():
    def added(text, places):
        spans = [Span(m.start(), m.end(), "LOC") for name in places for m in re.finditer(name, text)]
        found = tag_abbreviated_places(normalize(text), spans)
        return [text[s.start : s.end] for s in sorted(set(found) - set(spans))]

    assert added("岚皋县招商引资，新增来岚投资企业", ["岚皋县"]) == ["岚"]
    assert added("嵐皋縣招商，新增來嵐投資企業", ["嵐皋縣"]) == ["嵐"]  # traditional: read simplified
    assert added("横琴粤澳深度合作区：澳企在琴设立研发中心", ["横琴粤澳深度合作区"]) == []  # 琴 begins no place named
    assert added("横琴、珠海：澳企在琴设立研发中心", ["横琴", "珠海"]) == []  # 横 begins 横琴, 琴 nothing
    assert added("琴澳一体化：澳企在琴设立研发中心", ["琴澳"]) == ["琴"]
    assert added("漠河市：企业来漠开展寒地测试，在漠发展", ["漠河市"]) == ["漠", "漠"]
    # no word of investing or working together after it, or no coming or being before it
    assert added("岚皋县：来岚的游客，岚投资公司", ["岚皋县"]) == []
    # a word of its own for jieba (来信, 对口), new ones (对新落户), a span over it: none
    assert added("信阳市：欢迎客商来信考察", ["信阳市"]) == []
    assert added("新疆、新乡：对新落户企业奖励", ["新疆", "新乡"]) == []
    assert added("口岸、口子镇：对口合作", ["口岸", "口子镇"]) == []
    # the character before it inside a word (迎来, 带来), a level (a report on 镇雄, on 市南区)
    assert added("大湾区、大同市：全县文旅产业迎来大发展", ["大湾区", "大同市"]) == []
    assert added("镇雄县：组织县直部门到镇开展调研", ["镇雄县"]) == []
    assert added("市南区：在市举办招商推介会", ["市南区"]) == []
    text = "岚皋县：“来岚投资”活动"
    spans = [Span(0, 3, "LOC"), Span(5, 9, "SLOGAN")]
    assert tag_abbreviated_places(normalize(text), spans) == spans
    # a pinyin note before it: original offsets
    text = "岚皋县招(zhāo)商，来岚投资"
    found = tag_abbreviated_places(normalize(text), [Span(0, 3, "LOC")])
    assert [(text[s.start : s.end], s.label) for s in found] == [("岚皋县", "LOC"), ("岚", "LOC")]


def test_abbreviated_places_run_in_the_tagger_only_when_switched_on(tag_as_if):
    text = "嵐皋縣招(zhāo)商引資，新增來嵐投資企業12家"
    network = [Span(0, 3, "LOC")]  # as if the network had found 嵐皋縣

    def found(**switches):
        entities = tag_as_if(text, network, propagate=(), **switches)
        return [(e["text"], e["label"], e["score"]) for e in entities if e["label"] == "LOC"]

    assert [e[0] for e in found(abbreviated_places=False)] == ["嵐皋縣"]
    assert [e for e in found() if e[0] == "嵐"] == [("嵐", "LOC", 1.0)]  # read off the report: score 1.0
    assert [e for e in found(consistency=False) if e[0] == "嵐"] == []  # reads the whole document


def test_a_name_cut_short_of_an_org_found_elsewhere_becomes_that_org():
    def extended(text, spans):
        return [(text[s.start : s.end], s.label) for s in extend_to_longer_names(text, spans)]

    # a company found whole once: a place or a shorter name that begins it elsewhere takes it in
    text = "北京现代沧州工厂投产。北京现代产量回升"
    assert extended(text, [Span(0, 2, "LOC"), Span(4, 6, "LOC"), Span(11, 15, "ORG")]) == [
        ("北京现代", "ORG"), ("沧州", "LOC"), ("北京现代", "ORG")]
    text = "支持海信家电扩能，海信家电容桂基地"
    assert extended(text, [Span(2, 6, "ORG"), Span(9, 12, "ORG")])[1] == ("海信家电", "ORG")
    # not over another span (中外运 + 北仑: the place stays), not into a name shorter than 3 characters,
    # not into a company with its facility (the company and its plant are two things)
    text = "中外运北仑基地开工，中外运北仑"
    spans = [Span(0, 3, "ORG"), Span(3, 5, "LOC"), Span(10, 15, "ORG")]
    assert extended(text, spans)[:2] == [("中外运", "ORG"), ("北仑", "LOC")]
    assert extended("京东签约，京东", [Span(0, 2, "ORG"), Span(5, 6, "LOC")])[-1] == ("京", "LOC")
    text = "今麦郎长治生产基地投产，今麦郎长治生产基地"
    spans = [Span(0, 9, "ORG"), Span(12, 15, "ORG")]
    assert extended(text, spans) == [("今麦郎长治生产基地", "ORG"), ("今麦郎", "ORG")]
    # amounts and slogans are never extended
    text = "三亿元项目公司成立，三亿元项目公司"
    assert extended(text, [Span(0, 7, "ORG"), Span(10, 13, "AMOUNT")])[-1] == ("三亿元", "AMOUNT")
    # a place grows into no body of a place (the guideline's LOC before 政府工作报告) and cuts no word
    text = "恩阳区政府与华为签约。审议恩阳区政府工作报告"
    assert extended(text, [Span(0, 5, "ORG"), Span(6, 8, "ORG"), Span(13, 16, "LOC")])[-1] == ("恩阳区", "LOC")
    text = "新疆大学与我区签约。鼓励新疆大学生返乡创业"
    assert extended(text, [Span(0, 4, "ORG"), Span(12, 14, "LOC")])[-1] == ("新疆", "LOC")
    text = "北京银行与我区签约。引导北京银行业金融机构"
    assert extended(text, [Span(0, 4, "ORG"), Span(12, 14, "LOC")])[-1] == ("北京", "LOC")
    # a name that ends in a body grows from a shorter ORG (县发改 … 县发改委)
    text = "宁强县发改委牵头，宁强县发改委会同"
    assert extended(text, [Span(0, 6, "ORG"), Span(9, 14, "ORG")])[-1] == ("宁强县发改委", "ORG")


def test_longer_names_run_in_the_tagger_after_propagation_only_when_switched_on(tag_as_if):
    text = "拉薩啤酒拓展市場，支持拉薩啤酒擴能"
    network = [Span(0, 4, "ORG"), Span(11, 13, "LOC")]  # as if the network had found 拉萨啤酒 once, 拉萨 once

    def found(**switches):
        return [(e["text"], e["label"]) for e in tag_as_if(text, network, divisions=False, **switches)]

    assert found(longer_names=False) == [("拉薩啤酒", "ORG"), ("拉薩", "LOC")]
    assert found() == [("拉薩啤酒", "ORG"), ("拉薩啤酒", "ORG")]
    assert found(consistency=False) == [("拉薩啤酒", "ORG"), ("拉薩", "LOC")]  # reads the whole document


def test_a_place_run_on_into_its_own_body_becomes_that_body():
    def joined(text, spans):
        return [(text[s.start : s.end], s.label) for s in join_place_bodies(text, spans)]

    # the longest body, with its office; a banner and a township too
    assert joined("科右前旗人民政府办公室印发", [Span(0, 4, "LOC")]) == [("科右前旗人民政府办公室", "ORG")]
    assert joined("由八郎镇党委牵头", [Span(1, 4, "LOC")]) == [("八郎镇党委", "ORG")]
    assert joined("巍山县人大常委会审议", [Span(0, 3, "LOC")]) == [("巍山县人大常委会", "ORG")]
    # a report's title keeps its place (the guideline); a word the body would cut (委托) keeps it too
    assert joined("审议巍山县政府工作报告", [Span(2, 5, "LOC")]) == [("巍山县", "LOC")]
    assert joined("由巍山县委托第三方评估", [Span(1, 4, "LOC")]) == [("巍山县", "LOC")]
    # not over a span that begins inside the body, not from a place without a level character (中国政府),
    # and only from LOC
    assert joined("巍山县政协委员", [Span(0, 3, "LOC"), Span(4, 7, "ORG")])[0] == ("巍山县", "LOC")
    assert joined("中国政府代表团", [Span(0, 2, "LOC")]) == [("中国", "LOC")]
    assert joined("巍山县政府", [Span(0, 3, "ORG")]) == [("巍山县", "ORG")]
    # 政府 in a term (budget and debt), a count of divisions, a title after the body (县委书记 is a jieba word)
    assert joined("巍山县政府性债务余额", [Span(0, 3, "LOC")]) == [("巍山县", "LOC")]
    assert joined("北京市政府采购项目", [Span(0, 3, "LOC")]) == [("北京市", "LOC")]
    assert joined("化解巍山县政府隐性债务", [Span(2, 5, "LOC")]) == [("巍山县", "LOC")]
    assert joined("审议巍山县政府2025年工作报告", [Span(2, 5, "LOC")]) == [("巍山县", "LOC")]
    # two places the network joined: not the first one's body (the pair is split later)
    assert joined("同心县与利通区政府主办", [Span(0, 7, "LOC")]) == [("同心县与利通区", "LOC")]
    assert joined("郑州市二七区政府", [Span(0, 6, "LOC")]) == [("郑州市二七区政府", "ORG")]  # no count: 二七区
    assert joined("审议巍山县人民政府工作报告", [Span(2, 5, "LOC")]) == [("巍山县人民政府", "ORG")]  # the body's
    assert joined("川渝两省市人大常委会", [Span(0, 5, "LOC")]) == [("川渝两省市", "LOC")]
    assert joined("八郎镇党委书记李明", [Span(0, 3, "LOC")]) == [("八郎镇党委", "ORG")]
    assert joined("云南省政府办公厅印发", [Span(0, 3, "LOC")]) == [("云南省政府办公厅", "ORG")]
    # a department jieba reads after the body joins it (the outermost name), a title does not, nor a later span
    assert joined("巍山县委宣传部部长", [Span(0, 3, "LOC")]) == [("巍山县委宣传部", "ORG")]
    assert joined("巍山县委政法委牵头", [Span(0, 3, "LOC")]) == [("巍山县委政法委", "ORG")]
    assert joined("巍山县委常委李明", [Span(0, 3, "LOC")]) == [("巍山县委", "ORG")]
    assert joined("巍山县委宣传部", [Span(0, 3, "LOC"), Span(4, 7, "ORG")])[0] == ("巍山县委", "ORG")
    # words that only end like a department: a verb, a room
    assert joined("巍山县政府主办，", [Span(0, 3, "LOC")]) == [("巍山县政府", "ORG")]
    assert joined("在巍山县政府会议室召开", [Span(1, 4, "LOC")]) == [("巍山县政府", "ORG")]
    assert joined("巍山县监委通报", [Span(0, 3, "LOC")]) == [("巍山县监委", "ORG")]  # 监委 is a body too
    # another body is no department: 县委 + 政府 is two bodies (the collective 党委政府), 政府 + 财政局 a bureau
    assert joined("巍山县委政府高度重视", [Span(0, 3, "LOC")]) == [("巍山县委", "ORG")]
    assert joined("巍山县委纪委联合督查", [Span(0, 3, "LOC")]) == [("巍山县委", "ORG")]  # a level's own 纪委


def test_place_bodies_run_in_the_tagger_on_the_normalized_text_only_when_switched_on(tag_as_if):
    text = "會同詔安縣政府打破行政壁壘"  # traditional: the step reads 诏安县政府
    network = [Span(2, 5, "LOC")]

    def found(**switches):
        return [(e["text"], e["label"]) for e in tag_as_if(text, network, divisions=False, **switches)]

    assert found(place_bodies=False) == [("詔安縣", "LOC")]
    assert found() == [("詔安縣政府", "ORG")]
    # before the word check, which would drop 南涧县 for cutting the jieba word 县委
    text = "南澗縣委書記到會"
    network = [Span(0, 3, "LOC")]
    assert found(place_bodies=False) == []
    assert found() == [("南澗縣委", "ORG")]


def test_items_of_a_list_that_a_count_of_divisions_ends_are_places():
    def places(text, spans=()):
        return [text[s.start : s.end] for s in tag_counted_place_lists(normalize(text), list(spans))]

    assert places("带动曲当、绒辖两乡1300余户") == ["曲当", "绒辖"]  # 带动, a verb, is cut off the first item
    assert places("帶動曲當、絨轄兩鄉1300餘戶") == ["曲當", "絨轄"]  # traditional: read simplified
    assert places("辐射白青、屿头、大练三个乡") == ["白青", "屿头", "大练"]
    assert places("在宰便、西山、停洞3个乡镇签订协议") == ["宰便", "西山", "停洞"]
    assert places("带动周边洋川镇、郑场镇等5个乡镇") == ["洋川镇", "郑场镇"]  # 周边: a word of locality
    assert places("址山、宅梧、双合等镇推进冷链") == ["址山", "宅梧", "双合"]  # 等 and a level
    assert places("支持禄步、小湘、乐城等镇发展") == ["禄步", "小湘", "乐城"]
    assert places("推动湖北、重庆两省市合作") == ["湖北", "重庆"]  # provinces and municipalities (省市)
    # no count or level: no list of divisions; 县 alone after 等 is none (officials of a county)
    assert places("带动曲当、绒辖发展") == []
    assert places("赵勇、赖建彬、曾郴等县领导出席") == []
    # a middle item that is no short name leaves the list alone
    assert places("带动曲当、绒辖和周边地区、光照两镇") == []
    # two names joined in the last item, a scope before the first; a name that holds the join stays whole
    assert places("辐射白青、屿头和大练三个乡") == ["白青", "屿头", "大练"]
    assert places("全县曲当、绒辖两乡") == ["曲当", "绒辖"]
    assert places("带动东郊、仁和镇等5个乡镇") == ["东郊", "仁和镇"]
    # a unit after the count (两市分公司), a span over the count, an organization jieba knows (蒙牛): no places
    text = "国网湖南、国网江西两省公司签订协议"
    organizations = [Span(0, 4, "ORG"), Span(5, 9, "ORG")]
    assert tag_counted_place_lists(normalize(text), organizations) == organizations
    text = "协调中国移动、中国联通两市分公司完成建设"
    organizations = [Span(2, 6, "ORG"), Span(7, 16, "ORG")]
    assert tag_counted_place_lists(normalize(text), organizations) == organizations
    organizations = [Span(0, 2, "ORG"), Span(3, 5, "ORG")]
    assert tag_counted_place_lists(normalize("蒙牛、伊利等乡镇奶站"), organizations) == organizations
    assert places("蒙牛、伊利等乡镇奶站") == []  # untagged too
    text = "支持曲当、绒辖两乡联合体发展"  # an ORG over the count: the count is part of a name
    organizations = [Span(5, 12, "ORG")]
    assert tag_counted_place_lists(normalize(text), organizations) == organizations
    # a level that begins another word (村级, 乡村, 村干部, 社区服务) and lists of common words, persons or a verb
    for text in ("建成文化广场、卫生室等村级阵地", "重点发展茶叶、中药材、食用菌等乡村特色产业",
                 "支持教育、卫生、文化等乡镇事业发展", "张伟、李强等村干部参加培训", "开展养老、托育等社区服务",
                 "完善供水、供电等村基础设施", "选派农技人员、专家深入5个乡镇开展指导"):
        assert places(text) == [], text
    # an item the network tagged ORG exactly is a LOC; one that a span only overlaps is left as it is; a pinyin note
    # before the list: original offsets
    text = "帶動(dòng)碧痕、光照兩鎮"
    found = tag_counted_place_lists(normalize(text), [Span(8, 10, "ORG")])
    assert [(text[s.start : s.end], s.label) for s in found] == [("碧痕", "LOC"), ("光照", "LOC")]
    found = tag_counted_place_lists(normalize(text), [Span(8, 11, "ORG")])
    assert [(text[s.start : s.end], s.label) for s in found] == [("碧痕、", "ORG"), ("光照", "LOC")]


def test_counted_place_lists_run_in_the_tagger_before_propagation(tag_as_if):
    text = "帶動(dòng)碧痕、光照兩鎮發展茶葉，碧痕輸變電工程開工"

    def found(**switches):
        entities = tag_as_if(text, [], **switches)  # the network found nothing
        return [(e["text"], e["start"], e["score"]) for e in entities if e["label"] == "LOC"]

    assert found(list_items=False) == []
    # the list's two towns, and the other mention of 碧痕 by propagation
    assert [e[:2] for e in found()] == [("碧痕", 8), ("光照", 11), ("碧痕", 20)]
    assert found()[:2] == [("碧痕", 8, 1.0), ("光照", 11, 1.0)]  # read off the list: score 1.0
    assert found(consistency=False) == [("碧痕", 8, 1.0), ("光照", 11, 1.0)]  # the list alone


def test_a_school_and_its_campus_are_one_organization():
    def joined(text, spans):
        return [(text[s.start : s.end], s.label) for s in join_campuses(text, spans, {"霸州", "高要"})]

    text = "燕赵理工学院霸州校区与企业签约"
    school = Span(0, 6, "ORG")
    assert joined(text, [school, Span(6, 10, "LOC")]) == [("燕赵理工学院霸州校区", "ORG")]  # the campus as a place
    assert joined(text, [school, Span(6, 8, "LOC")]) == [("燕赵理工学院霸州校区", "ORG")]  # its place only
    assert joined(text, [school]) == [("燕赵理工学院霸州校区", "ORG")]  # nothing on the campus
    text = "辽宁沿海职业技术学院鲅鱼圈校区实训楼"
    assert joined(text, [Span(0, 10, "ORG")]) == [("辽宁沿海职业技术学院鲅鱼圈校区", "ORG")]  # a 3-character place
    # no campus name (新校区), an ORG inside the campus, a place running past it: left as they are
    assert joined("市二中新校区开工", [Span(0, 3, "ORG")]) == [("市二中", "ORG")]
    spans = [school, Span(6, 8, "ORG")]
    assert join_campuses("燕赵理工学院霸州校区与企业签约", spans) == spans
    spans = [school, Span(6, 12, "LOC")]
    assert join_campuses("燕赵理工学院霸州校区与企业签约", spans) == spans
    assert joined("霸州校区建设", [Span(0, 2, "LOC")]) == [("霸州", "LOC")]  # a campus after no ORG
    # no campus's name: an unknown word is one (高竹), a common word or a phrase is none
    assert joined("重庆工职院高竹校区等", [Span(0, 5, "ORG")]) == [("重庆工职院高竹校区", "ORG")]
    for text, school in (("华中科技大学的新校区开工", "华中科技大学"), ("县第一中学新建校区投入使用", "县第一中学"),
                         ("湖南大学新老校区同步改造", "湖南大学"), ("武汉大学两个校区", "武汉大学"),
                         ("市政府与清华大学共建校区", "清华大学"), ("燕赵理工学院在霸州校区举办", "燕赵理工学院"),
                         ("湖南大学东部校区", "湖南大学"), ("某大学十二个学院校区", "某大学")):
        at = text.index(school)
        assert joined(text, [Span(at, at + len(school), "ORG")]) == [(school, "ORG")], text


def test_campuses_run_in_the_tagger_only_when_switched_on(tag_as_if):
    # traditional, with pinyin notes inside the school's name and after the campus (seed report 002's shape)
    text = "新基地、重慶工(gōng)職院高竹校區(qū)等引領"
    # normalized 新基地、重庆工职院高竹校区等引领: as if the network had found 重庆工职院 (ORG) and 高竹 (LOC)
    network = [Span(4, 9, "ORG"), Span(9, 11, "LOC")]

    def found(**switches):
        entities = tag_as_if(text, network, propagate=(), **switches)
        return [(e["text"], e["label"]) for e in entities if e["label"] in ("LOC", "ORG")]

    assert found(campuses=False) == [("重慶工(gōng)職院", "ORG"), ("高竹", "LOC")]
    assert found() == [("重慶工(gōng)職院高竹校區", "ORG")]


def test_names_begun_inside_a_named_division_begin_with_it():
    short_forms = {"称多县": "称多", "会同县": "会同", "建始县": "建始", "察哈尔右翼前旗": "察右前旗"}

    def names(text, spans):
        found = extend_to_division_names(normalize(text), spans, short_forms)
        return [(text[s.start : s.end], s.label) for s in found]

    text = "称多县招商。主办：称多縣人民政府"
    assert names(text, [Span(0, 3, "LOC"), Span(10, 16, "ORG")]) == [("称多县", "LOC"), ("称多縣人民政府", "ORG")]
    # the short form names the county too; the cut may be the whole short form (建始|县政府)
    text = "建始招商推介会：建始县政府与企业签约"
    assert names(text, [Span(0, 2, "LOC"), Span(10, 13, "ORG")])[1] == ("建始县政府", "ORG")
    # a rare name cut after its first character, with a pinyin note inside: original offsets
    text = "察哈尔右翼前旗：察哈(hā)尔右翼前旗管委会"
    assert names(text, [Span(0, 7, "LOC"), Span(9, len(text), "ORG")])[1] == ("察哈(hā)尔右翼前旗管委会", "ORG")
    # a division the report does not name: 会同 is "together with" here; in 会同县's own report a name right before
    assert names("县工信局会同县税务局", [Span(6, 10, "ORG")]) == [("县税务局", "ORG")]
    text = "会同县政府工作报告。县发改局会同县财政局制定方案"
    assert names(text, [Span(0, 3, "LOC"), Span(10, 14, "ORG"), Span(16, 20, "ORG")])[2] == ("县财政局", "ORG")
    # a span over the characters before: left as it is
    spans = [Span(0, 3, "LOC"), Span(4, 5, "ORG"), Span(5, 11, "ORG")]
    assert extend_to_division_names(normalize("称多县。称多县人民政府"), spans, short_forms) == spans


def test_names_are_extended_to_divisions_in_the_tagger_only_with_division_names(tag_as_if):
    text = "称多縣招(zhāo)商引资。主办：称多縣人民政府"
    network = [Span(0, 3, "LOC"), Span(12, 18, "ORG")]  # normalized: 称多县招商引资。主办：称|多县人民政府

    def organizations(**switches):
        entities = tag_as_if(text, network, propagate=(), **switches)
        return [e["text"] for e in entities if e["label"] == "ORG"]

    assert organizations(divisions=False) == ["多縣人民政府"]
    assert organizations() == ["称多縣人民政府"]


def test_a_kind_of_place_or_organization_alone_is_no_name():
    text = "今年1至10月，經開區新註冊企業46家，常德經開區，集團旗下分公司21家，县委、管委会，港澳"
    spans = [Span(m.start(), m.end(), label) for word, label in
             (("經開區", "LOC"), ("常德經開區", "LOC"), ("集團", "ORG"), ("分公司", "ORG"), ("县委", "ORG"),
              ("管委会", "ORG"), ("港", "LOC")) for m in re.finditer(f"(?<!常德){word}", text)]
    norm = normalize(text)
    found = drop_kind_words(norm.text, [Span(*norm.to_normalized(s.start, s.end), s.label) for s in spans])
    # the zone, the group and the branch alone go; a named zone, the report's own bodies and 港 (Hong Kong) stay
    assert [(norm.text[s.start : s.end], s.label) for s in sorted(found)] == [
        ("常德经开区", "LOC"), ("县委", "ORG"), ("管委会", "ORG"), ("港", "LOC")]
    # the label matters: 集团 as a LOC is no organization's kind word (and is no LOC either, but not this step's)
    assert drop_kind_words("集团", [Span(0, 2, "LOC")]) == [Span(0, 2, "LOC")]
    # a kind that touches another span is part of a name the network cut (merged later); a place named so is kept
    touching = [Span(0, 2, "LOC"), Span(2, 5, "LOC")]
    assert drop_kind_words("常德经开区招商", touching) == touching
    town = [Span(0, 3, "LOC"), Span(12, 14, "LOC")]
    assert drop_kind_words("大桥镇招商引资成效明显，大桥新签约项目12个", town) == town
    assert drop_kind_words("集团旗下，大桥新签约", [Span(0, 2, "ORG"), Span(5, 7, "LOC")]) == []
    # a longer kind (产业园区) or 市场 after it names no place; only places touching places are kept (merged later)
    assert drop_kind_words("产业园区建设加快，产业园新签约", [Span(9, 12, "LOC")]) == []
    assert drop_kind_words("经开区市场监管局检查，经开区新签约", [Span(11, 14, "LOC")]) == []
    # a visiting group alone is no organization (the report's 代表团); one that a body names is left to the network
    text = "市党政代表团赴上海，代表团走访了三家企业，考察團還與企業座談"
    groups = [Span(1, 6, "ORG"), Span(10, 13, "ORG"), Span(21, 24, "ORG")]
    assert drop_kind_words(normalize(text).text, groups) == [Span(1, 6, "ORG")]
    assert drop_kind_words("中国移动湖南分公司", [Span(0, 4, "ORG"), Span(4, 6, "LOC"), Span(6, 9, "ORG")]) == [
        Span(0, 4, "ORG"), Span(4, 6, "LOC")]
    # a desert, an old town or a sumu alone is a kind of place; a named one stays, and so does one the text names
    # with a level (古城镇)
    assert drop_kind_words("乌兰布和沙漠崛起绿色能源基地，沙漠光伏", [Span(0, 6, "LOC"), Span(15, 17, "LOC")]) == [
        Span(0, 6, "LOC")]
    text = "察看巍山古城保护和古城业态，各苏木镇要推进，苏木"
    spans = [Span(2, 6, "LOC"), Span(9, 11, "LOC"), Span(15, 18, "LOC"), Span(22, 24, "LOC")]
    assert [text[s.start : s.end] for s in drop_kind_words(text, spans)] == ["巍山古城"]
    assert drop_kind_words("古城镇的古城", [Span(4, 6, "LOC")]) == [Span(4, 6, "LOC")]
    assert drop_kind_words("古城村的古城", [Span(4, 6, "LOC")]) == [Span(4, 6, "LOC")]
    assert drop_kind_words("古城街道：古城", [Span(5, 7, "LOC")]) == [Span(5, 7, "LOC")]
    assert drop_kind_words("吉西国际陆港，陆港二期", [Span(0, 6, "LOC"), Span(7, 9, "LOC")]) == [Span(0, 6, "LOC")]
    # a headline's good start is no bureau, nor a new pattern; a bureau or a body's branch stays, and so do the
    # bureaus of innovation and of urban renewal, whose names end in 新局
    headline = ("新春开好局 工业经济开新局，形成新格局，奋力开创新局，"
                "市统计局、县公安分局、南山区科技创新局、广州市城市更新局、国家安全局")
    spans = [Span(headline.find(name), headline.find(name) + len(name), "ORG") for name in (
        "新春开好局", "工业经济开新局", "新格局", "奋力开创新局", "市统计局", "县公安分局", "南山区科技创新局",
        "广州市城市更新局", "国家安全局")]
    assert [headline[s.start : s.end] for s in drop_kind_words(headline, spans)] == [
        "市统计局", "县公安分局", "南山区科技创新局", "广州市城市更新局", "国家安全局"]


def test_an_industry_a_fair_or_a_zone_before_a_park_is_no_part_of_a_name():
    # an ORG the report also writes before 产业 or 领域 is an industry, at every mention; not before what a company
    # has (产业园, 产业链, 产业基金, 产业带), nor a name that ends like a company or a body
    text = ("贵溪市铜基新材料产业发展推进会，新开工铜基新材料项目9个，铜基新材料领域；赣锋锂业产业园、赣锋锂业产业链，"
            "中信产业基金，京东产业带，恒大集团产业扶贫，市发改委领域")
    names = ("铜基新材料", "赣锋锂业", "中信", "京东", "恒大集团", "市发改委")
    spans = [Span(m.start(), m.end(), "ORG") for word in names for m in re.finditer(word, text)]
    assert sorted({text[s.start : s.end] for s in drop_kind_words(text, spans)}) == sorted(names[1:])
    # a trade fair's short name is an event; the council for trade promotion (贸促会) is a body
    text = "参加广交会、华交会和进博会，市贸促会、贸促会"
    spans = [Span(m.start(), m.end(), "ORG") for m in re.finditer("广交会|华交会|进博会|市贸促会|(?<!市)贸促会", text)]
    assert [text[s.start : s.end] for s in drop_kind_words(text, spans)] == ["市贸促会", "贸促会"]
    # a zone's word before a park named in it is cut off; a road named after the zone and a park with no name keep it
    text = "开发区新能源产业园、在园区陶瓷新材料产业园、经开区光伏新材料产业园区，开发区大道，园区产业园"
    spans = [Span(m.start(), m.end(), "LOC") for m in re.finditer(
        "开发区新能源产业园|园区陶瓷新材料产业园|经开区光伏新材料产业园区|开发区大道|园区产业园", text)]
    assert [text[s.start : s.end] for s in drop_kind_words(text, spans)] == [
        "新能源产业园", "陶瓷新材料产业园", "光伏新材料产业园区", "开发区大道", "园区产业园"]
    # a science park with no name of its own keeps its zone; a scenic area's word is no zone, 公园 no zone's park
    text = "高新区科技园区、新区中央公园、度假区滨海公园"
    spans = [Span(m.start(), m.end(), "LOC") for m in re.finditer("高新区科技园区|新区中央公园|度假区滨海公园", text)]
    assert drop_kind_words(text, spans) == spans


def test_a_place_run_into_a_verb_of_forming_is_cut_back_to_the_place():
    places = {"句容", "贵溪", "畹町镇"}
    text = "句容組織86家企业参展，贵溪组建招商小分队，畹町鎮(zhèn)组成互助组，县招商工作组成员，贵溪组团"
    norm = normalize(text)
    spans = [Span(m.start(), m.end(), "ORG") for m in re.finditer(
        r"句容組織|贵溪组(?=建)|畹町鎮\(zhèn\)组成互助组|县招商工作组|贵溪组团", text)]
    cut = cut_places_before_verbs(norm, spans, places)
    assert [(text[s.start : s.end], s.label) for s in cut] == [
        ("句容", "LOC"), ("贵溪", "LOC"), ("畹町鎮", "LOC"), ("县招商工作组", "ORG"), ("贵溪", "LOC")]
    # no place before the verb: a body of 组 stays whole
    assert cut_places_before_verbs(normalize("工作组织"), [Span(0, 4, "ORG")], places) == [Span(0, 4, "ORG")]


def test_places_before_a_verb_of_forming_become_places_in_the_tagger_only_with_division_names(tag_as_if):
    text = "句容组织86家企业参加展会"  # the report need not name 句容市 in full
    network = [Span(0, 4, "ORG")]

    def found(**switches):
        return [(e["text"], e["label"]) for e in tag_as_if(text, network, **switches) if e["label"] in ("LOC", "ORG")]

    assert ("句容", "LOC") in found()
    assert ("句容组织", "ORG") in found(divisions=False)


def test_a_place_takes_in_the_industry_words_and_ending_of_its_park():
    def extended(text, spans):
        return [text[s.start : s.end] for s in extend_places_over_park_words(text, spans)]

    # words of industry (nouns, a verbal noun, an abbreviation) and the longest ending
    assert extended("拉哈镇大豆加工园区和讷谟尔河", [Span(0, 3, "LOC")]) == ["拉哈镇大豆加工园区"]
    assert extended("西华县双汇物流园区建设", [Span(0, 3, "LOC")]) == ["西华县双汇物流园区"]  # not 物流园
    assert extended("共和县塔拉滩光伏园区，", [Span(0, 6, "LOC")]) == ["共和县塔拉滩光伏园区"]
    assert extended("清水河流域特色产业带。", [Span(0, 3, "LOC")]) == ["清水河流域特色产业带"]
    assert extended("利川市食品工业园区建设", [Span(0, 3, "LOC")]) == ["利川市食品工业园区"]
    # a platform or institute named so is one ORG
    platform = "来到永年区紧固件产业数字化服务平台，"
    assert extend_places_over_park_words(platform, [Span(2, 5, "LOC")]) == [Span(2, 17, "ORG")]
    # not for a model without ORG
    assert extend_places_over_park_words(platform, [Span(2, 5, "LOC")], institutes=False) == [Span(2, 5, "LOC")]
    # after a province too
    assert extended("吉林省碳纤维复合材料中试基地", [Span(0, 3, "LOC")]) == ["吉林省碳纤维复合材料中试基地"]
    # a platform described by what it serves, a programme's title
    assert extended("在潍坊设立创新中心", [Span(1, 3, "LOC")]) == ["潍坊"]
    assert extended("杭州市政务服务平台上线", [Span(0, 3, "LOC")]) == ["杭州市"]
    assert extended("建设北京国际科技创新中心", [Span(2, 4, "LOC")]) == ["北京"]
    # not the ending alone (generic: the city's zones), nor a distinguishing word (a kind of zone)
    assert extended("在菏泽市开发区综合考核中", [Span(1, 4, "LOC")]) == ["菏泽市"]
    assert extended("签订亚丁高端度假区合作框架协议", [Span(2, 4, "LOC")]) == ["亚丁"]
    # not over a verb, a preposition, a conjunction, a count or an official's visit
    assert extended("利川市调研工业园区建设", [Span(0, 3, "LOC")]) == ["利川市"]
    assert extended("辛口镇与经开区错位发展", [Span(0, 3, "LOC")]) == ["辛口镇"]
    assert extended("红旗泡水库至园区供水管线", [Span(0, 5, "LOC")]) == ["红旗泡水库"]
    assert extended("拉哈镇建成大豆加工园区", [Span(0, 3, "LOC")]) == ["拉哈镇"]
    assert extended("王官庄三个镇建成羊绒加工集聚区", [Span(0, 3, "LOC")]) == ["王官庄"]
    # which of many, or a kind in a province: no name
    assert extended("湖北重点产业园区", [Span(0, 2, "LOC")]) == ["湖北"]
    assert extended("河北省化工园区认定", [Span(0, 3, "LOC")]) == ["河北省"]
    assert extended("广西壮族自治区化工园区认定", [Span(0, 7, "LOC")]) == ["广西壮族自治区"]
    in_hubei = extend_places_over_park_words("湖北化工园区认定", [Span(0, 2, "LOC")], provinces={"湖北"})
    assert in_hubei == [Span(0, 2, "LOC")]
    assert extended("齐家工业园区创建省级特色产业园区", [Span(0, 6, "LOC")]) == ["齐家工业园区"]
    assert extended("在平南县建设标准化产业园", [Span(1, 4, "LOC")]) == ["平南县"]  # 建设 is a verbal noun to jieba
    assert extended("理工学院天长校区落户园区", [Span(4, 6, "LOC")]) == ["天长"]  # 落户 a noun
    # not past 10 characters, not into another span, only from a place
    assert extended("陕坝镇特色农畜产品饲料食品加工园区", [Span(0, 3, "LOC")]) == ["陕坝镇"]
    assert extended("拉哈镇大豆加工园区", [Span(0, 3, "LOC"), Span(5, 9, "LOC")]) == ["拉哈镇", "加工园区"]
    assert extended("蓝润饲料加工园区", [Span(0, 4, "ORG")]) == ["蓝润饲料"]


def test_park_names_run_in_the_tagger_on_the_normalized_text_only_when_switched_on(tag_as_if):
    text = "陝壩鎮(zhèn)農畜產(chǎn)品加工園區(qū)內"  # normalized: 陕坝镇农畜产品加工园区内
    network = [Span(0, 3, "LOC")]

    def places(**switches):
        return [e["text"] for e in tag_as_if(text, network, propagate=(), **switches) if e["label"] == "LOC"]

    assert places(park_names=False) == ["陝壩鎮"]
    assert places() == ["陝壩鎮(zhèn)農畜產(chǎn)品加工園區"]  # the note after 區 stays out


def test_what_ends_a_list_says_whether_its_items_are_companies():
    def relabelled(text, spans):
        return [(text[s.start : s.end], s.label) for s in relabel_items_by_list_end(normalize(text), spans)]

    # products and crops are no companies: every ORG item goes, the first one too when a span ends it; the list
    # begins after an earlier list's 等
    text = "通过京东销售柯街沃柑、芒果等农产品"
    assert relabelled(text, [Span(2, 4, "ORG"), Span(6, 10, "LOC"), Span(11, 13, "ORG")]) == [
        ("京东", "ORG"), ("柯街沃柑", "LOC")]
    text = "通过京东、抖音等平台销售沃柑、芒果等农产品"
    spans = [Span(2, 4, "ORG"), Span(5, 7, "ORG"), Span(12, 14, "ORG"), Span(15, 17, "ORG")]
    assert relabelled(text, spans) == [("京东", "ORG"), ("抖音", "ORG")]
    text = "了解香菇脆片、香菇酱等产品开发，北流荔枝、百香果等特色产业"
    spans = [Span(2, 6, "ORG"), Span(7, 10, "ORG"), Span(16, 20, "ORG"), Span(21, 24, "ORG")]
    assert relabelled(text, spans) == []
    # a list of companies: a place item becomes ORG when another item is one
    text = "已入驻楚岳车桥、迅骋液压等12家企业"
    assert relabelled(text, [Span(3, 7, "LOC"), Span(8, 12, "ORG")]) == [("楚岳车桥", "ORG"), ("迅骋液压", "ORG")]
    assert relabelled(text, [Span(3, 7, "LOC")]) == [("楚岳车桥", "LOC")]
    # other lists keep their labels: platforms, industries, the places of companies (whatever the network made them),
    # brands of products
    text = "通过京东、抖音等平台，引进庆翎新材料、澜泡化工等产业项目，与宝鸡、广元等地企业"
    spans = [Span(text.find(name), text.find(name) + len(name), label) for name, label in (
        ("京东", "ORG"), ("抖音", "ORG"), ("庆翎新材料", "ORG"), ("澜泡化工", "ORG"), ("宝鸡", "ORG"), ("广元", "LOC"))]
    assert relabelled(text, spans) == [(text[s.start : s.end], s.label) for s in spans]
    for text in ("销往江苏、浙江等省份企业", "格力、美的等品牌产品"):
        spans = [Span(2, 4, "ORG"), Span(5, 7, "LOC")] if "江苏" in text else [Span(0, 2, "ORG"), Span(3, 5, "ORG")]
        assert relabelled(text, spans) == [(text[s.start : s.end], s.label) for s in spans]
    # companies that process products, persons who run companies
    text = "引进伊利集团、蒙牛乳业等农产品加工企业，马云、雷军等企业家"
    spans = [Span(2, 6, "ORG"), Span(7, 11, "ORG"), Span(20, 22, "ORG"), Span(23, 25, "LOC")]
    assert relabelled(text, spans) == [(text[s.start : s.end], s.label) for s in spans]
    # the 等 that ends the list, not one inside the last item
    text = "已入驻楚岳车桥、迅骋高等装备等企业"
    spans = [Span(3, 7, "LOC"), Span(8, 14, "ORG")]
    assert relabelled(text, spans) == [("楚岳车桥", "ORG"), ("迅骋高等装备", "ORG")]


def test_list_ends_relabel_items_in_the_tagger_before_propagation_only_when_switched_on(tag_as_if):
    text = "銷售沃柑、芒果等農產品，芒果種植面積擴大"
    network = [Span(5, 7, "ORG")]

    def found(**switches):
        return [(e["text"], e["label"]) for e in tag_as_if(text, network, **switches)]

    assert found(list_items=False) == [("芒果", "ORG"), ("芒果", "ORG")]  # propagated
    assert found() == []


def test_kind_words_are_dropped_in_the_tagger_only_when_switched_on(tag_as_if):
    text = "常德經開區(qū)招商，經開區新註冊企業46家"
    network = [Span(0, 5, "LOC"), Span(8, 11, "LOC")]  # normalized: 常德经开区招商,经开区新注册企业46家

    def places(**switches):
        entities = tag_as_if(text, network, propagate=(), **switches)
        return [e["text"] for e in entities if e["label"] == "LOC"]

    assert places(kind_words=False) == ["常德經開區", "經開區"]
    assert places() == ["常德經開區"]
    # with propagation on too (the default)
    assert [e["text"] for e in tag_as_if(text, network) if e["label"] == "LOC"] == ["常德經開區"]


def test_a_company_short_name_takes_in_the_industry_words_of_its_full_name():
    def extended(text, spans, places=("巍山县",)):
        return [(text[s.start : s.end], s.label) for s in extend_to_trade_names(text, spans, places)]

    # a LOC that is all of a full name's words between its place and its legal form is the company's short name
    text = "辽宁冰溪酒庄有限公司种植基地。冰溪酒庄要擦亮品牌，宁波舟山港股份有限公司与宁波舟山港"
    spans = [Span(0, 10, "ORG"), Span(15, 19, "LOC"), Span(25, 36, "ORG"), Span(37, 42, "LOC")]
    assert extended(text, spans, ("辽宁",)) == [
        ("辽宁冰溪酒庄有限公司", "ORG"), ("冰溪酒庄", "ORG"), ("宁波舟山港股份有限公司", "ORG"), ("宁波舟山港", "LOC")]
    # not a place jieba knows, though the company is named after it
    text = "中国长江三峡集团有限公司投资，长江三峡旅游升温"
    assert extended(text, [Span(0, 12, "ORG"), Span(15, 19, "LOC")], ("中国",))[1] == ("长江三峡", "LOC")
    full = "辽宁恒岳起重机械有限公司"
    # the common part with the full name, however the text goes on (桥式起重机, 机械项目, a legal form it writes)
    assert extended(full + "签约，恒岳起重桥式起重机开工", [Span(0, 12, "ORG"), Span(15, 17, "ORG")])[1] == (
        "恒岳起重", "ORG")
    assert extended(full + "签约，恒岳起重机械项目开工", [Span(0, 12, "ORG"), Span(15, 17, "ORG")])[1] == (
        "恒岳起重机械", "ORG")
    group = "恒岳起重机械集团有限公司签约，恒岳起重机械集团二期"
    assert extended(group, [Span(0, 12, "ORG"), Span(15, 17, "ORG")])[1] == ("恒岳起重机械集团", "ORG")
    # of two full names, the one the text goes on like longest
    two = "恒岳起重有限公司、辽宁恒岳起重机械有限公司签约，恒岳起重机械项目"
    assert extended(two, [Span(0, 8, "ORG"), Span(9, 21, "ORG"), Span(24, 26, "ORG")])[2] == ("恒岳起重机械", "ORG")
    # a LOC that is no place (a trade name the network took for one) becomes the company ...
    assert extended("长鑫存储技术有限公司扩产，长鑫存储扩大产能", [Span(0, 10, "ORG"), Span(13, 15, "LOC")])[1] == (
        "长鑫存储", "ORG")
    # ... but a place stays a place, a division's name or a jieba word (a place's own company is place + sector)
    assert extended("巍山县供电公司检修，巍山县供电可靠率提升", [Span(0, 7, "ORG"), Span(10, 13, "LOC")])[1] == (
        "巍山县", "LOC")
    assert extended(full + "签约，辽宁恒岳扩产", [Span(0, 12, "ORG"), Span(15, 17, "LOC")])[1] == ("辽宁", "LOC")
    # as if 长鑫 were a division's name that jieba does not know
    unknown_place = "长鑫存储技术有限公司扩产，长鑫存储扩大产能"
    assert extended(unknown_place, [Span(0, 10, "ORG"), Span(13, 15, "LOC")], ("长鑫",))[1] == ("长鑫", "LOC")
    # nor a place the network merged, a zone, a town, or a place it tagged ORG; a trade name twice in a full name
    merged = "大理州巍山县城市建设投资有限公司成立，大理州巍山县城市建设取得成效"
    assert extended(merged, [Span(0, 16, "ORG"), Span(19, 25, "LOC")])[1] == ("大理州巍山县", "LOC")
    zone = "株洲高新区发展集团有限公司成立，株洲高新区发展迅速，大桥镇农业开发有限公司、大桥镇农业"
    spans = [Span(0, 13, "ORG"), Span(16, 21, "LOC"), Span(26, 37, "ORG"), Span(38, 41, "LOC")]
    assert [e for e in extended(zone, spans) if e[1] == "LOC"] == [("株洲高新区", "LOC"), ("大桥镇", "LOC")]
    assert extended("巍山县城市建设投资有限公司成立，巍山县城市建设", [Span(0, 13, "ORG"), Span(16, 19, "ORG")])[1] == (
        "巍山县", "ORG")
    assert extended("锐达锐达液压科技有限公司投产，锐达液压", [Span(0, 12, "ORG"), Span(15, 17, "ORG")])[1] == (
        "锐达液压", "ORG")
    # a LOC only where it begins the full name, an ORG of two characters or more
    assert extended(full + "签约，恒岳起重", [Span(0, 12, "ORG"), Span(15, 17, "LOC")])[1] == ("恒岳", "LOC")
    assert extended(full + "签约，岳起重机", [Span(0, 12, "ORG"), Span(15, 16, "ORG")])[1] == ("岳", "ORG")
    # not one character (the common part is a word or more), not over the next span, not to the middle of a word,
    # not over a bracket (江南造船（集团）有限责任公司)
    assert extended(full + "签约，恒岳起", [Span(0, 12, "ORG"), Span(15, 17, "ORG")])[1] == ("恒岳", "ORG")
    assert extended(full + "签约，恒岳起重", [Span(0, 12, "ORG"), Span(15, 17, "ORG"), Span(17, 19, "ORG")])[1] == (
        "恒岳", "ORG")
    assert extended("辽宁恒岳起重有限公司、恒岳起重机厂", [Span(0, 10, "ORG"), Span(11, 13, "ORG")])[1] == (
        "恒岳", "ORG")  # 起重机 is a word: 恒岳起重 would cut it
    bracketed = "晶途微电子（芜湖）有限公司投产，晶途微电子（芜湖）"
    assert extended(bracketed, [Span(0, 13, "ORG"), Span(16, 21, "ORG")])[1] == ("晶途微电子", "ORG")
    # the full name's own span and the rest of the document stay as they are
    assert extended(full + "签约", [Span(0, 12, "ORG")]) == [(full, "ORG")]
    # a full name never grows into another that holds it (a branch, a plant after it)
    text = "锐达液压有限公司湘潭分公司成立，锐达液压有限公司湘潭工厂投产"
    assert extended(text, [Span(0, 13, "ORG"), Span(16, 24, "ORG")])[1] == ("锐达液压有限公司", "ORG")


def test_trade_names_run_in_the_tagger_on_every_mention_only_when_switched_on(tag_as_if):
    # traditional, with a pinyin note: the step reads 江西锐达液压科技集团有限公司投产。引进锐达液压等企业
    text = "江西銳達液壓科技集團有限公司投產。引進銳達液(yè)壓等企業"
    network = [Span(0, 14, "ORG"), Span(19, 21, "ORG")]

    def found(**switches):
        return [(e["text"], e["label"]) for e in tag_as_if(text, network, divisions=False, **switches)]

    assert found(trade_names=False) == [("江西銳達液壓科技集團有限公司", "ORG"), ("銳達", "ORG")]
    assert found() == [("江西銳達液壓科技集團有限公司", "ORG"), ("銳達液(yè)壓", "ORG")]
    # a document-level step: it reads the whole document
    assert found(consistency=False) == [("江西銳達液壓科技集團有限公司", "ORG"), ("銳達", "ORG")]


def test_places_before_a_postposition_that_jieba_joins_to_them_are_kept():
    text = "板石镇工业集中区内，金沙江畔，隆回区位优越"
    spans = _spans(text, ("板石镇工业集中区", "LOC"), ("金沙江", "LOC"), ("隆回区", "LOC"))
    assert drop_places_across_words(text, spans) == spans[:2]  # 区位 is a word, 区内 and 江畔 are a place + 内/畔


def test_a_place_runs_into_no_count_of_zones():
    text = ("东疆综合保税区、中新天津生态城五大开发区共完成投资，园区、新城两个片区，"
            "高新区、东疆综合保税区2个园区")
    places = _spans(text, ("东疆综合保税区", "LOC"), ("中新天津生态城", "LOC"))
    assert extend_places_over_park_words(text, places) == places  # not a park named 五大开发区
    joined = _spans(text, ("中新天津生态城五大开发区", "LOC"), ("新城两个片区", "LOC"),
                    ("东疆综合保税区2个园区", "LOC"))
    # the last place ends in 区, a level, which keeps a count of divisions (中山市三乡镇) but not one of zones
    assert [text[s.start : s.end] for s in cut_division_counts(text, joined)] == [
        "中新天津生态城", "新城", "东疆综合保税区"]


def test_a_place_with_a_bracket_it_does_not_close_is_split():
    text = ("衡阳(东莞)电子信息产业对接会，中国(北京)自由贸易试验区，秀山(武陵)现代物流园区，白乌风电场(二期)，"
            "衡阳(东莞)，园区")
    spans = _spans(text, ("衡阳(东莞", "LOC"), ("中国(北京)自由贸易试验区", "LOC"), ("秀山(武陵", "LOC"),
                   ("白乌风电场(二期", "LOC"), ("衡阳(东莞", "LOC"))
    found = split_unclosed_brackets(text, spans, ("园区",), {"东莞", "武陵"})
    # a park's own bracket stays (the network's cut is not mended), a phase is no place; a break ends the park check
    assert [text[s.start : s.end] for s in found] == [
        "衡阳", "东莞", "中国(北京)自由贸易试验区", "秀山(武陵", "白乌风电场(二期", "衡阳", "东莞"]


def test_a_salt_lake_alone_is_no_place_unless_the_text_names_the_district():
    text = "推动盐湖化工发展，察尔汗盐湖"
    spans = _spans(text, ("盐湖", "LOC"), ("察尔汗盐湖", "LOC"))
    assert drop_kind_words(text, spans) == spans[1:]
    text = "运城市盐湖区，盐湖、永济等地"
    spans = _spans(text, ("运城市盐湖区", "LOC"), ("盐湖", "LOC"))
    assert drop_kind_words(text, spans) == spans
