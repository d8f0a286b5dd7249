"""The Label Studio API boundary: connection, offsets, and the push, pull and status logic.

Everything govner keeps on disk counts offsets in Python code points; Label
Studio counts them the way JavaScript does, in UTF-16 code units. The two
differ after every character outside the Basic Multilingual Plane (CJK
extension B and later, such as 𠀀, and emoji), which take two UTF-16 units.
Converting here, and only here, keeps annotation files in one convention.

>>> offsets = OffsetMap("a😀巴中市")
>>> offsets.to_utf16(2), offsets.to_code_point(3)
(3, 2)

The connection comes from ``LABEL_STUDIO_URL`` and ``LABEL_STUDIO_API_KEY``.
The key is handed to the SDK and never printed, logged or put in an error.
Every API call goes through :meth:`Studio.call`, which turns the SDK's and
httpx's exceptions into a :class:`StudioError` that says what govner was doing
and what to check, without a traceback from inside the SDK.
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError, canonicalize

from govner.data.document import Document, Span
from govner.data.labelstudio import (
    AnnotationFileError,
    completed_annotation,
    label_results,
    span_result,
    task_document_id,
    task_to_document,
    write_documents,
)
from govner.data.validate import Problem, validate_file
from govner.errors import GovnerError

URL_ENV = "LABEL_STUDIO_URL"
KEY_ENV = "LABEL_STUDIO_API_KEY"
DEFAULT_PROJECT = "govner"
IMPORT_BATCH = 100  # tasks per import request: a report is up to ~15,000 characters
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

T = TypeVar("T")


class StudioError(GovnerError):
    """Something about Label Studio that stops a command: a missing setting, a refused key, a bad task."""


# --------------------------------------------------------------------------- offsets


class OffsetMap:
    """Offsets of one text in code points (Python) and UTF-16 code units (JavaScript, Label Studio).

    Built once per text so that converting every span of a long report costs a
    binary search each, not a scan of the text.

    >>> OffsetMap("𠀀𠀀").to_utf16(2), OffsetMap("𠀀𠀀").to_code_point(4)
    (4, 2)
    >>> OffsetMap("𠀀").to_code_point(1)
    Traceback (most recent call last):
    ...
    ValueError: UTF-16 offset 1 falls inside the surrogate pair of '𠀀' (code point 0)
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]  # code-point offsets of 2-unit characters
        self._astral_utf16 = [i + k for k, i in enumerate(self._astral)]  # the same, in UTF-16 units
        self.utf16_length = len(text) + len(self._astral)

    def to_utf16(self, offset: int) -> int:
        """The UTF-16 offset of code-point ``offset`` (0 to ``len(text)``)."""
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"code-point offset {offset} outside the text (length {len(self.text)})")
        return offset + bisect_left(self._astral, offset)

    def to_code_point(self, offset: int) -> int:
        """The code-point offset of UTF-16 ``offset``; raises if it splits a surrogate pair."""
        if not 0 <= offset <= self.utf16_length:
            raise ValueError(f"UTF-16 offset {offset} outside the text (length {self.utf16_length} in UTF-16)")
        before = bisect_left(self._astral_utf16, offset)  # 2-unit characters starting before offset
        if before and self._astral_utf16[before - 1] + 1 == offset:
            index = self._astral[before - 1]
            raise ValueError(
                f"UTF-16 offset {offset} falls inside the surrogate pair of {self.text[index]!r} (code point {index})"
            )
        return offset - before


def convert_result(result: Mapping[str, Any], convert: Callable[[int], int]) -> dict[str, Any]:
    """A copy of a ``labels`` result with ``value.start``/``value.end`` passed through ``convert``."""
    value = dict(result.get("value") or {})
    for key in ("start", "end"):
        if isinstance(value.get(key), int) and not isinstance(value.get(key), bool):
            value[key] = convert(value[key])
    return {**result, "value": value}


# --------------------------------------------------------------------------- payloads


