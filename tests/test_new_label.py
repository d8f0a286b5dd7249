"""Adding a label takes one row in the label table (plus guideline, Label Studio config and gold data).

The recipe in docs/development.md is checked end to end: a copy of the package whose
only code change is one more :class:`govner.labels.Label` row validates gold data with
the new label, trains a tiny model that predicts it, and scores it in ``govner evaluate``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml

from govner.labels import LABELS
from helpers import ROOT, tiny


def test_the_label_studio_config_lists_exactly_the_label_table():
    root = ET.parse(ROOT / "annotations" / "label_config.xml").getroot()
    assert tuple(label.get("value") for label in root.iter("Label")) == LABELS


@pytest.mark.slow
def test_a_fifth_label_needs_only_a_row_in_the_label_table(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "govner", src / "govner", ignore=shutil.ignore_patterns("__pycache__"))
    labels_py = src / "govner" / "labels.py"
    code = labels_py.read_text(encoding="utf-8")
    end_of_table = "\n)\n\nLABELS: tuple"
    assert code.count(end_of_table) == 1
    new_row = '\n    Label("FAC", "a named building or facility"),'
    labels_py.write_text(code.replace(end_of_table, new_row + end_of_table), encoding="utf-8")

    # gold with the new label: the tiny config's documents, plus FAC spans in a few short reports
    text = "巴中市恩阳区投资38亿元建设恩阳体育馆。恩阳体育馆由恩阳区住建局承建。"
    spans = [(0, 6, "LOC"), (8, 12, "AMOUNT"), (14, 19, "FAC"), (20, 25, "FAC"), (26, 32, "ORG")]
    tasks = []
    for n in range(6):
        results = [{"id": f"r{i}", "from_name": "label", "to_name": "text", "type": "labels",
                    "value": {"start": s, "end": e, "text": text[s:e], "labels": [label]}}
                   for i, (s, e, label) in enumerate(spans)]
        tasks.append({"id": n, "data": {"text": text, "doc_id": f"fac{n}"}, "annotations": [{"result": results}]})
    gold = tmp_path / "fac.json"
    gold.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    raw = tiny(data={"annotations": [str(gold)], "dev_ids": ["fac0"]},
               corpus={"msra_sentences": 0, "gold_repeat": 20}, training={"epochs": 3, "learning_rate": 0.01})
    config = tmp_path / "fac.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")

    env = {**os.environ, "PYTHONPATH": str(src)}

    def govner(*args: str) -> subprocess.CompletedProcess:
        run = subprocess.run([sys.executable, "-m", "govner", *args], env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-2000:]
        return run

    assert "FAC 12" in govner("annotations", "validate", str(gold)).stderr
    model = tmp_path / "model"
    govner("train", "--config", str(config), "--output", str(model))
    assert "B-FAC" in json.loads((model / "labels.json").read_text(encoding="utf-8"))
    govner("predict", "--model", str(model), str(gold), "-o", str(tmp_path / "pred.jsonl"), "--quiet")
    records = [json.loads(line) for line in (tmp_path / "pred.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(e["label"] == "FAC" for r in records for e in r["entities"])
    report = govner("evaluate", "--model", str(model), "--config", str(config), "--split", "dev",
                    "--no-charts", "--output", str(tmp_path / "eval")).stdout
    assert "| FAC |" in report
