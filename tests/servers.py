"""Real servers for the tests, on 127.0.0.1: Label Studio (from its own cached virtual environment) and
``govner serve``; each started in a new process group and stopped by the process id the test started.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from venvs import cached_venv

LABEL_STUDIO = "label-studio==1.23.2"  # the version the round trip was written against; bump deliberately
# installed after it: label-studio 1.23.2 asks for sentry-sdk>=2.16.0 with no upper bound, and sentry-sdk 3 (seen
# 2026-12-07: 3.0.1) no longer takes the send_default_pii option that it passes at start-up, so it exits at once
SENTRY_SDK = "sentry-sdk>=2.16.0,<3"
START_TIMEOUT = 240  # seconds; a cold start (database migrations) takes ~35-50 s


def label_studio_executable() -> Path:
    """``label-studio`` from its cached virtual environment, installing it on first use."""
    return cached_venv("label-studio-venv", [LABEL_STUDIO, SENTRY_SDK]) / "bin" / "label-studio"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, token: str) -> bool:
    """Whether the Label Studio at ``url`` is up and is ours: it knows our freshly made token."""
    request = urllib.request.Request(f"{url}/api/current-user/whoami", headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_up(process: subprocess.Popen, url: str, token: str, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"label-studio exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        started = re.search(r"Starting development server at http://[\d.]+:(\d+)/", log.read_text(errors="replace"))
        if started and int(started.group(1)) != port:
            raise RuntimeError(f"label-studio moved to port {started.group(1)}: port {port} was taken meanwhile")
        if started and answers(url, token):
            return
        time.sleep(1)
    raise RuntimeError(f"label-studio did not answer on {url} within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group the test started, SIGKILL after 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
