import json
import subprocess
import sys
from pathlib import Path

import pytest


def pytest_configure(config):
    """Build the synthetic reports' Label Studio file when it is missing or stale (it is not tracked:
    scripts/gold_mentions.py). Once per run, in the controller, not in each xdist worker."""
    if hasattr(config, "workerinput"):
        return
    script = Path(__file__).resolve().parents[1] / "scripts" / "gold_mentions.py"
    built = subprocess.run([sys.executable, str(script), "--set", "synthetic", "build", "--if-stale"],
                           capture_output=True, text=True)
    if built.returncode:
        pytest.exit(f"data/synthetic/synthetic_gold.json cannot be built:\n{built.stderr}", returncode=2)


@pytest.fixture
def write_tasks(tmp_path):
    def write(tasks, name: str = "tasks.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
        return path

    return write


# CI runs the property tests derandomized so a red build always means a change, not luck;
# set HYPOTHESIS_PROFILE=explore locally to search harder with fresh random examples.
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))


# Fixtures that train a model or start a server: a test that uses one is slow (pytest -m "not slow" skips it).
SLOW_FIXTURES = {"tiny_run", "tiny_model", "label_studio", "studio_env", "ray_cluster"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> tuple[Path, Path, dict]:
    """``(model folder, its config file, the dev scores train returned)``: the tiny config, trained once per session.

    A real govner model (LAC encoder + CRF, ~15 s), shared by every test that needs predictions.
    """
    import yaml

    from govner.config import config_from_dict
    from govner.training.train import train
    from helpers import tiny

    root = tmp_path_factory.mktemp("tiny-model")
    raw = tiny()
    config_path = root / "tiny.yaml"
    config_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    scores = train(config_from_dict(raw, "tiny"), root / "model")
    return root / "model", config_path, scores


@pytest.fixture(scope="session")
def tiny_model(tiny_run) -> Path:
    return tiny_run[0]


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory, request):
    """``(url, token)`` of a fresh Label Studio, one per session; the tiny model trains while the server starts."""
    import secrets
    import subprocess
    import sys
    import time

    from servers import free_port, label_studio_executable, stop, wait_until_up

    exe = label_studio_executable()
    data = tmp_path_factory.mktemp("label-studio-data")
    port, token = free_port(), secrets.token_hex(20)
    env = {
        **os.environ,
        "LABEL_STUDIO_USERNAME": "govner-test@example.com",
        "LABEL_STUDIO_PASSWORD": secrets.token_urlsafe(16),
        "LABEL_STUDIO_USER_TOKEN": token,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_BASE_DATA_DIR": str(data),
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
        # its SSRF guard refuses loopback addresses for ML backends and webhooks; govner serve runs on 127.0.0.1
        "USE_DEFAULT_BANNED_SUBNETS": "false",
    }
    log = data / "server.log"
    command = [str(exe), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
               "--data-dir", str(data)]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, cwd=data, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    started = time.monotonic()
    try:
        request.getfixturevalue("tiny_model")  # ~10 s of training that would otherwise wait for the server
        url = f"http://127.0.0.1:{port}"
        wait_until_up(process, url, token, port, log)
        print(f"label-studio answered after {time.monotonic() - started:.0f} s", file=sys.stderr)
        yield url, token
    finally:
        stop(process)


@pytest.fixture
def studio_env(label_studio, monkeypatch):
    """A :class:`govner.annotations.studio.Studio` on the session's Label Studio, also set in the environment."""
    from govner.annotations.studio import Studio

    url, token = label_studio
    monkeypatch.setenv("LABEL_STUDIO_URL", url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", token)
    return Studio.connect(url, token)
