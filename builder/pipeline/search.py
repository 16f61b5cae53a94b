"""Search: Pagefind's index of the post pages, made before anything is written, as output files.

Pagefind reads a folder of HTML and writes a folder (a "bundle"), and it has no incremental
mode: its time grows with the pages it is given (about 1 ms a post page here, 10 s and 1.5 GB at
10,000 posts). So the posts are indexed in groups of whole years, oldest first, each a bundle of
its own that the search page merges in the browser (Pagefind's `mergeIndex`), and a build runs
Pagefind again only for the groups whose pages changed: an edit re-indexes its own years.

Each run is given a scratch copy of its pages beside the output (hard links where it can), and
what it made is returned as artifacts under `pagefind/`. The writer then treats them like any
other file: unchanged ones are kept, and a failure here leaves the previous output untouched.
The oldest group's bundle is the primary one, at `pagefind/` with Pagefind's scripts; each
other group's is at `pagefind/<its first year>/`, data only; `pagefind/bundles.json` lists them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping

from builder.digest import digest
from builder.errors import Problem
from builder.model import Site, output_file
from builder.outputs import Bytes, Copy, Kept, OutputFile
from builder.progress import NoProgress, Progress
from builder.pipeline.search_service import run_pagefind
from builder.pipeline.write import OutputFolder

INDEX_DIR = "pagefind"  # where the index and Pagefind's scripts go in the output
MISSING = Problem(
    "pagefind",
    None,
    "no search index was made: Pagefind is not installed (python3 -m pip install 'pagefind[bin]'); the search page says search is unavailable",
    "warning",
)


def find_pagefind() -> Path | None:
    """The Pagefind binary, or None: $PAGEFIND_BINARY_PATH, the pip package `pagefind[bin]`, or `pagefind` on PATH.

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
    """What identifies the indexer for the build cache: a new Pagefind means a new index."""
    if binary is None:
        return ""
    stat = binary.stat()
    return f"{binary}:{stat.st_size}:{stat.st_mtime_ns}"


MARK = b"data-pagefind-body"
FOUND_MARK = (
    "Found a data-pagefind-body element"  # what Pagefind says when it indexes only the marked pages
)


def mentions_mark(page: bytes) -> bool:
    """True if the page holds `data-pagefind-body` anywhere, in any case: true for every page
    with an element so marked, and for some without (the name in text or in a value)."""
    return MARK in page or MARK in page.lower()


# Each group is one more bundle for the browser to search, and an edit makes its group again
# (about 1 s of Pagefind a thousand posts). To answer a second query, at 10,000 posts, 20 groups
# took 8 times the bytes of one bundle and 8 groups 2.3 times; at 1,000 posts, 4 groups 3.6 times
# (188 KB), to save 0.6 s an edit. So an archive of a thousand posts or fewer is one bundle.
GROUP_POSTS = 1000  # a group of years is closed once it holds this many posts…
MAX_GROUPS = 10  # …or twice, four times… as many, so that there are about this many groups at most
PAGES_AT_ONCE = (
    20_000  # Pagefind runs side by side only while they index no more pages than this in all
)
MANIFEST = (
    "bundles.json"  # under pagefind/: the bundles the search page merges into the primary one
)
SEARCH_PAGE = "search/index.html"
SCRIPTS = (
    ".js",
    ".css",
)  # Pagefind's scripts and styles, and its wasm.*: only the primary bundle keeps them


@dataclass(frozen=True, slots=True)
class Bundle:
    """What one Pagefind run made, as the last build left it in the output."""

    folder: str  # "pagefind" or "pagefind/2009"
    found: bool  # Pagefind said it found a marked element among the pages
    files: tuple[tuple[str, int], ...]  # every file it made (relative to `folder`) and its size


@dataclass(frozen=True, slots=True)
class SearchMemory:
    """The search index of the last build, for the next (kept in the build cache)."""

    made: int = 0  # the `started` of the build that made it: the state must name the same build
    pages: dict[str, tuple[str, bool]] = field(
        default_factory=dict
    )  # page → (digest of its bytes, mentions the mark)
    bundles: dict[str, Bundle] = field(
        default_factory=dict
    )  # run key (see run_key) → what that run made


