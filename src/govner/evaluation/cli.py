"""``govner evaluate``: score a model, a predictions file and the baselines on the same gold documents.

Exit codes: 0 all good, 1 a ``--fail-under``/``--fail-under-label`` floor was not met, 2 the input
could not be evaluated (bad file, unknown option combination). The report's Markdown goes to
stdout; progress and the gate verdict go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from govner.data.document import Document
from govner.evaluation.systems import BASELINES, SYSTEMS, EvaluationInputError, SystemOutput

DESCRIPTION = """\
Score systems on annotated documents with strict seqeval (IOB2, character level) per label, plus lenient
views, a label-confusion table, error counts and every FP/FN with its context.

Gold documents: --data FILES (Label Studio JSON, e.g. an export) or --config CFG [--split dev]
(the documents govner train scores on). Systems: --model DIR (run a trained model), --pred FILE
(predictions written by govner predict, matched to the gold by document id), and the built-in
baselines --system rules and --system lac; --system model --system rules --system lac prints them
side by side. --output DIR writes report.json, report.md and PNG charts.

Gates apply to the model if evaluated, else to the predictions file, else to the first --system.
Exit status: 0 ok, 1 a floor was not met, 2 unusable input."""


def register(commands: argparse._SubParsersAction) -> None:
    """Add the evaluation subcommands to the ``govner`` parser."""
    p = commands.add_parser(
        "evaluate",
        help="strict per-label scores, lenient views, confusion and errors; model and baselines side by side",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gold = p.add_argument_group("gold documents (one of)")
    gold.add_argument("--data", "--gold", dest="data", nargs="+", metavar="FILE",
                      help="Label Studio JSON files with the gold spans")
    gold.add_argument("--config", help="a training config: evaluate on one split of its gold documents")
    gold.add_argument("--split", default="dev", choices=["dev", "train", "all"],
                      help="with --config: dev (default; what training reports), train, or all gold documents")
    gold.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                      help="with --config: override a config value")
    systems = p.add_argument_group("systems")
    systems.add_argument("--model", metavar="DIR", help="a model folder written by govner train")
    systems.add_argument("--pred", metavar="FILE", help="predictions (.jsonl of govner predict) to score")
    systems.add_argument("--system", action="append", choices=SYSTEMS, default=None,
                         help="model (needs --model), rules or lac; repeat to compare (default: model with "
                         "--model)")
    out = p.add_argument_group("output and gates")
    out.add_argument("--output", "-o", metavar="DIR", help="write report.json, report.md and charts here")
    out.add_argument("--baseline", metavar="REPORT", help="an earlier report.json: add Δ (this − baseline)")
    out.add_argument("--fail-under", type=float, metavar="F1", help="exit 1 when the strict micro-F1 is below")
    out.add_argument("--fail-under-label", action="append", default=[], metavar="LABEL=F1",
                     help="exit 1 when that label's strict F1 is below (repeatable), e.g. SLOGAN=0.9")
    out.add_argument("--context", type=int, default=15, metavar="N", help="characters of context around listed errors")
    out.add_argument("--no-charts", action="store_true", help="do not draw PNG charts")
    out.add_argument("--stdout", choices=["report", "tables", "none"], default="report",
                     help="print the whole report (default), the tables without the error listing, or nothing")
    p.set_defaults(func=cmd_evaluate)


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Run ``govner evaluate``; input problems are :class:`EvaluationInputError` (one line, exit 2)."""
    return evaluate(args)


def gold_documents(args: argparse.Namespace) -> tuple[list[Document], dict[str, Any]]:
    """The gold documents the options name, checked, and a description of where they came from."""
    from govner.data.labelstudio import load_documents

    if args.config and args.data:
        raise EvaluationInputError("give either --data FILES or --config CFG, not both")
    if args.config:
        from govner.config import load_config
        from govner.corpus import split_documents

        docs = split_documents(load_config(args.config, args.set), args.split)
        data: dict[str, Any] = {"config": args.config, "split": args.split, "overrides": args.set}
    elif args.data:
        docs = [doc for path in args.data for doc in load_documents(path)]
        data = {"files": args.data}
    else:
        raise EvaluationInputError("no gold documents: give --data FILES (or --gold) or --config CFG --split dev")
    check_gold(docs)
    return docs, data


