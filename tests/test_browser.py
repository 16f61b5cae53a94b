"""The built site in a real browser: Debian's Chromium driven by Playwright, checked with axe-core.

One browser for the module. Screenshots go to `pytest --screenshots DIR` (else a temporary folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from served import serve
from tools import CHROMIUM, CHROMIUM_ARGS, chromium, python_module, require_tool

PAGES = {  # one page of each kind
    "home": "",
    "post": "news/2017/terrorist-profiling-workshop-in-bishkek/",
    "countries": "countries/",
    "country": "countries/kyrgyzstan/",
    "tags": "tags/",
    "tag": "tags/profiling/",
    "year": "archive/2017/",
    "404": "no/such/page/",
    "search": "search/?q=profiling",
}
WIDTHS = (375, 1280)
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PROFILING_POSTS = [
    "Profiling workshop for border guards in Turkmenistan",
    "Terrorist profiling workshop in Bishkek",
    "Profiling workshop for border guards in Kazakhstan",
]
RESULT = ".search-result-title a"


@pytest.fixture(scope="module")
def browser():
    """Chromium, started once for the module."""
    require_tool(
        "Chromium (/usr/bin/chromium) driven by Playwright",
        chromium,
        "apt-get install chromium; python3 -m pip install -e '.[test]'",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site_url(real_site):
    """The real site served at the root of a loopback host."""
    with serve(real_site[1]) as url:
        yield url


@pytest.fixture(scope="module")
def subpath_url(subpath_site: Path):
    """The site built for /bomca/, served under /bomca/."""
    with serve(subpath_site.parent, not_found="bomca/404.html") as url:
        yield url + "bomca/"


@pytest.fixture(scope="module")
def screenshots(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = request.config.getoption("--screenshots")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def context(browser):
    """A fresh browser context (axe refuses pages made by browser.new_page())."""
    made = []

    def make(**options):
        ctx = browser.new_context(**options)
        made.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in made:
        ctx.close()


def open_page(page, url: str):
    """Go to a page; on the search page wait for Pagefind's results."""
    response = page.goto(url)
    if "search/?q=" in url:
        page.wait_for_selector(RESULT, timeout=15000)
    return response


def require_axe():
    require_tool(
        "axe-playwright-python",
        python_module("axe_playwright_python"),
        "python3 -m pip install -e '.[test]'",
    )
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_wcag_violation(context, site_url: str, kind: str, scheme: str) -> None:
    axe = require_axe()
    page = context(color_scheme=scheme)
    response = open_page(page, site_url + PAGES[kind])
    assert response.status == (404 if kind == "404" else 200)
    results = axe.run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def test_axe_does_report_violations(context) -> None:
    """Guard against a checker that passes everything: a page with faults is reported."""
    axe = require_axe()
    page = context()
    page.set_content(
        '<!DOCTYPE html><html><body><img src="x.png"><a href="/x"></a><p '
        'style="color:#bbb">faint</p></body></html>'
    )
    found = {v["id"] for v in axe.run(page, options=WCAG).response["violations"]}
    assert {"image-alt", "link-name", "color-contrast", "html-has-lang"} <= found, found


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(context, site_url: str, width: int) -> None:
    page = context(viewport={"width": width, "height": 800})
    wide = []
    for kind, path in PAGES.items():
        open_page(page, site_url + path)
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            wide.append(f"{kind}: {scroll}px of content in {client}px")
    assert wide == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_skip_link_works_from_the_keyboard(context, site_url: str, width: int) -> None:
    page = context(viewport={"width": width, "height": 800})
    page.goto(site_url)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.className, document.activeElement.textContent]"
    )
    assert focused == ["skip-link", "Skip to main content"]
    page.wait_for_function(
        "document.activeElement.getBoundingClientRect().top >= 0", timeout=2000
    )  # it slides in
    box = page.locator(".skip-link").bounding_box()
    assert (
        box and box["y"] >= 0 and box["x"] >= 0 and box["x"] + box["width"] <= width
    )  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("[location.hash, document.activeElement.id]") == ["#main", "main"]
    page.keyboard.press("Tab")  # the next stop is inside the main content, past the navigation
    assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_of_home_a_post_and_a_country(
    context, site_url: str, screenshots: Path, width: int
) -> None:
    require_tool("Pillow", python_module("PIL"), "python3 -m pip install -e '.[test]'")
    from PIL import Image

    page = context(viewport={"width": width, "height": 900})
    for kind in ("home", "post", "country"):
        open_page(page, site_url + PAGES[kind])
        shot = screenshots / f"{kind}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        with Image.open(shot) as image:
            assert image.width == width and image.height >= 900
            low, high = image.convert("L").getextrema()
            assert high - low > 100, f"{shot} looks blank"


