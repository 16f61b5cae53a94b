"""Which countries and places a text names: the gazetteer, shipped in data, extendable by a site."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from builder.pipeline.config import Country, SiteConfig, find_key_line, nesting_problem
from builder.errors import ConfigError, Problem

GAZETTEER_NAME = "gazetteer.toml"
SHIPPED = "builder/data/gazetteer.toml"
COUNTRY_KEYS = {
    "places": "cities, towns and border crossing points",
    "words": "adjectives and other names",
}
REGION_KEYS = {
    "phrases": "phrases naming several countries",
    "countries": "the country keys they name",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Gazetteer:
    """Names that point at countries; a later entry for a name has overridden an earlier one."""

    places: tuple[tuple[str, str], ...]  # (place, country key): may become a post's location
    words: tuple[tuple[str, str], ...]  # (word, country key)
    regions: tuple[tuple[str, tuple[str, ...]], ...]  # (phrase, country keys)


@dataclass(frozen=True, slots=True, kw_only=True)
class Mentions:
    """What a text names: country keys by first mention, places in order, region phrases."""

    countries: tuple[str, ...]
    places: tuple[str, ...]
    regions: tuple[str, ...]


def load_gazetteer(config: SiteConfig) -> Gazetteer:
    """The shipped gazetteer, the site's country names and aliases, then its gazetteer.toml."""
    problems: list[Problem] = []
    shipped = resources.files("builder").joinpath("data", GAZETTEER_NAME).read_text("utf-8")
    places, words, regions = read_gazetteer(
        shipped, SHIPPED, config.countries, problems, strict=False
    )
    for country in config.countries:
        words.update({name: country.key for name in (country.name, *country.aliases)})
    site_file = config.root / GAZETTEER_NAME
    if site_file.is_file():
        try:
            text = site_file.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                [
                    Problem(
                        GAZETTEER_NAME, None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
                    )
                ]
            ) from None
        more_places, more_words, more_regions = read_gazetteer(
            text, GAZETTEER_NAME, config.countries, problems, strict=True
        )
        for name, key in more_places.items():
            words.pop(name, None)
            places[name] = key
        for name, key in more_words.items():
            places.pop(name, None)
            words[name] = key
        regions.update(more_regions)
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: (p.path, p.line or 0)))
    return Gazetteer(
        places=tuple(places.items()), words=tuple(words.items()), regions=tuple(regions.items())
    )


def read_gazetteer(
    text: str, rel: str, countries: tuple[Country, ...], problems: list[Problem], *, strict: bool
) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, ...]]]:
    """Check a gazetteer file; entries for countries the site lacks are errors only if `strict`."""
    too_deep = nesting_problem(text, rel)
    if too_deep:
        problems.append(too_deep)
        return {}, {}, {}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        problems.append(
            Problem(
                rel,
                int(found.group(1)) if found else None,
                f"not valid TOML: {re.sub(r' *[(]at line.*', '', str(exc))}",
            )
        )
        return {}, {}, {}
    known = {c.key for c in countries}
    places: dict[str, str] = {}
    words: dict[str, str] = {}
    regions: dict[str, tuple[str, ...]] = {}
    for table in data:
        if table not in ("countries", "regions"):
            problems.append(
                Problem(
                    rel,
                    find_key_line(text, table),
                    f"unknown table [{table}] (expected [countries.<key>] or [regions.<name>])",
                )
            )
    for key, entry in _tables(data, "countries", COUNTRY_KEYS, text, rel, problems):
        if key not in known:
            if strict:
                problems.append(
                    Problem(
                        rel,
                        find_key_line(text, f"countries.{key}"),
                        f"[countries.{key}] is not a country of site.toml (known: "
                        f"{', '.join(sorted(known))})",
                    )
                )
            continue
        places.update({name: key for name in entry.get("places", [])})
        words.update({name: key for name in entry.get("words", [])})
    for name, entry in _tables(data, "regions", REGION_KEYS, text, rel, problems):
        unknown = [k for k in entry.get("countries", []) if k not in known]
        if unknown and strict:
            problems.append(
                Problem(
                    rel,
                    find_key_line(text, f"regions.{name}", "countries"),
                    f"[regions.{name}] countries: {', '.join(unknown)} not in site.toml (known: "
                    f"{', '.join(sorted(known))})",
                )
            )
        keys = tuple(k for k in entry.get("countries", []) if k in known)
        regions.update({phrase: keys for phrase in entry.get("phrases", []) if keys})
    return places, words, regions


