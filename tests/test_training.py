"""govner train end to end on tiny configs: LAC backbone, a hub model by path, determinism, resume, torchrun."""

import json
import os
import subprocess
import sys

import pytest
import yaml

from govner.config import config_from_dict
from govner.evaluation.systems import NETWORK_ALONE
from govner.inference.tagger import Tagger
from govner.training.train import train
from helpers import ROOT, tiny
from servers import free_port


@pytest.fixture
def lac_model(tiny_run):
    model, _, scores = tiny_run
    return model, scores


def test_output_folder_is_a_complete_token_classification_model(lac_model):
    out, scores = lac_model
    for name in ("model.safetensors", "config.json", "tokenizer.json", "labels.json", "govner_config.yaml",
                 "metrics.json", "README.md"):
        assert (out / name).exists(), name
    assert not (out / "checkpoints").exists()
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["dev"]) >= {"LOC", "ORG", "AMOUNT", "SLOGAN", "micro"}
    assert metrics["dev"]["micro"]["f1"] == scores["micro"]["f1"]
    assert any("eval_f1" in h for h in metrics["history"])
    assert yaml.safe_load((out / "govner_config.yaml").read_text())["training"]["seed"] == 7
    # even one epoch on two documents learns something real: amounts are the easiest label
    assert scores["AMOUNT"]["f1"] > 0.5


def test_saved_model_predicts_exact_original_offsets(lac_model):
    out, _ = lac_model
    tagger = Tagger.from_pretrained(out)
    text = "巴中市恩陽區(qū)投資38.01億元,同比增長9.6%。"
    (found,) = tagger.predict([text])
    for entity in found:
        assert text[entity["start"] : entity["end"]] == entity["text"]
        assert 0 < entity["score"] <= 1
    assert any(e["label"] == "AMOUNT" for e in found)


@pytest.mark.slow
def test_same_config_and_seed_give_the_same_metrics(lac_model, tmp_path):
    _, scores = lac_model
    again = train(config_from_dict(tiny(), "tiny"), tmp_path / "again")
    assert again == scores


@pytest.mark.slow
def test_resume_continues_from_the_last_checkpoint(tmp_path):
    config = config_from_dict(tiny(training={"epochs": 2}), "tiny")
    out = tmp_path / "run"
    first = train(config_from_dict(tiny(training={"epochs": 1}), "tiny"), out, keep_checkpoints=True)
    assert first
    checkpoints = sorted((out / "checkpoints").glob("checkpoint-*"))
    assert checkpoints
    train(config, out, resume=True, keep_checkpoints=True)
    state = json.loads((sorted((out / "checkpoints").glob("checkpoint-*"))[-1] / "trainer_state.json").read_text())
    assert state["epoch"] == 2
    # the first epoch was not trained again: its log entries come from the first run
    epochs = [h["epoch"] for h in state["log_history"] if "eval_f1" in h]
    assert epochs == [1, 2]


def tiny_bert(path):
    """A randomly initialised 2-layer BERT with a character vocabulary, saved like a hub model."""
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    chars = sorted({c for c in (ROOT / "data" / "raw" / "000_f499792f28ac6c10.txt").read_text() if not c.isspace()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(path / "vocab.txt"), do_lower_case=False).save_pretrained(path)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=160)
    BertForTokenClassification(config).save_pretrained(path)
    return path


@pytest.mark.slow
def test_hub_model_by_path_trains_and_decodes_valid_spans(tmp_path):
    bert = tiny_bert(tmp_path / "bert")
    config = config_from_dict(
        tiny(model={"backbone": "hub", "name_or_path": str(bert)}, training={"learning_rate": 0.001}), "tiny"
    )
    out = tmp_path / "out"
    scores = train(config, out)
    assert "micro" in scores
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(out)
    assert model.config.id2label[1] == "B-LOC"
    text = "恩陽區 投資38億元"
    (found,) = Tagger.from_pretrained(out).predict([text])
    for entity in found:
        assert text[entity["start"] : entity["end"]] == entity["text"]


@pytest.mark.skipif(os.cpu_count() < 2, reason="torchrun with two processes needs two cores")
@pytest.mark.slow
def test_torchrun_two_processes_trains_a_model_as_good_as_one(tmp_path, lac_model):
    _, single = lac_model
    config_path = tmp_path / "tiny.yaml"
    # with windows sorted by length, as the default trains: each process must draw the same order
    config_path.write_text(yaml.safe_dump(tiny(training={"group_by_length": True, "length_group_batches": 2})),
                           encoding="utf-8")
    out = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(free_port()),
         "-m", "govner", "train", "--config", str(config_path), "--output", str(out)],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    # two processes see the same data in half the steps each; after one epoch they should be close
    assert metrics["dev"]["micro"]["f1"] >= single["micro"]["f1"] - 0.15


