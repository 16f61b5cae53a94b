"""The recipe: load config → read sources → parse posts → taxonomies → plan → render → index → write."""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from builder.incremental.cache import PostEntry, State, Warm, load_search, load_state, save_cache, save_state, snapshot_inputs
from builder.pipeline.config import SiteConfig, load_config
from builder.errors import BuildError, ContentError, Problem
from builder.model import Artifact, BuildReport, Doc, Page, Post, Site, output_file, publication_status
from builder.incremental.memory import Memory, Sizes, nothing_changed, redated
from builder.parallel import available_cores, map_in_order
from builder.progress import NoProgress, Progress
from builder.pipeline.search import MISSING, SearchMemory, find_pagefind, group_years, index_pages, merges_bundles, one_bundle_warning, pagefind_key
from builder.pipeline.write import Spill, check_output_dir, output_id, write_output

SPILL_OVER = 200  # a build rendering more pages than this writes them beside the output as it goes

# The stages that need Markdown, Jinja2, YAML and feedgen are imported when a build has
# work to do, so that a build with nothing to do starts and ends at once.
if TYPE_CHECKING:
    from builder.pipeline.sources import Scan


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
    compiled: dict[str, bytes] = field(default_factory=dict)  # templates compiled by this build, for the next


def build_site(root: Path, *, output_dir: Path | None = None, base_url: str | None = None, select: Selection | None = None, clean: bool = False, jobs: int | None = None, progress: Progress | None = None, search: bool = True, warm: Warm | None = None) -> BuildReport:
    """Build the site at `root` into its output folder; raise BuildError on any problem.

    Unless `clean`, the cache beside the output lets an unchanged input skip all work and
    an edit redo only what depends on it; the result is byte-identical either way.
    `search=False` leaves the search index out even if the site has search on (a preview).
    `warm`: the cache's posts files kept in memory from this process's last build (a preview).
    """
    config = load_config(root, base_url=base_url, output_dir=output_dir)
    select = select or Selection()
    out = config.output_dir
    started = time.time_ns()
    search = search and config.search
    pagefind = find_pagefind() if search else None
    missing = (MISSING,) if search and not pagefind else ()
    with made_to_stay():  # what the last build left
        previous = None if clean else load_state(out)
    sizes = Sizes(out, tuple(previous.outputs) if previous else ())  # measured while the inputs are read
    spill = Spill(out, config.root)
    try:
        with made_to_stay():
            snapshot = snapshot_inputs(config.root, (config.base_url, select.drafts, select.future, select.preview, pagefind_key(pagefind)))
        if previous and nothing_changed(previous, snapshot, select, out, sizes, config):
            if previous.recent:  # files saved just before the last build, found as it read them: trusted by their times from now on
                save_state(out, redated(previous, snapshot, started))
            posts, pages, feeds, files = previous.summary
            return BuildReport(posts=posts, pages=pages, feeds=feeds, files=files, written=0, output_dir=out, warnings=missing, paths=previous.files)
        with made_to_stay():  # the cached posts
            memory = Memory.recall(previous, config, out, sizes, warm)
        stats = {path: (mtime, size) for path, mtime, size in snapshot[2]}  # the content's files, seen once
        rendered = render_site(config, select=select, progress=progress or NoProgress(), memory=memory, jobs=jobs or available_cores(), spill=spill, stats=stats)
        check_output_dir(out, config.root)
        index, searched, index_warnings = index_site(rendered, out, pagefind, spill, previous, jobs=jobs or available_cores(), progress=progress or NoProgress()) if pagefind else ([], None, ())
        written = write_output(rendered.artifacts + index, out, config.root, spill, known=previous.files if previous and previous.output_id == output_id(out) else None)
    finally:
        sizes.close()
        spill.remove()
        gc.unfreeze()
    summary = (len(rendered.site.posts), rendered.pages, rendered.feeds, written.files)
    files = frozenset(a.path for a in rendered.artifacts + index)
    state = memory.state(snapshot, started, rendered, summary, files, output_id(out), config)
    if searched is not None:
        state, searched = replace(state, search_made=started), replace(searched, made=started)
    save_cache(out, state, rendered.entries, memory.loaded, rendered.compiled, warm, searched)
    return BuildReport(
        posts=summary[0], pages=rendered.pages, feeds=rendered.feeds, files=written.files,
        written=written.written, output_dir=out, left_out=rendered.left_out, warnings=rendered.warnings + missing + index_warnings, paths=files,
    )


