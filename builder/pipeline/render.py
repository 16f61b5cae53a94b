"""The render stage: each planned output to the bytes of its file (pages on every core)."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import jinja2

from builder.errors import OutputError, TemplateError
from builder.model import Site
from builder.outputs import Feed, OutputFile, Page, Planned, Robots, Sitemap
from builder.parallel import map_collecting
from builder.pipeline.config import SiteConfig
from builder.pipeline.feeds import render_feed
from builder.pipeline.inputs import Inputs
from builder.pipeline.sitemap import render_robots, render_sitemap
from builder.pipeline.structured_data import news_article
from builder.pipeline.templates import (
    StoredBytecode,
    compile_templates,
    make_environment,
    template_problem,
)
from builder.pipeline.write import PageSink
from builder.progress import Progress

# Context a template receives that follows from the rest of its context and the config alone,
# so it is made only for the pages rendered (not planned for all, nor fingerprinted).
DERIVED: dict[str, Callable[[Mapping[str, Any], SiteConfig], dict[str, Any]]] = {
    "post.html": lambda context, config: {"article": news_article(context["post"], config)},
}
TEMPLATE_FAILURES = (
    jinja2.TemplateError,
    TypeError,
    ValueError,
    AttributeError,
    LookupError,
    ArithmeticError,
    RecursionError,
)


def render_outputs(
    planned: list[Planned],
    site: Site,
    inputs: Inputs,
    sink: PageSink,
    progress: Progress,
    *,
    compiled: Mapping[str, bytes],
    jobs: int,
) -> list[OutputFile]:
    """Every planned output as a file, in plan order; raise TemplateError with each distinct
    problem, or OutputError if a page could not be written."""
    config = inputs.config
    progress.stage("render", len(planned))
    pages = [output for output in planned if isinstance(output, Page)]
    files: dict[str, OutputFile] = {}
    if pages:
        env = make_environment(config, inputs.theme, site.docs, StoredBytecode(compiled))
        files = {
            file.path: file
            for file in render_pages(env, pages, config, sink, jobs=jobs, done=progress.advance)
        }
    for output in planned:
        match output:
            case Page():
                continue
            case Feed():
                files[output.file] = render_feed(output, config)
            case Sitemap():
                files[output.file] = render_sitemap(output, config)
            case Robots():
                files[output.file] = render_robots(config)
        progress.advance()
    return [files[output.file] for output in planned]


def render_page(
    env: jinja2.Environment, page: Page, config: SiteConfig, sink: PageSink
) -> OutputFile:
    """One page's file (its bytes, or the file `sink` wrote); raise TemplateError naming the
    template line that failed."""
    try:
        derive = DERIVED.get(page.template)
        context = {**page.context, **derive(page.context, config)} if derive else page.context
        html = env.get_template(page.template).render(context)
    except TEMPLATE_FAILURES as exc:  # what a template can raise
        raise TemplateError([template_problem(exc, config, page.template)]) from None
    return sink.put(page.file, html.encode("utf-8"))


def render_pages(
    env: jinja2.Environment,
    pages: list[Page],
    config: SiteConfig,
    sink: PageSink,
    *,
    jobs: int = 1,
    done: Callable[[int], None] = lambda count: None,
) -> list[OutputFile]:
    """Render every page on up to `jobs` processes, in plan order whatever the order of the
    work; raise TemplateError with each distinct problem, else OutputError."""
    compile_templates(env)
    costliest_first = sorted(
        range(len(pages)),
        key=lambda i: -len(pages[i].shows if pages[i].shows is not None else pages),
    )  # so the workers end together
    made, failures = map_collecting(
        lambda i: render_page(env, pages[i], config, sink), costliest_first, jobs=jobs, done=done
    )
    if failures:
        for kind in (TemplateError, OutputError):
            problems = {
                str(p): p for failure in failures if failure.kind is kind for p in failure.problems
            }
            if problems:
                raise kind(
                    sorted(problems.values(), key=lambda p: (p.path, p.line or 0, p.message))
                )
    files: list[Any] = [None] * len(pages)
    for i, file in zip(costliest_first, made, strict=True):
        files[i] = file
    return files
