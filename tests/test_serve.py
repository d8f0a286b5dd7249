"""``govner serve`` as a real server on 127.0.0.1: the govner API, its limits and token, a load test,
and the Label Studio ML backend round trip against a real Label Studio (``conftest.label_studio``).

Every server is a ``python -m govner serve`` process in its own process group, stopped by the
process id the test started (``servers.stop``).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from govner.annotations.studio import OffsetMap
from govner.cli import main
from govner.data.reader import read_documents
from govner.inference.tagger import Tagger
from helpers import ROOT
from servers import free_port, stop

REPORTS = [ROOT / "data" / "raw", ROOT / "data" / "synthetic" / "reports" / "syn_a_01.txt"]
NONBMP_TEXT = "𠀀村位于巴中市恩阳区。\n😀2024年全区投资38.5亿元，开展“乡村振兴”行动。\n"


# --------------------------------------------------------------------------- a server and a client


@contextmanager
def serving(model: Path, tmp_path: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """``govner serve --model MODEL OPTIONS`` on a free loopback port; yields its URL, stops it by its pid."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    command = [sys.executable, "-m", "govner", "serve", "--model", str(model), "--port", str(port), *options]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env={**os.environ, **(env or {})}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"govner serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if call(url, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"govner serve did not answer within 120 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        stop(process)
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, text[-3000:]


def call(url: str, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
         headers: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, Any]:
    """``(status, decoded JSON)`` of one request."""
    data = raw if raw is not None else (None if body is None else json.dumps(body, ensure_ascii=False).encode())
    request = urllib.request.Request(url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def seed_documents() -> list[dict[str, str]]:
    docs, errors = read_documents(REPORTS)
    assert not errors
    return [{"id": doc.id, "text": doc.text} for doc in docs]


# --------------------------------------------------------------------------- the govner API


def test_predict_answers_the_records_govner_predict_writes(tiny_model, tmp_path):
    docs = seed_documents()
    docs[0]["batch"] = "2026-12"  # other fields pass through, as in a .jsonl input
    inputs = tmp_path / "docs.jsonl"
    inputs.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    out = tmp_path / "predicted.jsonl"
    assert main(["predict", "--model", str(tiny_model), str(inputs), "-o", str(out), "--quiet"]) == 0
    expected = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    with serving(tiny_model, tmp_path) as url:
        status, answer = call(url, "POST", "/predict", {"documents": docs})
        health = call(url, "GET", "/health")[1]
        empty = call(url, "POST", "/predict", {"documents": []})
    assert status == 200 and answer["model_version"] == health["model_version"]
    assert health["status"] == "UP" and health["model_version"].startswith(tiny_model.name + "-")
    for record in expected:
        record.pop("source")
    got = answer["records"]
    assert [r.pop("source") for r in got] == [f"documents[{i}]" for i in range(len(docs))]
    assert got == expected and got[0]["batch"] == "2026-12"
    assert sum(len(r["entities"]) for r in got) > 50
    assert empty == (200, {"model_version": health["model_version"], "records": []})


BAD_REQUESTS = [
    # (what, body bytes, expected status, a fragment of the message)
    ("not JSON", b'{"documents": [', 400, "invalid JSON"),
    ("not UTF-8", '{"documents": []}'.encode("utf-16"), 400, "not UTF-8"),
    ("empty body", b"", 400, "empty request body"),
    ("a list", b"[]", 422, '"documents"'),
    ("no documents", b'{"docs": []}', 422, '"documents"'),
    ("documents not a list", b'{"documents": {"id": 1}}', 422, "must be a list"),
    ("a document not an object", b'{"documents": ["text"]}', 422, "documents[0]: expected an object"),
    ("text not a string", b'{"documents": [{"id": "a", "text": 5}]}', 422,
     'documents[0]: "text" must be a string, got a number'),
    ("no text", b'{"documents": [{"id": "a"}]}', 422, 'documents[0]: missing "text"'),
    ("no id", b'{"documents": [{"text": "x"}]}', 422, 'documents[0]: missing "id"'),
    ("empty text", b'{"documents": [{"id": "a", "text": " "}]}', 422, 'empty "text"'),
    ("duplicate ids", b'{"documents": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}', 422,
     "documents[1]: duplicate id 'a' (first in documents[0])"),
    ("lone surrogate", b'{"documents": [{"id": "a", "text": "\\ud800"}]}', 422, "lone surrogate"),
    ("too many documents", json.dumps({"documents": [{"id": str(i), "text": "x"} for i in range(6)]}).encode(),
     413, "the limit is 5"),
    ("too large a body", ('{"documents": [{"id": "a", "text": "' + "恩" * 100_000 + '"}]}').encode(), 413, "bytes"),
    ("Label Studio tasks not a list", b'{"tasks": 3}', 422, '"tasks" must be a list'),
    ("nested too deeply", b"[" * 100_000, 400, "nested too deeply"),
    ("NaN", b'{"documents": [{"id": "a", "text": "x", "y": NaN}]}', 400, "NaN is not JSON"),
    ("a number past float", b'{"documents": [{"id": "a", "text": "x", "y": 1e999}]}', 400, "too large"),
    ("an id of 5,000 digits", b'{"documents": [{"id": ' + b"9" * 5000 + b', "text": "x"}]}', 400, "digits"),
]


def test_bad_requests_get_a_4xx_with_a_message_and_the_server_carries_on(tiny_model, tmp_path):
    with serving(tiny_model, tmp_path, "--max-documents", "5", "--max-body-mb", "0.2") as url:
        for what, raw, status, fragment in BAD_REQUESTS:
            got, answer = call(url, "POST", "/predict", raw=raw)
            assert (got, fragment in answer["error"] + " ".join(answer.get("problems", []))) == (status, True), \
                f"{what}: {got} {answer}"
        # a label config Label Studio would never send (a lone surrogate) falls back to govner's own names
        status, answer = call(url, "POST", "/predict", raw=b'{"tasks": [{"data": {"text": "\xe6\x81\xa9\xe9\x98\xb3'
                              b'\xe5\x8c\xba"}}], "label_config": "<View>\\ud800</View>"}')
        assert status == 200 and len(answer["results"]) == 1
        # a body streamed without Content-Length is cut off at the limit too
        chunks = (b'{"documents": [{"id": "a", "text": "' + b"x" * 60_000 + b'"}, ' for _ in range(10))
        connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=60)
        connection.request("POST", "/predict", body=chunks, encode_chunked=True)
        response = connection.getresponse()
        assert response.status == 413 and b"over the limit" in response.read()
        connection.close()
        assert call(url, "GET", "/predict")[0] == 405
        assert call(url, "GET", "/no-such-route") == (404, {"error": "Not Found: GET /no-such-route"})
        status, answer = call(url, "POST", "/predict", {"documents": [{"id": "ok", "text": "巴中市恩阳区投资38亿元"}]})
        assert status == 200 and answer["records"][0]["id"] == "ok"


def test_the_token_guards_everything_but_health_and_is_never_logged(tiny_model, tmp_path):
    token = "t0ken-" + os.urandom(8).hex()
    body = {"documents": [{"id": "a", "text": "巴中市恩阳区投资38亿元"}]}
    basic = base64.b64encode(f"label-studio:{token}".encode()).decode()
    with serving(tiny_model, tmp_path, env={"GOVNER_SERVE_TOKEN": token}) as url:
        assert call(url, "GET", "/health")[0] == 200
        assert call(url, "POST", "/predict", body)[0] == 401
        assert call(url, "POST", "/predict", body, headers={"Authorization": "Bearer wrong"})[0] == 401
        for path, method in (("/setup", "POST"), ("/webhook", "POST"), ("/train", "POST"), ("/versions", "GET")):
            assert call(url, method, path, {} if method == "POST" else None)[0] == 401, path
            assert call(url, method, path, {} if method == "POST" else None,
                        headers={"Authorization": "Bearer wrong"})[0] == 401, path
        assert call(url, "POST", "/predict", body, headers={"Authorization": f"Bearer {token}"})[0] == 200
        assert call(url, "POST", "/predict", body, headers={"Authorization": f"Basic {basic}"})[0] == 200
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("serve-*.log"))
    assert "token required" in logs and token not in logs


