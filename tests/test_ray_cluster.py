"""``govner predict --ray`` and ``govner crossval --ray`` on a real two-node Ray cluster on this machine.

The cluster (tests/clusters.py) is a head and a worker node started with ``ray start``; a cluster run
must write exactly the records a single-process run writes, and survive losing a node.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from clusters import alive_nodes, start_cluster, stop_node
from govner.inference.cluster import read_units
from helpers import GOLD, tiny


@pytest.fixture(scope="module")
def ray_cluster():
    root = Path(tempfile.mkdtemp(prefix="govner-ray-"))  # short: Ray's socket paths must fit in 107 bytes
    started = start_cluster(root)  # a slow fixture (conftest.SLOW_FIXTURES)
    try:
        yield started
    finally:
        stop_node(started.worker)
        stop_node(started.head)
        shutil.rmtree(root, ignore_errors=True)


def govner(cluster, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govner", *args], capture_output=True, text=True, env=cluster.env,
                          timeout=600, **kwargs)


def write_inputs(folder: Path, documents: int, duplicates: bool = True) -> Path:
    """``documents`` short reports (lines of the seed reports) in a ``.jsonl`` file and a folder of ``.txt``
    files, with bad ones among them: broken JSON, a repeated id, text that is not a string, a file that is
    not text, and an id repeated across files."""
    lines = [line.strip() for task in json.loads(Path(GOLD).read_text(encoding="utf-8"))
             for line in task["data"]["text"].splitlines() if len(line.strip()) > 4]
    folder.mkdir(parents=True)
    with (folder / "a.jsonl").open("w", encoding="utf-8") as out:
        for i in range(documents):
            out.write(json.dumps({"id": f"d{i}", "text": lines[i % len(lines)][:160], "n": i}, ensure_ascii=False))
            out.write("\n")
            if i % 400 == 7:
                out.write("{not json\n")
            if duplicates and i % 900 == 3:
                out.write(json.dumps({"id": f"d{i}", "text": "又一个"}, ensure_ascii=False) + "\n")
            if i == 50:
                out.write(json.dumps({"id": "number", "text": 12}) + "\n")
    reports = folder / "reports"
    reports.mkdir()
    for i in range(12):
        (reports / f"r{i}.txt").write_text(lines[(i * 7) % len(lines)], encoding="utf-8")
    (reports / "latin1.txt").write_bytes(b"M\xfcller")
    again = {"id": "d5" if duplicates else "b1", "text": "与 a.jsonl 的 d5 同名"}  # id d5 again, from another file
    (folder / "b.jsonl").write_text(json.dumps(again, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_predict_on_the_cluster_writes_what_a_single_process_run_writes(ray_cluster, tiny_model, tmp_path):
    inputs = write_inputs(tmp_path / "in", 3000)
    # given by a relative name, which the cluster's workers (started elsewhere) must read as the command meant it
    local = govner(ray_cluster, "predict", "--model", str(tiny_model), "in", "-o", "local.jsonl", cwd=tmp_path)
    ray = govner(ray_cluster, "predict", "--model", str(tiny_model), "in", "-o", "ray.jsonl", "--ray",
                 ray_cluster.address, "--workers", "2", cwd=tmp_path)
    assert local.returncode == ray.returncode == 1, ray.stderr[-3000:]  # 1: some documents failed, as they should
    expected = records(tmp_path / "local.jsonl")
    assert len(expected) == 3000 + 8 + 4 + 1 + 14 and sum("error" in r for r in expected) == 8 + 4 + 1 + 2
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()  # ids, spans, errors, order
    errors = [line for line in local.stderr.splitlines() if line.startswith("error:")]
    assert errors == [line for line in ray.stderr.splitlines() if line.startswith("error:")]
    assert "predicted 3012 document(s), 15 failed" in ray.stderr

    for fmt in ("label-studio", "html"):  # the formats that carry state across records
        for name, where in (("local", []), ("ray", ["--ray", ray_cluster.address])):
            out = tmp_path / f"{name}.{fmt}"
            govner(ray_cluster, "predict", "--model", str(tiny_model), str(inputs), "-o", str(out), "--format", fmt,
                   *where)
        assert (tmp_path / f"ray.{fmt}").read_bytes() == (tmp_path / f"local.{fmt}").read_bytes()
        assert (tmp_path / f"ray.{fmt}").stat().st_size > 100_000

    # and the same for --resume of a cut output: the cluster tags only what is missing, as a local run would;
    # a second --resume adds nothing, not even the error record of a folder without reports
    head = b"".join((tmp_path / "local.jsonl").read_bytes().splitlines(keepends=True)[:1234])
    (tmp_path / "empty").mkdir()
    for name, where in (("cut-local.jsonl", []), ("cut-ray.jsonl", ["--ray", ray_cluster.address])):
        (tmp_path / name).write_bytes(head)
        for _ in range(2):
            resumed = govner(ray_cluster, "predict", "--model", str(tiny_model), str(inputs), str(tmp_path / "empty"),
                             "-o", str(tmp_path / name), "--resume", *where)
            assert resumed.returncode == 1 and " already in the output" in resumed.stderr, resumed.stderr[-3000:]
    assert (tmp_path / "cut-ray.jsonl").read_bytes() == (tmp_path / "cut-local.jsonl").read_bytes()
    assert (tmp_path / "cut-ray.jsonl").read_text(encoding="utf-8").count("no .txt or .jsonl files in folder") == 1


def test_an_address_that_is_not_one_is_refused_before_anything_runs(ray_cluster, tiny_model, tmp_path):
    done = govner(ray_cluster, "predict", "--model", str(tiny_model), "--ray", str(tmp_path), "-o", str(tmp_path / "o"))
    assert done.returncode == 2 and "took" in done.stderr and "as the cluster's address" in done.stderr
    nobody = govner(ray_cluster, "predict", "--model", str(tiny_model), str(tmp_path), "--ray", "127.0.0.1:9")
    assert nobody.returncode != 0 and "cannot connect to the Ray cluster at 127.0.0.1:9" in nobody.stderr
    assert "Traceback" not in done.stderr + nobody.stderr


def test_crossval_folds_run_as_ray_tasks_on_both_nodes_and_report_as_a_local_run(ray_cluster, tmp_path):
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(tiny(data={"dev_ids": []}), allow_unicode=True), encoding="utf-8")
    on_ray = govner(ray_cluster, "crossval", "--config", str(config), "--folds", "3", "--output", str(tmp_path / "ray"),
                    "--ray", ray_cluster.address)
    assert on_ray.returncode == 0, on_ray.stderr[-3000:]
    nodes = {line.rsplit(" ", 1)[1] for line in on_ray.stderr.splitlines() if " done on Ray node " in line}
    assert len(nodes) == 2  # three trainings of one core each on two one-core nodes
    local = govner(ray_cluster, "crossval", "--config", str(config), "--folds", "3", "--jobs", "2",
                   "--output", str(tmp_path / "local"))
    assert local.returncode == 0, local.stderr[-3000:]
    summaries = [json.loads((tmp_path / run / "crossval.json").read_text(encoding="utf-8")) for run in ("ray", "local")]
    for summary in summaries:
        summary.pop("minutes")
    assert "skipped" in summaries[0].pop("annotated_pooled")  # no fold model comes back from Ray
    summaries[1].pop("annotated_pooled")
    assert summaries[0] == summaries[1]  # same folds, same seeds, one thread each: the same scores
    assert (tmp_path / "ray" / "fold-0" / "train.log").read_text(encoding="utf-8").strip()


# last in the module: it leaves the cluster without its worker node
def test_a_node_lost_mid_run_loses_no_document_and_resume_completes_the_output(ray_cluster, tiny_model, tmp_path):
    inputs = write_inputs(tmp_path / "in", 8000, duplicates=False)  # so that every record has one key
    local = govner(ray_cluster, "predict", "--model", str(tiny_model), str(inputs), "-o", str(tmp_path / "local.jsonl"))
    assert local.returncode == 1
    output = tmp_path / "ray.jsonl"
    command = [sys.executable, "-m", "govner", "predict", "--model", str(tiny_model), str(inputs), "-o", str(output),
               "--ray", ray_cluster.address, "--workers", "2", "-q"]
    with (tmp_path / "run.log").open("w") as log:
        run = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=ray_cluster.env)
    try:
        deadline = time.monotonic() + 300
        while not (output.exists() and output.read_bytes().count(b"\n") >= 300) and time.monotonic() < deadline:
            assert run.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
            time.sleep(0.2)
        assert run.poll() is None, "the run ended before the node could be lost: give it more documents"
        stop_node(ray_cluster.worker, kill=True)  # the worker node crashes, its actor with it
        run.wait(timeout=600)
    finally:
        if run.poll() is None:
            run.kill()
    said = (tmp_path / "run.log").read_text()
    assert "Traceback" not in said
    assert "marked dead" in said or "could not finish" in said, said[-3000:]  # the run saw the node go
    if run.returncode != 1:  # did not finish on the head alone: then it says so, and how to go on
        assert "the cluster could not finish" in said and "--resume" in said, said[-3000:]
    resumed = govner(ray_cluster, "predict", "--model", str(tiny_model), str(inputs), "-o", str(output), "--resume",
                     "--ray", ray_cluster.address)
    assert resumed.returncode == 1, resumed.stderr[-3000:]
    written = output.read_text(encoding="utf-8").splitlines()
    expected = (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(written) == sorted(expected)  # every document exactly once, the bad ones as error records
    deadline = time.monotonic() + 60
    while alive_nodes(ray_cluster.address, ray_cluster.env) != 1:  # the head is still whole, the worker gone
        assert time.monotonic() < deadline
        time.sleep(1)


def test_read_units_keep_input_order_and_batch_text_files(tmp_path):
    for i in range(600):
        (tmp_path / f"r{i:03}.txt").write_text("报告", encoding="utf-8")
    (tmp_path / "r300.jsonl").write_text("", encoding="utf-8")
    units = [json.loads(row["files"]) for row in read_units([str(tmp_path)], None)]
    assert [len(unit) for unit in units] == [256, 44, 1, 256, 44]  # the .jsonl file alone, in its place
    paths = [entry["path"] for unit in units for entry in unit]
    assert paths == sorted(paths) and len(paths) == 601
    assert units[0][0]["doc_id"] == "r000" and units[2][0]["doc_id"] == "r300"
