"""Plan the outputs: from the Site, every page (with its template and context), every feed,
the sitemap and robots.txt, in a fixed order.

A new kind of page is one more function here that returns its Pages (and its context in
contexts.py, its template in templates/); a new feed is one more `feeds_of` entry
(plan_feeds.py). plan_lists.py splits lists of posts into pages and years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any, Mapping

from builder.model import Post, Site, Taxonomy, Term
from builder.outputs import Page, Planned, Robots, Sitemap
from builder.pipeline.charts import country_charts, term_chart
from builder.pipeline.plan_feeds import feed_links, feeds_of, term_feed_title
from builder.pipeline.plan_lists import group_by_year, paginate
from builder.pipeline.contexts import (
    FeedLink,
    PageMeta,
    Pagination,
    TaxonomyHead,
    TermHead,
)

SOURCE = attrgetter("source")
Shows = tuple[Post | None, ...] | None  # the posts a page shows; None: it may show any post


@dataclass(frozen=True, slots=True)
class Planner:
    """What every page of one plan shares: the site, its strings, and which pages are asked for.

    `only`: plan just the pages that show one of these posts (by source) and those that may
    show any post; None: every page.
    """

    site: Site
    strings: Mapping[str, Any]
    preview: bool
    only: frozenset[str] | None
    feeds: tuple[FeedLink, ...]  # the site's own feeds, named in every page's head

    def wanted(self, shows: Shows) -> bool:
        only = self.only
        return (
            only is None or shows is None or not only.isdisjoint(map(SOURCE, filter(None, shows)))
        )

    def page(
        self,
        path: str,
        template: str,
        title: str,
        context: dict,
        *,
        shows: Shows = (),
        description: str = "",
        updated: datetime | None = None,
        feeds: tuple[FeedLink, ...] = (),
        sitemap: bool = True,
    ) -> Page:
        config = self.site.config
        meta = PageMeta(
            title=title,
            description=description or config.description,
            path=path,
            feeds=feeds or self.feeds,
            preview=self.preview,
        )
        newest = self.site.posts[0].date if self.site.posts else None
        return Page(
            path=path,
            template=template,
            context={"page": meta, **context},
            updated=updated or newest,
            in_sitemap=sitemap,
            shows=sources_of(shows),
        )


def plan_site(
    site: Site,
    strings: Mapping[str, Any],
    related: Mapping[str, tuple[Post, ...]],
    *,
    preview: bool = False,
    only: frozenset[str] | None = None,
) -> tuple[Planned, ...]:
    """Every output of the site, in a fixed order (with `only`, see Planner: the pages showing
    those posts, every feed, and neither the sitemap nor the pages that show no post)."""
    planner = Planner(site, strings, preview, only, feed_links(site.config.title, "", strings))
    pages = [
        *index_pages(planner),
        *post_pages(planner, related),
        *taxonomy_pages(planner, site.countries),
        *taxonomy_pages(planner, site.tags),
        *archive_pages(planner),
        *redirect_pages(planner),
    ]
    if only is None:  # these pages show no post
        pages += standalone_pages(planner)
    outputs: list[Planned] = [*pages, *feeds_of(site, strings)]
    if only is None:
        outputs.append(Sitemap(pages=tuple((p.path, p.updated) for p in pages if p.in_sitemap)))
    outputs.append(Robots())
    return tuple(outputs)


def index_pages(planner: Planner) -> list[Page]:
    """The newest news, a page at a time: `/`, `/page/2/`, …"""
    strings, site = planner.strings, planner.site
    pages = []
    for path, chunk, pagination in paginate(site.posts, site.config.per_page, "", planner.wanted):
        title = (
            ""
            if pagination.number == 1
            else paged_title(strings, strings["latest_news"], pagination)
        )
        context = {"posts": chunk, "pagination": pagination}
        updated = chunk[0].date if chunk else None
        pages.append(planner.page(path, "index.html", title, context, shows=chunk, updated=updated))
    return pages


def post_pages(planner: Planner, related: Mapping[str, tuple[Post, ...]]) -> list[Page]:
    """One page per post, with its neighbours by date and its related posts."""
    posts, pages = planner.site.posts, []
    for i, post in enumerate(posts):
        newer = posts[i - 1] if i > 0 else None
        older = posts[i + 1] if i + 1 < len(posts) else None
        shows = (post, newer, older, *related[post.path])
        if planner.wanted(shows):
            context = {"post": post, "newer": newer, "older": older, "related": related[post.path]}
            pages.append(
                planner.page(
                    post.path,
                    "post.html",
                    post.title,
                    context,
                    shows=shows,
                    description=post.summary,
                    updated=post.date,
                )
            )
    return pages


def taxonomy_pages(planner: Planner, taxonomy: Taxonomy) -> list[Page]:
    """The list of terms, then each term's pages; countries with a chart of news per year."""
    site, strings = planner.site, planner.strings
    charted = taxonomy.name == "countries"
    charts = country_charts(site, taxonomy, strings) if charted else {}
    context = {"taxonomy": taxonomy, "charts": charts}
    pages = [planner.page(taxonomy.path, "terms.html", taxonomy.title, context, shows=None)]
    head = TaxonomyHead(name=taxonomy.name, title=taxonomy.title)
    for term in taxonomy.terms:
        chunks = (
            paginate(term.posts, site.config.per_page, term.path, planner.wanted)
            if term.posts
            else []
        )
        if not chunks:
            continue
        feeds = planner.feeds + feed_links(term_feed_title(site, term, strings), term.path, strings)
        chart = term_chart(site, term, strings) if charted else None
        for path, chunk, pagination in chunks:
            first = pagination.number == 1
            title = term.name if first else paged_title(strings, term.name, pagination)
            context = {
                "taxonomy": head,
                "term": term_head(term),
                "posts": chunk,
                "pagination": pagination,
                "chart": chart if first else None,
            }
            pages.append(
                planner.page(
                    path,
                    "term.html",
                    title,
                    context,
                    shows=chunk,
                    updated=chunk[0].date,
                    feeds=feeds,
                )
            )
    return pages


