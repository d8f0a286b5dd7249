"""Post-processing of model spans: rules precedence, address merging, propagation within a document."""

from govner.data.conventions import merge_adjacent, split_joined_bodies
from govner.data.document import Span
from govner.data.normalize import normalize
from govner.inference.postprocess import (
    combine_with_rules,
    drop_pinyin_spans,
    propagate_labels,
    propagate_short_forms,
    tag_division_names,
)


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
