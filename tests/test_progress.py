"""Long work shows a progress bar on a terminal, and nothing of it in a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from conftest import post


def many_posts(make_site, count: int = 120) -> Path:
    return make_site(
        {
            f"content/news/p{i:03}.md": post(
                title=f"News number {i}", date=f"2017-0{1 + i % 9}-1{i % 10}"
            )
            for i in range(count)
        }
    )


def run_with_terminal(args: list[str]) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal; return the exit code and what the terminal showed."""
    master, slave = pty.openpty()
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=60)
    os.close(master)
    return process.returncode, shown.decode("utf-8", "replace")


def test_build_shows_a_progress_bar_on_a_terminal(make_site, tmp_path: Path) -> None:
    root = many_posts(make_site)
    code, shown = run_with_terminal(
        [
            sys.executable,
            "-m",
            "builder",
            "build",
            "--root",
            str(root),
            "--output",
            str(tmp_path / "out"),
        ]
    )
    assert code == 0
    assert "parse" in shown and "100%" in shown


def test_build_in_a_pipe_prints_only_its_summary(make_site, tmp_path: Path) -> None:
    root = many_posts(make_site)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "builder",
            "build",
            "--root",
            str(root),
            "--output",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0
    assert "%" not in result.stderr and "parse" not in result.stderr
    assert result.stdout.startswith("Built 120 posts")


class Recorder:
    """A Progress that keeps what it is told."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, int, list[int]]] = []

    def stage(self, name: str, total: int) -> None:
        self.stages.append((name, total, []))

    def advance(self, steps: int = 1) -> None:
        self.stages[-1][2].append(steps)


def test_the_bar_moves_while_posts_and_pages_are_made_and_ends_full(
    make_site, tmp_path: Path
) -> None:
    from builder.build import build_site

    root = many_posts(make_site, count=300)
    for jobs in (1, 2):
        shown = Recorder()
        build_site(root, output_dir=tmp_path / f"out-{jobs}", jobs=jobs, clean=True, progress=shown)
        stages = {name: (total, steps) for name, total, steps in shown.stages}
        assert set(stages) >= {"parse", "render"}, stages
        for name in ("parse", "render"):
            total, steps = stages[name]
            assert sum(steps) == total, (jobs, name, total, steps)
            assert len([s for s in steps if s]) >= 4, (
                jobs,
                name,
                steps,
            )  # it moves as work is done, not in one jump
    edited = Recorder()
    page = root / "content/news/p007.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    build_site(root, output_dir=tmp_path / "out-2", jobs=2, progress=edited)
    assert all(sum(steps) == total for _, total, steps in edited.stages)
