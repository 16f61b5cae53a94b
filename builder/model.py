"""The frozen values that move between the stages of a build. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

from markupsafe import Markup

from builder.pipeline.config import SiteConfig


def publication_status(draft: bool, when: float, now: float) -> str:
    """'draft', 'scheduled' (dated after `now`) or 'published'; times as POSIX timestamps.

    A date without a time is midnight in the site's timezone, so a post dated today is
    never in the future on its own day, whatever the clock's timezone.
    """
    if draft:
        return "draft"
    return "scheduled" if when > now else "published"


def post_path(when: datetime, slug: str) -> str:
    """A post's site-relative URL path: "news/2017/x/"."""
    return f"news/{when.year}/{slug}/"


def output_file(path: str) -> str:
    """The file a static host serves for a site-relative path: "x/" → "x/index.html"."""
    return path + "index.html" if path == "" or path.endswith("/") else path


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One front-matter value and the line it stands on."""

    value: Any  # str, bool, None, or a list of str
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    """A Markdown file split into its front matter and body."""

    path: Path
    rel: str  # path relative to the site root, with "/", as shown in messages
    fields: Mapping[str, Field]
    body: str
    body_line: int  # line number of the body's first line
    digest: bytes = b""  # of the file's bytes (sources.digest_bytes): a cache compares it
    review_notes: tuple[tuple[int, str], ...] = ()  # (line, note) of each `# review:` comment


@dataclass(frozen=True, slots=True, kw_only=True)
class TermRef:
    """A post's link to one term of a taxonomy."""

    taxonomy: str
    slug: str
    name: str

    @property
    def path(self) -> str:
        return f"{self.taxonomy}/{self.slug}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class PostMeta:
    """A post's checked front matter: everything but the rendered body."""

    source: str
    slug: str
    title: str
    date: datetime
    end_date: date | None
    location: str | None
    countries: tuple[TermRef, ...]
    tags: tuple[TermRef, ...]
    summary: str | None
    draft: bool
    aliases: tuple[str, ...] = ()  # old paths ("news/2017/old/"), oldest first: redirect pages
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return post_path(self.date, self.slug)


@dataclass(frozen=True, slots=True, kw_only=True)
class Body:
    """A post's rendered body: what the Markdown stage makes, and a cache keeps.

    The HTML is held as UTF-8 (`html_utf8`; `html` gives it as Markup): a str holding one
    character beyond U+00FF, such as the typographic quotes the sanitiser writes, takes two
    bytes for every character, and the bodies are the biggest part of a build's memory (68 MB
    as str against 35 MB as UTF-8 at 10,000 posts of the bench corpus).
    """

    html_utf8: bytes
    summary: str
    more: bool  # the body holds more than its summary (lists then link to "Read more")
    warnings: tuple  # of Problem
    lookups: tuple[tuple[str, str], ...]  # relative link target → what it resolved to
    links: tuple[tuple[str, int], ...]

    @property
    def html(self) -> Markup:
        return Markup(self.html_utf8.decode("utf-8"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedPost:
    """One post file as the parse stage made it: its front matter checked and, if the build takes
    the post, its body rendered; `digest` is of the bytes it was made from."""

    meta: PostMeta
    body: Body | None  # None: the build does not take the post (a draft, a scheduled post)
    digest: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Post:
    """A news item, ready for the templates and feeds."""

    source: str
    slug: str
    title: str
    date: datetime
    end_date: date | None
    location: str | None
    countries: tuple[TermRef, ...]
    tags: tuple[TermRef, ...]
    summary: str
    html_utf8: bytes  # the body's HTML (`html`), held as UTF-8 as Body holds it
    draft: bool
    more: bool = True  # the body holds more than the summary a list shows of it
    scheduled: bool = False  # dated after the build's "now"; only built with --future
    lines: tuple[tuple[str, int], ...] = ()  # front-matter field → line, for messages
    links: tuple[tuple[str, int], ...] = ()  # site-root links in the body and their lines
    aliases: tuple[str, ...] = ()  # old paths ("news/2017/old/"), oldest first: redirect pages
    path: str = field(
        init=False, repr=False, compare=False
    )  # "news/2017/x/": made once, not at each of its many uses

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", post_path(self.date, self.slug))

    @property
    def first_path(self) -> str:
        """The post's first URL path (its oldest alias, else its path): its id in feeds for
        life, so that a reader never sees it twice when it moves."""
        return self.aliases[0] if self.aliases else self.path

    @property
    def html(self) -> Markup:
        """The body's HTML, for the templates and feeds."""
        return Markup(self.html_utf8.decode("utf-8"))

    def line_of(self, name: str) -> int:
        """The line of a front-matter field (1 if the field is absent)."""
        return dict(self.lines).get(name, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Doc:
    """A standalone page from content/pages/ (e.g. About)."""

    source: str
    slug: str
    title: str
    summary: str
    html: Markup

    @property
    def path(self) -> str:
        return f"{self.slug}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class Term:
    """One country or tag and its posts, newest first."""

    taxonomy: str
    slug: str
    name: str
    posts: tuple[Post, ...]
    code: str | None = None

    @property
    def path(self) -> str:
        return f"{self.taxonomy}/{self.slug}/"

    @property
    def count(self) -> int:
        return len(self.posts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Taxonomy:
    """A way of grouping posts: countries or tags."""

    name: str
    title: str
    terms: tuple[Term, ...]

    @property
    def path(self) -> str:
        return f"{self.name}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """The whole checked content of a site, read-only."""

    config: SiteConfig
    posts: tuple[Post, ...]  # newest first
    docs: tuple[Doc, ...]
    countries: Taxonomy
    tags: Taxonomy
    assets: tuple[tuple[str, Path], ...]  # (output path, source file)


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildReport:
    """What a build made."""

    posts: int
    pages: int
    feeds: int
    files: int
    written: int
    output_dir: Path
    left_out: tuple[str, ...] = ()
    warnings: tuple = ()
    paths: frozenset[str] = frozenset()  # every file in the output, as output paths
