"""RSS 2.0 and Atom feeds with feedgen: the site's, each country's and each tag's."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from builder.model import Post
from builder.outputs import Bytes, Feed
from builder.pipeline.config import SiteConfig

if TYPE_CHECKING:  # feedgen (with lxml and dateutil) is imported only by a build that makes a feed
    from feedgen.feed import FeedGenerator

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # the 'updated' of a feed with no items
ROOT_LINK = re.compile(r'(\s(?:href|src)=")/(?!/)')


def absolute_links(html: str, base_url: str) -> str:
    """Make the site-root links of rendered Markdown absolute: feed readers need them."""
    parts = urlsplit(base_url)
    return ROOT_LINK.sub(lambda m: f"{m.group(1)}{parts.scheme}://{parts.netloc}/", html)


def render_feed(feed: Feed, config: SiteConfig) -> Bytes:
    """One RSS or Atom feed of its posts, newest first."""
    from feedgen.feed import FeedGenerator

    page_url = config.base_url + feed.home
    updated = feed.posts[0].date if feed.posts else EPOCH
    fg = FeedGenerator()
    fg.id(page_url)
    fg.title(feed.title)
    fg.subtitle(config.description or feed.title)
    fg.author(name=config.title)
    fg.link(href=config.base_url + feed.path, rel="self")
    fg.link(href=page_url, rel="alternate")  # last: feedgen makes it the RSS <link>
    fg.language(config.language)
    fg.generator("newsroom", uri=None)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for post in feed.posts:
        add_entry(fg, post, config.base_url, full=config.feed_content == "full")
    data = fg.rss_str(pretty=True) if feed.format == "rss" else fg.atom_str(pretty=True)
    return Bytes(feed.path, data)


def add_entry(fg: FeedGenerator, post: Post, base_url: str, *, full: bool) -> None:
    """One post as a feed item; its id is its first URL (its permalink unless it moved, see
    Post.first_path), never its title or a time: a reader never sees it twice."""
    url, first = base_url + post.path, base_url + post.first_path
    entry = fg.add_entry(order="append")
    entry.id(first)
    entry.guid(first, permalink=first == url)
    entry.title(post.title)
    entry.link(href=url, rel="alternate")
    entry.published(post.date)
    entry.updated(post.date)
    entry.summary(post.summary)
    if full:
        entry.content(absolute_links(str(post.html), base_url), type="html")
    for ref in post.countries + post.tags:
        entry.category(term=ref.slug, label=ref.name, scheme=base_url + ref.taxonomy + "/")
