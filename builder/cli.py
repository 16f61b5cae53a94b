"""The `newsroom` command line: thin Click commands over the library."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import click

from builder import __version__
from builder.build import build_site, check_site
from builder.config import load_config
from builder.errors import BuildError, Problem
from builder.scaffold import create_post

root_option = click.option(
    "--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=Path("."),
    show_default=True, help="The site folder (holding site.toml, content/ and templates/).",
)
drafts_option = click.option("--drafts", is_flag=True, help="Include posts marked draft: true.")


class BarProgress:
    """Shows a progress bar on a terminal, and nothing when output is not a terminal."""

    def __init__(self) -> None:
        self.bar = None
        self.tty = sys.stderr.isatty()

    def stage(self, name: str, total: int) -> None:
        self.close()
        if self.tty and total > 50:
            self.bar = click.progressbar(length=total, label=name.ljust(8), file=sys.stderr)
            self.bar.__enter__()

    def advance(self, steps: int = 1) -> None:
        if self.bar:
            self.bar.update(steps)

    def close(self) -> None:
        if self.bar:
            self.bar.__exit__(None, None, None)
            self.bar = None


def report_problems(problems: tuple[Problem, ...], label: str = "warning") -> None:
    """Print problems grouped by file, in file order."""
    for problem in problems:
        click.echo(f"{problem}" if problem.severity == "error" else f"{problem} ({label})", err=True)


def fail(exc: BuildError, what: str) -> None:
    """Print every problem and exit 1: the library's errors end here."""
    report_problems(exc.problems)
    count = len(exc.problems)
    click.echo(f"Error: {count} problem{'s' * (count != 1)} found; {what}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsroom")
def cli() -> None:
    """newsroom: build a programme's news archive into a static site."""


@cli.command()
@root_option
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), help="Where to write the site [default: ROOT/output].")
@click.option("--base-url", help="The URL the site is published at, e.g. https://example.org/bomca/ (overrides site.toml).")
@drafts_option
def build(root: Path, output: Path | None, base_url: str | None, drafts: bool) -> None:
    """Build the site into the output folder (replaced only if the build succeeds)."""
    started, progress = time.perf_counter(), BarProgress()
    try:
        report = build_site(root, output_dir=output, base_url=base_url, drafts=drafts, progress=progress)
    except BuildError as exc:
        progress.close()
        fail(exc, "nothing was written (the previous output is unchanged).")
    progress.close()
    report_problems(report.warnings)
    if report.left_out:
        click.echo(f"Left out {len(report.left_out)} draft(s) (build with --drafts to include): " + ", ".join(report.left_out), err=True)
    seconds = time.perf_counter() - started
    click.echo(f"Built {report.posts} posts: {report.pages} pages, {report.feeds} feeds, {report.files} files ({report.written} changed) in {seconds:.2f} s → {report.output_dir}")


@cli.command()
@root_option
@drafts_option
def check(root: Path, drafts: bool) -> None:
    """Check config, content and templates; write nothing."""
    try:
        rendered = check_site(root, drafts=drafts)
    except BuildError as exc:
        fail(exc, "fix them and check again.")
    report_problems(rendered.warnings)
    click.echo(f"OK: {len(rendered.site.posts)} posts, {rendered.pages} pages, {rendered.feeds} feeds, {len(rendered.warnings)} warning(s).")


@cli.command()
@click.argument("title")
@click.option("--country", "countries", multiple=True, required=True, help="A country the news is about (repeat for more).")
@click.option("--tag", "tags", multiple=True, help="A topic tag (repeat for more).")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="The event's date, YYYY-MM-DD [default: today].")
@root_option
def new(title: str, countries: tuple[str, ...], tags: tuple[str, ...], day, root: Path) -> None:
    """Start a new post called TITLE; prints the path of the file to edit."""
    try:
        path = create_post(load_config(root), title, countries=countries, tags=tags, day=day.date() if day else None)
    except BuildError as exc:
        fail(exc, "no file was written.")
    except FileExistsError as exc:
        click.echo(f"Error: {exc.filename} already exists", err=True)
        sys.exit(1)
    click.echo(str(path))


def main() -> None:
    """Entry point of the `newsroom` console script."""
    cli(prog_name="newsroom")
