"""The ``govner`` command: one entry point, one subcommand per job.

Each subcommand's ``--help`` says what it reads, what it writes and what its
exit code means. Heavy imports (datasets, torch) happen inside the commands so
that ``govner --help`` and validation stay fast.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections import Counter
from pathlib import Path

from govner import __version__
from govner.errors import GovnerError, UsageError
from govner.labels import LABELS


def _label_counts(counts: Counter) -> str:
    return ", ".join(f"{label} {counts.get(label, 0)}" for label in LABELS)


def cmd_annotations_validate(args: argparse.Namespace) -> int:
    from govner.data.validate import validate_file

    total = 0
    for path in args.files:
        problems, counts = validate_file(path)
        for problem in problems:
            print(problem)
        total += len(problems)
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        print(f"{path}: {status}; {sum(counts.values())} spans ({_label_counts(counts)})", file=sys.stderr)
    return 1 if total else 0


def cmd_annotations_stats(args: argparse.Namespace) -> int:
    from govner.data.labelstudio import AnnotationFileError, load_documents

    grand: Counter = Counter()
    print("| document | chars | " + " | ".join(LABELS) + " | total |")
    print("|---|---:|" + "---:|" * (len(LABELS) + 1))
    for path in args.files:
        try:
            docs = load_documents(path)
        except AnnotationFileError as err:
            print(err, file=sys.stderr)
            return 1
        for doc in docs:
            counts = Counter(span.label for span in doc.spans)
            grand.update(counts)
            cells = " | ".join(str(counts.get(label, 0)) for label in LABELS)
            print(f"| {doc.id} | {len(doc.text)} | {cells} | {len(doc.spans)} |")
    cells = " | ".join(str(grand.get(label, 0)) for label in LABELS)
    print(f"| **all** | | {cells} | {sum(grand.values())} |")
    return 0


def _normalize_to(args: argparse.Namespace) -> tuple[int, int]:
    """Write the normalized records of ``args.inputs``; ``(documents, failures)``."""
    from tqdm import tqdm

    from govner.data.document import ReadError
    from govner.data.normalize import normalize
    from govner.data.reader import iter_documents, same_file_as

    ok = failed = 0
    with contextlib.ExitStack() as stack:
        out = sys.stdout
        if args.output:
            try:
                out = stack.enter_context(open(args.output, "w", encoding="utf-8"))
            except OSError as err:
                raise UsageError(f"{args.output}: cannot write: {err.strerror or err}") from None
        items = iter_documents(args.inputs, skip=same_file_as(args.output) if args.output else None)
        progress = tqdm(items, desc="normalize", unit="doc", disable=args.quiet, file=sys.stderr)
        for item in progress:
            if isinstance(item, ReadError):
                failed += 1
                record = {"id": item.id, "source": item.source, "error": str(item)}
                print(f"error: {item}", file=sys.stderr)
            else:
                ok += 1
                norm = normalize(item.text)
                record = {"id": item.id, "source": item.source, "text": norm.text}
                if args.with_offsets:
                    record["starts"], record["ends"] = norm.starts, norm.ends
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return ok, failed


def cmd_data_normalize(args: argparse.Namespace) -> int:
    from govner.data.reader import refuse_overwriting_inputs

    refuse_overwriting_inputs(args.output, args.inputs)
    try:
        ok, failed = _normalize_to(args)
    except OSError as err:  # a full disk, a lost mount: said on one line
        raise UsageError(f"{args.output or 'stdout'}: cannot write: {err.strerror or err}") from None
    print(f"normalized {ok} document(s), {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def cmd_data_build(args: argparse.Namespace) -> int:
    from govner.config import load_config
    from govner.corpus import build_datasets

    config = load_config(args.config, args.set)
    splits = build_datasets(config)  # exactly the windows govner train trains and selects epochs on
    for name, split in splits.items():
        entities = Counter(t[2:] for tags in split["tags"] for t in tags if t.startswith("B-"))
        doc_ids = sorted(set(split["doc_id"]))
        chars = sum(len(t) for t in split["text"])
        print(f"{name}: {len(doc_ids)} documents, {len(split)} windows, {chars} chars; {_label_counts(entities)}")
        shown = [i for i in doc_ids if not i.startswith("msra-")]
        msra = len(doc_ids) - len(shown)
        print(f"  {', '.join(shown[:30])}{f' and {len(shown) - 30} more' if len(shown) > 30 else ''}"
              + (f"; {msra} MSRA sentences" if msra else ""))
    if args.output:
        splits.save_to_disk(args.output)
        print(f"saved to {args.output}")
    return 0


def cmd_lexicon(args: argparse.Namespace) -> int:
    from govner.config import config_from_dict, load_config
    from govner.data.lexicon import CATEGORIES, build_lexicon
    from govner.data.normalize import normalize

    config = load_config(args.config, args.set) if args.config else config_from_dict({}, "defaults", args.set)
    lexicon = build_lexicon(config.lexicon)
    counts = Counter(CATEGORIES[category] for category, _ in lexicon.words.values())
    print(f"{len(lexicon)} words: " + ", ".join(f"{name} {counts[name]}" for name in CATEGORIES if counts[name]))
    if args.match:
        text = normalize(args.match).text
        for start, end, category, weight in lexicon.matches(text):
            print(f"{start}\t{end}\t{text[start:end]}\t{CATEGORIES[category]}\t{weight:.2f}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from govner.config import load_config
    from govner.training.train import train

    config = load_config(args.config, args.set)
    output = Path(args.output) if args.output else Path("models") / config.name
    stamp_file = output / ".fingerprint"
    if args.reuse:
        from govner.training.train import training_fingerprint

        fingerprint = training_fingerprint(config)
        done = (output / "model.safetensors").exists() and (output / "metrics.json").exists()
        if done and stamp_file.exists() and stamp_file.read_text().strip() == fingerprint:
            print(f"{output} was trained from the same config, data and code ({fingerprint}): reusing it")
            return 0
    scores = train(config, output, resume=args.resume, keep_checkpoints=args.keep_checkpoints)
    if args.reuse and scores is not None:
        stamp_file.write_text(fingerprint + "\n")
    if scores:
        print(f"saved {output}; dev micro-F1 {scores['micro']['f1']:.4f} "
              + ", ".join(f"{k} {v['f1']:.4f}" for k, v in scores.items() if k not in {"micro", "macro", "weighted"}))
    return 0


def cmd_crossval(args: argparse.Namespace) -> int:
    from govner.config import load_config
    from govner.training.crossval import crossval

    if args.folds < 2 or args.jobs < 1:
        raise UsageError("--folds must be at least 2 and --jobs at least 1")
    if args.ray is not None:
        from govner.inference.cluster import check_address

        check_address(args.ray)
    if args.ray is not None and args.jobs != 1:
        raise UsageError("--ray runs as many folds at once as the cluster has cores for: it takes no --jobs")
    config = load_config(args.config, args.set)
    output = Path(args.output) if args.output else Path("runs") / "crossval" / config.name
    if args.fractions:
        from govner.training.crossval import learning_curve

        if args.exclude_from_training or args.train_only:
            raise UsageError("--fractions draws the training parts itself: it takes no --exclude-from-training "
                             "or --train-only")
        try:
            fractions = [float(f) for f in args.fractions.split(",")]
        except ValueError:
            raise UsageError(f"--fractions takes numbers such as 0.2,0.4,1, not {args.fractions!r}") from None
        summary = learning_curve(config, args.folds, fractions, output, group_by=args.group_by, jobs=args.jobs,
                                 only=args.only, ray_address=args.ray)
        print((output / "learning-curve.md").read_text(encoding="utf-8"))
        print(f"wrote {output / 'learning-curve.json'} and .png ({summary['minutes']} min)", file=sys.stderr)
        return 0
    summary = crossval(config, args.folds, output, group_by=args.group_by,
                       exclude_from_training=args.exclude_from_training, train_only=args.train_only,
                       jobs=args.jobs, only=args.only,
                       ray_address=args.ray)
    print((output / "crossval.md").read_text(encoding="utf-8"))
    print(f"wrote {output / 'crossval.json'} ({summary['minutes']} min)", file=sys.stderr)
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from govner.inference.predict import make_format, run_predict

    if args.resume and args.output in (None, "-"):
        raise UsageError("--resume needs -o FILE (it reads what an earlier run wrote there)")
    if args.num_shards < 1 or not 0 <= args.shard_index < args.num_shards:
        raise UsageError(f"--shard-index must be 0 to {args.num_shards - 1}")
    from tqdm import tqdm

    from govner.inference.tagger import Tagger

    if (args.batch_size is not None and args.batch_size < 1) or (args.threads is not None and args.threads < 1):
        raise UsageError("--batch-size and --threads must be at least 1")
    options = {"consistency": not args.no_consistency, "user_dictionaries": args.user_dict, "overrides": args.set}
    if args.batch_size:
        options["batch_size"] = args.batch_size
    if args.force_user_words:
        options["force_user_words"] = True
    if args.ray is not None:
        from govner.inference.cluster import check_address

        check_address(args.ray)
    if not args.inputs:
        raise UsageError("give at least one INPUT: a file, a folder or - for stdin")
    if args.workers is not None and args.ray is None:
        raise UsageError("--workers goes with --ray (actors on the cluster); a run on this machine takes --threads")
    if args.ray is not None:
        if args.num_shards > 1:
            raise UsageError("--ray spreads the work itself: it takes no --num-shards")
        if args.workers is not None and args.workers < 1:
            raise UsageError("--workers must be at least 1")
        if args.threads is not None:
            raise UsageError("--ray runs one inference thread per actor: it takes --workers, not --threads")
        options["user_dictionaries"] = [str(Path(d).resolve()) for d in args.user_dict]  # read on other machines
        # loaded once here, as every actor will load it: a bad folder or dictionary is one clear line now,
        # not an actor dying over and over on the cluster
        Tagger.from_pretrained(args.model, backend=args.backend, threads=1, **options)
        tagger = None
        options["backend"] = args.backend
    else:
        tagger = Tagger.from_pretrained(args.model, backend=args.backend, threads=args.threads, **options)
        if tagger.backend == "torch":
            import torch

            # One torch thread per batch; --threads runs batches side by side instead. A GRU's per-step
            # matrix products are too small to split well across cores, and on a shared machine OpenMP
            # threads that spin-wait against other jobs slow a run down many times over (docs/predict.md).
            torch.set_num_threads(1)
            if args.threads is None:
                from govner.inference.tagger import default_threads

                tagger.threads = default_threads()  # torch's own threads are off, so run batches side by side
    version = ""
    if args.format == "label-studio":
        from govner.annotations.studio_cli import model_version_of

        version = model_version_of(args.model)
    fmt = make_format(args.format, version)
    with tqdm(desc="predict", unit="doc", disable=args.quiet, file=sys.stderr, dynamic_ncols=True) as progress:
        def on_error(message: str) -> None:
            progress.write(f"error: {message}", file=sys.stderr)

        try:
            if tagger is None:
                from govner.inference.cluster import run_predict_ray

                summary = run_predict_ray(str(Path(args.model).resolve()), options, args.inputs, args.output, fmt,
                                          address=args.ray, workers=args.workers, resume=args.resume,
                                          progress=progress, on_error=on_error)
            else:
                summary = run_predict(tagger, args.inputs, args.output, fmt, resume=args.resume,
                                      num_shards=args.num_shards, shard_index=args.shard_index, progress=progress,
                                      on_error=on_error)
        except KeyboardInterrupt:
            progress.close()
            again = "; run the same command with --resume to finish" if args.output not in (None, "-") else ""
            print(f"govner: interrupted{again}", file=sys.stderr)
            return 130
    if summary.truncated:
        print(f"resumed: cut off {summary.truncated} byte(s) of a record an earlier run left half-written",
              file=sys.stderr)
    print(summary, file=sys.stderr)
    if summary.astral:
        print(f"note: {summary.astral} task(s) hold characters beyond U+FFFF; their offsets are code points, "
              "which Label Studio (UTF-16) reads shifted: push those with 'govner studio push --model'",
              file=sys.stderr)
    return 1 if summary.any_failed else 0


def config_arguments(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """``--config FILE`` and repeatable ``--set section.key=value``, as every config-driven command takes them."""
    parser.add_argument("--config", required=required, default=None,
                        help="YAML config, e.g. configs/default.yaml" + ("" if required else " (default: defaults)"))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config value")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govner",
        description="Named-entity recognition (LOC, ORG, AMOUNT, SLOGAN) for Chinese local-government reports.",
        epilog="Run 'govner COMMAND --help' for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"govner {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    annotations = commands.add_parser("annotations", help="check and summarize Label Studio annotation files")
    annotations_sub = annotations.add_subparsers(dest="action", required=True, metavar="ACTION")
    validate = annotations_sub.add_parser(
        "validate",
        help="check every span of Label Studio JSON files against the guideline's span rules",
        description="Check each span: inside the text, value.text == text[start:end], a known label, no overlaps, "
        "no white space or punctuation at the edges, no empty results. Prints one line per problem "
        "(file, task, offsets); exits 1 if there is any.",
    )
    validate.add_argument("files", nargs="+", help="Label Studio JSON export files")
    validate.set_defaults(func=cmd_annotations_validate)
    stats = annotations_sub.add_parser("stats", help="print a markdown table of span counts per document and label")
    stats.add_argument("files", nargs="+", help="Label Studio JSON export files")
    stats.set_defaults(func=cmd_annotations_stats)

    data = commands.add_parser("data", help="read, normalize and convert reports into training data")
    data_sub = data.add_subparsers(dest="action", required=True, metavar="ACTION")
    norm = data_sub.add_parser(
        "normalize",
        help="write reports as the model sees them (simplified, half-width, without pinyin notes)",
        description="Read .txt files, .jsonl files (id, text), folders (recursively) or - (stdin) and write one "
        "JSON line per document with the normalized text. A document that cannot be read becomes a line with "
        "'error' and the run goes on; exits 1 if any failed.",
    )
    norm.add_argument("inputs", nargs="+", help="files, folders or - for stdin")
    norm.add_argument("-o", "--output", help="output .jsonl (default: stdout)")
    norm.add_argument("--with-offsets", action="store_true", help="add 'starts'/'ends': original offsets per char")
    norm.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    norm.set_defaults(func=cmd_data_normalize)
    build = data_sub.add_parser(
        "build",
        help="the windowed, IOB2-tagged train/dev datasets govner train would train on",
        description="Build exactly the examples govner train uses for a config (gold train split repeated "
        "gold_repeat times, synthetic reports, MSRA sentences; the gold dev split): print counts per split and "
        "optionally save a datasets.DatasetDict.",
    )
    config_arguments(build)
    build.add_argument("-o", "--output", help="folder to save the datasets.DatasetDict to")
    build.set_defaults(func=cmd_data_build)

    lexicon = commands.add_parser(
        "lexicon",
        help="build the word lexicon behind the lexicon features (cached), and print what it holds",
        description="Assemble the lexicon a config names (jionlp's administrative divisions, jieba's places and "
        "organizations, govner's suffix lists, user dictionaries), cache it, and print its size per category. "
        "govner train builds it by itself; this command shows what the network will see.",
    )
    config_arguments(lexicon, required=False)
    lexicon.add_argument("--match", metavar="TEXT", help="also print the lexicon words found in TEXT")
    lexicon.set_defaults(func=cmd_lexicon)

    train = commands.add_parser(
        "train",
        help="fine-tune a tagger from a YAML config",
        description="Train the model a config describes (configs/default.yaml: LAC encoder + CRF, offline) on the "
        "gold train split, synthetic reports and MSRA sentences, for training.epochs epochs (with "
        "training.select_best, the best on dev strict micro-F1). --set data.dev_fraction=0 trains on every "
        "annotated report, as the shipped models/default is (scripts/main.sh); govner crossval estimates how "
        "a recipe does on reports it never saw. Writes weights (safetensors), tokenizer, labels.json, "
        "govner_config.yaml, metrics.json and a model card. "
        "Runs under torchrun for several processes: torchrun --nproc_per_node 2 -m govner train ...",
    )
    config_arguments(train)
    train.add_argument("--output", help="output folder (default: models/<config name>)")
    train.add_argument("--resume", action="store_true", help="continue from the last checkpoint in OUTPUT")
    train.add_argument("--keep-checkpoints", action="store_true", help="keep per-epoch checkpoints after training")
    train.add_argument(
        "--reuse",
        action="store_true",
        help="skip training if OUTPUT was trained from the same config, data files, govner code and library versions",
    )
    train.set_defaults(func=cmd_train)

    crossval = commands.add_parser(
        "crossval",
        help="K-fold cross-validation over documents: per-label P/R/F1 as mean ± sd",
        description="Train K models, each on all annotated documents but one fold (data.annotations and "
        "corpus.synthetic, grouped so that a report or a batch is never on both sides), for exactly "
        "training.epochs epochs, and score each on its held-out documents as govner predict tags them. Writes "
        "crossval.json and crossval.md to OUTPUT; an interrupted run continues where it stopped.",
    )
    config_arguments(crossval)
    crossval.add_argument("--folds", type=int, default=5, metavar="K", help="number of folds (default 5)")
    crossval.add_argument("--group-by", choices=("document", "prefix"), default="document",
                          help="keep each document (default) or each id prefix (syn_d_01 → syn_d) in one fold")
    crossval.add_argument("--exclude-from-training", action="append", default=[], metavar="GLOB",
                          help="document ids (glob) that are only tested, never trained on (repeatable)")
    crossval.add_argument("--train-only", action="append", default=[], metavar="GLOB",
                          help="document ids (glob) that every fold trains on and none tests, so that new "
                          "annotations are measured on the folds of a run made without them (repeatable)")
    crossval.add_argument("--jobs", type=int, default=1, metavar="N", help="folds trained at once, one core each")
    crossval.add_argument("--only", type=int, action="append", default=[], metavar="K", help="run only fold K")
    crossval.add_argument("--fractions", metavar="F,F,...",
                          help="a learning curve: train each fold on these growing parts of its training documents "
                          "(e.g. 0.2,0.4,0.6,0.8,1) and plot strict F1 per label against annotated characters")
    crossval.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                          help="train the folds as tasks on a Ray cluster (pip install 'govner[ray]'), "
                          "training.threads cores each (0: one); ADDRESS as for predict --ray. Same report, "
                          "but for the annotated reports alone: only each fold's metrics and log come back, "
                          "not its model")
    crossval.add_argument("--output", help="output folder (default: runs/crossval/<config name>)")
    crossval.set_defaults(func=cmd_crossval)

    from govner.inference.predict import FORMATS

    predict = commands.add_parser(
        "predict",
        help="tag reports with a trained model; one record per document (JSON Lines, CoNLL or Label Studio)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="""\
