"""``govner studio`` and ``govner select``: command-line wiring of the Label Studio loop.

The commands only parse options, read reports, run the model and print; the
API work is in :mod:`govner.annotations.studio` and the ranking in
:mod:`govner.annotations.select`. Exit codes: 0 done, 1 done but some input
could not be read or the pulled file has problems, 2 nothing done (missing
setting, refused key, unreachable server, bad task).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govner.labels import LABELS

DEFAULT_LABEL_CONFIG = "annotations/label_config.xml"
CONNECTION_HELP = (
    "Connects to LABEL_STUDIO_URL with the access token in LABEL_STUDIO_API_KEY (see docs/label-studio.md)."
)


def read_label_config(path: str | Path) -> str:
    """The labeling config XML; a clear error when the file is not there."""
    from govner.annotations.studio import StudioError

    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise StudioError(
            f"{path}: cannot read the labeling config ({err.strerror}); run from the govner checkout "
            "or pass --label-config"
        ) from None


def model_version_of(model: str | Path) -> str:
    """``<folder name>-<first 8 hex of the weights' SHA-256>``: retraining into the same folder is a new version."""
    folder = Path(model).resolve()
    weights = next((folder / n for n in ("model.safetensors", "pytorch_model.bin") if (folder / n).exists()), None)
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:8] if weights else "unknown"
    return f"{folder.name}-{digest}"


def model_predictions(
    tagger: Any, docs: Sequence[Any], model_version: str, uncertainties: Sequence[float] | None = None
) -> dict[str, dict[str, Any]]:
    """Label Studio predictions of ``docs`` by ``tagger``, keyed by document id.

    Each result's ``score`` is the entity's mean character probability; the
    task's ``score`` is ``1 - uncertainty`` as ``govner select`` measures it, so
    sorting by prediction score in Label Studio puts the least sure tasks first.
    """
    from govner.annotations.studio import prediction_payload

    analyses = tagger.analyze([doc.text for doc in docs])  # one pass: entities and confidence together
    if uncertainties is None:
        uncertainties = [1.0 - analysis.confidence for analysis in analyses]
    predictions = {}
    for doc, analysis, unsure in zip(docs, analyses, uncertainties, strict=True):
        predictions[doc.id] = prediction_payload(doc.text, analysis.entities, model_version, 1.0 - unsure)
    return predictions


def read_reports(inputs: Sequence[str]) -> tuple[list[Any], int]:
    """Documents of ``inputs`` and how many could not be read (each printed to stderr)."""
    from govner.data.reader import read_documents

    docs, errors = read_documents(inputs)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return docs, len(errors)


def push_with_predictions(args: argparse.Namespace, docs: Sequence[Any], tagger: Any = None,
                          uncertainties: Sequence[float] | None = None) -> int:
    """Connect, make sure the project exists, push ``docs`` (with predictions when there is a model)."""
    from govner.annotations.studio import Studio, push_documents

    studio = Studio.from_env()
    project, _ = studio.ensure_project(args.project, read_label_config(args.label_config))
    predictions = None
    if tagger is not None:
        version = args.model_version or model_version_of(args.model)
        predictions = model_predictions(tagger, docs, version, uncertainties)
    summary = push_documents(studio, project.id, docs, predictions)
    print(f"pushed {summary.created} task(s) to project {project.id} ({project.title!r}), "
          f"{summary.predicted} with predictions; {len(summary.skipped)} already there")
    for doc_id in summary.skipped:
        print(f"  skipped {doc_id}: a task with this doc_id is already in the project", file=sys.stderr)
    print(studio.project_url(project))
    return 0


def cmd_studio_project(args: argparse.Namespace) -> int:
    from govner.annotations.studio import Studio

    studio = Studio.from_env()
    project, what = studio.ensure_project(args.project, read_label_config(args.label_config),
                                          update_config=args.update_config)
    print(f"project {project.id} ({project.title!r}): {what}")
    print(studio.project_url(project))
    return 0


def cmd_studio_push(args: argparse.Namespace) -> int:
    docs, failed = read_reports(args.inputs)
    tagger = None
    if args.model:
        from govner.inference.tagger import Tagger

        tagger = Tagger.from_pretrained(args.model)
    push_with_predictions(args, docs, tagger)
    return 1 if failed else 0


def cmd_studio_pull(args: argparse.Namespace) -> int:
    from govner.annotations.studio import Studio, pull_annotations

    studio = Studio.from_env()
    project = studio.project(args.project)
    summary = pull_annotations(studio, project.id, args.output)
    counts = ", ".join(f"{label} {summary.spans.get(label, 0)}" for label in LABELS)
    print(f"wrote {summary.annotated} annotated task(s) of {summary.tasks} to {summary.path}; "
          f"{sum(summary.spans.values())} spans ({counts})")
    for problem in summary.problems:
        print(problem)
    if summary.problems:
        print(f"{summary.path}: {len(summary.problems)} problem(s); fix them in Label Studio and pull again",
              file=sys.stderr)
    return 1 if summary.problems else 0


def cmd_studio_status(args: argparse.Namespace) -> int:
    from govner.annotations.studio import Studio, project_status

    studio = Studio.from_env()
    project = studio.project(args.project)
    status = project_status(studio, project.id)
    print(f"project {project.id} ({project.title!r}) at {studio.project_url(project)}")
    print(f"tasks       {status.tasks}")
    print(f"annotated   {status.annotated}")
    print(f"skipped     {status.skipped}")
    print(f"to annotate {status.to_annotate}")
    print(f"predicted   {status.predicted}" + (f" (model {project.model_version})" if project.model_version else ""))
    return 0