def test_typing_profiling_finds_the_profiling_posts(context, site_url: str) -> None:
    page = context()
    page.goto(site_url + "search/")
    assert page.locator("#search-unavailable").is_hidden()
    page.locator("#search-input").fill("profiling")
    page.wait_for_selector(RESULT, timeout=15000)
    titles = page.locator(RESULT).all_inner_texts()
    assert set(PROFILING_POSTS) <= set(titles), titles


def test_search_works_under_a_sub_path(context, subpath_url: str) -> None:
    page = context()
    open_page(page, subpath_url + "search/?q=profiling")
    links = page.locator(RESULT).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links and all(link.startswith("/bomca/news/2017/") for link in links), links
    page.locator(RESULT).first.click()
    page.wait_for_load_state()
    assert page.url.startswith(subpath_url + "news/2017/") and page.locator("h1").count() == 1


def all_results(page) -> list[str]:
    """The titles of every result the search shows, "Load more results" pressed until it is gone."""
    page.wait_for_selector(RESULT, timeout=15000)
    more = page.locator("#search-more")
    while more.is_visible():
        more.click()
        page.wait_for_timeout(300)
    return sorted(page.locator(RESULT).all_inner_texts())


def test_search_finds_the_posts_of_every_group_of_years(context, make_site, tmp_path: Path) -> None:
    """A big archive's index: a bundle a group of years; the search page searches them as one."""
    import json

    from conftest import YEARS_SITE

    import builder.pipeline.search
    from builder.build import build_site

    out = tmp_path / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builder.pipeline.search, "GROUP_POSTS", 2)  # three groups from six posts
        build_site(make_site(YEARS_SITE), output_dir=out)
    assert json.loads((out / "pagefind/bundles.json").read_bytes()) == {"merge": ["2015/", "2017/"]}
    titles = sorted(text.split("title: ", 1)[1].split("\n", 1)[0] for text in YEARS_SITE.values())
    with serve(out) as url:
        page = context()
        open_page(page, url + "search/?q=border")
        assert all_results(page) == titles  # every post has the word: found in all three bundles
        for word, title in (
            ("sniffer", "Dogs at the Dostuk crossing"),
            ("scanners", "Scanners in Karakol"),
            ("drones", "Drones in Naryn"),
        ):
            page.locator("#search-input").fill(word)
            wait_for_titles(page, [title])


def test_without_an_index_the_search_page_says_search_is_unavailable(
    context, tmp_path: Path, real_site
) -> None:
    import shutil

    copy = tmp_path / "site"
    shutil.copytree(real_site[1], copy, ignore=shutil.ignore_patterns("pagefind"))
    with serve(copy) as url:
        page = context()
        page.goto(url + "search/")
        # the script says so once its import of the index fails, which may be after "load"
        page.locator("#search-unavailable").wait_for(state="visible", timeout=10_000)
        assert page.locator("#search-results li").count() == 0


