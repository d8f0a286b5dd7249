"""Read and write annotation files in Label Studio's JSON export format.

A file is a JSON list of tasks. Each task holds the original report text in
``data.text`` and the spans of its first completed annotation in
``annotations[*].result[*].value`` (``start``, ``end``, ``text``, ``labels``),
with ``from_name: label``, ``to_name: text``, ``type: labels``: the same file
a real Label Studio exports, so exports load as they are.

Offsets here are Python code points. Label Studio itself counts UTF-16 code
units; the conversion happens at the Label Studio API boundary, not in files.

>>> doc = Document("d1", "巴中市恩阳区", "inline", [Span(0, 6, "LOC")])
>>> task = document_to_task(doc, task_id=1)
>>> task["annotations"][0]["result"][0]["value"]
{'start': 0, 'end': 6, 'text': '巴中市恩阳区', 'labels': ['LOC']}
>>> task_to_document(task, source="inline").spans
[Span(start=0, end=6, label='LOC')]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govner.data.document import Document, Span
from govner.data.jsontext import JsonError, load_json
from govner.errors import GovnerError

FROM_NAME = "label"
TO_NAME = "text"


class AnnotationFileError(GovnerError, ValueError):
    """A file or task that cannot be read as Label Studio annotations.

    ``where`` is the file, with ``:line:column`` when known, and ``reason`` what is wrong.
    """

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where, self.reason = where, reason


def read_json(path: str | Path) -> Any:
    """Parse a JSON file, turning decoding and syntax errors into messages with file:line:column."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise AnnotationFileError(str(path), f"cannot read: {err.strerror}") from None
    if not raw.strip():
        raise AnnotationFileError(str(path), "empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise AnnotationFileError(str(path), f"not UTF-8: invalid byte at offset {err.start}") from None
    try:
        return load_json(text)
    except JsonError as err:
        where = f"{path}:{err.line}:{err.column}" if err.line is not None else str(path)
        raise AnnotationFileError(where, f"invalid JSON: {err.message}") from None


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (the caller reports what is missing)."""
    return value if isinstance(value, dict) else {}


def task_document_id(task: dict[str, Any]) -> str:
    """A task's document id: ``data.doc_id``, else ``data.id``, else the Label Studio task id."""
    data = _mapping(task.get("data"))
    for value in (data.get("doc_id"), data.get("id"), task.get("id")):
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
    raise AnnotationFileError("task", "has no doc_id, data.id or id (a string or an integer)")


def completed_annotation(task: dict[str, Any]) -> dict[str, Any] | None:
    """The first annotation of ``task`` that was not cancelled, or None."""
    annotations = task.get("annotations")
    for annotation in annotations if isinstance(annotations, list) else []:
        if isinstance(annotation, dict) and not annotation.get("was_cancelled"):
            return annotation
    return None


def label_results(annotation: dict[str, Any]) -> list[dict[str, Any]]:
    """The span results of an annotation (other result types, such as relations, are skipped)."""
    results = annotation.get("result")
    if not isinstance(results, list):
        return []
    return [r for r in results if isinstance(r, dict) and r.get("type", "labels") == "labels"]


def task_to_document(task: dict[str, Any], source: str) -> Document:
    """The document of a task with its gold spans; raises ``AnnotationFileError`` on a malformed task."""
    doc_id = task_document_id(task)
    where = f"{source}: task {doc_id}"
    text = _mapping(task.get("data")).get("text")
    if not isinstance(text, str):
        raise AnnotationFileError(where, "data.text is missing or not a string")
    annotation = completed_annotation(task)
    spans = []
    for result in label_results(annotation) if annotation else []:
        spans.append(result_span(result.get("value"), text, where))
    return Document(doc_id, text, source, sorted(spans), meta={"annotated": annotation is not None})


def result_span(value: Any, text: str, where: str) -> Span:
    """The span of one result's ``value``, checked as ``govner annotations validate`` checks it.

    Offsets must be integers (not ``46.9``, not ``true``) inside the text, ``labels`` a list of
    one known label; anything else raises :class:`AnnotationFileError`, so a loader never
    silently truncates or trains on what the validator rejects.
    """
    from govner.labels import LABELS

    if not isinstance(value, dict):
        raise AnnotationFileError(where, f"a result's value is not an object: {str(value)[:80]!r}")
    start, end, labels = value.get("start"), value.get("end"), value.get("labels")
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
        raise AnnotationFileError(where, f"start and end must be whole numbers, got {start!r} and {end!r}")
    if not 0 <= start < end <= len(text):
        raise AnnotationFileError(where, f"span [{start}, {end}) is not inside the text ({len(text)} characters)")
    if not isinstance(labels, list) or len(labels) != 1 or labels[0] not in LABELS:
        raise AnnotationFileError(where, f"[{start}, {end}): labels must be one of {', '.join(LABELS)}, got "
                                  f"{str(labels)[:80]}")
    return Span(start, end, labels[0])


def load_documents(path: str | Path, *, annotated_only: bool = True) -> list[Document]:
    """Documents of a Label Studio export; by default only tasks with a completed annotation."""
    data = read_json(path)
    if not isinstance(data, list):
        raise AnnotationFileError(str(path), f"expected a JSON list of tasks, got {type(data).__name__}")
    docs = []
    for i, task in enumerate(data):
        if not isinstance(task, dict):
            raise AnnotationFileError(str(path), f"task #{i} is not an object")
        doc = task_to_document(task, source=str(path))
        if doc.meta["annotated"] or not annotated_only:
            docs.append(doc)
    return docs


def span_result(text: str, span: Span, result_id: str) -> dict[str, Any]:
    """One Label Studio ``labels`` result for ``span`` of ``text``."""
    return {
        "id": result_id,
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "value": {"start": span.start, "end": span.end, "text": text[span.start : span.end], "labels": [span.label]},
    }


def document_to_task(doc: Document, task_id: int) -> dict[str, Any]:
    """A Label Studio task holding ``doc.text`` and ``doc.spans`` as one completed annotation."""
    result = [span_result(doc.text, span, f"{task_id}-{n}") for n, span in enumerate(sorted(doc.spans))]
    return {
        "id": task_id,
        "data": {"text": doc.text, "doc_id": doc.id, "source": doc.source},
        "annotations": [{"id": task_id, "result": result, "was_cancelled": False}],
    }


def write_documents(path: str | Path, docs: list[Document]) -> None:
    """Write ``docs`` as a Label Studio JSON file (UTF-8, readable diffs: one result per line)."""
    tasks = [document_to_task(doc, task_id=i) for i, doc in enumerate(docs, 1)]
    Path(path).write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
