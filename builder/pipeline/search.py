"""Search: Pagefind's index of the post pages, made before anything is written, as output files.

Pagefind has no incremental mode: its time grows with the pages it is given (about 1 ms a post
page here, 10 s and 1.5 GB at 10,000 posts). So the posts are indexed in groups of whole years,
oldest first, each a bundle of its own that the search page merges in the browser (Pagefind's
`mergeIndex`), and a build runs Pagefind again only for the groups whose pages changed: an edit
re-indexes its own years (search_bundles: which runs are made and which kept).

Pagefind runs as a service (search_service): it is given each group's pages in path order and
answers with its bundle in memory, checked whole; it writes no file. The bundles become output
files under `pagefind/`, which the writer treats like any other: unchanged ones are kept, a
failure here or there leaves the previous output untouched. The oldest group's bundle is the
primary one, at `pagefind/` with Pagefind's scripts; each other group's is at
`pagefind/<its first year>/`, data only; `pagefind/bundles.json` lists them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from builder.errors import Problem
from builder.model import Site, output_file
from builder.outputs import OutputFile
from builder.progress import Progress
from builder.pipeline.search_bundles import INDEX_DIR, MANIFEST, SearchMemory, index_pages
from builder.pipeline.write import OutputFolder

MISSING = Problem(
    "pagefind",
    None,
    "no search index was made: Pagefind is not installed (python3 -m pip install "
    "'pagefind[bin]'); the search page says search is unavailable",
    "warning",
)
SEARCH_PAGE = "search/index.html"
# how the index is made: a bundle an older newsroom made is never kept (its filters unsorted)
MADE_BY = "service, filters sorted"


def find_pagefind() -> Path | None:
    """The Pagefind binary, or None.

    Its places: $PAGEFIND_BINARY_PATH, the pip package `pagefind[bin]`, or `pagefind` on PATH.
    Found without importing the `pagefind` package, so a build with nothing to do stays quick.
    """
    candidates = [os.environ.get("PAGEFIND_BINARY_PATH", "")]
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            candidates += [
                str(Path(spec.origin).parent / name) for name in ("pagefind_extended", "pagefind")
            ]
    candidates += [shutil.which("pagefind_extended") or "", shutil.which("pagefind") or ""]
    return next(
        (Path(c) for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None
    )


def pagefind_key(binary: Path | None) -> str:
    """What identifies the indexer for the build cache: a new Pagefind, or a new way of running
    it, means a new index (an older newsroom's bundles were written by Pagefind unverified)."""
    if binary is None:
        return ""
    stat = binary.stat()
    return f"{MADE_BY}:{binary}:{stat.st_size}:{stat.st_mtime_ns}"


# Each group is one more bundle for the browser to search, and an edit makes its group again
# (about 1 s of Pagefind a thousand posts). To answer a second query, at 10,000 posts, 20 groups
# took 8 times the bytes of one bundle and 8 groups 2.3 times; at 1,000 posts, 4 groups 3.6 times
# (188 KB), to save 0.6 s an edit. So an archive of a thousand posts or fewer is one bundle.
GROUP_POSTS = 1000  # a group of years is closed once it holds this many posts…
MAX_GROUPS = 10  # …or twice, four times… as many, so that there are about this many groups at most


def merges_bundles(artifacts: list[OutputFile], output: OutputFolder) -> bool:
    """Whether the theme's search page reads pagefind/bundles.json (the built-in theme's
    static/search.js does): a site whose own copy of the theme is older searches one bundle."""
    wanted = MANIFEST.encode()
    return any(
        wanted in output.read(a)
        for a in artifacts
        if a.path == SEARCH_PAGE
        or (a.path.endswith(".js") and not a.path.startswith(f"{INDEX_DIR}/"))
    )


def one_bundle_warning(artifacts: list[OutputFile]) -> Problem:
    """Why a site with many posts gets its search index in one piece (named after the theme's
    search script if the site has one, else its search page)."""
    where = (
        "templates/static/search.js"
        if any(a.path == "static/search.js" for a in artifacts)
        else "templates/search.html"
    )
    return Problem(
        where,
        None,
        f"the search page does not read pagefind/{MANIFEST}, so the search index is made in one "
        "piece, all of it again after any edit"
        " (about 1 s a thousand posts); copy static/search.js from newsroom's theme (a site made "
        "by `newsroom init` has it)"
        " into templates/ to have each group of years indexed on its own",
        "warning",
    )


def group_years(posts: Iterable[tuple[str, int]]) -> dict[str, str]:
    """Each post page's group (`posts`: its file and year): whole years, oldest first, a group
    closed once it holds GROUP_POSTS posts, or twice, four times… as many in an archive too big
    for MAX_GROUPS such groups; named after its first year. Other pages go with the newest group."""
    years: dict[int, list[str]] = {}
    for file, year in posts:
        years.setdefault(year, []).append(file)
    size, total = GROUP_POSTS, sum(map(len, years.values()))
    while total > size * MAX_GROUPS:
        size *= 2
    groups, name, count = {}, "", 0
    for year in sorted(years):
        if not name or count >= size:
            name, count = f"{year:04d}", 0
        groups.update((file, name) for file in years[year])
        count += len(years[year])
    return groups


def index_search(
    files: list[OutputFile],
    site: Site,
    output: OutputFolder,
    binary: Path | None,
    progress: Progress,
    *,
    earlier: SearchMemory | None,
    jobs: int,
) -> Index:
    """The search index's files, made again only for the groups of years whose post pages
    changed (in one piece if the theme's search page cannot merge groups: then a warning).
    Without Pagefind, no index and a warning."""
    if binary is None:
        return Index((), None, (MISSING,))
    groups = group_years((output_file(post.path), post.date.year) for post in site.posts)
    warnings: tuple[Problem, ...] = ()
    if len(set(groups.values())) > 1 and not merges_bundles(files, output):
        groups, warnings = {}, (one_bundle_warning(files),)
    made, memory = index_pages(
        files,
        output,
        binary,
        pagefind_key(binary),
        groups=groups,
        memory=earlier,
        jobs=jobs,
        progress=progress,
    )
    return Index(tuple(made), memory, warnings)


@dataclass(frozen=True, slots=True)
class Index:
    """What the index stage made: the index's files, what the next build needs to keep those
    that will not change, and its warnings."""

    files: tuple[OutputFile, ...]
    memory: SearchMemory | None
    warnings: tuple[Problem, ...]


def no_index() -> Index:
    """What a build that makes no search index has of one."""
    return Index((), None, ())
