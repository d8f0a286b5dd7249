"""Does ``govner predict``'s memory stay flat as the number of documents grows? Not a test.

    python benchmarks/predict_memory.py --model models/default [--docs 10000 100000] [--input jsonl folder]

Short documents (one or two consecutive lines of the seed reports, cut at 160
characters) are written as one ``.jsonl`` file or as a folder of ``.txt``
files; ``govner predict`` runs over each in a fresh process, and its peak resident
set size (``ru_maxrss`` of the child) and speed are printed. Flat means the 100k run
peaks where the 10k run does, give or take what is inherent per document: the ids a
``.jsonl`` file's duplicate check remembers, and the names of one folder, which are
sorted before reading.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def short_documents(count: int) -> list[str]:
    """``count`` short texts (one or two lines of a seed report, at most 160 characters), cycling through them."""
    lines = [
        line.strip()
        for seed in sorted((ROOT / "data" / "raw").glob("*.txt"))
        for line in seed.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) >= 8
    ]
    docs = []
    i = 0
    while len(docs) < count:
        take = 1 + len(docs) % 2
        docs.append("\n".join(lines[(i + k) % len(lines)] for k in range(take))[:160])
        i += take
    return docs


def peak_rss_run(command: list[str]) -> tuple[float, float, str]:
    """(peak RSS in MiB, seconds, stderr) of ``command`` in a fresh child process."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t, r.returncode); "
        "sys.stderr.write(r.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    kib, seconds, code = result.stdout.split()
    if code != "0":
        raise SystemExit(f"govner predict failed ({code}):\n{result.stderr}")
    return int(kib) / 1024, float(seconds), result.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--docs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--input", nargs="+", default=["jsonl"], choices=["jsonl", "folder"])
    parser.add_argument("--format", default="jsonl", choices=["jsonl", "conll", "label-studio"])
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more govner predict options")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="govner-memory-"))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; work folder {work}")
    print("| input | documents | characters | peak RSS (MiB) | seconds | chars/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for count in args.docs:
        docs = short_documents(count)
        chars = sum(map(len, docs))
        for kind in args.input:
            if kind == "jsonl":
                source = work / f"docs{count}.jsonl"
                with source.open("w", encoding="utf-8") as f:
                    for i, text in enumerate(docs):
                        f.write(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n")
            else:
                source = work / f"docs{count}"
                source.mkdir(exist_ok=True)
                for i, text in enumerate(docs):
                    (source / f"d{i:06d}.txt").write_text(text, encoding="utf-8")
            out = work / f"out{count}.{args.format}"
            command = [sys.executable, "-m", "govner", "predict", "--model", args.model, str(source), "-o", str(out),
                       "-q", "--format", args.format, *args.extra]
            start = time.perf_counter()
            rss, seconds, _ = peak_rss_run(command)
            seconds = time.perf_counter() - start
            print(f"| {kind} | {count:,} | {chars:,} | {rss:,.0f} | {seconds:.0f} | {chars / seconds:,.0f} |",
                  flush=True)
            out.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
