"""Plan the feeds: RSS 2.0 and Atom of the whole site and of every country and tag with news,
and the links to them that pages name in their head."""

from __future__ import annotations

from typing import Any, Mapping

from builder.model import Site, Term
from builder.outputs import Feed
from builder.pipeline.contexts import FeedLink

RSS, ATOM = "application/rss+xml", "application/atom+xml"


def feeds_of(site: Site, strings: Mapping[str, Any]) -> list[Feed]:
    """RSS and Atom of the whole site, then of every country and tag with news."""
    wanted = [(site.config.title, "", site.posts)]
    for taxonomy in (site.countries, site.tags):
        wanted += [
            (term_feed_title(site, term, strings), term.path, term.posts)
            for term in taxonomy.terms
            if term.posts
        ]
    items = site.config.feed_items
    return [
        Feed(path=home + name, format=kind, title=title, home=home, posts=posts[:items])
        for title, home, posts in wanted
        for name, kind in (("feed.xml", "rss"), ("atom.xml", "atom"))
    ]


def feed_links(title: str, base: str, strings: Mapping[str, Any]) -> tuple[FeedLink, ...]:
    """The RSS and Atom feeds kept under `base` ("" for the site, "tags/x/" for a term)."""
    return (
        FeedLink(
            title=strings["feed_rss_title"].format(title=title), path=base + "feed.xml", type=RSS
        ),
        FeedLink(
            title=strings["feed_atom_title"].format(title=title), path=base + "atom.xml", type=ATOM
        ),
    )


def term_feed_title(site: Site, term: Term, strings: Mapping[str, Any]) -> str:
    """'BOMCA News – Kyrgyzstan'."""
    return strings["feed_term_title"].format(site=site.config.title, term=term.name)
