"""The search index on real file systems: the same bytes on any, and never a cut one on a full one.

These tests mount file systems (a tmpfs, a loop-mounted ext4 image): they need root, and skip
with the reason where mounting is refused (fail under CI=true, where the runner is root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, tree
from tools import in_ci, pagefind, require_tool

from builder.build import build_site
from builder.pipeline.search import INDEX_DIR


def mount(*args: str) -> None:
    """Run mount(8); skip the test (fail it under CI=true) if mounting is not allowed here."""
    try:
        done = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=60)
    except OSError as exc:
        done = subprocess.CompletedProcess([], 1, "", str(exc))
    if done.returncode != 0:
        reason = f"cannot mount a file system here ({done.stderr.strip() or 'mount failed'})"
        if in_ci():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def mounts():
    """mount(where, *options): a file system mounted at `where`, unmounted after the test."""
    mounted: list[Path] = []

    def mount_at(where: Path, *args: str) -> Path:
        where.mkdir(parents=True, exist_ok=True)
        mount(*args, str(where))
        mounted.append(where)
        return where

    yield mount_at
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=60)


def tmpfs(mounts, where: Path, size: str) -> Path:
    return mounts(where, "-t", "tmpfs", "-o", f"size={size}", "tmpfs")


def ext4(mounts, where: Path, image: Path) -> Path:
    subprocess.run(["truncate", "-s", "64M", str(image)], check=True)
    made = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True, text=True)
    if made.returncode != 0:
        require_tool("mkfs.ext4", lambda: None, made.stderr.strip() or "e2fsprogs")
    return mounts(where, "-o", "loop", str(image))


@pytest.mark.parametrize("which", ["fixture site", "repository's site"])
def test_the_index_is_the_same_bytes_on_any_file_system(
    fixture_site, tmp_path, mounts, which: str
) -> None:
    """Pagefind is given the pages in one order, not the order a file system lists a folder in
    (tmpfs, ext4's hashed directories and others each list theirs differently). The repository's
    site uses the built-in theme, whose post pages are filtered by year, country and tag: its
    filter index is put in one order too (search_canonical)."""
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    site = fixture_site if which == "fixture site" else REPO
    places = {
        "tmp_path": tmp_path / "plain",
        "tmpfs": tmpfs(mounts, tmp_path / "tmpfs", "64m"),
        "ext4": ext4(mounts, tmp_path / "ext4", tmp_path / "ext4.img"),
    }
    indexes = {}
    for name, place in places.items():
        build_site(site, output_dir=place / "out")
        indexes[name] = tree(place / "out" / INDEX_DIR)
    assert len(indexes["tmp_path"]) > 10
    assert any(path.startswith("filter/") for path in indexes["tmp_path"]) == (site == REPO)
    assert indexes["tmpfs"] == indexes["tmp_path"]
    assert indexes["ext4"] == indexes["tmp_path"]


def newsroom_build(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", "build", "--root", str(root), "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def leave_free(folder: Path, free: int) -> Path:
    """Fill the file system of `folder` until about `free` bytes are left; the filler file."""
    filler = folder / "filler"
    stat = os.statvfs(folder)
    with filler.open("wb") as file:
        file.truncate(0)
        file.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - free))
    return filler


@pytest.mark.parametrize("free", [850_000, 60_000, 4_000, 0])
def test_a_full_disk_never_leaves_a_cut_search_index(fixture_site, tmp_path, mounts, free) -> None:
    """Pagefind exits 0 on a full disk with its files cut short; its files come to the builder in
    memory instead, whole or not at all. A build that cannot write fails with a clear message
    and keeps the previous output; one that succeeds has the index a fresh build makes, and so
    does the next build once there is room (never "0 changed" over a broken index)."""
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    disk = tmpfs(mounts, tmp_path / "disk", "8m")
    out = disk / "out"
    assert newsroom_build(fixture_site, out).returncode == 0
    post = next((fixture_site / "content").rglob("*.md"))
    post.write_text(post.read_text(encoding="utf-8") + "\nSeismograph apricot.\n", "utf-8")
    fresh = tmpfs(mounts, tmp_path / "roomy", "64m") / "fresh"  # the same kind of file system
    build_site(fixture_site, output_dir=fresh)
    before = tree(out)
    filler = leave_free(disk, free)
    full = newsroom_build(fixture_site, out)
    if full.returncode == 0 and free > 0:  # a staged update of the changed files can fit
        assert tree(out / INDEX_DIR) == tree(fresh / INDEX_DIR)
    else:
        assert full.returncode == 1 and "Traceback" not in full.stderr + full.stdout
        assert "the disk is full" in full.stderr and "unchanged" in full.stderr
        assert tree(out) == before
    filler.unlink()
    assert newsroom_build(fixture_site, out).returncode == 0
    assert tree(out / INDEX_DIR) == tree(fresh / INDEX_DIR)
    shutil.rmtree(out)