def task_payload(doc: Document, prediction: dict[str, Any] | None = None) -> dict[str, Any]:
    """The import payload of one report: its text, id and source, and optionally one prediction."""
    payload: dict[str, Any] = {"data": {"text": doc.text, "doc_id": doc.id, "source": doc.source}}
    if prediction is not None:
        payload["predictions"] = [prediction]
    return payload


def prediction_payload(text: str, spans: Sequence[Span], model_version: str, score: float) -> dict[str, Any]:
    """A Label Studio prediction: UTF-16 results, each with its span's ``score``, plus the task-level ``score``.

    Label Studio shows the prediction as a pre-annotation and sorts and filters
    tasks by ``score`` and ``model_version``, so both are set.
    """
    offsets = OffsetMap(text)
    results = []
    for n, span in enumerate(sorted(spans)):
        result = convert_result(span_result(text, span, f"p{n}"), offsets.to_utf16)
        results.append({**result, "score": round(float(span.score if span.score is not None else 1.0), 4)})
    return {"model_version": model_version, "score": round(float(score), 4), "result": results}


def chosen_annotation(task: Mapping[str, Any]) -> dict[str, Any] | None:
    """The annotation a pulled task is trained on: a ground-truth one if any, else the first completed one.

    Label Studio lets a reviewer mark one annotation as ground truth when
    several people annotated a task; that is the one to learn from.
    """
    for annotation in task.get("annotations") or []:
        if isinstance(annotation, dict) and annotation.get("ground_truth") and not annotation.get("was_cancelled"):
            return annotation
    return completed_annotation(dict(task))


def pulled_document(task: Mapping[str, Any], where: str) -> Document:
    """The document of an annotated Label Studio task, spans in code points.

    Raises :class:`StudioError` naming the task when an offset splits a
    character or when Label Studio's ``value.text`` is not the text at the
    converted offsets: either means the offsets are not what the annotator
    saw, and training on them would teach the model wrong spans silently.
    """
    task_id = task.get("id")
    try:
        doc_id = task_document_id(dict(task))
    except AnnotationFileError:
        doc_id = str(task_id)
    label = f"{where}: task {task_id} ({doc_id})"
    text = (task.get("data") or {}).get("text")
    annotation = chosen_annotation(task)
    if not isinstance(text, str):
        raise StudioError(f"{label}: data.text is missing or not a string")
    if annotation is None:
        raise StudioError(f"{label}: has no completed annotation")
    offsets = OffsetMap(text)
    results = []
    for result in label_results(annotation):
        try:
            converted = convert_result(result, offsets.to_code_point)
        except ValueError as err:
            raise StudioError(f"{label}: result {result.get('id')!r}: {err}") from None
        value = converted["value"]
        start, end = value.get("start"), value.get("end")
        if "text" in value and isinstance(start, int) and isinstance(end, int) and value["text"] != text[start:end]:
            raise StudioError(
                f"{label}: result {result.get('id')!r}: Label Studio says {value['text']!r} but code points "
                f"[{start}, {end}) hold {text[start:end]!r}"
            )
        results.append(converted)
    converted_task = {"id": task_id, "data": task.get("data"), "annotations": [{**annotation, "result": results}]}
    try:
        doc = task_to_document(converted_task, source=label)
    except (AnnotationFileError, ValueError) as err:
        raise StudioError(str(err)) from None
    doc.source = str((task.get("data") or {}).get("source") or f"{where}/task {task_id}")
    return doc


