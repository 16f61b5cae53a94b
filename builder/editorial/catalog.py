"""The list of posts an editor asks for: date, status, countries, file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from builder.pipeline.config import load_config
from builder.errors import ContentError, Problem
from builder.pipeline.posts import parse_meta, post_status
from builder.pipeline.sources import find_sources, read_all


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
    sources = find_sources(config)
    problems = list(sources.problems)
    listings = []
    for source in read_all([config.root / rel for rel, _ in sources.posts], config.root, problems):
        try:
            meta = parse_meta(source, config)
        except ContentError as exc:
            problems += exc.problems
            continue
        listings.append(
            Listing(
                date=meta.date,
                status=post_status(meta, now),
                countries=tuple(c.name for c in meta.countries),
                source=meta.source,
                title=meta.title,
            )
        )
    listings.sort(key=lambda item: (-item.date.timestamp(), item.source))
    return tuple(listings), tuple(problems)
