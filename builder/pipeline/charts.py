"""Small bar charts as inline SVG made at build time: no JavaScript, numbers for screen readers.

A country's chart counts its news per year over the site's years; when all the site's news is
of one year, per month of that year (twelve bars), so that a young archive is not one bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from markupsafe import Markup, escape

from builder.model import Post, Site, Taxonomy, Term

SLOT = 44  # horizontal room per bar, in SVG units
BAR = 28
MONTH_SLOT = 32  # twelve bars: narrower, so that a month chart is not three times as wide
MONTH_BAR = 20
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    """A chart as templates get it: `{{ chart }}` prints the SVG; `year` says what it counts."""

    svg: Markup
    year: int | None  # None: news per year; a year: news per month of that year

    def __html__(self) -> str:
        return self.svg


def bar_height(count: int, tallest: int) -> int:
    """Bars scale to the tallest; a year with news is never drawn flat."""
    if count <= 0 or tallest <= 0:
        return 0
    return max(2, round(PLOT * count / tallest))


def year_chart(
    counts: Sequence[tuple[int | str, int]],
    *,
    ident: str,
    text: ChartText,
    tallest: int | None = None,
    slot: int = SLOT,
    bar_width: int = BAR,
) -> Markup:
    """An SVG bar chart of (label, count) pairs with <title>, <desc> and a visually hidden table.

    A label is a year or a month's short name. `ident` makes the ids unique in the page;
    `tallest` lets several charts share one scale; `slot` and `bar_width` size the bars.
    """
    top = max([tallest or 0, *(count for _, count in counts)])
    width, height = slot * len(counts), TOP + PLOT + BOTTOM
    base = TOP + PLOT
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 '
        f'{width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(text.title)}</title>',
        f'<desc id="{ident}-desc">{escape(text.description)}</desc>',
    ]
    for i, (label, count) in enumerate(counts):
        middle, bar = slot * i + slot // 2, bar_height(count, top)
        parts.append(
            f'<rect class="chart-bar" x="{middle - bar_width // 2}" y="{base - bar}"'
            f' width="{bar_width}" height="{bar}"/>'
            f'<text class="chart-count" fill="currentColor" x="{middle}" y="{base - bar - 5}" '
            f'text-anchor="middle">{count}</text>'
            f'<text class="chart-year" fill="currentColor" x="{middle}" y="{height - 5}"'
            f' text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(
        f'<line class="chart-axis" stroke="currentColor" x1="0" y1="{base}" x2="{width}" '
        f'y2="{base}"/>'
    )
    parts.append("</svg>")
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td>{count}</td></tr>' for label, count in counts
    )
    table = (
        f'<table class="visually-hidden"><caption>{escape(text.title)}</caption>'
        f'<thead><tr><th scope="col">{escape(text.year)}</th><th '
        f'scope="col">{escape(text.count)}</th></tr></thead>'
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


def per_month(posts: tuple[Post, ...], year: int) -> tuple[tuple[int, int], ...]:
    """(month 1–12, number of posts of `year` in it) for the twelve months, zeros included."""
    counts = dict.fromkeys(range(1, 13), 0)
    for post in posts:
        if post.date.year == year:
            counts[post.date.month] += 1
    return tuple(counts.items())


def charted_year(site: Site) -> int | None:
    """The one year of the site's news, charted month by month; None: chart years."""
    years = years_of(site)
    return years[0] if len(years) == 1 else None


def chart_counts(site: Site, posts: tuple[Post, ...]) -> tuple[tuple[int, int], ...]:
    """What a chart of these posts counts: per month of the site's one year, or per year."""
    year = charted_year(site)
    return per_year(posts, years_of(site)) if year is None else per_month(posts, year)


def month_words(strings: Mapping[str, Any]) -> tuple[str, ...]:
    """The months' short names (`months_short`; else the first letters of `months`)."""
    return tuple(strings.get("months_short") or (name[:3] for name in strings["months"]))


def year_text(
    strings: Mapping[str, Any], name: str, counts: Sequence[tuple[int, int]]
) -> ChartText:
    return ChartText(
        title=strings["chart_title"].format(name=name),
        description="; ".join(strings["chart_item"].format(year=y, count=c) for y, c in counts),
        year=strings["chart_year"],
        count=strings["chart_count"],
    )


def month_text(
    strings: Mapping[str, Any], name: str, year: int, counts: Sequence[tuple[int, int]]
) -> ChartText:
    """The words of a month chart; a strings table older than month charts falls back on the
    year chart's words."""
    title = strings.get("chart_month_title", strings["chart_title"])
    item = strings.get("chart_month_item")
    months = strings["months"]
    items = (
        item.format(month=months[m - 1], year=year, count=c)
        if item
        else strings["chart_item"].format(year=f"{months[m - 1]} {year}", count=c)
        for m, c in counts
    )
    return ChartText(
        title=title.format(name=name, year=year),
        description="; ".join(items),
        year=strings.get("chart_month", strings["chart_year"]),
        count=strings["chart_count"],
    )


def term_chart(
    site: Site, term: Term, strings: Mapping[str, Any], tallest: int | None = None
) -> Chart:
    """A term's news per year (or per month of the site's one year) as a bar chart, on its own
    scale or up to `tallest`."""
    counts, year = chart_counts(site, term.posts), charted_year(site)
    ident = f"chart-{term.taxonomy}-{term.slug}"
    if year is None:
        svg = year_chart(
            counts, ident=ident, text=year_text(strings, term.name, counts), tallest=tallest
        )
        return Chart(svg=svg, year=None)
    words = month_words(strings)
    svg = year_chart(
        [(words[month - 1], count) for month, count in counts],
        ident=ident,
        text=month_text(strings, term.name, year, counts),
        tallest=tallest,
        slot=MONTH_SLOT,
        bar_width=MONTH_BAR,
    )
    return Chart(svg=svg, year=year)


def country_charts(site: Site, taxonomy: Taxonomy, strings: Mapping[str, Any]) -> dict[str, Chart]:
    """Each term with news → its chart, all on one scale (for the list of countries)."""
    tallest = max(
        (count for term in taxonomy.terms for _, count in chart_counts(site, term.posts)),
        default=0,
    )
    return {
        term.slug: term_chart(site, term, strings, tallest) for term in taxonomy.terms if term.posts
    }
