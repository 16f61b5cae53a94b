"""The theme's lists, favicon and logo, on mini-sites built for real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import MINI_CONFIG, REPO

from builder.build import build_site
from builder.cli import cli


def post(title: str, day: str, body: str, summary: str | None = None) -> str:
    extra = f"summary: {summary}\n" if summary else ""
    return f"---\ntitle: {title}\ndate: {day}\ncountries: [Kyrgyzstan]\n{extra}---\n{body}\n"


def read_more_links(html: str) -> dict[str, str]:
    """Each post of a list → the accessible text of its "Read more" link ('' when it has none)."""
    found = {}
    for item in re.findall(r'<article class="post-summary">(.*?)</article>', html, re.DOTALL):
        title = re.search(r'class="post-summary-title"><a href="[^"]*">([^<]*)</a>', item)[1]
        link = re.search(r'<p class="read-more"><a href="([^"]*)">(.*?)</a></p>', item)
        found[title] = re.sub(r"<[^>]+>", "", link[2]) + " → " + link[1] if link else ""
    return found


def test_read_more_only_when_the_list_shows_less_than_the_whole_post(
    make_site, tmp_path: Path
) -> None:
    long_text = " ".join(["word"] * 80)  # longer than a summary: the list cuts it
    root = make_site(
        {
            "content/news/2021/short.md": post("Short", "2021-01-05", "All of it."),
            "content/news/2021/two.md": post("Two", "2021-01-04", "First.\n\nSecond."),
            "content/news/2021/long.md": post("Long", "2021-01-03", long_text),
            "content/news/2021/own.md": post("Own", "2021-01-02", "The body.", "Other words"),
            "content/news/2021/picture.md": post(
                "Picture", "2021-01-01", "Look. ![a map](https://example.org/map.png)"
            ),
            "content/news/2021/same.md": post("Same", "2021-01-06", "Said once.", "Said once."),
        },
        config=MINI_ONE_PAGE,
    )
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    expected = {
        "Short": "",
        "Two": "Read more: Two → /news/2021/two/",
        "Long": "Read more: Long → /news/2021/long/",
        "Own": "Read more: Own → /news/2021/own/",
        "Picture": "Read more: Picture → /news/2021/picture/",
        "Same": "",
    }
    for page in ("index.html", "countries/kyrgyzstan/index.html", "archive/2021/index.html"):
        assert read_more_links((out / page).read_text(encoding="utf-8")) == expected, page
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<p class="summary">All of it.</p>' in home  # the whole post is in the list


MINI_ONE_PAGE = """\
[site]
title = "Mini News"
base_url = "https://example.org/"
per_page = 10

