"""Plan the pages: from the Site, every HTML page with its template and context."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Callable, Mapping

from markupsafe import Markup

from builder.pipeline.charts import ChartText, year_chart
from builder.model import Page, Post, Site, Taxonomy, Term

RSS, ATOM = "application/rss+xml", "application/atom+xml"
SOURCE = attrgetter("source")


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


def feed_links(title: str, base: str, strings: Mapping[str, Any]) -> tuple[FeedLink, ...]:
    """The RSS and Atom feeds kept under `base` ("" for the site, "tags/x/" for a term)."""
    return (
        FeedLink(title=strings["feed_rss_title"].format(title=title), path=base + "feed.xml", type=RSS),
        FeedLink(title=strings["feed_atom_title"].format(title=title), path=base + "atom.xml", type=ATOM),
    )


def term_feed_title(site: Site, term: Term, strings: Mapping[str, Any]) -> str:
    """'BOMCA News – Kyrgyzstan'."""
    return strings["feed_term_title"].format(site=site.config.title, term=term.name)


def sources_of(posts: tuple[Post | None, ...] | None) -> tuple[str, ...] | None:
    """The sources of the posts a page shows (None stays None: it may show any post)."""
    return None if posts is None else tuple([post.source for post in posts if post is not None])


def paginate(posts: tuple[Post, ...], per_page: int, base: str, wanted: Callable[[tuple[Post, ...]], bool] | None = None) -> list[tuple[str, tuple[Post, ...], Pagination]]:
    """Split posts into pages at `base`, `base`page/2/, …; an empty list still gets one page.

    `wanted`: only the pages whose posts it accepts (the others are not made at all).
    """
    chunks = [posts[i : i + per_page] for i in range(0, len(posts), per_page)] or [()]
    path = lambda n: base if n == 1 else f"{base}page/{n}/"  # noqa: E731
    total = len(chunks)
    return [
        (path(n), chunk, Pagination(number=n, total=total, prev_path=path(n - 1) if n > 1 else None, next_path=path(n + 1) if n < total else None))
        for n, chunk in enumerate(chunks, start=1)
        if wanted is None or wanted(chunk)
    ]


def group_by_year(posts: tuple[Post, ...]) -> tuple[YearGroup, ...]:
    """Newest year first; within a year, months newest first."""
    years: dict[int, dict[int, list[Post]]] = {}
    for post in posts:
        years.setdefault(post.date.year, {}).setdefault(post.date.month, []).append(post)
    return tuple(
        YearGroup(year=y, months=tuple(MonthGroup(month=m, posts=tuple(ps)) for m, ps in sorted(months.items(), reverse=True)))
        for y, months in sorted(years.items(), reverse=True)
    )


def years_of(site: Site) -> range:
    """Every year from the oldest post to the newest (none for a site with no posts)."""
    return range(site.posts[-1].date.year, site.posts[0].date.year + 1) if site.posts else range(0)


def per_year(posts: tuple[Post, ...], years: range) -> tuple[tuple[int, int], ...]:
    """(year, number of posts) for each year, zeros included."""
    counts = {year: 0 for year in years}
    for post in posts:
        counts[post.date.year] += 1
    return tuple(counts.items())


def term_chart(term: Term, years: range, strings: Mapping[str, Any], tallest: int | None = None) -> Markup:
    """A term's news per year as a bar chart."""
    counts = per_year(term.posts, years)
    text = ChartText(
        title=strings["chart_title"].format(name=term.name),
        description="; ".join(strings["chart_item"].format(year=y, count=c) for y, c in counts),
        year=strings["chart_year"],
        count=strings["chart_count"],
    )
    return year_chart(counts, ident=f"chart-{term.taxonomy}-{term.slug}", text=text, tallest=tallest)


