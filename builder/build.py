"""The recipe: load config → read sources → parse posts → taxonomies → plan → render → index → write."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from builder.cache import PostEntry, load_state, save_cache, snapshot_inputs
from builder.config import SiteConfig, load_config
from builder.errors import BuildError, ContentError, Problem
from builder.model import Artifact, BuildReport, Doc, Post, Site
from builder.memory import Memory, nothing_changed
from builder.parallel import available_cores, map_in_order
from builder.progress import NoProgress, Progress
from builder.search import MISSING, find_pagefind, index_pages, pagefind_key
from builder.write import Spill, check_output_dir, output_id, write_output

SPILL_OVER = 200  # a build rendering more pages than this writes them beside the output as it goes

# The stages that need Markdown, Jinja2, YAML and feedgen are imported when a build has
# work to do, so that a build with nothing to do starts and ends at once.
if TYPE_CHECKING:
    from builder.sources import Scan


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """Which posts a build takes: drafts and posts dated after `now` only when asked."""

    drafts: bool = False
    future: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    preview: bool = False  # `newsroom serve`: everything, marked as such

    def takes(self, status: str) -> bool:
        return self.preview or status == "published" or (status == "draft" and self.drafts) or (status == "scheduled" and self.future)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A site turned into output files, not yet written."""

    site: Site
    artifacts: list[Artifact]
    pages: int
    feeds: int
    warnings: tuple[Problem, ...]
    left_out: tuple[str, ...]  # drafts and scheduled posts not built: "content/x.md (draft)"
    entries: dict[str, PostEntry] = field(default_factory=dict)  # for the next build's cache
    outputs: dict[str, tuple[str, int]] = field(default_factory=dict)  # output path → (fingerprint, size)


def build_site(root: Path, *, output_dir: Path | None = None, base_url: str | None = None, select: Selection | None = None, clean: bool = False, jobs: int | None = None, progress: Progress | None = None) -> BuildReport:
    """Build the site at `root` into its output folder; raise BuildError on any problem.

    Unless `clean`, the cache beside the output lets an unchanged input skip all work and
    an edit redo only what depends on it; the result is byte-identical either way.
    """
    config = load_config(root, base_url=base_url, output_dir=output_dir)
    select = select or Selection()
    out = config.output_dir
    started = time.time_ns()
    pagefind = find_pagefind() if config.search else None
    missing = (MISSING,) if config.search and not pagefind else ()
    snapshot = snapshot_inputs(config.root, (config.base_url, select.drafts, select.future, select.preview, pagefind_key(pagefind)))
    previous = None if clean else load_state(out)
    if previous and nothing_changed(previous, snapshot, select, out):
        posts, pages, feeds, files = previous.summary
        return BuildReport(posts=posts, pages=pages, feeds=feeds, files=files, written=0, output_dir=out, warnings=missing)
    memory = Memory.recall(previous, config, out)
    spill = Spill(out, config.root)
    try:
        rendered = render_site(config, select=select, progress=progress or NoProgress(), memory=memory, jobs=jobs or available_cores(), spill=spill)
        check_output_dir(out, config.root)
        index = index_pages(rendered.artifacts, out, pagefind) if pagefind else []
        written = write_output(rendered.artifacts + index, out, config.root, spill, known=previous.files if previous and previous.output_id == output_id(out) else None)
    finally:
        spill.remove()
    summary = (len(rendered.site.posts), rendered.pages, rendered.feeds, written.files)
    files = frozenset(a.path for a in rendered.artifacts + index)
    save_cache(out, memory.state(snapshot, started, rendered, summary, files, output_id(out)), rendered.entries, memory.loaded)
    return BuildReport(
        posts=summary[0], pages=rendered.pages, feeds=rendered.feeds, files=written.files,
        written=written.written, output_dir=out, left_out=rendered.left_out, warnings=rendered.warnings + missing,
    )


def check_site(root: Path, *, select: Selection | None = None, progress: Progress | None = None) -> Rendered:
    """Do everything a build does but write nothing; raise BuildError on any problem."""
    return render_site(load_config(root), select=select or Selection(), progress=progress or NoProgress())


