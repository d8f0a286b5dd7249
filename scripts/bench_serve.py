"""Load test of ``govner serve``: N requests from C concurrent clients on 127.0.0.1, every answer checked.

    python scripts/bench_serve.py --model models/default [--requests 500] [--clients 8] [--workers 2]

Starts ``govner serve`` on a free loopback port (stopped by its process id at the end), sends
requests of 1-3 report lines each (from data/raw, ids unique per request), and checks that every
answer is a 200 holding exactly the documents its request sent, in order, with entity texts that
are the sent text at their offsets. Prints one JSON line: latency p50/p95, documents/s, chars/s.
Exits 1 if any answer was wrong (tests/test_serve.py runs it on the tiny model).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url + "/predict", data=json.dumps(body, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def report_lines() -> list[str]:
    lines = []
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 10]
    return lines


def load(url: str, requests: int, clients: int) -> dict:
    lines = report_lines()
    problems: list[str] = []

    def one(n: int) -> tuple[float, int, int]:
        docs = [{"id": f"r{n}-d{k}", "text": lines[(n * 3 + k) % len(lines)]} for k in range(1 + n % 3)]
        started = time.perf_counter()
        status, answer = post(url, {"documents": docs})
        latency = time.perf_counter() - started
        records = answer.get("records", [])
        if status != 200 or [r.get("id") for r in records] != [d["id"] for d in docs]:
            problems.append(f"request {n}: {status}, ids {[r.get('id') for r in records]}")
        else:
            for doc, record in zip(docs, records, strict=True):
                if any(doc["text"][e["start"] : e["end"]] != e["text"] for e in record["entities"]):
                    problems.append(f"request {n}: {doc['id']}: an entity's text is not the sent text")
        return latency, len(docs), sum(len(d["text"]) for d in docs)

    one(0)  # warm up
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        done = list(pool.map(one, range(requests)))
    seconds = time.perf_counter() - started
    latencies = sorted(latency for latency, _, _ in done)
    documents, chars = sum(n for _, n, _ in done), sum(c for _, _, c in done)
    return {"requests": requests, "clients": clients, "documents": documents, "seconds": round(seconds, 2),
            "p50_ms": round(1000 * statistics.median(latencies), 1),
            "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
            "documents_per_s": round(documents / seconds, 1), "chars_per_s": round(chars / seconds),
            "errors": len(problems), "problems": problems[:5]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "govner", "serve", "--model", args.model, "--port", str(port),
               "--workers", str(args.workers), "--no-access-log"]
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                sys.exit(f"govner serve exited with {server.returncode}")
            try:
                urllib.request.urlopen(url + "/health", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("govner serve did not answer within 120 s")
                time.sleep(0.3)
        result = {"model": args.model, "workers": args.workers, **load(url, args.requests, args.clients)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
