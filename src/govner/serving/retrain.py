"""Retraining from Label Studio while the server keeps answering.

Label Studio calls ``/webhook`` on every event of a project connected to an ML
backend. :class:`Retrainer` counts the annotation events; past ``threshold``
(or on Label Studio's "Start training" button) it runs, in a background thread,
the two commands a user would: ``govner studio pull`` (the project's
annotations) and ``govner train`` (the retrain config with the pulled file added
to ``data.annotations``), each a child process, so training never holds the
server's interpreter. A new model folder is handed to ``on_trained``, which
loads it and swaps it in; requests in flight finish on the model they started
with. A failed round leaves the serving model as it was and is reported by
``/health``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Label Studio's webhook actions (label_studio/webhooks/models.py) that add training signal, and
# the payload key that holds the annotation(s)
ANNOTATION_ACTIONS = {"ANNOTATION_CREATED": "annotation", "ANNOTATIONS_CREATED": "annotation",
                      "ANNOTATION_UPDATED": "annotation"}
START_TRAINING = "START_TRAINING"  # the action of the project's "Start training" button


@dataclass
class RetrainStatus:
    """What ``/health`` reports about retraining."""

    state: str = "idle"  # idle | running | failed
    rounds: int = 0  # rounds started
    finished: int = 0  # rounds that produced a model now serving
    last_error: str | None = None
    last_seconds: float | None = None
    new_annotations: dict[str, int] = field(default_factory=dict)  # per project id, since the last round started

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "rounds": self.rounds, "finished": self.finished,
                "last_error": self.last_error, "last_seconds": self.last_seconds,
                "new_annotations": dict(self.new_annotations)}


def annotations_in(payload: Mapping[str, Any]) -> int:
    """How many annotations a webhook payload adds (0 for other actions).

    >>> annotations_in({"action": "ANNOTATIONS_CREATED", "annotation": [{"id": 1}, {"id": 2}]})
    2
    >>> annotations_in({"action": "TASKS_CREATED", "tasks": [{"id": 1}]})
    0
    """
    key = ANNOTATION_ACTIONS.get(str(payload.get("action")))
    if key is None:
        return 0
    value = payload.get(key)
    if isinstance(value, list):
        return len(value)
    return 1 if value is not None else 0


def project_of(payload: Mapping[str, Any]) -> str | None:
    """The Label Studio project id a webhook payload is about, as a string, or None."""
    project = payload.get("project")
    if isinstance(project, Mapping):
        project = project.get("id")
    if isinstance(project, bool) or not isinstance(project, (int, str)):
        return None
    return str(project).split(".")[0] or None  # the ML API sends "<id>.<created timestamp>"


class Retrainer:
    """Counts new annotations per project and retrains in the background past ``threshold``.

    ``threshold`` 0 never retrains on counts (the "Start training" button still does when
    a ``config`` is given). ``studio`` gives ``(url, api key)`` of the Label Studio to pull
    from at the time of a round (the command line's, else what ``/setup`` sent).
    """

    def __init__(
        self,
        config: Path | None,
        work_dir: Path,
        threshold: int,
        studio: Callable[[], tuple[str, str] | None],
        on_trained: Callable[[Path], None],
    ) -> None:
        self.config = config
        self.work_dir = work_dir
        self.threshold = threshold
        self.studio = studio
        self.on_trained = on_trained
        self.status = RetrainStatus()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def webhook(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Count what ``payload`` adds; start a round if it is due. Returns what was done, for the response."""
        project = project_of(payload)
        action = str(payload.get("action"))
        added = annotations_in(payload)
        started = False
        with self._lock:
            if project is not None and added:
                counts = self.status.new_annotations
                counts[project] = counts.get(project, 0) + added
            due = project is not None and self.threshold > 0 and \
                self.status.new_annotations.get(project, 0) >= self.threshold
            if project is not None and (due or action == START_TRAINING):
                started = self._start(project)
        return {"action": action, "project": project, "counted": added,
                "new_annotations": self.status.new_annotations.get(project or "", 0), "retraining": started}

    def _start(self, project: str) -> bool:
        """Start a round for ``project`` unless one is running or nothing is configured (lock held)."""
        if self.config is None or (self._thread is not None and self._thread.is_alive()):
            return False
        self.status.rounds += 1
        self.status.state = "running"
        round_dir = self._next_round_dir()
        counted = self.status.new_annotations.get(project, 0)
        self._thread = threading.Thread(target=self._run, args=(project, round_dir, counted),
                                        name="govner-retrain", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running round (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _next_round_dir(self) -> Path:
        """``round-NNN`` after the highest one in ``work_dir``: a restarted server never overwrites a round."""
        taken = [int(p.name[6:]) for p in self.work_dir.glob("round-*") if p.name[6:].isdigit()]
        return self.work_dir / f"round-{max(taken, default=0) + 1:03d}"

    def _run(self, project: str, round_dir: Path, counted: int) -> None:
        started = time.monotonic()
        try:
            model = self._train_round(project, round_dir)
            self.on_trained(model)
        except Exception as err:  # any failure of a round is reported, and the serving model stays
            with self._lock:
                self.status.state, self.status.last_error = "failed", str(err)
        else:
            with self._lock:
                self.status.state, self.status.last_error = "idle", None
                self.status.finished += 1
                # what arrived while the round ran still counts towards the next one
                counts = self.status.new_annotations
                counts[project] = max(0, counts.get(project, 0) - counted)
        finally:
            self.status.last_seconds = round(time.monotonic() - started, 1)

    def _train_round(self, project: str, round_dir: Path) -> Path:
        assert self.config is not None
        studio = self.studio()
        if studio is None:
            raise RuntimeError("no Label Studio to pull from: start govner serve with LABEL_STUDIO_URL and "
                               "LABEL_STUDIO_API_KEY set, or let Label Studio call /setup first")
        round_dir.mkdir(parents=True, exist_ok=True)
        pulled = round_dir / "annotations.json"
        env = {**os.environ, "LABEL_STUDIO_URL": studio[0], "LABEL_STUDIO_API_KEY": studio[1]}
        self._command(["studio", "pull", "--project", project, "-o", str(pulled)], round_dir / "pull.log", env)
        raw = yaml.safe_load(self.config.read_text(encoding="utf-8")) or {}
        data = raw.setdefault("data", {})
        data["annotations"] = [*data.get("annotations", []), str(pulled.resolve())]
        # the round's model replaces the served one, so it trains on every annotation, as the shipped default does
        # (scripts/main.sh): a dev split would only leave annotations out of it, and nothing here reads its scores
        data["dev_fraction"] = 0
        data.pop("dev_ids", None)
        config = round_dir / "config.yaml"
        config.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        model = round_dir / "model"
        self._command(["train", "--config", str(config), "--output", str(model)], round_dir / "train.log", env)
        return model

    @staticmethod
    def _command(arguments: list[str], log: Path, env: dict[str, str]) -> None:
        """Run ``govner ARGUMENTS`` with output to ``log``; a failure names the log's last line."""
        with open(log, "wb") as out:
            done = subprocess.run([sys.executable, "-m", "govner", *arguments], stdout=out,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        if done.returncode != 0:
            lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            raise RuntimeError(f"govner {arguments[0]} {arguments[1]} failed (exit {done.returncode}; see "
                               f"{log.parent.name}/{log.name} in the retrain folder): "
                               f"{lines[-1] if lines else 'no output'}")
