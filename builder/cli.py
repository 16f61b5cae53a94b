"""The `newsroom` command line: thin Click commands over the library."""

from __future__ import annotations

import cProfile
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import click

from builder import __version__  # commands import the rest of the library when they run
from builder.build import Selection, build_site, check_site
from builder.pipeline.config import load_config
from builder.editorial.datetext import LANGUAGES
from builder.errors import BuildError
from builder.wording import counted
from builder.terminal import (
    LIST_SHOWN,
    BarProgress,
    check_results,
    fail,
    import_summary_lines,
    listing_lines,
    report_build,
    report_check,
)

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The site folder (holding site.toml, content/ and templates/).",
)
drafts_option = click.option("--drafts", is_flag=True, help="Include posts marked draft: true.")
future_option = click.option(
    "--future", is_flag=True, help="Include posts dated in the future (scheduled)."
)


PROFILE = "NEWSROOM_PROFILE"  # a file to write the command's cProfile statistics to


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsroom")
def cli() -> None:
    """newsroom: build a programme's news archive into a static site."""


@cli.command()
@root_option
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site [default: ROOT/output].",
)
@click.option(
    "--base-url",
    help="The URL the site is published at, e.g. https://example.org/bomca/ (overrides site.toml).",
)
@drafts_option
@future_option
@click.option("--clean", is_flag=True, help="Ignore the build cache and rebuild everything.")
@click.option(
    "--verbose", "-v", is_flag=True, help="List every warning and left-out post, not the first few."
)
def build(
    root: Path,
    output: Path | None,
    base_url: str | None,
    drafts: bool,
    future: bool,
    clean: bool,
    verbose: bool,
) -> None:
    """Build the site into the output folder.

    The folder is replaced only if the build succeeds: a failed one leaves it as it was.
    """
    started, progress = time.perf_counter(), BarProgress()
    try:
        report = build_site(
            root,
            output_dir=output,
            base_url=base_url,
            select=Selection(drafts=drafts, future=future),
            clean=clean,
            progress=progress,
        )
    except BuildError as exc:
        progress.close()
        fail(exc, "nothing was written (the previous output is unchanged).")
    progress.close()
    report_build(report, time.perf_counter() - started, None if verbose else LIST_SHOWN)


@cli.command()
@root_option
@drafts_option
@future_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 if there are any).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the results.",
)
@click.option(
    "--published",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="SITEMAP",
    help="Compare post URLs with this sitemap.xml (e.g. the live site's) [default: the output's].",
)
def check(
    root: Path, drafts: bool, future: bool, strict: bool, fmt: str, published: Path | None
) -> None:
    """Check config, content and templates; write nothing."""
    progress = BarProgress()
    try:
        select = Selection(drafts=drafts, future=future)
        rendered = check_site(root, select=select, progress=progress, published=published)
        problems, left_out, summary = (
            rendered.warnings,
            rendered.left_out,
            ", ".join(
                (
                    counted(len(rendered.site.posts), "post"),
                    counted(rendered.pages, "page"),
                    counted(rendered.feeds, "feed"),
                )
            ),
        )
    except BuildError as exc:
        problems, left_out, summary = exc.problems, (), ""
    progress.close()
    failed = any(p.severity == "error" for p in problems) or (strict and bool(problems))
    if fmt == "json":
        click.echo(
            json.dumps(check_results(problems, left_out, failed), indent=2, ensure_ascii=False)
        )
    else:
        report_check(problems, left_out, summary, failed=failed, strict=strict)
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("title")
@click.option(
    "--country",
    "countries",
    multiple=True,
    required=True,
    help="A country the news is about (repeat for more).",
)
@click.option("--tag", "tags", multiple=True, help="A topic tag (repeat for more).")
@click.option(
    "--date",
    "day",
    metavar="YYYY-MM-DD",
    help="The event's date [default: today].",
)
@root_option
def new(
    title: str, countries: tuple[str, ...], tags: tuple[str, ...], day: str | None, root: Path
) -> None:
    """Start a new post called TITLE and print its file's path."""
    from builder.editorial.scaffold import create_post

    try:
        path = create_post(
            load_config(root),
            title,
            countries=countries,
            tags=tags,
            day=day,
        )
    except BuildError as exc:
        fail(exc, "no file was written.")
    except FileExistsError as exc:
        click.echo(f"Error: {exc.filename} already exists", err=True)
        sys.exit(1)
    click.echo(str(path))


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Programme News", show_default=True, help="The site's title.")
def init(folder: Path, title: str) -> None:
    """Create a new site in FOLDER (empty or new), ready to build."""
    from builder.editorial.scaffold import init_site

    try:
        created = init_site(folder, title=title)
    except BuildError as exc:
        fail(exc, "nothing was created.")
    for path in created:
        click.echo(f"created {path}")
    click.echo(f"Next: newsroom serve --root {folder}")


