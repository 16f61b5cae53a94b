"""How the command line shows a run on a terminal: progress bars, problems, left-out posts.

The library reports through objects it is handed (builder/progress.py) and raises BuildError;
this is where those become lines on stderr, for the commands in cli.py.
"""

from __future__ import annotations

import sys
import textwrap
from typing import TYPE_CHECKING, Iterable

import click

from builder.errors import BuildError, Problem
from builder.wording import counted

if TYPE_CHECKING:  # they import the parser, which `build` with nothing to do never needs
    from builder.editorial.bulletins import ImportedPost, ImportReport
    from builder.editorial.catalog import Listing
    from builder.model import BuildReport

LIST_SHOWN = 10  # warnings and left-out posts a build names (--verbose: all)
SUMMARY_WIDTH = 100  # columns each line of the import's summary fits in
LABEL_WIDTH = 16  # where the values of the import's summary start
TITLE_SHOWN = 48  # characters of a title `newsroom list` shows, the rest cut at a word


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
        click.echo(
            f"{problem}" if problem.severity == "error" else f"{problem} ({label})", err=True
        )


def print_grouped(problems: tuple[Problem, ...]) -> None:
    """Problems grouped by file, a blank line between files, each as `path:line: message`."""
    last = None
    for problem in sorted(problems, key=lambda p: (p.path, p.line or 0, p.message)):
        if last is not None and problem.path != last:
            click.echo("", err=True)
        last = problem.path
        suffix = "" if problem.severity == "error" else " (warning)"
        click.echo(f"{problem}{suffix}", err=True)


def report_build(report: BuildReport, seconds: float, shown: int | None) -> None:
    """What `build` says when it succeeds: its warnings and left-out posts (the first `shown` of
    each), then one line of what it made."""
    report_problems(report.warnings[:shown])
    if shown is not None and len(report.warnings) > shown:
        more = len(report.warnings) - shown
        click.echo(
            f"… and {counted(more, 'more warning')} (--verbose or `newsroom check` lists them all)",
            err=True,
        )
    report_left_out(report.left_out, shown)
    click.echo(
        f"Built {counted(report.posts, 'post')}: {counted(report.pages, 'page')},"
        f" {counted(report.feeds, 'feed')}, {counted(report.files, 'file')}"
        f" ({report.written} changed) in {seconds:.2f} s → {report.output_dir}"
    )


def report_check(
    problems: tuple[Problem, ...],
    left_out: tuple[str, ...],
    summary: str,
    *,
    failed: bool,
    strict: bool,
) -> None:
    """`check`'s text report: problems by file, left-out posts, then the verdict in one line."""
    print_grouped(problems)
    report_left_out(left_out)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    verdict = "FAILED" if failed else "OK"
    click.echo(
        f"{verdict}: {counted(errors, 'error')}, {counted(warnings, 'warning')}"
        + (f"; {summary}" if summary else "")
        + (" (--strict: warnings count as errors)" if strict and warnings else ""),
        err=failed,
    )


def check_results(problems: tuple[Problem, ...], left_out: tuple[str, ...], failed: bool) -> dict:
    """The results of `check` as plain data for --format json."""
    files: dict[str, list[dict]] = {}
    for p in sorted(problems, key=lambda p: (p.path, p.line or 0, p.message)):
        files.setdefault(p.path, []).append(
            {"line": p.line, "severity": p.severity, "message": p.message}
        )
    return {
        "ok": not failed,
        "errors": sum(p.severity == "error" for p in problems),
        "warnings": sum(p.severity == "warning" for p in problems),
        "files": files,
        "left_out": list(left_out),
    }


def report_left_out(left_out: tuple[str, ...], shown: int | None = None) -> None:
    """Name the drafts and scheduled posts a build did not take (the first `shown` of them)."""
    if left_out:
        click.echo(
            f"Left out {counted(len(left_out), 'post')} (--drafts / --future include them):",
            err=True,
        )
        for entry in left_out[:shown]:
            click.echo(f"  {entry}", err=True)
        if shown is not None and len(left_out) > shown:
            click.echo(f"  … and {len(left_out) - shown} more (--verbose lists them all)", err=True)


def listing_lines(listings: Iterable[Listing]) -> list[str]:
    """`newsroom list`'s table: date, status, title, countries and file, in aligned columns."""
    rows = [
        (
            item.date.date().isoformat(),
            item.status,
            shortened(item.title, TITLE_SHOWN),
            ", ".join(item.countries) or "-",
            item.source,
        )
        for item in listings
    ]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
    return [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)), row[4]]
        )
        for row in rows
    ]


def shortened(text: str, limit: int) -> str:
    """`text`, or its first words and "…" in at most `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:–-") + "…"


def import_summary_lines(report: ImportReport) -> list[str]:
    """What an editor reads after an import: each post's file, then its fields and what needs a
    look, within SUMMARY_WIDTH columns; then the paragraphs that became no post."""
    lines: list[str] = []
    for post in report.posts:
        lines += [*([""] if lines else []), post.path, *imported_fields(post)]
    lines += [""] if lines and report.not_news else []
    for skipped in report.not_news:
        words = skipped.paragraph.text.split()
        opening = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
        lines.append(
            f"{report.bulletin}:{skipped.paragraph.line}: paragraph {skipped.paragraph.number}"
            f" (“{opening}”): {skipped.reason}"
        )
    again = len(report.posts) - len(report.written)
    lines.append(
        f"Imported {counted(len(report.written), 'draft post')} from {report.bulletin}"
        + (f"; {again} already in the site, skipped" if again else "")
        + f"; {counted(len(report.not_news), 'paragraph')} not news."
    )
    return lines


def imported_fields(post: ImportedPost) -> list[str]:
    """One post's date, countries, tags and what needs a look, labelled, wrapped to fit."""
    item = post.item
    looks = [post.skipped] if post.skipped else [f"{name}: {note}" for name, note in item.reviews]
    fields = [
        ("date", item.date.isoformat() + (f"–{item.end_date}" if item.end_date else "")),
        ("countries", ", ".join(item.countries) or "-"),
        ("tags", ", ".join(item.tags) or "-"),
        *((("needs a look" if i == 0 else ""), look) for i, look in enumerate(looks)),
    ]
    return [
        line
        for label, value in fields
        for line in textwrap.wrap(
            value,
            width=SUMMARY_WIDTH,
            initial_indent=f"  {label + ':' if label else '':<{LABEL_WIDTH - 2}}",
            subsequent_indent=" " * (LABEL_WIDTH + 2),
            break_on_hyphens=False,
        )
    ]


def fail(exc: BuildError, what: str) -> None:
    """Print every problem and exit 1: the library's errors end here."""
    report_problems(exc.problems)
    count = len(exc.problems)
    click.echo(f"Error: {counted(count, 'problem')} found; {what}", err=True)
    sys.exit(1)
