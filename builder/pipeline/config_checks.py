"""The checks of `site.toml`'s tables: each key's rule, unknown keys and tables refused.

A new setting is one entry in SCHEMA (its check and default), one SiteConfig field
(config.py), and a line in README.md's "site.toml" section.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from builder.errors import Problem
from builder.pipeline.characters import unshowable_message
from builder.pipeline.slugs import slugify

CONFIG_NAME = "site.toml"


def _str(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "expected a non-empty string"


def _int(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "expected a whole number"
        return None if low <= value <= high else f"expected a number from {low} to {high}"

    return check


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return (
            None if value in choices else "expected one of " + ", ".join(f'"{c}"' for c in choices)
        )

    return check


URL_UNSAFE = set('"<>\\^`{|}')


def check_base_url(value: Any) -> str | None:
    """Return why `value` is not a usable base URL, or None."""
    if not isinstance(value, str):
        return 'expected a string such as "https://example.org/"'
    if any(ch.isspace() or ch in URL_UNSAFE or not ch.isprintable() for ch in value):
        return (
            "a base URL cannot hold spaces, quotes, <, > or control characters (percent-encode "
            f"them), got {value!r}"
        )
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        return (
            'expected an absolute http(s) URL such as "https://example.org/bomca/", got '
            f"{value!r} ({exc})"
        )
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return (
            f'expected an absolute http(s) URL such as "https://example.org/bomca/", got {value!r}'
        )
    if parts.query or parts.fragment:
        return "a base URL cannot have a query or fragment"
    return None


def _timezone(value: Any) -> str | None:
    if not isinstance(value, str):
        return 'expected an IANA time zone name such as "Asia/Bishkek"'
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f'unknown time zone {value!r} (use an IANA name such as "Asia/Bishkek")'
    return None


def _language(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", value)
    return None if ok else 'expected a language code such as "en"'


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "expected true or false"


def _str_list(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return None
    return "expected a list of non-empty strings"


def _iso(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}", value)
    return None if ok else 'expected a two-letter ISO 3166 code such as "KG"'


# table -> key -> (checker, default; None means required)
SCHEMA: dict[str, dict[str, tuple[Callable[[Any], str | None], Any]]] = {
    "site": {
        "title": (_str, None),
        "description": (lambda v: None if isinstance(v, str) else "expected a string", ""),
        "base_url": (check_base_url, None),
        "language": (_language, "en"),
        "timezone": (_timezone, "UTC"),
        "per_page": (_int(1, 1000), 10),
        "logo": (_str, ""),  # its file is checked by logo_problem
    },
    "feeds": {
        "items": (_int(1, 10000), 20),
        "content": (_one_of("full", "summary"), "full"),
    },
    "content": {
        "raw_html": (_bool, True),
    },
    "search": {
        "enabled": (_bool, True),
    },
}


def find_key_line(text: str, table: str, key: str | None = None) -> int | None:
    """Return the line of `[table]` (or of `key = …` inside it) in TOML text."""
    current, header_line = None, None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^\[\[?\s*([^\[\]]+?)\s*\]", line)  # [table] or [[array of tables]]
        if header:
            current = re.sub(r"\s*\.\s*", ".", header.group(1)).replace('"', "")
            if current == table:
                header_line = number
                if key is None:
                    return number
            continue
        if current == table and key is not None and re.match(rf'^"?{re.escape(key)}"?\s*=', line):
            return number
    return header_line


def check_tables(data: dict, text: str, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    """Check [site] and [feeds]; return their values with defaults filled in."""
    for name in data:
        if name not in SCHEMA and name not in ("countries", "import"):
            problems.append(
                Problem(
                    CONFIG_NAME,
                    find_key_line(text, name),
                    f"unknown table [{name}] (expected [site], [feeds], [content], [search], "
                    "[countries.<key>] or [import.tags])",
                )
            )
    values: dict[str, dict[str, Any]] = {}
    for table, keys in SCHEMA.items():
        given = data.get(table, {})
        if not isinstance(given, dict):
            problems.append(
                Problem(
                    CONFIG_NAME, find_key_line(text, table), f"{table} must be a table [{table}]"
                )
            )
            given = {}
        values[table] = {}
        for key in given:
            if key not in keys:
                known = ", ".join(keys)
                problems.append(
                    Problem(
                        CONFIG_NAME,
                        find_key_line(text, table, key),
                        f"[{table}] unknown key '{key}' (known keys: {known})",
                    )
                )
        for key, (check, default) in keys.items():
            if key not in given:
                if default is None:
                    problems.append(
                        Problem(
                            CONFIG_NAME,
                            find_key_line(text, table),
                            f"[{table}] '{key}' is required",
                        )
                    )
                values[table][key] = default
                continue
            why = check(given[key])
            if why:
                problems.append(
                    Problem(CONFIG_NAME, find_key_line(text, table, key), f"[{table}] {key}: {why}")
                )
            values[table][key] = given[key]
    return values


def check_characters(data: dict, text: str, problems: list[Problem], table: str = "") -> None:
    """Refuse a key or string holding a control character or a lone surrogate, naming its line."""
    for key, value in data.items():
        where = f"{table}.{key}" if table else key
        if isinstance(value, dict):
            check_characters(value, text, problems, where)
            continue
        for item in [key, *(value if isinstance(value, list) else [value])]:
            if isinstance(item, str) and (why := unshowable_message(item)):
                problems.append(
                    Problem(
                        CONFIG_NAME,
                        find_key_line(text, table, key) if table else find_key_line(text, key),
                        f"[{table or key}] {key}: {why}",
                    )
                )
                break


def check_import(
    given: Any, text: str, problems: list[Problem]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Check [import]: only [import.tags], each tag = a list of keywords that suggest it."""
    if not isinstance(given, dict):
        problems.append(
            Problem(CONFIG_NAME, find_key_line(text, "import"), "import must be a table [import]")
        )
        return ()
    for key in given:
        if key != "tags":
            problems.append(
                Problem(
                    CONFIG_NAME,
                    find_key_line(text, "import", key),
                    f"[import] unknown key '{key}' (known keys: tags)",
                )
            )
    tags = given.get("tags", {})
    if not isinstance(tags, dict):
        problems.append(
            Problem(
                CONFIG_NAME,
                find_key_line(text, "import", "tags"),
                '[import] tags: expected a table [import.tags] of tag = ["keyword", …]',
            )
        )
        return ()
    found = []
    for tag, keywords in tags.items():
        if not slugify(tag):
            problems.append(
                Problem(
                    CONFIG_NAME,
                    find_key_line(text, "import.tags", tag),
                    f"[import.tags] the tag '{tag}' has no letters or digits to make a URL from",
                )
            )
        elif why := _str_list(keywords):
            problems.append(
                Problem(
                    CONFIG_NAME,
                    find_key_line(text, "import.tags", tag),
                    f"[import.tags] {tag}: {why} (words that suggest the tag)",
                )
            )
        else:
            found.append((" ".join(tag.split()), tuple(" ".join(k.split()) for k in keywords)))
    return tuple(found)


