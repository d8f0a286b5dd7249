"""Batch prediction (``govner predict``, ``govner.load``): offsets, inputs and failures, resume, formats, shards.

Everything runs the real tiny model of the session fixture, through the command line
in-process (``main([...])``) where possible and as a subprocess where the point is a
process being killed.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from govner.cli import main
from govner.data.document import Document, ReadError, Span
from govner.data.labelstudio import load_documents
from govner.data.normalize import normalize
from govner.data.validate import validate_file
from govner.inference import predict as predict_module
from govner.inference.predict import (
    FIRST_GROUP_CHARS,
    JsonlFormat,
    Output,
    OutputError,
    Result,
    groups,
    read_conll,
    shard_of,
)
from govner.inference.tagger import Scored, Tagger
from helpers import ROOT

RAW = ROOT / "data" / "raw"
TRADITIONAL_NOISY = RAW / "002_04f38ca700b2c47f.txt"  # traditional, pinyin notes
SIMPLIFIED = RAW / "004_e3c827dfd055a908.txt"
TRICKY = [
    "巴中市恩陽區(qū)投資38.01億元，同比增長9.6%，開展“走百企、解千難”活動。",
    "廣安區(qū)  經開區\r\n新建２０個(gè)項目，“開門紅”\u200b開局。",
    # astral characters, an over-long sentence
    "𠀀巴中市𠀀恩阳区\t\u3000“三年行动”，投资5亿元。" + "很长的句子没有标点" * 30,
    "\ufeff第一行\n\n\n  \n最后一行沒有換行符",
]


# --------------------------------------------------------------------------- helpers


def run(*args: str) -> int:
    return main(["predict", *args])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def spans_of(record: dict) -> list[tuple[int, int, str]]:
    return [(e["start"], e["end"], e["label"]) for e in record["entities"]]


@pytest.fixture(scope="module")
def tagger(tiny_model) -> Tagger:
    return Tagger.from_pretrained(tiny_model, backend="auto")


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A folder with every input kind: .txt (traditional, noisy, CRLF), a nested folder, .jsonl with extras."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "trad.txt").write_bytes(TRADITIONAL_NOISY.read_bytes())
    (folder / "sub" / "crlf.txt").write_text(TRICKY[1], encoding="utf-8", newline="")
    lines = [{"id": f"j{i}", "text": text, "year": 2023, "tags": ["a"]} for i, text in enumerate(TRICKY)]
    (folder / "batch.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n",
                                        encoding="utf-8")
    return folder


def inputs_by_id(folder: Path) -> dict[str, str]:
    from govner.data.reader import read_documents

    docs, _ = read_documents([folder])
    return {d.id: d.text for d in docs}


# --------------------------------------------------------------------------- offsets


def test_offsets_are_exact_on_traditional_and_pinyin_noise(tagger):
    texts = [TRADITIONAL_NOISY.read_text(encoding="utf-8"), *TRICKY]
    found = tagger.predict(texts)
    assert sum(len(f) for f in found) > 50
    for text, entities in zip(texts, found, strict=True):
        previous_end = 0
        for e in entities:
            assert e["text"] == text[e["start"] : e["end"]]
            assert e["start"] >= previous_end, "entities are sorted and never overlap"
            assert e["label"] in {"LOC", "ORG", "AMOUNT", "SLOGAN"} and 0.0 <= e["score"] <= 1.0
            assert not e["text"][0].isspace() and not e["text"][-1].isspace()
            previous_end = e["end"]
    found_text = {(e["text"], e["label"]) for d in found for e in d}
    # a pinyin note inside a mention stays inside, one after it stays outside; full-width digits stay full-width
    assert ("38.01億元", "AMOUNT") in found_text and ("２０個", "AMOUNT") in found_text
    assert ("開門紅", "SLOGAN") in found_text and ("走百企、解千難", "SLOGAN") in found_text
    assert any("(" in e["text"] for e in found[0]), "002 has mentions with a pinyin note inside"
    assert not any(e["text"].endswith(")") and "(" in e["text"][-6:] for d in found for e in d)


def test_spans_of_a_noisy_text_are_the_spans_of_its_normalization_mapped_back(tiny_model):
    """Tagging happens on the normalized text: the original's spans are the normalized text's, mapped back.

    Document-level steps and the merging of touching places look at original offsets (two
    places with a pinyin note between them touch only in the normalized text), so they are off here.
    """
    plain = Tagger.from_pretrained(tiny_model, backend="auto", consistency=False, merge_locations=False)
    text = TRADITIONAL_NOISY.read_text(encoding="utf-8")[:3000]
    norm = normalize(text)
    on_original = plain.predict([text])[0]
    on_normalized = plain.predict([norm.text])[0]
    mapped = [(*norm.to_original(e["start"], e["end"]), e["label"]) for e in on_normalized]
    assert [(e["start"], e["end"], e["label"]) for e in on_original] == mapped
    assert len(mapped) > 5


def test_division_names_add_places_the_network_left(tiny_model):
    """``inference.divisions``: jionlp's full names where no span is, and the short forms of named divisions."""
    text = "界首市召开会议。一季度，界首坚持大抓项目，让企业在界首安心投资，界首市实现增长。"
    off = spans_of({"entities": Tagger.from_pretrained(tiny_model, divisions=False).predict([text])[0]})
    found = Tagger.from_pretrained(tiny_model).predict([text])[0]
    on = spans_of({"entities": found})
    assert set(off) <= set(on)
    for match in re.finditer("界首市?", text):
        span = (match.start(), match.end(), "LOC")
        overlapped = any(s < match.end() and match.start() < e for s, e, _ in off)
        assert overlapped or span in on, span  # the network's span stands, or the dictionary's is added
    added = [e for e in found if (e["start"], e["end"], e["label"]) not in off]
    assert all(e["label"] == "LOC" and e["score"] == 1.0 for e in added)  # a dictionary's name, not a probability
    assert Tagger.from_pretrained(tiny_model, consistency=False).predict([text])[0] == (
        Tagger.from_pretrained(tiny_model, consistency=False, divisions=False).predict([text])[0])