def warn_if_trained_on(model: str | Path, docs: Sequence[Document]) -> None:
    """A warning on stderr when the model's own config (``govner_config.yaml``) trained it on some of ``docs``:
    the shipped default trains on every annotated report, so its dev scores would be training-set scores."""
    from govner.config import load_config
    from govner.corpus import split_documents
    from govner.errors import GovnerError

    saved = Path(model) / "govner_config.yaml"
    try:
        trained = {doc.id for doc in split_documents(load_config(saved), "train")}
    except (GovnerError, OSError):
        return  # no saved config, or its annotation files are not here: nothing to compare
    seen = [doc.id for doc in docs if doc.id in trained]
    if seen:
        print(f"warning: {model} was trained on {len(seen)} of these {len(docs)} documents ({', '.join(seen[:5])}"
              f"{' …' if len(seen) > 5 else ''}): their scores are training-set scores, not an estimate",
              file=sys.stderr)


def check_gold(docs: Sequence[Document]) -> None:
    """Ids must be unique (predictions are matched by id) and spans flat and inside the text."""
    seen: dict[str, str] = {}
    for doc in docs:
        if doc.id in seen:
            raise EvaluationInputError(f"document id {doc.id!r} appears twice ({seen[doc.id]}, {doc.source})")
        seen[doc.id] = doc.source
        spans = sorted(doc.spans)
        for a, b in pairwise(spans):
            if b.start < a.end:
                raise EvaluationInputError(
                    f"{doc.source}: {doc.id}: gold spans {a} and {b} overlap (see govner annotations validate)"
                )
        if spans and max(s.end for s in spans) > len(doc.text):
            raise EvaluationInputError(f"{doc.source}: {doc.id}: a gold span ends past the text")


def system_names(args: argparse.Namespace) -> list[str]:
    """The systems to evaluate, in report order: the predictions file first, then ``--system`` as given."""
    if args.system is None:
        chosen = ["model"] if args.model else []
    else:
        chosen = list(dict.fromkeys(args.system))
        if args.model and "model" not in chosen:
            raise EvaluationInputError("--model is given but --system does not include model")
    if "model" in chosen and not args.model:
        raise EvaluationInputError("--system model needs --model DIR")
    names = (["pred"] if args.pred else []) + chosen
    if not names:
        raise EvaluationInputError("nothing to evaluate: give --model DIR, --pred FILE or --system rules/lac")
    return names


def gate_system(names: Sequence[str]) -> str:
    """The system the floors apply to: the model, else the predictions file, else the first one."""
    return next((n for n in ("model", "pred") if n in names), names[0])


def run_system(name: str, args: argparse.Namespace, docs: list[Document]) -> SystemOutput:
    from govner.evaluation.systems import baseline_output, model_output, prediction_output

    print(f"evaluate: {name} on {len(docs)} document(s)", file=sys.stderr)
    if name == "model":
        return model_output(args.model, docs)
    if name == "pred":
        return prediction_output(args.pred, docs)
    if name in BASELINES:
        return baseline_output(name, docs)
    raise EvaluationInputError(f"unknown system {name!r}")


def evaluate(args: argparse.Namespace) -> int:
    """Build the report, write and print it, apply the gates; returns the exit status."""
    from govner.evaluation.markdown import gate_messages, render_markdown
    from govner.evaluation.report import (
        add_baseline,
        build_report,
        check_gates,
        load_report,
        parse_label_floor,
        write_report,
    )

    names = system_names(args)
    floors = [parse_label_floor(x) for x in args.fail_under_label]  # before the slow part: fail fast on a typo
    docs, data = gold_documents(args)
    if args.model:
        warn_if_trained_on(args.model, docs)
    outputs = [run_system(name, args, docs) for name in names]
    for out in outputs:
        for key, what in (("missing", "no prediction for"), ("unknown", "predictions for unknown document(s)")):
            if out.notes.get(key):
                print(f"warning: {out.name}: {what} {', '.join(out.notes[key])}", file=sys.stderr)
    report = build_report(docs, outputs, data, context=args.context)
    if args.baseline:
        add_baseline(report, load_report(args.baseline), args.baseline)
        if not report["baseline"]["same_documents"]:
            print(f"warning: {args.baseline} was computed on other documents", file=sys.stderr)
    gated = args.fail_under is not None or floors
    if gated:
        report["gates"] = check_gates(report, gate_system(names), args.fail_under, floors)
    if args.output:
        for path in write_report(report, args.output, charts=not args.no_charts, docs=docs, outputs=outputs):
            print(f"wrote {path}", file=sys.stderr)
    if args.stdout != "none":
        sys.stdout.write(render_markdown(report, errors=args.stdout == "report"))
        sys.stdout.flush()
    if not gated:
        return 0
    for line in gate_messages(report["gates"]):
        print(f"govner evaluate: {line}", file=sys.stderr)
    return 0 if report["gates"]["passed"] else 1
