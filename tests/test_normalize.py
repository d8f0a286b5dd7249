"""Normalization keeps an exact map to the original text (property tests on arbitrary strings)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from govner.data.normalize import convert_chars, normalize

# Pieces that exercise every rule: traditional characters, pinyin notes (ASCII and
# full-width brackets), bracketed text that is not a note, full-width ASCII, white
# space runs of every kind, zero-width characters, and characters outside the BMP.
PIECES = [
    "區(qū)", "業（yè）", "發(fā)展", "(重庆)", "(2)", "a(bā)", "(qū)", "經濟", "广安", "国际",
    "  ", " ", "\n", "\r\n", "\t", "\u3000", "\xa0", "\u200b", "\ufeff",
    "ＡＢ", "１２", "，", "（", "）", "。", "；", "“", "”", "𠀀", "😀", "x", "9.6%",
]
texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=20).map("".join),
)


@settings(max_examples=300)
@given(texts)
def test_offset_map_is_monotonic_and_complete(text):
    norm = normalize(text)
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    for i in range(len(norm.text)):
        assert 0 <= norm.starts[i] < norm.ends[i] <= len(text)
        if i:
            assert norm.ends[i - 1] <= norm.starts[i]


@settings(max_examples=300)
@given(texts, st.data())
def test_mapped_span_normalizes_to_its_own_text(text, data):
    norm = normalize(text)
    if not norm.text:
        return
    i = data.draw(st.integers(0, len(norm.text) - 1))
    j = data.draw(st.integers(i + 1, len(norm.text)))
    start, end = norm.to_original(i, j)
    assert normalize(text[start:end]).text == norm.text[i:j]
    assert norm.to_normalized(start, end) == (i, j)


@settings(max_examples=200)
@given(texts)
def test_normalization_is_idempotent(text):
    once = normalize(text).text
    assert normalize(once).text == once


def test_traditional_and_full_width_are_converted_one_to_one():
    assert convert_chars("發展經濟，ＡＢＣ１２３（重慶）") == "发展经济,ABC123(重庆)"
    text = "乾隆後來著名於"
    assert len(convert_chars(text)) == len(text)


def test_pinyin_notes_are_removed_but_real_brackets_are_kept():
    text = "工業(yè)園區(qū)與本信電子科技(重慶)有限公司(2)期，a(bā)"
    norm = normalize(text)
    assert norm.text == "工业园区与本信电子科技(重庆)有限公司(2)期,a(bā)"


def test_span_with_inner_note_maps_back_including_it_and_trailing_note_excluded():
    text = "看廣安區(qū)工業(yè)園發展"
    norm = normalize(text)
    i = norm.text.index("广安区")
    assert text[slice(*norm.to_original(i, i + 3))] == "廣安區"
    j = norm.text.index("工业园")
    assert text[slice(*norm.to_original(j, j + 3))] == "工業(yè)園"


def test_white_space_runs_collapse_and_line_breaks_survive():
    norm = normalize("李 育 智\u3000\u3000同志\r\n\r\n下面\xa0讲")
    assert norm.text == "李 育 智 同志\n下面 讲"
    k = norm.text.index("\n")
    assert norm.to_original(k, k + 1) == (9, 13)


def test_non_bmp_characters_count_as_one_code_point():
    text = "𠀀區(qū)😀"
    norm = normalize(text)
    assert norm.text == "𠀀区😀"
    assert norm.to_original(2, 3) == (6, 7)
