"""The build cache is only ever a speed-up: one that cannot be saved, or is older than the
output it describes, never makes a wrong build.

- A read-only or full cache folder: the build says so (the folder and the OS error) and the
  next builds are correct; a post withdrawn after such a build goes (it once stayed online
  for good, "0 changed" on every later build).
- An older copy of the cache restored over the newer one: no file of the output is left
  orphaned.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.incremental.home import cache_dir
from conftest import post, tree
from test_faults import clean_build
from tools import in_ci

WITHDRAWN = "content/news/2017/withdrawn-item.md"
WITHDRAWN_PAGE = "news/2017/withdrawn-item/index.html"


def cannot(reason: str) -> None:
    """Skip for want of a privilege the fault needs (fail under CI=true)."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def read_only(folder: Path) -> Iterator[int]:
    """Make `folder` read-only while the block runs: a read-only bind mount (root writes
    through file modes), else its modes; yields the errno a write there gets."""
    if os.geteuid() != 0:
        folders = [folder, *(p for p in folder.rglob("*") if p.is_dir())]
        for path in folders:
            path.chmod(0o555)
        try:
            yield errno.EACCES
        finally:
            for path in folders:
                path.chmod(0o755)
        return
    if not (mount("--bind", str(folder), str(folder))):
        cannot("mount --bind failed: a read-only folder needs CAP_SYS_ADMIN when run as root")
    try:
        assert mount("-o", "remount,bind,ro", str(folder))
        yield errno.EROFS
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@contextmanager
def full(folder: Path) -> Iterator[int]:
    """Put `folder`'s files on a small file system of their own, filled up, while the block
    runs (when it ends, the folder's older files are back, as after a restored backup)."""
    if os.geteuid() != 0:
        cannot("a full file system is made with a tmpfs mount, which needs root")
    aside = folder.with_name(folder.name + ".aside")
    shutil.copytree(folder, aside)
    size = sum(p.stat().st_size for p in aside.rglob("*") if p.is_file())
    if not mount("-t", "tmpfs", "-o", f"size={size + 256 * 1024}", "tmpfs", str(folder)):
        cannot("mount -t tmpfs failed: a full file system needs CAP_SYS_ADMIN")
    try:
        shutil.copytree(aside, folder, dirs_exist_ok=True)
        with (folder / "filler").open("wb") as filler:
            try:
                while True:
                    filler.write(bytes(64 * 1024))
                    filler.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        yield errno.ENOSPC
    finally:
        subprocess.run(["umount", str(folder)], check=True)
        shutil.rmtree(aside)


FAULTS = {"read-only": read_only, "full": full}


def build(root: Path, out: Path):
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--output", str(out)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return result


def small_site(make_site) -> Path:
    return make_site(
        {
            f"content/news/2017/p{i}.md": post(title=f"Post {i}", date=f"2017-03-{10 + i}")
            for i in range(3)
        }
    )


@pytest.mark.parametrize("again", ["stays so", "can be written again"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_post_withdrawn_after_a_build_that_could_not_save_its_cache_goes(
    make_site, tmp_path: Path, fault: str, again: str
) -> None:
    root, out = small_site(make_site), tmp_path / "out"
    build(root, out)
    folder = cache_dir(root, out)
    with FAULTS[fault](folder) as code:
        (root / WITHDRAWN).write_text(post(title="Withdrawn item"), encoding="utf-8")
        said = build(root, out).stderr
        assert f"{folder}: the build cache cannot be saved: {os.strerror(code)}" in said, said
        assert WITHDRAWN_PAGE in tree(out)
        (root / WITHDRAWN).unlink()
        if again == "stays so":
            build(root, out)
            assert tree(out) == clean_build(root, tmp_path / "scratch")
            assert not [p.name for p in folder.rglob("*") if ".tmp-" in p.name]
    build(root, out)
    build(root, out)
    made = tree(out)
    assert WITHDRAWN_PAGE not in made and made == clean_build(root, tmp_path / "scratch")


def test_an_older_cache_restored_over_the_newer_leaves_no_orphan_in_the_output(
    make_site, tmp_path: Path
) -> None:
    root, out = small_site(make_site), tmp_path / "out"
    build(root, out)
    backup = tmp_path / "backup"
    shutil.copytree(cache_dir(root, out), backup)
    (root / WITHDRAWN).write_text(post(title="Withdrawn item"), encoding="utf-8")
    build(root, out)
    assert WITHDRAWN_PAGE in tree(out)
    shutil.rmtree(cache_dir(root, out))
    shutil.copytree(backup, cache_dir(root, out))
    (root / WITHDRAWN).unlink()
    build(root, out)
    made = tree(out)
    assert WITHDRAWN_PAGE not in made and made == clean_build(root, tmp_path / "scratch")


def test_a_build_that_finds_nothing_changed_and_cannot_date_its_cache_says_so(
    make_site, tmp_path: Path
) -> None:
    """Inputs saved just before a build are checked by their bytes by the next, which then
    dates the cache to itself: with the cache read-only, a warning, and no traceback."""
    root, out = small_site(make_site), tmp_path / "out"
    build(root, out)
    before = tree(out)
    with read_only(cache_dir(root, out)) as code:
        said = build(root, out).stderr
    assert f"{cache_dir(root, out)}: the build cache cannot be saved: {os.strerror(code)}" in said
    assert tree(out) == before
    build(root, out)
    assert tree(out) == before
