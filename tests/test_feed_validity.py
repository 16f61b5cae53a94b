"""Feeds checked against their specifications: Atom against RFC 4287's RELAX NG schema,
RSS 2.0's rules, every link inside a feed, and the newest items of a busy term."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import FIXTURE_SITE, SUBPATH_URL
from links import file_for
from tools import python_module, require_tool

from builder.build import check_site

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ATOM = "{http://www.w3.org/2005/Atom}"
REAL_URL = "https://bomca.example.org/"
# RFC 822 (with RFC 1123's four-digit year), as RSS 2.0 asks:
# "Sat, 07 Sep 2002 00:00:01 GMT" or "+0600".
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} ([+-]\d{4}|GMT|UT|[ECMP][SD]T)$"
)


def etree():
    require_tool("lxml", python_module("lxml"), "python3 -m pip install -e '.[test]'")
    from lxml import etree as lxml_etree

    return lxml_etree


def sites(real_site, golden_site: Path) -> list[tuple[Path, str]]:
    """(output folder, base URL) of the real site and the fixture site."""
    return [(real_site[1], REAL_URL), (golden_site, SUBPATH_URL)]


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [value for name, value in attrs if name in ("href", "src") and value]


def html_refs(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    return parser.refs


def missing_target(out: Path, base_url: str, url: str) -> str | None:
    """Why a link in a feed does not lead to a page of the output, or None if it does."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"not absolute: {url}"
    if parts.netloc != base.netloc:
        return None  # another site's page
    return None if file_for(out, parts.path, base.path) else f"no such page: {url}"


def test_every_atom_feed_is_valid_against_the_rfc_4287_schema(real_site, golden_site: Path) -> None:
    lxml_etree = etree()
    schema = lxml_etree.RelaxNG(lxml_etree.parse(str(SCHEMAS / "atom.rng")))
    checked = []
    for out, _ in sites(real_site, golden_site):
        for path in sorted(out.rglob("atom.xml")):
            doc = lxml_etree.parse(str(path))
            assert schema.validate(doc), f"{path}: {schema.error_log}"
            feed = doc.getroot()
            entries = feed.findall(f"{ATOM}entry")
            # The schema's Schematron rules, which RELAX NG alone does not check:
            assert feed.find(f"{ATOM}author") is not None or all(
                e.find(f"{ATOM}author") is not None for e in entries
            ), path
            for entry in entries:
                assert entry.find(f"{ATOM}content") is not None or any(
                    link.get("rel", "alternate") == "alternate"
                    for link in entry.findall(f"{ATOM}link")
                ), path
            checked.append(path)
    assert len(checked) > 20


def test_the_atom_schema_rejects_a_broken_feed() -> None:
    lxml_etree = etree()
    schema = lxml_etree.RelaxNG(lxml_etree.parse(str(SCHEMAS / "atom.rng")))
    no_id = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
        b"<updated>2017-01-01T00:00:00Z</updated></feed>"
    )
    bad_date = no_id.replace(b"<title>", b"<id>https://example.org/</id><title>").replace(
        b"2017-01-01T00:00:00Z", b"1 January 2017"
    )
    assert not schema.validate(lxml_etree.fromstring(no_id))
    assert not schema.validate(lxml_etree.fromstring(bad_date))
    assert schema.validate(
        lxml_etree.fromstring(bad_date.replace(b"1 January 2017", b"2017-01-01T00:00:00+06:00"))
    )


def rss_problems(path: Path, lxml_etree) -> list[str]:
    """What an RSS file lacks of the RSS 2.0 specification (rssboard.org/rss-specification)."""
    problems = []
    root = lxml_etree.parse(str(path)).getroot()
    if root.tag != "rss" or root.get("version") != "2.0":
        return [f'root is <{root.tag} version={root.get("version")}>, not <rss version="2.0">']
    channels = root.findall("channel")
    if len(channels) != 1:
        return [f"{len(channels)} <channel> elements"]
    channel = channels[0]
    for name in ("title", "link", "description"):  # required of a channel
        if not (channel.findtext(name) or "").strip():
            problems.append(f"channel has no <{name}>")
    if not (channel.findtext("link") or "").startswith("http"):
        problems.append(f"channel <link> is not absolute: {channel.findtext('link')}")
    for name in ("pubDate", "lastBuildDate"):
        value = channel.findtext(name)
        if value is not None and not RFC822.match(value):
            problems.append(f"channel <{name}> is not an RFC 822 date: {value}")
    guids = []
    for item in channel.findall("item"):
        title = (item.findtext("title") or item.findtext("description") or "")[:40]
        if not (item.findtext("title") or item.findtext("description")):
            problems.append("an item has neither <title> nor <description>")
        link = item.findtext("link") or ""
        if not link.startswith(("http://", "https://")):
            problems.append(f"{title}: <link> is not absolute: {link!r}")
        guid = item.find("guid")
        if guid is None or not (guid.text or "").strip():
            problems.append(f"{title}: no <guid>")
        else:
            guids.append(guid.text)
            if guid.get("isPermaLink", "true") == "true" and not guid.text.startswith(
                ("http://", "https://")
            ):
                problems.append(f"{title}: a permalink <guid> that is not a URL: {guid.text}")
        date = item.findtext("pubDate")
        if date is None or not RFC822.match(date):
            problems.append(f"{title}: <pubDate> is not an RFC 822 date: {date!r}")
        else:
            parsedate_to_datetime(date)  # and it is a real date
        for category in item.findall("category"):
            if not (category.text or "").strip():
                problems.append(f"{title}: an empty <category>")
    if len(guids) != len(set(guids)):
        problems.append("guids are not unique")
    return problems


