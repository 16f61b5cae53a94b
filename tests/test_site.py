"""The repository's own site: content/ + templates/ + site.toml, built for real."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
from conftest import REPO, SUBPATH_URL
from links import broken_links

from builder.pipeline.config import load_config


def source_posts() -> list[dict]:
    """Each post's title, year, countries and tags, read from content/ with a plain YAML load."""
    import frontmatter

    found = []
    for path in sorted((REPO / "content/news").rglob("*.md")):
        meta = frontmatter.load(path).metadata
        if not meta.get("draft"):
            found.append(
                {
                    "title": meta["title"],
                    "year": str(meta["date"])[:4],
                    "countries": meta.get("countries", []),
                    "tags": meta.get("tags", []),
                }
            )
    return found


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def test_real_site_builds_every_post_with_no_warnings(real_site) -> None:
    report, out = real_site
    posts = source_posts()
    assert report.posts == len(posts) >= 14
    assert report.warnings == ()
    assert (
        (out / "index.html").is_file()
        and (out / "404.html").is_file()
        and (out / "about/index.html").is_file()
    )


def test_every_post_is_on_its_year_country_and_tag_pages_and_feeds(real_site) -> None:
    _, out = real_site
    config = load_config(REPO)
    key_of = {c.name: c.key for c in config.countries}
    for post in source_posts():
        title = post["title"].replace("&", "&amp;")
        assert title in (out / f"archive/{post['year']}/index.html").read_text(encoding="utf-8"), (
            post["title"]
        )
        places = [f"countries/{key_of[c]}/" for c in post["countries"]] + [
            f"tags/{slug(t)}/" for t in post["tags"]
        ]
        assert places, post["title"]
        for place in places:
            assert title in (out / place / "index.html").read_text(encoding="utf-8"), (
                post["title"],
                place,
            )
            for feed in ("feed.xml", "atom.xml"):
                titles = [
                    e.title for e in feedparser.parse((out / place / feed).read_bytes()).entries
                ]
                assert post["title"] in titles, (post["title"], place, feed)


def test_countries_page_lists_all_five_with_counts(real_site) -> None:
    _, out = real_site
    page = (out / "countries/index.html").read_text(encoding="utf-8")
    for name in ("Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"):
        assert name in page


def test_every_internal_link_resolves_at_root(real_site) -> None:
    _, out = real_site
    assert broken_links(out, "https://bomca.example.org/") == []


def test_every_internal_link_resolves_under_a_sub_path(subpath_site: Path) -> None:
    assert broken_links(subpath_site, SUBPATH_URL) == []
    home = (subpath_site / "index.html").read_text(encoding="utf-8")
    assert 'href="/bomca/static/' in home and 'href="/static/' not in home
    for feed in subpath_site.rglob("*.xml"):
        text = feed.read_text(encoding="utf-8")
        assert "https://bomca.example.org" not in text
        for link in re.findall(r'(?:href="|<link>|<loc>)([^"<]+)', text):
            assert link.startswith(SUBPATH_URL), (feed, link)


def test_feeds_never_hold_the_build_time(real_site, tmp_path: Path) -> None:
    _, out = real_site
    for feed in ("feed.xml", "atom.xml"):
        text = (out / feed).read_text(encoding="utf-8")
        assert (
            "2017" in text
            and "2026" not in text
            and str(__import__("datetime").date.today().year) not in text
        )


def test_output_folder_in_repo_is_git_ignored() -> None:
    assert "/output/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
