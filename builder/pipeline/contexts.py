"""What each template receives: one typed context per kind of page (docs/templates.md).

A page's context holds exactly what the page shows, and names the posts it shows in the
page's `shows` (see outputs.Page): that is how an incremental build knows which pages an edit
touches. A new field a template needs goes into its context here and into docs/templates.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from builder.model import Doc, Post, Taxonomy
from builder.pipeline.charts import Chart


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedLink:
    """A feed named in a page's head: `<link rel="alternate">`."""

    title: str
    path: str
    type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PageMeta:
    """What every template knows about the page it renders."""

    title: str
    description: str
    path: str
    feeds: tuple[FeedLink, ...]
    preview: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Pagination:
    """Where a list page stands among its pages."""

    number: int
    total: int
    prev_path: str | None  # the newer page
    next_path: str | None  # the older page


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthGroup:
    month: int
    posts: tuple[Post, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class YearGroup:
    year: int
    months: tuple[MonthGroup, ...]

    @property
    def path(self) -> str:
        return f"archive/{self.year}/"

    @property
    def count(self) -> int:
        return sum(len(m.posts) for m in self.months)


@dataclass(frozen=True, slots=True, kw_only=True)
class TermHead:
    """What a term's own pages show of it: not its posts (each page gets its own)."""

    taxonomy: str
    slug: str
    name: str
    count: int
    code: str | None

    @property
    def path(self) -> str:
        return f"{self.taxonomy}/{self.slug}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxonomyHead:
    """What a term's pages show of its taxonomy: its name, title and link."""

    name: str
    title: str

    @property
    def path(self) -> str:
        return f"{self.name}/"


class IndexContext(TypedDict):
    """index.html: `/`, `/page/N/`."""

    page: PageMeta
    posts: tuple[Post, ...]
    pagination: Pagination


class PostContext(TypedDict):
    """post.html: one post, its neighbours by date and its related posts. The render stage adds
    `article`, its schema.org NewsArticle (a dict), made from the post alone."""

    page: PageMeta
    post: Post
    newer: Post | None
    older: Post | None
    related: tuple[Post, ...]


class TermsContext(TypedDict):
    """terms.html: `/countries/`, `/tags/`."""

    page: PageMeta
    taxonomy: Taxonomy
    charts: dict[str, Chart]  # countries: term slug → its chart; {} for tags


class TermContext(TypedDict):
    """term.html: one country's or tag's news, a page at a time."""

    page: PageMeta
    taxonomy: TaxonomyHead
    term: TermHead
    posts: tuple[Post, ...]
    pagination: Pagination
    chart: Chart | None  # a country's first page: its news per year (or month)


class ArchiveContext(TypedDict):
    """archive.html: `/archive/`."""

    page: PageMeta
    years: tuple[YearGroup, ...]


class YearContext(TypedDict):
    """archive_year.html: `/archive/YYYY/`."""

    page: PageMeta
    year: YearGroup


class DocContext(TypedDict):
    """page.html: a page of content/pages/."""

    page: PageMeta
    doc: Doc


class SearchContext(TypedDict):
    """search.html: `/search/`."""

    page: PageMeta


class NotFoundContext(TypedDict):
    """404.html: the countries with news, to offer instead."""

    page: PageMeta
    countries: tuple[TermHead, ...]


class RedirectContext(TypedDict):
    """redirect.html: an old URL of a post (one of its `aliases`), sending readers to it;
    `page.title` is the post's title."""

    page: PageMeta
    target: str  # the post's site-relative path: "news/2017/x/"


PageContext = (
    IndexContext
    | PostContext
    | TermsContext
    | TermContext
    | ArchiveContext
    | YearContext
    | DocContext
    | SearchContext
    | NotFoundContext
    | RedirectContext
)
