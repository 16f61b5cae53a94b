"""The recipe: load inputs → read sources → parse → taxonomies → plan → render → index → write.

Each stage is one call below, in builder/pipeline/. The build cache enters at two seams, both
in builder/incremental/: `earlier_posts` gives the parse stage the posts an earlier build parsed
from the very same bytes, and `split_plan` keeps the files whose output would be the same; the
other incremental calls only read the last build's state and save this one's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from builder import incremental, pipeline
from builder.collector import collector_paused
from builder.editorial.checks import find_site_warnings, refuse_broken_links
from builder.editorial.moved import gone_urls, last_published
from builder.errors import Problem
from builder.incremental.store import Warm
from builder.model import BuildReport, ParsedPost, Site
from builder.outputs import Copy, Feed, OutputFile, Page
from builder.parallel import available_cores
from builder.pipeline.inputs import Inputs, Selection
from builder.progress import NoProgress, Progress

if TYPE_CHECKING:
    from builder.outputs import Planned
    from builder.pipeline.parse import Content
    from builder.pipeline.search import Index
    from builder.pipeline.write import WriteReport

__all__ = ["Selection", "build_site", "check_site"]


def build_site(
    root: Path,
    *,
    output_dir: Path | None = None,
    base_url: str | None = None,
    select: Selection | None = None,
    clean: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    search: bool = True,
    warm: Warm | None = None,
) -> BuildReport:
    """Build the site at `root` into its output folder; raise BuildError on any problem.

    Unless `clean`, what the last build left lets an unchanged input skip all work and an edit
    redo only what depends on it; the result is byte-identical either way. `search=False`
    leaves the search index out (a preview); `warm`: the cache's posts kept in memory (serve).
    """
    progress, jobs = progress or NoProgress(), jobs or available_cores()
    inputs = pipeline.load_inputs(
        root, base_url=base_url, output_dir=output_dir, select=select, search=search
    )
    pagefind = pipeline.find_pagefind() if inputs.search else None
    with (
        collector_paused(),
        pipeline.claimed_output(
            inputs.config.output_dir, inputs.config.root, preview=inputs.select.preview
        ) as output,
        incremental.recall_last_build(inputs, clean=clean, warm=warm, pagefind=pagefind) as last,
    ):
        sources = pipeline.find_sources(inputs.config)
        if incremental.nothing_changed(last, sources, inputs):
            return incremental.report_unchanged(last, sources, inputs)
        earlier = incremental.earlier_posts(last, sources, inputs)
        content = pipeline.parse_content(
            sources, inputs, progress, jobs=jobs, earlier=earlier.parsed
        )
        site = pipeline.assemble_site(inputs, content, sources)
        gone = gone_urls(site, content.parsed, last_published(inputs.config))
        reuse = incremental.reuse_pages(last, site, content.parsed, earlier, inputs)
        related = reuse.related or pipeline.relate_posts(site, jobs=jobs)
        planned = pipeline.plan_site(
            site, inputs.theme.strings, related, preview=inputs.select.preview, only=reuse.only
        )
        split = incremental.split_plan(reuse, planned, jobs=jobs)
        compiled = last.compiled(inputs)
        sink = output.sink(len(split.todo))
        rendered = pipeline.render_outputs(
            split.todo, site, inputs, sink, progress, compiled=compiled, jobs=jobs
        )
        files = [*rendered, *split.kept, *copies(site)]
        pipeline.check_collisions(files, site, search=inputs.search)
        last_index = last.search() if pagefind else None
        index = (
            pipeline.index_search(
                files, site, output, pagefind, progress, earlier=last_index, jobs=jobs
            )
            if inputs.search
            else pipeline.no_index()
        )
        files += index.files
        refuse_broken_links(site, {file.path for file in files})
        written = output.commit(files, known=last.known_files())
        report = build_report(
            inputs, site, planned, split.pages, content, files, index, written, gone
        )
        made = incremental.ThisBuild(
            sources, content, earlier, site, reuse, related, split, files, index, report
        )
        unsaved = incremental.remember_build(last, inputs, made, compiled=compiled)
    return replace(report, warnings=report.warnings + unsaved)


def build_report(
    inputs: Inputs,
    site: Site,
    planned: tuple[Planned, ...],
    pages: tuple[str, ...],
    content: Content,
    files: list[OutputFile],
    index: Index,
    written: WriteReport,
    gone: list[Problem],
) -> BuildReport:
    """What the build made: counts, the files of the output, warnings (a URL the last build
    published that is gone among them) and left-out posts."""
    return BuildReport(
        posts=len(site.posts),
        pages=len(pages),
        feeds=sum(isinstance(p, Feed) for p in planned),
        files=written.files,
        written=written.written,
        output_dir=inputs.config.output_dir,
        left_out=content.left_out,
        warnings=site_warnings(site, content.warnings) + index.warnings + tuple(gone),
        paths=frozenset(f.path for f in files),
    )


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What `newsroom check` found: the site as a build would make it, and its warnings."""

    site: Site
    pages: int
    feeds: int
    warnings: tuple[Problem, ...]
    left_out: tuple[str, ...]
    parsed: dict[str, ParsedPost]


def check_site(
    root: Path,
    *,
    select: Selection | None = None,
    progress: Progress | None = None,
    published: Path | None = None,
) -> CheckReport:
    """Do everything a build does but write nothing; raise BuildError on any problem.

    A post URL the last build published that is gone is a warning; `published`: the
    sitemap.xml to take what was published from (the live site's, say) instead of the output's.
    """
    progress = progress or NoProgress()
    inputs = pipeline.load_inputs(root, select=select)
    sources = pipeline.find_sources(inputs.config)
    content = pipeline.parse_content(sources, inputs, progress, jobs=1, earlier={})
    site = pipeline.assemble_site(inputs, content, sources)
    planned = pipeline.plan_site(
        site, inputs.theme.strings, pipeline.relate_posts(site), preview=inputs.select.preview
    )
    files = [
        *pipeline.render_outputs(
            list(planned), site, inputs, pipeline.PageSink(), progress, compiled={}, jobs=1
        ),
        *copies(site),
    ]
    pipeline.check_collisions(files, site, search=inputs.search)
    refuse_broken_links(site, {file.path for file in files})
    pages, feeds = (sum(isinstance(p, kind) for p in planned) for kind in (Page, Feed))
    gone = gone_urls(site, content.parsed, last_published(inputs.config, published))
    return CheckReport(
        site,
        pages,
        feeds,
        site_warnings(site, content.warnings) + tuple(gone),
        content.left_out,
        dict(content.parsed),
    )


def copies(site: Site) -> list[OutputFile]:
    """The files copied as they are: content's images and such, the theme's static files."""
    return [Copy(path, source) for path, source in site.assets]


def site_warnings(site: Site, found: tuple[Problem, ...]) -> tuple[Problem, ...]:
    """The warnings found while parsing and those about the whole site, in file order."""
    return tuple(sorted({*found, *find_site_warnings(site)}))
