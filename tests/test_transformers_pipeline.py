"""A saved govner model in plain transformers, where govner is not installed.

``save_pretrained`` copies ``network.py`` and ``decoding.py`` into the folder and
writes ``auto_map``; without labels the model's logits are the CRF's
log-marginals. The test installs a virtual environment with only torch and
transformers (cached, see ``venvs.py``), runs the token-classification pipeline
there on the seed reports' lines (normalized, so simplified) and compares its
entities with govner's network-only spans (no rules, merging or propagation).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from govner.data.normalize import normalize
from govner.data.reader import read_documents
from govner.evaluation.systems import NETWORK_ALONE
from govner.inference.tagger import Tagger
from helpers import ROOT, tiny
from venvs import cached_venv

PIPELINE_SCRIPT = """
import json, sys
from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline
try:
    import govner
    sys.exit("govner is importable here: the test would prove nothing")
except ImportError:
    pass
model = AutoModelForTokenClassification.from_pretrained(sys.argv[1], trust_remote_code=True)
tokenizer = AutoTokenizer.from_pretrained(sys.argv[1])
ner = pipeline("token-classification", model=model, tokenizer=tokenizer, aggregation_strategy="simple")
lines = json.load(sys.stdin)
json.dump({"entities": [[[e["start"], e["end"], e["entity_group"], e["word"], float(e["score"])]
                         for e in ner(line)] for line in lines],
           "decoded": tokenizer.decode(tokenizer(lines[0])["input_ids"])}, sys.stdout, ensure_ascii=False)
"""


def plain_python() -> Path:
    """Python of a virtual environment with only torch and transformers, at the versions govner runs with."""
    import torch
    import transformers

    torch_version = torch.__version__.split("+")[0]  # "2.13.0+cpu": the plain pin takes the CPU wheel here
    venv = cached_venv("transformers-venv", [f"torch=={torch_version}", f"transformers=={transformers.__version__}"])
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def pipeline_model(tmp_path_factory) -> Path:
    """The tiny config trained 4 epochs (~30 s): 1 epoch leaves posteriors too flat to compare decoders."""
    from govner.config import config_from_dict
    from govner.training.train import train

    folder = tmp_path_factory.mktemp("pipeline") / "model"
    raw = tiny(training={"epochs": 4, "batch_size": 32, "learning_rate": 0.003, "seed": 7, "threads": 1,
                         "logging_steps": 50})
    train(config_from_dict(raw, "tiny4"), folder)
    return folder


def seed_lines() -> list[str]:
    docs, errors = read_documents([ROOT / "data" / "raw"])
    assert not errors and len(docs) == 5
    return [line for doc in docs for line in normalize(doc.text).text.splitlines() if line.strip()]


@pytest.mark.slow
def test_the_pipeline_without_govner_finds_what_govner_predict_finds(pipeline_model):
    lines = seed_lines()
    ran = subprocess.run([str(plain_python()), "-c", PIPELINE_SCRIPT, str(pipeline_model)], input=json.dumps(lines),
                         capture_output=True, text=True, timeout=600, cwd=pipeline_model.parent)
    assert ran.returncode == 0, ran.stderr[-3000:]
    answer = json.loads(ran.stdout)
    assert answer["decoded"] == lines[0], "characters decode without spaces between them"
    pipeline = [{(start, end, label) for start, end, label, _, _ in row} for row in answer["entities"]]
    for line, row in zip(lines, answer["entities"], strict=True):
        for start, end, _, word, score in row:
            assert line[start:end] == word and 0 < score <= 1

    tagger = Tagger.from_pretrained(pipeline_model, backend="torch", **NETWORK_ALONE)
    govner = [{(e["start"], e["end"], e["label"]) for e in row} for row in tagger.predict(lines)]
    same = sum(len(a & b) for a, b in zip(govner, pipeline, strict=True))
    total_govner, total_pipeline = sum(map(len, govner)), sum(map(len, pipeline))
    agreement = 2 * same / (total_govner + total_pipeline)
    print(f"pipeline vs govner predict (network only): {same} identical of {total_govner} / {total_pipeline} "
          f"entities, agreement {agreement:.4f}", file=sys.stderr)
    assert total_govner > 300  # the model finds plenty, so agreement means something
    assert agreement >= 0.98


def test_the_copied_model_code_imports_only_torch_transformers_and_its_sibling():
    """network.py travels into every model folder: it may import torch, transformers, numpy and ./decoding.py only."""
    allowed = {"__future__", "collections", "typing", "torch", "transformers", "numpy"}
    for name in ("network.py", "decoding.py"):
        tree = ast.parse((ROOT / "src" / "govner" / "model" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""] if node.level == 0 else ([] if node.module == "decoding" else ["."])
            else:
                continue
            assert {m.split(".")[0] for m in modules} <= allowed, f"{name}:{node.lineno} imports {modules}"


@pytest.mark.slow
def test_a_saved_folder_holds_the_code_and_auto_map(tiny_model):
    config = json.loads((tiny_model / "config.json").read_text(encoding="utf-8"))
    assert config["auto_map"] == {"AutoConfig": "network.GovnerTaggerConfig",
                                  "AutoModelForTokenClassification": "network.GovnerTaggerForTokenClassification"}
    for name in ("network.py", "decoding.py"):
        assert (tiny_model / name).read_bytes() == (ROOT / "src" / "govner" / "model" / name).read_bytes()


@pytest.mark.slow
def test_the_model_card_carries_the_dev_scores_as_model_index(tiny_model):
    import yaml

    card = (tiny_model / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n")
    metadata = yaml.safe_load(card.split("---\n")[1])
    dev = json.loads((tiny_model / "metrics.json").read_text(encoding="utf-8"))["dev"]
    (result,) = metadata["model-index"][0]["results"]
    values = {metric["name"]: metric["value"] for metric in result["metrics"]}
    assert values["strict micro F1 (seqeval, IOB2)"] == round(dev["micro"]["f1"], 4)
    assert values["LOC F1"] == round(dev["LOC"]["f1"], 4) and len(values) == 5
    assert metadata["pipeline_tag"] == "token-classification"
    assert 'pipeline("token-classification"' in card and "govner predict" in card
