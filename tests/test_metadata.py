"""What search engines and sharing read.

Canonical, OpenGraph, Twitter, JSON-LD, sitemap, robots, 404.
"""

from __future__ import annotations

import json
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from conftest import post

from builder.build import build_site

NASTY = '</script><script>alert(1)</script> "quotes" & ampersands'
REAL_URL = "https://bomca.example.org/"


class Head(HTMLParser):
    """The parts of a page the tests read: meta tags, links, scripts, the title and the h1."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, str] = {}
        self.scripts: list[tuple[dict, str]] = []
        self.text: dict[str, str] = {}
        self.forms: list[dict] = []
        self.hrefs: list[str] = []
        self._open: str | None = None
        self._attrs: dict = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta.setdefault(a.get("property") or a["name"], []).append(a.get("content", ""))
        elif tag == "link" and "rel" in a:
            self.links.setdefault(a["rel"], a.get("href", ""))
        elif tag == "form":
            self.forms.append(a)
        elif tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag in ("script", "title", "h1"):
            self._open, self._attrs = tag, a
            self.text.setdefault(tag, "")
            if tag == "script":
                self.scripts.append((a, ""))

    def handle_data(self, data: str) -> None:
        if self._open == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        elif self._open in ("title", "h1"):
            self.text[self._open] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def one(self, name: str) -> str:
        values = self.meta.get(name, [])
        assert len(values) == 1, (name, values)
        return values[0]

    def json_ld(self) -> dict:
        found = [
            json.loads(text)
            for attrs, text in self.scripts
            if attrs.get("type") == "application/ld+json"
        ]
        assert len(found) == 1, self.scripts
        return found[0]


def read(path: Path) -> Head:
    head = Head()
    head.feed(path.read_text(encoding="utf-8"))
    return head


def test_a_title_with_script_quotes_and_ampersands_is_escaped_everywhere(
    make_site, tmp_path: Path
) -> None:
    title = "'" + NASTY.replace("'", "''") + "'"  # single-quoted YAML
    root = make_site(
        {
            "content/news/2017/nasty.md": post(
                title=title, extra="slug: nasty\nlocation: Osh & Bishkek\n"
            )
        }
    )
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    page = out / "news/2017/nasty/index.html"
    raw = page.read_text(encoding="utf-8")
    assert (
        "<script>alert(1)" not in raw and raw.count("</script>") == 1
    )  # only the JSON-LD block closes
    head = read(page)
    assert [attrs.get("type") for attrs, _ in head.scripts] == ["application/ld+json"]
    article = head.json_ld()
    assert article["headline"] == NASTY and article["contentLocation"]["name"] == "Osh & Bishkek"
    assert head.one("og:title") == NASTY and head.one("twitter:title") == NASTY
    assert head.text["h1"] == NASTY and head.text["title"].startswith(NASTY)
    block = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block  # \u003c, \u003e, \u0026


def test_every_post_page_has_canonical_opengraph_twitter_and_a_news_article(real_site) -> None:
    _, out = real_site
    pages = sorted((out / "news").rglob("index.html"))
    assert len(pages) >= 14
    for page in pages:
        head = read(page)
        url = REAL_URL + page.parent.relative_to(out).as_posix() + "/"
        assert head.links["canonical"] == url
        assert (
            head.one("og:url") == url
            and head.one("og:type") == "article"
            and head.one("og:site_name") == "BOMCA News"
        )
        assert head.one("og:title") == head.text["h1"] == head.one("twitter:title")
        assert head.one("og:description") and head.one("twitter:card") == "summary"
        published = datetime.fromisoformat(head.one("article:published_time"))
        assert published.utcoffset() is not None
        article = head.json_ld()
        assert article["@context"] == "https://schema.org" and article["@type"] == "NewsArticle"
        assert (
            article["headline"] == head.text["h1"]
            and article["url"] == url == article["mainEntityOfPage"]
        )
        assert (
            datetime.fromisoformat(article["datePublished"]) == published
            and article["datePublished"][-6] in "+-"
        )
        assert article["about"] and all(
            a["@type"] == "Country" and a["url"].startswith(REAL_URL + "countries/")
            for a in article["about"]
        )
        assert (
            set(head.meta["article:tag"])
            == set(article["keywords"])
            >= {a["name"] for a in article["about"]}
        )
        assert article["publisher"]["name"] == "BOMCA News"


def test_other_pages_are_shared_as_the_website(real_site) -> None:
    _, out = real_site
    home = read(out / "index.html")
    assert (
        home.one("og:type") == "website"
        and home.one("og:title") == "BOMCA News"
        and home.one("og:url") == REAL_URL
    )
    assert not [a for a, _ in home.scripts if a.get("type") == "application/ld+json"]


def test_the_sitemap_lists_every_page_with_its_lastmod_and_robots_names_it(real_site) -> None:
    _, out = real_site
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = {
        u.findtext(f"{ns}loc"): u.findtext(f"{ns}lastmod")
        for u in ElementTree.parse(out / "sitemap.xml").getroot()
    }
    folders = [p.parent.relative_to(out).as_posix() for p in out.rglob("index.html")]
    pages = {REAL_URL if rel == "." else f"{REAL_URL}{rel}/" for rel in folders}
    assert (
        set(urls) == pages
    )  # every page, and only pages (not 404.html, feeds or Pagefind's files)
    newest = max(datetime.fromisoformat(v) for v in urls.values())
    for url, lastmod in urls.items():
        assert lastmod, f"{url} has no lastmod"
        assert (
            datetime.fromisoformat(lastmod).utcoffset() is not None
            and datetime.fromisoformat(lastmod) <= newest
        )
    assert (
        urls[REAL_URL + "about/"] == urls[REAL_URL] == newest.isoformat()
    )  # a page without a date is as new as the site
    assert (
        urls[REAL_URL + "news/2017/terrorist-profiling-workshop-in-bishkek/"]
        == "2017-03-14T00:00:00+06:00"
    )
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {REAL_URL}sitemap.xml" in robots.splitlines()


def test_the_404_page_offers_a_search_box_and_the_countries(real_site) -> None:
    _, out = real_site
    head = read(out / "404.html")
    assert [f["action"] for f in head.forms] == ["/search/"] and all(
        f.get("method") == "get" for f in head.forms
    )
    html = (out / "404.html").read_text(encoding="utf-8")
    assert 'type="search" name="q"' in html and '<label for="search-words">' in html
    for country in ("kazakhstan", "kyrgyzstan", "tajikistan", "turkmenistan", "uzbekistan"):
        assert f"/countries/{country}/" in head.hrefs
    assert {"/", "/countries/", "/tags/", "/archive/", "/search/"} <= set(head.hrefs)
    assert all(
        h.startswith(("/", "#")) for h in head.hrefs
    )  # absolute paths: the page works at any depth


def test_a_subpath_404_page_points_inside_the_subpath(subpath_site: Path) -> None:
    head = read(subpath_site / "404.html")
    assert [f["action"] for f in head.forms] == ["/bomca/search/"]
    assert all(h.startswith(("/bomca/", "#")) for h in head.hrefs)