def render_site(config: SiteConfig, *, select: Selection, progress: Progress, memory: Memory | None = None, jobs: int = 1, spill: Spill | None = None) -> Rendered:
    """Every stage between reading the sources and writing the output."""
    from builder.checks import find_site_warnings
    from builder.feeds import render_feeds
    from builder.plan import plan_pages
    from builder.render import make_environment, page_value, render_pages
    from builder.sitemap import render_robots, render_sitemap
    from builder.sources import scan_sources
    from builder.taxonomy import relate_posts

    memory = memory or Memory.forget(config)
    scan = scan_sources(config)
    strings, problems = load_strings_or_problems(config)
    parsed = parse_sources(scan, config, select=select, progress=progress, problems=problems, memory=memory, jobs=jobs)
    site = assemble_site(config, parsed.posts, parsed.docs, scan, strings)
    memory.settle(site, select.preview, parsed.changed)
    related = memory.relate(site.posts, lambda: relate_posts(site.posts, (site.countries, site.tags)))
    pages = plan_pages(site, strings, related, preview=select.preview)
    progress.stage("render", len(pages))
    fresh, reused = memory.split(pages, lambda page: page.file, page_value, lambda page: page.shows)
    spill = spill if spill is not None and len(fresh) > SPILL_OVER else None  # a few pages are simply kept in memory
    if spill is not None:
        spill.open()
    progress.advance(len(reused))
    artifacts = render_pages(make_environment(config, strings, site.docs), fresh, config, jobs=jobs, spill=spill, marks=lambda page: memory.wants_mark(page.file, page.shows), done=progress.advance) + reused
    feeds = render_feeds(site, strings, memory)
    extras = [render_sitemap(pages, config), render_robots(config)]
    copies = [Artifact(path=out, source=src) for out, src in site.assets]
    everything = artifacts + feeds + extras + copies
    warnings = parsed.warnings + tuple(find_site_warnings(site, everything))
    outputs = memory.outputs(everything)
    return Rendered(site, everything, len(pages), len(feeds), tuple(sorted(set(warnings))), parsed.left_out, parsed.entries, outputs)


def load_strings_or_problems(config: SiteConfig) -> tuple[Mapping[str, Any], list[Problem]]:
    """The strings table, or the problems with it (reported with the content's)."""
    from builder.render import load_strings

    try:
        return load_strings(config), []
    except BuildError as exc:
        return {}, list(exc.problems)


@dataclass(frozen=True, slots=True)
class Parsed:
    """The checked posts and pages of a site, and what to cache of them."""

    posts: tuple[Post, ...]
    docs: tuple[Doc, ...]
    warnings: tuple[Problem, ...]
    left_out: tuple[str, ...]
    entries: dict[str, PostEntry]
    changed: frozenset[str] = frozenset()  # posts not exactly as the last build left them