def _tables(
    data: dict, group: str, schema: dict[str, str], text: str, rel: str, problems: list[Problem]
) -> list[tuple[str, dict]]:
    """The well-formed [group.<name>] tables: known keys, each a list of non-empty strings."""
    given = data.get(group, {})
    if not isinstance(given, dict):
        problems.append(
            Problem(rel, find_key_line(text, group), f"{group} must be tables [{group}.<name>]")
        )
        return []
    good = []
    for name, entry in given.items():
        where = f"{group}.{name}"
        if not isinstance(entry, dict):
            problems.append(
                Problem(
                    rel,
                    find_key_line(text, group, name),
                    f"[{where}] must be a table with {' and '.join(schema)}",
                )
            )
            continue
        bad = False
        for key, value in entry.items():
            if key not in schema:
                bad = True
                problems.append(
                    Problem(
                        rel,
                        find_key_line(text, where, key),
                        f"[{where}] unknown key '{key}' (known keys: {', '.join(schema)})",
                    )
                )
            elif not (
                isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
            ):
                bad = True
                problems.append(
                    Problem(
                        rel,
                        find_key_line(text, where, key),
                        f"[{where}] {key}: expected a list of non-empty strings ({schema[key]})",
                    )
                )
        if not bad:
            good.append(
                (name, {key: [" ".join(v.split()) for v in value] for key, value in entry.items()})
            )
    return good


def find_mentions(text: str, gazetteer: Gazetteer) -> Mentions:
    """The countries, places and region phrases `text` names, in the order it names them."""
    hits: list[
        tuple[int, tuple[str, ...], str | None, str | None]
    ] = []  # (where, keys, place, region)
    for match in _name_pattern(gazetteer.places).finditer(text):
        hits.append(
            (
                match.start(),
                (_lookup(match, gazetteer.places),),
                _canonical(match, gazetteer.places),
                None,
            )
        )
    for match in _name_pattern(gazetteer.words).finditer(text):
        hits.append((match.start(), (_lookup(match, gazetteer.words),), None, None))
    for match in _name_pattern(gazetteer.regions, fold=True).finditer(text):
        phrase = _canonical(match, gazetteer.regions)
        hits.append((match.start(), dict(gazetteer.regions)[phrase], None, phrase))
    hits.sort(key=lambda hit: hit[0])
    countries = tuple(dict.fromkeys(key for _, keys, _, _ in hits for key in keys))
    places = tuple(dict.fromkeys(place for _, _, place, _ in hits if place))
    regions = tuple(dict.fromkeys(region for _, _, _, region in hits if region))
    return Mentions(countries=countries, places=places, regions=regions)


@lru_cache(maxsize=32)
def _name_pattern(entries: tuple[tuple[str, object], ...], fold: bool = False) -> re.Pattern[str]:
    """One pattern for all names, longest first, whole words only, apostrophes and spaces loose."""
    names = sorted({name for name, _ in entries}, key=len, reverse=True)
    variants = []
    for name in names:
        for spelling in {name} if fold else {name, name.upper()}:
            variants.append(re.escape(spelling).replace("'", "['’ʼ]").replace(r"\ ", r"\s+"))
    body = "|".join(variants) or r"(?!x)x"
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE if fold else 0)


def _folded(name: str) -> str:
    """A name with spaces, apostrophes and case evened out, for comparing."""
    return re.sub(r"['’ʼ]", "'", " ".join(name.split())).casefold()


def _canonical(match: re.Match[str], entries: tuple[tuple[str, object], ...]) -> str:
    """The gazetteer's spelling of the name that matched."""
    wanted = _folded(match.group(0))
    return next((name for name, _ in entries if _folded(name) == wanted), match.group(0))


def _lookup(match: re.Match[str], entries: tuple[tuple[str, str], ...]) -> str:
    """The country key of the name that matched."""
    return dict(entries)[_canonical(match, entries)]