# --------------------------------------------------------------------------- inputs and failures


def test_every_input_kind_and_failure_is_one_record(tiny_model, corpus, tmp_path, monkeypatch, capsys):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "latin1.txt").write_bytes(b"M\xfcller")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    with (corpus / "batch.jsonl").open("a", encoding="utf-8") as f:
        f.write('not json\n{"id": "j0", "text": "重复"}\n{"id": "nt"}\n')
    out = tmp_path / "out.jsonl"
    assert run("--model", str(tiny_model), str(corpus), str(tmp_path / "missing.txt"), "-o", str(out), "-q") == 1
    records = read_jsonl(out)
    by_source = {}
    for r in records:
        by_source.setdefault(Path(r["source"]).name, []).append(r)
    errors = {(Path(r["source"]).name, r["id"]): r["error"] for r in records if "error" in r}
    assert set(errors) == {
        ("batch.jsonl", None), ("batch.jsonl", "j0"), ("batch.jsonl", "nt"),
        ("binary.txt", "binary"), ("empty.txt", "empty"), ("latin1.txt", "latin1"), ("missing.txt", "missing"),
    }
    assert "invalid JSON" in errors["batch.jsonl", None] and "duplicate id" in errors["batch.jsonl", "j0"]
    assert "no such file" in errors["missing.txt", "missing"]
    texts = inputs_by_id(corpus)
    done = [r for r in records if "error" not in r]
    assert {r["id"] for r in done} == {"trad", "sub/crlf", "j0", "j1", "j2", "j3"}
    for r in done:
        assert set(r) >= {"id", "source", "entities"}
        for e in r["entities"]:
            assert e["text"] == texts[r["id"]][e["start"] : e["end"]]
    assert all(r["year"] == 2023 and r["tags"] == ["a"] for r in done if r["id"].startswith("j"))
    assert records[0]["id"] == "j0"  # folder order: batch.jsonl, binary.txt, empty.txt, latin1.txt, sub/, trad.txt
    err = capsys.readouterr().err
    assert "predicted 6 document(s), 7 failed" in err
    assert err.count("error: ") == 7


def test_stdin_text_and_jsonl_and_stdout(tiny_model, monkeypatch, capsysbinary):
    jsonl = '{"id": 7, "text": "巴中市"}\n{"id": "b", "text": "x"}\n'.encode()
    for data, ids in ((TRICKY[0].encode(), ["stdin"]), (jsonl, ["7", "b"])):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        assert run("--model", str(tiny_model), "-", "-q") == 0
        out = capsysbinary.readouterr().out.decode("utf-8")
        assert [json.loads(line)["id"] for line in out.splitlines()] == ids