def write_atomically(path: str | Path, docs: list[Document]) -> None:
    """Write ``docs`` as an annotation file, replacing ``path`` only once the whole file is written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")  # same folder, so the rename cannot cross file systems
    try:
        write_documents(partial, docs)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def same_label_config(a: str, b: str) -> bool:
    """Whether two labeling configs are the same XML, ignoring white space between tags."""
    try:
        return canonicalize(a, strip_text=True) == canonicalize(b, strip_text=True)
    except ParseError:
        return a.strip() == b.strip()


# --------------------------------------------------------------------------- the client


SECRET_PARAMETERS = re.compile(r"(?i)token|key|secret|password|auth|signature")


def redact_url(url: str) -> str:
    """``url`` as it may be printed: no user or password, no value of a token-like query parameter.

    >>> redact_url("https://bob:pw@ls.example.org:8080/path?token=abc&page=2")
    'https://***@ls.example.org:8080/path?token=***&page=2'
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "<the URL in LABEL_STUDIO_URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, "***" if SECRET_PARAMETERS.search(k) else v) for k, v in pairs]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), parts.fragment))


def _api_error_detail(err: Any) -> str:
    """The server's explanation in an SDK ``ApiError``, short (its ``str`` would include response headers)."""
    body = getattr(err, "body", None)
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("validation_errors") or body
        return json.dumps(detail, ensure_ascii=False)[:500] if not isinstance(detail, str) else detail[:500]
    return str(body)[:500] if body else "no detail"