def cmd_select(args: argparse.Namespace) -> int:
    from govner.annotations.select import rank_documents
    from govner.data.document import ReadError
    from govner.data.labelstudio import load_documents
    from govner.data.reader import iter_documents
    from govner.inference.tagger import Tagger

    exclude = {doc.id for path in args.exclude for doc in load_documents(path, annotated_only=False)}
    if args.push:
        from govner.annotations.studio import Studio, existing_doc_ids

        studio = Studio.from_env()
        project = studio.find_project(args.project)
        if project is not None:
            exclude |= existing_doc_ids(studio, project.id)
    failed = 0

    def pool():
        nonlocal failed
        for item in iter_documents(args.pool):
            if isinstance(item, ReadError):
                failed += 1
                print(f"error: {item}", file=sys.stderr)
            elif item.id not in exclude:
                yield item

    tagger = Tagger.from_pretrained(args.model)
    ranked = rank_documents(tagger, pool(), args.k)
    print("rank\tuncertainty\tchars\tid\tsource")
    for n, item in enumerate(ranked, 1):
        print(f"{n}\t{item.uncertainty:.4f}\t{item.chars}\t{item.doc.id}\t{item.doc.source}")
    if args.push and ranked:
        push_with_predictions(args, [r.doc for r in ranked], tagger, [r.uncertainty for r in ranked])
    return 1 if failed else 0


def _add_project_options(parser: argparse.ArgumentParser, label_config: bool = True) -> None:
    parser.add_argument("--project", default="govner", help="project title or id (default: govner)")
    if label_config:
        parser.add_argument("--label-config", default=DEFAULT_LABEL_CONFIG,
                            help=f"labeling config for a new project (default: {DEFAULT_LABEL_CONFIG})")


def _add_model_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model-version", help="model_version of the predictions (default: folder name and "
                        "weights hash, e.g. default-1a2b3c4d)")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the Label Studio subcommands to the ``govner`` parser."""
    studio = commands.add_parser(
        "studio",
        help="the annotation loop with Label Studio: project, push reports, pull annotations, status",
        description="Work with a running Label Studio. " + CONNECTION_HELP,
    )
    sub = studio.add_subparsers(dest="action", required=True, metavar="ACTION")

    project = sub.add_parser(
        "project",
        help="create the project with govner's labeling config, or check an existing one",
        description="Create the project if no project has this title; otherwise check that its labeling config "
        "is govner's (--update-config replaces it). Prints the project id and address. " + CONNECTION_HELP,
    )
    _add_project_options(project)
    project.add_argument("--update-config", action="store_true", help="replace a different labeling config")
    project.set_defaults(func=cmd_studio_project)

    push = sub.add_parser(
        "push",
        help="add reports as tasks, optionally pre-annotated by a model",
        description="Read .txt files, .jsonl files (id, text), folders or - and create one task per report "
        "(data: text, doc_id, source), skipping doc_ids already in the project. With --model, each task gets the "
        "model's spans as a prediction (per-span and per-task score, model_version), shown to annotators as "
        "pre-annotations. Creates the project if needed. Exits 1 if some input could not be read. " + CONNECTION_HELP,
    )
    push.add_argument("inputs", nargs="+", help="files, folders or - for stdin")
    _add_project_options(push)
    push.add_argument("--model", help="a model folder written by govner train, for predictions")
    _add_model_version(push)
    push.set_defaults(func=cmd_studio_push)

    pull = sub.add_parser(
        "pull",
        help="write the finished annotations to an annotation file and validate it",
        description="Write every task with a completed annotation (a ground-truth one if marked, else the first) "
        "to OUTPUT in the annotations/ format, offsets converted from Label Studio's UTF-16 to code points, then "
        "validate it like 'govner annotations validate'. Exits 1 if the file has problems, 2 if a task's offsets "
        "do not match its text (nothing is written then). " + CONNECTION_HELP,
    )
    _add_project_options(pull, label_config=False)
    pull.add_argument("-o", "--output", required=True, help="annotation file to write, e.g. annotations/studio.json")
    pull.set_defaults(func=cmd_studio_pull)

    status = sub.add_parser(
        "status",
        help="count the project's tasks: all, annotated, skipped, to annotate, with predictions",
        description="Print the project's task counts. " + CONNECTION_HELP,
    )
    _add_project_options(status, label_config=False)
    status.set_defaults(func=cmd_studio_status)

    select = commands.add_parser(
        "select",
        help="rank unannotated reports by model uncertainty; optionally push the top N to Label Studio",
        description="Score every report of the pool by the model's mean per-character uncertainty (1 - probability "
        "of the chosen tag, averaged over the characters the model sees: uncertainty per character an annotator "
        "reads) and print the K most uncertain, most uncertain first. Reports whose id is in an --exclude file "
        "(or, with --push, already in the project) are left out. With --push they become tasks with the model's "
        "predictions. Exits 1 if some input could not be read.",
    )
    select.add_argument("--model", required=True, help="a model folder written by govner train")
    select.add_argument("--pool", nargs="+", required=True, metavar="INPUT",
                        help="candidate reports: files, folders, .jsonl or -")
    select.add_argument("-k", type=int, default=10, help="how many to select (default: 10)")
    select.add_argument("--exclude", nargs="*", default=[], metavar="FILE",
                        help="annotation files whose documents are already annotated, e.g. annotations/*.json")
    select.add_argument("--push", action="store_true", help="push the selected reports to Label Studio. "
                        + CONNECTION_HELP)
    _add_project_options(select)
    _add_model_version(select)
    select.set_defaults(func=cmd_select)