LOGO_ENDINGS = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif")


def logo_problem(logo: str, root: Path, output_dir: Path) -> str | None:
    """Why `[site] logo` (a path relative to the site folder) cannot be the site's logo, or None."""
    if "\\" in logo:
        return f"{logo!r}: write the path with '/', such as \"static/logo.svg\""
    rel = PurePosixPath(logo)
    if rel.is_absolute() or ".." in rel.parts:
        return f'{logo!r}: expected a path inside the site folder, such as "static/logo.svg"'
    if any(part.startswith((".", "#", "~")) for part in rel.parts):
        return f"{logo!r}: a name starting with '.', '#' or '~' is never published"
    if not rel.name.lower().endswith(LOGO_ENDINGS):
        return f"{logo!r}: expected an image (" + ", ".join(LOGO_ENDINGS) + ")"
    if rel.parts[0] == "templates" and rel.parts[1:2] != ("static",):
        return f"{logo!r}: templates/ holds the theme; put the logo in templates/static/"
    try:
        return logo_file_problem(logo, root / rel, root, output_dir)
    except (OSError, ValueError) as exc:  # a NUL, a name too long for the file system
        return f"{logo!r} cannot be read: {getattr(exc, 'strerror', None) or exc}"


def logo_file_problem(logo: str, path: Path, root: Path, output_dir: Path) -> str | None:
    """Why the logo's file, `path`, cannot be published, or None."""
    if not path.resolve().is_relative_to(root.resolve()):
        return f"{logo!r} leads out of the site folder (a link)"
    if path.resolve().is_relative_to(output_dir.resolve()):
        return f"{logo!r} is in the output folder, which every build replaces"
    if not path.is_file():
        return f"no file {logo} in the site folder {root}"
    return None


def logo_output_path(logo: str) -> str:
    """Where the logo is published: a file of content/ or templates/static/ where it already
    is (content/images/x.png at images/x.png), any other at its own path (static/logo.svg)."""
    rel = PurePosixPath(logo).as_posix()
    for published in ("content/", "templates/"):
        if rel.startswith(published):
            return rel.removeprefix(published)
    return rel