@cli.command()
@root_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback unless told otherwise).",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
def serve(root: Path, host: str, port: int) -> None:
    """Preview the site in a browser, drafts included.

    Drafts and scheduled posts are shown (marked); every save rebuilds what it changed and
    reloads the page.
    """
    from builder.preview.serve import serve_site

    try:
        serve_site(
            root,
            host=host,
            port=port,
            report=lambda line: click.echo(line, err=True),
            ready=lambda url: click.echo(f"Serving {url} (Ctrl-C to stop)"),
        )
    except BuildError as exc:
        fail(exc, "cannot serve.")
    except OSError as exc:
        click.echo(f"Error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo("Stopped.")


@cli.command("list")
@root_option
@click.option("--drafts", is_flag=True, help="Only drafts.")
@click.option("--scheduled", is_flag=True, help="Only posts dated in the future.")
def list_command(root: Path, drafts: bool, scheduled: bool) -> None:
    """List the posts, newest first, one line each.

    Each line: date, status, title, countries and file, in aligned columns; "no drafts" (or
    "no posts", "no scheduled posts") when there is none.
    """
    from builder.editorial.catalog import list_posts

    try:
        listings, problems = list_posts(root, now=datetime.now(timezone.utc))
    except BuildError as exc:
        fail(exc, "nothing to list.")
    asked = [name for name, on in (("drafts", drafts), ("scheduled posts", scheduled)) if on]
    wanted = {status for status, on in (("draft", drafts), ("scheduled", scheduled)) if on} or {
        "published",
        "draft",
        "scheduled",
    }
    lines = listing_lines(item for item in listings if item.status in wanted)
    for line in lines or [f"no {' or '.join(asked) or 'posts'}"]:
        click.echo(line)
    if problems:
        fail(BuildError(problems), "these files could not be listed.")


@cli.command("import")
@click.argument("bulletin", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--year",
    type=click.IntRange(1900, 2999),
    metavar="YYYY",
    help="The year of items whose date names none [default: from neighbouring items].",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="The language the bulletin is written in.",
)
@root_option
def import_command(bulletin: Path, year: int | None, lang: str, root: Path) -> None:
    """Draft posts from a plain-text BULLETIN, one per dated paragraph.

    Each post is written with draft: true; the table printed says what needs review.
    """
    progress = BarProgress()
    from builder.editorial.bulletins import import_bulletin

    try:
        report = import_bulletin(
            load_config(root), bulletin, year=year, lang=lang, progress=progress
        )
    except BuildError as exc:
        progress.close()
        fail(exc, "no file was written.")
    progress.close()
    for line in import_summary_lines(report):
        click.echo(line)


def main() -> None:
    """Entry point of the `newsroom` console script.

    The process ends as soon as the command has: freeing a big site's objects one by one
    (what a normal exit does) takes longer than the last stages of a small rebuild. With
    NEWSROOM_PROFILE=FILE in the environment, the command runs under cProfile and its
    statistics are written to FILE first (read them with `python -m pstats FILE`).
    """
    profile = os.environ.get(PROFILE)
    profiler = cProfile.Profile() if profile else None
    try:
        if profiler:
            profiler.enable()
        cli(prog_name="newsroom")
        code = 0
    except SystemExit as exc:
        if exc.code is not None and not isinstance(exc.code, int):
            raise
        code = exc.code or 0
    finally:
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)