def index_site(rendered: Rendered, out: Path, pagefind: Path, spill: Spill, previous: State | None, *, jobs: int, progress: Progress) -> tuple[list[Artifact], SearchMemory, tuple[Problem, ...]]:
    """The search index's files, made again only for the groups of years whose post pages
    changed (in one piece if the theme's search page cannot merge groups: then a warning)."""
    memory = load_search(out, previous, SearchMemory)  # a SearchMemory or None
    groups = group_years((output_file(post.path), post.date.year) for post in rendered.site.posts)
    warnings: tuple[Problem, ...] = ()
    if len(set(groups.values())) > 1 and not merges_bundles(rendered.artifacts, out, spill):
        groups, warnings = {}, (one_bundle_warning(rendered.artifacts),)
    files, searched = index_pages(rendered.artifacts, out, pagefind, spill, groups=groups, memory=memory, jobs=jobs, progress=progress)  # type: ignore[arg-type]
    return files, searched, warnings


@contextmanager
def made_to_stay() -> Iterator[None]:
    """Objects made in this block stay to the end of the build (posts, the site, its pages):
    the garbage collector does not look for garbage among them while they are made (it would
    find none), and passes over them afterwards, until gc.unfreeze()."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def check_site(root: Path, *, select: Selection | None = None, progress: Progress | None = None) -> Rendered:
    """Do everything a build does but write nothing; raise BuildError on any problem."""
    return render_site(load_config(root), select=select or Selection(), progress=progress or NoProgress())


def render_site(config: SiteConfig, *, select: Selection, progress: Progress, memory: Memory | None = None, jobs: int = 1, spill: Spill | None = None, stats: Mapping[str, tuple[int, int]] | None = None) -> Rendered:
    """Every stage between reading the sources and writing the output (`stats`: the inputs'
    stats if the caller took them)."""
    from builder.editorial.checks import find_site_warnings
    from builder.pipeline.feeds import render_feeds
    from builder.pipeline.render import CompiledTemplates, make_environment, page_value, render_pages
    from builder.pipeline.sitemap import render_robots, render_sitemap
    from builder.pipeline.sources import scan_sources
    from builder.pipeline.taxonomy import relate_posts

    try:
        memory = memory or Memory.forget(config)
        with made_to_stay():  # the posts, the site, its pages (the workers started here collect as usual)
            scan = scan_sources(config, stats)
            strings, problems = load_strings_or_problems(config)
            parsed = parse_sources(scan, config, select=select, progress=progress, problems=problems, memory=memory, jobs=jobs)
            site = assemble_site(config, parsed.posts, parsed.docs, scan, strings)
            memory.settle(site, select.preview, parsed.changed, parsed.entries)
            related = memory.relate(site.posts, lambda: relate_posts(site.posts, (site.countries, site.tags), jobs=jobs))
            pages, unplanned = plan_needed_pages(site, strings, related, select.preview, memory)
        compiled = CompiledTemplates(memory.compiled) if memory.compiled else None
        progress.stage("render", len(pages) + len(unplanned))
        fresh, reused = memory.split(pages, lambda page: page.file, page_value, lambda page: page.shows)
        spill = spill if spill is not None and len(fresh) > SPILL_OVER else None  # a few pages are simply kept in memory
        if spill is not None:
            spill.open()
        progress.advance(len(reused) + len(unplanned))
        artifacts = render_pages(make_environment(config, strings, site.docs, compiled), fresh, config, jobs=jobs, spill=spill, marks=lambda page: memory.wants_mark(page.file, page.shows), done=progress.advance) + reused + unplanned
        feeds = render_feeds(site, strings, memory)
        extras = ([] if unplanned else [render_sitemap(pages, config)]) + [render_robots(config)]  # else the sitemap is kept
        copies = [Artifact(path=out, source=src) for out, src in site.assets]
        everything = artifacts + feeds + extras + copies
        warnings = parsed.warnings + tuple(find_site_warnings(site, everything))
        outputs = memory.outputs(everything)
        return Rendered(site, everything, len(memory.page_files), len(feeds), tuple(sorted(set(warnings))), parsed.left_out, parsed.entries, outputs, compiled.made if compiled else {})
    finally:
        gc.unfreeze()  # what this build made is the collector's again


def plan_needed_pages(site: Site, strings: Mapping[str, Any], related: Mapping[str, tuple[Post, ...]], preview: bool, memory: Memory) -> tuple[list[Page], list[Artifact]]:
    """The pages to render and links to the last build's files for the rest (with its sitemap).

    A build of the same shape as the last plans only the pages that may show a changed post;
    every other page is the same as last time. Else (or if a file to keep is gone) all pages.
    """
    from builder.pipeline.plan import plan_pages

    if memory.only is not None:
        pages = plan_pages(site, strings, related, preview=preview, only=memory.only)
        kept = memory.keep_unplanned([page.file for page in pages])
        if kept is not None:
            return pages, kept
    pages = plan_pages(site, strings, related, preview=preview)
    memory.page_files = tuple(page.file for page in pages)
    return pages, []


def load_strings_or_problems(config: SiteConfig) -> tuple[Mapping[str, Any], list[Problem]]:
    """The strings table, or the problems with it (reported with the content's)."""
    from builder.pipeline.render import load_strings

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
    """Check every post's front matter and render its body; raise every problem at once.

    Each new or changed file is read once, on any core: its front matter is checked and its
    body rendered before the other posts are known, so a body whose links to posts resolve
    otherwise once they are is rendered again. A post whose file did not change keeps its
    checked front matter and, if every link it makes still resolves the same way, its body.
    """
    from builder.pipeline.markup import MarkdownRenderer
    from builder.pipeline.posts import check_unique_paths, make_post, parse_doc, sort_posts
    from builder.pipeline.sources import file_digest, read_all

    progress.stage("parse", len(scan.posts))
    problems = [*scan.problems, *problems]
    files = frozenset(out for out, _ in scan.assets)
    def digest_of(rel: str) -> bytes | None:
        return file_digest(config.root / rel)

    cached = [memory.post(rel, stat, digest_of) for rel, stat in scan.posts]
    progress.advance(sum(entry is not None for entry in cached))
    alone = MarkdownRenderer(base_path=config.base_path, pages={}, files=files, raw_html=config.raw_html)  # knows no post yet
    unread = [config.root / rel for (rel, _), entry in zip(scan.posts, cached, strict=True) if entry is None]
    read = iter(map_in_order(lambda path: read_post(path, config, alone, select), unread, jobs=jobs, done=progress.advance))
    metas, bodies, digests = [], {}, {}  # metas: (meta, stat, cached entry or None)
    for (_, stat), entry in zip(scan.posts, cached, strict=True):
        if entry is not None:
            metas.append((entry.meta, stat, entry))
            if entry.body is not None:
                bodies[entry.meta.source] = entry.body
            continue
        found = next(read)
        if isinstance(found, (list, Problem)):
            problems += found if isinstance(found, list) else [found]
            continue
        meta, body, digests[meta.source] = found
        metas.append((meta, stat, None))
        if body is not None:
            bodies[meta.source] = body
    docs_sources = read_all(scan.docs, config.root, problems)
    problems += check_unique_paths([m[0] for m in metas], tuple(docs_sources))
    when = {m[0].source: m[0].date.timestamp() for m in metas}  # asked once a post: status and order use it
    now = select.now.timestamp()
    status = {m[0].source: publication_status(m[0].draft, when[m[0].source], now) for m in metas}
    renderer = MarkdownRenderer(
        base_path=config.base_path,
        pages={content_rel(m[0].source): m[0].path for m in metas if select.takes(status[m[0].source])},
        files=files,
        raw_html=config.raw_html,
    )
    todo = [(meta, config.root / meta.source) for meta, _, _ in metas if select.takes(status[meta.source]) and (
        meta.source not in bodies or any(renderer.lookup(target) != found for target, found in bodies[meta.source].lookups))]
    rendered = map_in_order(lambda job: render_post(job[0], job[1], renderer, config), todo, jobs=jobs)
    problems += [body for body in rendered if isinstance(body, Problem)]
    bodies.update((meta.source, body) for (meta, _), body in zip(todo, rendered, strict=True) if not isinstance(body, Problem))
    posts, warnings, entries = [], [], {}
    for meta, stat, entry in metas:
        body = bodies.get(meta.source)
        if select.takes(status[meta.source]) and body is not None:
            posts.append(make_post(meta, body, scheduled=status[meta.source] == "scheduled"))
            warnings += body.warnings
        entries[meta.source] = entry if entry is not None and entry.body is body else PostEntry(stat=stat, meta=meta, body=body, digest=digests.get(meta.source, entry.digest if entry else b""))
    docs = []
    for source in docs_sources:
        doc = parse_doc(source, renderer, content_rel(source.rel))
        docs.append(doc) if isinstance(doc, Doc) else problems.extend(doc)
    if problems:
        raise ContentError(sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message)))
    left_out = tuple(f"{m[0].source} ({describe(m[0], status[m[0].source])})" for m in metas if not select.takes(status[m[0].source]))
    changed = frozenset(source for source, entry in entries.items() if memory.changed_post(source, entry))
    return Parsed(sort_posts(posts, when), tuple(sorted(docs, key=lambda d: d.slug)), tuple(sorted(set(warnings))), left_out, entries, changed)


