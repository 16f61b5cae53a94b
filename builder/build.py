"""The recipe: load config → read sources → parse posts → taxonomies → plan → render → write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from builder.config import SiteConfig, load_config
from builder.errors import BuildError, ContentError, Problem
from builder.feeds import render_feeds
from builder.markup import MarkdownRenderer
from builder.model import Artifact, BuildReport, Doc, Post, Site
from builder.plan import plan_pages
from builder.posts import check_unique_paths, parse_doc, parse_meta, render_post, sort_posts
from builder.progress import NoProgress, Progress
from builder.render import load_strings, make_environment, render_pages
from builder.sitemap import render_robots, render_sitemap
from builder.sources import Sources, read_sources
from builder.taxonomy import apply_spellings, build_taxonomy, related_posts
from builder.write import write_output


@dataclass(frozen=True, slots=True)
class Rendered:
    """A site turned into output files, not yet written."""

    site: Site
    artifacts: list[Artifact]
    pages: int
    feeds: int
    warnings: tuple[Problem, ...]
    left_out: tuple[str, ...]  # drafts not built


def build_site(root: Path, *, output_dir: Path | None = None, base_url: str | None = None, drafts: bool = False, progress: Progress | None = None) -> BuildReport:
    """Build the site at `root` into its output folder; raise BuildError on any problem."""
    config = load_config(root, base_url=base_url, output_dir=output_dir)
    rendered = render_site(config, drafts=drafts, progress=progress or NoProgress())
    written = write_output(rendered.artifacts, config.output_dir, config.root)
    return BuildReport(
        posts=len(rendered.site.posts), pages=rendered.pages, feeds=rendered.feeds, files=written.files,
        written=written.written, output_dir=config.output_dir, left_out=rendered.left_out, warnings=rendered.warnings,
    )


def check_site(root: Path, *, drafts: bool = False, progress: Progress | None = None) -> Rendered:
    """Do everything a build does but write nothing; raise BuildError on any problem."""
    return render_site(load_config(root), drafts=drafts, progress=progress or NoProgress())


def render_site(config: SiteConfig, *, drafts: bool, progress: Progress) -> Rendered:
    """Every stage between reading the sources and writing the output."""
    sources = read_sources(config)
    strings, problems = load_strings_or_problems(config)
    posts, docs, warnings, left_out = parse_sources(sources, config, drafts=drafts, progress=progress, problems=problems)
    site = assemble_site(config, posts, docs, sources, strings)
    related = {post.path: related_posts(post, site.posts) for post in site.posts}
    pages = plan_pages(site, strings, related)
    progress.stage("render", len(pages))
    artifacts = render_pages(make_environment(config, strings, site.docs), pages, config)
    feeds = render_feeds(site, strings)
    extras = [render_sitemap(pages, config), render_robots(config)]
    copies = [Artifact(path=out, source=src) for out, src in site.assets]
    return Rendered(site, artifacts + feeds + extras + copies, len(pages), len(feeds), warnings, left_out)


def load_strings_or_problems(config: SiteConfig) -> tuple[Mapping[str, Any], list[Problem]]:
    """The strings table, or the problems with it (reported with the content's)."""
    try:
        return load_strings(config), []
    except BuildError as exc:
        return {}, list(exc.problems)


def parse_sources(sources: Sources, config: SiteConfig, *, drafts: bool, progress: Progress, problems: list[Problem]) -> tuple[tuple[Post, ...], tuple[Doc, ...], tuple[Problem, ...], tuple[str, ...]]:
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
    problems += check_unique_paths([m for m, _ in metas], [(Path(s.rel).stem + "/", s.rel, 1) for s in sources.docs])
    kept = [(m, s) for m, s in metas if drafts or not m.draft]
    renderer = MarkdownRenderer(
        base_path=config.base_path,
        pages={content_rel(m.source): m.path for m, _ in kept},
        files=frozenset(out for out, _ in sources.assets),
    )
    posts, warnings = [], []
    for meta, source in kept:
        post, found = render_post(meta, source, renderer, content_rel(meta.source))
        posts.append(post)
        warnings += found
        progress.advance()
    docs = []
    for source in sources.docs:
        doc = parse_doc(source, renderer, content_rel(source.rel))
        docs.append(doc) if isinstance(doc, Doc) else problems.extend(doc)
    if problems:
        raise ContentError(sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message)))
    left_out = tuple(m.source for m, _ in metas if m.draft and not drafts)
    return sort_posts(posts), tuple(sorted(docs, key=lambda d: d.slug)), tuple(sorted(set(warnings))), left_out


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