@dataclass(frozen=True, slots=True)
class Run:
    """One Pagefind run to make or keep: a group's pages, and its bundle once there."""

    name: str
    key: str
    pages: tuple[OutputFile, ...]
    found: bool = False
    made: dict[str, bytes] | None = None  # the new bundle's files, by their path in the bundle
    kept: Bundle | None = None  # or the last build's bundle, if it was made of the very same pages


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
        f"the search page does not read pagefind/{MANIFEST}, so the search index is made in one piece, all of it again after any edit"
        " (about 1 s a thousand posts); copy static/search.js from newsroom's theme (a site made by `newsroom init` has it)"
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


def run_key(
    kind: str, binary_key: str, pages: Iterable[OutputFile], facts: Mapping[str, tuple[str, bool]]
) -> str:
    """What a run's bundle depends on: Pagefind, which pages, their bytes, and what it was asked."""
    return digest(
        kind, binary_key, *(part for page in pages for part in (page.path, facts[page.path][0]))
    )


def index_pages(
    artifacts: list[OutputFile],
    output: OutputFolder,
    binary: Path,
    *,
    groups: Mapping[str, str] | None = None,
    memory: SearchMemory | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> tuple[list[OutputFile], SearchMemory]:
    """Pagefind's bundles for the HTML among `artifacts` (`spill`: where the render workers wrote
    pages; `groups`: each post page's group, from group_years), and what the next build needs to
    keep those that will not change (`memory`: the last build's).

    Once any page has an element marked `data-pagefind-body`, Pagefind indexes only the
    marked pages. So each group is first given only its pages that mention the mark: the lists
    and term pages are not read for nothing (at 10,000 posts 9.9 -> 7.7 s, 1.84 -> 1.56 GB, the
    same bundle byte for byte). Unless Pagefind then says it found a marked element (in any
    group), the mentions were no marks (or it no longer says so): every page is indexed whole,
    as it would have been. A group whose pages, bytes and question are the last build's keeps
    its bundle; the others are run again, on up to `jobs` Pagefind processes at once (fewer for
    big groups: see PAGES_AT_ONCE).
    """
    groups = groups or {}
    memory = memory or SearchMemory()
    progress = progress or NoProgress()
    pages = [a for a in artifacts if a.path.endswith(".html")]
    facts = {page.path: page_facts(page, output, memory) for page in pages}
    names = sorted(set(groups.values()))
    newest = names[-1] if names else "pages"
    by_group: dict[str, list[OutputFile]] = {}
    for page in pages:
        by_group.setdefault(groups.get(page.path, newest), []).append(page)
    by_group = {name: sorted(group, key=lambda page: page.path) for name, group in by_group.items()}
    key = pagefind_key(binary)
    marked = {name: tuple(p for p in group if facts[p.path][1]) for name, group in by_group.items()}
    runs: list[Run] = []
    if any(marked.values()):
        runs = [
            run
            for run in make_runs(
                marked, "marked", key, facts, memory, output, binary, jobs, progress
            )
            if run.found
        ]
    if not runs:
        runs = make_runs(
            {name: tuple(group) for name, group in by_group.items()},
            "whole",
            key,
            facts,
            memory,
            output,
            binary,
            jobs,
            progress,
        )
    runs = with_scripts(runs, output, binary)
    found, bundles = place_bundles(runs, output.out)
    return found, SearchMemory(pages=facts, bundles=bundles)


def page_facts(page: OutputFile, output: OutputFolder, memory: SearchMemory) -> tuple[str, bool]:
    """(digest, mentions the mark) of a page: the last build's for a page it left as it is."""
    known = memory.pages.get(page.path) if isinstance(page, Kept) else None
    if known is not None:
        return known
    data = output.read(page)
    return digest(data), mentions_mark(data)


def make_runs(
    selected: Mapping[str, tuple[OutputFile, ...]],
    kind: str,
    binary_key: str,
    facts: Mapping[str, tuple[str, bool]],
    memory: SearchMemory,
    output: OutputFolder,
    binary: Path,
    jobs: int,
    progress: Progress,
) -> list[Run]:
    """A run for each group with pages, in group order: the last build's bundle if it was made of
    the same pages and is still in the output, else Pagefind's new bundle."""
    runs = []
    for name in sorted(selected):
        if selected[name]:
            key = run_key(kind, binary_key, selected[name], facts)
            kept = memory.bundles.get(key)
            if kept is not None and present(kept, output.out, data_only=True):
                runs.append(Run(name, key, selected[name], kept.found, kept=kept))
            else:
                runs.append(Run(name, key, selected[name]))
    todo = [run for run in runs if run.kept is None]
    made = {}
    if todo:
        progress.stage("search", len(todo))
        at_once = PAGES_AT_ONCE // max(
            len(run.pages) for run in todo
        )  # Pagefind holds about 150 KB a page
        with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(todo), at_once))) as pool:
            for run in pool.map(lambda run: run_group(run, output, binary), todo):
                made[run.name] = run
                progress.advance()
    return [made.get(run.name, run) for run in runs]


