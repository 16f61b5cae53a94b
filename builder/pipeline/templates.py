"""The site's Jinja2 environment: the theme's templates (from memory), its filters and globals.

Autoescape is on and an undefined variable is an error naming the template and line.
"""

from __future__ import annotations

import traceback
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Mapping

import jinja2

from builder.errors import Problem
from builder.model import Doc, Post
from builder.pipeline.config import SiteConfig
from builder.pipeline.theme import STRINGS, Theme
from builder.speedups.jinja import speed_up


class DateText:
    """Dates written the site's way, from the strings table."""

    def __init__(self, strings: Mapping[str, Any]):
        self.s = strings

    def long(self, value: date | datetime) -> str:
        return self.s["date_format"].format(
            day=value.day, month=self.month(value.month), year=value.year
        )

    def month(self, number: int) -> str:
        return self.s["months"][number - 1]

    def span(self, post: Post) -> str:
        start, end = post.date.date(), post.end_date
        if end is None or end == start:
            return self.long(start)
        if (start.year, start.month) == (end.year, end.month):
            return self.s["range_same_month"].format(
                day1=start.day, day2=end.day, month=self.month(start.month), year=start.year
            )
        if start.year == end.year:
            return self.s["range_same_year"].format(
                day1=start.day,
                month1=self.month(start.month),
                day2=end.day,
                month2=self.month(end.month),
                year=start.year,
            )
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


class ThemeLoader(jinja2.BaseLoader):
    """The theme's templates as the build read them when it started (pipeline/theme.py), under
    the names of their files (so that an error names the template file and line)."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme

    def get_source(
        self, environment: jinja2.Environment, name: str
    ) -> tuple[str, str, Callable[[], bool]]:
        data = self.theme.templates.get(name)
        if data is None or name.startswith(STRINGS):
            raise jinja2.TemplateNotFound(name)
        return data.decode("utf-8"), str(self.theme.folder / name), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(name for name in self.theme.templates if not name.startswith(STRINGS))


class StoredBytecode(jinja2.BytecodeCache):
    """Templates as an earlier build compiled them (Jinja checks each against its template's
    source); `made` collects what this environment compiles anew."""

    def __init__(self, compiled: Mapping[str, bytes]) -> None:
        self.compiled = compiled
        self.made: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.compiled.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.made[bucket.key] = bucket.bytecode_to_string()


def make_environment(
    config: SiteConfig, theme: Theme, docs: tuple[Doc, ...], bytecode: StoredBytecode | None = None
) -> jinja2.Environment:
    """A Jinja environment for the site's templates, with its filters and globals."""
    env = jinja2.Environment(
        loader=ThemeLoader(theme),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=bytecode,
    )
    strings = theme.strings
    dates = DateText(strings)
    base_path, base_url = config.base_path, config.base_url
    env.filters.update(
        date_long=dates.long,
        month_name=dates.month,
        iso=lambda d: d.isoformat(),
        date_span=dates.span,
    )
    helpers = {
        "url": lambda path="": base_path + str(path).lstrip("/"),
        "abs_url": lambda path="": base_url + str(path).lstrip("/"),
    }
    site = {
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "base_url": base_url,
        "search": config.search,
        "logo": config.logo_path,
    }
    env.globals.update(site=Table(site), t=Table(strings), pages=docs, **helpers)
    speed_up(env, direct=tuple(helpers.values()))
    return env


def compile_templates(env: jinja2.Environment) -> None:
    """Compile every page template once (here, not in every render worker); a template that
    does not compile is reported by each page that uses it."""
    for name in env.list_templates(
        filter_func=lambda name: name.endswith(".html") and "/" not in name
    ):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass


def template_problem(exc: Exception, config: SiteConfig, name: str) -> Problem:
    """Where in which template a Jinja error happened."""
    templates = config.templates_dir.resolve()
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(
            f"templates/{exc.name or name}", exc.lineno, f"template syntax error: {exc.message}"
        )
    if isinstance(exc, jinja2.TemplateNotFound):
        return Problem(f"templates/{exc.name}", None, "template not found")
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.is_absolute() and path.resolve().is_relative_to(templates):
            return Problem(
                f"templates/{path.resolve().relative_to(templates).as_posix()}",
                frame.lineno,
                f"{type(exc).__name__}: {exc}",
            )
    return Problem(f"templates/{name}", None, f"{type(exc).__name__}: {exc}")
