"""PyYAML's complaints about front matter, told as what to do, then where and why.

PyYAML names a problem in its own terms ("mapping values are not allowed here"); an editor needs
the fix. `plain_yaml_problem` maps each kind PyYAML reports to one sentence that starts with
what to do, at the file line the fix belongs on. Every text here has its entry in
docs/editing.md ("Every message and its fix"), checked by tests/test_messages.py.
"""

from __future__ import annotations

import yaml

TAB_INDENT = "indent with spaces, not a Tab: line {line} starts with a Tab"
TAB_INSIDE = "write a space instead of the Tab: line {line} has a Tab in it"
QUOTE_COLON = (
    "put the value in quotes: a value with ': ' in it needs them, e.g. title: \"Workshop: day one\""
)
INDENTED_FIELD = (
    "start the field at the left edge, or put the value above in quotes: "
    "a field name is indented here"
)
ADD_COLON = (
    "add ':' after the field name (e.g. date: 2017-03-14), or join the line to the one above: "
    "line {line} has no ':'"
)
QUOTE_MARK = "put the value in quotes, e.g. title: \"{mark}…\": a value cannot start with '{mark}'"
CLOSE_QUOTE = "close the quote begun on line {line}: the value has no closing {mark}"
BACKSLASH = (
    "write the backslash twice (\\\\) or use single quotes: "
    "inside double quotes '\\{char}' is not allowed"
)
CLOSE_LIST = (
    "close the list begun on line {line} with ']' and separate its items with ',', "
    "e.g. countries: [Kyrgyzstan, Tajikistan]"
)
CLOSE_GROUP = "close the group begun on line {line} with '}}' and separate its items with ','"
QUOTE_ALL = (
    "put the whole value in quotes: more text follows a closing quote or bracket, "
    'e.g. title: "\\"Customs\\" week in Osh"'
)
LIST_UNDER_FIELD = (
    "put the list under a field, indented, e.g. tags: followed by '  - training': "
    "a '- ' line stands alone here"
)
LINE_UP = "line up the fields: each field starts at the left edge"
CHECK_LINE = "check the line for a missing quote, bracket or ':' (YAML says: {what})"
BAD_CHARACTER = "remove the character {character}: it is not allowed in front matter"

# Every template above, for tests/test_messages.py.
MESSAGES = (
    TAB_INDENT,
    TAB_INSIDE,
    QUOTE_COLON,
    INDENTED_FIELD,
    ADD_COLON,
    QUOTE_MARK,
    CLOSE_QUOTE,
    BACKSLASH,
    CLOSE_LIST,
    CLOSE_GROUP,
    QUOTE_ALL,
    LIST_UNDER_FIELD,
    LINE_UP,
    CHECK_LINE,
    BAD_CHARACTER,
)
# What a value must not start with unquoted, and the words PyYAML uses for each.
MARK_CONTEXTS = {
    "while scanning an alias": "*",
    "while scanning an anchor": "&",
    "while scanning a block scalar": "|",
}


def plain_yaml_problem(exc: yaml.MarkedYAMLError, fm: str, first_line: int) -> tuple[int, str]:
    """(file line, message) for PyYAML's error `exc` on front matter `fm` starting at
    `first_line`."""
    problem, context = exc.problem or "", exc.context or ""
    at = exc.problem_mark or exc.context_mark
    at_line = at.line if at else 0
    began = exc.context_mark.line if exc.context_mark else at_line
    text = fm.split("\n")[at_line] if at_line < fm.count("\n") + 1 else ""
    here, start = first_line + at_line, first_line + began
    if problem.startswith("found character '\\t'"):
        indented = at is not None and not text[: at.column].strip()
        return here, (TAB_INDENT if indented else TAB_INSIDE).format(line=here)
    if problem == "mapping values are not allowed here":
        return here, INDENTED_FIELD if text[:1].isspace() else QUOTE_COLON
    if problem == "could not find expected ':'":
        return start, ADD_COLON.format(line=start)
    if problem.startswith("found undefined alias"):
        return here, QUOTE_MARK.format(mark="*")
    if context in MARK_CONTEXTS:
        return here, QUOTE_MARK.format(mark=MARK_CONTEXTS[context])
    if problem.startswith("found character '") and problem.endswith("cannot start any token"):
        return here, QUOTE_MARK.format(mark=problem[len("found character '")])
    if context == "while scanning a quoted scalar":
        opening = fm.split("\n")[began][exc.context_mark.column :][:1] if exc.context_mark else ""
        return start, CLOSE_QUOTE.format(line=start, mark=opening if opening in ("'", '"') else '"')
    if problem.startswith("found unknown escape character"):
        return here, BACKSLASH.format(char=problem.rsplit("'", 2)[1])
    if context == "while parsing a flow sequence":
        return here, CLOSE_LIST.format(line=start)
    if context == "while parsing a flow mapping":
        return here, CLOSE_GROUP.format(line=start)
    return here, block_problem(problem, context) or CHECK_LINE.format(what=pyyaml_says(exc))


def block_problem(problem: str, context: str) -> str | None:
    """The message for a block mapping PyYAML could not end, or None."""
    if context != "while parsing a block mapping" or not problem.startswith("expected <block end>"):
        return None
    if problem.endswith("'<scalar>'"):
        return QUOTE_ALL
    if problem.endswith("'-'"):
        return LIST_UNDER_FIELD
    return LINE_UP


def pyyaml_says(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's own words, on one line: its problem, after its context if it gives one."""
    return "; ".join(part for part in (exc.context, exc.problem) if part) or "cannot be read"
