"""Random bytes, file names, JSON shapes and Label Studio task structures never raise anything but GovnerError."""

from __future__ import annotations

import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govner.cli import main
from govner.data.document import Document, ReadError
from govner.data.labelstudio import load_documents
from govner.data.reader import read_documents
from govner.data.validate import validate_file
from govner.errors import GovnerError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 50), st.floats(allow_nan=False), st.text(max_size=8))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                                         max_size=4), max_leaves=20)
TEXT = "巴中市恩阳区投资38亿元。"
VALUES = st.fixed_dictionaries({}, optional={
    "start": st.one_of(st.integers(-2, 20), st.floats(0, 20), st.booleans(), st.text(max_size=2)),
    "end": st.one_of(st.integers(-2, 20), st.floats(0, 20), st.booleans(), st.none()),
    "labels": st.one_of(st.lists(st.sampled_from(["LOC", "ORG", "PERSON", "B-LOC"]), max_size=2), JSON),
    "text": st.one_of(st.text(max_size=6), JSON),
})
RESULTS = st.lists(st.one_of(st.fixed_dictionaries({"type": st.just("labels"), "value": st.one_of(VALUES, JSON)}),
                             JSON), max_size=4)
TASKS = st.one_of(
    st.fixed_dictionaries({}, optional={
        "id": st.one_of(st.integers(), st.text(max_size=4), JSON),
        "data": st.one_of(st.fixed_dictionaries({"text": st.one_of(st.just(TEXT), JSON)},
                                                optional={"doc_id": st.one_of(st.text(max_size=4), JSON)}), JSON),
        "annotations": st.one_of(st.lists(st.fixed_dictionaries({"result": st.one_of(RESULTS, JSON)},
                                                                 optional={"was_cancelled": JSON}), max_size=2), JSON),
    }),
    JSON,
)


def only_govner_errors(function, *args):
    try:
        return function(*args)
    except GovnerError:
        return None


@SETTINGS
@given(tasks=st.one_of(st.lists(TASKS, max_size=4), JSON))
def test_label_studio_files_of_any_shape(tmp_path_factory, tasks):
    path = tmp_path_factory.mktemp("ls") / "tasks.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    only_govner_errors(load_documents, path)
    problems, _ = validate_file(path)  # never raises: every problem is a line
    assert all(str(p) for p in problems)
    assert main(["annotations", "stats", str(path)]) in (0, 1, 2)


@SETTINGS
@given(data=st.binary(max_size=200), name=st.text(string.ascii_letters + "报告年._-", min_size=1, max_size=12),
       suffix=st.sampled_from([".txt", ".jsonl", ".TXT"]))
def test_any_bytes_under_any_name_read_as_documents_or_errors(tmp_path_factory, data, name, suffix):
    folder = tmp_path_factory.mktemp("in")
    (folder / (name + suffix)).write_bytes(data)
    (folder / "good.txt").write_text(TEXT, encoding="utf-8")
    docs, errors = read_documents([folder])
    assert [d.id for d in docs].count("good") == 1  # the good document of the batch, exactly once
    assert all(isinstance(d, Document) for d in docs) and all(isinstance(e, ReadError) for e in errors)
    json.dumps([*(d.id for d in docs), *(str(e) for e in errors)], ensure_ascii=False).encode("utf-8")


@SETTINGS
@given(lines=st.lists(st.one_of(JSON.map(json.dumps), st.text(max_size=20)), max_size=6))
def test_jsonl_lines_of_any_shape(tmp_path_factory, lines):
    folder = tmp_path_factory.mktemp("jsonl")
    good = json.dumps({"id": "good-doc", "text": TEXT}, ensure_ascii=False)
    (folder / "in.jsonl").write_text("\n".join([*lines, good]) + "\n", encoding="utf-8")
    docs, _ = read_documents([folder / "in.jsonl"])
    assert [d.id for d in docs].count("good-doc") <= 1
    assert all(isinstance(d.text, str) and d.text.strip() for d in docs)
