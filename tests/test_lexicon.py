"""The lexicon behind the SoftLexicon features: matching, B/M/E/S sets, sources, user dictionaries."""

from __future__ import annotations

import numpy as np
import pytest

import govner.data.lexicon as lexicon_module
from govner.config import LexiconConfig
from govner.data.lexicon import (
    CATEGORIES,
    SETS,
    Lexicon,
    LexiconError,
    build_lexicon,
    division_table,
    person_entries,
    read_user_dictionary,
)

B, M, E, S = (SETS.index(x) for x in "BMES")


def words_at(features, row: int, position: int, which: int, text: str) -> set[str]:
    start, end, _, weight = features
    return {text[s:e] for s, e, w in zip(start[row, position, which], end[row, position, which],
                                         weight[row, position, which], strict=True) if w > 0}


@pytest.fixture
def lexicon() -> Lexicon:
    return Lexicon.from_entries([
        ("巴中市", "admin", 3.0), ("巴中", "admin", 3.0), ("恩阳区", "admin", 3.0), ("中市", "place", 1.0),
        ("市", "body_suffix", 1.0), ("恩阳工业园", "place", 2.0),
    ])


def test_begin_middle_end_and_single_sets(lexicon):
    text = "巴中市恩阳区"
    features = lexicon.features([text], width=len(text), words_per_set=4)
    assert words_at(features, 0, 0, B, text) == {"巴中", "巴中市"}
    assert words_at(features, 0, 1, M, text) == {"巴中市"}
    assert words_at(features, 0, 1, B, text) == {"中市"}
    assert words_at(features, 0, 1, E, text) == {"巴中"}
    assert words_at(features, 0, 2, E, text) == {"巴中市", "中市"}
    assert words_at(features, 0, 2, S, text) == {"市"}
    assert words_at(features, 0, 4, M, text) == {"恩阳区"}
    assert words_at(features, 0, 3, S, text) == set()


def test_weights_are_normalized_per_character_and_padding_is_empty(lexicon):
    text = "巴中市恩阳区"
    start, end, category, weight = lexicon.features([text, "巴"], width=8, words_per_set=2)
    per_char = weight[0].sum(axis=(1, 2))
    assert np.allclose(per_char[:6], 4.0)  # SoftLexicon's 4 z(w) / Z: four sets of one word's weight in all
    assert not weight[0, 6:].any() and not weight[1].any()  # past the text, and a text without words
    assert (end >= start).all() and (end <= 8).all()
    assert CATEGORIES[category[0, 0, B, 0]] == "admin"


def test_the_heaviest_words_are_kept_when_a_set_is_full(lexicon):
    text = "巴中市"
    features = lexicon.features([text], width=3, words_per_set=1)
    assert words_at(features, 0, 0, B, text) == {"巴中"} or words_at(features, 0, 0, B, text) == {"巴中市"}
    heavy = Lexicon.from_entries([("巴中", "admin", 1.0), ("巴中市", "admin", 5.0)])
    assert words_at(heavy.features([text], 3, 1), 0, 0, B, text) == {"巴中市"}


def test_words_match_the_normalized_text_and_specific_categories_win():
    lexicon = Lexicon.from_entries([("恩陽區", "place", 1.0), ("恩阳区", "admin", 2.0), ("恩阳区", "word", 9.0)])
    assert lexicon.words == {"恩阳区": (CATEGORIES.index("admin"), 9.0)}
    # a person's name is more specific than a general word, though its category was appended after "word"
    assert Lexicon.from_entries([("李鹏", "word", 5.0), ("李鹏", "person", 3.0)]).words == {
        "李鹏": (CATEGORIES.index("person"), 5.0)}


def test_extra_user_words_are_matched_for_their_text_only(lexicon):
    text = "楚天药业落户恩阳区"
    _, end, category, _ = lexicon.features([text, text], width=9, words_per_set=3, extra=[[("楚天药业", "ORG")], []])
    assert CATEGORIES[category[0, 0, B, 0]] == "user:ORG" and end[0, 0, B, 0] == 4
    assert not (category[1] == CATEGORIES.index("user:ORG")).any()


