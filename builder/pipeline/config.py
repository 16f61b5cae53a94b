"""Read `site.toml` once, check every key, and return an immutable SiteConfig."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from builder.pipeline.characters import unshowable_message
from builder.digest import digest_bytes
from builder.errors import ConfigError, Problem
from builder.pipeline.slugs import slugify

CONFIG_NAME = "site.toml"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_KEY = 80  # a country key is a folder name in the output


@dataclass(frozen=True, slots=True, kw_only=True)
class Country:
    """A country posts can be about; `key` is also its URL slug."""

    key: str
    name: str
    iso: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    """Everything `site.toml` and the command line decide, checked."""

    root: Path
    title: str
    description: str
    base_url: str  # absolute, ends with "/"
    language: str
    timezone: ZoneInfo
    per_page: int
    feed_items: int
    feed_content: str  # "full" or "summary"
    countries: tuple[Country, ...]
    output_dir: Path
    import_tags: tuple[
        tuple[str, tuple[str, ...]], ...
    ] = ()  # [import.tags]: (tag, keywords) for `newsroom import`
    raw_html: bool = True  # [content] raw_html: HTML written in a post is kept (trusted editors) or shown as text
    search: bool = True  # [search] enabled: a /search/ page and Pagefind's index of the posts
    digest: str = (
        ""  # of site.toml's bytes: what was parsed under one config is valid under the same
    )

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. "/bomca/" (always starts and ends with "/")."""
        return urlsplit(self.base_url).path

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"


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
        return f"a base URL cannot hold spaces, quotes, <, > or control characters (percent-encode them), got {value!r}"
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        return f'expected an absolute http(s) URL such as "https://example.org/bomca/", got {value!r} ({exc})'
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
COUNTRY_SCHEMA = {"name": (_str, None), "iso": (_iso, None), "aliases": (_str_list, [])}


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


def load_config(
    root: Path, *, base_url: str | None = None, output_dir: Path | None = None
) -> SiteConfig:
    """Read and check `root/site.toml`; command-line values override the file's."""
    root = Path(root).resolve()
    path = root / CONFIG_NAME
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            [Problem(CONFIG_NAME, None, f"not found in {root} (is --root the site folder?)")]
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [Problem(CONFIG_NAME, None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(
            [
                Problem(
                    CONFIG_NAME,
                    int(found.group(1)) if found else None,
                    f"not valid TOML: {message}",
                )
            ]
        ) from None
    problems: list[Problem] = []
    if base_url is not None:
        why = check_base_url(base_url)
        if why:  # blame the option, not the line of site.toml it replaces
            problems.append(Problem("--base-url", None, why))
        elif isinstance(data.get("site", {}), dict):
            data.setdefault("site", {})["base_url"] = base_url
    _check_characters(data, text, problems)
    values = _check_tables(data, text, problems)
    countries = _check_countries(data.get("countries", {}), text, problems)
    import_tags = _check_import(data.get("import", {}), text, problems)
    if problems:
        raise ConfigError(problems)
    url = values["site"]["base_url"]
    return SiteConfig(
        root=root,
        title=values["site"]["title"].strip(),
        description=values["site"]["description"].strip(),
        base_url=url if url.endswith("/") else url + "/",
        language=values["site"]["language"],
        timezone=ZoneInfo(values["site"]["timezone"]),
        per_page=values["site"]["per_page"],
        feed_items=values["feeds"]["items"],
        feed_content=values["feeds"]["content"],
        raw_html=values["content"]["raw_html"],
        search=values["search"]["enabled"],
        countries=countries,
        import_tags=import_tags,
        output_dir=Path(output_dir).resolve() if output_dir else root / "output",
        digest=digest_bytes(raw).hex(),
    )


def _check_tables(data: dict, text: str, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    """Check [site] and [feeds]; return their values with defaults filled in."""
    for name in data:
        if name not in SCHEMA and name not in ("countries", "import"):
            problems.append(
                Problem(
                    CONFIG_NAME,
                    find_key_line(text, name),
                    f"unknown table [{name}] (expected [site], [feeds], [content], [search], [countries.<key>] or [import.tags])",
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


def _check_characters(data: dict, text: str, problems: list[Problem], table: str = "") -> None:
    """Refuse a key or string holding a control character or a lone surrogate, naming its line."""
    for key, value in data.items():
        where = f"{table}.{key}" if table else key
        if isinstance(value, dict):
            _check_characters(value, text, problems, where)
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


def _check_import(
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


def _check_countries(given: Any, text: str, problems: list[Problem]) -> tuple[Country, ...]:
    """Check every [countries.<key>] table; return them sorted by name."""
    if not isinstance(given, dict):
        problems.append(
            Problem(
                CONFIG_NAME,
                find_key_line(text, "countries"),
                "countries must be tables [countries.<key>]",
            )
        )
        return ()
    countries = []
    for key, table in given.items():
        where = f"countries.{key}"
        if not SLUG_RE.match(key) or len(key) > MAX_KEY:
            problems.append(
                Problem(
                    CONFIG_NAME,
                    find_key_line(text, where),
                    f"[{where}] the key is used in URLs: use lowercase a-z, 0-9 and '-', at most {MAX_KEY} characters",
                )
            )
            continue
        if not isinstance(table, dict):
            problems.append(
                Problem(
                    CONFIG_NAME,
                    find_key_line(text, "countries", key),
                    f"[{where}] must be a table with name, iso and aliases",
                )
            )
            continue
        bad = False
        for field in table:
            if field not in COUNTRY_SCHEMA:
                bad = True
                problems.append(
                    Problem(
                        CONFIG_NAME,
                        find_key_line(text, where, field),
                        f"[{where}] unknown key '{field}' (known keys: name, iso, aliases)",
                    )
                )
        for field, (check, default) in COUNTRY_SCHEMA.items():
            if field not in table and default is None:
                bad = True
                problems.append(
                    Problem(
                        CONFIG_NAME, find_key_line(text, where), f"[{where}] '{field}' is required"
                    )
                )
            elif field in table and (why := check(table[field])):
                bad = True
                problems.append(
                    Problem(
                        CONFIG_NAME, find_key_line(text, where, field), f"[{where}] {field}: {why}"
                    )
                )
        if not bad:
            countries.append(
                Country(
                    key=key,
                    name=table["name"].strip(),
                    iso=table["iso"].upper(),
                    aliases=tuple(a.strip() for a in table.get("aliases", [])),
                )
            )
    _check_country_names(countries, text, problems)
    return tuple(sorted(countries, key=lambda c: (c.name.casefold(), c.key)))


def _check_country_names(countries: list[Country], text: str, problems: list[Problem]) -> None:
    """Each name, key, ISO code and alias must point at one country only."""
    seen: dict[str, str] = {}
    for country in countries:
        for label in {country.key, country.name, country.iso, *country.aliases}:
            folded = label.casefold()
            other = seen.setdefault(folded, country.key)
            if other != country.key:
                line = find_key_line(text, f"countries.{country.key}")
                problems.append(
                    Problem(
                        CONFIG_NAME,
                        line,
                        f"[countries.{country.key}] '{label}' also names [countries.{other}]",
                    )
                )
