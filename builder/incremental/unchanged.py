"""Whether the last build read exactly this build's inputs, so that there is nothing to do.

An input file is known unchanged by its stat (time and size). A file saved just before a build
looked at it could change again within the same tick of the clock without a new time or size:
such a "recent" file is known unchanged only by its bytes (a post's by the digest of the bytes it
was parsed from; site.toml and the templates by the keys made of their bytes).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Mapping

from builder.incremental.records import CachedPost
from builder.incremental.state import BuildState, LastBuild
from builder.incremental.store import save_state, unsaved
from builder.model import BuildReport, publication_status
from builder.pipeline.commit import MARKER
from builder.pipeline.config import CONFIG_NAME
from builder.pipeline.inputs import Inputs, Selection
from builder.pipeline.sources import Sources, file_digest

RACY_NS = 2_000_000_000  # a file changed this close to the last build's start is checked by content
BY_KEYS = b""  # a recent file checked by the settings and theme keys, not by its own digest


def nothing_changed(last: LastBuild, sources: Sources, inputs: Inputs) -> bool:
    """True if the last build read these very inputs, took the same posts and its output exists."""
    state = last.state
    if (
        state is None or sources.problems
    ):  # a file refused (a pipe, a link leaving the site) is an error to report
        return False
    if state.snapshot != last.snapshot(sources) or not (last.out / MARKER).is_file():
        return False
    recent = too_recent(sources.stats, state.started)
    if recent:
        known = state.recent or {}
        if any(path not in known for path in recent):
            return False
        keys = (inputs.settings_key, inputs.theme.key)
        if any(known[path] == BY_KEYS for path in recent) and keys != (
            state.settings_key,
            state.theme_key,
        ):
            return False
        if any(
            known[path] != BY_KEYS and file_digest(Path(path)) != known[path] for path in recent
        ):
            return False
    if state.taken != taken_posts(state.dates, inputs.select):
        return False
    return all(last.sizes.of(path) == size for path, (_mark, size) in state.outputs.items())


def report_unchanged(last: LastBuild, sources: Sources, inputs: Inputs) -> BuildReport:
    """The report of a build that found nothing changed; the files that were too recent for the
    last build to trust their times are trusted from now on (their bytes are the same)."""
    state = last.state
    assert state is not None
    if state.recent:
        known = (
            state.recent
        )  # nothing_changed() found every file too recent for the last build in it
        recent = {path: known[path] for path in too_recent(sources.stats, inputs.started)}
        try:
            save_state(last.cache, replace(state, started=inputs.started, recent=recent))
        except OSError as exc:  # the older state still describes this output: it stays
            return unchanged_report(state, last, (*last.notes, unsaved(last.cache, exc, "")))
    return unchanged_report(state, last, last.notes)


def unchanged_report(state: BuildState, last: LastBuild, more: tuple) -> BuildReport:
    assert state.report is not None  # every saved state holds its build's report
    report = state.report
    return replace(report, written=0, output_dir=last.out, warnings=report.warnings + more)


def taken_posts(dates: Iterable[tuple[str, float, bool]], select: Selection) -> frozenset[str]:
    """The posts a build with these options takes, from their dates and draft flags."""
    now = select.now.timestamp()
    return frozenset(
        src for src, when, draft in dates if select.takes(publication_status(draft, when, now))
    )


def too_recent(stats: Iterable[tuple[str, int, int]], started: int) -> list[str]:
    """The input files saved so close to a build's start (`started`) that the next build cannot
    trust their times."""
    return [path for path, mtime, _size in stats if mtime >= started - RACY_NS]


def recent_digests(
    stats: Iterable[tuple[str, int, int]],
    started: int,
    posts: Mapping[str, CachedPost],
    inputs: Inputs,
) -> dict[str, bytes] | None:
    """What tells whether the input files too recent for the next build to trust their times
    are still the ones this build read, by the path the stats name them: a post's digest of the
    bytes it parsed; BY_KEYS for site.toml and the templates. None if one is another file (a
    page, an image): the next build then looks at every input again."""
    config = inputs.config
    found = {}
    prefix, templates = os.path.join(config.root, ""), os.path.join(config.templates_dir, "")
    config_file = os.path.join(config.root, CONFIG_NAME)
    for path in too_recent(stats, started):
        if path == config_file or path.startswith(templates):
            found[path] = BY_KEYS
            continue
        entry = (
            posts.get(path[len(prefix) :].replace(os.sep, "/")) if path.startswith(prefix) else None
        )
        if entry is None or not entry.post.digest:
            return None
        found[path] = entry.post.digest
    return found


def trusted_before(state: BuildState) -> int:
    """Files timed before this were saved long enough before the last build looked at them."""
    return state.started - RACY_NS
