"""Training copies (govner.data.augment): place swaps (consistent, inside LOC/ORG spans only, spans moved
with the text) and person lists without their separators."""

import random
from itertools import pairwise

import pytest

from govner.config import ConfigError, config_from_dict
from govner.data.augment import PlaceTable, join_person_lists, swap_places
from govner.data.document import Document, Span
from helpers import tiny

TABLE = PlaceTable([
    ("湖南省", "湖南", 0), ("甘肃省", "甘肃", 0),
    ("娄底市", "娄底", 1), ("天水市", "天水", 1),
    ("涟源市", "涟源", 2), ("合作市", "合作", 2), ("资源县", "资源", 2), ("通道侗族自治县", "通道", 2),
    ("正蓝旗", "", 2), ("科右前旗", "", 2), ("经开区", "经开", 2),
    ("湄江镇", "", 3), ("光明镇", "", 3), ("民政村", "", 3),
])


def texts(doc):
    return [(doc.text[s.start : s.end], s.label) for s in doc.spans]


def swapped(text, spans, seed=0):
    return swap_places(Document("d", text, "test", [Span(*s) for s in spans]), TABLE, random.Random(seed))


def test_a_place_and_its_short_form_change_together_in_places_and_organizations():
    doc = swapped("涟源市政府在涟源召开会议，涟源市人民政府与湄江镇签约。",
                  [(0, 5, "ORG"), (6, 8, "LOC"), (13, 20, "ORG"), (21, 24, "LOC")])
    assert texts(doc) == [("合作市政府", "ORG"), ("合作", "LOC"), ("合作市人民政府", "ORG"), ("光明镇", "LOC")]
    assert doc.text == "合作市政府在合作召开会议，合作市人民政府与光明镇签约。"


def test_places_are_replaced_by_places_of_their_own_kind():
    for seed in range(20):
        doc = swapped("正蓝旗、湖南省娄底市", [(0, 3, "LOC"), (4, 10, "LOC")], seed)
        assert texts(doc) == [("科右前旗", "LOC"), ("甘肃省天水市", "LOC")]


def test_only_the_chain_of_places_that_begins_a_name_is_swapped():
    # 资源 further in is a word, not 资源县; 经开区 after 涟源 is no deeper in the tree than a county
    doc = swapped("自然资源局、涟源经开区", [(0, 5, "ORG"), (6, 11, "LOC")])
    assert texts(doc) == [("自然资源局", "ORG"), ("合作经开区", "LOC")]


def test_words_outside_spans_and_names_across_span_boundaries_stay():
    # a nested span ends inside the full name: nothing is swapped there, and no span is cut
    doc = swapped("通道侗族自治县人民政府", [(0, 11, "ORG"), (2, 7, "LOC")])
    assert doc.text == "通道侗族自治县人民政府"
    doc = swapped("打通道路，通道侗族自治县", [(7, 12, "LOC")])  # a wrong boundary cuts the full name
    assert doc.text == "打通道路，通道侗族自治县"
    doc = swapped("西部陆海新通道与通道", [(8, 10, "LOC")])
    assert doc.text[:8] == "西部陆海新通道与" and texts(doc)[0][0] != "通道"


def test_a_place_is_swapped_the_same_way_throughout_a_report_and_differently_across_copies():
    counties = [(f"{a}{b}县", f"{a}{b}", 2) for a in "东南西北" for b in "安平宁"]
    table = PlaceTable(counties)
    text = "东安县人民政府、中共东安县委与东安签约"
    doc = Document("d", text, "test", [Span(0, 7, "ORG"), Span(8, 14, "ORG"), Span(15, 17, "LOC")])
    seen = set()
    for seed in range(10):
        new = swap_places(doc, table, random.Random(seed))
        short = new.text[new.spans[2].start : new.spans[2].end]
        assert texts(new) == [(f"{short}县人民政府", "ORG"), (f"中共{short}县委", "ORG"), (short, "LOC")]
        seen.add(short)
    assert len(seen) > 3 and "东安" not in seen


def test_a_short_form_is_replaced_by_a_short_form_and_tree_entries_that_are_no_places_are_left_out():
    table = PlaceTable([("融水苗族自治县", "融水", 2), ("茂县", "", 2), ("三江侗族自治县", "三江", 2),
                        ("华亭村", "", 3), ("光明镇", "", 3), ("乌拉盖管委会", "", 2), ("经开区", "经开", 2)])
    for seed in range(10):  # 茂县 has no short form: 融水县 must not become 茂县县
        doc = swap_places(Document("d", "融水县", "test", [Span(0, 3, "LOC")]), table, random.Random(seed))
        assert doc.text == "三江县"
    assert {"华亭村", "乌拉盖管委会", "经开区", "经开"}.isdisjoint(table.by_word)
    assert {"融水", "光明镇", "茂县"} <= set(table.by_word)


