"""Bodies too complex to render: Python-Markdown's time and recursion grow faster than the text
on some inputs, so such a body is refused, at its line, before it is rendered."""

from __future__ import annotations

import re

# Python-Markdown's time grows faster than the text on some inputs: an unclosed or nested '['
# (or an unclosed '(' or '<') is scanned for its match to the end of its block (lines without a
# blank line between them), and block syntax such as '---', '===' or '> ' splits and rejoins the
# block's lines once per line; deep nesting recurses once per level. A body is refused before
# rendering when its estimated work, the sum over blocks of characters × (lines + 10 per such
# bracket), passes MAX_WORK: a second or two of rendering at worst, while 5 MB of ordinary prose
# with links stays well below it.
MAX_NESTING = 50
MAX_WORK = 200_000_000
INDENT = re.compile(r"[ \t]*")
MARKERS = re.compile(r"(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))*")
BRACKETS = re.compile(r"[\[\]()<>]")


def nesting_depth(line: str) -> int:
    """How many lists and quotes a line's start opens: its markers, one per 4 columns of indent."""
    indent = len(INDENT.match(line).group().expandtabs(4)) // 4
    markers = MARKERS.match(line).group()
    return (
        indent
        + markers.count(">")
        + len(re.findall(r"[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])", markers))
    )


class _Block:
    """One block's size and its costly brackets: unclosed or nested '[', unclosed '(' and '<'."""

    def __init__(self, start: int):
        self.start, self.chars, self.lines, self.nested = start, 0, 0, 0
        self.depth = {"[": 0, "(": 0, "<": 0}

    def add(self, line: str) -> None:
        self.chars, self.lines = self.chars + len(line) + 1, self.lines + 1
        for found in BRACKETS.finditer(line):
            mark = found.group()
            if mark in "[(<":
                self.nested += mark == "[" and self.depth["["] > 0
                self.depth[mark] += 1
            else:
                opening = {"]": "[", ")": "(", ">": "<"}[mark]
                self.depth[opening] = max(0, self.depth[opening] - 1)

    @property
    def marks(self) -> int:
        return self.nested + sum(self.depth.values())

    @property
    def work(self) -> int:
        return self.chars * (self.lines + 10 * self.marks)


def find_too_complex(body: str) -> tuple[int, str] | None:
    """(line offset, message) if Markdown nests too deep or takes too long on `body`, else None."""
    return None if is_plainly_simple(body) else measure_complexity(body)


# A line nests at most as deep as its leading run of indent and marker characters is long (every
# level takes at least one); a body's work is at most all its characters times all its lines and
# twice its opening brackets (a block's marks are at most twice its openings).
LONG_LEAD = re.compile(rf"^[ \t>*+\-\d.)]{{{MAX_NESTING + 1}}}", re.MULTILINE)


def is_plainly_simple(body: str) -> bool:
    """True if bounds counting characters show `body` far from every limit of measure_complexity."""
    lines = body.count("\n") + 2
    openings = body.count("[") + body.count("(") + body.count("<")
    return (len(body) + lines) * (lines + 20 * openings) <= MAX_WORK and LONG_LEAD.search(
        body
    ) is None


def measure_complexity(body: str) -> tuple[int, str] | None:
    """find_too_complex, block by block."""
    total, worst, block = 0, None, None
    for number, line in enumerate([*body.split("\n"), ""]):
        if line.strip():
            depth = nesting_depth(line)
            if depth > MAX_NESTING:
                return (
                    number,
                    f"lists or quotes nest {depth} levels deep here: newsroom renders at most "
                    f"{MAX_NESTING}",
                )
            block = block or _Block(number)
            block.add(line)
        elif block is not None:
            total += block.work
            worst = block if worst is None or block.work > worst.work else worst
            block = None
    if total <= MAX_WORK or worst is None:
        return None
    return worst.start, (
        f"this text would take Markdown too long to render ({worst.lines} "
        f"line{'s' * (worst.lines != 1)} without a blank line, with {worst.marks} unclosed or "
        f"nested brackets; {len(body) // 1024} KB in all): break it into paragraphs with blank "
        "lines, close the brackets, or shorten it"
    )