@dataclass
class Studio:
    """A connected Label Studio: the SDK client and the URL it talks to (the key stays inside the client)."""

    client: Any
    url: str
    _projects: dict[int, Any] = field(default_factory=dict, repr=False)
    _key: str = field(default="", repr=False)  # only to take it out of anything a server echoes back

    @property
    def shown_url(self) -> str:
        """The URL as messages print it (:func:`redact_url`)."""
        return redact_url(self.url)

    def _clean(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Studio:
        """Connect with ``LABEL_STUDIO_URL`` and ``LABEL_STUDIO_API_KEY`` and check that the key is accepted."""
        environ = os.environ if environ is None else environ
        url = (environ.get(URL_ENV) or "").strip().rstrip("/")
        key = (environ.get(KEY_ENV) or "").strip()
        missing = [name for name, value in ((URL_ENV, url), (KEY_ENV, key)) if not value]
        if missing:
            raise StudioError(
                f"{' and '.join(missing)} not set: export {URL_ENV}=http://localhost:8080 (where Label Studio runs) "
                f"and {KEY_ENV}=<the access token from Label Studio's Account & Settings page>"
            )
        return cls.connect(url, key)

    @classmethod
    def connect(cls, url: str, api_key: str) -> Studio:
        """Connect to ``url`` with ``api_key`` and check, with one request, that the key is accepted."""
        try:
            from label_studio_sdk import LabelStudio
        except ImportError:
            raise StudioError(
                "the Label Studio client is not installed: pip install 'govner[studio]' (label-studio-sdk 2.x)"
            ) from None
        studio = cls(client=None, url=url, _key=api_key)
        studio.client = studio.call("checking the API key", lambda: LabelStudio(base_url=url, api_key=api_key))
        studio.call("checking the API key", studio.client.users.whoami)
        return studio

    def call(self, action: str, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)``, with SDK and network errors turned into a :class:`StudioError`."""
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        try:
            return function(*args, **kwargs)
        except httpx.TransportError as err:
            raise StudioError(
                f"cannot reach Label Studio at {self.shown_url} while {action}: "
                f"{self._clean(redact_url(str(err))) if str(err) else type(err).__name__}; "
                f"is it running, and is {URL_ENV} right?"
            ) from None
        except ApiError as err:
            status = err.status_code
            if status in (401, 403):
                raise StudioError(
                    f"Label Studio at {self.shown_url} rejected the API key in {KEY_ENV} while {action} "
                    f"(HTTP {status}: {self._clean(_api_error_detail(err))}); copy the access token from Account & "
                    "Settings"
                ) from None
            raise StudioError(
                f"Label Studio at {self.shown_url} answered HTTP {status} while {action}: "
                f"{self._clean(_api_error_detail(err))}"
            ) from None

    # ----------------------------------------------------------------------- projects

    def find_project(self, ref: str) -> Any | None:
        """The project whose id (all digits) or exact title is ``ref``, or None."""
        if ref.isdigit():
            projects = self.call(f"looking up project {ref}", lambda: list(self.client.projects.list(ids=ref)))
            matches = [p for p in projects if str(p.id) == ref]
        else:
            projects = self.call(f"looking up project {ref!r}", lambda: list(self.client.projects.list(title=ref)))
            matches = [p for p in projects if p.title == ref]
        if len(matches) > 1:
            ids = ", ".join(str(p.id) for p in matches)
            raise StudioError(f"{len(matches)} projects are titled {ref!r} (ids {ids}); pass --project with an id")
        return self.call(f"reading project {ref!r}", self.client.projects.get, matches[0].id) if matches else None

    def project(self, ref: str) -> Any:
        """The project ``ref`` (id or title); raises if there is none."""
        found = self.find_project(ref)
        if found is None:
            raise StudioError(
                f"no project {ref!r} in Label Studio at {self.shown_url}; "
                f"create it with: govner studio project --project {ref}"
            )
        return found

    def ensure_project(self, title: str, label_config: str, *, update_config: bool = False) -> tuple[Any, str]:
        """The project ``title``, created with ``label_config`` if missing; returns it and what was done.

        An existing project with a different labeling config is an error unless
        ``update_config``: its labels decide what annotators can produce.
        """
        project = self.find_project(title)
        if project is None:
            created = self.call(
                f"creating project {title!r}",
                self.client.projects.create,
                title=title,
                label_config=label_config,
                description="govner: LOC, ORG, AMOUNT, SLOGAN (annotations/GUIDELINES.md)",
            )
            return self.call(f"reading project {title!r}", self.client.projects.get, created.id), "created"
        if same_label_config(project.label_config or "", label_config):
            return project, "exists"
        if not update_config:
            raise StudioError(
                f"project {project.title!r} (id {project.id}) has a different labeling config; rerun "
                f"'govner studio project --project {project.id} --update-config' to replace it with govner's"
            )
        self.call(f"updating the config of project {project.id}", self.client.projects.update, project.id,
                  label_config=label_config)
        return self.call(f"reading project {project.id}", self.client.projects.get, project.id), "config updated"

    def project_url(self, project: Any) -> str:
        """The address of a project's data manager, to open in a browser."""
        return f"{self.shown_url}/projects/{project.id}/data"

    # ----------------------------------------------------------------------- tasks

    def tasks(self, project_id: int, *, include: str | None = None, annotations: bool = False) -> list[dict[str, Any]]:
        """All tasks of a project as plain JSON dicts (``include`` limits the fields, to keep lists light)."""
        fields = "all" if annotations else "task_only"

        def fetch() -> list[dict[str, Any]]:
            pager = self.client.tasks.list(project=project_id, fields=fields, include=include, page_size=100)
            return [task.model_dump(mode="json", exclude_none=True) for task in pager]

        return self.call(f"listing the tasks of project {project_id}", fetch)

    def import_tasks(self, project_id: int, payloads: Sequence[dict[str, Any]]) -> int:
        """Import task payloads (with their predictions) in batches; returns how many tasks were created."""
        created = 0
        for first in range(0, len(payloads), IMPORT_BATCH):
            batch = list(payloads[first : first + IMPORT_BATCH])
            response = self.call(
                f"importing {len(batch)} task(s) into project {project_id}",
                self.client.projects.import_tasks,
                project_id,
                request=batch,
            )
            created += getattr(response, "task_count", None) or len(batch)
        return created

    def set_model_version(self, project_id: int, model_version: str) -> None:
        """Make ``model_version``'s predictions the ones Label Studio shows as pre-annotations."""
        self.call(f"setting the model version of project {project_id}", self.client.projects.update, project_id,
                  model_version=model_version)

    def annotate(self, task_id: int, result: list[dict[str, Any]]) -> Any:
        """Create a completed annotation on a task, as an annotator's submit would (``result`` in UTF-16)."""
        return self.call(f"annotating task {task_id}", self.client.annotations.create, task_id, result=result,
                         was_cancelled=False)


# --------------------------------------------------------------------------- push, pull, status


@dataclass
class PushSummary:
    """What a push did: tasks created, how many with predictions, and the ids skipped as already there."""

    created: int = 0
    predicted: int = 0
    skipped: list[str] = field(default_factory=list)


def existing_doc_ids(studio: Studio, project_id: int) -> set[str]:
    """The document ids of a project's tasks (``data.doc_id``, else ``data.id``, else the task id)."""
    return {task_document_id(task) for task in studio.tasks(project_id, include="id,data")}


def push_documents(
    studio: Studio,
    project_id: int,
    docs: Iterable[Document],
    predictions: Mapping[str, dict[str, Any]] | None = None,
) -> PushSummary:
    """Create one task per document not yet in the project, with its prediction when ``predictions`` has one.

    Documents already in the project (same id) are skipped rather than
    duplicated, so pushing a folder again after adding reports adds only the
    new ones.
    """
    predictions = predictions or {}
    seen = existing_doc_ids(studio, project_id)
    summary = PushSummary()
    payloads = []
    for doc in docs:
        if doc.id in seen:
            summary.skipped.append(doc.id)
            continue
        seen.add(doc.id)
        prediction = predictions.get(doc.id)
        payloads.append(task_payload(doc, prediction))
        summary.predicted += prediction is not None
    summary.created = studio.import_tasks(project_id, payloads) if payloads else 0
    versions = {p["model_version"] for p in predictions.values()}
    if summary.predicted and len(versions) == 1:
        studio.set_model_version(project_id, versions.pop())
    return summary


@dataclass
class PullSummary:
    """What a pull wrote: the file, tasks seen and written, span counts, and the file's validation problems."""

    path: Path
    tasks: int
    annotated: int
    spans: Counter
    problems: list[Problem]


def pull_annotations(studio: Studio, project_id: int, output: str | Path) -> PullSummary:
    """Write a project's annotated tasks to ``output`` in govner's format (code points), then validate it.

    The file is written only when every task converts cleanly (see
    :func:`pulled_document`); validation problems (a span with trailing white
    space, an overlap) are returned, not raised, so the annotator can fix them
    in Label Studio and pull again.
    """
    tasks = studio.tasks(project_id, annotations=True)
    where = f"{studio.shown_url}/projects/{project_id}"
    docs = [pulled_document(task, where) for task in tasks if chosen_annotation(task) is not None]
    write_atomically(output, docs)
    problems, spans = validate_file(output)
    return PullSummary(Path(output), len(tasks), len(docs), spans, problems)


@dataclass(frozen=True)
class ProjectStatus:
    """Task counts of a project: all, annotated (a completed annotation), skipped only, with predictions."""

    tasks: int
    annotated: int
    skipped: int
    predicted: int

    @property
    def to_annotate(self) -> int:
        return self.tasks - self.annotated - self.skipped


def project_status(studio: Studio, project_id: int) -> ProjectStatus:
    """Count a project's tasks by state, from the task list (light fields only)."""
    tasks = studio.tasks(project_id, include="id,total_annotations,cancelled_annotations,total_predictions")
    annotated = sum(1 for t in tasks if (t.get("total_annotations") or 0) > 0)
    skipped = sum(1 for t in tasks if not t.get("total_annotations") and (t.get("cancelled_annotations") or 0) > 0)
    predicted = sum(1 for t in tasks if (t.get("total_predictions") or 0) > 0)
    return ProjectStatus(len(tasks), annotated, skipped, predicted)


__all__ = [
    "DEFAULT_PROJECT",
    "KEY_ENV",
    "URL_ENV",
    "OffsetMap",
    "ProjectStatus",
    "PullSummary",
    "PushSummary",
    "Studio",
    "StudioError",
    "chosen_annotation",
    "convert_result",
    "existing_doc_ids",
    "prediction_payload",
    "project_status",
    "pull_annotations",
    "pulled_document",
    "push_documents",
    "same_label_config",
    "task_payload",
]
