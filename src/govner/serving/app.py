"""The HTTP application behind ``govner serve`` (Starlette; uvicorn runs it).

Routes, one server for two clients:

- ``POST /predict`` with ``{"documents": [{"id", "text", ...}, ...]}`` → ``{"model_version",
  "records"}``: exactly the records ``govner predict`` writes to JSON Lines (other fields of a
  document pass through). Invalid documents make the whole request a 422 that lists every
  problem by position; nothing is tagged then.
- The Label Studio ML backend protocol (``label_studio/ml/api_connector.py``): ``POST /predict``
  with ``{"tasks": [...], "label_config": ...}`` → ``{"results": [one prediction per task]}``
  with UTF-16 offsets, per-span and per-task scores and ``model_version``; ``POST /setup``;
  ``POST /webhook`` (annotation counts, retraining: :mod:`govner.serving.retrain`); ``POST
  /train``; ``GET /versions``.
- ``GET /health``: up, the model version, the retraining state. Open without a token.

Bad input never gets a 500: unreadable JSON is a 400, a body over the size limit a 413,
more documents than allowed a 413, a wrong shape a 422, each with ``{"error": ...}``. With
``$GOVNER_SERVE_TOKEN`` set, every route but ``/health`` wants ``Authorization: Bearer
TOKEN``, or HTTP basic auth with the token as password (what Label Studio's ML backend
settings can send). The token is compared in constant time and never logged.

The model is loaded once; ``--workers`` requests run the network at once in threads that
share it. Retraining loads the new model beside the old one and swaps a single reference:
a request runs entirely on the model it started with.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import threading
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from govner.annotations.studio import prediction_payload
from govner.annotations.studio_cli import model_version_of
from govner.data.document import Document, ReadError
from govner.data.jsontext import JsonError, encodes_as_utf8, load_json
from govner.data.labelstudio import FROM_NAME, TO_NAME
from govner.data.reader import document_from_record
from govner.inference.predict import JsonlFormat, prediction_results
from govner.inference.tagger import Tagger
from govner.serving.retrain import Retrainer

log = logging.getLogger("govner.serve")

TOKEN_VARIABLE = "GOVNER_SERVE_TOKEN"  # the environment variable holding the optional token


@dataclass(frozen=True)
class Limits:
    """What one request may hold."""

    max_body_bytes: int = 32 * 2**20  # a request body, in bytes (Label Studio sends whole reports)
    max_documents: int = 1000  # documents (or Label Studio tasks) per request


@dataclass(frozen=True)
class LoadedModel:
    """A tagger with the version Label Studio and the records name it by."""

    tagger: Tagger
    version: str  # <folder name>-<first 8 hex of the weights' SHA-256>, as govner studio push names it
    folder: Path


def load_model(folder: str | Path, backend: str = "auto") -> LoadedModel:
    """Load ``folder`` for serving: one batch at a time per request (concurrency comes from the workers)."""
    tagger = Tagger.from_pretrained(folder, backend=backend, threads=1)
    return LoadedModel(tagger, model_version_of(folder), Path(folder).resolve())


class Problem(Exception):
    """A request the server refuses: HTTP ``status`` with ``{"error": message, **details}``."""

    def __init__(self, status: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details

    def response(self) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Bearer realm="govner"'} if self.status == 401 else None
        return JSONResponse({"error": self.message, **self.details}, self.status, headers=headers)


def token_matches(authorization: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``token`` (bearer, or the password of basic auth).

    >>> basic = "Basic " + base64.b64encode(b"label-studio:s3cret").decode()
    >>> token_matches("Bearer s3cret", "s3cret"), token_matches(basic, "s3cret")
    (True, True)
    >>> token_matches("Bearer wrong", "s3cret"), token_matches(None, "s3cret")
    (False, False)
    """
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() == "bearer":
        given = value.strip()
    elif scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return False
    else:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode("utf-8"))