def test_print_and_dark_styles_keep_text_readable(context, site_url: str) -> None:
    page = context(color_scheme="dark")
    page.goto(site_url + PAGES["post"])
    colours = "el => [getComputedStyle(el).color, getComputedStyle(document.body).backgroundColor]"
    text, background = page.locator(".post-body p").first.evaluate(colours)
    assert (
        background == "rgb(18, 20, 23)" and text == "rgb(231, 233, 236)"
    )  # dark: light text on a dark page
    page.emulate_media(media="print")
    text, background = page.locator(".post-body p").first.evaluate(colours)
    assert (text, background) == (
        "rgb(0, 0, 0)",
        "rgb(255, 255, 255)",
    )  # print: black on white, even from dark mode
    assert page.locator(".site-nav").is_hidden() and page.locator(".post-body").is_visible()


def wait_for_titles(page, titles: list[str]) -> None:
    """Wait until the results shown are these titles, in this order."""
    page.wait_for_function(
        "t => [...document.querySelectorAll('.search-result-title a')]"
        ".map(a => a.textContent.trim()).join('|') === t",
        arg="|".join(titles),
        timeout=15000,
    )


def front_matter(path: Path) -> dict[str, str]:
    """The simple `key: value` lines of a post's front matter (comments left out)."""
    head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
    return {
        key: value.split("  #", 1)[0].strip()
        for key, _, value in (line.partition(": ") for line in head.splitlines()[1:])
    }


def posts_of(field: str, value: str) -> list[dict[str, str]]:
    """The front matter of the repository's posts that list `value` under `field` (all of them
    for an empty `value`)."""
    from conftest import REPO

    found = []
    for path in sorted((REPO / "content/news").rglob("*.md")):
        fields = front_matter(path)
        if not value or value in [v.strip() for v in fields[field].strip("[]").split(",")]:
            found.append(fields)
    return found


@pytest.mark.parametrize(
    ("field", "value", "count"), [("countries", "Turkmenistan", 5), ("tags", "training", 7)]
)
def test_a_query_for_a_country_or_a_tag_finds_every_post_about_it(
    context, site_url: str, field: str, value: str, count: int
) -> None:
    """Failed before: "Turkmenistan" found 2 of its 5 posts, "training" 2 of its 7 (only the
    title and text were indexed, not the countries and tags)."""
    expected = posts_of(field, value)
    assert len(expected) == count  # the sample site's true numbers (content/news)
    page = context()
    open_page(page, site_url + f"search/?q={value}")
    assert all_results(page) == sorted(post["title"] for post in expected)
    assert page.locator("#search-status").inner_text() == f"News found: {count}"
    for result in page.locator(".search-result").all():  # each shows its date and countries
        assert result.locator(".search-result-date").inner_text().endswith("2017")
        assert result.locator(".search-result-countries").inner_text()
    if field == "countries":
        countries = page.locator(".search-result-countries").all_inner_texts()
        assert all(value in text for text in countries), countries


def test_a_country_filter_narrows_the_results_at_375_px(context, site_url: str) -> None:
    """Failed before: the search page offered no filters (Pagefind's index had none)."""
    page = context(viewport={"width": 375, "height": 800})
    open_page(page, site_url + "search/?q=profiling")
    assert all_results(page) == sorted(PROFILING_POSTS)
    filters = page.locator("#search-filters")
    assert filters.get_attribute("open") is None  # folded on a phone
    filters.locator("summary").click()
    kyrgyzstan = page.locator('#search-filters input[name="country"][value="Kyrgyzstan"]')
    label = page.locator('label:has(input[value="Kyrgyzstan"])').text_content() or ""
    assert " ".join(label.split()) == "Kyrgyzstan (8)"  # with the number of its posts
    kyrgyzstan.check()
    wait_for_titles(page, ["Terrorist profiling workshop in Bishkek"])
    page.locator("#search-input").fill("")  # no words: the filter alone, every Kyrgyz post
    expected = sorted(post["title"] for post in posts_of("countries", "Kyrgyzstan"))
    page.wait_for_function(
        "n => document.querySelectorAll('.search-result').length === n", arg=len(expected)
    )
    assert all_results(page) == expected and len(expected) == 8
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client == 375


