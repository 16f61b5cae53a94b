"""The front-matter fields: each one's rule, and the check of a file's fields against them.

A new field is one more check here (and its entry in POST_FIELDS), one more PostMeta field
(model.py), and a line in docs/editing.md.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from builder.errors import Problem
from builder.model import SourceFile, TermRef
from builder.pipeline.config import Country, SiteConfig
from builder.pipeline.slugs import MAX_SLUG, is_slug, slugify

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE, FALSE = {"true", "yes", "on"}, {"false", "no", "off"}
MIN_YEAR, MAX_YEAR = 2, 9998


class FieldError(ValueError):
    """A front-matter value that breaks its field's rule."""


def text_field(name: str, value: Any, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(f"'{name}' is empty: give the post a {name}")
        return None
    if not isinstance(value, str):
        raise FieldError(f"'{name}' must be text, not a list or a group of fields")
    return " ".join(value.split())


def date_field(name: str, value: Any, config: SiteConfig) -> datetime:
    """`YYYY-MM-DD` (midnight in the site's timezone) or an ISO datetime with offset."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(f"'{name}' must be a date such as 2017-03-14")
    value = value.strip()
    if DATE_RE.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise FieldError(f"'{name}': {value} is not a real date ({exc})") from None
        check_year(name, value, day.year, config)
        return in_whole_minutes(datetime(day.year, day.month, day.day, tzinfo=config.timezone))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(
            f"'{name}': '{value}' is not a date: write YYYY-MM-DD (e.g. 2017-03-14) or "
            "YYYY-MM-DDTHH:MM+06:00"
        ) from None
    if moment.tzinfo is None:
        raise FieldError(
            f"'{name}': '{value}' has a time but no offset: add one (e.g. {value}+06:00) or give "
            "only the date"
        )
    try:
        local = moment.astimezone(config.timezone)
    except OverflowError:  # before the year 1 or after 9999 in the site's time zone
        local = datetime.min if moment.year < 5000 else datetime.max
    check_year(name, value, local.year, config)
    return in_whole_minutes(local, keep="instant")


def check_year(name: str, value: str, year: int, config: SiteConfig) -> None:
    """Years 1 and 9999 overflow when moved to another time zone: refuse them plainly. The year
    is the one in the site's time zone (0002-01-01T00:00+23:59 is in the year 1 there)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FieldError(
            f"'{name}': {value} is out of range: newsroom takes dates from the year {MIN_YEAR} to "
            f"{MAX_YEAR} (in the site's time zone, {config.timezone.key})"
        )


def in_whole_minutes(moment: datetime, keep: str = "wall clock") -> datetime:
    """`moment` with its offset rounded to whole minutes if it has seconds (local mean time,
    such as Bishkek's +04:58:24 before 1924): RSS, Atom, HTML and JSON-LD take only minutes.
    A date keeps its day and midnight (`keep="wall clock"`); a time given with its offset keeps
    its instant (`keep="instant"`)."""
    offset = moment.utcoffset()
    if offset is None or offset % timedelta(minutes=1) == timedelta(0):
        return moment
    rounded = timezone(timedelta(minutes=round(offset / timedelta(minutes=1))))
    return moment.astimezone(rounded) if keep == "instant" else moment.replace(tzinfo=rounded)


