"""RSS 2.0 and Atom feeds with feedgen: the site's, each country's and each tag's."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import urlsplit

from builder.model import Artifact, Post, Site
from builder.pipeline.plan import term_feed_title

if TYPE_CHECKING:  # feedgen (with lxml and dateutil) is imported only by a build that makes a feed
    from feedgen.feed import FeedGenerator

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # the 'updated' of a feed with no items
ROOT_LINK = re.compile(r'(\s(?:href|src)=")/(?!/)')


def absolute_links(html: str, base_url: str) -> str:
    """Make the site-root links of rendered Markdown absolute: feed readers need them."""
    parts = urlsplit(base_url)
    return ROOT_LINK.sub(lambda m: f"{m.group(1)}{parts.scheme}://{parts.netloc}/", html)


def render_feed_pair(site: Site, *, title: str, base: str, posts: tuple[Post, ...]) -> list[Artifact]:
    """RSS at `base`feed.xml and Atom at `base`atom.xml: the newest posts, newest first."""
    from feedgen.feed import FeedGenerator

    config = site.config
    page_url = config.base_url + base
    items = posts[: config.feed_items]
    updated = items[0].date if items else EPOCH
    out = []
    for name, kind in (("feed.xml", "rss"), ("atom.xml", "atom")):
        fg = FeedGenerator()
        fg.id(page_url)
        fg.title(title)
        fg.subtitle(config.description or title)
        fg.author(name=config.title)
        fg.link(href=config.base_url + base + name, rel="self")
        fg.link(href=page_url, rel="alternate")  # last: feedgen makes it the RSS <link>
        fg.language(config.language)
        fg.generator("newsroom", uri=None)
        fg.updated(updated)
        fg.lastBuildDate(updated)
        for post in items:
            add_entry(fg, post, config.base_url, full=config.feed_content == "full")
        data = fg.rss_str(pretty=True) if kind == "rss" else fg.atom_str(pretty=True)
        out.append(Artifact(path=base + name, data=data))
    return out


def add_entry(fg: FeedGenerator, post: Post, base_url: str, *, full: bool) -> None:
    """One post as a feed item; its id is its permalink, never its title or a time."""
    url = base_url + post.path
    entry = fg.add_entry(order="append")
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(post.title)
    entry.link(href=url, rel="alternate")
    entry.published(post.date)
    entry.updated(post.date)
    entry.summary(post.summary)
    if full:
        entry.content(absolute_links(str(post.html), base_url), type="html")
    for ref in post.countries + post.tags:
        entry.category(term=ref.slug, label=ref.name, scheme=base_url + ref.taxonomy + "/")


def render_feeds(site: Site, strings: Mapping[str, Any], memory: Any = None) -> list[Artifact]:
    """Every feed of the site, in a fixed order; a feed whose items did not change is kept."""
    wanted = [(site.config.title, "", site.posts)]
    for taxonomy in (site.countries, site.tags):
        wanted += [(term_feed_title(site, term, strings), term.path, term.posts) for term in taxonomy.terms if term.posts]
    artifacts: list[Artifact] = []
    for title, base, posts in wanted:
        items = posts[: site.config.feed_items]
        shows = tuple([post.source for post in items])
        kept = [memory.reuse(base + name, lambda name=name, shown=(title, base, items): (name, *shown), shows) for name in ("feed.xml", "atom.xml")] if memory else [None, None]
        artifacts += kept if all(kept) else render_feed_pair(site, title=title, base=base, posts=posts)
    return artifacts
