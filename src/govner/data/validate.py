"""Check annotation files against the span rules of the annotation guideline.

Validation never stops at the first problem: it reads every task of every
file and reports each problem with the file, the task and the offsets, so a
researcher can fix an export in one pass.

>>> text = "恩阳区 投资38亿元。"
>>> [p.message for p in check_spans(text, [{"start": 0, "end": 4, "text": "恩阳区 ", "labels": ["LOC"]}])]
['span ends with white space']
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from govner.data.labelstudio import (
    AnnotationFileError,
    completed_annotation,
    label_results,
    read_json,
    task_document_id,
)
from govner.data.normalize import PINYIN_NOTE
from govner.labels import LABELS, QUOTE_PAIRS

# A span may end with a closing bracket or quotation mark whose opener is inside it.
CLOSING_TO_OPENING = {**dict(zip(")）]】》", "(（[【《", strict=True)),
                      **{close: open_ for open_, close in QUOTE_PAIRS.items()}}
PERCENT = {"%", "％", "‰"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an annotation file, located as precisely as it can be."""

    file: str
    message: str
    task: str | None = None
    start: int | None = None
    end: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.task is not None:
            where += f": task {self.task}"
        if self.start is not None:
            where += f" [{self.start}, {self.end})"
        return f"{where}: {self.message}"


def _is_punct(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def edge_problems(mention: str) -> list[str]:
    """Guideline violations at the edges of a mention's text.

    >>> edge_problems("“三年行动")
    ['span starts with punctuation “']
    >>> edge_problems("广安区(qū)")
    ['span ends with a pronunciation note, which the guideline leaves out']
    >>> edge_problems("9.6%"), edge_problems("本信电子(重庆)")
    ([], [])
    """
    problems = []
    if mention[0].isspace():
        problems.append("span starts with white space")
    elif _is_punct(mention[0]):
        problems.append(f"span starts with punctuation {mention[0]}")
    last = mention[-1]
    if last.isspace():
        problems.append("span ends with white space")
    elif _is_punct(last) and last not in PERCENT:
        opener = CLOSING_TO_OPENING.get(last)
        if opener is None or opener not in mention[:-1]:
            problems.append(f"span ends with punctuation {last}")
        elif PINYIN_NOTE.search(mention[-16:]) and PINYIN_NOTE.search(mention[-16:]).end() == len(mention[-16:]):
            problems.append("span ends with a pronunciation note, which the guideline leaves out")
    return problems


def check_spans(text: str, values: list[dict[str, Any]]) -> list[Problem]:
    """Problems of the result ``values`` of one annotation over ``text`` (file and task left unset)."""
    problems: list[Problem] = []
    good: list[tuple[int, int]] = []
    for value in values:
        start, end = value.get("start"), value.get("end")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            problems.append(Problem("", f"start/end are not integers: {start!r}, {end!r}"))
            continue
        if not 0 <= start < end <= len(text):
            problems.append(Problem("", f"span outside the text (length {len(text)}) or empty", None, start, end))
            continue
        mention = text[start:end]
        labels = value.get("labels")
        if not isinstance(labels, list) or len(labels) != 1:
            problems.append(Problem("", f"expected exactly one label, got {labels!r}", None, start, end))
        elif labels[0] not in LABELS:
            problems.append(Problem("", f"unknown label {labels[0]!r} (known: {', '.join(LABELS)})", None, start, end))
        if "text" not in value:
            problems.append(Problem("", "value.text is missing", None, start, end))
        elif value["text"] != mention:
            message = f"value.text {value['text']!r} != text[start:end] {mention!r}"
            problems.append(Problem("", message, None, start, end))
        for message in edge_problems(mention):
            problems.append(Problem("", message, None, start, end))
        good.append((start, end))
    good.sort()
    for (s1, e1), (s2, e2) in pairwise(good):
        if s2 < e1:
            problems.append(Problem("", f"overlaps span [{s1}, {e1}) {text[s1:e1]!r}", None, s2, e2))
    return problems


def validate_task(task: Any, file: str, index: int) -> list[Problem]:
    """Problems of one task of an annotation file."""
    if not isinstance(task, dict):
        return [Problem(file, f"task #{index} is not a JSON object")]
    try:
        task_id = task_document_id(task)
    except AnnotationFileError:
        task_id = f"#{index}"
    text = (task.get("data") or {}).get("text") if isinstance(task.get("data"), dict) else None
    if not isinstance(text, str):
        return [Problem(file, "data.text is missing or not a string", task_id)]
    if not text.strip():
        return [Problem(file, "data.text is empty", task_id)]
    annotation = completed_annotation(task)
    if annotation is None:
        return [Problem(file, "no completed annotation", task_id)]
    results = label_results(annotation)
    if not results:
        return [Problem(file, "annotation has an empty result", task_id)]
    problems = []
    for result in results:
        if result.get("from_name", "label") != "label" or result.get("to_name", "text") != "text":
            problems.append(Problem(file, f"result {result.get('id')!r} is not from 'label' to 'text'", task_id))
    values = [r.get("value") if isinstance(r.get("value"), dict) else {} for r in results]
    for p in check_spans(text, values):
        problems.append(Problem(file, p.message, task_id, p.start, p.end))
    return problems


def validate_file(path: str | Path) -> tuple[list[Problem], Counter]:
    """All problems in one annotation file and the span count per label."""
    file = str(path)
    try:
        data = read_json(path)
    except AnnotationFileError as err:
        return [Problem(err.where, err.reason)], Counter()
    if not isinstance(data, list):
        return [Problem(file, f"expected a JSON list of tasks, got {type(data).__name__}")], Counter()
    problems: list[Problem] = []
    counts: Counter = Counter()
    seen_ids: set[str] = set()
    for index, task in enumerate(data):
        problems.extend(validate_task(task, file, index))
        if isinstance(task, dict):
            try:
                doc_id = task_document_id(task)
            except AnnotationFileError:
                continue
            if doc_id in seen_ids:
                problems.append(Problem(file, "duplicate document id", doc_id))
            seen_ids.add(doc_id)
            annotation = completed_annotation(task)
            for result in label_results(annotation) if annotation else []:
                labels = result.get("value").get("labels") if isinstance(result.get("value"), dict) else None
                valid = isinstance(labels, list) and len(labels) == 1 and isinstance(labels[0], str)
                counts[labels[0] if valid else "?"] += 1
    return problems, counts
