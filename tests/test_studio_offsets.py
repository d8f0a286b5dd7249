"""Code points <-> UTF-16 at the Label Studio boundary, checked against Python's own UTF-16 codec.

The oracle is independent of govner's code: the UTF-16 offset of code point
``i`` is the number of UTF-16 code units encoding ``text[:i]``.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govner.annotations.studio import (
    OffsetMap,
    Studio,
    StudioError,
    chosen_annotation,
    prediction_payload,
    pulled_document,
    same_label_config,
)
from govner.data.document import Span

# 𠀀 (CJK extension B), 😀 and 🇨🇳 (two regional indicators) are outside the BMP: two UTF-16 units each.
TEXT = "𠀀村位于巴中市恩阳区，😀投资38亿元建设“乡村振兴”示范园🇨🇳。"
SPANS = [Span(0, 2, "LOC"), Span(4, 10, "LOC"), Span(14, 18, "AMOUNT"), Span(21, 25, "SLOGAN")]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def js_slice(text: str, start: int, end: int) -> str:
    """What JavaScript's ``text.slice(start, end)`` gives, for offsets on character boundaries."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def test_examples_with_astral_characters():
    offsets = OffsetMap(TEXT)
    assert TEXT[0] == "𠀀" and TEXT[11] == "😀"
    assert offsets.to_utf16(0) == 0
    assert offsets.to_utf16(1) == 2  # after 𠀀
    assert offsets.to_utf16(11) == 12  # before 😀: one astral character so far
    assert offsets.to_utf16(12) == 14  # after 😀
    assert offsets.to_utf16(len(TEXT)) == utf16_len(TEXT) == len(TEXT) + 4
    assert [offsets.to_code_point(u) for u in (0, 2, 12, 14, utf16_len(TEXT))] == [0, 1, 11, 12, len(TEXT)]


def test_every_code_point_offset_matches_the_codec_and_comes_back():
    offsets = OffsetMap(TEXT)
    for i in range(len(TEXT) + 1):
        u = offsets.to_utf16(i)
        assert u == utf16_len(TEXT[:i])
        assert offsets.to_code_point(u) == i


def test_offsets_inside_a_surrogate_pair_or_outside_the_text_are_refused():
    offsets = OffsetMap(TEXT)
    with pytest.raises(ValueError, match="inside the surrogate pair of '𠀀'"):
        offsets.to_code_point(1)
    with pytest.raises(ValueError, match="inside the surrogate pair of '😀' \\(code point 11\\)"):
        offsets.to_code_point(13)
    with pytest.raises(ValueError, match="outside the text"):
        offsets.to_code_point(utf16_len(TEXT) + 1)
    with pytest.raises(ValueError, match="outside the text"):
        offsets.to_utf16(-1)


def test_bmp_only_text_keeps_its_offsets():
    offsets = OffsetMap("巴中市恩阳区")
    assert [offsets.to_utf16(i) for i in range(7)] == list(range(7))
    assert [offsets.to_code_point(i) for i in range(7)] == list(range(7))


astral = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, exclude_categories=("Cs",))
any_char = st.characters(exclude_categories=("Cs",))
texts = st.lists(st.one_of(astral, any_char, st.sampled_from("巴中市𠀀😀")), max_size=60).map("".join)


@given(texts, st.data())
def test_property_conversion_agrees_with_the_utf16_codec(text, data):
    offsets = OffsetMap(text)
    assert offsets.utf16_length == utf16_len(text)
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    start, end = offsets.to_utf16(i), offsets.to_utf16(j)
    assert (start, end) == (utf16_len(text[:i]), utf16_len(text[:j]))
    assert js_slice(text, start, end) == text[i:j]
    assert (offsets.to_code_point(start), offsets.to_code_point(end)) == (i, j)


@given(texts, st.data())
def test_property_every_utf16_offset_is_a_boundary_or_refused(text, data):
    offsets = OffsetMap(text)
    u = data.draw(st.integers(0, utf16_len(text)))
    boundaries = {utf16_len(text[:i]): i for i in range(len(text) + 1)}
    if u in boundaries:
        assert offsets.to_code_point(u) == boundaries[u]
    else:
        with pytest.raises(ValueError, match="surrogate pair"):
            offsets.to_code_point(u)


