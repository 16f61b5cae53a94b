"""External tools some tests need: found, or the test skips saying why (fails under CI=true)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable, TypeVar

import pytest

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW = "see 'Verification tools' in README.md"

T = TypeVar("T")


def in_ci() -> bool:
    """True when the run must not skip for want of a tool (CI=true)."""
    return os.environ.get("CI", "").lower() == "true"


def require_tool(name: str, check: Callable[[], T | None], install: str = HOW) -> T:
    """What `check` found; else skip the test with the reason, or fail it under CI=true."""
    found = check()
    if found:
        return found
    reason = f"{name} is not available ({install})"
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def python_module(name: str) -> Callable[[], str | None]:
    """A check: the module can be imported."""
    return lambda: name if importlib.util.find_spec(name) is not None else None


def java() -> str | None:
    """The `java` command, if it runs."""
    path = shutil.which("java")
    if path is None:
        return None
    try:
        subprocess.run([path, "-version"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return path


def node_file(package: str, rel: str) -> Callable[[], Path | None]:
    """A check: a file of an npm package installed by `npm ci` (and node to run it)."""

    def check() -> Path | None:
        path = NODE_MODULES / package / rel
        return path if path.is_file() and shutil.which("node") else None

    return check


def vnu_jar() -> Path | None:
    """The Nu Html Checker (npm vnu-jar), if Java can run it."""
    jar = NODE_MODULES / "vnu-jar/build/dist/vnu.jar"
    return jar if jar.is_file() and java() else None


def chromium() -> Path | None:
    """Debian's Chromium, if Playwright is there to drive it."""
    return CHROMIUM if CHROMIUM.is_file() and importlib.util.find_spec("playwright") else None


def pagefind() -> Path | None:
    """The Pagefind binary the build runs."""
    from builder.pipeline.search import find_pagefind

    return find_pagefind()
