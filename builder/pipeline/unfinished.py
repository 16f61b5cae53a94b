"""What must not go out half-finished: the placeholder body of `newsroom new`, left as it was
written, and the `# review:` notes of `newsroom import` in a post that is no longer a draft."""

from __future__ import annotations

import re

from builder.errors import Problem
from builder.model import PostMeta, SourceFile

PLACEHOLDER_BODY = (
    "Write the news here. The first paragraph is the summary shown on lists and in feeds.\n"
)
PLACEHOLDER_START = PLACEHOLDER_BODY.split(". ")[0]  # "Write the news here"
# A YAML comment starts with '#' at a line's start or after a space.
REVIEW_NOTE = re.compile(r"(?:^|\s)#\s*review:\s*(.*)$")
UNEDITED = (
    "replace the text 'Write the news here…' with the news: it is the placeholder of newsroom new"
)
REVIEW_LEFT = "check this and delete the '# review:' note ({note}): the post is no longer a draft"
MESSAGES = (UNEDITED, REVIEW_LEFT)


def review_notes(text: str, body_line: int) -> tuple[tuple[int, str], ...]:
    """(line, note) of each `# review:` comment in the front matter (the lines before the body)."""
    notes = []
    for number, line in enumerate(text.split("\n")[: body_line - 1], start=1):
        if found := REVIEW_NOTE.search(line):
            notes.append((number, found.group(1).strip()))
    return tuple(notes)


def unfinished_warnings(meta: PostMeta, source: SourceFile) -> list[Problem]:
    """A warning at the placeholder body's line, and one at each review note of a non-draft."""
    found = []
    for number, line in enumerate(source.body.split("\n")):
        if line.startswith(PLACEHOLDER_START):
            found.append(Problem(source.rel, source.body_line + number, UNEDITED, "warning"))
            break
    if not meta.draft:
        found += [
            Problem(source.rel, line, REVIEW_LEFT.format(note=note), "warning")
            for line, note in source.review_notes
        ]
    return found
