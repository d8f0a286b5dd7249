"""``govner predict --ray``: the same run on a Ray cluster, with the same records and guarantees.

The driver (the machine running ``govner predict``) lists the input files (names only,
:func:`govner.data.reader.input_files`), opens the output (its lock, ``--resume``) and
writes every record itself; the cluster does the rest as a Ray Data pipeline:

1. a dataset of read units (:func:`read_units`: a ``.jsonl`` file, or up to 256 ``.txt`` files);
2. ``flat_map``: each unit read by :func:`govner.data.reader.read_input_file`, the reader
   ``govner predict`` uses, so the documents and error records are the same; what
   ``--resume`` found in the output is dropped here. Rows leave in blocks of about 512 KiB
   (~150,000 characters), so one big ``.jsonl`` file still spreads over the actors;
3. ``map_batches`` on a pool of actors, each loading the model once and tagging with one
   inference thread (:func:`govner.inference.predict.prediction_results`, the same code
   as a local run; a batch of up to 200,000 characters is one group, so its scoring does not
   overlap post-processing);
4. the rows stream back to the driver in input order (``preserve_order``), where duplicate
   ids become error records and each record is written whole, as in a local run.

Actors that die with their node are restarted elsewhere and their batches retried by Ray; if
the cluster cannot finish, the run stops with one line and ``--resume`` continues it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from typing import Any

import numpy as np

from govner.data.document import Document, ReadError
from govner.errors import GovnerError, MissingPackageError, UsageError
from govner.inference.predict import (
    GROUP_CHARS,
    Format,
    IdIndex,
    Output,
    Result,
    Summary,
    item_key,
    prediction_results,
    write_results,
)

BLOCK_BYTES = 512 * 1024  # Ray Data blocks (and batches) of ~150,000 characters: big enough to batch well
TEXT_FILES_PER_READ = 256
CONNECT_SECONDS = 10  # for the head's port to answer
LOCAL = "local"  # --ray without an address: start a Ray instance on this machine


class ClusterError(GovnerError):
    """The cluster cannot be reached, or could not finish the run."""


def check_address(address: str) -> None:
    """Refuse an ``--ray`` value that is not a cluster address: most likely an input the option swallowed.

    >>> check_address("10.0.0.5:6379"); check_address("auto"); check_address("ray://head:10001")
    >>> check_address("reports/")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    govner.errors.UsageError: --ray took 'reports/' as the cluster's address: ...
    """
    if address not in (LOCAL, "auto") and not re.fullmatch(r"(ray://)?[\w.\-\[\]:]+:\d+", address):
        raise UsageError(f"--ray took {address!r} as the cluster's address: give one (HOST:PORT, auto) or put --ray "
                         "after the inputs")


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise MissingPackageError("--ray needs Ray: pip install 'govner[ray]'") from None
    return ray


def connect(address: str) -> Any:
    """``ray.init`` for ``address`` (``local``: a new Ray instance on this machine, dashboard off)."""
    ray = _ray()
    if ray.is_initialized():
        return ray
    if address not in (LOCAL, "auto") and not address.startswith("ray://"):
        _check_reachable(address)
    try:
        if address == LOCAL:  # always a new instance, never one RAY_ADDRESS or an earlier `ray start` names
            ray.init(address="local", include_dashboard=False, log_to_driver=False, logging_level="warning")
        else:
            ray.init(address=address, log_to_driver=False, logging_level="warning")
    except Exception as err:  # ConnectionError, RuntimeError, ValueError: which one depends on Ray's version
        raise ClusterError(f"cannot connect to the Ray cluster at {address}: {str(err).splitlines()[0]}") from None
    return ray


def _check_reachable(address: str) -> None:
    """Fail in seconds when nothing listens at HOST:PORT: ``ray.init`` would wait for it without end."""
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as err:
        raise ClusterError(f"cannot connect to the Ray cluster at {address}: {err.strerror or err}") from None


# --------------------------------------------------------------------------- on the cluster


def _item_row(item: Document | ReadError) -> dict[str, str]:
    """A document or read error as a row of one JSON string: Ray Data's column types never touch it
    (a column of all-None errors would come back as NaN)."""
    if isinstance(item, ReadError):
        record = {"id": item.id, "source": item.source, "error": str(item)}
    else:
        record = {"id": item.id, "source": item.source, "text": item.text, "meta": item.meta}
    return {"item": json.dumps(record, ensure_ascii=False)}


def read_rows(
    row: dict[str, str], done: frozenset[str], resume_key: Callable[[str], str], workdir: str
) -> Iterator[dict[str, str]]:
    """The documents (and error records) of one read unit's files, less those already in the output.

    Read from ``workdir``, the folder the command ran in, so that relative input names mean what they
    meant there and the records name their sources as a local run does (a Ray worker starts elsewhere).
    """
    from govner.data.reader import InputFile, read_input_file

    if os.path.isdir(workdir):
        os.chdir(workdir)

    wanted = (lambda doc_id: resume_key(doc_id) not in done) if done else None
    for unit in json.loads(row["files"]):
        if unit["walk_error"] is not None:  # a folder that could not be walked: an error record of its own
            items: Iterable[Document | ReadError] = [ReadError(unit["path"], unit["walk_error"])]
        else:
            items = read_input_file(InputFile(unit["path"], unit["doc_id"], unit["folder"]), wanted)
        for item in items:
            if done and resume_key(item_key(item)) in done:
                continue
            yield _item_row(item)


class TaggingActor:
    """One model per actor, one inference thread; tags batches of document rows into result rows."""

    def __init__(self, model: str, options: dict[str, Any]) -> None:
        from govner.inference.tagger import Tagger

        self.tagger = Tagger.from_pretrained(model, threads=1, **options)
        if self.tagger.backend == "torch":
            import torch

            torch.set_num_threads(1)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        items = [json.loads(row) for row in batch["item"]]
        docs = [Document(id=i["id"], text=i["text"], source=i["source"], meta=i["meta"])
                for i in items if "error" not in i]
        # the code a local run tags with, on the whole batch at once (a local run starts small only so
        # that its first records come at once)
        tagged = prediction_results(self.tagger, docs, first_chars=GROUP_CHARS)
        results = [Result(i["id"], i["source"], error=i["error"]) if "error" in i else next(tagged) for i in items]
        return {"result": np.array([json.dumps(asdict(r), ensure_ascii=False) for r in results], dtype=object)}


# --------------------------------------------------------------------------- on the driver


def read_units(inputs: Iterable[str], skip: Callable[[str], bool] | None) -> list[dict[str, str]]:
    """The input files in read units, one read task each: a ``.jsonl`` file alone, ``.txt`` files
    :data:`TEXT_FILES_PER_READ` at a time (a task per small report would cost more than reading it).
    A folder that could not be walked is a unit's entry too, so its error record comes in its place."""
    from govner.data.reader import JSONL_SUFFIX, input_files

    units: list[list[dict[str, Any]]] = []
    texts: list[dict[str, Any]] = []  # the unit of .txt files being filled
    for entry in input_files(inputs, skip):
        if isinstance(entry, ReadError):
            texts.append({"path": entry.source, "doc_id": None, "folder": None, "walk_error": entry.message})
            continue
        record = {"path": entry.path, "doc_id": entry.doc_id, "folder": entry.folder, "walk_error": None}
        if entry.path.lower().endswith(JSONL_SUFFIX):
            if texts:  # keep input order: the .txt files before this one form their own unit
                units.append(texts)
                texts = []
            units.append([record])
        else:
            texts.append(record)
            if len(texts) == TEXT_FILES_PER_READ:
                units.append(texts)
                texts = []
    if texts:
        units.append(texts)
    return [{"files": json.dumps(unit, ensure_ascii=False)} for unit in units]


