"""The one error family of newsroom: every problem carries a file and a line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong (or worth a look) in one place: `path:line: message`."""

    path: str
    line: int | None
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class BuildError(Exception):
    """Base of every error newsroom raises; holds one or more problems."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(BuildError):
    """`site.toml` is missing, malformed or holds a bad value."""


class ContentError(BuildError):
    """One or more content files are wrong."""


class TemplateError(BuildError):
    """A template does not parse or fails while rendering."""


class OutputError(BuildError):
    """The output folder cannot be written as asked."""


def problem_at(path: str, line: int | None, message: str) -> Problem:
    """Shorthand for an error-level problem."""
    return Problem(path, line, message)
