"""Two builds of one output at once, and what a killed build leaves beside an output.

- A build started while another builds the same output fails at once (exit 1, the other's
  pid named, nothing touched); the lock is the kernel's, so a killed build leaves none.
- Real `newsroom build` processes started two at a time into one output, 20 times: the output
  is a clean build or the previous output, and neither process shows a traceback.
- The leftovers of a killed build are found by listing the folder, never by a glob pattern made
  of the output's name; an output in the build cache is refused.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.build import build_site
from builder.cli import cli
from builder.preview.serve import Preview
from conftest import post, tree
from test_faults import (
    SLOW_RENAMES,
    clean_build,
    committing,
    edit_one_post,
    edit_the_site_description,
    make_big_site,
    siblings,
    start_build,
    write_posts,
)

LOCKED = "is being built by another newsroom (pid "
SWAP_ALWAYS = """\
import builder.pipeline.write as write
write.SMALL_CHANGE = 0  # every change is written as a new folder swapped in
write.STAGE_PAGES_OVER = 0  # and every page is written into it as it is rendered
"""


def shim(tmp_path: Path, name: str, code: str) -> Path:
    """A folder holding a sitecustomize.py that runs `code` in every build started with it."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(code, encoding="utf-8")
    return folder


def wait_for(seen, process, seconds: float = 60) -> None:
    """Poll until `seen()` holds; fail if the process ends first."""
    deadline = time.monotonic() + seconds
    while not seen():
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the build never got there"
        time.sleep(0.002)


def slow_build_in_commit(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes], object]:
    """A site built once, then changed on every page, and a build of it (renames slowed by
    30 ms) that is now among the renames of its in-place commit."""
    root, out = make_big_site(tmp_path / "site", posts=20), tmp_path / "out"
    build_site(root, output_dir=out)
    edit_the_site_description(root, 1)
    expected = clean_build(root, tmp_path / "scratch")
    first = start_build(root, out, shim(tmp_path, "slow", SLOW_RENAMES))
    wait_for(committing(out), first)
    return root, out, expected, first


def test_a_second_build_of_an_output_being_built_fails_at_once_naming_the_first(
    tmp_path: Path,
) -> None:
    root, out, expected, first = slow_build_in_commit(tmp_path)
    second = start_build(root, out)
    assert second.wait(timeout=60) == 1
    message = second.stderr.read().decode()
    assert f"{out}: {LOCKED}{first.pid})" in message and "Traceback" not in message, message
    assert first.poll() is None, "the second build did not fail at once"
    assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    assert tree(out) == expected and siblings(out) == []
    first.stderr.close(), second.stderr.close()


def test_a_preview_rebuild_takes_the_same_lock(tmp_path: Path) -> None:
    root, out, expected, first = slow_build_in_commit(tmp_path)
    log: list[str] = []
    preview = Preview(root, "http://127.0.0.1:8131/", log.append, folder=out)
    preview.rebuild()
    problems = preview.current().problems
    assert len(problems) == 1 and f"{LOCKED}{first.pid})" in str(problems[0]), log
    assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    assert tree(out) == expected and siblings(out) == []
    first.stderr.close()


def test_a_build_killed_while_it_holds_the_lock_leaves_none(tmp_path: Path) -> None:
    root, out, _expected, first = slow_build_in_commit(tmp_path)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    first.stderr.close()
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert tree(out) == clean_build(root, tmp_path / "scratch") and siblings(out) == []


def edit_for_run(root: Path, run: int) -> None:
    """One kind of change per run: a post edited, all pages changed, a post added, one deleted."""
    if run % 3 == 0:
        edit_one_post(root, run)
    elif run % 3 == 1:
        edit_the_site_description(root, run)
    else:
        write_posts(root, range(100 + run, 101 + run))
        (root / f"content/news/{2015 + (97 + run) % 4}/p{97 + run:03d}.md").unlink(missing_ok=True)


