"""Check each post's front matter, then render its body: SourceFile → PostMeta → Post."""

from __future__ import annotations

import difflib
import functools
import re
from datetime import date, datetime
from typing import Any, Callable, Mapping

from builder.pipeline.config import Country, SiteConfig
from builder.errors import Problem
from builder.pipeline.markup import MarkdownRenderer, cut_at_word, find_too_complex, first_paragraph
from builder.model import Body, Doc, Post, PostMeta, SourceFile, TermRef, publication_status
from builder.pipeline.slugs import MAX_SLUG, is_slug, slugify

POST_FIELDS = ("title", "date", "end_date", "countries", "tags", "summary", "slug", "draft", "location")
DOC_FIELDS = ("title", "summary", "slug")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE, FALSE = {"true", "yes", "on"}, {"false", "no", "off"}
TITLE_LIMIT = 120
MIN_YEAR, MAX_YEAR = 2, 9998
LONG_OPENING = 300


class FieldError(ValueError):
    """A front-matter value that breaks its field's rule."""


def _text(name: str, value: Any, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(f"'{name}' is empty: give the post a {name}")
        return None
    if not isinstance(value, str):
        raise FieldError(f"'{name}' must be text, not a list or a group of fields")
    return " ".join(value.split())


def _date(name: str, value: Any, config: SiteConfig) -> datetime:
    """`YYYY-MM-DD` (midnight in the site's timezone) or an ISO datetime with offset."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(f"'{name}' must be a date such as 2017-03-14")
    value = value.strip()
    if DATE_RE.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise FieldError(f"'{name}': {value} is not a real date ({exc})") from None
        check_year(name, value, day.year)
        return datetime(day.year, day.month, day.day, tzinfo=config.timezone)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(f"'{name}': '{value}' is not a date: write YYYY-MM-DD (e.g. 2017-03-14) or YYYY-MM-DDTHH:MM+06:00") from None
    if moment.tzinfo is None:
        raise FieldError(f"'{name}': '{value}' has a time but no offset: add one (e.g. {value}+06:00) or give only the date")
    check_year(name, value, moment.year)
    return moment.astimezone(config.timezone)


def check_year(name: str, value: str, year: int) -> None:
    """Years 1 and 9999 overflow when moved to another time zone: refuse them plainly."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FieldError(f"'{name}': {value} is out of range: newsroom takes dates from the year {MIN_YEAR} to {MAX_YEAR}")


def _bool(name: str, value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise FieldError(f"'{name}' must be true or false")


def _list(name: str, value: Any, example: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldError(f"'{name}' must be a list, e.g. {name}: [{example}]")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise FieldError(f"'{name}' must be a list of names, e.g. {name}: [{example}]; found {item!r}")
    return value


def country_index(countries: tuple[Country, ...]) -> dict[str, Country]:
    """Every name, key, ISO code and alias, case-folded, → its country."""
    index: dict[str, Country] = {}
    for country in countries:
        for label in (country.key, country.name, country.iso, *country.aliases):
            index[label.casefold()] = country
    return index


def _countries(value: Any, config: SiteConfig) -> tuple[TermRef, ...]:
    index = country_index(config.countries)
    found: dict[str, Country] = {}
    for name in _list("countries", value, "Kyrgyzstan, Tajikistan"):
        country = index.get(" ".join(name.split()).casefold())
        if country is None:
            close = difflib.get_close_matches(name.casefold(), list(index), n=1, cutoff=0.6)
            hint = f" (did you mean '{index[close[0]].name}'?)" if close else ""
            known = ", ".join(c.name for c in config.countries)
            raise FieldError(f"unknown country '{name}'{hint}; known countries: {known}")
        found[country.key] = country
    order = [c.key for c in config.countries]
    return tuple(term_ref("countries", c.key, c.name) for c in sorted(found.values(), key=lambda c: order.index(c.key)))


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


def _tags(value: Any) -> tuple[TermRef, ...]:
    refs: dict[str, TermRef] = {}
    for name in _list("tags", value, "training, customs"):
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
            problems.append(Problem(source.rel, field.line, f"unknown field '{key}'{hint}; the fields are: {', '.join(known)}"))
    return problems


def check_fields(source: SourceFile, checks: dict[str, Callable[[Any], Any]], required: tuple[str, ...]) -> tuple[dict[str, Any], list[Problem]]:
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


def parse_meta(source: SourceFile, config: SiteConfig) -> PostMeta | list[Problem]:
    """Check one post's front matter."""
    checks: dict[str, Callable[[Any], Any]] = {
        "title": lambda v: _text("title", v, required=True),
        "date": lambda v: _date("date", v, config),
        "end_date": lambda v: None if v is None else _date("end_date", v, config).date(),
        "countries": lambda v: _countries(v, config),
        "tags": _tags,
        "summary": lambda v: _text("summary", v),
        "slug": _slug,
        "draft": lambda v: _bool("draft", v),
        "location": lambda v: _text("location", v),
    }
    values, problems = check_fields(source, checks, ("title", "date"))
    if "title" in values and "slug" in values and not values["slug"]:
        values["slug"] = slugify(values["title"])
        if not values["slug"]:
            problems.append(Problem(source.rel, source.fields["title"].line, "the title has no letters a-z or digits to make a URL from: add a 'slug' field"))
    if not problems and values["end_date"] and values["end_date"] < values["date"].date():
        problems.append(Problem(source.rel, source.fields["end_date"].line, f"'end_date' {values['end_date']} is before 'date' {values['date'].date()}"))
    problems += body_problems(source)
    if problems:
        return problems
    return PostMeta(source=source.rel, lines=shared_lines(tuple((key, field.line) for key, field in source.fields.items())), **values)


# Most posts have the same fields on the same lines: one object serves them all (about 700
# bytes a post otherwise, held twice: as PostMeta.lines and as Post.lines). Nothing changes
# these once made.
@functools.lru_cache(maxsize=256)
def shared_lines(items: tuple[tuple[str, int], ...]) -> dict[str, int]:
    """Field → line, one dict for equal fields and lines."""
    return dict(items)


@functools.lru_cache(maxsize=256)
def sorted_lines(items: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    """Field → line as Post keeps it (sorted pairs), one tuple for equal fields and lines."""
    return tuple(sorted(items))


def _slug(value: Any) -> str | None:
    text = _text("slug", value)
    if text is not None and not is_slug(text):
        raise FieldError(f"'slug' must be lowercase a-z, 0-9 and single '-' between words (e.g. {slugify(text) or 'workshop-in-bishkek'}), not '{text}'")
    if text is not None and len(text) > MAX_SLUG:
        raise FieldError(f"'slug' is {len(text)} characters long: keep it to {MAX_SLUG} (it is a folder name in the output)")
    return text


RESERVED = ("news", "countries", "tags", "archive", "page", "static", "feed.xml", "atom.xml", "sitemap.xml", "robots.txt", "404.html")


def doc_slug(source: SourceFile) -> str:
    """A page's slug: its valid `slug` field, else its file name made into a slug."""
    given = source.fields.get("slug")
    if given and isinstance(given.value, str) and is_slug(given.value.strip()):
        return given.value.strip()
    return slugify(source.path.stem) or "page"


def slug_line(item: PostMeta | SourceFile) -> int:
    """The line a message about a source's URL names: its slug, else (a post) its title, else 1."""
    if isinstance(item, PostMeta):
        return item.lines.get("slug", item.lines.get("title", 1))
    return item.fields["slug"].line if "slug" in item.fields else 1


def check_unique_paths(metas: list[PostMeta], docs: tuple[SourceFile, ...]) -> list[Problem]:
    """Two sources that would write the same URL are an error naming both files."""
    problems, seen = [], {}
    for doc in docs:
        slug = doc_slug(doc)
        if slug in RESERVED:
            problems.append(Problem(doc.rel, slug_line(doc), f"the page would have the URL /{slug}/, which newsroom makes itself: give it another 'slug'"))
    entries = [(m.source, m.path, m) for m in metas] + [(d.rel, doc_slug(d) + "/", d) for d in docs]
    for source, path, item in sorted(entries, key=lambda entry: entry[0]):
        if path in seen:
            problems.append(Problem(source, slug_line(item), f"the URL /{path} is also the URL of {seen[path]}: give one of them another 'slug'"))
        else:
            seen[path] = source
    return problems


def post_status(meta: PostMeta, now: datetime) -> str:
    """'draft', 'scheduled' (dated after `now`) or 'published'."""
    return publication_status(meta.draft, meta.date.timestamp(), now.timestamp())


def render_body(meta: PostMeta, source: SourceFile, renderer: MarkdownRenderer, content_rel: str) -> Body:
    """Render the body and derive the summary and the editorial warnings."""
    rendered = renderer.render(source.body, source=source.rel, content_rel=content_rel, line=source.body_line)
    opening = first_paragraph(rendered.html)
    return Body(
        html=rendered.html, summary=meta.summary or cut_at_word(opening),
        warnings=rendered.warnings + tuple(editorial_warnings(meta, opening)),
        lookups=rendered.lookups, links=rendered.links,
    )


def make_post(meta: PostMeta, body: Body, *, scheduled: bool = False) -> Post:
    """A post from its checked front matter and rendered body."""
    return Post(
        source=meta.source, slug=meta.slug, title=meta.title, date=meta.date, end_date=meta.end_date,
        location=meta.location, countries=meta.countries, tags=meta.tags, summary=body.summary,
        html=body.html, draft=meta.draft, scheduled=scheduled, lines=sorted_lines(tuple(meta.lines.items())), links=body.links,
    )


def editorial_warnings(meta: PostMeta, opening: str) -> list[Problem]:
    """What an editor should look at although the post builds."""
    found = []
    if not meta.countries:
        found.append(Problem(meta.source, meta.lines.get("countries", 1), "the post names no country: add e.g. countries: [Kyrgyzstan]", "warning"))
    if len(meta.title) > TITLE_LIMIT:
        found.append(Problem(meta.source, meta.lines["title"], f"the title is {len(meta.title)} characters long: keep it under {TITLE_LIMIT}", "warning"))
    if meta.summary is None and len(opening) > LONG_OPENING:
        found.append(Problem(meta.source, 1, f"the first paragraph is {len(opening)} characters long and lists and feeds cut it: add a 'summary'", "warning"))
    return found


def body_problems(source: SourceFile) -> list[Problem]:
    """A body Markdown cannot render in reasonable time (nested too deep, or too tangled)."""
    found = find_too_complex(source.body)
    return [] if found is None else [Problem(source.rel, source.body_line + found[0], found[1])]


def parse_doc(source: SourceFile, renderer: MarkdownRenderer, content_rel: str) -> Doc | list[Problem]:
    """A standalone page (content/pages/x.md): title, optional summary and slug."""
    checks: dict[str, Callable[[Any], Any]] = {
        "title": lambda v: _text("title", v, required=True),
        "summary": lambda v: _text("summary", v),
        "slug": _slug,
    }
    values, problems = check_fields(source, checks, ("title",))
    problems += body_problems(source)
    if problems:
        return problems
    rendered = renderer.render(source.body, source=source.rel, content_rel=content_rel, line=source.body_line)
    slug = doc_slug(source)
    summary = values["summary"] or cut_at_word(first_paragraph(rendered.html))
    return Doc(source=source.rel, slug=slug, title=values["title"], summary=summary, html=rendered.html)


def sort_posts(posts: list[Post], when: Mapping[str, float] | None = None) -> tuple[Post, ...]:
    """Newest first; same moment → by slug, then source: always the same order.

    `when`: each post's date as a timestamp, by source, if the caller has them.
    """
    if when is None:
        when = {p.source: p.date.timestamp() for p in posts}
    return tuple(sorted(posts, key=lambda p: (-when[p.source], p.slug, p.source)))
