"""Read the theme once: every template of templates/ and the strings of the site's language.

The render stage reads templates from here, never from the disk, so a template saved while a
build runs cannot give it half an old theme and half a new one. `key` is made of the bytes of
every file under templates/ (static files too): pages rendered under one key are valid only
under the same key.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from builder.errors import Problem
from builder.pipeline.config import SiteConfig

STATIC = "static/"  # copied to the output as they are (assets), not templates
STRINGS = "strings/"
REQUIRED_STRINGS = (
    "months",
    "date_format",
    "range_same_month",
    "range_same_year",
    "range_other",
    "feed_rss_title",
    "feed_atom_title",
    "feed_term_title",
    "countries_title",
    "tags_title",
    "archive_title",
    "page_title_paged",
    "not_found_title",
    "latest_news",
    "search_title",
    "chart_title",
    "chart_item",
    "chart_year",
    "chart_count",
)


@dataclass(frozen=True, slots=True)
class Theme:
    """templates/ as the build found it when it started."""

    folder: Path
    templates: Mapping[str, bytes]  # name ("base.html", "partials/x.html") → its bytes
    strings: Mapping[str, Any]  # the strings table of the site's language ({} if it has problems)
    problems: tuple[Problem, ...]  # what is wrong with the strings table
    key: str


def load_theme(config: SiteConfig) -> Theme:
    """Every file of templates/ but static/, the strings table checked, and the theme's key."""
    folder = config.templates_dir
    files = read_folder(folder)
    key = hashlib.blake2b(digest_size=16)
    for name, data in files.items():
        key.update(name.encode("utf-8", "surrogatepass") + b"\0" + data + b"\0")
    templates = {name: data for name, data in files.items() if not name.startswith(STATIC)}
    strings, problems = check_strings(config, templates.get(strings_name(config)))
    return Theme(folder, templates, strings, problems, key.hexdigest())


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by its relative name with '/', in sorted order."""
    found: dict[str, bytes] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        try:
            found[rel] = path.read_bytes()
        except OSError:
            continue  # refused where the sources are walked (walk_files), which names it
    return found


def strings_name(config: SiteConfig) -> str:
    return f"{STRINGS}{config.language}.toml"


def check_strings(
    config: SiteConfig, data: bytes | None
) -> tuple[dict[str, Any], tuple[Problem, ...]]:
    """The strings table of the site's language (templates/strings/<language>.toml), or the
    problems with it (reported with the content's)."""
    rel = (
        Path(os.path.relpath(config.templates_dir, config.root)) / strings_name(config)
    ).as_posix()
    if data is None:
        why = (
            f"no strings table for language '{config.language}': add this file (copy "
            "strings/en.toml and translate it)"
        )
        return {}, (Problem(rel, None, why),)
    try:
        table = tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        return {}, (Problem(rel, None, f"cannot be read: {exc}"),)
    missing = [key for key in REQUIRED_STRINGS if key not in table]
    if missing:
        return {}, (Problem(rel, None, "missing strings: " + ", ".join(missing)),)
    months = table["months"]
    if not (
        isinstance(months, list) and len(months) == 12 and all(isinstance(m, str) for m in months)
    ):
        return {}, (Problem(rel, None, "'months' must be a list of the 12 month names"),)
    short = table.get("months_short", [""] * 12)
    if not (
        isinstance(short, list) and len(short) == 12 and all(isinstance(m, str) for m in short)
    ):
        return {}, (Problem(rel, None, "'months_short' must be a list of 12 short month names"),)
    return table, ()
