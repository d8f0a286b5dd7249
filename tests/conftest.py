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
