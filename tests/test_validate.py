"""Each kind of corruption of an annotation file is reported with file, task and offsets."""

import pytest

from govner.cli import main
from govner.data.validate import edge_problems, validate_file
from helpers import TEXT, task


def problems_of(write_tasks, tasks):
    path = write_tasks(tasks)
    problems, _ = validate_file(path)
    return path, problems


def test_valid_file_has_no_problems_and_counts_labels(write_tasks):
    path, problems = problems_of(write_tasks, [task()])
    assert problems == []
    assert validate_file(path)[1] == {"LOC": 1, "AMOUNT": 2, "SLOGAN": 1}


@pytest.mark.parametrize(
    "value, message",
    [
        ({"start": 30, "end": 99, "labels": ["LOC"]}, "outside the text"),
        ({"start": -1, "end": 3, "labels": ["LOC"]}, "outside the text"),
        ({"start": 4, "end": 4, "labels": ["LOC"]}, "outside the text"),
        ({"start": "0", "end": 3, "labels": ["LOC"]}, "not integers"),
        ({"start": 0, "end": 3, "labels": ["PER"]}, "unknown label 'PER'"),
        ({"start": 0, "end": 3, "labels": ["LOC", "ORG"]}, "exactly one label"),
        ({"start": 0, "end": 3, "text": "巴中", "labels": ["LOC"]}, "!= text[start:end]"),
        ({"start": 6, "end": 12, "labels": ["LOC"]}, "starts with punctuation ("),
        ({"start": 14, "end": 20, "labels": ["AMOUNT"]}, "ends with punctuation ，"),
        ({"start": 31, "end": 39, "labels": ["SLOGAN"]}, "starts with punctuation “"),
        ({"start": 3, "end": 10, "labels": ["LOC"]}, "pronunciation note"),
    ],
)
def test_each_span_corruption_is_reported(write_tasks, value, message):
    path, problems = problems_of(write_tasks, [task(values=[value])])
    assert len(problems) >= 1
    assert any(message in p.message for p in problems), [str(p) for p in problems]
    assert all(str(p).startswith(f"{path}: task doc1") for p in problems)


def test_white_space_at_edges_and_missing_text(write_tasks):
    text = "恩阳区 投资"
    _, problems = problems_of(write_tasks, [task(text, [{"start": 0, "end": 4, "labels": ["LOC"]}])])
    assert [p.message for p in problems] == ["span ends with white space"]
    value = {"start": 0, "end": 3, "labels": ["LOC"], "text": None}
    _, problems = problems_of(write_tasks, [task(text, [value])])
    assert "value.text None" in problems[0].message


def test_overlap_is_reported_with_both_spans(write_tasks):
    values = [{"start": 0, "end": 6, "labels": ["LOC"]}, {"start": 3, "end": 6, "labels": ["LOC"]}]
    _, problems = problems_of(write_tasks, [task(values=values)])
    assert len(problems) == 1
    assert problems[0].message.startswith("overlaps span [0, 6)")
    assert (problems[0].start, problems[0].end) == (3, 6)


def test_allowed_edges():
    assert edge_problems("9.6%") == []
    assert edge_problems("本信电子科技(重庆)") == []
    assert edge_problems("区委统战部部长与民营企业沟通协商‘面对面’") == []
    assert edge_problems("重庆)") == ["span ends with punctuation )"]


@pytest.mark.parametrize(
    "tasks, message",
    [
        ([{"id": 3, "data": {"text": TEXT}, "annotations": []}], "no completed annotation"),
        ([{"id": 3, "data": {"text": TEXT}, "annotations": [{"was_cancelled": True, "result": []}]}],
         "no completed annotation"),
        ([{"id": 3, "data": {"text": TEXT}, "annotations": [{"result": []}]}], "empty result"),
        ([{"id": 3, "data": {}, "annotations": []}], "data.text is missing"),
        ([{"id": 3, "data": {"text": "  "}, "annotations": []}], "data.text is empty"),
        ([task(), task()], "duplicate document id"),
        (["not a task"], "task #0 is not a JSON object"),
        ({"tasks": []}, "expected a JSON list of tasks"),
    ],
)
def test_task_level_problems(write_tasks, tasks, message):
    _, problems = problems_of(write_tasks, tasks)
    assert any(message in p.message for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (b'[{"id": 1,\n "data": }]', ":2:10: invalid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8"),
    ],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    problems, _ = validate_file(path)
    assert len(problems) == 1
    assert message in str(problems[0])
    assert str(problems[0]).startswith(str(path))


def test_cli_reports_every_problem_and_exits_nonzero(write_tasks, capsys):
    good = write_tasks([task()], "good.json")
    bad = write_tasks([task(values=[{"start": 0, "end": 3, "labels": ["PER"]}]), task(doc_id="x", values=[])],
                      "bad.json")
    assert main(["annotations", "validate", str(good)]) == 0
    assert main(["annotations", "validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [
        f"{bad}: task doc1 [0, 3): unknown label 'PER' (known: LOC, ORG, AMOUNT, SLOGAN)",
        f"{bad}: task x: annotation has an empty result",
    ]
