"""Label Studio tasks → normalized windows with IOB2 tags → datasets, and back to original spans."""

import pytest

from govner.data.document import Document, Span
from govner.data.examples import SpanMappingError, document_examples, split_ids
from govner.data.iob import tags_to_spans
from govner.data.labelstudio import load_documents, task_to_document, write_documents
from govner.data.normalize import normalize
from govner.labels import TAGS
from helpers import TEXT, task


def window_spans_to_original(norm, window_start, tags, keep=None):
    """Original-text spans of a window's tags (the way the tagger maps its own spans back)."""
    spans = []
    for span in tags_to_spans(tags):
        start, end = window_start + span.start, window_start + span.end
        if keep is None or keep[0] <= start < keep[1]:
            spans.append(Span(*norm.to_original(start, end), span.label))
    return spans


def test_gold_spans_survive_the_round_trip_through_windows():
    doc = task_to_document(task(), source="t")
    norm = normalize(doc.text)
    recovered = []
    for ex in document_examples(doc, max_len=12, overlap=4):
        recovered.extend(window_spans_to_original(norm, ex["window_start"], ex["tags"]))
    # windows of 12 chars split the sentence; each gold span is recovered whole at least once
    for span in doc.spans:
        assert span in recovered, doc.text[span.start : span.end]


def test_keep_regions_report_each_entity_once():
    from govner.data.segment import split_windows

    doc = Document("d", "恩阳区" * 30, "t", [Span(i, i + 3, "LOC") for i in range(0, 90, 3)])
    norm = normalize(doc.text)
    windows = split_windows(norm.text, max_len=20, overlap=8)
    found = []
    for ex, w in zip(document_examples(doc, max_len=20, overlap=8), windows, strict=True):
        found.extend(window_spans_to_original(norm, ex["window_start"], ex["tags"], keep=(w.keep_start, w.keep_end)))
    assert sorted(found) == doc.spans


def test_examples_carry_tokens_and_tag_ids():
    ex = document_examples(task_to_document(task(), "t"), max_len=128, overlap=16)[0]
    assert ex["tokens"] == list(ex["text"])
    assert [TAGS[i] for i in ex["ner_tags"]] == ex["tags"]
    assert ex["text"].startswith("巴中市恩阳区投资38.01亿元,")


def test_span_ending_on_a_trailing_note_is_refused():
    doc = Document("d", "廣安區(qū)好", "file.json", [Span(0, 7, "LOC")])
    with pytest.raises(SpanMappingError, match=r"file.json: d: span \[0, 7\)"):
        document_examples(doc, 64, 8)


def test_split_is_deterministic_document_level_and_seeded():
    ids = [f"doc{i}" for i in range(10)]
    train, dev = split_ids(ids, 0.3, seed=1)
    assert len(dev) == 3 and not set(train) & set(dev) and sorted(train + dev) == ids
    assert split_ids(list(reversed(ids)), 0.3, seed=1) == (train, dev)
    assert split_ids(ids, 0.3, seed=2) != (train, dev)
    assert split_ids(["only"], 0.5, seed=1) == (["only"], [])


def test_build_datasets_splits_by_document(write_tasks):
    from govner.config import ConfigError, config_from_dict
    from govner.corpus import build_datasets

    path = write_tasks([task(doc_id=f"d{i}") for i in range(5)])
    data = {"annotations": [str(path)], "dev_fraction": 0.4, "split_seed": 13, "max_len": 64, "overlap": 8}
    splits = build_datasets(config_from_dict({"data": data, "corpus": {"gold_repeat": 1}}, "inline"))
    assert set(splits) == {"train", "dev"}
    assert not set(splits["train"]["doc_id"]) & set(splits["dev"]["doc_id"])
    assert len(set(splits["dev"]["doc_id"])) == 2
    assert splits["train"].features["ner_tags"].feature.names == list(TAGS)
    fixed = build_datasets(config_from_dict({"data": {**data, "dev_ids": ["d0"]}}, "inline"))
    assert set(fixed["dev"]["doc_id"]) == {"d0"}
    with pytest.raises(ConfigError, match="not among the documents"):
        build_datasets(config_from_dict({"data": {**data, "dev_ids": ["nope"]}}, "inline"))


def test_label_studio_file_round_trip(tmp_path):
    docs = [task_to_document(task(doc_id="a"), "t"), Document("b", "常德经开区", "t", [Span(0, 5, "LOC")])]
    path = tmp_path / "out.json"
    write_documents(path, docs)
    loaded = load_documents(path)
    assert [(d.id, d.text, d.spans) for d in loaded] == [(d.id, d.text, d.spans) for d in docs]


def test_unannotated_tasks_are_skipped_unless_asked(write_tasks):
    path = write_tasks([task(doc_id="a"), {"id": 7, "data": {"text": TEXT}}])
    assert [d.id for d in load_documents(path)] == ["a"]
    assert [d.id for d in load_documents(path, annotated_only=False)] == ["a", "7"]