def test_predict_cli_writes_exact_offsets_and_keeps_going_after_bad_input(lac_model, tmp_path):
    from govner.cli import main

    out, _ = lac_model
    good = tmp_path / "恩陽.txt"
    good.write_text("恩陽區(qū)投資38.01億元,開展“走百企、解千難”活動。", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text('{"id": "a", "text": "常德经开区签约项目16个", "year": 2021}\n{broken\n', encoding="utf-8")
    result = tmp_path / "out.jsonl"
    code = main(["predict", "--model", str(out), str(good), str(tmp_path / "empty.txt"), str(jsonl),
                 "-o", str(result), "--quiet"])
    assert code == 1  # some inputs failed
    records = [json.loads(line) for line in result.read_text(encoding="utf-8").splitlines()]
    assert [r.get("id") for r in records] == ["恩陽", "empty", "a", None]
    assert "empty file" in records[1]["error"] and "more.jsonl:2" in records[3]["error"]
    assert records[2]["year"] == 2021
    text = good.read_text(encoding="utf-8")
    for entity in records[0]["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]


def test_msra_address_merge_is_a_switch_and_the_benchmark_keeps_msra_spans():
    from govner.config import load_config
    from govner.corpus import msra_documents
    from govner.data.msra import read_sighan_test

    raw = {d.id: d.spans for d in read_sighan_test(labels={"PER": "PER", "LOC": "LOC", "ORG": "ORG"})}
    merged = msra_documents(config_from_dict({"model": {"labels": ["PER", "LOC", "ORG"]}}, "t"), "test", -1, 0)
    kept = msra_documents(load_config(ROOT / "configs" / "msra.yaml"), "test", -1, 0)
    assert {d.id: d.spans for d in kept} == raw  # benchmark: scored against MSRA's own spans
    touching = [d.id for d in merged for a, b in zip(d.spans, d.spans[1:], strict=False)
                if a.label == b.label == "LOC" and a.end == b.start]
    assert touching == []
    assert sum(len(d.spans) for d in merged) < sum(len(s) for s in raw.values())


def test_the_msra_benchmark_scores_the_sighan_2006_test_set_only():
    from collections import Counter

    from govner.config import load_config
    from govner.corpus import msra_documents
    from govner.data.msra import SIGHAN_TEST_START, msra_path, read_msra

    whole = list(read_msra(msra_path("test")))
    test = msra_documents(load_config(ROOT / "configs" / "msra.yaml"), "test", -1, 0)
    # the bakeoff's test set: its first sentence, its size and its ORG count as published
    assert test[0].text == "中共中央致中国致公党十一大的贺词"
    assert [d.id for d in test] == [d.id for d in whole[SIGHAN_TEST_START:]]
    assert sum(len(d.text) for d in test) == 172_601
    assert Counter(s.label for d in test for s in d.spans)["ORG"] == 1331
    # the sentences before it are the end of the bakeoff's training set, which msra_train.txt lacks:
    # with them, msra_train.txt has the published training set's 2,169,879 characters
    train = list(read_msra(msra_path("train")))
    texts = {d.text for d in train}
    assert not any(d.text in texts for d in whole[:SIGHAN_TEST_START])
    assert sum(len(d.text) for d in train + whole[:SIGHAN_TEST_START]) == 2_169_879


@pytest.mark.slow
def test_an_auxiliary_label_is_learned_from_msra_and_never_output(tmp_path):
    from govner.corpus import build_training_data

    config = config_from_dict(tiny(model={"auxiliary_labels": ["PER"]}, corpus={"msra_sentences": 300}), "tiny")
    data = build_training_data(config)
    msra = [ex for ex in data.train if ex["o_may_hide"] == ["AMOUNT", "SLOGAN"]]
    own = [ex for ex in data.train if ex["o_may_hide"] == ["PER"]]
    assert len(msra) + len(own) == len(data.train) and msra and own  # every example says what its O may hide
    assert any("B-PER" in ex["tags"] for ex in msra)  # MSRA teaches persons
    assert not any("B-PER" in ex["tags"] for ex in own)
    train(config, tmp_path / "model")
    persons = [ex["text"] for ex in msra if "B-PER" in ex["tags"]][:40]
    for backend in ("torch", "onnx"):
        plain = {"backend": backend, **NETWORK_ALONE}
        hidden = Tagger.from_pretrained(tmp_path / "model", **plain)
        shown = Tagger.from_pretrained(tmp_path / "model", hidden_labels=(), **plain)
        assert "B-PER" in hidden.tags and hidden.labels == ("LOC", "ORG", "AMOUNT", "SLOGAN")
        assert shown.labels == ("LOC", "ORG", "AMOUNT", "SLOGAN", "PER")
        with_persons = shown.predict_documents(persons)
        assert any(s.label == "PER" for spans in with_persons for s in spans)  # the network learned persons
        # hiding drops exactly the person spans, nothing else
        assert hidden.predict_documents(persons) == [[s for s in spans if s.label != "PER"] for spans in with_persons]


def _batch_costs(order: list[int], lengths: list[int], batch: int) -> list[int]:
    """The longest window of each batch: what a batch costs the recurrent layers."""
    return [max(lengths[i] for i in order[b: b + batch]) for b in range(0, len(order), batch)]


def test_locally_sorted_sampler_makes_batches_shorter_keeps_them_mixed_and_repeats_per_seed_and_epoch():
    import random

    import torch

    from govner.training.data import LocallySortedSampler

    rng = random.Random(0)
    # two sources as in training: report windows of up to 128 characters, MSRA sentences of up to 90
    source = ["report"] * 400 + ["msra"] * 600
    lengths = [rng.randint(10, 128) if s == "report" else rng.randint(10, 90) for s in source]
    shuffled = torch.randperm(len(lengths), generator=torch.Generator().manual_seed(0)).tolist()
    random_cost = sum(_batch_costs(shuffled, lengths, 32))

    def mixed_share(orders: list[list[int]]) -> float:  # batches with at least a fifth of each source
        batches = [order[b: b + 32] for order in orders for b in range(0, len(order), 32)]
        return sum(0.2 <= sum(source[i] == "msra" for i in b) / len(b) <= 0.8 for b in batches) / len(batches)

    def epochs(group_batches: int, seed: int = 42, count: int = 5) -> list[list[int]]:
        sampler = LocallySortedSampler(lengths, batch_size=32, group_batches=group_batches, seed=seed)
        orders = []
        for epoch in range(count):
            sampler.set_epoch(epoch)  # what the Trainer does before each epoch
            orders.append(list(sampler))
        return orders

    few = epochs(2)
    assert all(sorted(order) == list(range(len(lengths))) for order in few)  # every window once per epoch
    assert few == epochs(2) and few[0] != few[1] and few != epochs(2, seed=7)  # fixed by seed and epoch
    assert all(_batch_costs(order, lengths, 32)[0] == max(lengths) for order in few)  # the longest batch first
    assert sum(_batch_costs(few[0], lengths, 32)) < 0.8 * random_cost
    many = epochs(30)
    assert sum(_batch_costs(many[0], lengths, 32)) < sum(_batch_costs(few[0], lengths, 32))
    assert mixed_share(few) >= 0.85 and mixed_share(many) < mixed_share(few)
    with pytest.raises(ValueError, match="group_batches"):
        LocallySortedSampler(lengths, batch_size=32, group_batches=0)


@pytest.mark.slow
def test_length_grouped_batches_pad_less_and_still_learn(tmp_path, monkeypatch):
    from govner.training.data import LocallySortedSampler, TaggingCollator

    padding: list[int] = []
    collate = TaggingCollator.__call__

    def counting(self, features):  # the real collator, counting the pad positions of each batch
        width = max(len(f["input_ids"]) for f in features)
        padding.append(sum(width - len(f["input_ids"]) for f in features))
        return collate(self, features)

    monkeypatch.setattr(TaggingCollator, "__call__", counting)
    epochs_set: list[int] = []
    set_epoch = LocallySortedSampler.set_epoch
    monkeypatch.setattr(LocallySortedSampler, "set_epoch", lambda self, epoch: (epochs_set.append(epoch),
                                                                               set_epoch(self, epoch)))
    pads, scores = {}, {}
    for grouped in (False, True):
        padding.clear()
        training = {"group_by_length": grouped, "length_group_batches": 4, "epochs": 2}
        config = config_from_dict(tiny(corpus={"msra_sentences": 200}, training=training), "tiny")
        scores[grouped] = train(config, tmp_path / str(grouped))
        pads[grouped] = sum(padding)  # training batches grouped, dev batches in document order both times
    assert sorted(set(epochs_set)) == [0, 1]  # the Trainer reshuffles the grouped run's windows each epoch
    assert pads[True] < 0.7 * pads[False]
    assert scores[True]["AMOUNT"]["f1"] > 0.5


def test_packed_msra_sentences_hold_the_same_text_and_entities_in_fewer_windows():
    from govner.corpus import build_training_data

    def msra_windows(pack: bool) -> list[dict]:
        raw = tiny(data={"max_len": 128}, corpus={"msra_sentences": 300, "msra_pack": pack})
        config = config_from_dict(raw, "tiny")
        return [ex for ex in build_training_data(config).train if ex["o_may_hide"]]  # MSRA's O may hide labels

    one_each, packed = msra_windows(False), msra_windows(True)
    assert len(packed) < 0.6 * len(one_each)
    assert max(len(ex["tokens"]) for ex in packed) <= 128
    assert "".join(ex["text"] for ex in packed) == "".join(ex["text"] for ex in one_each)
    assert [tag for ex in packed for tag in ex["tags"]] == [tag for ex in one_each for tag in ex["tags"]]