def with_scripts(runs: list[Run], output: OutputFolder, binary: Path) -> list[Run]:
    """The runs, the first of which (the primary bundle) has Pagefind's scripts: a kept bundle
    that was not the primary one before has none in the output, and is made again."""
    if runs and runs[0].kept is not None and not present(runs[0].kept, output.out, data_only=False):
        return [run_group(replace(runs[0], kept=None), output, binary), *runs[1:]]
    return runs


def present(bundle: Bundle, out: Path, *, data_only: bool) -> bool:
    """Whether the output still holds the bundle's files (its data only, or all), at their sizes."""
    for rel, size in bundle.files:
        if data_only and not is_data(rel):
            continue
        try:
            if (out / bundle.folder / rel).stat().st_size != size:
                return False
        except OSError:
            return False
    return True


def is_data(rel: str) -> bool:
    """Whether a bundle file is its index (not one of Pagefind's scripts, styles or wasm)."""
    return "/" in rel or not (rel.endswith(SCRIPTS) or rel.startswith("wasm."))


def run_group(run: Run, output: OutputFolder, binary: Path) -> Run:
    """Pagefind over one group's pages, given in path order, its bundle received in memory."""
    made, said = run_pagefind(binary, ((page.path, output.read(page)) for page in run.pages))
    return replace(run, found=FOUND_MARK in said, made=made, kept=None)


def place_bundles(runs: list[Run], out: Path) -> tuple[list[OutputFile], dict[str, Bundle]]:
    """The bundles as output files (the first at pagefind/, with Pagefind's scripts; the others
    at pagefind/<group>/, data only; pagefind/bundles.json naming those), and as the next
    build's memory."""
    artifacts, bundles = [], {}
    for number, run in enumerate(runs):
        folder = INDEX_DIR if number == 0 else f"{INDEX_DIR}/{run.name}"
        if run.made is not None:
            files = tuple((rel, len(data)) for rel, data in run.made.items())
            artifacts += [
                Bytes(f"{folder}/{rel}", data)
                for rel, data in run.made.items()
                if number == 0 or is_data(rel)
            ]
        else:
            assert run.kept is not None
            files, old = run.kept.files, run.kept.folder
            artifacts += [
                Kept(f"{folder}/{rel}")
                if old == folder
                else Copy(f"{folder}/{rel}", out / old / rel)
                for rel, _ in files
                if number == 0 or is_data(rel)
            ]
        bundles[run.key] = Bundle(folder, run.found, files)
    merged = [f"{run.name}/" for run in runs[1:]]
    artifacts.append(
        Bytes(f"{INDEX_DIR}/{MANIFEST}", (json.dumps({"merge": merged}) + "\n").encode())
    )
    return artifacts, bundles


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
        files, output, binary, groups=groups, memory=earlier, jobs=jobs, progress=progress
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