# --------------------------------------------------------------------------- payloads and pulled tasks


def label_studio_task(results, text=TEXT, **annotation):
    """A task as Label Studio's API returns it, holding one annotation with ``results`` (UTF-16 offsets)."""
    return {
        "id": 7,
        "data": {"text": text, "doc_id": "nonbmp", "source": "reports/nonbmp.txt"},
        "annotations": [{"id": 70, "result": results, "was_cancelled": False, **annotation}],
    }


def test_prediction_payload_is_in_utf16_with_scores():
    spans = [Span(s.start, s.end, s.label, 0.5 + n / 10) for n, s in enumerate(SPANS)]
    payload = prediction_payload(TEXT, spans, "tiny-0123abcd", score=0.8123456)
    assert payload["model_version"] == "tiny-0123abcd" and payload["score"] == 0.8123
    values = [r["value"] for r in payload["result"]]
    for value, span in zip(values, SPANS, strict=True):
        assert js_slice(TEXT, value["start"], value["end"]) == TEXT[span.start : span.end] == value["text"]
        assert value["labels"] == [span.label]
    assert values[1]["start"] == 5 and values[2]["start"] == 16  # shifted by 𠀀, then by 😀 too
    assert [r["score"] for r in payload["result"]] == [0.5, 0.6, 0.7, 0.8]
    assert {(r["from_name"], r["to_name"], r["type"]) for r in payload["result"]} == {("label", "text", "labels")}


def test_a_pushed_prediction_accepted_as_is_pulls_back_to_the_same_spans():
    payload = prediction_payload(TEXT, [Span(s.start, s.end, s.label, 0.9) for s in SPANS], "v", score=0.5)
    doc = pulled_document(label_studio_task(payload["result"]), "http://ls/projects/1")
    assert doc.spans == SPANS
    assert (doc.id, doc.text, doc.source) == ("nonbmp", TEXT, "reports/nonbmp.txt")


def test_code_point_offsets_sent_by_mistake_are_caught_not_trained_on():
    wrong = {"start": 4, "end": 10, "text": "巴中市恩阳区", "labels": ["LOC"]}  # code points, read as UTF-16
    result = {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels", "value": wrong}
    with pytest.raises(StudioError, match=r"http://ls/projects/1: task 7 \(nonbmp\): result 'r1': Label Studio says"):
        pulled_document(label_studio_task([result]), "http://ls/projects/1")


def test_an_offset_splitting_a_character_names_the_task():
    value = {"start": 1, "end": 4, "text": "村", "labels": ["LOC"]}
    result = {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels", "value": value}
    with pytest.raises(StudioError, match="task 7 \\(nonbmp\\): result 'r1': UTF-16 offset 1 falls inside"):
        pulled_document(label_studio_task([result]), "where")


def test_ground_truth_annotation_wins_and_cancelled_ones_are_ignored():
    task = {"annotations": [{"id": 1, "was_cancelled": True, "ground_truth": True}, {"id": 2}, {"id": 3,
                                                                                               "ground_truth": True}]}
    assert chosen_annotation(task)["id"] == 3
    assert chosen_annotation({"annotations": [{"id": 1, "was_cancelled": True}, {"id": 2}]})["id"] == 2
    assert chosen_annotation({"annotations": [{"id": 1, "was_cancelled": True}]}) is None


def test_label_configs_compare_as_xml():
    a = '<View><Labels name="label" toName="text"><Label value="LOC"/></Labels></View>'
    b = '<View>\n  <Labels toName="text" name="label">\n    <Label value="LOC" />\n  </Labels>\n</View>\n'
    assert same_label_config(a, b)
    assert not same_label_config(a, a.replace("LOC", "ORG"))


@pytest.mark.parametrize(
    "environ, missing",
    [({}, "LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY not set"),
     ({"LABEL_STUDIO_API_KEY": "sekrit-key-123"}, "LABEL_STUDIO_URL not set"),
     ({"LABEL_STUDIO_URL": "http://localhost:8080"}, "LABEL_STUDIO_API_KEY not set")],
)
def test_missing_connection_settings_are_named_and_the_key_is_never_shown(environ, missing):
    with pytest.raises(StudioError, match=missing) as err:
        Studio.from_env(environ)
    assert "sekrit" not in str(err.value)
