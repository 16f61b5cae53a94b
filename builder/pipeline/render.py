"""Render pages with Jinja2: autoescape on, undefined variables are errors."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Mapping

import jinja2

from builder.incremental.cache import load
from builder.pipeline.config import SiteConfig
from builder.errors import OutputError, Problem, TemplateError
from builder.speedups.jinja import speed_up
from builder.incremental.fingerprint import Fingerprinter
from builder.model import Artifact, Doc, Page, Post
from builder.parallel import map_in_order
from builder.pipeline.structured_data import news_article
from builder.pipeline.write import Spill, write_failure

REQUIRED_STRINGS = (
    "months", "date_format", "range_same_month", "range_same_year", "range_other",
    "feed_rss_title", "feed_atom_title", "feed_term_title", "countries_title", "tags_title",
    "archive_title", "page_title_paged", "not_found_title", "latest_news", "search_title",
    "chart_title", "chart_item", "chart_year", "chart_count",
)


def strings_path(config: SiteConfig) -> Path:
    return config.templates_dir / "strings" / f"{config.language}.toml"


def load_strings(config: SiteConfig) -> dict[str, Any]:
    """The strings table of the site's language: templates/strings/<language>.toml."""
    path = strings_path(config)
    rel = path.relative_to(config.root).as_posix()
    try:
        table = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise TemplateError([Problem(rel, None, f"no strings table for language '{config.language}': add this file (copy strings/en.toml and translate it)")]) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError([Problem(rel, None, f"cannot be read: {exc}")]) from None
    missing = [key for key in REQUIRED_STRINGS if key not in table]
    if missing:
        raise TemplateError([Problem(rel, None, "missing strings: " + ", ".join(missing))])
    months = table["months"]
    if not (isinstance(months, list) and len(months) == 12 and all(isinstance(m, str) for m in months)):
        raise TemplateError([Problem(rel, None, "'months' must be a list of the 12 month names")])
    return table


class DateText:
    """Dates written the site's way, from the strings table."""

    def __init__(self, strings: Mapping[str, Any]):
        self.s = strings

    def long(self, value: date | datetime) -> str:
        return self.s["date_format"].format(day=value.day, month=self.month(value.month), year=value.year)

    def month(self, number: int) -> str:
        return self.s["months"][number - 1]

    def span(self, post: Post) -> str:
        start, end = post.date.date(), post.end_date
        if end is None or end == start:
            return self.long(start)
        if (start.year, start.month) == (end.year, end.month):
            return self.s["range_same_month"].format(day1=start.day, day2=end.day, month=self.month(start.month), year=start.year)
        if start.year == end.year:
            return self.s["range_same_year"].format(day1=start.day, month1=self.month(start.month), day2=end.day, month2=self.month(end.month), year=start.year)
        return self.s["range_other"].format(date1=self.long(start), date2=self.long(end))


