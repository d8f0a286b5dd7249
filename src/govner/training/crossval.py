"""``govner crossval``: K-fold cross-validation over documents, the estimate to choose features, data and epochs by.

A two-document dev split says little about reports from places the model never saw.
Cross-validation uses every annotated report instead: the documents of a config
(``data.annotations`` and ``corpus.synthetic``) are grouped (one group per document, or
with ``group_by="prefix"`` per id prefix, e.g. one writer's batch ``syn_d`` of synthetic
reports, so that no batch is on both sides), the groups are dealt into K folds in the order
of a seeded hash, and fold k's model trains on the other folds (plus MSRA, as the config
says) for exactly ``training.epochs`` epochs: nothing is chosen on the held-out fold. It is
then scored on fold k's documents exactly as ``govner predict`` tags reports. Documents
matching ``exclude_from_training`` are only ever tested, never trained on, so data mixes
can be compared on the same test documents; documents matching ``train_only`` are trained on in
every fold and never tested, so new annotations can be measured on exactly the folds (and test
documents) of a run made before they existed.

Reported per label: strict precision, recall and F1 as mean ± standard deviation over the
folds, as used (with post-processing) and for the network alone; the config's own annotated
reports (``data.annotations``, not the synthetic ones) on their own, pooled over folds; and per
epoch the held-out window F1 of the network, which is how to choose ``training.epochs``.

>>> assign_folds(["a_1", "a_2", "b_1", "c_1"], 2, seed=0, group_by="prefix")
[['a_1', 'a_2'], ['b_1', 'c_1']]
>>> assign_folds(["a_1", "a_2", "b_1", "c_1"], 2, seed=0)  # one group per document
[['a_2', 'b_1'], ['a_1', 'c_1']]
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from govner.config import Config, ConfigError, config_to_dict
from govner.corpus import gold_documents, synthetic_documents
from govner.data.document import Span
from govner.data.labelstudio import write_documents
from govner.errors import GovnerError

AVERAGES = ("micro", "macro", "weighted")
GROUPINGS = ("document", "prefix")


class CrossvalError(GovnerError):
    """A fold that failed to train, or options that do not fit the documents."""


def group_of(doc_id: str, group_by: str) -> str:
    """The group a document belongs to: itself, or its id up to the last ``_`` (``syn_d_03`` → ``syn_d``)."""
    if group_by == "prefix" and "_" in doc_id:
        return doc_id.rsplit("_", 1)[0]
    return doc_id


def assign_folds(
    doc_ids: Sequence[str], folds: int, seed: int, group_by: str = "document", sizes: dict[str, int] | None = None
) -> list[list[str]]:
    """``folds`` lists of document ids; the documents of one group always share a fold.

    Groups go, largest first (by ``sizes``, e.g. characters; else by document count), ties in
    the order of a seeded hash, to the fold that holds the least so far: folds come out about
    equally large whatever the file order, and the same on every machine.
    """
    if group_by not in GROUPINGS:
        raise CrossvalError(f"unknown grouping {group_by!r} (known: {', '.join(GROUPINGS)})")
    groups: dict[str, list[str]] = {}
    for doc_id in doc_ids:
        groups.setdefault(group_of(doc_id, group_by), []).append(doc_id)
    if len(groups) < folds or folds < 2:
        raise CrossvalError(f"{folds} folds need at least 2 folds and as many groups; there are {len(groups)} groups")

    def size(group: str) -> int:
        return sum((sizes or {}).get(i, 1) for i in groups[group])

    ranked = sorted(groups, key=lambda g: (-size(g), hashlib.sha256(f"{seed}:{g}".encode()).hexdigest()))
    out: list[list[str]] = [[] for _ in range(folds)]
    load = [0] * folds
    for group in ranked:
        k = load.index(min(load))
        out[k].extend(groups[group])
        load[k] += size(group)
    return [sorted(fold) for fold in out]


def _matching(doc_ids: Iterable[str], patterns: Sequence[str]) -> set[str]:
    """The document ids that match any of the glob ``patterns``."""
    return {i for i in doc_ids if any(fnmatch.fnmatchcase(i, pattern) for pattern in patterns)}


def _fold_config(config: Config, train_file: Path, test_file: Path, test_ids: list[str]) -> dict[str, Any]:
    raw = config_to_dict(config)
    raw["name"] = f"{config.name}-fold"
    raw["data"]["annotations"] = [str(train_file), str(test_file)]
    raw["data"]["dev_ids"] = test_ids
    raw["corpus"]["synthetic"] = []
    raw["training"]["select_best"] = False  # the held-out fold only measures; it chooses nothing
    raw["training"]["early_stopping_patience"] = 0
    return raw


def _prepare_fold(config: Config, folder: Path, train_docs: list[Any], test_docs: list[Any]) -> Path:
    """Write one training run's documents and config into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    write_documents(folder / "train.json", train_docs)
    write_documents(folder / "test.json", test_docs)
    raw = _fold_config(config, folder / "train.json", folder / "test.json", [d.id for d in test_docs])
    (folder / "config.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def _inputs_digest(folder: Path) -> str:
    """What a fold's model was trained on: its documents and config."""
    return hashlib.sha256((folder / "train.json").read_bytes() + (folder / "config.yaml").read_bytes()).hexdigest()


def _is_trained(folder: Path) -> bool:
    """A model counts as done only for the very documents and config it was trained on."""
    stamp = folder / "model" / "inputs.sha256"
    return ((folder / "model" / "metrics.json").exists() and stamp.exists()
            and stamp.read_text() == _inputs_digest(folder))


def _metrics(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "model" / "metrics.json").read_text(encoding="utf-8"))