def test_other_labels_and_texts_without_places_come_back_unchanged():
    doc = Document("d", "湖南省投资38亿元，“湖南制造”", "test", [Span(5, 9, "AMOUNT"), Span(11, 15, "SLOGAN")])
    assert swap_places(doc, TABLE, random.Random(0)) is doc


def outside_spans(doc):
    """The stretches of text between span boundaries that no span covers."""
    bounds = sorted({0, len(doc.text)} | {b for s in doc.spans for b in (s.start, s.end)})
    return [doc.text[x:y] for x, y in pairwise(bounds) if not any(s.start <= x and y <= s.end for s in doc.spans)]


def test_swapped_reports_keep_every_character_outside_their_spans():
    from govner.config import load_config
    from govner.corpus import synthetic_documents

    table = PlaceTable.from_jionlp()
    docs = synthetic_documents(load_config("configs/default.yaml"))
    changed = 0
    for doc in docs:
        new = swap_places(doc, table, random.Random(doc.id))
        changed += new.text != doc.text
        assert [s.label for s in new.spans] == [s.label for s in doc.spans]
        assert outside_spans(new) == outside_spans(doc), doc.id
    assert changed > 0.8 * len(docs)  # nearly every report names a county, city or town


def test_place_swaps_replace_copies_of_the_training_windows_the_same_way_every_time():
    from govner.corpus import build_training_data

    plain = build_training_data(config_from_dict(tiny(corpus={"msra_sentences": 0, "gold_repeat": 2}), "tiny"))
    config = config_from_dict(tiny(corpus={"msra_sentences": 0, "gold_repeat": 2, "place_swaps": 1}), "tiny")
    once, again = build_training_data(config), build_training_data(config)
    assert len(once.train) == len(plain.train)
    half = len(plain.train) // 2
    assert [ex["text"] for ex in once.train[:half]] == [ex["text"] for ex in plain.train[:half]]
    assert [ex["text"] for ex in once.train[half:]] != [ex["text"] for ex in plain.train[half:]]
    assert [ex["text"] for ex in once.train] == [ex["text"] for ex in again.train]
    with pytest.raises(ConfigError, match="place_swaps"):
        config_from_dict(tiny(corpus={"gold_repeat": 2, "place_swaps": 3}), "tiny")


def test_person_lists_lose_their_separators_together_and_other_text_stays():
    text = "出席的有李鹏、乔石、李瑞环，北京、上海和王明、张三等"
    spans = [Span(4, 6, "PER"), Span(7, 9, "PER"), Span(10, 13, "PER"), Span(14, 16, "LOC"), Span(17, 19, "LOC"),
             Span(20, 22, "PER"), Span(23, 25, "PER")]
    doc = Document("s", text, "test", spans)
    joined = join_person_lists(doc, random.Random(0), 1.0)
    assert joined.text == "出席的有李鹏乔石李瑞环，北京、上海和王明张三等"
    assert texts(joined) == [(t, label) for t, label in texts(doc)]  # every span keeps its words
    assert join_person_lists(doc, random.Random(0), 0.0) is doc
    # with share 0.5 a list loses all of its separators or none
    lists = {join_person_lists(doc, random.Random(seed), 0.5).text for seed in range(40)}
    assert lists == {text, joined.text, "出席的有李鹏乔石李瑞环，北京、上海和王明、张三等",
                     "出席的有李鹏、乔石、李瑞环，北京、上海和王明张三等"}


def test_person_lists_are_joined_only_in_msra_training_sentences_and_the_same_way_every_time():
    from govner.corpus import build_training_data

    msra = {"msra_sentences": 2500, "msra_eval": True, "msra_merge_locations": False, "gold_repeat": 0}
    model = {"labels": ["PER", "LOC", "ORG"]}
    data = {"annotations": [], "dev_ids": [], "max_len": 512}  # a window per sentence
    plain = build_training_data(config_from_dict(tiny(corpus=msra, model=model, data=data), "tiny"))
    config = config_from_dict(tiny(corpus={**msra, "msra_join_person_lists": 1.0}, model=model, data=data), "tiny")
    once, again = build_training_data(config), build_training_data(config)
    assert [ex["text"] for ex in once.train] == [ex["text"] for ex in again.train]
    changed = [(a["text"], b["text"]) for a, b in zip(plain.train, once.train, strict=True) if a["text"] != b["text"]]
    assert changed and all(len(b) < len(a) and a.replace("、", "") == b.replace("、", "") for a, b in changed)
    # the held-out sentences as they are
    assert [d.text for d in once.dev_documents] == [d.text for d in plain.dev_documents]
    assert [d.text for d in once.test_documents] == [d.text for d in plain.test_documents]
    with pytest.raises(ConfigError, match="msra_join_person_lists"):
        config_from_dict(tiny(corpus={"msra_join_person_lists": 1.5}, model=model), "tiny")
    with pytest.raises(ConfigError, match="needs PER"):  # no person spans, nothing to join
        config_from_dict(tiny(corpus={"msra_join_person_lists": 0.5}), "tiny")
