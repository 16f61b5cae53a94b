"""Create new things for editors: a post file with valid front matter."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import yaml

from builder.config import SiteConfig
from builder.errors import ContentError, Problem
from builder.posts import FieldError, country_index, tag_ref
from builder.slugs import slugify
from builder.sources import is_ignored

BODY_HINT = "Write the news here. The first paragraph is the summary shown on lists and in feeds.\n"


def used_slugs(config: SiteConfig) -> set[str]:
    """Slugs of existing posts, from their file names and any `slug:` line."""
    used = set()
    for path in config.content_dir.rglob("*.md"):
        if is_ignored(path.name):
            continue
        stem = path.stem
        used.add(stem[11:] if len(stem) > 11 and stem[:10].count("-") == 2 and stem[10] == "-" else stem)
        for line in path.read_text("utf-8", errors="replace").splitlines()[:40]:
            if line.startswith("slug:"):
                used.add(line[5:].strip().strip("'\""))
            if line.startswith("title:"):
                used.add(slugify(line[6:].strip().strip("'\"")))
    return used


def create_post(config: SiteConfig, title: str, *, countries: tuple[str, ...], tags: tuple[str, ...] = (), day: date | None = None) -> Path:
    """Write content/news/YYYY/YYYY-MM-DD-<slug>.md with valid front matter; return its path."""
    problems = []
    title = " ".join(title.split())
    index = country_index(config.countries)
    names = []
    for given in countries:
        country = index.get(given.casefold())
        if country is None:
            problems.append(Problem("--country", None, f"unknown country '{given}'; known: {', '.join(c.name for c in config.countries)}"))
        else:
            names.append(country.name)
    for tag in tags:
        try:
            tag_ref(tag)
        except FieldError as exc:
            problems.append(Problem("--tag", None, str(exc)))
    base = slugify(title)
    if not base:
        problems.append(Problem("TITLE", None, "the title needs some letters a-z or digits to make a URL from"))
    if problems:
        raise ContentError(problems)
    day = day or datetime.now(config.timezone).date()
    used = used_slugs(config)
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    path = config.content_dir / "news" / str(day.year) / f"{day.isoformat()}-{slug}.md"
    front = {"title": title, "date": day.isoformat(), "countries": names, "tags": list(tags)}
    if slug != base:
        front["slug"] = slug
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000) + "---\n" + BODY_HINT
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
