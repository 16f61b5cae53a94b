"""Small bar charts as inline SVG, made at build time: no JavaScript, numbers kept for screen readers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from markupsafe import Markup, escape

from builder.model import Post, Site, Taxonomy, Term

SLOT = 44  # horizontal room per bar, in SVG units
BAR = 28
PLOT = 64  # height of the tallest bar
TOP = 18  # room for the number above a bar
BOTTOM = 20  # room for the year below the baseline


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartText:
    """The words around a chart, in the site's language."""

    title: str  # "News per year: Kyrgyzstan"
    description: str  # "2016: 1, 2017: 4"
    year: str  # the table's first column heading
    count: str  # its second column heading


def bar_height(count: int, tallest: int) -> int:
    """Bars scale to the tallest; a year with news is never drawn flat."""
    if count <= 0 or tallest <= 0:
        return 0
    return max(2, round(PLOT * count / tallest))


def year_chart(
    counts: Sequence[tuple[int, int]], *, ident: str, text: ChartText, tallest: int | None = None
) -> Markup:
    """An SVG bar chart of (year, count) pairs with <title>, <desc> and a visually hidden table.

    `ident` makes the ids unique in the page; `tallest` lets several charts share one scale.
    """
    top = max([tallest or 0, *(count for _, count in counts)])
    width, height = SLOT * len(counts), TOP + PLOT + BOTTOM
    base = TOP + PLOT
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(text.title)}</title>',
        f'<desc id="{ident}-desc">{escape(text.description)}</desc>',
    ]
    for i, (year, count) in enumerate(counts):
        middle, bar = SLOT * i + SLOT // 2, bar_height(count, top)
        parts.append(
            f'<rect class="chart-bar" x="{middle - BAR // 2}" y="{base - bar}" width="{BAR}" height="{bar}"/>'
            f'<text class="chart-count" fill="currentColor" x="{middle}" y="{base - bar - 5}" text-anchor="middle">{count}</text>'
            f'<text class="chart-year" fill="currentColor" x="{middle}" y="{height - 5}" text-anchor="middle">{year}</text>'
        )
    parts.append(
        f'<line class="chart-axis" stroke="currentColor" x1="0" y1="{base}" x2="{width}" y2="{base}"/>'
    )
    parts.append("</svg>")
    rows = "".join(
        f'<tr><th scope="row">{year}</th><td>{count}</td></tr>' for year, count in counts
    )
    table = (
        f'<table class="visually-hidden"><caption>{escape(text.title)}</caption>'
        f'<thead><tr><th scope="col">{escape(text.year)}</th><th scope="col">{escape(text.count)}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    return Markup(f'<div class="year-chart">{"".join(parts)}{table}</div>')


def years_of(site: Site) -> range:
    """Every year from the oldest post to the newest (none for a site with no posts)."""
    return range(site.posts[-1].date.year, site.posts[0].date.year + 1) if site.posts else range(0)


def per_year(posts: tuple[Post, ...], years: range) -> tuple[tuple[int, int], ...]:
    """(year, number of posts) for each year, zeros included."""
    counts = {year: 0 for year in years}
    for post in posts:
        counts[post.date.year] += 1
    return tuple(counts.items())


def term_chart(
    site: Site, term: Term, strings: Mapping[str, Any], tallest: int | None = None
) -> Markup:
    """A term's news per year as a bar chart (on its own scale, or up to `tallest`)."""
    counts = per_year(term.posts, years_of(site))
    text = ChartText(
        title=strings["chart_title"].format(name=term.name),
        description="; ".join(strings["chart_item"].format(year=y, count=c) for y, c in counts),
        year=strings["chart_year"],
        count=strings["chart_count"],
    )
    return year_chart(
        counts, ident=f"chart-{term.taxonomy}-{term.slug}", text=text, tallest=tallest
    )


def country_charts(site: Site, taxonomy: Taxonomy, strings: Mapping[str, Any]) -> dict[str, Markup]:
    """Each term with news → its chart, all on one scale (for the list of countries)."""
    years = years_of(site)
    tallest = max(
        (count for term in taxonomy.terms for _, count in per_year(term.posts, years)), default=0
    )
    return {
        term.slug: term_chart(site, term, strings, tallest) for term in taxonomy.terms if term.posts
    }
