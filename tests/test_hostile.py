"""Bad input and bad situations, one test per case found by the hostile-input pass (issue 12).

Each case: no traceback, no lost or doubled document, a located one-line error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from govner.cli import main
from govner.data.document import ReadError
from govner.data.reader import read_documents

TEXT = "巴中市恩阳区投资38亿元。"


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def one_error(capsys) -> str:
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("govner: error:")]
    assert len(err) == 1, err
    return err[0]


# --------------------------------------------------------------------------- reading


def test_same_file_name_in_two_folders_gives_two_ids(tmp_path):
    for year in ("2022", "2023"):
        (tmp_path / year).mkdir()
        (tmp_path / year / "report.txt").write_text(f"{year}年{TEXT}", encoding="utf-8")
    docs, errors = read_documents([tmp_path])
    assert not errors and [d.id for d in docs] == ["2022/report", "2023/report"]


def test_a_symlinked_folder_is_followed_and_a_loop_is_reported(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text(TEXT, encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked").symlink_to(real, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    docs, errors = read_documents([root])
    assert [d.id for d in docs] == ["linked/a"]
    assert len(errors) == 1 and "symlink back" in errors[0].message


def test_a_fifo_is_skipped_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    done: list = []
    reader = threading.Thread(target=lambda: done.append(read_documents([tmp_path])), daemon=True)
    reader.start()
    reader.join(10)
    assert done, "reading a folder with a FIFO hung"
    docs, errors = done[0]
    assert [d.id for d in docs] == ["ok"] and "not a regular file" in errors[0].message


def test_a_link_to_dev_zero_is_refused(tmp_path):
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    docs, errors = read_documents([tmp_path / "zero.txt"])
    assert not docs and "not a regular file" in errors[0].message


def test_a_file_over_the_size_limit_is_an_error(tmp_path):
    from govner.data.reader import iter_documents

    (tmp_path / "big.txt").write_text("字" * 1000, encoding="utf-8")
    (items,) = list(iter_documents([tmp_path / "big.txt"], max_bytes=100))
    assert isinstance(items, ReadError) and "3,000 bytes, more than the 100" in items.message


def test_a_lone_surrogate_in_jsonl_is_one_error_record(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "好\\ud800"}\n{"id": "\\udc00", "text": "好"}\n{"id": "c", "text": "好"}\n',
                    encoding="utf-8")
    docs, errors = read_documents([path])
    assert [d.id for d in docs] == ["c"]
    assert [e.line for e in errors] == [1, 2] and all("lone surrogate" in e.message for e in errors)
    json.dumps([str(e) for e in errors], ensure_ascii=False).encode("utf-8")  # every error can be written


def test_a_file_name_that_is_not_utf8_can_be_written(tmp_path):
    name = b"\xb1\xa8\xb8\xe6.txt".decode("utf-8", "surrogateescape")  # 报告.txt in GBK, from a Windows zip
    (tmp_path / name).write_text(TEXT, encoding="utf-8")
    (doc,) = read_documents([tmp_path])[0]
    assert doc.id == "\\xb1\\xa8\\xb8\\xe6"
    json.dumps({"id": doc.id, "source": doc.source}, ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------- writing


@pytest.mark.parametrize("suffix", [".jsonl", ".txt"])
def test_output_that_is_an_input_is_refused_and_the_input_survives(tmp_path, capsys, suffix):
    path = tmp_path / f"corpus{suffix}"
    content = json.dumps({"id": "a", "text": TEXT}, ensure_ascii=False) + "\n" if suffix == ".jsonl" else TEXT
    path.write_text(content, encoding="utf-8")
    assert main(["data", "normalize", str(path), "-o", str(path)]) == 2
    assert "is also an input" in one_error(capsys)
    assert path.read_text(encoding="utf-8") == content


def test_normalize_never_reads_its_own_output(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    out = folder / "normalized.jsonl"
    assert main(["data", "normalize", str(folder), "-o", str(out), "--quiet"]) == 0
    assert [r["id"] for r in lines(out)] == ["a"]


@pytest.mark.parametrize("make", ["folder", "missing parent", "read-only folder"])
def test_output_that_cannot_be_written_is_one_line(tmp_path, capsys, make):
    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    if make == "folder":
        out = tmp_path / "out"
        out.mkdir()
    elif make == "missing parent":
        out = tmp_path / "no" / "such" / "out.jsonl"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        out = locked / "out.jsonl"
    assert main(["data", "normalize", str(src), "-o", str(out)]) == 2
    assert str(out) in one_error(capsys)


# --------------------------------------------------------------------------- predict (a real model)


def test_predict_refuses_its_input_as_output(tiny_model, tmp_path, capsys):
    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps({"id": "a", "text": TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    before = path.read_bytes()
    assert main(["predict", "--model", str(tiny_model), str(path), "-o", str(path)]) == 2
    assert "is also an input" in one_error(capsys) and path.read_bytes() == before


def test_predict_never_reads_its_own_output_in_an_input_folder(tiny_model, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(3):
        (folder / f"r{n}.txt").write_text(TEXT, encoding="utf-8")
    out = folder / "pred.jsonl"
    assert main(["predict", "--model", str(tiny_model), str(folder), "-o", str(out), "--quiet"]) == 0
    records = lines(out)
    assert [r["id"] for r in records] == ["r0", "r1", "r2"] and not any("error" in r for r in records)


def test_duplicate_ids_across_inputs_are_reported_not_dropped_silently(tiny_model, tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text(json.dumps({"id": "x", "text": TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    two.write_text(json.dumps({"id": "x", "text": "另一篇" + TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    assert main(["predict", "--model", str(tiny_model), str(one), str(two), "-o", str(out), "--quiet"]) == 1
    records = lines(out)
    assert records[0]["id"] == "x" and "entities" in records[0]
    assert "duplicate id 'x'" in records[1]["error"] and str(one) in records[1]["error"]


def test_resume_refuses_a_jsonl_that_govner_did_not_write(tiny_model, tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    theirs = tmp_path / "corpus.jsonl"
    content = json.dumps({"id": "a", "text": "用户自己的语料"}, ensure_ascii=False) + "\n"
    theirs.write_text(content, encoding="utf-8")
    assert main(["predict", "--model", str(tiny_model), str(src), "-o", str(theirs), "--resume"]) == 2
    assert "not a govner jsonl record" in one_error(capsys)
    assert theirs.read_text(encoding="utf-8") == content


def test_a_second_run_on_the_same_output_is_refused_while_the_first_runs(tiny_model, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(400):
        (folder / f"r{n:03d}.txt").write_text(f"第{n}篇。{TEXT * 20}", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    command = [sys.executable, "-m", "govner", "predict", "--model", str(tiny_model), str(folder), "-o", str(out),
               "--quiet", "--resume", "--threads", "1"]
    first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while (not out.exists() or out.stat().st_size == 0) and time.time() < deadline:
            time.sleep(0.05)
        second = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if first.poll() is None:  # the first still held the lock
            assert second.returncode == 2 and "another govner predict is writing" in second.stderr
    finally:
        first.wait(timeout=300)
    assert first.returncode == 0, first.stderr.read()
    ids = [r["id"] for r in lines(out)]
    assert len(ids) == len(set(ids)) == 400  # every document once


# --------------------------------------------------------------------------- secrets


def test_label_studio_credentials_in_the_url_are_never_printed():
    from govner.annotations.studio import Studio, StudioError, redact_url

    assert redact_url("http://alice:s3cret@127.0.0.1:9/x?api_key=k&x=1") == "http://***@127.0.0.1:9/x?api_key=***&x=1"
    env = {"LABEL_STUDIO_URL": "http://alice:s3cret@127.0.0.1:9/?token=t0ken", "LABEL_STUDIO_API_KEY": "k3y"}
    with pytest.raises(StudioError) as caught:
        Studio.from_env(env)  # nothing listens on port 9
    message = str(caught.value)
    assert "Label Studio at http://***@127.0.0.1:9/?token=***" in message
    assert "s3cret" not in message and "t0ken" not in message and "k3y" not in message


def test_a_server_that_echoes_the_key_does_not_get_it_printed():
    from label_studio_sdk.core.api_error import ApiError

    from govner.annotations.studio import Studio, StudioError

    studio = Studio(client=None, url="http://127.0.0.1:8080", _key="k3y-secret")

    def fail():
        raise ApiError(status_code=401, body={"detail": "invalid token k3y-secret"})

    with pytest.raises(StudioError) as caught:
        studio.call("checking the API key", fail)
    assert "k3y-secret" not in str(caught.value) and "***" in str(caught.value)


# --------------------------------------------------------------------------- evaluate and the loaders


def _gold(tmp_path):
    from helpers import task

    path = tmp_path / "gold.json"
    path.write_text(json.dumps([task(doc_id="a")], ensure_ascii=False), encoding="utf-8")
    return path


def _pred(tmp_path, *records):
    path = tmp_path / "pred.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_evaluate_reads_what_predict_writes_with_line_separators_in_fields(tmp_path, capsys):
    from helpers import TEXT as GOLD_TEXT

    entity = {"start": 0, "end": 6, "label": "LOC", "text": GOLD_TEXT[:6]}
    pred = _pred(tmp_path, {"id": "a", "source": "x", "note": "第一段\u2028第二段\u0085完", "entities": [entity]})
    assert main(["evaluate", "--data", str(_gold(tmp_path)), "--pred", str(pred), "--stdout", "none"]) == 0


def test_evaluate_accepts_predicts_error_record_for_a_repeated_id(tmp_path):
    from helpers import TEXT as GOLD_TEXT

    entity = {"start": 0, "end": 6, "label": "LOC", "text": GOLD_TEXT[:6]}
    pred = _pred(tmp_path, {"id": "a", "source": "one.jsonl", "entities": [entity]},
                 {"id": "a", "source": "two.jsonl", "error": "two.jsonl: duplicate id 'a' (first in one.jsonl)"})
    assert main(["evaluate", "--data", str(_gold(tmp_path)), "--pred", str(pred), "--stdout", "none"]) == 0


@pytest.mark.parametrize("entity, message", [
    ({"start": 0.9, "end": 6, "label": "LOC"}, "whole numbers"),
    ({"start": 0, "end": True, "label": "LOC"}, "whole numbers"),
    ({"start": 0, "end": 6, "label": "PERSON"}, "unknown label 'PERSON'"),
    ({"start": 0, "end": 6, "label": "B-LOC"}, "unknown label 'B-LOC'"),
    ({"start": 0, "end": 6, "label": None}, "unknown label None"),
    ("not an object", "whole numbers"),
])
def test_prediction_loader_rejects_what_validate_rejects(tmp_path, capsys, entity, message):
    pred = _pred(tmp_path, {"id": "a", "source": "x", "entities": [entity]})
    assert main(["evaluate", "--data", str(_gold(tmp_path)), "--pred", str(pred), "--stdout", "none"]) == 2
    assert message in one_error(capsys)


@pytest.mark.parametrize("value, message", [
    ({"start": 46.9, "end": 50, "labels": ["LOC"]}, "whole numbers"),
    ({"start": 0, "end": True, "labels": ["LOC"]}, "whole numbers"),
    ({"start": 0, "end": 6, "labels": [["LOC"]]}, "labels must be one of"),
    ({"start": 0, "end": 6, "labels": ["PERSON"]}, "labels must be one of"),
    ([0, 6, "LOC"], "not an object"),
])
def test_gold_loader_rejects_what_validate_rejects(tmp_path, write_tasks, capsys, value, message):
    from helpers import TEXT as GOLD_TEXT

    task = {"id": 1, "data": {"text": GOLD_TEXT, "doc_id": "a"},
            "annotations": [{"result": [{"type": "labels", "value": value}]}]}
    gold = write_tasks([task])
    assert main(["evaluate", "--data", str(gold), "--system", "rules", "--stdout", "none"]) == 2
    assert message in one_error(capsys)
    problems = validate_file_problems(gold)
    assert problems, "validate must reject it too"


def validate_file_problems(path):
    from govner.data.validate import validate_file

    return validate_file(path)[0]


def test_validate_checks_every_file_even_after_a_broken_one(tmp_path, write_tasks, capsys):
    from helpers import task

    good = write_tasks([task(doc_id="a")], "a.json")
    broken = tmp_path / "bad.json"
    broken.write_text("[" * 100_000, encoding="utf-8")
    shapes = write_tasks([{"data": ["not", "an", "object"]}, {"id": 2, "data": {"text": "x"},
                                                            "annotations": [{"result": 5}]}], "c.json")
    assert main(["annotations", "validate", str(good), str(broken), str(shapes)]) == 1
    err = capsys.readouterr()
    assert f"{good}: ok" in err.err and "nested too deeply" in err.out and f"{shapes}: 2 problem(s)" in err.err


def test_lac_baseline_on_the_train_and_all_splits(capsys):
    from helpers import ROOT

    config = str(ROOT / "configs" / "default.yaml")
    for split in ("train", "all"):
        assert main(["evaluate", "--config", config, "--split", split, "--system", "lac", "--stdout", "none"]) == 0


# --------------------------------------------------------------------------- fault injection


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kills_at_random_points_and_truncation_then_resume_give_every_document_once(tiny_model, tmp_path, seed):
    """Kill a real run at a random moment, cut the output at a random byte, resume until done: each document once,
    and govner evaluate accepts the file."""
    import random
    import signal

    rng = random.Random(seed)
    texts = [f"第{i}号。" + "巴中市恩阳区投资38亿元，开展“三年行动”。" * rng.randint(1, 6) for i in range(300)]
    source = tmp_path / "many.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n"
                              for i, t in enumerate(texts)), encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "broken"\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "govner", "predict", "--model", str(tiny_model), str(source), str(bad), "-o",
               str(out), "-q", "--resume", "--threads", "1"]
    for _ in range(3):
        process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 4.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if out.exists() and out.stat().st_size:
            size = out.stat().st_size
            with out.open("r+b") as handle:  # a crash of the disk, not of govner: cut anywhere
                handle.truncate(rng.randint(max(0, size - 400), size))
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 1, finished.stderr  # the broken line is an error record
    records = lines(out)
    ids = [r["id"] for r in records if "entities" in r]
    assert sorted(ids, key=lambda i: int(i[1:])) == [f"d{i}" for i in range(300)] and len(ids) == len(set(ids))
    assert sum("error" in r for r in records) == 1
    gold = tmp_path / "gold.json"
    from govner.data.document import Document
    from govner.data.labelstudio import write_documents

    write_documents(gold, [Document(f"d{i}", t, "x") for i, t in enumerate(texts[:20])])
    assert main(["evaluate", "--data", str(gold), "--pred", str(out), "--stdout", "none"]) == 0


def test_a_full_disk_is_one_line(tmp_path, capsys):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    assert main(["data", "normalize", str(src), "-o", "/dev/full", "--quiet"]) == 2
    assert "/dev/full: cannot write: No space left on device" in one_error(capsys)


def test_predict_on_a_full_disk_is_one_line(tiny_model, tmp_path, capsys):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    assert main(["predict", "--model", str(tiny_model), str(src), "-o", "/dev/full", "--quiet"]) == 2
    assert "/dev/full: cannot write: No space left on device" in one_error(capsys)


def test_json_nested_too_deeply_or_with_huge_numbers_is_one_error_record_each(tmp_path):
    """json.loads raises RecursionError and ValueError (not JSONDecodeError) for these: each stays one record."""
    from govner.data.reader import read_documents

    path = tmp_path / "hostile.jsonl"
    path.write_text('{"id": "ok", "text": "恩阳区"}\n' + "[" * 100_000 + "\n"
                    + '{"id": ' + "9" * 5000 + ', "text": "x"}\n', encoding="utf-8")
    docs, errors = read_documents([path])
    assert [d.id for d in docs] == ["ok"]
    assert [(e.line, "invalid JSON" in str(e)) for e in errors] == [(2, True), (3, True)]
    assert "nested too deeply" in str(errors[0]) and "digits" in str(errors[1])
