"""The frozen values that move between the stages of a build. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
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


def quick_pickle(kind: type) -> type:
    """Make a slotted frozen dataclass quick to unpickle (a build cache holds tens of
    thousands): it is pickled as its fields in order, and made again by one generated
    function that sets them through the slots' own descriptors (a frozen dataclass refuses
    setattr). A Markup field is kept as its text: unpickling a Markup calls its Python
    constructor, and the text is all there is to it.
    """
    names = kind.__slots__
    markup = {name for name in names if kind.__dataclass_fields__[name].type == "Markup"}
    made = {name: f"as_markup(str_type, {name})" if name in markup else name for name in names}
    source = f"def restore({', '.join(names)}):\n    self = new(kind)\n" + "".join(f"    set_{name}(self, {made[name]})\n" for name in names) + "    return self\n"
    namespace = {"new": object.__new__, "kind": kind, "as_markup": str.__new__, "str_type": Markup} | {f"set_{name}": getattr(kind, name).__set__ for name in names}
    exec(source, namespace)  # noqa: S102 - the source is made above from the class's own field names
    restore = namespace["restore"]
    restore.__module__, restore.__qualname__ = kind.__module__, f"{kind.__qualname__}.restore"
    kind.restore = staticmethod(restore)  # where pickle finds it again
    fields = attrgetter(*names)
    if markup:
        plain = [name in markup for name in names]
        kind.__reduce__ = lambda self: (restore, tuple([str(value) if text else value for value, text in zip(fields(self), plain, strict=True)]))
    else:
        kind.__reduce__ = lambda self: (restore, fields(self))
    return kind


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


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class TermRef:
    """A post's link to one term of a taxonomy."""

    taxonomy: str
    slug: str
    name: str

    @property
    def path(self) -> str:
        return f"{self.taxonomy}/{self.slug}/"


@quick_pickle
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
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return post_path(self.date, self.slug)


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Body:
    """A post's rendered body: what the Markdown stage makes, and a cache keeps."""

    html: Markup
    summary: str
    warnings: tuple  # of Problem
    lookups: tuple[tuple[str, str], ...]  # relative link target → what it resolved to
    links: tuple[tuple[str, int], ...]


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
    html: Markup
    draft: bool
    scheduled: bool = False  # dated after the build's "now"; only built with --future
    lines: tuple[tuple[str, int], ...] = ()  # front-matter field → line, for messages
    links: tuple[tuple[str, int], ...] = ()  # site-root links in the body and their lines
    path: str = field(init=False, repr=False, compare=False)  # "news/2017/x/": made once, not at each of its many uses

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", post_path(self.date, self.slug))

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
class Page:
    """One HTML page to render: its URL path, its template and its context."""

    path: str  # site-relative URL path: "" for home, "news/2017/x/", "404.html"
    template: str
    context: Mapping[str, Any]
    updated: datetime | None = None  # newest post shown; for the sitemap's lastmod
    in_sitemap: bool = True
    shows: tuple[str, ...] | None = ()  # sources of the posts the context holds; None: any post
    file: str = field(init=False, repr=False, compare=False)  # its output file: "news/2017/x/index.html"

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", output_file(self.path))


@dataclass(frozen=True, slots=True, kw_only=True)
class Artifact:
    """One output file: its path under output/ and either its bytes or a file to copy."""

    path: str
    data: bytes | None = None
    source: Path | None = None
    keep: bool = False  # the previous output already holds exactly this file: link it
    spilled: bool = False  # `source` is this file, already written beside the output by a render worker
    mark: str | None = None  # the fingerprint of what the page shows, when the render stage took it
    size: int | None = None  # of a spilled file, as its worker wrote it


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
