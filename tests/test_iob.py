import pytest
from hypothesis import given
from hypothesis import strategies as st

from govner.data.document import Span
from govner.data.iob import bioes_to_iob2, spans_to_tags, tags_to_spans
from govner.labels import LABELS


@st.composite
def flat_spans(draw, max_len: int = 40):
    """A text length and non-overlapping spans inside it."""
    length = draw(st.integers(0, max_len))
    cuts = sorted(draw(st.sets(st.integers(0, length), max_size=12)))
    spans = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if start < end:
            spans.append(Span(start, end, draw(st.sampled_from(LABELS))))
    return length, spans


@given(flat_spans())
def test_spans_tags_round_trip(case):
    length, spans = case
    tags = spans_to_tags(length, spans)
    assert len(tags) == length
    assert tags_to_spans(tags) == sorted(spans)


def test_adjacent_entities_of_the_same_label_stay_apart():
    tags = spans_to_tags(4, [Span(0, 2, "LOC"), Span(2, 4, "LOC")])
    assert tags == ["B-LOC", "I-LOC", "B-LOC", "I-LOC"]
    assert tags_to_spans(tags) == [Span(0, 2, "LOC"), Span(2, 4, "LOC")]


@pytest.mark.parametrize(
    "tags, position",
    [(["O", "I-LOC"], 1), (["I-ORG"], 0), (["B-LOC", "I-ORG"], 1), (["B-LOC", "O", "I-LOC"], 2)],
)
def test_i_tag_that_does_not_continue_an_entity_is_an_error(tags, position):
    with pytest.raises(ValueError, match=f"tag {position} is"):
        tags_to_spans(tags)


def test_unknown_tag_scheme_is_an_error():
    with pytest.raises(ValueError, match="not IOB2"):
        tags_to_spans(["S-LOC"])


def test_overlapping_or_out_of_range_spans_are_errors():
    with pytest.raises(ValueError, match="overlaps"):
        spans_to_tags(5, [Span(0, 3, "LOC"), Span(2, 4, "ORG")])
    with pytest.raises(ValueError, match="past the text"):
        spans_to_tags(3, [Span(1, 4, "LOC")])


def test_empty_span_is_refused():
    with pytest.raises(ValueError):
        Span(3, 3, "LOC")


def test_bioes_conversion():
    assert bioes_to_iob2(["B-ORG", "M-ORG", "E-ORG", "S-LOC", "S-LOC", "O"]) == [
        "B-ORG", "I-ORG", "I-ORG", "B-LOC", "B-LOC", "O",
    ]
    with pytest.raises(ValueError, match="not BIOES"):
        bioes_to_iob2(["X-LOC"])
