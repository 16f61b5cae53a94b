"""Create new things for editors: a post file with valid front matter, a whole new site."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from builder.pipeline.config import SiteConfig
from builder.errors import ContentError, Problem
from builder.pipeline.fields import FieldError, countries_field, date_field, tag_ref
from builder.pipeline.slugs import slug_of_file, slugify
from builder.pipeline.unfinished import PLACEHOLDER_BODY
from builder.pipeline.sources import is_ignored, read_capped

BODY_HINT = PLACEHOLDER_BODY  # check and build warn while it is left as it is


def used_slugs(config: SiteConfig) -> set[str]:
    """Slugs of existing posts: each file name's (as a post without `slug:` has it, see
    slug_of_file) and any `slug:` line's."""
    used = set()
    for path in config.content_dir.rglob("*.md"):
        if is_ignored(path.name):
            continue
        used.add(slug_of_file(path.stem))
        try:  # a pipe, device or dangling link is not a post: the build names it
            text = read_capped(path)[0].decode("utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines()[:40]:
            if line.startswith("slug:"):
                used.add(re.sub(r"\s+#.*$", "", line[5:]).strip().strip("'\""))
    return used


def unique_slug(base: str, used: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… if another post already has it."""
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    return slug


def write_new_file(path: Path, text: str) -> None:
    """Write a file that must not exist yet (FileExistsError if it does), making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)


def create_post(
    config: SiteConfig,
    title: str,
    *,
    countries: tuple[str, ...],
    tags: tuple[str, ...] = (),
    day: str | None = None,
) -> Path:
    """Write content/news/YYYY/YYYY-MM-DD-<slug>.md with valid front matter; return its path.

    `day` and `countries` are checked by the very rules of a post's `date` and `countries`
    fields, so `new` refuses what `build` would, in the same words."""
    problems, names, when = [], [], None
    title = " ".join(title.split())
    for given in countries:
        try:
            names += [ref.name for ref in countries_field([given], config)]
        except FieldError as exc:
            problems.append(Problem("--country", None, str(exc)))
    for tag in tags:
        try:
            tag_ref(tag)
        except FieldError as exc:
            problems.append(Problem("--tag", None, str(exc)))
    if day is not None:
        try:
            when = date_field("date", day, config).date()
        except FieldError as exc:
            # "--date: '31/12/2017' is not a date: …", not "--date: 'date': '31/12/2017' …"
            problems.append(Problem("--date", None, str(exc).removeprefix("'date': ")))
    base = slugify(title)
    if not base:
        problems.append(
            Problem("TITLE", None, "the title needs some letters a-z or digits to make a URL from")
        )
    if problems:
        raise ContentError(problems)
    when = when or datetime.now(config.timezone).date()
    slug = unique_slug(base, used_slugs(config))
    path = config.content_dir / "news" / str(when.year) / f"{when.isoformat()}-{slug}.md"
    write_new_file(path, post_text(title, when, list(dict.fromkeys(names)), list(tags), slug, base))
    return path


def post_text(
    title: str, day: date, countries: list[str], tags: list[str], slug: str, base: str
) -> str:
    """A new post's text: its front matter, the date unquoted as the docs show it, then the
    placeholder body."""
    rest: dict[str, object] = {"countries": countries, "tags": tags}
    if slug != base:
        rest["slug"] = slug

    def dump(fields: dict[str, object]) -> str:  # fields one a line, lists in brackets
        return "".join(
            yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=None, width=1000)
            if isinstance(value, list)
            else yaml.safe_dump({key: value}, allow_unicode=True, width=1000)
            for key, value in fields.items()
        )

    return f"---\n{dump({'title': title})}date: {day.isoformat()}\n{dump(rest)}---\n{BODY_HINT}"


def theme_dir() -> Path:
    """The built-in theme: builder/theme in an installed wheel, templates/ in a source checkout."""
    try:
        from importlib.resources import files

        installed = Path(str(files("builder.theme")))
        if (installed / "base.html").is_file():
            return installed
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "templates"


SITE_TOML = """\
# newsroom site configuration: every key is checked, a typo is an error naming the key.

[site]
title = "{title}"
description = "News of the programme, newest first, by country and by topic."  # say what it is
base_url = "https://example.org/"   # where output/ will be published (may have a path)
language = "en"                     # picks templates/strings/en.toml
timezone = "{timezone}"             # a date without a time means midnight here
per_page = 10
# logo = "static/logo.svg"         # an image of this folder as the header's wordmark

[feeds]
items = 20
content = "full"    # or "summary"

[countries.kazakhstan]
name = "Kazakhstan"
iso = "KZ"
aliases = ["Kazakh", "Qazaqstan"]

[countries.kyrgyzstan]
name = "Kyrgyzstan"
iso = "KG"
aliases = ["Kyrgyz Republic", "Kyrgyz"]

[countries.tajikistan]
name = "Tajikistan"
iso = "TJ"
aliases = ["Tajik"]

[countries.turkmenistan]
name = "Turkmenistan"
iso = "TM"
aliases = ["Turkmen"]

[countries.uzbekistan]
name = "Uzbekistan"
iso = "UZ"
aliases = ["Uzbek"]
"""

EXAMPLE_POST = """\
---
title: Welcome to the news archive
date: {date}
countries: [Kyrgyzstan]
tags: [announcements]
---
This is the first news item of the site. Edit it, or start a new one with
`newsroom new "Title" --country Kyrgyzstan`, then run `newsroom serve` to preview.
"""


def init_site(
    target: Path,
    *,
    title: str = "Programme News",
    timezone: str = "Asia/Bishkek",
    today: date | None = None,
) -> list[Path]:
    """Create a new, working site in `target` (empty or new): config, an example post, the theme."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise ContentError(
            [
                Problem(
                    str(target),
                    None,
                    "is not empty: newsroom init makes a new site in an empty or new folder",
                )
            ]
        )
    day = today or datetime.now(ZoneInfo(timezone)).date()
    created = [
        target / "site.toml",
        target / "content" / "news" / str(day.year) / f"{day.isoformat()}-welcome.md",
    ]
    created[1].parent.mkdir(parents=True)
    created[0].write_text(
        SITE_TOML.format(title=title.replace('"', "'"), timezone=timezone), encoding="utf-8"
    )
    created[1].write_text(EXAMPLE_POST.format(date=day.isoformat()), encoding="utf-8")
    shutil.copytree(
        theme_dir(), target / "templates", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    (target / ".gitignore").write_text(
        "/output/\n/.output.*\n/.newsroom-cache/\n", encoding="utf-8"
    )  # what build and serve make
    return created + [target / "templates"]