def _run_train(folder: Path, threads: int | None, log: Any, cwd: str | Path | None = None) -> int:
    """``govner train`` on ``folder/config.yaml`` into ``folder/model``, as a process of its own (so a
    fold that runs out of memory takes no other with it); ``threads`` cores (None: the config's)."""
    command = [sys.executable, "-m", "govner", "train", "--config", str(folder / "config.yaml"),
               "--output", str(folder / "model")]
    env = dict(os.environ)
    if threads is not None:
        command += ["--set", f"training.threads={threads}"]
        env["OMP_NUM_THREADS"] = str(threads)
    return subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd).returncode


def _train_folds(runs: list[tuple[Any, Path]], jobs: int, ray_address: str | None = None) -> dict[Any, dict[str, Any]]:
    """Train every prepared run (``govner train`` processes, ``jobs`` at a time, or as Ray tasks
    on the cluster at ``ray_address``); their metrics by key.

    A run whose model was trained on exactly its current ``train.json`` and ``config.yaml`` (a hash
    beside the model says) is not trained again; any other is.
    """
    if ray_address is not None:
        return _train_folds_on_ray(runs, ray_address)

    def run(job: tuple[Any, Path]) -> tuple[Any, dict[str, Any]]:
        key, folder = job
        if not _is_trained(folder):
            with (folder / "train.log").open("w", encoding="utf-8") as log:
                returncode = _run_train(folder, 1 if jobs > 1 else None, log)
            if returncode != 0:
                raise CrossvalError(f"{folder.name} failed (exit {returncode}); see {folder / 'train.log'}")
            (folder / "model" / "inputs.sha256").write_text(_inputs_digest(folder))
        print(f"{folder.relative_to(folder.parent.parent)} done", file=sys.stderr, flush=True)
        return key, _metrics(folder)

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        return dict(pool.map(run, runs))