def test_newest_first_orders_the_results_by_date(context, site_url: str) -> None:
    page = context()
    open_page(page, site_url + "search/?q=training")
    page.locator("#search-order").select_option("newest")
    newest = sorted(posts_of("tags", "training"), key=lambda post: post["date"], reverse=True)
    wait_for_titles(page, [post["title"] for post in newest])
    page.locator("#search-order").select_option("relevance")
    page.wait_for_function(
        "t => [document.querySelector('.search-result-title a')]"
        ".some(a => a !== null && a.textContent !== t)",
        arg=newest[0]["title"],
        timeout=15000,
    )  # back to the most relevant first


def test_newest_first_with_no_words_lists_every_post_ten_at_a_time(context, site_url: str) -> None:
    page = context()
    page.goto(site_url + "search/")
    page.locator("#search-order").select_option("newest")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 10")
    assert page.locator("#search-status").inner_text() == "News found: 14"
    more = page.locator("#search-more")
    assert more.is_visible()
    more.click()
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 14")
    assert more.is_hidden()  # every post shown
    dates = {post["title"]: post["date"] for post in posts_of("countries", "")}
    shown = [dates[title] for title in page.locator(RESULT).all_inner_texts()]
    assert len(shown) == 14 and shown == sorted(shown, reverse=True)


