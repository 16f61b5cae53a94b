"""One post or page: its front matter checked, its body rendered: SourceFile → PostMeta → Post."""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any, Callable, Mapping

from builder.errors import ContentError, Problem
from builder.model import Body, Doc, Post, PostMeta, SourceFile, publication_status
from builder.pipeline.config import SiteConfig
from builder.pipeline.fields import (
    aliases_field,
    bool_field,
    countries_field,
    date_field,
    slug_field,
    tags_field,
    text_field,
    check_fields,
)
from builder.pipeline.complexity import find_too_complex
from builder.pipeline.markup import (
    MarkdownRenderer,
    cut_at_word,
    first_paragraph,
    html_to_text,
)
from builder.pipeline.slugs import is_slug, slug_of_file, slugify
from builder.pipeline.unfinished import unfinished_warnings

POST_FIELDS = (
    "title",
    "date",
    "end_date",
    "countries",
    "tags",
    "summary",
    "slug",
    "draft",
    "location",
    "aliases",
)
DOC_FIELDS = ("title", "summary", "slug")
TITLE_LIMIT = 120
LONG_OPENING = 300


def parse_meta(source: SourceFile, config: SiteConfig) -> PostMeta:
    """Check one post's front matter; raise ContentError with every problem of the file."""
    checks: dict[str, Callable[[Any], Any]] = {
        "title": lambda v: text_field("title", v, required=True),
        "date": lambda v: date_field("date", v, config),
        "end_date": lambda v: None if v is None else date_field("end_date", v, config).date(),
        "countries": lambda v: countries_field(v, config),
        "tags": tags_field,
        "summary": lambda v: text_field("summary", v),
        "slug": slug_field,
        "draft": lambda v: bool_field("draft", v),
        "location": lambda v: text_field("location", v),
        "aliases": aliases_field,
    }
    values, problems = check_fields(source, checks, ("title", "date"))
    if "slug" in values and not values["slug"]:
        values["slug"] = slug_of_file(source.path.stem)
        if not values["slug"]:
            problems.append(
                Problem(
                    source.rel,
                    1,
                    "the file name has no letters a-z or digits to make a URL from:"
                    " rename the file or add a 'slug' field",
                )
            )
    if values.get("end_date") and "date" in values and values["end_date"] < values["date"].date():
        problems.append(
            Problem(
                source.rel,
                source.fields["end_date"].line,
                f"'end_date' {values['end_date']} is before 'date' {values['date'].date()}",
            )
        )
    problems += body_problems(source)
    if problems:
        raise ContentError(problems)
    return PostMeta(
        source=source.rel,
        lines=shared_lines(tuple((key, field.line) for key, field in source.fields.items())),
        **values,
    )


# Most posts have the same fields on the same lines: one object serves them all (about 700
# bytes a post otherwise, held twice: as PostMeta.lines and as Post.lines). Nothing changes
# these once made.
@functools.lru_cache(maxsize=256)
def shared_lines(items: tuple[tuple[str, int], ...]) -> dict[str, int]:
    """Field → line, one dict for equal fields and lines."""
    return dict(items)


