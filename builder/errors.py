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
        return one_line(f"{where}: {self.message}")


# A message quotes what it found; a newline or an escape sequence in it must not break the
# `path:line: message` line or reach the terminal raw, so control characters are shown escaped.
INVISIBLE = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} | {
    0x2028: "\\u2028",
    0x2029: "\\u2029",
    0x0A: "\\n",
    0x09: "\\t",
    0x0D: "\\r",
}


def one_line(text: str) -> str:
    """Text with its control characters and line separators written as escapes."""
    return text.translate(INVISIBLE)


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