def test_progress_bar_goes_to_stderr_unless_quiet(tiny_model, corpus, tmp_path, capsys):
    assert run("--model", str(tiny_model), str(corpus), "-o", str(tmp_path / "a.jsonl")) == 0
    assert "predict:" in capsys.readouterr().err
    assert run("--model", str(tiny_model), str(corpus), "-o", str(tmp_path / "b.jsonl"), "--quiet") == 0
    err = capsys.readouterr().err
    assert "predict:" not in err and "chars/s" in err  # the summary still says how fast it went


def test_usage_errors_exit_2(tiny_model, corpus, tmp_path, capsys):
    assert run("--model", str(tiny_model), str(corpus), "--resume") == 2
    assert run("--model", str(tiny_model), str(corpus), "-o", str(tmp_path / "o"), "--num-shards", "2",
               "--shard-index", "2") == 2
    not_ours = tmp_path / "notes.jsonl"
    not_ours.write_text("my notes\nline two\n")
    assert run("--model", str(tiny_model), str(corpus), "-o", str(not_ours), "--resume") == 2
    assert not_ours.read_text() == "my notes\nline two\n", "a file that is not ours is never cut"
    assert "cannot resume" in capsys.readouterr().err


def test_each_record_is_one_write(tiny_model, corpus, tmp_path, monkeypatch):
    """Whole lines only: every os.write carries exactly one complete record."""
    writes: list[bytes] = []
    real_write = os.write

    def spy(fd, data):
        writes.append(bytes(data))
        return real_write(fd, data)

    monkeypatch.setattr(predict_module.os, "write", spy)
    out = tmp_path / "out.jsonl"
    assert run("--model", str(tiny_model), str(corpus), "-o", str(out), "-q") == 0
    assert len(writes) == len(read_jsonl(out)) == 6
    assert all(w.endswith(b"\n") and w.count(b"\n") == 1 and json.loads(w) for w in writes)


# --------------------------------------------------------------------------- resume


@pytest.mark.parametrize("fmt", ["jsonl", "conll", "label-studio"])
def test_resume_after_a_record_cut_short_gives_each_document_once(tiny_model, corpus, tmp_path, fmt):
    full = tmp_path / f"full.{fmt}"
    assert run("--model", str(tiny_model), str(corpus), "-o", str(full), "--format", fmt, "-q") == 0
    data = full.read_bytes()
    # a crash in the middle of the fourth record: three whole records and part of one
    separator = {"jsonl": b"\n", "conll": b"\n\n", "label-studio": b",\n"}[fmt]
    cut = _nth(data, separator, 3) + 30
    if fmt == "conll":  # past the comment lines, into the characters of the fourth document
        cut = _nth(data, separator, 3) + _nth(data[_nth(data, separator, 3) :], b"\n", 5) + 2
    partial = tmp_path / f"partial.{fmt}"
    partial.write_bytes(data[:cut])
    assert run("--model", str(tiny_model), str(corpus), "-o", str(partial), "--format", fmt, "--resume", "-q") == 0
    assert parse(partial, fmt) == parse(full, fmt)
    # resuming a finished file adds nothing and keeps it valid
    assert run("--model", str(tiny_model), str(corpus), "-o", str(partial), "--format", fmt, "--resume", "-q") == 0
    assert parse(partial, fmt) == parse(full, fmt)


def _nth(data: bytes, sep: bytes, n: int) -> int:
    at = -len(sep)
    for _ in range(n):
        at = data.index(sep, at + len(sep))
    return at + len(sep)