class Table(dict):
    """A dict whose keys are also its attributes, for the tables templates read most (`t`, `site`).

    Jinja reads `t.location` by asking for an attribute first and the key only when that fails:
    on a plain dict every such read raised and caught an AttributeError (some 30 a page). Here
    the attribute is found at once; everything else is the dict's own.
    """

    def __init__(self, items: Mapping[str, Any]) -> None:
        super().__init__(items)
        self.__dict__.update(self)


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates as an earlier build compiled them, from the build cache (Jinja checks each
    against its template's source). What this build compiles is kept in `made`, for the
    cache to save once the build has succeeded."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = load(self.folder / f"{bucket.key}.bin", bytes)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.made[bucket.key] = bucket.bytecode_to_string()


def make_environment(config: SiteConfig, strings: Mapping[str, Any], docs: tuple[Doc, ...], compiled: CompiledTemplates | None = None) -> jinja2.Environment:
    """A Jinja environment for the site's templates/, with its filters and globals."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(config.templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=compiled,
    )
    dates = DateText(strings)
    base_path, base_url = config.base_path, config.base_url
    env.filters.update(date_long=dates.long, month_name=dates.month, iso=lambda d: d.isoformat(), date_span=dates.span)
    helpers = {"url": lambda path="": base_path + str(path).lstrip("/"), "abs_url": lambda path="": base_url + str(path).lstrip("/")}
    env.globals.update(
        site=Table({"title": config.title, "description": config.description, "language": config.language, "base_url": base_url, "search": config.search}),
        t=Table(strings),
        pages=docs,
        **helpers,
    )
    speed_up(env, direct=tuple(helpers.values()))
    return env




def template_problem(exc: Exception, config: SiteConfig, name: str) -> Problem:
    """Where in which template a Jinja error happened."""
    templates = config.templates_dir.resolve()
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(f"templates/{exc.name or name}", exc.lineno, f"template syntax error: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return Problem(f"templates/{exc.name}", None, "template not found")
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.is_absolute() and path.resolve().is_relative_to(templates):
            return Problem(f"templates/{path.resolve().relative_to(templates).as_posix()}", frame.lineno, f"{type(exc).__name__}: {exc}")
    return Problem(f"templates/{name}", None, f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True)
class WriteFailure:
    """A rendered page that could not be put in the spill folder (disk full, …)."""

    problem: Problem


# Context a template receives that follows from the rest of its context and the config alone,
# so it is made only for the pages rendered (not planned for all, nor fingerprinted).
DERIVED: dict[str, Callable[[Mapping[str, Any], SiteConfig], dict[str, Any]]] = {
    "post.html": lambda context, config: {"article": news_article(context["post"], config)},
}


def page_value(page: Page) -> tuple:
    """What a page's bytes depend on under given templates: its fingerprint is taken of this."""
    return (page.template, page.path, page.context)


def render_page(env: jinja2.Environment, page: Page, config: SiteConfig, spill: Spill | None = None, prints: Fingerprinter | None = None) -> Artifact | Problem | WriteFailure:
    """Render one page to bytes (kept, or written to `spill`), or say which template line failed.

    With `prints`, the page's fingerprint goes with it, for the next build's cache.
    """
    try:
        derive = DERIVED.get(page.template)
        html = env.get_template(page.template).render({**page.context, **derive(page.context, config)} if derive else page.context)
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, LookupError, ArithmeticError, RecursionError) as exc:  # what a template can raise
        return template_problem(exc, config, page.template)
    mark = prints.of(page_value(page)).hex() if prints is not None else None
    if spill is None:
        return Artifact(path=page.file, data=html.encode("utf-8"), mark=mark)
    try:
        return replace(spill.put(page.file, html.encode("utf-8")), mark=mark)
    except OSError as exc:
        return WriteFailure(write_failure(exc, spill.folder))


def render_pages(env: jinja2.Environment, pages: list[Page], config: SiteConfig, *, jobs: int = 1, spill: Spill | None = None, marks: Callable[[Page], bool] = lambda page: False, done: Callable[[int], None] = lambda count: None) -> list[Artifact]:
    """Render every page (on `jobs` processes, writing them to `spill` if given, with their
    fingerprints where `marks(page)`, telling `done(n)` as pages are made); raise
    TemplateError with each distinct problem, or OutputError if a page could not be written."""
    artifacts, problems, failures = [], {}, {}
    prints = Fingerprinter()  # each worker process takes its own copy
    for name in env.list_templates(filter_func=lambda name: name.endswith(".html") and "/" not in name) if pages else ():
        try:  # compiled once, here, not by every worker
            env.get_template(name)
        except jinja2.TemplateError:
            pass  # each page using it says what is wrong (render_page)
    costliest_first = sorted(range(len(pages)), key=lambda i: -len(pages[i].shows if pages[i].shows is not None else pages))  # so the workers end together
    made = map_in_order(lambda i: render_page(env, pages[i], config, spill, prints if marks(pages[i]) else None), costliest_first, jobs=jobs, done=done)
    results: list[Any] = [None] * len(pages)
    for i, result in zip(costliest_first, made, strict=True):
        results[i] = result
    for result in results:  # in the plan's order, whatever the order of the work
        if isinstance(result, Problem):
            problems.setdefault(str(result), result)
        elif isinstance(result, WriteFailure):
            failures.setdefault(str(result.problem), result.problem)
        else:
            artifacts.append(result)
    if problems:
        raise TemplateError(list(problems.values()))
    if failures:
        raise OutputError(list(failures.values()))
    return artifacts
