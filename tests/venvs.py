"""Virtual environments the tests install once and cache: Label Studio's, and one with only torch and transformers.

They live in ``$GOVNER_CACHE`` (default ``~/.cache/govner``), each with a stamp of
what was installed, and are rebuilt when the requirements change. If pip cannot
install them (no network) the test is skipped with pip's error, except under CI
(``CI`` set), where that is a failure: CI must not turn green without the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock


def cache_dir() -> Path:
    return Path(os.environ.get("GOVNER_CACHE", Path.home() / ".cache" / "govner"))


_failed: dict[str, str] = {}  # venv name -> why it could not be installed: later tests skip at once


def cannot_install(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def cached_venv(name: str, requirements: list[str]) -> Path:
    """The folder of virtual environment ``name`` holding ``requirements`` (installed in this order)."""
    if name in _failed:
        cannot_install(_failed[name])
    venv = cache_dir() / name
    venv.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(venv) + ".lock"):  # pytest-xdist workers: one installs, the others wait and reuse it
        return _install(name, venv, requirements)


def _install(name: str, venv: Path, requirements: list[str]) -> Path:
    stamp = venv / ".govner-installed"
    wanted = "\n".join(requirements)
    if (venv / "bin" / "python").exists() and stamp.exists() and stamp.read_text() == wanted:
        return venv
    shutil.rmtree(venv, ignore_errors=True)  # a half-finished or older install
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    for requirement in requirements:  # one at a time: torch's pinned CPU wheel before what depends on it
        pip = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", requirement],
            capture_output=True, text=True, timeout=1500,
        )
        if pip.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            _failed[name] = f"cannot install {requirement} (no network?): {pip.stderr.strip().splitlines()[-1:]}"
            cannot_install(_failed[name])
    stamp.write_text(wanted)
    return venv
