"""The annotation loop against a real Label Studio server started by the test.

Label Studio is installed once into its own virtual environment
(``$GOVNER_CACHE/label-studio-venv``, default ``~/.cache/govner``; Django and
its pins must not mix with govner's), started on a free loopback port with a
throw-away data folder, and stopped by its process group at the end.

The round trip: project → push two seed reports and a report with characters
outside the BMP, with a real model's predictions → annotate through the API
with UTF-16 offsets computed here independently of govner → pull → the file
validates and holds exactly the annotated spans → training data is built.

If Label Studio cannot be installed (no network), the tests are skipped with
the pip error, except under CI (``CI`` set), where that is a failure: CI must
not turn green without the server test having run.
"""

from __future__ import annotations

import json

import pytest

from govner.annotations.studio import Studio
from govner.cli import main
from govner.config import config_from_dict
from govner.corpus import build_datasets
from govner.data.document import Span
from govner.data.iob import tags_to_spans
from govner.data.labelstudio import load_documents
from govner.data.reader import read_documents
from govner.data.validate import validate_file
from helpers import ROOT

SEEDS = [ROOT / "data" / "raw" / "000_f499792f28ac6c10.txt", ROOT / "data" / "raw" / "003_68ec25cebe00ae37.txt"]
UNANNOTATED = ROOT / "data" / "synthetic" / "reports" / "syn_a_01.txt"
# 𠀀 (CJK extension B) and 😀 take two UTF-16 code units each, so Label Studio's offsets differ from Python's.
NONBMP_TEXT = "𠀀村位于巴中市恩阳区。\n😀2024年全区投资38.5亿元，开展“乡村振兴”行动。\n"
NONBMP_SPANS = [Span(0, 2, "LOC"), Span(4, 10, "LOC"), Span(22, 28, "AMOUNT"), Span(32, 36, "SLOGAN")]


# --------------------------------------------------------------------------- helpers


def utf16(text: str, offset: int) -> int:
    """JavaScript's offset of code point ``offset``: independent of govner's conversion on purpose."""
    return len(text[:offset].encode("utf-16-le")) // 2


def annotation_result(text: str, spans: list[Span]) -> list[dict]:
    """What Label Studio's editor saves for ``spans``: UTF-16 offsets and the selected text."""
    return [
        {"id": f"a{n}", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": utf16(text, s.start), "end": utf16(text, s.end), "text": text[s.start : s.end],
                   "labels": [s.label]}}
        for n, s in enumerate(spans)
    ]


def tasks_by_doc(studio: Studio, project_id: int) -> dict[str, dict]:
    return {task["data"]["doc_id"]: task for task in studio.tasks(project_id, annotations=True)}


# --------------------------------------------------------------------------- tests


def test_round_trip_push_annotate_pull_train(studio_env, tiny_model, tmp_path, capsys):
    studio = studio_env
    nonbmp = tmp_path / "nonbmp.txt"
    nonbmp.write_text(NONBMP_TEXT, encoding="utf-8")
    assert [NONBMP_TEXT[s.start : s.end] for s in NONBMP_SPANS] == ["𠀀村", "巴中市恩阳区", "38.5亿元", "乡村振兴"]
    reports = [*map(str, SEEDS), str(nonbmp), str(UNANNOTATED)]

    assert main(["studio", "project", "--project", "round trip"]) == 0
    assert "created" in capsys.readouterr().out
    assert main(["studio", "push", *reports, "--project", "round trip", "--model", str(tiny_model)]) == 0
    assert "pushed 4 task(s)" in capsys.readouterr().out
    assert main(["studio", "push", *reports, "--project", "round trip"]) == 0
    assert "pushed 0 task(s)" in capsys.readouterr().out, "a second push adds nothing"

    # The predictions arrived in UTF-16, with scores and the model version.
    project = studio.project("round trip")
    tasks = tasks_by_doc(studio, project.id)
    assert sorted(tasks) == sorted(["000_f499792f28ac6c10", "003_68ec25cebe00ae37", "nonbmp", "syn_a_01"])
    assert project.model_version.startswith(tiny_model.name + "-")
    for task in tasks.values():
        (prediction,) = task["predictions"]
        assert prediction["model_version"] == project.model_version and 0 < prediction["score"] <= 1
        assert prediction["result"], f"{task['data']['doc_id']}: the tiny model finds something"
        units = task["data"]["text"].encode("utf-16-le")
        for result in prediction["result"]:
            value = result["value"]
            assert units[2 * value["start"] : 2 * value["end"]].decode("utf-16-le") == value["text"]
            assert 0 < result["score"] <= 1

    # Annotators' work, as the editor would save it: gold for the seeds, hand spans for the non-BMP report.
    gold = {doc.id: doc for doc in load_documents(ROOT / "annotations" / "seed_gold.json")}
    expected = {doc_id: gold[doc_id].spans for doc_id in ("000_f499792f28ac6c10", "003_68ec25cebe00ae37")}
    expected["nonbmp"] = NONBMP_SPANS
    for doc_id, spans in expected.items():
        task = tasks[doc_id]
        studio.annotate(task["id"], annotation_result(task["data"]["text"], spans))
    studio.call("skipping", studio.client.annotations.create, tasks["syn_a_01"]["id"], result=[], was_cancelled=True)

    assert main(["studio", "status", "--project", "round trip"]) == 0
    status = dict(line.rsplit(None, 1) for line in capsys.readouterr().out.splitlines()[1:4])
    assert status == {"tasks": "4", "annotated": "3", "skipped": "1"}

    pulled = tmp_path / "annotations" / "studio.json"
    assert main(["studio", "pull", "--project", "round trip", "-o", str(pulled)]) == 0
    assert "wrote 3 annotated task(s) of 4" in capsys.readouterr().out

    problems, counts = validate_file(pulled)
    assert problems == []
    assert sum(counts.values()) == sum(len(spans) for spans in expected.values())
    docs = {doc.id: doc for doc in load_documents(pulled)}
    assert sorted(docs) == sorted(expected)
    originals = {doc.id: doc.text for doc in read_documents([*SEEDS, nonbmp])[0]}
    for doc_id, spans in expected.items():
        assert docs[doc_id].text == originals[doc_id]  # the text is byte-for-byte the report
        assert docs[doc_id].spans == sorted(spans)  # the offsets are exactly the annotated code points
    for task in json.loads(pulled.read_text(encoding="utf-8")):  # and so is every value in the file
        text = task["data"]["text"]
        for result in task["annotations"][0]["result"]:
            value = result["value"]
            assert text[value["start"] : value["end"]] == value["text"]
    first = json.loads(pulled.read_text(encoding="utf-8"))[0]
    seed = originals["000_f499792f28ac6c10"]
    assert first["data"]["doc_id"] == "000_f499792f28ac6c10"
    assert [r["value"] for r in first["annotations"][0]["result"]] == [
        {"start": s.start, "end": s.end, "text": seed[s.start : s.end], "labels": [s.label]}
        for s in sorted(expected["000_f499792f28ac6c10"])
    ]

    config = config_from_dict({"data": {"annotations": [str(pulled)], "dev_ids": ["nonbmp"], "max_len": 64,
                                         "overlap": 8}, "corpus": {"gold_repeat": 1}}, "pulled")
    splits = build_datasets(config)
    assert set(splits["train"]["doc_id"]) == set(expected) - {"nonbmp"} and set(splits["dev"]["doc_id"]) == {"nonbmp"}
    nonbmp_windows = list(splits["dev"])
    mentions = [row["text"][s.start : s.end] for row in nonbmp_windows for s in tags_to_spans(row["tags"])]
    assert mentions == ["𠀀村", "巴中市恩阳区", "38.5亿元", "乡村振兴"]


