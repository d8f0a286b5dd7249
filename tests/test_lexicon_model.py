"""A model with lexicon inputs: the same features in training and in both prediction backends; user dictionaries."""

from __future__ import annotations

import json

import numpy as np
import pytest

from govner.cli import main
from govner.config import config_from_dict
from govner.data.lexicon import LEXICON_FILE, Lexicon, build_lexicon
from govner.inference.tagger import Tagger, lexicon_inputs
from helpers import ROOT, tiny

pytestmark = pytest.mark.slow
TEXT = "湖南楚天药业与祁阳县政府签约，在南岭工业园区投资12亿元建设“三年行动”项目。"


@pytest.fixture(scope="module")
def lexicon_model(tmp_path_factory):
    from govner.training.train import train

    out = tmp_path_factory.mktemp("lexicon-model")
    config = config_from_dict(tiny(lexicon={"enabled": True, "train_user_fraction": 0.5}), "tiny-lexicon")
    train(config, out)
    return out, config


def test_prediction_reads_the_lexicon_training_used(lexicon_model):
    out, config = lexicon_model
    trained = build_lexicon(config.lexicon)
    saved = Lexicon.load(out / LEXICON_FILE)
    assert saved.words == trained.words
    texts = [line for line in (ROOT / "data" / "raw" / "004_e3c827dfd055a908.txt").read_text().split("\n")[:40] if line]
    from govner.training.data import TaggingCollator

    batch = TaggingCollator(0, None, trained, config.lexicon.words_per_set)(
        [{"input_ids": [1] * len(t), "labels": [0] * len(t), "text": t, "user_words": []}
         for t in texts])
    width = max(map(len, texts))
    for name, array in lexicon_inputs(saved, texts, width, config.lexicon.words_per_set).items():
        assert np.array_equal(batch[name].numpy(), array), name


def test_both_backends_give_the_same_emissions_and_spans(lexicon_model):
    out, _ = lexicon_model
    onnx = Tagger.from_pretrained(out, backend="onnx")
    torch_ = Tagger.from_pretrained(out, backend="torch")
    windows = [TEXT, TEXT[:20], "南岭工业园区"]
    assert np.allclose(onnx.scorer(windows), torch_.scorer(windows), atol=1e-4)
    texts = [(ROOT / "data" / "raw" / name).read_text(encoding="utf-8") for name in
             ("000_f499792f28ac6c10.txt", "002_04f38ca700b2c47f.txt")]
    spans = [[(e.start, e.end, e.label) for e in doc] for doc in onnx.predict_documents(texts)]
    assert spans == [[(e.start, e.end, e.label) for e in doc] for doc in torch_.predict_documents(texts)]


def test_a_user_dictionary_changes_the_prediction(lexicon_model, tmp_path):
    out, _ = lexicon_model
    words = tmp_path / "county.tsv"
    words.write_text("楚天药业\tORG\n南岭工业园区\tLOC\n", encoding="utf-8")
    plain = Tagger.from_pretrained(out, backend="onnx")
    with_words = Tagger.from_pretrained(out, backend="onnx", user_dictionaries=[words])
    # the words reach the network: its scores on the text change
    assert not np.allclose(plain.scorer([TEXT]), with_words.scorer([TEXT]), atol=1e-3)
    report = tmp_path / "r.txt"
    report.write_text(TEXT, encoding="utf-8")
    pred = tmp_path / "p.jsonl"
    assert main(["predict", "--model", str(out), str(report), "-o", str(pred), "--quiet",
                 "--user-dict", str(words), "--force-user-words"]) == 0
    (record,) = [json.loads(line) for line in pred.read_text(encoding="utf-8").splitlines()]
    found = {(e["text"], e["label"]) for e in record["entities"]}
    assert ("楚天药业", "ORG") in found or ("湖南楚天药业", "ORG") in found
    assert ("南岭工业园区", "LOC") in found