def test_load_500_requests_from_8_clients_nothing_lost_or_mixed_up(tiny_model):
    """scripts/bench_serve.py: a bounded load test; every answer must hold exactly its request's documents."""
    ran = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_serve.py"), "--model", str(tiny_model),
                          "--requests", "500", "--clients", "8", "--workers", "2"],
                         capture_output=True, text=True, timeout=900)
    assert ran.returncode == 0, ran.stdout + ran.stderr[-3000:]
    result = json.loads(ran.stdout)
    print(f"load test: {result}", file=sys.stderr)
    assert result["errors"] == 0 and result["documents"] == sum(1 + n % 3 for n in range(500))


# --------------------------------------------------------------------------- the Label Studio ML backend


LABEL_CONFIG = (ROOT / "annotations" / "label_config.xml").read_text(encoding="utf-8")


def test_label_studio_gets_predictions_from_govner_serve_and_its_annotations_retrain_it(
    studio_env, label_studio, tiny_run, tmp_path
):
    tiny_model, tiny_config, _ = tiny_run
    studio = studio_env
    client = studio.client
    url_ls, token_ls = label_studio
    project, _ = studio.ensure_project("ml backend", LABEL_CONFIG)
    client.projects.update(id=project.id, show_collab_predictions=True, evaluate_predictions_automatically=True)
    options = ("--retrain-after", "2", "--retrain-config", str(tiny_config), "--retrain-dir", str(tmp_path / "rounds"))
    env = {"LABEL_STUDIO_URL": url_ls, "LABEL_STUDIO_API_KEY": token_ls}
    with serving(tiny_model, tmp_path, *options, env=env) as url:
        first_version = call(url, "GET", "/health")[1]["model_version"]
        backend = client.ml.create(project=project.id, url=url, title="govner", auto_update=True)
        assert backend.state in ("CO", "CONNECTED") or str(backend.state).endswith("CONNECTED"), backend.state

        # A task imported through Label Studio itself, with characters outside the BMP: opening it asks govner.
        client.projects.import_tasks(id=project.id, request=[{"text": NONBMP_TEXT}, {"text": "恩阳区投资3亿元。"}])
        task_ids = [task["id"] for task in studio.tasks(project.id)]
        started = time.perf_counter()
        task = client.tasks.get(id=str(task_ids[0]))
        round_trip = time.perf_counter() - started
        print(f"Label Studio → govner serve → Label Studio: {round_trip * 1000:.0f} ms for one task", file=sys.stderr)
        (prediction,) = task.predictions
        prediction = prediction if isinstance(prediction, dict) else prediction.dict()
        assert prediction["model_version"] == first_version
        tagger = Tagger.from_pretrained(tiny_model)
        (analysis,) = tagger.analyze([NONBMP_TEXT])
        offsets = OffsetMap(NONBMP_TEXT)
        expected = [(offsets.to_utf16(s.start), offsets.to_utf16(s.end), s.label, NONBMP_TEXT[s.start : s.end])
                     for s in sorted(analysis.entities)]
        got = [(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0], r["value"]["text"])
               for r in prediction["result"]]
        assert got == expected and any(text == "巴中市恩阳区" for *_, text in got)
        assert got[0][0] > NONBMP_TEXT.index("巴"), "UTF-16 offsets: the BMP-outside characters count twice"
        assert 0 < prediction["score"] <= 1 and all(0 < r["score"] <= 1 for r in prediction["result"])

        # Two annotations reach /webhook; the second crosses --retrain-after 2 and a round starts.
        answers_during_retraining: list[int] = []
        stop_polling = threading.Event()

        def keep_asking() -> None:
            while not stop_polling.is_set():
                body = {"documents": [{"id": "x", "text": "巴中市恩阳区投资38亿元"}]}
                answers_during_retraining.append(call(url, "POST", "/predict", body)[0])
                time.sleep(0.05)

        poller = threading.Thread(target=keep_asking)
        poller.start()
        try:
            for task_id, text in zip(task_ids, (NONBMP_TEXT, "恩阳区投资3亿元。"), strict=True):
                span = (text.index("恩阳区"), text.index("恩阳区") + 3)
                result = [{"id": "a0", "from_name": "label", "to_name": "text", "type": "labels",
                           "value": {"start": offsets_of(text, span[0]), "end": offsets_of(text, span[1]),
                                     "text": "恩阳区", "labels": ["LOC"]}}]
                studio.annotate(task_id, result)
            deadline = time.monotonic() + 600
            while True:
                health = call(url, "GET", "/health")[1]
                retraining = health["retraining"]
                if retraining["finished"] == 1 or retraining["state"] == "failed" or time.monotonic() > deadline:
                    break
                time.sleep(1)
        finally:
            stop_polling.set()
            poller.join()
        assert retraining["rounds"] == 1 and retraining["state"] == "idle", retraining
        assert health["model_version"] != first_version
        print(f"retraining round: {retraining['last_seconds']} s; {len(answers_during_retraining)} requests "
              "answered meanwhile", file=sys.stderr)
        assert answers_during_retraining and set(answers_during_retraining) == {200}
        pulled = json.loads((tmp_path / "rounds" / "round-001" / "annotations.json").read_text(encoding="utf-8"))
        assert len(pulled) == 2  # the round trained on both annotated tasks
        round_config = (tmp_path / "rounds" / "round-001" / "config.yaml").read_text(encoding="utf-8")
        assert "dev_fraction: 0\n" in round_config and "dev_ids" not in round_config  # every annotation, as shipped
        assert call(url, "POST", "/predict", {"documents": [{"id": "y", "text": "恩阳区"}]})[1]["model_version"] == \
            health["model_version"]


def offsets_of(text: str, offset: int) -> int:
    """The UTF-16 offset of code point ``offset`` (what Label Studio's editor saves)."""
    return len(text[:offset].encode("utf-16-le")) // 2


def test_a_failed_round_keeps_its_annotation_count_and_rounds_never_reuse_a_folder(tmp_path):
    from govner.serving.retrain import Retrainer

    config = tmp_path / "c.yaml"
    config.write_text("name: c\n", encoding="utf-8")
    (tmp_path / "rounds" / "round-007").mkdir(parents=True)  # left by an earlier server
    trained: list[Path] = []
    retrainer = Retrainer(config, tmp_path / "rounds", 2, studio=lambda: None, on_trained=trained.append)
    event = {"action": "ANNOTATION_CREATED", "project": {"id": 3}, "annotation": {"id": 1}}
    assert retrainer.webhook(event)["retraining"] is False
    assert retrainer.webhook(event)["retraining"] is True  # the second crosses the threshold
    retrainer.wait(30)
    status = retrainer.status
    assert status.state == "failed" and "no Label Studio to pull from" in status.last_error
    assert status.new_annotations == {"3": 2} and not trained  # nothing served, nothing forgotten
    assert retrainer._next_round_dir().name == "round-008"