def test_select_pushes_the_most_uncertain_reports_then_the_next_ones(studio_env, tiny_model, capsys):
    studio = studio_env
    pool = str(ROOT / "data" / "synthetic" / "reports")
    command = ["select", "--model", str(tiny_model), "--pool", pool, "-k", "2", "--push", "--project", "selection"]
    assert main(command) == 0
    first = [line.split("\t") for line in capsys.readouterr().out.splitlines()[1:3]]
    assert main(command) == 0
    second = [line.split("\t") for line in capsys.readouterr().out.splitlines()[1:3]]
    assert not {row[3] for row in first} & {row[3] for row in second}, "pushed reports are not selected again"
    assert float(first[-1][1]) >= float(second[0][1])
    tasks = tasks_by_doc(studio, studio.project("selection").id)
    assert sorted(tasks) == sorted(row[3] for row in first + second)
    for row in first + second:
        (prediction,) = tasks[row[3]]["predictions"]
        assert prediction["score"] == pytest.approx(1 - float(row[1]), abs=2e-4)  # task score = confidence


def test_offsets_that_do_not_fit_the_text_stop_the_pull(studio_env, tmp_path, capsys):
    studio = studio_env
    nonbmp = tmp_path / "nonbmp.txt"
    nonbmp.write_text(NONBMP_TEXT, encoding="utf-8")
    assert main(["studio", "push", str(nonbmp), "--project", "broken offsets"]) == 0
    (task,) = studio.tasks(studio.project("broken offsets").id, annotations=True)
    # A tool that saved code-point offsets as if they were UTF-16 ones:
    result = annotation_result(NONBMP_TEXT, [NONBMP_SPANS[1]])
    result[0]["value"].update(start=NONBMP_SPANS[1].start, end=NONBMP_SPANS[1].end)
    studio.annotate(task["id"], result)
    out = tmp_path / "pulled.json"
    assert main(["studio", "pull", "--project", "broken offsets", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"task {task['id']} (nonbmp): result 'a0': Label Studio says '巴中市恩阳区'" in err
    assert not out.exists()


def test_a_rejected_key_or_unknown_project_is_one_clear_line(label_studio, monkeypatch, capsys):
    url, _ = label_studio
    monkeypatch.setenv("LABEL_STUDIO_URL", url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "not-the-token-0123456789")
    assert main(["studio", "status"]) == 2
    err = capsys.readouterr().err
    assert "rejected the API key in LABEL_STUDIO_API_KEY" in err and "(HTTP 401: Invalid token.)" in err
    assert "not-the-token" not in err
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio[1])
    assert main(["studio", "pull", "--project", "no such project", "-o", "unused.json"]) == 2
    assert "no project 'no such project'" in capsys.readouterr().err
