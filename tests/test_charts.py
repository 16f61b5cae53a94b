"""News-per-year bar charts: inline SVG made at build time, with the numbers for screen readers."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pytest
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


FULL_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def chart_rows(html: str, ident: str) -> dict[str, int]:
    """The label → count rows of the hidden table of one chart in a page."""
    block = html.split(f'<title id="{ident}-title">', 1)[1].split("</table>", 1)[0]
    return {
        label: int(c) for label, c in re.findall(r'<th scope="row">(\w+)</th><td>(\d+)</td>', block)
    }


def chart_numbers(html: str, ident: str) -> dict[int, int]:
    """The year → count rows of the hidden table of one chart in a page."""
    return {int(year): count for year, count in chart_rows(html, ident).items()}


def chart_of(html: str, ident: str) -> ElementTree.Element:
    """One chart of a page (its `<div class="year-chart">`), parsed."""
    start = html.index(f'<svg class="chart" role="img" aria-labelledby="{ident}-title')
    start = html.rindex('<div class="year-chart">', 0, start)
    return parse(html[start : html.index("</table></div>", start) + len("</table></div>")])


def bar_labels(chart: ElementTree.Element) -> list[str]:
    return [t.text for t in chart.iter(f"{SVG}text") if t.get("class") == "chart-year"]


def bar_heights(chart: ElementTree.Element) -> list[int]:
    return [int(r.get("height")) for r in chart.iter(f"{SVG}rect")]


def test_country_pages_and_the_countries_list_chart_the_news_of_the_one_year_per_month(
    real_site,
) -> None:
    _, out = real_site
    site = check_site(REPO).site
    assert {p.date.year for p in site.posts} == {2017}  # the sample site: one year of news
    listing = (out / "countries/index.html").read_text(encoding="utf-8")
    assert "each country in 2017, month by month" in listing
    assert '<ul class="term-list term-list-countries term-list-months">' in listing  # wider boxes
    for country in site.countries.terms:
        ident = f"chart-countries-{country.slug}"
        per_month = Counter(p.date.month for p in country.posts)
        expected = {name: per_month[number] for number, name in enumerate(MONTHS, start=1)}
        if not country.posts:
            assert ident not in listing
            continue
        page = (out / country.path / "index.html").read_text(encoding="utf-8")
        assert page.count('<svg class="chart" role="img"') == 1
        assert '<h2 id="chart-heading">News per month in 2017</h2>' in page
        assert chart_rows(page, ident) == expected
        assert chart_rows(listing, ident) == expected
        assert bar_labels(chart_of(page, ident)) == list(MONTHS)
        assert (
            f'<desc id="{ident}-desc">'
            + "; ".join(
                f"{month} 2017: {c}"
                for month, c in zip(FULL_MONTHS, expected.values(), strict=True)
            )
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


def news(title: str, day: str, countries: str = "Kyrgyzstan") -> str:
    return f"---\ntitle: {title}\ndate: {day}\ncountries: [{countries}]\n---\n{title}.\n"


ONE_YEAR_POSTS = {
    "content/news/2021/a.md": news("A", "2021-02-03"),
    "content/news/2021/b.md": news("B", "2021-02-20"),
    "content/news/2021/c.md": news("C", "2021-11-30", "Kyrgyzstan, Tajikistan"),
}


def test_a_site_with_news_of_one_year_charts_twelve_months(make_site, tmp_path: Path) -> None:
    from builder.build import build_site

    out = tmp_path / "out"
    build_site(make_site(ONE_YEAR_POSTS), output_dir=out)
    page = (out / "countries/kyrgyzstan/index.html").read_text(encoding="utf-8")
    chart = chart_of(page, "chart-countries-kyrgyzstan")
    assert bar_labels(chart) == list(MONTHS)
    assert chart_rows(page, "chart-countries-kyrgyzstan") == {
        month: {"Feb": 2, "Nov": 1}.get(month, 0) for month in MONTHS
    }
    assert bar_heights(chart) == [0, PLOT, *[0] * 8, PLOT // 2, 0]
    assert chart.find(f"{SVG}svg/{SVG}title").text == "News per month in 2021: Kyrgyzstan"
    assert chart.find(f"{SVG}svg/{SVG}desc").text.startswith("January 2021: 0; February 2021: 2;")
    assert chart.find("table/thead/tr/th").text == "Month"
    assert '<h2 id="chart-heading">News per month in 2021</h2>' in page
    listing = (out / "countries/index.html").read_text(encoding="utf-8")
    tajik = chart_of(listing, "chart-countries-tajikistan")  # on the list's one scale
    assert bar_heights(tajik) == [0] * 10 + [PLOT // 2, 0]
    again = tmp_path / "again"
    build_site(make_site(ONE_YEAR_POSTS), output_dir=again)
    assert (again / "countries/kyrgyzstan/index.html").read_bytes() == page.encode("utf-8")


def test_a_site_with_news_of_two_years_charts_years(make_site, tmp_path: Path) -> None:
    from builder.build import build_site

    posts = {
        **ONE_YEAR_POSTS,
        "content/news/2020/d.md": news("D", "2020-05-01"),
    }
    out = tmp_path / "out"
    build_site(make_site(posts), output_dir=out)
    page = (out / "countries/kyrgyzstan/index.html").read_text(encoding="utf-8")
    chart = chart_of(page, "chart-countries-kyrgyzstan")
    assert bar_labels(chart) == ["2020", "2021"]
    assert chart_numbers(page, "chart-countries-kyrgyzstan") == {2020: 1, 2021: 3}
    assert '<h2 id="chart-heading">News per year</h2>' in page
    listing = (out / "countries/index.html").read_text(encoding="utf-8")
    assert chart_numbers(listing, "chart-countries-tajikistan") == {2020: 0, 2021: 1}


def test_a_strings_table_without_the_month_words_still_charts_months(
    make_site, tmp_path: Path
) -> None:
    from builder.build import build_site

    root = make_site(ONE_YEAR_POSTS)
    strings = root / "templates/strings/en.toml"
    kept = [
        line
        for line in strings.read_text(encoding="utf-8").splitlines()
        if not line.startswith(("months_short", "chart_month"))
    ]
    strings.write_text("\n".join(kept) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    page = (out / "countries/kyrgyzstan/index.html").read_text(encoding="utf-8")
    chart = chart_of(page, "chart-countries-kyrgyzstan")
    assert bar_labels(chart) == list(MONTHS)  # the first letters of `months`
    assert chart.find(f"{SVG}svg/{SVG}desc").text.startswith("January 2021: 0; February 2021: 2;")


def test_a_months_short_list_of_the_wrong_length_is_refused(make_site) -> None:
    from builder.errors import BuildError

    root = make_site(ONE_YEAR_POSTS)
    strings = root / "templates/strings/en.toml"
    text = strings.read_text(encoding="utf-8")
    strings.write_text(
        re.sub(r"^months_short = .*$", 'months_short = ["Jan"]', text, flags=re.M),
        encoding="utf-8",
    )
    with pytest.raises(BuildError) as caught:
        check_site(root)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("templates/strings/en.toml", "'months_short' must be a list of 12 short month names")
    ]