def parse(path: Path, fmt: str) -> list[tuple[str, str, list[tuple[int, int, str]]]]:
    """(id, text or source, spans) per document, in file order, whatever the format."""
    if fmt == "jsonl":
        return [(r["id"], r["source"], spans_of(r)) for r in read_jsonl(path) if "error" not in r]
    if fmt == "conll":
        return [(d.id, d.text, [(s.start, s.end, s.label) for s in d.spans]) for d in read_conll(path)]
    tasks = json.loads(path.read_text(encoding="utf-8"))
    return [(t["data"]["doc_id"], t["data"]["text"],
             [(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in t["predictions"][0]["result"]])
            for t in tasks]


def test_kill_9_then_resume_gives_every_document_exactly_once(tiny_model, tmp_path):
    texts = [TRICKY[i % 2] + f"第{i}号文件。" + "开展“三年行动”，投资5亿元。" * (i % 7) for i in range(600)]
    source = tmp_path / "many.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n"
                              for i, t in enumerate(texts)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "govner", "predict", "--model", str(tiny_model), str(source), "-o", str(out), "-q"]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if out.exists() and out.stat().st_size > 0:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run finished before it could be killed; give it more input"
    written_before = out.read_bytes().count(b"\n")
    assert 0 < written_before < len(texts)

    assert run("--model", str(tiny_model), str(source), "-o", str(out), "--resume", "-q") == 0
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [f"d{i}" for i in range(len(texts))]  # each once, in order
    reference = tmp_path / "reference.jsonl"
    assert run("--model", str(tiny_model), str(source), "-o", str(reference), "-q") == 0
    expected = read_jsonl(reference)
    assert [spans_of(r) for r in records] == [spans_of(r) for r in expected]
    for got, want in zip(records, expected, strict=True):
        assert [e["score"] for e in got["entities"]] == pytest.approx([e["score"] for e in want["entities"]], abs=1e-3)


def test_resume_counts_earlier_failures_and_does_not_repeat_them(tiny_model, corpus, tmp_path, capsys):
    (corpus / "empty.txt").write_bytes(b"")
    out = tmp_path / "out.jsonl"
    assert run("--model", str(tiny_model), str(corpus), "-o", str(out), "-q") == 1
    before = out.read_bytes()
    capsys.readouterr()
    assert run("--model", str(tiny_model), str(corpus), "-o", str(out), "--resume", "-q") == 1
    assert out.read_bytes() == before
    assert "7 already in the output (1 of them failed)" in capsys.readouterr().err


# --------------------------------------------------------------------------- formats


def test_the_three_formats_parse_back_to_the_same_spans(tiny_model, corpus, tmp_path):
    texts = inputs_by_id(corpus)
    outs = {}
    for fmt in ("jsonl", "conll", "label-studio"):
        outs[fmt] = tmp_path / f"out.{fmt}"
        assert run("--model", str(tiny_model), str(corpus), "-o", str(outs[fmt]), "--format", fmt, "-q") == 0
    jsonl = {r["id"]: spans_of(r) for r in read_jsonl(outs["jsonl"])}
    assert sum(map(len, jsonl.values())) > 10

    conll = read_conll(outs["conll"])  # the original text, character for character, and IOB2 spans
    assert {d.id: d.text for d in conll} == texts
    assert {d.id: [(s.start, s.end, s.label) for s in d.spans] for d in conll} == jsonl
    lines = outs["conll"].read_text(encoding="utf-8").split("\n")
    assert "U+000D\tO" in lines and "U+000A\tO" in lines and "U+3000\tO" in lines  # CRLF, full-width space

    # Label Studio: a JSON list the project's loader reads; predictions become gold once accepted
    tasks = json.loads(outs["label-studio"].read_text(encoding="utf-8"))
    docs = load_documents(outs["label-studio"], annotated_only=False)
    assert {d.id: d.text for d in docs} == texts
    assert all(t["predictions"][0]["model_version"].startswith(tiny_model.name) for t in tasks)
    assert all(0 < t["predictions"][0]["score"] <= 1 for t in tasks)
    accepted = [{**t, "annotations": [{"id": 1, "result": t["predictions"][0]["result"]}]} for t in tasks]
    accepted = [t for t in accepted if t["annotations"][0]["result"]]
    gold = tmp_path / "accepted.json"
    gold.write_text(json.dumps(accepted, ensure_ascii=False), encoding="utf-8")
    problems, counts = validate_file(gold)
    offset_problems = [p for p in problems if "value.text" in p.message or "outside" in p.message
                       or "overlaps" in p.message or "label" in p.message]
    assert offset_problems == []
    assert sum(counts.values()) == sum(map(len, jsonl.values()))
    assert {d.id: [(s.start, s.end, s.label) for s in d.spans] for d in load_documents(gold)} == {
        k: v for k, v in jsonl.items() if v
    }


def test_label_studio_file_counts_tasks_whose_offsets_label_studio_reads_differently(tiny_model, corpus, tmp_path,
                                                                                     capsys):
    assert run("--model", str(tiny_model), str(corpus), "-o", str(tmp_path / "ls.json"), "--format", "label-studio",
               "-q") == 0
    assert "1 task(s) hold characters beyond U+FFFF" in capsys.readouterr().err