def test_every_rss_feed_has_what_rss_2_requires(real_site, golden_site: Path) -> None:
    lxml_etree = etree()
    feeds = [
        path for out, _ in sites(real_site, golden_site) for path in sorted(out.rglob("feed.xml"))
    ]
    assert len(feeds) > 20
    problems = [
        f"{path}: {problem}" for path in feeds for problem in rss_problems(path, lxml_etree)
    ]
    assert problems == []


def test_the_rss_rules_catch_a_broken_feed(tmp_path: Path) -> None:
    lxml_etree = etree()
    bad = tmp_path / "feed.xml"
    bad.write_text(
        '<rss version="2.0"><channel><title>x</title><link>/</link>'
        "<item><title>a</title><link>/a/</link><guid>/a/</guid><pubDate>2017-03-14</pubDate></item>"
        "<item><title>b</title><link>https://e.org/b/</link><guid>/a/</guid><pubDate>Tue, 14 Mar "
        "2017 00:00:00 +0600</pubDate></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    problems = " | ".join(rss_problems(bad, lxml_etree))
    for expected in (
        "no <description>",
        "<link> is not absolute",
        "not an RFC 822 date",
        "guids are not unique",
        "permalink <guid>",
    ):
        assert expected in problems, problems


def feed_links(path: Path, lxml_etree) -> list[str]:
    """Every URL a feed names: its links, ids, guids, category schemes, links in the posts' HTML."""
    urls = []
    for element in lxml_etree.parse(str(path)).getroot().iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if local == "link":
            urls.append(element.get("href") or element.text or "")
        elif local in ("id", "guid"):
            urls.append(element.text or "")
        elif local == "category":
            urls += [v for v in (element.get("scheme"), element.get("domain")) if v]
        elif (
            local in ("content", "encoded", "description", "summary")
            and element.get("type", "html") == "html"
        ):
            urls += html_refs(element.text or "")
    return [url.strip() for url in urls if url.strip()]


def test_every_link_inside_every_feed_leads_to_a_page_of_the_output(
    real_site, golden_site: Path, subpath_site: Path
) -> None:
    lxml_etree = etree()
    broken, count = [], 0
    for out, base_url in [*sites(real_site, golden_site), (subpath_site, SUBPATH_URL)]:
        for path in sorted(out.rglob("*.xml")):
            if path.name == "sitemap.xml":
                continue
            for url in feed_links(path, lxml_etree):
                count += 1
                why = missing_target(out, base_url, url)
                if why:
                    broken.append(f"{path.relative_to(out)}: {why}")
    assert count > 500
    assert broken == []


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_a_busy_term_feed_holds_exactly_its_newest_items(golden_site: Path, name: str) -> None:
    lxml_etree = etree()
    rendered = check_site(FIXTURE_SITE)
    items = rendered.site.config.feed_items
    busy = [
        term
        for taxonomy in (rendered.site.countries, rendered.site.tags)
        for term in taxonomy.terms
        if term.count > items
    ]
    assert busy, "the fixture site needs a country or tag with more posts than [feeds] items"
    for term in busy:
        root = lxml_etree.parse(str(golden_site / term.path / name)).getroot()
        if name == "feed.xml":
            entries = [
                (i.findtext("title"), parsedate_to_datetime(i.findtext("pubDate")))
                for i in root.iter("item")
            ]
        else:
            entries = [
                (e.findtext(f"{ATOM}title"), datetime.fromisoformat(e.findtext(f"{ATOM}updated")))
                for e in root.iter(f"{ATOM}entry")
            ]
        newest = sorted(term.posts, key=lambda p: p.date, reverse=True)[:items]
        assert [title for title, _ in entries] == [p.title for p in newest], term.path
        assert [date for _, date in entries] == [p.date for p in newest]
        oldest_shown = entries[-1][1]
        assert all(p.date <= oldest_shown for p in term.posts if p not in newest)
