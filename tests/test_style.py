"""The code is formatted and linted as pyproject.toml says ([tool.ruff]): run with the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import REPO
from tools import require_tool

CHECKED = ["builder", "tests", "bench"]


def ruff() -> list[str] | None:
    """How to run ruff (a test dependency): its module, else a `ruff` on PATH."""
    found = subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True)
    if found.returncode == 0:
        return [sys.executable, "-m", "ruff"]
    return [shutil.which("ruff")] if shutil.which("ruff") else None


def test_the_code_is_formatted_by_ruff() -> None:
    command = require_tool("ruff", ruff, "pip install -e '.[test]'")
    done = subprocess.run(
        [*command, "format", "--check", *CHECKED], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, (
        f"run `ruff format {' '.join(CHECKED)}`:\n{done.stdout}{done.stderr}"
    )


def test_ruff_finds_nothing_to_fix() -> None:
    command = require_tool("ruff", ruff, "pip install -e '.[test]'")
    done = subprocess.run([*command, "check", *CHECKED], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
