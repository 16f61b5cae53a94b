"""The bundles of a search index: which Pagefind runs a build makes and which it keeps, and the
output files and memory of them.

A run is one group's pages (see search.group_years) and the bundle Pagefind makes of them. A
build remembers, for each run, the pages and bytes it was made of and the files it left (their
sizes): a run of the very same pages whose files are all still there is kept, any other is made
again by Pagefind's service (search_service), whose bundle comes whole or not at all.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping

from builder.digest import digest
from builder.outputs import Bytes, Copy, Kept, OutputFile
from builder.progress import NoProgress, Progress
from builder.pipeline.search_canonical import canonical_bundle
from builder.pipeline.search_service import run_pagefind
from builder.pipeline.write import OutputFolder

INDEX_DIR = "pagefind"  # where the index and Pagefind's scripts go in the output
# under pagefind/: the bundles the search page merges into the primary one
MANIFEST = "bundles.json"
PAGES_AT_ONCE = 20_000  # Pagefind runs side by side only while they index no more pages in all
# Pagefind's scripts and styles, and its wasm.*: only the primary bundle keeps them
SCRIPTS = (".js", ".css")
MARK = b"data-pagefind-body"
# what Pagefind logs when it indexes only the marked pages
FOUND_MARK = "Found a data-pagefind-body element"


def mentions_mark(page: bytes) -> bool:
    """True if the page holds `data-pagefind-body` anywhere, in any case: true for every page
    with an element so marked, and for some without (the name in text or in a value)."""
    return MARK in page or MARK in page.lower()


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


def run_key(
    kind: str, binary_key: str, pages: Iterable[OutputFile], facts: Mapping[str, tuple[str, bool]]
) -> str:
    """What a run's bundle depends on: Pagefind, which pages, their bytes, and what it was asked."""
    return digest(
        kind, binary_key, *(part for page in pages for part in (page.path, facts[page.path][0]))
    )


@dataclass(frozen=True, slots=True)
class Indexer:
    """What every run of one build shares: where the pages are, Pagefind, what the last build
    left, and how many runs may go at once."""

    output: OutputFolder
    binary: Path
    binary_key: str  # search.pagefind_key of `binary`
    facts: Mapping[str, tuple[str, bool]]  # page → (digest of its bytes, mentions the mark)
    memory: SearchMemory
    jobs: int
    progress: Progress


def index_pages(
    artifacts: list[OutputFile],
    output: OutputFolder,
    binary: Path,
    binary_key: str,
    *,
    groups: Mapping[str, str] | None = None,
    memory: SearchMemory | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> tuple[list[OutputFile], SearchMemory]:
    """Pagefind's bundles for the HTML among `artifacts` (`groups`: each post page's group, from
    search.group_years), and what the next build needs to keep those that will not change
    (`memory`: the last build's).

    Once any page has an element marked `data-pagefind-body`, Pagefind indexes only the
    marked pages. So each group is first given only its pages that mention the mark: the lists
    and term pages are not read for nothing (at 10,000 posts 9.9 -> 7.7 s, 1.84 -> 1.56 GB, the
    same bundle byte for byte). Unless Pagefind then says it found a marked element (in any
    group), the mentions were no marks (or it no longer says so): every page is indexed whole,
    as it would have been. A group whose pages, bytes and question are the last build's keeps
    its bundle; the others are run again, on up to `jobs` Pagefind processes at once (fewer for
    big groups: see PAGES_AT_ONCE).
    """
    memory = memory or SearchMemory()
    pages = [a for a in artifacts if a.path.endswith(".html")]
    facts = {page.path: page_facts(page, output, memory) for page in pages}
    at = Indexer(output, binary, binary_key, facts, memory, jobs, progress or NoProgress())
    by_group = pages_by_group(pages, groups or {})
    marked = {name: tuple(p for p in group if facts[p.path][1]) for name, group in by_group.items()}
    runs: list[Run] = []
    if any(marked.values()):
        runs = [run for run in make_runs(marked, "marked", at) if run.found]
    if not runs:
        runs = make_runs(by_group, "whole", at)
    runs = with_scripts(runs, output, binary)
    found, bundles = place_bundles(runs, output.out)
    return found, SearchMemory(pages=facts, bundles=bundles)


def pages_by_group(
    pages: list[OutputFile], groups: Mapping[str, str]
) -> dict[str, tuple[OutputFile, ...]]:
    """The pages of each group, in path order (the order Pagefind is given them in, whatever the
    file system): the pages of no group go with the newest."""
    names = sorted(set(groups.values()))
    newest = names[-1] if names else "pages"
    by_group: dict[str, list[OutputFile]] = {}
    for page in pages:
        by_group.setdefault(groups.get(page.path, newest), []).append(page)
    return {name: tuple(sorted(group, key=lambda p: p.path)) for name, group in by_group.items()}


def page_facts(page: OutputFile, output: OutputFolder, memory: SearchMemory) -> tuple[str, bool]:
    """(digest, mentions the mark) of a page: the last build's for a page it left as it is."""
    known = memory.pages.get(page.path) if isinstance(page, Kept) else None
    if known is not None:
        return known
    data = output.read(page)
    return digest(data), mentions_mark(data)


def make_runs(selected: Mapping[str, tuple[OutputFile, ...]], kind: str, at: Indexer) -> list[Run]:
    """A run for each group with pages, in group order: the last build's bundle if it was made of
    the same pages and is still in the output, else Pagefind's new bundle."""
    runs = []
    for name in sorted(selected):
        if selected[name]:
            key = run_key(kind, at.binary_key, selected[name], at.facts)
            kept = at.memory.bundles.get(key)
            if kept is not None and present(kept, at.output.out, data_only=True):
                runs.append(Run(name, key, selected[name], kept.found, kept=kept))
            else:
                runs.append(Run(name, key, selected[name]))
    todo = [run for run in runs if run.kept is None]
    made = {}
    if todo:
        at.progress.stage("search", len(todo))
        # Pagefind holds about 150 KB a page
        at_once = PAGES_AT_ONCE // max(len(run.pages) for run in todo)
        with ThreadPoolExecutor(max_workers=max(1, min(at.jobs, len(todo), at_once))) as pool:
            for run in pool.map(lambda run: run_group(run, at.output, at.binary), todo):
                made[run.name] = run
                at.progress.advance()
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
    """Pagefind over one group's pages, given in path order, its bundle received in memory (its
    filter index put in a fixed order: search_canonical)."""
    made, said = run_pagefind(binary, ((page.path, output.read(page)) for page in run.pages))
    return replace(run, found=FOUND_MARK in said, made=canonical_bundle(made), kept=None)


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
