"""What a build makes: the outputs it plans, and the files they become. No I/O here.

The plan (pipeline/plan.py) lists every output of the site as one of the `Planned` kinds; the
render stage turns each into an `OutputFile`; the write stage puts the files in place. A new
kind of output is one more dataclass here, one more case where outputs are rendered
(pipeline/render.py render_outputs) and fingerprinted (incremental/fingerprint.py value_of).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Mapping

from builder.model import Post, output_file

# --- planned outputs ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One HTML page to render: its URL path, its template and what the template receives."""

    path: str  # site-relative URL path: "" for home, "news/2017/x/", "404.html"
    template: str
    context: Mapping[str, object]  # one of the contexts of pipeline/contexts.py
    updated: datetime | None = None  # newest post shown; for the sitemap's lastmod
    in_sitemap: bool = True
    shows: tuple[str, ...] | None = ()  # sources of the posts the context holds; None: any post
    file: str = field(init=False, repr=False, compare=False)  # "news/2017/x/index.html"

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", output_file(self.path))


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """An RSS 2.0 or Atom feed: the newest posts of the site or of one country or tag."""

    path: str  # "feed.xml", "tags/training/atom.xml"
    format: Literal["rss", "atom"]
    title: str
    home: str  # site-relative path of what the feed is about: "" (the site) or "tags/training/"
    posts: tuple[Post, ...]  # its items, newest first

    @property
    def file(self) -> str:
        return self.path

    @property
    def shows(self) -> tuple[str, ...]:
        return tuple([post.source for post in self.posts])


@dataclass(frozen=True, slots=True, kw_only=True)
class Sitemap:
    """sitemap.xml: every page meant for search engines, with the date of its newest post."""

    pages: tuple[tuple[str, datetime | None], ...]  # (site-relative path, lastmod)
    file: str = "sitemap.xml"
    shows: tuple[str, ...] = ()  # which pages there are and their dates: the site's shape only


@dataclass(frozen=True, slots=True, kw_only=True)
class Robots:
    """robots.txt: allows everything and names the sitemap."""

    file: str = "robots.txt"
    shows: tuple[str, ...] = ()


Planned = Page | Feed | Sitemap | Robots


# --- output files ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bytes:
    """A file made in memory."""

    path: str  # its path under the output folder, with "/"
    data: bytes


@dataclass(frozen=True, slots=True)
class Copy:
    """A file copied as it is (an image of content/, a file of templates/static/)."""

    path: str
    source: Path


@dataclass(frozen=True, slots=True)
class Kept:
    """A file the last build left in the output that is exactly what this build would make."""

    path: str


@dataclass(frozen=True, slots=True)
class Staged:
    """A file a render worker already wrote into the writer's staging folder (pipeline/write.py
    PageSink), so that a big build never holds its pages in memory."""

    path: str
    size: int


OutputFile = Bytes | Copy | Kept | Staged
