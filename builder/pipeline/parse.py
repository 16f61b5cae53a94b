"""The parse stage: every post's front matter checked and body rendered, and the pages of
content/pages/; every problem of every file raised at once.

Each new or changed post file is read once, on any core: its front matter is checked and its
body rendered before the other posts are known; a body whose links to posts resolve otherwise
once they are is then rendered again. A post given in `earlier` (made by an earlier build from
the very same bytes under the same settings) keeps its front matter, and its body too if every
link it makes still resolves the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from builder.errors import ContentError, Problem
from builder.model import Body, Doc, ParsedPost, Post, PostMeta, publication_status
from builder.parallel import map_collecting, problems_of
from builder.pipeline.inputs import Inputs, Selection
from builder.pipeline.markup import MarkdownRenderer
from builder.pipeline.posts import (
    check_unique_paths,
    make_post,
    parse_doc,
    parse_meta,
    render_body,
    sort_posts,
)
from builder.pipeline.sources import Sources, read_all, read_source
from builder.progress import Progress


@dataclass(frozen=True, slots=True)
class Content:
    """The checked posts and pages of a site."""

    posts: tuple[Post, ...]  # the posts the build takes, newest first
    docs: tuple[Doc, ...]  # the pages of content/pages/, by slug
    warnings: tuple[Problem, ...]
    left_out: tuple[str, ...]  # drafts and scheduled posts not taken: "content/x.md (draft)"
    parsed: Mapping[str, ParsedPost]  # every post file by source, taken or not


def parse_content(
    sources: Sources,
    inputs: Inputs,
    progress: Progress,
    *,
    jobs: int,
    earlier: Mapping[str, ParsedPost],
) -> Content:
    """Check and render every post and page; raise ContentError with every problem at once."""
    config, select = inputs.config, inputs.select
    progress.stage("parse", len(sources.posts))
    problems = [*sources.problems, *inputs.problems]
    files = frozenset(out for out, _ in sources.assets)
    alone = MarkdownRenderer(
        base_path=config.base_path, pages={}, files=files, raw_html=config.raw_html
    )
    unread = [rel for rel, _ in sources.posts if rel not in earlier]
    progress.advance(len(sources.posts) - len(unread))
    read, failed = map_collecting(
        lambda rel: read_post(config.root / rel, inputs, alone),
        unread,
        jobs=jobs,
        done=progress.advance,
    )
    problems += problems_of(failed)
    fresh = {found.meta.source: found for found in read if found is not None}
    parsed = {
        rel: earlier.get(rel) or fresh[rel]
        for rel, _ in sources.posts
        if rel in earlier or rel in fresh
    }
    docs_read = read_all(sources.docs, config.root, problems)
    problems += check_unique_paths([post.meta for post in parsed.values()], tuple(docs_read))
    status = {rel: status_of(post.meta, select) for rel, post in parsed.items()}
    taken = [rel for rel in parsed if select.takes(status[rel])]
    renderer = MarkdownRenderer(
        base_path=config.base_path,
        files=files,
        raw_html=config.raw_html,
        pages={content_rel(rel): parsed[rel].meta.path for rel in taken},
    )
    parsed, failed = with_bodies(parsed, taken, renderer, inputs, jobs)
    problems += failed + body_errors(parsed, taken)
    docs = []
    for source in docs_read:
        try:
            docs.append(parse_doc(source, renderer, content_rel(source.rel)))
        except ContentError as exc:
            problems += exc.problems
    if problems:
        raise ContentError(sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message)))
    return assemble_content(parsed, taken, status, tuple(sorted(docs, key=lambda d: d.slug)))


def read_post(path: Path, inputs: Inputs, alone: MarkdownRenderer) -> ParsedPost:
    """Read one post: its front matter checked and, if the build takes it, its body rendered by
    `alone` (a renderer that knows no other post yet)."""
    source = read_source(path, inputs.config.root)
    meta = parse_meta(source, inputs.config)
    taken = inputs.select.takes(status_of(meta, inputs.select))
    body = render_body(meta, source, alone, content_rel(meta.source)) if taken else None
    return ParsedPost(meta=meta, body=body, digest=source.digest)


def with_bodies(
    parsed: dict[str, ParsedPost],
    taken: list[str],
    renderer: MarkdownRenderer,
    inputs: Inputs,
    jobs: int,
) -> tuple[dict[str, ParsedPost], list[Problem]]:
    """Every taken post with a body rendered knowing every post: a body made earlier (or by a
    renderer that knew no post) is kept if each of its links resolves the same now."""

    def current(body: Body | None) -> bool:
        return body is not None and all(
            renderer.lookup(target) == found for target, found in body.lookups
        )

    todo = [rel for rel in taken if not current(parsed[rel].body)]

    def render(rel: str) -> Body:
        source = read_source(inputs.config.root / rel, inputs.config.root)
        return render_body(parsed[rel].meta, source, renderer, content_rel(rel))

    bodies, failures = map_collecting(render, todo, jobs=jobs)
    done = dict(parsed)
    for rel, body in zip(todo, bodies, strict=True):
        if body is not None:
            done[rel] = ParsedPost(meta=parsed[rel].meta, body=body, digest=parsed[rel].digest)
    return done, problems_of(failures)


def body_errors(parsed: Mapping[str, ParsedPost], taken: list[str]) -> list[Problem]:
    """The errors found rendering the taken posts' bodies: an image or a linked file missing."""
    return [
        problem
        for rel in taken
        for problem in (parsed[rel].body.warnings if parsed[rel].body else ())
        if problem.severity == "error"
    ]


def assemble_content(
    parsed: dict[str, ParsedPost],
    taken: list[str],
    status: Mapping[str, str],
    docs: tuple[Doc, ...],
) -> Content:
    """The taken posts as Posts, newest first; the others named as left out."""
    posts, warnings = [], []
    for rel in taken:
        body = parsed[rel].body
        assert body is not None  # with_bodies rendered every taken post's body, or raised
        posts.append(make_post(parsed[rel].meta, body, scheduled=status[rel] == "scheduled"))
        warnings += [problem for problem in body.warnings if problem.severity == "warning"]
    chosen = set(taken)
    left_out = tuple(
        f"{rel} ({describe(parsed[rel].meta, status[rel])})" for rel in parsed if rel not in chosen
    )
    return Content(sort_posts(posts), docs, tuple(sorted(set(warnings))), left_out, parsed)


def status_of(meta: PostMeta, select: Selection) -> str:
    """'draft', 'scheduled' (dated after the build's now) or 'published'."""
    return publication_status(meta.draft, meta.date.timestamp(), select.now.timestamp())


def describe(meta: PostMeta, status: str) -> str:
    """'draft', or 'scheduled for 2026-12-01'."""
    return status if status == "draft" else f"{status} for {meta.date.date().isoformat()}"


def content_rel(rel: str) -> str:
    """'content/news/x.md' → 'news/x.md'."""
    return rel.removeprefix("content/")