@functools.lru_cache(maxsize=256)
def sorted_lines(items: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    """Field → line as Post keeps it (sorted pairs), one tuple for equal fields and lines."""
    return tuple(sorted(items))


RESERVED = (
    "news",
    "countries",
    "tags",
    "archive",
    "page",
    "static",
    "feed.xml",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
    "404.html",
)


def doc_slug(source: SourceFile) -> str:
    """A page's slug: its valid `slug` field, else its file name made into a slug."""
    given = source.fields.get("slug")
    if given and isinstance(given.value, str) and is_slug(given.value.strip()):
        return given.value.strip()
    return slugify(source.path.stem) or "page"


def slug_line(item: PostMeta | SourceFile) -> int:
    """The line a message about a source's URL names: its slug, else (a post) its title, else 1."""
    if isinstance(item, PostMeta):
        return item.lines.get("slug", item.lines.get("title", 1))
    return item.fields["slug"].line if "slug" in item.fields else 1


def check_unique_paths(metas: list[PostMeta], docs: tuple[SourceFile, ...]) -> list[Problem]:
    """Two sources that would write the same URL are an error naming both files."""
    problems, seen = [], {}
    for doc in docs:
        slug = doc_slug(doc)
        if slug in RESERVED:
            problems.append(
                Problem(
                    doc.rel,
                    slug_line(doc),
                    f"the page would have the URL /{slug}/, which newsroom makes itself: give it "
                    "another 'slug'",
                )
            )
    entries = [(m.source, m.path, m) for m in metas] + [(d.rel, doc_slug(d) + "/", d) for d in docs]
    for source, path, item in sorted(entries, key=lambda entry: entry[0]):
        if path in seen:
            problems.append(
                Problem(
                    source,
                    slug_line(item),
                    f"the URL /{path} is also the URL of {seen[path]}: give one of them another "
                    "'slug'",
                )
            )
        else:
            seen[path] = source
    return problems


def post_status(meta: PostMeta, now: datetime) -> str:
    """'draft', 'scheduled' (dated after `now`) or 'published'."""
    return publication_status(meta.draft, meta.date.timestamp(), now.timestamp())


def render_body(
    meta: PostMeta, source: SourceFile, renderer: MarkdownRenderer, content_rel: str
) -> Body:
    """Render the body and derive the summary and the editorial warnings."""
    rendered = renderer.render(
        source.body, source=source.rel, content_rel=content_rel, line=source.body_line
    )
    opening = first_paragraph(rendered.html)
    where = opening_line(source.body, source.body_line, opening)
    summary = meta.summary or cut_at_word(opening)
    return Body(
        html_utf8=rendered.html.encode("utf-8"),
        summary=summary,
        more=not summary_is_whole(rendered.html, summary),
        warnings=rendered.warnings
        + tuple(editorial_warnings(meta, opening, where))
        + tuple(unfinished_warnings(meta, source)),
        lookups=rendered.lookups,
        links=rendered.links,
    )


def summary_is_whole(html: str, summary: str) -> bool:
    """Whether a list that shows `summary` shows the whole body: one plain paragraph, no image,
    whose text is the summary."""
    body = html.strip()
    one_paragraph = body.startswith("<p>") and body.endswith("</p>") and body.count("<p") == 1
    return one_paragraph and "<img" not in body and html_to_text(body) == summary


def make_post(meta: PostMeta, body: Body, *, scheduled: bool = False) -> Post:
    """A post from its checked front matter and rendered body."""
    return Post(
        source=meta.source,
        slug=meta.slug,
        title=meta.title,
        date=meta.date,
        end_date=meta.end_date,
        location=meta.location,
        countries=meta.countries,
        tags=meta.tags,
        summary=body.summary,
        html_utf8=body.html_utf8,
        draft=meta.draft,
        more=body.more,
        scheduled=scheduled,
        lines=sorted_lines(tuple(meta.lines.items())),
        links=body.links,
        aliases=meta.aliases,
    )


def opening_line(body: str, body_line: int, opening: str) -> int:
    """The file line the first paragraph (its text `opening`) starts on: the first line of the
    body, not a heading, that holds the paragraph's first word; else the body's first line."""
    first = re.search(r"\w+", opening)
    for number, line in enumerate(body.split("\n")):
        if first and first.group() in line and not line.lstrip().startswith("#"):
            return body_line + number
    return body_line


def editorial_warnings(meta: PostMeta, opening: str, opening_at: int) -> list[Problem]:
    """What an editor should look at although the post builds."""
    found = []
    if not meta.countries:
        found.append(
            Problem(
                meta.source,
                meta.lines.get("countries", 1),
                "the post names no country: add e.g. countries: [Kyrgyzstan]",
                "warning",
            )
        )
    if len(meta.title) > TITLE_LIMIT:
        found.append(
            Problem(
                meta.source,
                meta.lines["title"],
                f"the title is {len(meta.title)} characters long: keep it under {TITLE_LIMIT}",
                "warning",
            )
        )
    if meta.summary is None and len(opening) > LONG_OPENING:
        found.append(
            Problem(
                meta.source,
                opening_at,
                f"the first paragraph is {len(opening)} characters long and lists and feeds cut "
                "it: add a 'summary'",
                "warning",
            )
        )
    return found


def body_problems(source: SourceFile) -> list[Problem]:
    """A body Markdown cannot render in reasonable time (nested too deep, or too tangled)."""
    found = find_too_complex(source.body)
    return [] if found is None else [Problem(source.rel, source.body_line + found[0], found[1])]


def parse_doc(source: SourceFile, renderer: MarkdownRenderer, content_rel: str) -> Doc:
    """A standalone page (content/pages/x.md): title, optional summary, slug; raise ContentError."""
    checks: dict[str, Callable[[Any], Any]] = {
        "title": lambda v: text_field("title", v, required=True),
        "summary": lambda v: text_field("summary", v),
        "slug": slug_field,
    }
    values, problems = check_fields(source, checks, ("title",))
    problems += body_problems(source)
    if problems:
        raise ContentError(problems)
    rendered = renderer.render(
        source.body, source=source.rel, content_rel=content_rel, line=source.body_line
    )
    if errors := [problem for problem in rendered.warnings if problem.severity == "error"]:
        raise ContentError(errors)
    slug = doc_slug(source)
    summary = values["summary"] or cut_at_word(first_paragraph(rendered.html))
    return Doc(
        source=source.rel, slug=slug, title=values["title"], summary=summary, html=rendered.html
    )


def sort_posts(posts: list[Post], when: Mapping[str, float] | None = None) -> tuple[Post, ...]:
    """Newest first; same moment → by slug, then source: always the same order.

    `when`: each post's date as a timestamp, by source, if the caller has them.
    """
    if when is None:
        when = {p.source: p.date.timestamp() for p in posts}
    return tuple(sorted(posts, key=lambda p: (-when[p.source], p.slug, p.source)))
