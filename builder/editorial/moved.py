"""URLs the last build published that this build does not: a moved or removed post.

What the last build published is read from its sitemap.xml, in the output folder: it survives
a deleted build cache, and it holds nothing that is not public (every page's URL and date). A
post URL in it that no post of this build has, as its URL or in its `aliases`, is a warning of
`build` and `check` (an error with `check --strict`). Where the post went is found by its date:
the sitemap gives each page the date of its post, and a post renamed or given another slug
keeps its date, so a new URL of the same date, alone of its date, is where it moved.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Mapping

from builder.errors import Problem
from builder.model import ParsedPost, Post, Site
from builder.pipeline.config import SiteConfig

SITEMAP_ENTRY = re.compile(r"<url><loc>([^<]*)</loc>(?:<lastmod>([^<]*)</lastmod>)?</url>")
POST_PATH = re.compile(r"^news/\d{4}/[^/]+/$")
SITEMAP_LIMIT = 64 * 1024 * 1024  # bytes: the sitemap of a million pages is smaller


def last_published(config: SiteConfig, sitemap: Path | None = None) -> dict[str, str]:
    """The post URLs of the last build into the output folder (site-relative paths such as
    "news/2017/x/") and the date of each, from its sitemap.xml (or from `sitemap`, e.g. the
    live site's); {} if there is none, or it is of another base URL."""
    base_url = config.base_url
    try:
        with (sitemap or config.output_dir / "sitemap.xml").open("rb") as handle:
            text = handle.read(SITEMAP_LIMIT).decode("utf-8", errors="replace")
    except OSError:
        return {}
    published = {}
    for loc, lastmod in SITEMAP_ENTRY.findall(text):
        url = html.unescape(loc)
        path = url[len(base_url) :] if url.startswith(base_url) else ""
        if POST_PATH.match(path):
            published[path] = lastmod
    return published


def gone_urls(
    site: Site, parsed: Mapping[str, ParsedPost], published: Mapping[str, str]
) -> list[Problem]:
    """A warning for each post URL of the last build that no post of this site holds now,
    naming the post it moved to when its date tells which. A post this build leaves out (a
    draft, a scheduled post: `parsed` holds them too) still holds its URL."""
    held = {post.path for post in site.posts} | {a for post in site.posts for a in post.aliases}
    held |= {found.meta.path for found in parsed.values()}
    new_by_date: dict[str, list[Post]] = {}
    for post in site.posts:
        if post.path not in published:
            new_by_date.setdefault(post.date.isoformat(), []).append(post)
    problems = []
    for path, lastmod in sorted(published.items()):
        if path in held:
            continue
        moved_to = new_by_date.get(lastmod, [])
        problems.append(moved(path, moved_to[0]) if len(moved_to) == 1 else gone(path))
    return problems


def moved(old: str, post: Post) -> Problem:
    """The last build's URL `old` is now `post`'s other URL."""
    return Problem(
        post.source,
        post.line_of("slug") if "slug" in dict(post.lines) else 1,
        f"the URL /{old} that the last build published is gone: this post is now at"
        f" /{post.path}; add aliases: [/{old}] to keep the old URL working (a redirect page),"
        " or give it back its slug",
        "warning",
    )


def gone(old: str) -> Problem:
    """The last build's URL `old` that no post holds now."""
    return Problem(
        f"/{old}",
        None,
        "the last build published this URL and no post has it now (a file renamed, a slug"
        f" changed or a post removed): add aliases: [/{old}] to the post that holds it now",
        "warning",
    )