def parse_sources(scan: Scan, config: SiteConfig, *, select: Selection, progress: Progress, problems: list[Problem], memory: Memory, jobs: int = 1) -> Parsed:
    """Check every post's front matter, then render the bodies; raise every problem at once.

    A post whose file did not change keeps its checked front matter and, if every link it
    makes still resolves the same way, its rendered body.
    """
    from builder.markup import MarkdownRenderer
    from builder.posts import check_unique_paths, make_post, parse_doc, post_status, sort_posts
    from builder.sources import read_all, rel_path

    progress.stage("parse", len(scan.posts))
    problems = [*scan.problems, *problems]
    cached = [memory.post(rel_path(path, config.root), stat) for path, stat in scan.posts]
    unread = [path for (path, _), entry in zip(scan.posts, cached, strict=True) if entry is None]
    read = iter(map_in_order(lambda path: read_meta(path, config), unread, jobs=jobs))
    metas = []  # (meta, path, stat, cached entry or None)
    for (path, stat), entry in zip(scan.posts, cached, strict=True):
        if entry is not None:
            metas.append((entry.meta, path, stat, entry))
            continue
        meta = next(read)
        if isinstance(meta, (list, Problem)):
            problems += meta if isinstance(meta, list) else [meta]
        else:
            metas.append((meta, path, stat, None))
    docs_sources = read_all(scan.docs, config.root, problems)
    problems += check_unique_paths([m[0] for m in metas], tuple(docs_sources))
    status = {m[0].source: post_status(m[0], select.now) for m in metas}
    renderer = MarkdownRenderer(
        base_path=config.base_path,
        pages={content_rel(m[0].source): m[0].path for m in metas if select.takes(status[m[0].source])},
        files=frozenset(out for out, _ in scan.assets),
        raw_html=config.raw_html,
    )
    bodies = {m.source: e.body for m, _, _, e in metas if e is not None and e.body is not None}
    todo = [(meta, path) for meta, path, _, _ in metas if select.takes(status[meta.source]) and (
        meta.source not in bodies or any(renderer.lookup(target) != found for target, found in bodies[meta.source].lookups))]
    progress.advance(len(scan.posts) - len(todo))  # the posts whose body is kept
    rendered = map_in_order(lambda job: render_post(job[0], job[1], renderer, config), todo, jobs=jobs, done=progress.advance)
    problems += [body for body in rendered if isinstance(body, Problem)]
    bodies.update((meta.source, body) for (meta, _), body in zip(todo, rendered, strict=True) if not isinstance(body, Problem))
    posts, warnings, entries = [], [], {}
    for meta, _path, stat, entry in metas:
        body = bodies.get(meta.source)
        if select.takes(status[meta.source]) and body is not None:
            posts.append(make_post(meta, body, scheduled=status[meta.source] == "scheduled"))
            warnings += body.warnings
        entries[meta.source] = entry if entry is not None and entry.body is body else PostEntry(stat=stat, meta=meta, body=body)
    docs = []
    for source in docs_sources:
        doc = parse_doc(source, renderer, content_rel(source.rel))
        docs.append(doc) if isinstance(doc, Doc) else problems.extend(doc)
    if problems:
        raise ContentError(sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message)))
    left_out = tuple(f"{m[0].source} ({describe(m[0], status[m[0].source])})" for m in metas if not select.takes(status[m[0].source]))
    changed = frozenset(source for source, entry in entries.items() if memory.changed_post(source, entry))
    return Parsed(sort_posts(posts), tuple(sorted(docs, key=lambda d: d.slug)), tuple(sorted(set(warnings))), left_out, entries, changed)


def read_meta(path: Path, config: SiteConfig) -> Any:
    """Read one post and check its front matter: its PostMeta, or its problems.

    The body is not kept: the posts of a big site would all be in memory at once. The
    Markdown stage reads the file again (see render_post).
    """
    from builder.posts import parse_meta
    from builder.sources import read_source

    source = read_source(path, config.root)
    return source if isinstance(source, Problem) else parse_meta(source, config)


def render_post(meta: Any, path: Path, renderer: Any, config: SiteConfig) -> Any:
    """Read one post and render its body: a Body, or the Problem of reading it."""
    from builder.posts import render_body
    from builder.sources import read_source

    source = read_source(path, config.root)
    return source if isinstance(source, Problem) else render_body(meta, source, renderer, content_rel(meta.source))


def describe(meta, status: str) -> str:
    """'draft', or 'scheduled for 2026-12-01'."""
    return status if status == "draft" else f"{status} for {meta.date.date().isoformat()}"


def content_rel(rel: str) -> str:
    """'content/news/x.md' → 'news/x.md'."""
    return rel.removeprefix("content/")


def assemble_site(config: SiteConfig, posts: tuple[Post, ...], docs: tuple[Doc, ...], sources: Scan, strings: Mapping[str, Any]) -> Site:
    """Group the posts into countries and tags; show each tag with one spelling."""
    from builder.taxonomy import apply_spellings, build_taxonomy

    tags = build_taxonomy("tags", strings["tags_title"], posts, lambda p: p.tags)
    posts = apply_spellings(posts, tags)
    return Site(
        config=config,
        posts=posts,
        docs=docs,
        countries=build_taxonomy("countries", strings["countries_title"], posts, lambda p: p.countries, countries=config.countries),
        tags=build_taxonomy("tags", strings["tags_title"], posts, lambda p: p.tags),
        assets=sources.assets,
    )
