"""News-per-year bar charts: inline SVG made at build time, with the numbers for screen readers."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

from conftest import REPO

from builder.build import check_site
from builder.pipeline.charts import PLOT, ChartText, year_chart

SVG = "{http://www.w3.org/2000/svg}"
TEXT = ChartText(
    title="News per year: <Kyrgyz & Co>",
    description="2015: 0; 2016: 1; 2017: 4",
    year="Year",
    count="News items",
)


def parse(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)


def test_a_chart_is_svg_with_title_desc_bars_to_scale_and_a_table() -> None:
    markup = year_chart([(2015, 0), (2016, 1), (2017, 4)], ident="chart-x", text=TEXT)
    assert markup == year_chart(
        [(2015, 0), (2016, 1), (2017, 4)], ident="chart-x", text=TEXT
    )  # deterministic
    root = parse(markup)
    svg = root.find(f"{SVG}svg")
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "chart-x-title chart-x-desc"
    assert (
        svg.find(f"{SVG}title").get("id") == "chart-x-title"
        and svg.find(f"{SVG}title").text == TEXT.title
    )
    assert svg.find(f"{SVG}desc").text == TEXT.description
    assert [int(r.get("height")) for r in svg.iter(f"{SVG}rect")] == [0, PLOT // 4, PLOT]
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-year"] == [
        "2015",
        "2016",
        "2017",
    ]
    table = root.find("table")
    assert table.get("class") == "visually-hidden" and table.find("caption").text == TEXT.title
    assert [(r.find("th").text, r.find("td").text) for r in table.find("tbody")] == [
        ("2015", "0"),
        ("2016", "1"),
        ("2017", "4"),
    ]
    assert "<Kyrgyz" not in markup and "&lt;Kyrgyz &amp; Co&gt;" in markup
    assert "<script" not in markup


def test_charts_can_share_a_scale() -> None:
    small = parse(year_chart([(2017, 2)], ident="a", text=TEXT, tallest=8))
    assert [int(r.get("height")) for r in small.iter(f"{SVG}rect")] == [PLOT // 4]


def chart_numbers(html: str, ident: str) -> dict[int, int]:
    """The year → count rows of the hidden table of one chart in a page."""
    block = html.split(f'<title id="{ident}-title">', 1)[1].split("</table>", 1)[0]
    return {
        int(y): int(c) for y, c in re.findall(r'<th scope="row">(\d+)</th><td>(\d+)</td>', block)
    }


def test_country_pages_and_the_countries_list_chart_the_news_per_year(real_site) -> None:
    _, out = real_site
    site = check_site(REPO).site
    years = range(site.posts[-1].date.year, site.posts[0].date.year + 1)
    listing = (out / "countries/index.html").read_text(encoding="utf-8")
    for country in site.countries.terms:
        ident = f"chart-countries-{country.slug}"
        expected = {year: Counter(p.date.year for p in country.posts)[year] for year in years}
        if not country.posts:
            assert ident not in listing
            continue
        page = (out / country.path / "index.html").read_text(encoding="utf-8")
        assert page.count('<svg class="chart" role="img"') == 1 and "News per year" in page
        assert chart_numbers(page, ident) == expected
        assert chart_numbers(listing, ident) == expected
        assert (
            f'<desc id="{ident}-desc">'
            + "; ".join(f"{y}: {c}" for y, c in expected.items())
            + "</desc>"
            in page
        )
    assert listing.count('<svg class="chart" role="img"') == sum(
        1 for c in site.countries.terms if c.posts
    )


def test_tag_pages_have_no_chart(real_site) -> None:
    _, out = real_site
    assert "<svg" not in (out / "tags/profiling/index.html").read_text(encoding="utf-8")
    assert "<svg" not in (out / "tags/index.html").read_text(encoding="utf-8")


def test_the_fixture_charts_show_a_year_without_news(golden_site: Path) -> None:
    page = (golden_site / "countries/tajikistan/index.html").read_text(encoding="utf-8")
    assert chart_numbers(page, "chart-countries-tajikistan") == {2016: 0, 2017: 2}
