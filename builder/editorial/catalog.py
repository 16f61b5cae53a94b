"""The list of posts an editor asks for: date, status, countries, file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from builder.pipeline.config import load_config
from builder.errors import Problem
from builder.pipeline.posts import parse_meta, post_status
from builder.pipeline.sources import read_sources


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """One post in `newsroom list`."""

    date: datetime
    status: str  # "published", "draft" or "scheduled"
    countries: tuple[str, ...]
    source: str
    title: str


def list_posts(root: Path, *, now: datetime) -> tuple[tuple[Listing, ...], tuple[Problem, ...]]:
    """Every post that can be read, newest first, and the problems of those that cannot."""
    config = load_config(root)
    sources = read_sources(config)
    listings, problems = [], list(sources.problems)
    for source in sources.posts:
        meta = parse_meta(source, config)
        if isinstance(meta, list):
            problems += meta
            continue
        listings.append(Listing(date=meta.date, status=post_status(meta, now), countries=tuple(c.name for c in meta.countries), source=meta.source, title=meta.title))
    listings.sort(key=lambda item: (-item.date.timestamp(), item.source))
    return tuple(listings), tuple(problems)