def read_post(path: Path, config: SiteConfig, alone: Any, select: Selection) -> Any:
    """Read one post: (its PostMeta, its Body rendered by `alone` or None if the build does
    not take the post, the digest of its bytes), or its problems."""
    from builder.pipeline.posts import parse_meta, post_status, render_body
    from builder.pipeline.sources import read_source

    source = read_source(path, config.root)
    if isinstance(source, Problem):
        return source
    meta = parse_meta(source, config)
    if isinstance(meta, list):
        return meta
    return meta, render_body(meta, source, alone, content_rel(meta.source)) if select.takes(post_status(meta, select.now)) else None, source.digest


def render_post(meta: Any, path: Path, renderer: Any, config: SiteConfig) -> Any:
    """Read one post again and render its body: a Body, or the Problem of reading it."""
    from builder.pipeline.posts import render_body
    from builder.pipeline.sources import read_source

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
    from builder.pipeline.taxonomy import apply_spellings, build_taxonomy

    tags = build_taxonomy("tags", strings["tags_title"], posts, lambda p: p.tags)
    spelt = apply_spellings(posts, tags)
    if any(post is not before for post, before in zip(spelt, posts, strict=True)):  # else the tags hold these very posts
        tags = build_taxonomy("tags", strings["tags_title"], spelt, lambda p: p.tags)
    return Site(
        config=config,
        posts=spelt,
        docs=docs,
        countries=build_taxonomy("countries", strings["countries_title"], spelt, lambda p: p.countries, countries=config.countries),
        tags=tags,
        assets=sources.assets,
    )