def test_conll_escapes_invisible_characters_and_reads_back_any_text(tmp_path):
    text = "a b\tc\r\n\u3000d\u200be\u2028f\ufeff"
    result = Result("x", "s", text, entities=[{"start": 0, "end": 3, "label": "LOC", "text": "a b", "score": 1.0}])
    path = tmp_path / "x.conll"
    path.write_text(predict_module.ConllFormat().document(result), encoding="utf-8")
    rows = [line for line in path.read_text(encoding="utf-8").split("\n") if line and line[0] != "#"]
    assert len(rows) == len(text) and all(len(row.split("\t")[0]) in (1, 6) for row in rows)
    [doc] = read_conll(path)
    assert doc.text == text and doc.spans == [Span(0, 3, "LOC")]


# --------------------------------------------------------------------------- consistency, shards, API


def test_network_spans_the_guideline_rules_out_are_dropped_and_the_rules_own_added(tagger):
    text = "一、成效\n1.排名前100位，排名(míng)18位，反饋?zhàn)情況，新增企業12家，算力800PFlops。"
    norm = normalize(text)

    def at(word: str, label: str) -> tuple[int, int, str]:
        start = norm.text.index(word)
        return start, start + len(word), label

    # what a network might have found: a list's item number, ranks (one behind a pinyin note that
    # normalization removes), pinyin as a slogan, a real amount
    found = [at("1", "AMOUNT"), at("100位", "AMOUNT"), at("18位", "AMOUNT"), at("zhàn", "SLOGAN")]
    found.append(at("800PFlops", "AMOUNT"))
    scored = Scored([text], [norm], [found], [np.ones(len(norm.text), np.float32)], [len(norm.text)])
    (analysis,) = tagger.finish(scored)
    kept = [(text[s.start : s.end], s.label) for s in analysis.entities]
    assert kept == [("12家", "AMOUNT"), ("800PFlops", "AMOUNT")]


def test_no_consistency_switches_off_the_unquoted_repeats(tagger):
    text = "开展“走百企、解千难”活动。坚持走百企、解千难不动摇。"
    with_repeats = [e for e in tagger.predict([text])[0] if e["label"] == "SLOGAN"]
    assert [e["start"] for e in with_repeats] == [3, 16]
    tagger.consistency = False
    try:
        without = [e for e in tagger.predict([text])[0] if e["label"] == "SLOGAN"]
    finally:
        tagger.consistency = True
    assert [e["start"] for e in without] == [3]


def test_no_consistency_on_the_command_line(tiny_model, tmp_path):
    source = tmp_path / "s.txt"
    source.write_text("开展“走百企、解千难”活动。坚持走百企、解千难不动摇。", encoding="utf-8")
    counts = []
    for extra in ([], ["--no-consistency"]):
        out = tmp_path / f"o{len(extra)}.jsonl"
        assert run("--model", str(tiny_model), str(source), "-o", str(out), "-q", *extra) == 0
        counts.append(sum(e["label"] == "SLOGAN" for e in read_jsonl(out)[0]["entities"]))
    assert counts == [2, 1]


def test_shards_cover_the_input_exactly_once(tiny_model, corpus, tmp_path):
    (corpus / "empty.txt").write_bytes(b"")
    with (corpus / "batch.jsonl").open("a", encoding="utf-8") as f:
        f.write("not json\n")
    whole = tmp_path / "whole.jsonl"
    run("--model", str(tiny_model), str(corpus), "-o", str(whole), "-q")
    keys = [r["id"] or r["error"] for r in read_jsonl(whole)]
    shards = []
    for index in range(3):
        out = tmp_path / f"shard{index}.jsonl"
        run("--model", str(tiny_model), str(corpus), "-o", str(out), "-q", "--num-shards", "3", "--shard-index",
            str(index))
        shards.append([r["id"] or r["error"] for r in read_jsonl(out)])
    assert sorted(k for shard in shards for k in shard) == sorted(keys)
    assert sum(1 for shard in shards if shard) >= 2
    for index, shard in enumerate(shards):
        assert all(shard_of(k, 3) == index for k in shard)


def test_shard_hash_is_stable_and_spreads():
    # fixed values: a job array on other machines (other Python versions, other PYTHONHASHSEEDs) must agree
    assert [shard_of(f"doc{i}", 4) for i in range(8)] == [shard_of(f"doc{i}", 4) for i in range(8)]
    assert shard_of("002_04f38ca700b2c47f", 4) == 1
    counts = np.bincount([shard_of(f"report-{i}", 4) for i in range(4000)], minlength=4)
    assert counts.min() > 900
    code = "from govner.inference.predict import shard_of; print(shard_of('report-17', 7))"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert outs == {f"{shard_of('report-17', 7)}\n"}