def test_the_filters_apply_to_every_group_of_years(context, make_site, tmp_path: Path) -> None:
    """The year and country filters narrow the results of all three bundles (groups of years)
    the search page merges: a year filter, and a country whose posts are in every group."""
    from conftest import YEARS_SITE

    import builder.pipeline.search
    from builder.build import build_site

    tajik = {"content/a.md", "content/c.md", "content/f.md"}  # 2014, 2015 and 2017
    site = {
        rel: text.replace("countries: [Kyrgyzstan]", "countries: [Tajikistan]")
        if rel in tajik
        else text
        for rel, text in YEARS_SITE.items()
    }
    out = tmp_path / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builder.pipeline.search, "GROUP_POSTS", 2)  # three groups from six posts
        build_site(make_site(site), output_dir=out)
    assert (out / "pagefind/2015/filter").is_dir() and (out / "pagefind/2017/filter").is_dir()
    with serve(out) as url:
        page = context()
        page.goto(url + "search/")
        years = page.locator('#search-filters input[name="year"]')
        years.first.wait_for(timeout=15000)
        assert [box.get_attribute("value") for box in years.all()] == [
            "2017",
            "2016",
            "2015",
            "2014",
        ]  # every group's years, newest first
        page.locator("#search-order").select_option("newest")
        page.locator('input[name="year"][value="2017"]').check()
        wait_for_titles(page, ["Drones in Naryn", "A workshop in Bishkek"])
        page.locator('input[name="year"][value="2017"]').uncheck()
        page.locator('input[name="country"][value="Tajikistan"]').check()
        page.locator("#search-input").fill("border")
        wait_for_titles(
            page, ["Drones in Naryn", "Profiling in Osh", "Dogs at the Dostuk crossing"]
        )
        page.locator('input[name="year"][value="2015"]').check()
        wait_for_titles(page, ["Profiling in Osh"])
        page.locator('input[name="year"][value="2014"]').check()  # two groups' years
        wait_for_titles(page, ["Profiling in Osh", "Dogs at the Dostuk crossing"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_a_filtered_search_at_375_px(
    context, site_url: str, scheme: str
) -> None:
    axe = require_axe()
    page = context(color_scheme=scheme, viewport={"width": 375, "height": 800})
    open_page(page, site_url + "search/?q=training")
    page.locator("#search-filters summary").click()
    page.locator('input[name="country"][value="Turkmenistan"]').check()
    page.wait_for_function(  # training and Turkmenistan: three posts
        "() => document.querySelectorAll('.search-result').length === 3", timeout=15000
    )
    results = axe.run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def test_without_javascript_the_search_page_says_so_and_offers_the_browse_links(
    context, site_url: str
) -> None:
    page = context(java_script_enabled=False)
    page.goto(site_url + "search/")
    said = page.locator("noscript p")
    assert said.is_visible() and said.inner_text() == (
        "Search needs JavaScript, which is off in your browser."
    )
    assert page.locator("#search").is_hidden()  # a form that could do nothing is not shown
    browse = page.locator(".search-browse a")
    assert browse.all_inner_texts() == ["Countries", "Tags", "Archive"]


def test_markup_in_a_title_or_text_is_shown_as_text_in_the_results(
    context, make_site, tmp_path: Path
) -> None:
    """The search page writes what the index holds as text: a title's or a text's markup is
    never made into elements, nor run."""
    from conftest import post

    from builder.build import build_site

    hostile = "<img src=x onerror=\"document.title='hacked'\">"
    title = "Radios & <b>bold</b> for Osh"
    root = make_site({"content/a.md": post(title=title, body=f"Radios `{hostile}` here.\n")})
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    with serve(out) as url:
        page = context()
        open_page(page, url + "search/?q=radios")
        assert page.locator(RESULT).all_inner_texts() == [title]
        results = page.locator("#search-results")
        assert results.locator("img, b").count() == 0
        assert results.locator("mark").count() >= 1  # the words found are marked
        excerpt = results.locator(".search-result-excerpt").inner_text()
        assert f"{title}." in excerpt and f"Radios {hostile} here." in excerpt  # as text
        assert page.title() != "hacked"


def test_a_logo_wordmark_and_the_favicons_load_and_pass_axe(
    context, make_site, tmp_path: Path
) -> None:
    from conftest import MINI_CONFIG

    from builder.build import build_site

    logo = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 24" width="120" height="24">'
        b'<rect width="120" height="24" fill="#fff"/></svg>'
    )
    config = MINI_CONFIG.replace("per_page = 2\n", 'per_page = 2\nlogo = "static/logo.svg"\n')
    news = "---\ntitle: Scanners in Karakol\ndate: 2021-01-05\ncountries: [Kyrgyzstan]\n---\nNew.\n"
    root = make_site({"content/news/2021/a.md": news, "static/logo.svg": logo}, config=config)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    axe = require_axe()
    with serve(out) as url:
        page = context()
        for path in ("", "countries/kyrgyzstan/"):
            open_page(page, url + path)
            wordmark = page.locator(".site-title img")
            assert wordmark.get_attribute("alt") == "Mini News"
            assert wordmark.evaluate("img => img.complete && img.naturalWidth") > 0  # it loaded
            results = axe.run(page, options=WCAG)
            assert results.violations_count == 0, results.generate_report()
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        svg = page.request.get(url + icon.lstrip("/"))
        ico = page.request.get(url + "favicon.ico")
        assert svg.status == 200 and svg.headers["content-type"] == "image/svg+xml"
        assert ico.status == 200 and ico.body()[:4] == b"\0\0\1\0"


def test_an_old_url_in_aliases_takes_the_browser_to_the_post(context, make_site, tmp_path) -> None:
    """Issue 20: a post renamed with `aliases: [old URL]`: opening the old URL lands on the post."""
    from conftest import post

    from builder.build import build_site

    new = "content/news/2017/2017-03-14-workshop-in-osh-region.md"
    root = make_site({new: post(extra="aliases: [/news/2017/workshop-in-osh/]\n")})
    out = tmp_path / "out"
    with serve(out) as url:
        build_site(root, output_dir=out, base_url=url)
        page = context()
        page.goto(url + "news/2017/workshop-in-osh/")
        page.wait_for_url(url + "news/2017/workshop-in-osh-region/", timeout=15000)
        assert page.locator("h1").inner_text() == "A workshop in Bishkek"