[countries.kyrgyzstan]
name = "Kyrgyzstan"
iso = "KG"
"""


def test_every_page_links_the_svg_favicon_and_the_root_has_favicon_ico(
    make_site, tmp_path: Path
) -> None:
    root = make_site({"content/news/2021/short.md": post("Short", "2021-01-05", "All of it.")})
    out = tmp_path / "out"
    build_site(root, output_dir=out, base_url="https://example.org/bomca/")
    ico = (out / "favicon.ico").read_bytes()
    assert ico == (REPO / "templates/static/favicon.ico").read_bytes()
    assert ico[:4] == b"\0\0\1\0" and len(ico) < 2048  # an icon file, and a small one
    svg = (out / "static/favicon.svg").read_text(encoding="utf-8")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<script" not in svg
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:  # under the sub-path, only the link tag finds the icon
        html = page.read_text(encoding="utf-8")
        assert '<link rel="icon" href="/bomca/static/favicon.svg" type="image/svg+xml">' in html


def test_a_favicon_ico_of_the_content_is_published_instead_of_the_themes(
    make_site, tmp_path: Path
) -> None:
    own = b"\0\0\1\0 the site's own icon"
    root = make_site(
        {
            "content/news/2021/short.md": post("Short", "2021-01-05", "All of it."),
            "content/favicon.ico": own,
        }
    )
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    assert (out / "favicon.ico").read_bytes() == own


LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 90 20">'
    b'<rect width="90" height="20"/></svg>'
)
NEWS = {"content/news/2021/short.md": post("Short", "2021-01-05", "All of it.")}


def with_logo(logo: str) -> str:
    return MINI_CONFIG.replace("per_page = 2\n", f'per_page = 2\nlogo = "{logo}"\n')


def headers(out: Path) -> set[str]:
    """The site-title link of every page."""
    found = set()
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        found |= set(re.findall(r'<a class="site-title" href="[^"]*">.*?</a>', html, re.DOTALL))
    return found


@pytest.mark.parametrize(
    ("logo", "file", "published"),
    [
        ("static/logo.svg", "static/logo.svg", "static/logo.svg"),  # a folder of the site's own
        ("./static//logo.svg", "static/logo.svg", "static/logo.svg"),  # the same, written loosely
        ("templates/static/brand.svg", "templates/static/brand.svg", "static/brand.svg"),
        ("content/images/logo.svg", "content/images/logo.svg", "images/logo.svg"),
    ],
)
def test_a_logo_in_site_toml_is_the_wordmark_of_every_page(
    make_site, tmp_path: Path, logo: str, file: str, published: str
) -> None:
    root = make_site({**NEWS, file: LOGO}, config=with_logo(logo))
    out = tmp_path / "out"
    build_site(root, output_dir=out, base_url="https://example.org/bomca/")
    assert (out / published).read_bytes() == LOGO
    assert headers(out) == {
        '<a class="site-title" href="/bomca/"><img class="site-logo"'
        f' src="/bomca/{published}" alt="Mini News"></a>'
    }


def test_without_a_logo_the_title_is_the_wordmark(make_site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site(make_site(NEWS), output_dir=out)
    assert headers(out) == {'<a class="site-title" href="/">Mini News</a>'}


def test_a_new_logo_file_alone_is_published_by_the_next_build(make_site, tmp_path: Path) -> None:
    root = make_site({**NEWS, "static/logo.svg": LOGO}, config=with_logo("static/logo.svg"))
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    (root / "static/logo.svg").write_bytes(LOGO.replace(b"<rect", b"<circle r='9'"))
    build_site(root, output_dir=out)  # nothing else changed: the logo is a source too
    assert (out / "static/logo.svg").read_bytes() == (root / "static/logo.svg").read_bytes()


@pytest.mark.parametrize(
    ("logo", "why"),
    [
        ("static/logo.svg", "no file static/logo.svg in the site folder"),
        ("../logo.svg", "expected a path inside the site folder"),
        ("content/#drafts/logo.svg", "a name starting with '.', '#' or '~' is never published"),
        (".newsroom-cache/logo.svg", "a name starting with '.', '#' or '~' is never published"),
        ("static/logo.txt", "expected an image (.svg, .png"),
        ("templates/base.svg", "templates/ holds the theme; put the logo in templates/static/"),
        ("output/logo.svg", "is in the output folder, which every build replaces"),
        ("x" * 300 + ".svg", "cannot be read: File name too long"),  # not a traceback
        ("static\\\\logo.svg", "write the path with '/'"),
    ],
)
def test_a_logo_that_cannot_be_published_is_an_error_at_its_line(
    make_site, runner, logo: str, why: str
) -> None:
    root = make_site(NEWS, config=with_logo(logo))
    (root / "output").mkdir()
    (root / "output/logo.svg").write_bytes(LOGO)
    (root / "output/index.html").write_text("before", encoding="utf-8")
    result = runner.invoke(cli, ["build", "--root", str(root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    line = with_logo(logo).splitlines().index(f'logo = "{logo}"') + 1
    assert f"site.toml:{line}: [site] logo: " in result.output and why in result.output
    assert (root / "output/index.html").read_text(encoding="utf-8") == "before"
