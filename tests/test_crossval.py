"""Cross-validation over documents: grouping, balance, and a real run on a tiny config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from govner.cli import main
from govner.training.crossval import assign_folds, group_of
from helpers import GOLD, ROOT, tiny


def test_folds_cover_every_document_once_and_keep_groups_together():
    ids = [f"syn_{b}_{n:02d}" for b in "defghi" for n in range(1, 11)] + ["000_x", "001_y", "002_z"]
    folds = assign_folds(ids, 5, seed=13, group_by="prefix")
    assert sorted(i for fold in folds for i in fold) == sorted(ids)
    for fold in folds:
        for doc in fold:  # a writer's batch never straddles two folds
            assert all(group_of(other, "prefix") != group_of(doc, "prefix") for f in folds if f is not fold
                       for other in f)
    assert assign_folds(list(reversed(ids)), 5, seed=13, group_by="prefix") == folds  # file order does not matter
    by_document = assign_folds(ids, 5, seed=13)
    assert max(map(len, by_document)) - min(map(len, by_document)) <= 1  # balanced


def test_folds_balance_characters_not_documents():
    sizes = {"long": 100, **{f"short{i}": 10 for i in range(10)}}
    folds = assign_folds(list(sizes), 2, seed=0, sizes=sizes)
    assert sorted(sum(sizes[i] for i in fold) for fold in folds) == [100, 100]


def test_too_few_groups_is_a_clear_error(capsys, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(tiny(data={"dev_ids": []}, corpus={"msra_sentences": 0})), encoding="utf-8")
    assert main(["crossval", "--config", str(config), "--folds", "9", "--output", str(tmp_path / "cv")]) == 2
    assert "9 folds need" in capsys.readouterr().err


@pytest.mark.slow
def test_a_real_cross_validation_trains_each_fold_and_never_selects_on_held_out(tmp_path, capsys):
    gold = json.loads(Path(GOLD).read_text(encoding="utf-8"))
    small = [t for t in gold if t["data"]["doc_id"][:3] in {"000", "001", "003"}]
    synthetic = json.loads((ROOT / "data/synthetic/synthetic_gold.json").read_text(encoding="utf-8"))
    small += [t for t in synthetic if t["data"]["doc_id"] == "syn_a_01"]  # trained on by every fold, never tested
    annotations = tmp_path / "small.json"
    annotations.write_text(json.dumps(small, ensure_ascii=False), encoding="utf-8")
    raw = tiny(data={"annotations": [str(annotations)], "dev_ids": []}, training={"epochs": 2})
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "cv"
    args = ["crossval", "--config", str(config), "--folds", "3", "--jobs", "2", "--output", str(out),
            "--exclude-from-training", "001_*", "--train-only", "syn_*"]
    assert main(args) == 0
    summary = json.loads((out / "crossval.json").read_text(encoding="utf-8"))
    assert summary["documents"] == 3 and len(summary["per_fold"]) == 3
    assert set(summary["scores"]["as_used"]) >= {"LOC", "ORG", "AMOUNT", "SLOGAN", "micro"}
    assert summary["epochs_f1"].keys() == {"1", "2"}  # every epoch measured, none chosen
    pooled = summary["annotated_pooled"]  # every annotated report scored once, by the fold that held it out
    assert pooled["documents"] == 3
    tested = [t for t in small if not t["data"]["doc_id"].startswith("syn")]
    entities = sum(r["type"] == "labels" for t in tested for r in t["annotations"][0]["result"])
    assert pooled["scores"]["micro"]["support"] == entities
    for k in range(3):
        fold = yaml.safe_load((out / f"fold-{k}" / "config.yaml").read_text(encoding="utf-8"))
        test_ids = fold["data"]["dev_ids"]
        trained = [t["data"]["doc_id"] for t in json.loads((out / f"fold-{k}" / "train.json").read_text())]
        assert not set(test_ids) & set(trained)
        assert not any(i.startswith("001") for i in trained)  # excluded from training, still tested
        assert "syn_a_01" in trained and "syn_a_01" not in test_ids
        assert fold["training"]["select_best"] is False
    assert "| AMOUNT |" in capsys.readouterr().out
    (out / "crossval.json").unlink()
    assert main(args) == 0  # finished folds are not trained again
    assert json.loads((out / "crossval.json").read_text(encoding="utf-8"))["minutes"] < 0.5


@pytest.mark.slow
def test_a_learning_curve_trains_nested_parts_and_plots_f1_against_characters(tmp_path, capsys):
    raw = tiny(data={"dev_ids": []}, training={"epochs": 1})  # the five seed reports
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "lc"
    assert main(["crossval", "--config", str(config), "--folds", "2", "--fractions", "0.5,1", "--jobs", "2",
                 "--output", str(out)]) == 0
    summary = json.loads((out / "learning-curve.json").read_text(encoding="utf-8"))
    assert [p["fraction"] for p in summary["points"]] == [0.5, 1.0]
    half, whole = summary["points"]
    assert half["characters"]["mean"] < whole["characters"]["mean"] and whole["folds"] == 2
    assert set(whole["as_used"]) >= {"LOC", "AMOUNT", "micro"}
    for k in range(2):
        def trained(fraction: str, k: int = k) -> set[str]:
            path = out / f"fold-{k}" / f"fraction-{fraction}" / "train.json"
            return {t["data"]["doc_id"] for t in json.loads(path.read_text(encoding="utf-8"))}

        tested = yaml.safe_load((out / f"fold-{k}" / "fraction-1" / "config.yaml").read_text())["data"]["dev_ids"]
        assert trained("0.5") < trained("1") and not trained("1") & set(tested)  # nested parts, fold held out
    assert (out / "learning-curve.png").stat().st_size > 10_000
    assert "| 50% |" in capsys.readouterr().out
    assert main(["crossval", "--config", str(config), "--fractions", "0,1", "--output", str(out)]) == 2