def test_python_api_returns_what_the_command_writes(tiny_model, corpus, tmp_path):
    from govner import load

    ner = load(tiny_model)
    texts = inputs_by_id(corpus)
    out = tmp_path / "out.jsonl"
    assert run("--model", str(tiny_model), str(corpus), "-o", str(out), "-q") == 0
    written = {r["id"]: r["entities"] for r in read_jsonl(out)}
    ids = list(texts)
    predicted = dict(zip(ids, ner.predict([texts[i] for i in ids]), strict=True))
    assert set(predicted) == set(written)
    for i in ids:  # the same dicts; scores may differ in the last digit, as batches are composed differently
        assert [{**e, "score": 0} for e in predicted[i]] == [{**e, "score": 0} for e in written[i]]
        assert [e["score"] for e in predicted[i]] == pytest.approx([e["score"] for e in written[i]], abs=1e-3)
    with pytest.raises(TypeError):
        ner.predict("一段文字")


def test_import_govner_stays_light():
    code = "import sys, govner; print(sorted(m for m in ('torch', 'transformers', 'onnxruntime') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_onnx_backend_needs_no_torch_and_agrees_with_torch(tiny_model):
    code = (
        "import sys; from govner import load; ner = load(sys.argv[1], backend='onnx'); "
        "ner.predict(['巴中市恩阳区']); print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tiny_model)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False False"
    # every seed report whole (traditional, pinyin notes, simplified) and the tricky strings
    texts = [*(path.read_text(encoding="utf-8") for path in sorted(RAW.glob("*.txt"))), *TRICKY]
    onnx = Tagger.from_pretrained(tiny_model, backend="onnx").predict(texts)
    torch_ = Tagger.from_pretrained(tiny_model, backend="torch").predict(texts)
    assert [[(e["start"], e["end"], e["label"]) for e in d] for d in onnx] == [
        [(e["start"], e["end"], e["label"]) for e in d] for d in torch_
    ]
    for a, b in zip(onnx, torch_, strict=True):
        assert [e["score"] for e in a] == pytest.approx([e["score"] for e in b], abs=1e-3)


# --------------------------------------------------------------------------- the hot path's pieces


def test_documents_batched_together_get_what_they_get_alone(tagger):
    texts = [TRADITIONAL_NOISY.read_text(encoding="utf-8")[:2500], *TRICKY, SIMPLIFIED.read_text(encoding="utf-8")]
    together = tagger.predict(texts)
    alone = [tagger.predict([t])[0] for t in texts]
    assert [[(e["start"], e["end"], e["label"]) for e in d] for d in together] == [
        [(e["start"], e["end"], e["label"]) for e in d] for d in alone
    ]


def test_threads_change_nothing_but_speed(tiny_model):
    texts = [SIMPLIFIED.read_text(encoding="utf-8"), *TRICKY]
    one = Tagger.from_pretrained(tiny_model, backend="auto", threads=1, batch_size=4).predict(texts)
    two = Tagger.from_pretrained(tiny_model, backend="auto", threads=2, batch_size=4).predict(texts)
    assert one == two


def test_groups_are_answered_in_order_reading_one_group_ahead(tagger):
    texts = [SIMPLIFIED.read_text(encoding="utf-8")[:3000], *TRICKY, "", TRADITIONAL_NOISY.read_text(encoding="utf-8")]
    groups_given = [texts[:2], [], texts[2:4], texts[4:]]
    pulled = []

    def given():
        for k, group in enumerate(groups_given):
            pulled.append(k)
            yield group

    answered = []
    for k, (group, analyses) in enumerate(tagger.analyze_groups(given())):
        assert group is groups_given[k] and max(pulled) <= k + 1  # never more than one group ahead
        answered.append(analyses)
    assert answered == [tagger.analyze(group) for group in groups_given]


def test_the_next_group_is_read_and_scored_before_this_one_is_taken(tagger, monkeypatch):
    # the overlap itself: a version without a background thread reads group 2 only when asked for it
    second_scored = threading.Event()

    def score(texts):
        scored = Tagger.score(tagger, texts)
        if texts == ["岳阳市签约项目。"]:
            second_scored.set()
        return scored

    monkeypatch.setattr(tagger, "score", score)
    answers = tagger.analyze_groups([["湖南省长沙市召开招商大会。"], ["岳阳市签约项目。"]])
    next(answers)
    assert second_scored.wait(timeout=20)
    assert len(list(answers)) == 1


def test_a_group_is_answered_while_the_next_is_still_coming(tagger):
    # a slow producer piped into `govner predict -`: the first group's results must not wait for the second
    first_answered = threading.Event()
    waited_in_vain = []

    def slow_producer():
        yield ["湖南省长沙市召开招商大会。"]
        waited_in_vain.append(not first_answered.wait(timeout=20))
        yield ["岳阳市签约项目。"]

    answers = tagger.analyze_groups(slow_producer())
    first, _ = next(answers)
    first_answered.set()
    assert first == ["湖南省长沙市召开招商大会。"] and len(list(answers)) == 1
    assert waited_in_vain == [False]


def test_a_failing_group_stops_the_run_with_its_error_and_reads_no_further(tagger, monkeypatch):
    def broken(texts):
        if "坏" in texts:
            raise RuntimeError("scoring failed")
        return Tagger.score(tagger, texts)

    monkeypatch.setattr(tagger, "score", broken)
    pulled = []

    def given():
        for group in (["好"], ["坏"], ["好"]):
            pulled.append(group)
            yield group

    answers = tagger.analyze_groups(given())
    assert len(next(answers)[1]) == 1
    with pytest.raises(RuntimeError, match="scoring failed"):
        next(answers)
    assert pulled == [["好"], ["坏"]]


def test_groups_start_small_and_grow():
    docs = [Document(f"d{i}", "字" * 1000, "x") for i in range(100)]
    items: list = [*docs[:10], ReadError("bad", "broken"), *docs[10:]]
    sizes = [len(g) for g in groups(items, group_chars=20_000)]
    assert sum(sizes) == 101
    assert sizes[0] == FIRST_GROUP_CHARS // 1000 and sizes[-2] == 20 and sizes[1] > sizes[0]


def test_output_refuses_to_resume_another_format(tmp_path):
    path = tmp_path / "o.jsonl"
    out = Output(str(path), JsonlFormat())
    out.write(Result("a", "s", "文本", entities=[]))
    out.close()
    with pytest.raises(OutputError):
        Output(str(path), predict_module.LabelStudioFormat("v"), resume=True)
    with pytest.raises(OutputError):
        Output(str(path), predict_module.ConllFormat(), resume=True)
    assert path.read_text(encoding="utf-8").count("\n") == 1


# --------------------------------------------------------------------------- streaming input


def test_jsonl_files_stream_and_read_exactly_as_whole_files(tmp_path, monkeypatch):
    from govner.data import reader

    lines = ['\ufeff{"id": "a", "text": "甲\\r\\n乙", "x": 1}\r\n', "\n", '{"id": "b", "text": "丙\u2028丁"}\n',
             "not json\n", '{"id": "a", "text": "again"}\n', '{"id": "c", "text": "戊"}']
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(lines).encode("utf-8"))
    assert reader._utf8_lines(str(path)) is not None, "a UTF-8 file is streamed"
    streamed = list(reader.iter_documents([path]))
    monkeypatch.setattr(reader, "_utf8_lines", lambda source: None)  # force the whole-file path
    assert list(reader.iter_documents([path])) == streamed
    assert [getattr(item, "id", None) for item in streamed] == ["a", "b", None, "a", "c"]
    gb = tmp_path / "gb.jsonl"
    gb.write_bytes('{"id": "g", "text": "政府工作报告"}\n'.encode("gb18030"))
    monkeypatch.undo()
    assert reader._utf8_lines(str(gb)) is None  # GB18030 takes the whole-file path
    assert [d.text for d in reader.iter_documents([gb])] == ["政府工作报告"]


def test_duplicate_ids_are_caught_however_many_lines_come_between():
    from govner.data.reader import _parse_jsonl, _SeenIds

    count = _SeenIds.PENDING * 2 + 100
    lines = [json.dumps({"id": f"d{i % count}", "text": "x"}) for i in range(count + 3)]
    errors = [item for item in _parse_jsonl(lines, "f.jsonl") if isinstance(item, ReadError)]
    assert [str(e) for e in errors] == [f"f.jsonl:{count + k + 1}: duplicate id 'd{k}' (first on line {k + 1})"
                                        for k in range(3)]
