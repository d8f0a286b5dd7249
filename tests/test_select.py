"""Active-learning ranking with a real (tiny, freshly trained) model: coverage, order, streaming, CLI."""

import json

import pytest

from govner.annotations.select import char_confidences, document_uncertainties, rank_documents, uncertainty
from govner.annotations.studio_cli import model_predictions, model_version_of
from govner.cli import main
from govner.data.document import Document
from govner.data.normalize import normalize
from govner.data.reader import read_documents
from govner.inference.tagger import Tagger
from helpers import ROOT

SYNTHETIC = ROOT / "data" / "synthetic" / "reports"
POOL = [str(path) for path in sorted(SYNTHETIC.glob("syn_[abc]_*.txt"))]  # twelve reports: a small pool
SEED_GOLD = str(ROOT / "annotations" / "seed_gold.json")


@pytest.fixture(scope="module")
def tagger(tiny_model):
    # A short window forces several windows per report, so the keep regions are exercised.
    return Tagger.from_pretrained(tiny_model, max_len=48, overlap=8)


@pytest.fixture(scope="module")
def pool():
    docs, errors = read_documents(POOL)
    assert not errors and len(docs) == 12
    return docs


def test_uncertainty_is_the_mean_of_one_minus_confidence():
    assert uncertainty([1.0, 1.0]) == 0.0
    assert uncertainty([0.5]) == 0.5
    assert uncertainty([0.9, 0.7]) == pytest.approx(0.2)
    assert uncertainty([]) == 0.0


def test_every_character_the_model_sees_gets_one_confidence(tagger, pool):
    texts = [doc.text for doc in pool[:3]] + ["巴中市恩陽區(qū)投資38億元。\n\n  同比增长9.6%"]
    confidences = char_confidences(tagger, texts)
    for text, found in zip(texts, confidences, strict=True):
        norm = normalize(text).text
        # every non-blank character once; line breaks between windows belong to none
        assert sum(not c.isspace() for c in norm) <= len(found) <= len(norm)
        assert all(0.0 < p <= 1.0 for p in found)
    assert len(confidences[-1]) == len("巴中市恩阳区投资38亿元。同比增长9.6%")


def test_uncertainty_does_not_grow_with_length(tagger, pool):
    """A report repeated three times is three times the work and exactly as uncertain per character."""
    text = pool[0].text.rstrip("\n")
    once, thrice = document_uncertainties(tagger, [text, "\n".join([text] * 3)])
    assert 0.0 < once < 1.0
    assert thrice == pytest.approx(once, abs=1e-4)


def test_ranking_streams_but_equals_sorting_everything(tagger, pool):
    everything = sorted(zip(document_uncertainties(tagger, [d.text for d in pool]), [d.id for d in pool],
                            strict=True), key=lambda x: (-x[0], x[1]))
    ranked = rank_documents(tagger, iter(pool), k=5, docs_per_batch=2)
    assert [r.doc.id for r in ranked] == [doc_id for _, doc_id in everything[:5]]
    assert [r.uncertainty for r in ranked] == pytest.approx([u for u, _ in everything[:5]])
    assert ranked[0].uncertainty >= ranked[-1].uncertainty
    assert rank_documents(tagger, iter(pool), k=0) == []
    assert len(rank_documents(tagger, iter(pool), k=50)) == 12


def test_equal_uncertainty_is_broken_by_id(tagger, pool):
    twins = [Document(doc_id, pool[0].text, "x") for doc_id in ("b", "c", "a")]
    assert [r.doc.id for r in rank_documents(tagger, twins, k=2, docs_per_batch=1)] == ["a", "b"]


def test_predictions_carry_version_scores_and_the_task_score_is_the_confidence(tagger, tiny_model, pool):
    docs = pool[:2]
    predictions = model_predictions(tagger, docs, model_version_of(tiny_model))
    unsure = document_uncertainties(tagger, [d.text for d in docs])
    for doc, u in zip(docs, unsure, strict=True):
        prediction = predictions[doc.id]
        assert prediction["model_version"].startswith(tiny_model.name + "-")
        assert prediction["score"] == pytest.approx(1 - u, abs=1e-4)
        assert prediction["result"], "the tiny model finds at least the amounts"
        for result in prediction["result"]:
            value = result["value"]
            assert doc.text[value["start"] : value["end"]] == value["text"]  # BMP-only text: offsets unchanged
            assert 0 < result["score"] <= 1


def test_select_command_excludes_annotated_reports_and_prints_the_ranking(tiny_model, capsys):
    seeds = str(ROOT / "data" / "raw")
    assert main(["select", "--model", str(tiny_model), "--pool", seeds, *POOL, "-k", "20",
                 "--exclude", SEED_GOLD]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "rank\tuncertainty\tchars\tid\tsource"
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) == 12, "the five annotated seed reports are left out"
    assert all(row[3].startswith("syn_") for row in rows)
    assert [float(row[1]) for row in rows] == sorted((float(row[1]) for row in rows), reverse=True)
    assert [row[0] for row in rows] == [str(n) for n in range(1, 13)]


def test_select_reports_unreadable_input_and_goes_on(tiny_model, tmp_path, capsys):
    (tmp_path / "good.jsonl").write_text(json.dumps({"id": "g", "text": "巴中市投资38亿元。"}, ensure_ascii=False)
                                         + "\n{broken\n", encoding="utf-8")
    assert main(["select", "--model", str(tiny_model), "--pool", str(tmp_path), "-k", "3"]) == 1
    captured = capsys.readouterr()
    assert "good.jsonl:2: invalid JSON" in captured.err
    assert captured.out.splitlines()[1].split("\t")[3] == "g"