def test_user_dictionary_files(tmp_path):
    good = tmp_path / "mine.tsv"
    good.write_text("# my county\n楚天药业\tORG\n南岭工业园区\tLOC\n", encoding="utf-8")
    entries = [(w, c) for w, c, _ in read_user_dictionary(good)]
    assert entries == [("楚天药业", "user:ORG"), ("南岭工业园区", "user:LOC")]
    bad = tmp_path / "bad.tsv"
    bad.write_text("楚天药业\tORG\n南岭工业园区 LOC\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad.tsv:2: expected word<TAB>LABEL"):
        read_user_dictionary(bad)
    with pytest.raises(LexiconError, match="no such file"):
        read_user_dictionary(tmp_path / "missing.tsv")


def test_the_packaged_sources_give_places_bodies_and_suffixes(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVNER_CACHE", str(tmp_path))
    lexicon = build_lexicon(LexiconConfig())
    category = {w: CATEGORIES[c] for w, (c, _) in lexicon.words.items()}
    assert category["涟源"] == category["双峰县"] == category["正蓝旗"] == "admin"  # counties, banners, short forms
    assert category["锡林郭勒盟"] == "admin"
    assert category["管委会"] == "body_suffix" and category["经开区"] in {"site_suffix", "admin"}
    assert "一马平川" not in category  # jieba tags the idiom ns; the ending filter drops it
    assert list(tmp_path.glob("lexicon-*.tsv"))  # cached
    again = build_lexicon(LexiconConfig())
    assert again.words == lexicon.words


def test_the_persons_source_gives_names_that_begin_with_a_surname_and_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVNER_CACHE", str(tmp_path))
    names = {w for w, category, _ in person_entries()}
    assert {"李鹏", "乔石", "李瑞环", "朱镕基"} <= names
    assert not any(len(w) == 4 for w in names)  # four-character nr words are mostly idioms
    assert "一亲芳泽" not in names and "仰泳" not in names  # no surname first
    lexicon = build_lexicon(LexiconConfig(sources=["persons"]))
    assert [(s, e, CATEGORIES[c]) for s, e, c, _ in lexicon.matches("委员李鹏乔石")] == [
        (2, 4, "person"), (4, 6, "person")]
    assert "person" not in {CATEGORIES[c] for c, _ in build_lexicon(LexiconConfig()).words.values()}
    # the cache is keyed by the version of the package the names come from
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda package: "0" if package == "jieba" else "1")
    build_lexicon(LexiconConfig(sources=["persons"]))
    assert len(list(tmp_path.glob("lexicon-*.tsv"))) == 3


def test_division_table_keeps_full_names_and_leaves_out_everyday_short_forms(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVNER_CACHE", str(tmp_path))
    table = division_table()
    assert table["双峰县"] == "双峰" and table["开原市"] == "开原" and table["察哈尔右翼前旗"] == "察右前旗"
    assert table["合作市"] == table["比如县"] == ""  # 合作, 比如: everyday words first; the full names stay
    assert table["市中区"] == ""  # 市中: 全市中小企业
    assert "干安县" in table and "乾安县" not in table  # normalized, as the tagger reads text
    assert table["焦作城乡一体化示范区"] == ""  # a zone (a place too) whose "short form" 示范区 is no name
    assert all(len(short) >= 2 for short in table.values() if short)
    assert list(tmp_path.glob("divisions-*.tsv"))  # cached, and read from the cache the second time

    def no_package(*args):
        raise AssertionError("the cached table was not read")

    monkeypatch.setattr(lexicon_module, "_package_file", no_package)
    assert division_table() == table


def test_save_and_load_round_trip(lexicon, tmp_path):
    lexicon.save(tmp_path / "lexicon.tsv")
    assert Lexicon.load(tmp_path / "lexicon.tsv").words == lexicon.words