def _results(rows: Iterable[dict[str, Any]]) -> Iterator[Result]:
    """Result rows back into :class:`Result` objects, with later duplicates of an id turned into error records."""
    index = IdIndex()  # the check a local run makes before tagging, made here as the records arrive
    for row in rows:
        result = Result(**json.loads(row["result"]))
        repeat = index.repeat(result.id, result.source) if result.error is None else None
        yield result if repeat is None else Result(None, result.source, error=str(repeat))


def run_predict_ray(
    model: str,
    options: dict[str, Any],
    inputs: Iterable[str],
    output: str | None,
    fmt: Format,
    *,
    address: str = LOCAL,
    workers: int | None = None,
    resume: bool = False,
    batch_size: int | None = None,
    progress: Any = None,
    on_error: Callable[[str], None] | None = None,
) -> Summary:
    """``govner predict --ray``: tag ``inputs`` on the cluster at ``address``, write ``output`` here.

    ``options`` go to :meth:`Tagger.from_pretrained` in every actor; ``workers`` actors (default:
    the cluster's CPUs) tag ``batch_size`` documents at a time (None: a block, about 512 KiB of text).
    """
    from govner.data.reader import STDIN, refuse_overwriting_inputs, same_file_as

    inputs = list(inputs)
    if STDIN in inputs:
        raise UsageError("--ray reads files and folders, not stdin (-): the cluster's machines cannot see it")
    refuse_overwriting_inputs(output, inputs)
    ray = connect(address)
    from ray.data import DataContext

    logging.getLogger("ray.data").setLevel(logging.ERROR)  # no plan, timing or progress-bar lines among govner's own

    cpus = int(ray.cluster_resources().get("CPU", 0))
    if cpus < 1:  # Ray would wait for a node with a CPU for ever
        raise ClusterError("the Ray cluster has no CPU for a tagging actor (a head started with --num-cpus 0 and no "
                           "worker nodes yet?)")
    out = Output(output, fmt, resume)
    done = frozenset(fmt.resume_key(k) for k in out.done)
    summary = Summary(skipped=len(out.done), failed_before=sum(out.done.values()), truncated=out.truncated)
    is_output = same_file_as(output) if output not in (None, "-") else None
    rows = read_units(inputs, is_output)
    if not rows:
        out.close()
        return summary
    context = DataContext.get_current()
    context.execution_options.preserve_order = True  # records in input order, as a local run writes them
    context.enable_progress_bars = False  # govner's own bar counts documents
    context.target_max_block_size = BLOCK_BYTES
    # (Ray Data's wait_for_min_actors_s would also end a run no actor can start in, but gating the start
    # on it made a 30,000-document run 20 s slower; a busy cluster is waited for, as any Ray job waits.)
    if workers is None:
        workers = cpus
    # the pool starts with as many actors as CPUs are free now (all of them at once batch best), at least one
    first_actors = max(1, min(workers, int(ray.available_resources().get("CPU", 0))))
    dataset = (
        ray.data.from_items(rows, override_num_blocks=len(rows))
        # Reading is light next to tagging and must never wait for a core the actors hold: no CPU
        # reserved, but a few tasks at a time (each is a Python process on its node).
        .flat_map(read_rows, fn_kwargs={"done": done, "resume_key": fmt.resume_key, "workdir": os.getcwd()},
                  num_cpus=0, concurrency=min(len(rows), max(2, workers // 4)))
        # A pool of up to `workers` actors: it runs on whatever part of the cluster is free and grows as
        # CPUs free up or nodes join. Ray Data restarts an actor that died with its node and retries its batches.
        .map_batches(TaggingActor, fn_constructor_kwargs={"model": model, "options": options},
                     batch_size=batch_size, batch_format="numpy", concurrency=(first_actors, workers), num_cpus=1)
    )
    try:
        return write_results(_results(dataset.iter_rows()), out, summary, progress, on_error)
    except GovnerError:
        raise
    except Exception as err:  # a Ray failure the retries did not absorb; what was written is whole
        raise ClusterError(f"the cluster could not finish: {type(err).__name__}: {str(err).splitlines()[0]}; "
                           f"{summary.succeeded + summary.failed} record(s) written; run again with --resume "
                           "to continue") from None
