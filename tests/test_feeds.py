"""Feeds read back with feedparser: order, counts, ids, absolute links, offsets."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from builder.build import build_site

BASE = "https://example.org/bomca/"


@pytest.fixture
def built(fixture_site: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    build_site(fixture_site, output_dir=out)
    return out


def read(out: Path, rel: str):
    feed = feedparser.parse((out / rel).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_site_feed_is_newest_first_and_holds_the_configured_count(built: Path, name: str) -> None:
    feed = read(built, name)
    titles = [e.title for e in feed.entries]
    assert titles == [
        "National workshop on profiling in Bishkek",
        "Donor coordination meetings in Astana & Bishkek",
        "E-commerce workshops for customs",
    ]  # items = 3 in the fixture's site.toml; 6 posts exist; the draft is not there


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_country_and_tag_feeds_hold_only_their_posts(built: Path, name: str) -> None:
    tajik = [e.title for e in read(built, f"countries/tajikistan/{name}").entries]
    assert tajik == ["E-commerce workshops for customs", "Morning briefing for Tajik border guards"]
    risk = [e.title for e in read(built, f"tags/risk-management/{name}").entries]
    assert risk == ["Risk management assessment <in> Kyrgyz Customs"]
    kyrgyz = [e.title for e in read(built, f"countries/kyrgyzstan/{name}").entries]
    assert (
        len(kyrgyz) == 3 and kyrgyz[0] == "National workshop on profiling in Bishkek"
    )  # 5 posts, newest 3


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_items_have_permalink_ids_absolute_links_offsets_and_categories(
    built: Path, name: str
) -> None:
    for entry in read(built, name).entries:
        assert entry.id == entry.link and entry.link.startswith(BASE + "news/2017/")
        published = entry.get("published")
        assert published and ("+0600" in published or "+06:00" in published), published
        terms = {t.get("label") or t.term for t in entry.tags}
        assert terms, entry.title
    first = read(built, name).entries[0]
    assert {"Kyrgyzstan", "training", "profiling"} <= {t.get("label") or t.term for t in first.tags}
    body = first.content[0].value
    assert f'href="{BASE}news/2017/e-commerce-workshops-for-customs/"' in body
    assert f'href="{BASE}archive/"' in body and 'href="/' not in body


def test_feed_updated_is_the_newest_item_not_the_build_time(built: Path) -> None:
    assert read(built, "atom.xml").feed.updated == "2017-03-14T00:00:00+06:00"
    assert "<lastBuildDate>Tue, 14 Mar 2017 00:00:00 +0600</lastBuildDate>" in (
        built / "feed.xml"
    ).read_text(encoding="utf-8")
    assert read(built, "countries/tajikistan/atom.xml").feed.updated == "2017-02-15T00:00:00+06:00"


def test_every_page_names_the_site_feeds_and_term_pages_their_own(built: Path) -> None:
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert (
            f'type="application/rss+xml" title="Fixture News (RSS)" href="{BASE}feed.xml"' in html
        ), page
        assert f'href="{BASE}atom.xml"' in html, page
    term = (built / "tags/customs/index.html").read_text(encoding="utf-8")
    assert (
        f'href="{BASE}tags/customs/feed.xml"' in term
        and f'href="{BASE}tags/customs/atom.xml"' in term
    )
    assert 'href="/bomca/tags/customs/feed.xml"' in term  # the visible link


def test_summary_only_feeds(make_site, tmp_path: Path) -> None:
    from conftest import MINI_CONFIG, post

    root = make_site(
        {"content/a.md": post(body="First paragraph.\n\nSecond paragraph.\n")},
        config=MINI_CONFIG.replace("items = 3", 'items = 3\ncontent = "summary"'),
    )
    build_site(root, output_dir=tmp_path / "out")
    entry = read(tmp_path / "out", "atom.xml").entries[0]
    assert entry.summary == "First paragraph." and "content" not in entry
    assert "content:encoded" not in (tmp_path / "out/feed.xml").read_text(encoding="utf-8")
