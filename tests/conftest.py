import json
from pathlib import Path

import pytest


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


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A real govner model trained in ~15 s on the tiny config, shared by the tests that need predictions."""
    from govner.config import config_from_dict
    from govner.training.train import train
    from helpers import tiny

    out = tmp_path_factory.mktemp("tiny-model")
    train(config_from_dict(tiny(), "tiny"), out)
    return out