def bool_field(name: str, value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise FieldError(f"'{name}' must be true or false")


def list_field(name: str, value: Any, example: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldError(f"'{name}' must be a list, e.g. {name}: [{example}]")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise FieldError(
                f"'{name}' must be a list of names, e.g. {name}: [{example}]; found {item!r}"
            )
    return value


def country_index(countries: tuple[Country, ...]) -> dict[str, Country]:
    """Every name, key, ISO code and alias, case-folded, → its country."""
    index: dict[str, Country] = {}
    for country in countries:
        for label in (country.key, country.name, country.iso, *country.aliases):
            index[label.casefold()] = country
    return index


def countries_field(value: Any, config: SiteConfig) -> tuple[TermRef, ...]:
    index = country_index(config.countries)
    found: dict[str, Country] = {}
    for name in list_field("countries", value, "Kyrgyzstan, Tajikistan"):
        country = index.get(" ".join(name.split()).casefold())
        if country is None:
            close = difflib.get_close_matches(name.casefold(), list(index), n=1, cutoff=0.6)
            hint = f" (did you mean '{index[close[0]].name}'?)" if close else ""
            known = ", ".join(c.name for c in config.countries)
            raise FieldError(f"unknown country '{name}'{hint}; known countries: {known}")
        found[country.key] = country
    order = [c.key for c in config.countries]
    return tuple(
        term_ref("countries", c.key, c.name)
        for c in sorted(found.values(), key=lambda c: order.index(c.key))
    )


@functools.cache
def term_ref(taxonomy: str, slug: str, name: str) -> TermRef:
    """One TermRef object for each term: many posts share it, and the cache pickles it once."""
    return TermRef(taxonomy=taxonomy, slug=slug, name=name)


def tag_ref(name: str) -> TermRef:
    """One tag: spaces and case do not matter ('Risk  management' = 'risk management')."""
    spelled = " ".join(name.split())
    slug = slugify(spelled)
    if not slug:
        raise FieldError(f"the tag '{name}' has no letters or digits to make a URL from")
    return term_ref("tags", slug, spelled)


def tags_field(value: Any) -> tuple[TermRef, ...]:
    refs: dict[str, TermRef] = {}
    for name in list_field("tags", value, "training, customs"):
        ref = tag_ref(name)
        refs.setdefault(ref.slug, ref)
    return tuple(refs.values())


def unknown_fields(source: SourceFile, known: tuple[str, ...]) -> list[Problem]:
    """A key that is not a field is an error, with a did-you-mean."""
    problems = []
    for key, field in source.fields.items():
        if key not in known:
            close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(
                Problem(
                    source.rel,
                    field.line,
                    f"unknown field '{key}'{hint}; the fields are: {', '.join(known)}",
                )
            )
    return problems


def check_fields(
    source: SourceFile, checks: dict[str, Callable[[Any], Any]], required: tuple[str, ...]
) -> tuple[dict[str, Any], list[Problem]]:
    """Run each field's check; collect a problem per bad or missing field."""
    problems = unknown_fields(source, tuple(checks))
    values: dict[str, Any] = {}
    for name, check in checks.items():
        field = source.fields.get(name)
        if field is None and name in required:
            problems.append(Problem(source.rel, 1, f"the field '{name}' is missing"))
            continue
        try:
            values[name] = check(field.value if field else None)
        except FieldError as exc:
            problems.append(Problem(source.rel, field.line if field else 1, str(exc)))
    return values, problems


ALIAS_RE = re.compile(r"^(?:/[A-Za-z0-9._~-]+)+(?:/|\.html)$")


def aliases_field(value: Any) -> tuple[str, ...]:
    """Old URLs of the post, site-relative ("/news/2017/old-slug/"), oldest first; kept as paths
    without the leading '/' ("news/2017/old-slug/"), like a post's own path."""
    found: list[str] = []
    for given in list_field("aliases", value, "/news/2017/old-slug/"):
        alias = given.strip()
        parts = alias.split("/")
        if not ALIAS_RE.match(alias) or any(part in (".", "..") for part in parts):
            raise FieldError(
                f"'aliases': '{alias}' is not an old URL of this site: write it as a path such as"
                " /news/2017/old-slug/ (from the site's root, starting and ending with '/',"
                " letters, digits, '-', '_', '.' and '~' only, no '..', query or '#')"
            )
        if alias[1:] not in found:
            found.append(alias[1:])
    return tuple(found)


def slug_field(value: Any) -> str | None:
    text = text_field("slug", value)
    if text is not None and not is_slug(text):
        raise FieldError(
            "'slug' must be lowercase a-z, 0-9 and single '-' between words (e.g. "
            f"{slugify(text) or 'workshop-in-bishkek'}), not '{text}'"
        )
    if text is not None and len(text) > MAX_SLUG:
        raise FieldError(
            f"'slug' is {len(text)} characters long: keep it to {MAX_SLUG} (it is a folder name "
            "in the output)"
        )
    return text
