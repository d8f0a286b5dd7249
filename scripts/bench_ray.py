"""What ``govner predict --ray`` costs next to a plain run: documents/s, characters/s and peak memory.

Runs, side by side on one corpus, ``govner predict`` (one process, its default threads) and
``govner predict --ray --workers N`` for each N (a Ray instance on this machine, started by the
run itself, so its start-up is in the time), samples the resident memory of every process under
each run twice a second, and checks that every run wrote the same bytes. Prints a markdown table.

    python scripts/bench_ray.py --model models/default --documents 30000 --workers 1 --workers 2
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def write_corpus(path: Path, documents: int) -> int:
    """``documents`` short reports (lines of the seed reports, cycled) as ``.jsonl``; returns their characters."""
    tasks = json.loads((ROOT / "annotations" / "seed_gold.json").read_text(encoding="utf-8"))
    lines = [line.strip() for task in tasks for line in task["data"]["text"].splitlines() if len(line.strip()) > 4]
    chars = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(documents):
            text = lines[i % len(lines)]
            chars += len(text)
            out.write(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n")
    return chars


def run(command: list[str]) -> dict:
    """Run ``command``, sampling memory; wall seconds, govner's summary line, peak MiB of the driver and actors."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(process.pid)
    peaks: dict[int, tuple[str, int]] = {}
    while process.poll() is None:
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in members:
            try:
                rss, name = member.memory_info().rss, " ".join(member.cmdline())[:80]
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            if rss > peaks.get(member.pid, ("", 0))[1]:
                peaks[member.pid] = (name, rss)
        time.sleep(0.5)
    stderr = process.stderr.read()
    seconds = time.perf_counter() - started
    summary = re.search(r"predicted (\d+) document\(s\).*", stderr)
    if process.returncode not in (0, 1) or summary is None:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    actors = [rss for name, rss in peaks.values() if "TaggingActor" in name]
    return {"seconds": seconds, "summary": summary.group(0), "documents": int(summary.group(1)),
            "driver_mib": peaks[process.pid][1] / 2**20, "actor_mib": [rss / 2**20 for rss in actors]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--documents", type=int, default=30000)
    parser.add_argument("--workers", type=int, action="append", default=[], help="actor counts (default 1 and 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govner-bench-ray-") as tmp:
        folder = Path(tmp)
        chars = write_corpus(folder / "corpus.jsonl", args.documents)
        govner = [sys.executable, "-m", "govner", "predict", "--model", args.model, str(folder / "corpus.jsonl"), "-q"]
        rows = [("plain `govner predict`", run([*govner, "-o", str(folder / "plain.jsonl")]))]
        for workers in args.workers or [1, 2]:
            out = folder / f"ray-{workers}.jsonl"
            rows.append((f"`--ray --workers {workers}`", run([*govner, "-o", str(out), "--ray", "--workers",
                                                               str(workers)])))
            same = out.read_bytes() == (folder / "plain.jsonl").read_bytes()
            print(f"--workers {workers}: output {'identical to' if same else 'DIFFERENT from'} the plain run",
                  file=sys.stderr)
        print(f"{args.documents:,} documents, {chars:,} characters, {psutil.cpu_count()} cores\n")
        print("| run | wall s | documents/s | characters/s | peak MiB: driver | peak MiB per actor |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, r in rows:
            actors = ", ".join(f"{m:.0f}" for m in r["actor_mib"]) or "–"
            print(f"| {name} | {r['seconds']:.1f} | {r['documents'] / r['seconds']:,.0f} | "
                  f"{chars / r['seconds']:,.0f} | {r['driver_mib']:.0f} | {actors} |")
        for name, r in rows:
            print(f"{name}: {r['summary']}", file=sys.stderr)


if __name__ == "__main__":
    main()