def test_two_builds_at_once_into_one_output_leave_a_clean_build_or_the_previous_output(
    tmp_path: Path,
) -> None:
    """20 runs of two `newsroom build` processes into one output, the second started 0-0.25 s
    after the first; in every other run both write a new folder and render into it."""
    root, out = make_big_site(tmp_path / "site", posts=12), tmp_path / "out"
    build_site(root, output_dir=out)
    previous, rng, outcomes = tree(out), random.Random(18), Counter()
    swap = shim(tmp_path, "swap", SWAP_ALWAYS)
    for run in range(20):
        edit_for_run(root, run)
        expected = clean_build(root, tmp_path / "scratch")
        how = swap if run % 2 else None
        first = start_build(root, out, how)
        time.sleep(rng.uniform(0, 0.25))
        second = start_build(root, out, how)
        ended = [(p.wait(timeout=120), p.stderr.read().decode()) for p in (first, second)]
        for process in (first, second):
            process.stderr.close()
        now = tree(out) if out.is_dir() else None
        where = f"run {run}: {ended}"
        for code, stderr in ended:
            assert "Traceback" not in stderr, where
            assert code == 0 or (code == 1 and LOCKED in stderr), where
        assert now in (expected, previous), where
        assert now == expected or all(code == 1 for code, _ in ended), where
        assert siblings(out) == [], (where, siblings(out))
        outcomes[" and ".join("built" if c == 0 else "locked out" for c, _ in ended)] += 1
        previous = now
    print(f"\n20 runs of two builds at once: {dict(outcomes)}")


@pytest.mark.parametrize("name", ["out[1]", "out*", "out?"])
def test_the_leftovers_of_a_killed_build_are_found_by_name_never_by_a_glob(
    make_site, tmp_path: Path, name: str
) -> None:
    """A name with `[`, `*` or `?`: its own leftovers (a full-size new folder, a search scratch
    folder) are removed; other outputs' (which `.out*.new-*` would match) are not."""
    root = make_site({"content/news/2017/a.md": post()})
    out = tmp_path / name
    build_site(root, output_dir=out)
    killed = [tmp_path / f".{name}.new-{2**22 + 7}", tmp_path / f".{name}.new-index-k1_x"]
    for folder in killed:
        shutil.copytree(out, folder)
    others = [tmp_path / ".out1.new-5", tmp_path / ".outer.stage-6", tmp_path / ".out.old-7"]
    for other in others:
        other.mkdir()
        (other / "index.html").write_text("another build's", encoding="utf-8")
    (root / "content/news/2017/a.md").write_text(post(body="Changed.\n"), encoding="utf-8")
    build_site(root, output_dir=out)
    assert not any(folder.exists() for folder in killed)
    assert all((other / "index.html").is_file() for other in others)
    assert tree(out) == clean_build(root, tmp_path / "scratch")


@pytest.mark.parametrize(
    "where",
    [".newsroom-cache", ".newsroom-cache/output", ".newsroom-cache/site/x", "a/.newsroom-cache"],
)
def test_an_output_in_the_build_cache_or_holding_it_is_refused(
    make_site, tmp_path: Path, where: str
) -> None:
    root = make_site({"content/news/2017/a.md": post()})
    out = (root if where.startswith(".") else tmp_path) / where
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--output", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"{out}: the output folder cannot be a build cache folder" in result.stderr
    assert not out.exists()


def test_a_preview_is_still_built_in_the_site_s_cache_folder(make_site) -> None:
    root = make_site({"content/news/2017/a.md": post(title="First news")})
    preview = Preview(root, "http://127.0.0.1:8132/", lambda _: None)
    preview.rebuild()
    assert preview.current().problems == ()
    assert b"First news" in preview.read("news/2017/a/index.html")
    preview.close()


def test_a_process_forked_by_a_build_does_not_hold_its_lock(tmp_path: Path) -> None:
    """A worker a build forked (and that outlives it for a moment, the build being killed
    alone) does not keep the next build out."""
    from builder.pipeline.lock import output_lock

    out = tmp_path / "out"
    started, ready = os.pipe()
    with output_lock(out, tmp_path / "site"):
        child = os.fork()
        if child == 0:  # a worker still busy after its build has gone
            os.write(ready, b"x")
            time.sleep(3)
            os._exit(0)
        os.read(started, 1)  # the worker runs
    os.close(started), os.close(ready)
    try:
        with output_lock(out, tmp_path / "site"):
            pass
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
