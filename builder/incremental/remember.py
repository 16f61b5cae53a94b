"""The next cache state, made from this build's values by one function, and its saving."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Mapping

from builder.errors import Problem
from builder.incremental.pages import PageReuse, PlanSplit
from builder.incremental.posts import EarlierPosts, cache_records
from builder.incremental.records import CachedPost
from builder.incremental.state import BuildState, LastBuild
from builder.incremental.store import (
    dump,
    forget_state,
    save_compiled,
    save_posts,
    save_state,
    search_path,
    unsaved,
)
from builder.incremental.unchanged import recent_digests
from builder.model import BuildReport, Doc, Post, Site
from builder.outputs import Bytes, Kept, OutputFile, Staged
from builder.pipeline.commit import output_id
from builder.pipeline.inputs import Inputs
from builder.pipeline.sources import Sources
from builder.pipeline.templates import StoredBytecode, compile_templates, make_environment

if TYPE_CHECKING:
    from builder.pipeline.parse import Content
    from builder.pipeline.search import Index


@dataclass(frozen=True, slots=True)
class ThisBuild:
    """What this build made that the next one may reuse, as the recipe has it."""

    sources: Sources
    content: Content
    earlier: EarlierPosts
    site: Site
    reuse: PageReuse
    related: Mapping[str, tuple[Post, ...]]
    split: PlanSplit
    files: list[OutputFile]
    index: Index
    report: BuildReport


def next_state(
    last: LastBuild, inputs: Inputs, made: ThisBuild, records: Mapping[str, CachedPost]
) -> BuildState:
    """What the next build needs to know of this one."""
    reuse, split = made.reuse, made.split
    by_path = {file.path: file for file in made.files}
    outputs = {
        path: (mark, size_made(by_path[path], reuse))
        for path, mark in split.fingerprints.items()
        if path in by_path
    }
    return BuildState(
        snapshot=last.snapshot(made.sources),
        started=inputs.started,
        taken=frozenset(post.source for post in made.site.posts),
        dates=tuple(
            (rel, entry.post.meta.date.timestamp(), entry.post.meta.draft)
            for rel, entry in records.items()
        ),
        settings_key=inputs.settings_key,
        theme_key=inputs.theme.key,
        outputs=outputs,
        files=frozenset(by_path),
        output_id=output_id(last.out),
        shape=reuse.shape,
        docs_key=reuse.docs_key,
        scheduled=reuse.scheduled,
        related={path: tuple(p.path for p in found) for path, found in made.related.items()},
        pages=split.pages,
        any_pages=split.any_pages,
        report=replace(made.report, written=0),
        recent=recent_digests(made.sources.stats, inputs.started, records, inputs),
        search_made=inputs.started if made.index.memory is not None else 0,
    )


def size_made(file: OutputFile, reuse: PageReuse) -> int:
    """The size of a file this build made, or the last build's for a file kept."""
    match file:
        case Bytes(data=data):
            return len(data)
        case Staged(size=size):
            return size
        case Kept(path=path):
            return reuse.outputs[path][1]
    return -1


def remember_build(
    last: LastBuild, inputs: Inputs, made: ThisBuild, *, compiled: Mapping[str, bytes]
) -> tuple[Problem, ...]:
    """Save what this build made for the next one: the posts files that changed, the compiled
    templates if the theme changed, the search index's memory, and the state, which names them,
    last. A cache that cannot be saved is only a slower next build: a warning says why, and the
    older state is removed if it can be; if not, the output it names has changed since (the
    marker, see commit.write_marker), so the next build does not trust it either."""
    cache, earlier, search = last.cache, made.earlier, made.index.memory
    records = cache_records(made.content.parsed, made.sources, earlier)
    state = next_state(last, inputs, made, records)
    try:
        save_posts(cache, records, earlier.loaded, last.warm)
        if not compiled:  # the theme changed, or no build compiled it yet
            save_compiled(cache, compiled_theme(inputs, made.site.docs))
        if search is not None:
            dump(search_path(cache), replace(search, made=state.search_made))
        save_state(cache, state)
    except OSError as exc:
        forget_state(cache)
        return (*last.notes, unsaved(cache, exc))
    return last.notes


def compiled_theme(inputs: Inputs, docs: tuple[Doc, ...]) -> dict[str, bytes]:
    """Every page template compiled, as Jinja's bytecode by its key."""
    bytecode = StoredBytecode({})
    compile_templates(make_environment(inputs.config, inputs.theme, docs, bytecode))
    return bytecode.made
