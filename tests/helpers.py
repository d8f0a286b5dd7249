"""Shared test data: a small report and Label Studio tasks built from it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = "巴中市恩陽區(qū)投資38.01億元，同比增長9.6%，開展“走百企、解千難”活動。"


def task(text: str = TEXT, values: list[dict] | None = None, doc_id: str = "doc1") -> dict:
    """A Label Studio task with one annotation holding ``values`` (default: valid gold for TEXT)."""
    if values is None:
        values = [
            {"start": 0, "end": 6, "labels": ["LOC"]},
            {"start": 12, "end": 19, "labels": ["AMOUNT"]},
            {"start": 24, "end": 28, "labels": ["AMOUNT"]},
            {"start": 32, "end": 39, "labels": ["SLOGAN"]},
        ]
    results = []
    for n, value in enumerate(values):
        value = dict(value)
        if "text" not in value and isinstance(value.get("start"), int) and isinstance(value.get("end"), int):
            value["text"] = text[value["start"] : value["end"]]
        results.append({"id": f"r{n}", "from_name": "label", "to_name": "text", "type": "labels", "value": value})
    return {"id": 1, "data": {"text": text, "doc_id": doc_id}, "annotations": [{"id": 1, "result": results}]}


GOLD = str(ROOT / "annotations" / "seed_gold.json")


def tiny(**sections) -> dict:
    """A config that trains in seconds: two short gold documents, a few MSRA sentences, one epoch."""
    raw = {
        "name": "tiny",
        "data": {"annotations": [GOLD], "dev_ids": ["000_f499792f28ac6c10", "003_68ec25cebe00ae37"],
                 "max_len": 64, "overlap": 8},
        "corpus": {"synthetic": [], "gold_repeat": 1, "msra_sentences": 40, "msra_missing_labels": "mask"},
        "model": {"backbone": "lac", "dropout": 0.1},
        "training": {"epochs": 1, "batch_size": 32, "learning_rate": 0.003, "seed": 7, "threads": 1,
                     "logging_steps": 5},
    }
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    return raw