Read .txt files, .jsonl files (id, text, other fields passed through), folders
(recursively: *.txt and *.jsonl) or - (stdin), and write one record per document.
Offsets are code points into the original text as read (traditional, noisy,
CRLF and all): text == original[start:end] always.

formats:
  jsonl         {"id", "source", <other .jsonl fields>, "entities": [{"start", "end",
                "label", "text", "score"}]} per line; id is the file stem for .txt input
  conll         "# id = ..." and "# source = ..." lines, then one line per character of
                the original text, CHAR<TAB>TAG (IOB2), then a blank line. White space
                and invisible characters are written as U+XXXX (a line break is U+000A,
                a space U+0020, a full-width space U+3000), so every character of the
                text has its line and the text reads back exactly.
  label-studio  a JSON list of tasks with predictions [{model_version, score, result}]
                to import as pre-annotations; offsets in code points, like every
                annotation file of the project (Label Studio counts UTF-16 units: the
                same unless a text has characters beyond U+FFFF, which are counted).
  html          one self-contained page to read in a browser (no network needed):
                entities highlighted per label, scores on hover, an index with counts,
                search and label filters, 50 documents rendered at a time.

A document that cannot be read becomes an error record ({"id", "source", "error"};
in conll a "# error = ..." block; label-studio reports it on stderr only) and the
run goes on. Each record is written whole and flushed, so a killed run leaves at
most one half record, which --resume removes before it skips every id already in
OUT. Exit code: 0 all done, 1 some document failed (now or in OUT), 2 bad usage
or an OUT that --resume cannot continue.""",
    )
    predict.add_argument("--model", required=True, help="a model folder written by govner train")
    # "*" and a check of our own: so that `--ray reports/` (an input taken as the address) gets a message that says so
    predict.add_argument("inputs", nargs="*", help="files, folders or - for stdin")
    predict.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    predict.add_argument("--format", choices=FORMATS, default="jsonl",
                         help="output format (default: jsonl)")
    predict.add_argument("--resume", action="store_true",
                         help="append to OUT, skipping ids already in it (failed ones too: remove their "
                         "records to retry them)")
    predict.add_argument("--num-shards", type=int, default=1, metavar="N",
                         help="split the input into N shards by a stable hash of the document id")
    predict.add_argument("--shard-index", type=int, default=0, metavar="I", help="the shard to tag, 0 to N-1")
    predict.add_argument("--no-consistency", action="store_true",
                         help="no document-level steps: no SLOGAN at unquoted repeats of a quoted slogan, "
                         "no propagation of LOC/ORG mentions to their other occurrences, no division names "
                         "from jionlp's tree (inference.divisions), no ORG or place list items (inference.list_items; "
                         "a list that a count of divisions ends is still read), no one-character forms of places "
                         "(inference.abbreviated_places), no names extended to an ORG found elsewhere "
                         "(inference.longer_names), a person after a title dropped at that mention only "
                         "(inference.titled_persons)")
    predict.add_argument("--set", action="append", default=[], metavar="inference.KEY=VALUE",
                         help="change how the model is applied, over its saved config (repeatable): e.g. "
                         "inference.sites_as_parties=false where your annotators keep every port a place; "
                         "the keys are those of configs/default.yaml's inference section")
    predict.add_argument("--batch-size", type=int, metavar="N",
                         help="windows per forward pass (default: the model's inference.batch_size); short "
                         "windows are packed up to N x max_len characters")
    predict.add_argument("--backend", choices=("auto", "onnx", "torch"), default="auto",
                         help="what runs the network: onnx (ONNX Runtime, govner GRU-CRF models; no torch "
                         "import, faster start), torch (any token-classification model), auto (onnx when "
                         "possible; default). Both give the same entities")
    predict.add_argument("--threads", type=int, metavar="N",
                         help="batches run side by side, one core each (default: the CPUs this process may "
                         "use, at most 4; see docs/predict.md)")
    predict.add_argument("--user-dict", action="append", default=[], metavar="FILE",
                         help="a word<TAB>LABEL file of your own names (repeatable): they join the model's "
                         "lexicon inputs (models trained with a lexicon)")
    predict.add_argument("--force-user-words", action="store_true",
                         help="tag every exact match of a --user-dict word with its label, over the model's "
                         "spans where they disagree")
    predict.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                         help="run on a Ray cluster (pip install 'govner[ray]'): ADDRESS as ray.init takes it "
                         "(e.g. 10.0.0.5:6379, or auto inside a cluster); without ADDRESS, a Ray instance on "
                         "this machine. Same records, --resume and lock; see docs/predict.md")
    predict.add_argument("--workers", type=int, metavar="N",
                         help="with --ray: tagging actors, one model and one core each (default: the cluster's CPUs)")
    predict.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    predict.set_defaults(func=cmd_predict)

    from govner.annotations.studio_cli import register as register_studio
    from govner.evaluation.cli import register as register_evaluation
    from govner.serving.cli import register as register_serve

    register_evaluation(commands)
    register_studio(commands)
    register_serve(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; every :class:`~govner.errors.GovnerError` becomes one ``govner: error:`` line, exit 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except GovnerError as err:
        print(f"govner: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
