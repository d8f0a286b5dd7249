from hypothesis import given, settings
from hypothesis import strategies as st

from govner.data.segment import sentences, split_windows

PIECES = ["甲", "乙丙", "。", "！", "？", "；", "!", "\n", " ", "”", "，", "一二三四五六七八九十" * 3]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=300)
@given(texts, st.integers(2, 40), st.data())
def test_windows_respect_length_and_keep_regions_tile_the_text(text, max_len, data):
    overlap = data.draw(st.integers(0, max_len - 1))
    windows = split_windows(text, max_len=max_len, overlap=overlap)
    owned = [0] * len(text)
    for w in windows:
        assert 0 <= w.start < w.end <= len(text)
        assert w.end - w.start <= max_len
        assert w.start <= w.keep_start < w.keep_end <= w.end
        assert "\n" not in text[w.start : w.end]
        for i in range(w.keep_start, w.keep_end):
            owned[i] += 1
    for i, char in enumerate(text):
        if char.isspace():
            assert owned[i] <= 1
        else:
            assert owned[i] == 1, f"char {i} {char!r} owned {owned[i]} times"


def test_sentences_end_at_terminators_and_keep_closing_quotes():
    text = "他说“好。”然后走了！\n新段落"
    assert [text[s:e] for s, e in sentences(text)] == ["他说“好。”", "然后走了！", "新段落"]


def test_short_sentences_are_packed_until_max_len():
    text = "一二。三四。五六。"
    assert [(w.start, w.end) for w in split_windows(text, max_len=6, overlap=0)] == [(0, 6), (6, 9)]


def test_long_sentence_is_chunked_with_overlap():
    text = "一" * 25
    windows = split_windows(text, max_len=10, overlap=4)
    assert [(w.start, w.end) for w in windows] == [(0, 10), (6, 16), (12, 22), (15, 25)]
    assert windows[0].keep_end == windows[1].keep_start
    assert windows[-1].keep_end == 25