def archive_pages(planner: Planner) -> list[Page]:
    """The archive by year (`/archive/`), and one page per year."""
    years = group_by_year(planner.site.posts)
    title = planner.strings["archive_title"]
    pages = [planner.page("archive/", "archive.html", title, {"years": years}, shows=None)]
    for year in years:
        shown = tuple(post for month in year.months for post in month.posts)
        if planner.wanted(shown):
            pages.append(
                planner.page(
                    year.path,
                    "archive_year.html",
                    str(year.year),
                    {"year": year},
                    shows=shown,
                    updated=year.months[0].posts[0].date,
                )
            )
    return pages


def redirect_pages(planner: Planner) -> list[Page]:
    """A page at each old URL of a post (its `aliases`) that sends the reader to the post; for
    no search engine's sitemap and in no feed."""
    pages = []
    for post in planner.site.posts:
        if post.aliases and planner.wanted((post,)):
            context = {"target": post.path}
            pages += [
                planner.page(
                    alias,
                    "redirect.html",
                    post.title,
                    context,
                    shows=(post,),
                    updated=post.date,
                    sitemap=False,
                )
                for alias in post.aliases
            ]
    return pages


def standalone_pages(planner: Planner) -> list[Page]:
    """The pages of content/pages/, the search page and the 404 page: they show no post."""
    site, strings = planner.site, planner.strings
    pages = [
        planner.page(doc.path, "page.html", doc.title, {"doc": doc}, description=doc.summary)
        for doc in site.docs
    ]  # a page has no date: it is as new as the site
    if site.config.search:
        pages.append(planner.page("search/", "search.html", strings["search_title"], {}))
    with_news = tuple(term_head(term) for term in site.countries.terms if term.posts)
    pages.append(
        planner.page(
            "404.html",
            "404.html",
            strings["not_found_title"],
            {"countries": with_news},
            sitemap=False,
        )
    )
    return pages


def paged_title(strings: Mapping[str, Any], title: str, pagination: Pagination) -> str:
    """'Latest news – page 2'."""
    return strings["page_title_paged"].format(title=title, number=pagination.number)


def term_head(term: Term) -> TermHead:
    """What a page shows of a term besides its posts."""
    return TermHead(
        taxonomy=term.taxonomy, slug=term.slug, name=term.name, count=term.count, code=term.code
    )


def sources_of(posts: Shows) -> tuple[str, ...] | None:
    """The sources of the posts a page shows (None stays None: it may show any post)."""
    return None if posts is None else tuple([post.source for post in posts if post is not None])