def train_fold_on_node(files: dict[str, bytes], workdir: str, threads: int) -> dict[str, Any]:
    """A Ray task: train one fold from its files (``train.json``, ``test.json``, ``config.yaml``) in a
    temporary folder on whichever node runs it; the metrics and the log come back, the model does not.

    ``govner train`` runs in ``workdir`` (the driver's folder) where the node has it, so that other
    relative paths in the config mean the same there; with ``threads`` cores, the task's reservation.
    """
    import ray

    with tempfile.TemporaryDirectory(prefix="govner-fold-") as tmp:
        folder = Path(tmp)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        raw = yaml.safe_load(files["config.yaml"].decode("utf-8"))
        raw["data"]["annotations"] = [str(folder / "train.json"), str(folder / "test.json")]  # here, on this node
        (folder / "config.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        with (folder / "train.log").open("w+", encoding="utf-8") as log:
            returncode = _run_train(folder, threads, log, cwd=workdir if os.path.isdir(workdir) else folder)
            log.seek(0)
            text = log.read()
        metrics = folder / "model" / "metrics.json"
        return {"returncode": returncode, "log": text,
                "metrics": metrics.read_text(encoding="utf-8") if metrics.exists() else None,
                "node": ray.get_runtime_context().get_node_id()}


def _train_folds_on_ray(runs: list[tuple[Any, Path]], address: str) -> dict[Any, dict[str, Any]]:
    """:func:`_train_folds` with each training a Ray task of ``training.threads`` cores (0: one)."""
    from govner.inference.cluster import ClusterError, connect

    results = {key: _metrics(folder) for key, folder in runs if _is_trained(folder)}
    pending = [(key, folder) for key, folder in runs if key not in results]
    if not pending:
        return results
    ray = connect(address)
    task = ray.remote(train_fold_on_node)
    largest = max((node["Resources"].get("CPU", 0) for node in ray.nodes() if node["Alive"]), default=0)
    refs = {}
    for key, folder in pending:
        threads = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8"))["training"]["threads"] or 1
        if threads > largest:  # Ray would wait for such a node for ever
            raise ClusterError(f"training.threads is {threads}, but the largest node of the Ray cluster has "
                               f"{largest:g} CPU(s): set training.threads to {int(largest) or 1} or less")
        files = {name: (folder / name).read_bytes() for name in ("train.json", "test.json", "config.yaml")}
        # a task whose node dies is run again elsewhere (max_retries)
        ref = task.options(num_cpus=threads, max_retries=3).remote(files, os.getcwd(), threads)
        refs[ref] = (key, folder)
    failure: GovnerError | None = None
    while refs:
        # after a failure, only what has already finished is kept; the rest is cancelled
        ready, _ = ray.wait(list(refs), timeout=None if failure is None else 0)
        if not ready:
            break
        for ref in ready:
            key, folder = refs.pop(ref)
            try:
                done = ray.get(ref)
            except Exception as err:  # the task could not run, even after retries: say which fold, keep the rest
                failure = failure or ClusterError(
                    f"{folder.name}: the cluster could not train it: {type(err).__name__}: "
                    f"{str(err).splitlines()[0]}; finished folds are kept, run again to continue")
                continue
            (folder / "train.log").write_text(done["log"], encoding="utf-8")
            if done["returncode"] != 0 or done["metrics"] is None:
                failure = failure or CrossvalError(
                    f"{folder.name} failed on Ray node {done['node'][:12]} (exit {done['returncode']}); "
                    f"see {folder / 'train.log'}")
                continue
            (folder / "model").mkdir(exist_ok=True)
            (folder / "model" / "metrics.json").write_text(done["metrics"], encoding="utf-8")
            (folder / "model" / "inputs.sha256").write_text(_inputs_digest(folder))
            print(f"{folder.relative_to(folder.parent.parent)} done on Ray node {done['node'][:12]}", file=sys.stderr,
                  flush=True)
            results[key] = json.loads(done["metrics"])
    if failure is not None:
        for ref in refs:
            ray.cancel(ref)
        raise failure
    return results


def crossval(
    config: Config,
    folds: int,
    output: str | Path,
    *,
    group_by: str = "document",
    exclude_from_training: Sequence[str] = (),
    train_only: Sequence[str] = (),
    jobs: int = 1,
    only: Sequence[int] = (),
    ray_address: str | None = None,
) -> dict[str, Any]:
    """Train and score ``folds`` models (``jobs`` at a time, one core each); returns and writes the summary.

    Each fold is a ``govner train`` process on a config written under ``output/fold-K/``, so a
    fold that runs out of memory or is killed does not take the others with it, and a fold
    whose ``metrics.json`` is already there is not trained again (run the same command to
    finish an interrupted cross-validation). ``only`` restricts the run to some folds. With
    ``ray_address``, each fold is a task on that Ray cluster instead (``training.threads`` cores
    each; only the metrics and log come back, not the fold's model).
    """
    output = Path(output)
    gold = gold_documents(config)
    docs = [*gold, *synthetic_documents(config)]
    by_id = {d.id: d for d in docs}
    if len(by_id) != len(docs):
        raise ConfigError("document ids of data.annotations and corpus.synthetic are not unique")
    sizes = {i: len(d.text) for i, d in by_id.items()}  # balance folds by characters: reports differ 20-fold
    always_trained = _matching(by_id, train_only)  # in no fold: every fold's training side has them
    tested = [i for i in by_id if i not in always_trained]
    assignment = assign_folds(tested, folds, config.training.seed, group_by, sizes)
    excluded = _matching(by_id, exclude_from_training)
    started = time.time()
    runs = []
    for k, test_ids in enumerate(assignment):
        if only and k not in only:
            continue
        train_docs = [by_id[i] for i in by_id if i not in test_ids and i not in excluded]
        runs.append((k, _prepare_fold(config, output / f"fold-{k}", train_docs, [by_id[i] for i in test_ids])))
    results = _train_folds(runs, jobs, ray_address)
    summary = summarize(results, assignment)
    summary["annotated_pooled"] = score_pooled([folder for _, folder in runs], {d.id for d in gold}, folds)
    summary.update({
        "config": config.name, "folds": folds, "group_by": group_by, "seed": config.training.seed,
        "exclude_from_training": list(exclude_from_training), "train_only": list(train_only),
        "epochs": config.training.epochs, "documents": len(tested),
        "minutes": round((time.time() - started) / 60, 1),
    })
    (output / "crossval.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (output / "crossval.md").write_text(render_markdown(summary), encoding="utf-8")
    return summary


def learning_curve(
    config: Config,
    folds: int,
    fractions: Sequence[float],
    output: str | Path,
    *,
    group_by: str = "document",
    jobs: int = 1,
    only: Sequence[int] = (),
    ray_address: str | None = None,
) -> dict[str, Any]:
    """Cross-validation on growing parts of the training documents: does more annotation still pay?

    For each fold, the documents outside it are put in a seeded order and each fraction trains
    on the first ``fraction`` of them (so the parts are nested: 40% holds the 20%); every model
    is scored on the same held-out fold. Returns and writes (``learning-curve.json``, ``.md``,
    ``.png``) strict F1 per label against the annotated characters trained on, mean ± sd over folds.
    MSRA sentences, if the config has them, are the same for every fraction.
    """
    if not fractions or any(not 0 < f <= 1 for f in fractions):
        raise CrossvalError("fractions must be in (0, 1], e.g. 0.2,0.4,0.6,0.8,1")
    fractions = sorted(set(fractions))
    output = Path(output)
    docs = [*gold_documents(config), *synthetic_documents(config)]
    by_id = {d.id: d for d in docs}
    if len(by_id) != len(docs):
        raise ConfigError("document ids of data.annotations and corpus.synthetic are not unique")
    sizes = {i: len(d.text) for i, d in by_id.items()}
    assignment = assign_folds(list(by_id), folds, config.training.seed, group_by, sizes)
    started = time.time()
    runs, trained_on = [], {}
    for k, test_ids in enumerate(assignment):
        if only and k not in only:
            continue
        test_docs = [by_id[i] for i in test_ids]
        order = sorted((d for d in docs if d.id not in test_ids),
                       key=lambda d: hashlib.sha256(f"{config.training.seed}:{d.id}".encode()).hexdigest())
        for fraction in fractions:
            part = order[: max(1, round(fraction * len(order)))]
            folder = output / f"fold-{k}" / f"fraction-{fraction:g}"
            runs.append(((k, fraction), _prepare_fold(config, folder, part, test_docs)))
            trained_on[(k, fraction)] = (len(part), sum(len(d.text) for d in part))
    results = _train_folds(runs, jobs, ray_address)
    points = []
    for fraction in fractions:
        keys = [key for key in results if key[1] == fraction]
        point: dict[str, Any] = {
            "fraction": fraction,
            "documents": _mean_sd([trained_on[key][0] for key in keys]),
            "characters": _mean_sd([trained_on[key][1] for key in keys]),
            "folds": len(keys),
        }
        for view, source in (("as_used", "dev"), ("network", "dev_model_only")):
            labels: dict[str, list[float]] = {}
            for key in keys:
                scores = results[key].get(source) or results[key]["dev"]
                for name, s in scores.items():
                    if name not in ("macro", "weighted"):
                        labels.setdefault(name, []).append(s["f1"])
            point[view] = {name: _mean_sd(values) for name, values in labels.items()}
        points.append(point)
    summary = {"config": config.name, "folds": folds, "group_by": group_by, "seed": config.training.seed,
               "epochs": config.training.epochs, "documents": len(by_id), "points": points,
               "minutes": round((time.time() - started) / 60, 1)}
    (output / "learning-curve.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n",
                                                encoding="utf-8")
    (output / "learning-curve.md").write_text(render_learning_curve(summary), encoding="utf-8")
    from govner.evaluation.charts import learning_curve_plot

    learning_curve_plot(summary, output / "learning-curve.png")
    return summary


def render_learning_curve(summary: dict[str, Any]) -> str:
    """The learning curve as a markdown table: one row per fraction, strict F1 per label (mean ± sd)."""
    labels = list(summary["points"][-1]["as_used"]) if summary["points"] else []
    used = summary["points"][-1]["folds"] if summary["points"] else 0
    folds = f"{summary['folds']} folds" if used == summary["folds"] else f"{used} of {summary['folds']} folds"
    lines = [
        f"# Learning curve of `{summary['config']}`",
        "",
        f"{folds} over {summary['documents']} documents (grouped by {summary['group_by']}, seed "
        f"{summary['seed']}); each model trained {summary['epochs']} epochs on the first part of its fold's "
        "training documents (nested parts) and scored strict, as used, on the whole held-out fold; mean ± sd over "
        f"folds. {summary['minutes']} minutes.",
        "",
        "| part | documents | annotated characters | " + " | ".join(labels) + " |",
        "|---:|---:|---:|" + "---:|" * len(labels),
    ]
    for point in summary["points"]:
        cells = [f"{point['as_used'][name]['mean']:.3f} ± {point['as_used'][name]['sd']:.3f}"
                 if name in point["as_used"] else "–" for name in labels]
        lines.append(f"| {point['fraction']:.0%} | {point['documents']['mean']:.0f} | "
                     f"{point['characters']['mean']:,.0f} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _mean_sd(values: list[float]) -> dict[str, float]:
    return {"mean": round(statistics.fmean(values), 4),
            "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0}


def summarize(results: dict[int, dict[str, Any]], assignment: list[list[str]]) -> dict[str, Any]:
    """Mean ± sd over folds of each label's P/R/F1 (as used and network alone), and the held-out F1 per epoch."""
    summary: dict[str, Any] = {"per_fold": {}, "scores": {}, "epochs_f1": {}}
    for view, key in (("as_used", "dev"), ("network", "dev_model_only")):
        labels: dict[str, dict[str, list[float]]] = {}
        for k, metrics in sorted(results.items()):
            scores = metrics.get(key) or metrics["dev"]
            summary["per_fold"].setdefault(str(k), {})[view] = {
                name: {m: s[m] for m in ("precision", "recall", "f1", "support")} for name, s in scores.items()
            }
            for name, s in scores.items():
                if name in ("macro", "weighted"):
                    continue
                for measure in ("precision", "recall", "f1"):
                    labels.setdefault(name, {}).setdefault(measure, []).append(s[measure])
        summary["scores"][view] = {
            name: {measure: _mean_sd(values) for measure, values in measures.items()}
            for name, measures in labels.items()
        }
    for metrics in results.values():
        for entry in metrics.get("history", []):
            if "eval_f1" in entry:
                summary["epochs_f1"].setdefault(str(round(entry["epoch"])), []).append(entry["eval_f1"])
    summary["epochs_f1"] = {e: _mean_sd(v) for e, v in sorted(summary["epochs_f1"].items(), key=lambda x: int(x[0]))}
    summary["fold_documents"] = {str(k): ids for k, ids in enumerate(assignment)}
    return summary


def score_pooled(folders: Sequence[Path], ids: set[str], folds: int) -> dict[str, Any]:
    """Strict P/R/F1 over the held-out documents in ``ids``, each tagged by its fold's model, pooled over folds.

    Used for the config's own annotated reports (``data.annotations``), apart from the synthetic
    ones: they are the nearest thing to the reports users bring, but a fold holds only a few of
    them, so per-fold scores would swing; pooling their entities scores every report once, with
    a model that never saw it. Needs every fold's model folder: without one (``--ray`` keeps
    none; ``--only`` trains some folds) the result says why it is missing instead.
    """
    from govner.data.labelstudio import load_documents
    from govner.evaluation.metrics import span_scores
    from govner.evaluation.systems import model_output

    missing = [f.name for f in folders if not (f / "model" / "config.json").exists()]
    if len(folders) < folds or missing:
        return {"skipped": "needs every fold's model (a --ray or --only run keeps some or none)"}
    if not ids:
        return {"skipped": "the config has no data.annotations"}
    lengths: list[int] = []
    gold: list[list[Span]] = []
    predicted: list[list[Span]] = []
    for folder in folders:
        docs = [d for d in load_documents(folder / "test.json") if d.id in ids]
        if docs:
            lengths += [len(d.text) for d in docs]
            gold += [d.spans for d in docs]
            predicted += model_output(folder / "model", docs).spans
    scores = span_scores(lengths, gold, predicted)
    return {"documents": len(lengths), "scores": {
        name: {m: s[m] for m in ("precision", "recall", "f1", "support")}
        for name, s in scores.items() if name not in ("macro", "weighted")
    }}


def render_markdown(summary: dict[str, Any]) -> str:
    """The summary as a markdown report: the per-label table, then the per-epoch curve."""
    lines = [
        f"# Cross-validation of `{summary['config']}`",
        "",
        f"{summary['folds']} folds over {summary['documents']} documents (grouped by {summary['group_by']}, seed "
        f"{summary['seed']}); each fold trained {summary['epochs']} epochs and scored strict, on whole held-out "
        "documents, mean ± sd over folds"
        + (f"; never trained on: {', '.join(summary['exclude_from_training'])}" if summary["exclude_from_training"]
           else "")
        + (f"; trained on in every fold, never tested: {', '.join(summary['train_only'])}"
           if summary.get("train_only") else "")
        + f". {summary['minutes']} minutes.",
    ]
    for view, title in (("as_used", "As used (network + post-processing)"), ("network", "The network alone")):
        lines += ["", f"## {title}", "", "| label | precision | recall | F1 |", "|---|---:|---:|---:|"]
        for name, measures in summary["scores"][view].items():
            cells = [f"{measures[m]['mean']:.3f} ± {measures[m]['sd']:.3f}" for m in ("precision", "recall", "f1")]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    pooled = summary.get("annotated_pooled", {})
    if "skipped" in pooled:
        lines += ["", f"The annotated reports alone (`data.annotations`) were not scored: {pooled['skipped']}."]
    elif pooled.get("documents"):
        lines += ["", "## The annotated reports alone (`data.annotations`, not synthetic), pooled over folds", "",
                  f"{pooled['documents']} reports, each tagged by the fold model that held it out; scored together.",
                  "", "| label | support | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {name} | {s['support']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |"
                  for name, s in pooled["scores"].items()]
    if summary["epochs_f1"]:
        lines += ["", "## Held-out window F1 of the network per epoch", "", "| epoch | F1 |", "|---:|---:|"]
        lines += [f"| {e} | {v['mean']:.4f} ± {v['sd']:.4f} |" for e, v in summary["epochs_f1"].items()]
    return "\n".join(lines) + "\n"
