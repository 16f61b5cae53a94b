"""The fixture site builds to exactly the golden tree (regenerate: pytest --update-golden).

The golden tree leaves out pagefind/: the search index and scripts are Pagefind's bytes, which
change with its version. Building twice must still give identical bytes, the index included.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

from conftest import GOLDEN, tree

from builder.build import build_site
from builder.pipeline.search import INDEX_DIR, find_pagefind


def ours(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files newsroom itself writes: everything but Pagefind's folder."""
    return {path: data for path, data in files.items() if not path.startswith(INDEX_DIR + "/")}


def diff_trees(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    """Human-readable differences: missing, extra, and a unified diff per changed file."""
    lines = [f"missing: {p}" for p in sorted(expected.keys() - actual.keys())]
    lines += [f"extra: {p}" for p in sorted(actual.keys() - expected.keys())]
    for path in sorted(expected.keys() & actual.keys()):
        if expected[path] != actual[path]:
            lines += difflib.unified_diff(
                expected[path].decode("utf-8", "replace").splitlines(),
                actual[path].decode("utf-8", "replace").splitlines(),
                f"golden/{path}",
                f"built/{path}",
                lineterm="",
            )
    return lines


def test_fixture_site_matches_golden_tree(
    fixture_site: Path, tmp_path: Path, update_golden: bool
) -> None:
    out = tmp_path / "out"
    build_site(fixture_site, output_dir=out)
    built = ours(tree(out))
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(
            out, GOLDEN, ignore=lambda folder, names: [INDEX_DIR] if Path(folder) == out else []
        )
    differences = diff_trees(tree(GOLDEN), built)
    assert not differences, (
        "output differs from tests/golden/site (if intended: pytest --update-golden, then review "
        "the diff)\n" + "\n".join(differences[:200])
    )


def test_building_twice_gives_identical_bytes(fixture_site: Path, tmp_path: Path) -> None:
    build_site(fixture_site, output_dir=tmp_path / "one")
    build_site(fixture_site, output_dir=tmp_path / "two")
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert one == two
    assert len(one) > 40
    assert (f"{INDEX_DIR}/pagefind-entry.json" in one) == (find_pagefind() is not None)


def test_rebuild_keeps_unchanged_files_untouched(fixture_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site(fixture_site, output_dir=out)
    before = {p: p.stat() for p in out.rglob("*") if p.is_file()}
    post = fixture_site / "content/news/2017/2017-01-10-morning-briefing.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("A short briefing", "A long briefing"),
        encoding="utf-8",
    )
    report = build_site(fixture_site, output_dir=out)
    after = {p for p in out.rglob("*") if p.is_file()}
    new = after - before.keys()  # e.g. the search index's fragment of the changed post
    changed = sorted(
        p.relative_to(out).as_posix()
        for p in after & before.keys()
        if p.stat().st_ino != before[p].st_ino
    )
    changed.remove(".newsroom-output")  # renewed by every commit (see commit.write_marker)
    assert "news/2017/morning-briefing-for-tajik-border-guards/index.html" in changed
    assert "about/index.html" not in changed and "static/site.css" not in changed
    assert (
        f"{INDEX_DIR}/pagefind-ui.js" not in changed
    )  # Pagefind's files are kept too when their bytes are the same
    assert report.written == len(changed) + len(new)
    kept = [p for p in after & before.keys() if p.stat().st_ino == before[p].st_ino]
    assert all(p.stat().st_mtime_ns == before[p].st_mtime_ns for p in kept)