async def read_json(request: Request, limit: int) -> Any:
    """The request's JSON body, refusing bodies over ``limit`` bytes before reading them whole."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"the request body has {int(declared):,} bytes; the limit is {limit:,} "
                           "(govner serve --max-body-mb)")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Problem(413, f"the request body is over the limit of {limit:,} bytes (govner serve --max-body-mb)")
    if not body:
        raise Problem(400, "empty request body: expected JSON")
    try:
        return load_json(body.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise Problem(400, f"the request body is not UTF-8 (byte {err.start})") from None
    except JsonError as err:
        where = f" at line {err.line} column {err.column}" if err.line is not None else ""
        raise Problem(400, f"invalid JSON: {err.message}{where}") from None


def batch(body: dict[str, Any], key: str, what: str, limits: Limits) -> list[Any]:
    """``body[key]``, which must be a list (422) of at most ``limits.max_documents`` items (413)."""
    items = body.get(key)
    if not isinstance(items, list):
        raise Problem(422, f'"{key}" must be {what}')
    if len(items) > limits.max_documents:
        raise Problem(413, f"{len(items)} {key} in one request; the limit is {limits.max_documents} "
                           "(send several requests, or govner serve --max-documents)")
    return items


def request_documents(body: Any, limits: Limits) -> list[Document]:
    """The documents of a govner ``/predict`` body, checked by the rules of a ``.jsonl`` line."""
    documents = batch(body, "documents", 'a list of {"id": ..., "text": ...} objects', limits)
    problems: list[str] = []
    docs: list[Document] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(documents):
        where = f"documents[{index}]"
        if not isinstance(record, dict):
            problems.append(f'{where}: expected an object with "id" and "text"')
            continue
        if not encodes_as_utf8(record):
            problems.append(f"{where}: holds a lone surrogate escape (\\ud800-\\udfff): not Unicode text")
            continue
        item = document_from_record(record, where)
        if isinstance(item, ReadError):
            problems.append(str(item))
        elif item.id in seen:
            problems.append(f"{where}: duplicate id {item.id!r} (first in documents[{seen[item.id]}])")
        else:
            seen[item.id] = index
            docs.append(item)
    if problems:
        raise Problem(422, f"{len(problems)} of {len(documents)} documents are not valid; nothing was tagged",
                      problems=problems)
    return docs


MAX_LABEL_CONFIG = 100_000  # characters; a longer "label_config" is not parsed (nor kept in the cache)


@lru_cache(maxsize=64)
def label_targets(label_config: str) -> tuple[str, str, str, frozenset[str] | None]:
    """``(from_name, to_name, data key, labels)`` of a labeling config's first ``<Labels>`` on a ``<Text>``.

    Falls back to govner's own config (``label``, ``text``, ``$text``, every label) when the
    config is missing or has no such pair.

    >>> label_targets('<View><Labels name="ner" toName="doc"><Label value="LOC"/></Labels>'
    ...               '<Text name="doc" value="$body"/></View>')
    ('ner', 'doc', 'body', frozenset({'LOC'}))
    """
    try:
        root = ET.fromstring(label_config)
    except ET.ParseError:
        return FROM_NAME, TO_NAME, "text", None
    texts = {node.get("name"): (node.get("value") or "").lstrip("$") for node in root.iter("Text")}
    for node in root.iter("Labels"):
        target = node.get("toName")
        if node.get("name") and target in texts and texts[target]:
            labels = frozenset(label.get("value") for label in node.iter("Label") if label.get("value"))
            return node.get("name"), target, texts[target], labels
    return FROM_NAME, TO_NAME, "text", None


def studio_predictions(model: LoadedModel, body: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """Label Studio's ``/predict``: one prediction per task, in the project's names, UTF-16 offsets."""
    tasks = batch(body, "tasks", "a list of Label Studio tasks", limits)
    config = body.get("label_config")
    usable = isinstance(config, str) and len(config) <= MAX_LABEL_CONFIG and encodes_as_utf8(config)
    from_name, to_name, key, labels = label_targets(config if usable else "")
    texts: list[str | None] = []
    for task in tasks:
        data = task.get("data") if isinstance(task, dict) else None
        text = data.get(key) if isinstance(data, dict) else None
        usable = isinstance(text, str) and bool(text.strip()) and encodes_as_utf8(text)
        if not usable:
            log.warning("task %s: no text in data.%s; answering with an empty prediction",
                        task.get("id") if isinstance(task, dict) else "?", key)
        texts.append(text if usable else None)
    analyses = model.tagger.analyze_in_groups(t for t in texts if t is not None)
    results = []
    for text in texts:
        if text is None:  # Label Studio pairs results with tasks by position: every task gets one
            results.append({"model_version": model.version, "score": 0.0, "result": []})
            continue
        analysis = next(analyses)
        spans = [s for s in analysis.entities if labels is None or s.label in labels]
        prediction = prediction_payload(text, spans, model.version, analysis.confidence)
        for result in prediction["result"]:
            result["from_name"], result["to_name"] = from_name, to_name
        results.append(prediction)
    return {"results": results, "model_version": model.version}


class Server:
    """The state the routes share: the model slot, the limits, the token, the retrainer."""

    def __init__(self, model: LoadedModel, *, limits: Limits, workers: int, token: str | None,
                 studio: tuple[str, str] | None, retrain_config: Path | None, retrain_after: int,
                 retrain_dir: Path, backend: str = "auto") -> None:
        self.model = model  # replaced whole by swap(); a request reads it once
        self.limits = limits
        self.token = token or None
        self.limiter = anyio.CapacityLimiter(workers)
        self.backend = backend
        self._studio_from_command_line = studio
        self._studio_from_setup: tuple[str, str] | None = None
        self._swap_lock = threading.Lock()
        self.retrainer = Retrainer(retrain_config, retrain_dir, retrain_after, self.studio, self.swap_to)

    def studio(self) -> tuple[str, str] | None:
        """Where retraining pulls from: the command line's Label Studio, else the one that called /setup."""
        return self._studio_from_command_line or self._studio_from_setup

    def swap_to(self, folder: Path) -> None:
        """Load ``folder`` (beside the serving model) and make it the one new requests use."""
        loaded = load_model(folder, self.backend)
        with self._swap_lock:
            old = self.model
            self.model = loaded
        log.info("now serving %s (was %s)", loaded.version, old.version)

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in a worker thread; at most ``workers`` at once."""
        return await anyio.to_thread.run_sync(function, *args, limiter=self.limiter)

    # ------------------------------------------------------------------ routes

    async def health(self, request: Request) -> Response:
        model = self.model
        return JSONResponse({"status": "UP", "model_class": "govner", "model_version": model.version,
                             "retraining": self.retrainer.status.to_dict()})

    async def predict(self, request: Request) -> Response:
        body = await read_json(request, self.limits.max_body_bytes)
        if not isinstance(body, dict) or not ({"documents", "tasks"} & body.keys()):
            raise Problem(422, 'expected an object with "documents" (govner) or "tasks" (Label Studio)')
        model = self.model  # this request's model, whatever a retraining swaps in meanwhile
        if "tasks" in body and "documents" not in body:
            return JSONResponse(await self.run(studio_predictions, model, body, self.limits))
        docs = request_documents(body, self.limits)

        def tag() -> list[str]:
            record = JsonlFormat().document
            return [record(result).rstrip("\n") for result in prediction_results(model.tagger, docs)]

        records = await self.run(tag) if docs else []
        content = '{"model_version": ' + json.dumps(model.version) + ', "records": [' + ", ".join(records) + "]}"
        return Response(content, media_type="application/json")

    async def setup(self, request: Request) -> Response:
        body = await read_json(request, self.limits.max_body_bytes)
        if isinstance(body, dict) and self.token:
            # Only behind a token: on an open server anyone could point retraining at a Label Studio of
            # their own (and so at data of their own). Without one, LABEL_STUDIO_URL/_API_KEY are used.
            hostname, token = body.get("hostname"), body.get("access_token")
            if isinstance(hostname, str) and hostname and isinstance(token, str) and token:
                self._studio_from_setup = (hostname, token)  # kept in memory only, for retraining
        return JSONResponse({"model_version": self.model.version})

    async def webhook(self, request: Request) -> Response:
        body = await read_json(request, self.limits.max_body_bytes)
        if not isinstance(body, dict):
            raise Problem(422, "expected a Label Studio webhook payload (a JSON object with an \"action\")")
        return JSONResponse(self.retrainer.webhook(body))

    async def train(self, request: Request) -> Response:
        body = await read_json(request, self.limits.max_body_bytes)
        project = body.get("project") if isinstance(body, dict) else None
        return JSONResponse(self.retrainer.webhook({"action": "START_TRAINING", "project": project}))

    async def versions(self, request: Request) -> Response:
        return JSONResponse({"versions": [self.model.version]})

    def guarded(self, route: Callable[[Request], Awaitable[Response]], *, open_route: bool = False
                ) -> Callable[[Request], Awaitable[Response]]:
        """``route`` behind the token check, with every :class:`Problem` turned into its response."""

        async def endpoint(request: Request) -> Response:
            try:
                if self.token and not open_route and not token_matches(request.headers.get("authorization"),
                                                                       self.token):
                    raise Problem(401, f"missing or wrong token: send Authorization: Bearer <${TOKEN_VARIABLE}>")
                return await route(request)
            except Problem as problem:
                return problem.response()

        return endpoint

    def app(self) -> Starlette:
        routes = [
            Route("/health", self.guarded(self.health, open_route=True), methods=["GET"]),
            Route("/predict", self.guarded(self.predict), methods=["POST"]),
            Route("/setup", self.guarded(self.setup), methods=["POST"]),
            Route("/webhook", self.guarded(self.webhook), methods=["POST"]),
            Route("/train", self.guarded(self.train), methods=["POST"]),
            Route("/versions", self.guarded(self.versions), methods=["GET"]),
        ]
        return Starlette(routes=routes, exception_handlers={HTTPException: _http_error})


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 as JSON like every other answer."""
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": f"{exc.detail}: {request.method} {request.url.path}"}, exc.status_code,
                        headers=exc.headers)
