"""The recipe: load config → read sources → parse posts → taxonomies → plan → render → write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from builder.checks import find_site_warnings
from builder.config import SiteConfig, load_config
from builder.errors import BuildError, ContentError, Problem
from builder.feeds import render_feeds
from builder.markup import MarkdownRenderer
from builder.model import Artifact, BuildReport, Doc, Post, Site
from builder.plan import plan_pages
from builder.posts import check_unique_paths, parse_doc, parse_meta, post_status, render_post, sort_posts
from builder.progress import NoProgress, Progress
from builder.render import load_strings, make_environment, render_pages
from builder.sitemap import render_robots, render_sitemap
from builder.sources import Sources, read_sources
from builder.taxonomy import apply_spellings, build_taxonomy, relate_posts
from builder.write import write_output


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


def build_site(root: Path, *, output_dir: Path | None = None, base_url: str | None = None, select: Selection | None = None, progress: Progress | None = None) -> BuildReport:
    """Build the site at `root` into its output folder; raise BuildError on any problem."""
    config = load_config(root, base_url=base_url, output_dir=output_dir)
    rendered = render_site(config, select=select or Selection(), progress=progress or NoProgress())
    written = write_output(rendered.artifacts, config.output_dir, config.root)
    return BuildReport(
        posts=len(rendered.site.posts), pages=rendered.pages, feeds=rendered.feeds, files=written.files,
        written=written.written, output_dir=config.output_dir, left_out=rendered.left_out, warnings=rendered.warnings,
    )


def check_site(root: Path, *, select: Selection | None = None, progress: Progress | None = None) -> Rendered:
    """Do everything a build does but write nothing; raise BuildError on any problem."""
    return render_site(load_config(root), select=select or Selection(), progress=progress or NoProgress())


def render_site(config: SiteConfig, *, select: Selection, progress: Progress) -> Rendered:
    """Every stage between reading the sources and writing the output."""
    sources = read_sources(config)
    strings, problems = load_strings_or_problems(config)
    posts, docs, warnings, left_out = parse_sources(sources, config, select=select, progress=progress, problems=problems)
    site = assemble_site(config, posts, docs, sources, strings)
    related = relate_posts(site.posts, (site.countries, site.tags))
    pages = plan_pages(site, strings, related, preview=select.preview)
    progress.stage("render", len(pages))
    artifacts = render_pages(make_environment(config, strings, site.docs), pages, config)
    feeds = render_feeds(site, strings)
    extras = [render_sitemap(pages, config), render_robots(config)]
    copies = [Artifact(path=out, source=src) for out, src in site.assets]
    everything = artifacts + feeds + extras + copies
    warnings += tuple(find_site_warnings(site, everything, {s.rel: s for s in sources.posts}))
    return Rendered(site, everything, len(pages), len(feeds), tuple(sorted(set(warnings))), left_out)


def load_strings_or_problems(config: SiteConfig) -> tuple[Mapping[str, Any], list[Problem]]:
    """The strings table, or the problems with it (reported with the content's)."""
    try:
        return load_strings(config), []
    except BuildError as exc:
        return {}, list(exc.problems)


def parse_sources(sources: Sources, config: SiteConfig, *, select: Selection, progress: Progress, problems: list[Problem]) -> tuple[tuple[Post, ...], tuple[Doc, ...], tuple[Problem, ...], tuple[str, ...]]:
    """Check every post's front matter, then render the bodies; raise every problem at once."""
    progress.stage("parse", len(sources.posts))
    problems = [*sources.problems, *problems]
    metas = []
    for source in sources.posts:
        meta = parse_meta(source, config)
        if isinstance(meta, list):
            problems += meta
        else:
            metas.append((meta, source))
    problems += check_unique_paths([m for m, _ in metas], sources.docs)
    status = {m.source: post_status(m, select.now) for m, _ in metas}
    kept = [(m, s) for m, s in metas if select.takes(status[m.source])]
    renderer = MarkdownRenderer(
        base_path=config.base_path,
        pages={content_rel(m.source): m.path for m, _ in kept},
        files=frozenset(out for out, _ in sources.assets),
    )
    posts, warnings = [], []
    for meta, source in kept:
        post, found = render_post(meta, source, renderer, content_rel(meta.source), scheduled=status[meta.source] == "scheduled")
        posts.append(post)
        warnings += found
        progress.advance()
    docs = []
    for source in sources.docs:
        doc = parse_doc(source, renderer, content_rel(source.rel))
        docs.append(doc) if isinstance(doc, Doc) else problems.extend(doc)
    if problems:
        raise ContentError(sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message)))
    left_out = tuple(f"{m.source} ({describe(m, status[m.source])})" for m, _ in metas if not select.takes(status[m.source]))
    return sort_posts(posts), tuple(sorted(docs, key=lambda d: d.slug)), tuple(sorted(set(warnings))), left_out


def describe(meta, status: str) -> str:
    """'draft', or 'scheduled for 2026-12-01'."""
    return status if status == "draft" else f"{status} for {meta.date.date().isoformat()}"


def content_rel(rel: str) -> str:
    """'content/news/x.md' → 'news/x.md'."""
    return rel.removeprefix("content/")


def assemble_site(config: SiteConfig, posts: tuple[Post, ...], docs: tuple[Doc, ...], sources: Sources, strings: Mapping[str, Any]) -> Site:
    """Group the posts into countries and tags; show each tag with one spelling."""
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