def plan_pages(site: Site, strings: Mapping[str, Any], related: Mapping[str, tuple[Post, ...]], *, preview: bool = False, only: frozenset[str] | None = None) -> list[Page]:
    """Every HTML page of the site, in a fixed order.

    `only`: plan just the pages that show one of these posts (by source) and those that may
    show any post; a build of the same shape keeps every other page as it is (see memory.py).
    """
    config = site.config
    site_feeds = feed_links(config.title, "", strings)
    newest = site.posts[0].date if site.posts else None

    def wanted(shows: tuple[Post | None, ...] | None) -> bool:
        return only is None or shows is None or not only.isdisjoint(map(SOURCE, filter(None, shows)))

    def page(path: str, template: str, title: str, description: str, context: dict, updated=newest, feeds=site_feeds, sitemap=True, shows=()) -> Page:
        meta = PageMeta(title=title, description=description or config.description, path=path, feeds=feeds, preview=preview)
        return Page(path=path, template=template, context={"page": meta, **context}, updated=updated, in_sitemap=sitemap, shows=sources_of(shows))

    pages: list[Page] = []
    for path, chunk, pagination in paginate(site.posts, config.per_page, "", wanted):
        title = "" if pagination.number == 1 else strings["page_title_paged"].format(title=strings["latest_news"], number=pagination.number)
        pages.append(page(path, "index.html", title, config.description, {"posts": chunk, "pagination": pagination}, updated=chunk[0].date if chunk else newest, shows=chunk))
    for i, post in enumerate(site.posts):
        newer = site.posts[i - 1] if i > 0 else None
        older = site.posts[i + 1] if i + 1 < len(site.posts) else None
        shows = (post, newer, older, *related[post.path])
        if wanted(shows):
            context = {"post": post, "newer": newer, "older": older, "related": related[post.path]}  # + "article" (render.DERIVED)
            pages.append(page(post.path, "post.html", post.title, post.summary, context, updated=post.date, shows=shows))
    for taxonomy in (site.countries, site.tags):
        pages.extend(plan_taxonomy(site, taxonomy, strings, page, wanted))
    years = group_by_year(site.posts)
    pages.append(page("archive/", "archive.html", strings["archive_title"], config.description, {"years": years}, shows=None))
    for year in years:
        shown = tuple(post for month in year.months for post in month.posts)
        if wanted(shown):
            pages.append(page(year.path, "archive_year.html", str(year.year), config.description, {"year": year}, updated=year.months[0].posts[0].date, shows=shown))
    if only is None:  # the pages below show no post
        for doc in site.docs:  # a page has no date: it is as new as the site
            pages.append(page(doc.path, "page.html", doc.title, doc.summary, {"doc": doc}))
        if config.search:
            pages.append(page("search/", "search.html", strings["search_title"], config.description, {}))
        with_news = tuple(TermHead(taxonomy=t.taxonomy, slug=t.slug, name=t.name, count=t.count, code=t.code) for t in site.countries.terms if t.posts)
        pages.append(page("404.html", "404.html", strings["not_found_title"], config.description, {"countries": with_news}, sitemap=False))
    return pages


def plan_taxonomy(site: Site, taxonomy: Taxonomy, strings: Mapping[str, Any], page, wanted=lambda shows: True) -> list[Page]:
    """The list of terms, then each term's paginated pages; countries with a chart of news per year."""
    years = years_of(site)
    charted = taxonomy.name == "countries"
    tallest = max((count for term in taxonomy.terms for _, count in per_year(term.posts, years)), default=0) if charted else 0
    charts = {term.slug: term_chart(term, years, strings, tallest) for term in taxonomy.terms if term.posts} if charted else {}
    pages = [page(taxonomy.path, "terms.html", taxonomy.title, site.config.description, {"taxonomy": taxonomy, "charts": charts}, shows=None)]
    head = TaxonomyHead(name=taxonomy.name, title=taxonomy.title)
    for term in taxonomy.terms:
        chunks = paginate(term.posts, site.config.per_page, term.path, wanted) if term.posts else []
        if not chunks:
            continue
        shown = TermHead(taxonomy=term.taxonomy, slug=term.slug, name=term.name, count=term.count, code=term.code)
        title = term_feed_title(site, term, strings)
        feeds = feed_links(site.config.title, "", strings) + feed_links(title, term.path, strings)
        chart = term_chart(term, years, strings) if charted else None
        for path, chunk, pagination in chunks:
            name = term.name if pagination.number == 1 else strings["page_title_paged"].format(title=term.name, number=pagination.number)
            context = {"taxonomy": head, "term": shown, "posts": chunk, "pagination": pagination, "chart": chart if pagination.number == 1 else None}
            pages.append(page(path, "term.html", name, site.config.description, context, updated=chunk[0].date, feeds=feeds, shows=chunk))
    return pages
