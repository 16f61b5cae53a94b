"""The checks of `site.toml`'s [countries.<key>] tables: the countries posts can be about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from builder.errors import Problem
from builder.pipeline.config_checks import CONFIG_NAME, _iso, _str, _str_list, find_key_line

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_KEY = 80  # a country key is a folder name in the output
COUNTRY_SCHEMA = {"name": (_str, None), "iso": (_iso, None), "aliases": (_str_list, [])}


@dataclass(frozen=True, slots=True, kw_only=True)
class Country:
    """A country posts can be about; `key` is also its URL slug."""

    key: str
    name: str
    iso: str
    aliases: tuple[str, ...] = ()


def check_countries(given: Any, text: str, problems: list[Problem]) -> tuple[Country, ...]:
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
    found = [check_country(key, table, text, problems) for key, table in given.items()]
    countries = [country for country in found if country is not None]
    check_country_names(countries, text, problems)
    return tuple(sorted(countries, key=lambda c: (c.name.casefold(), c.key)))


def check_country_names(countries: list[Country], text: str, problems: list[Problem]) -> None:
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


def check_country(key: str, table: Any, text: str, problems: list[Problem]) -> Country | None:
    """One [countries.<key>] table as a Country; None (and its problems added) when wrong."""
    where = f"countries.{key}"

    def wrong(line: int | None, message: str) -> None:
        problems.append(Problem(CONFIG_NAME, line, f"[{where}] {message}"))

    if not SLUG_RE.match(key) or len(key) > MAX_KEY:
        wrong(
            find_key_line(text, where),
            f"the key is used in URLs: use lowercase a-z, 0-9 and '-', at most {MAX_KEY} "
            "characters",
        )
        return None
    if not isinstance(table, dict):
        wrong(find_key_line(text, "countries", key), "must be a table with name, iso and aliases")
        return None
    before = len(problems)
    for field in table:
        if field not in COUNTRY_SCHEMA:
            wrong(
                find_key_line(text, where, field),
                f"unknown key '{field}' (known keys: name, iso, aliases)",
            )
    for field, (check, default) in COUNTRY_SCHEMA.items():
        if field not in table and default is None:
            wrong(find_key_line(text, where), f"'{field}' is required")
        elif field in table and (why := check(table[field])):
            wrong(find_key_line(text, where, field), f"{field}: {why}")
    if len(problems) > before:
        return None
    return Country(
        key=key,
        name=table["name"].strip(),
        iso=table["iso"].upper(),
        aliases=tuple(a.strip() for a in table.get("aliases", [])),
    )
