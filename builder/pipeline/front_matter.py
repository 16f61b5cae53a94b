"""Split a Markdown file into YAML front matter and body, keeping line numbers."""

from __future__ import annotations

import re

from frontmatter.default_handlers import YAMLHandler
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from builder.pipeline.characters import describe_character, unshowable_message
from builder.errors import ContentError, Problem
from builder.model import Field
from builder.pipeline.yaml_messages import BAD_CHARACTER, CHECK_LINE, plain_yaml_problem

HANDLER = YAMLHandler()
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
NULL_TAG = "tag:yaml.org,2002:null"
STANDARD_TAG = "tag:yaml.org,2002:"
MAX_FRONT_MATTER = 64 * 1024
HOW = "a file starts with a line '---', then fields such as 'title: …', then a line '---'"


def split_front_matter(text: str, rel: str) -> tuple[dict[str, Field], str, int]:
    """Return (fields, body, body_line) for a normalised text; raise ContentError."""
    found = split_or_problem(text, rel)
    if isinstance(found, Problem):
        raise ContentError([found])
    return found


def split_or_problem(text: str, rel: str) -> tuple[dict[str, Field], str, int] | Problem:
    """(fields, body, body_line), or the problem found."""
    if not text.strip():
        return Problem(rel, 1, f"the file is empty ({HOW})")
    if not HANDLER.detect(text):
        return Problem(rel, 1, f"no front matter: {HOW}")
    try:
        fm, body = HANDLER.split(text)
    except ValueError:
        return Problem(
            rel, 1, "the front matter is not closed: add a line '---' after the last field"
        )
    if len(fm) > MAX_FRONT_MATTER:
        return Problem(rel, 1, f"the front matter is larger than {MAX_FRONT_MATTER // 1024} KB")
    first_line = text[: text.index(fm)].count("\n") + 1 if fm else 1
    body_line = text[: len(text) - len(body)].count("\n") + 1
    fields = parse_fields(fm, rel, first_line)
    if isinstance(fields, Problem):
        return fields
    return fields, body, body_line


def compose_yaml(fm: str, loader: type) -> tuple[Node | None, int | None]:
    """(root node, None), or (None, line of a too-deep nest); raises PyYAML's errors."""
    too_deep = find_too_deep(fm, loader) if len(NEST_MARKS.findall(fm)) > MAX_DEPTH else None
    return (None, too_deep) if too_deep is not None else (yaml.compose(fm, Loader=loader), None)


def parse_fields(fm: str, rel: str, first_line: int) -> dict[str, Field] | Problem:
    """The top-level fields of front matter `fm`, each with its line; or what is wrong."""
    root = compose_front_matter(fm, rel, first_line)
    if isinstance(root, Problem):
        return root
    if root is None:
        return {}
    if root.tag not in PLAIN_TAGS:
        return Problem(
            rel,
            first_line + root.start_mark.line,
            f"remove the YAML tag '{root.tag}': tags are not allowed in front matter",
        )
    if not isinstance(root, MappingNode):
        return Problem(
            rel,
            first_line + root.start_mark.line,
            "the front matter must be fields of the form 'name: value'",
        )
    fields: dict[str, Field] = {}
    for key_node, value_node in root.value:
        line = first_line + key_node.start_mark.line
        if not isinstance(key_node, ScalarNode) or key_node.tag not in PLAIN_TAGS:
            return Problem(rel, line, "a field name must be plain text")
        key = key_node.value
        if why := unshowable_message(key):
            return Problem(rel, line, f"a field name {why}")
        if key in fields:
            return Problem(
                rel, line, f"the field '{key}' is given twice (first on line {fields[key].line})"
            )
        try:
            value = read_value(value_node)
        except RefusedTag as exc:
            return Problem(rel, first_line + value_node.start_mark.line, f"'{key}': {exc}")
        fields[key] = Field(value=value, line=line)
    return fields


def compose_front_matter(fm: str, rel: str, first_line: int) -> Node | None | Problem:
    """Compose the YAML into nodes (never construct objects): its root, None when empty.

    libyaml (PyYAML's C loader) reads well-formed front matter many times faster; a file it
    refuses is read again by the pure-Python loader, whose messages are the clearer ones.
    """
    try:
        try:
            root, too_deep = compose_yaml(fm, FAST_LOADER)
        except yaml.YAMLError:
            root, too_deep = compose_yaml(fm, yaml.SafeLoader)
        if too_deep is not None:
            return Problem(
                rel,
                first_line + too_deep,
                f"the front matter nests lists or groups of fields more than {MAX_DEPTH} deep: no "
                "field needs that",
            )
    except yaml.MarkedYAMLError as exc:
        return Problem(rel, *plain_yaml_problem(exc, fm, first_line))
    except yaml.reader.ReaderError as exc:
        character = describe_character(chr(exc.character))
        line = first_line + fm[: exc.position].count("\n")
        return Problem(rel, line, BAD_CHARACTER.format(character=character))
    except yaml.YAMLError as exc:
        what = " ".join(str(exc).split())
        return Problem(rel, first_line, CHECK_LINE.format(what=what))
    return root


class _Nested:
    """Marks a value that is a mapping or a list of lists: never valid here."""

    def __repr__(self) -> str:
        return "a nested structure"


NESTED = _Nested()
PLAIN_TAGS = {
    STANDARD_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
} | {"!"}


class RefusedTag(ValueError):
    """A YAML tag that would construct an object or that we do not know."""


def read_value(node: Node) -> object:
    """Turn a node into str, None or a list of (str | None | NESTED).

    Odd tags and characters are refused.
    """
    if node.tag not in PLAIN_TAGS:
        raise RefusedTag(f"remove the YAML tag '{node.tag}': tags are not allowed in front matter")
    if isinstance(node, ScalarNode):
        return read_scalar(node)
    if isinstance(node, SequenceNode):
        items: list[object] = []
        for item in node.value:
            if item.tag not in PLAIN_TAGS:
                raise RefusedTag(
                    f"remove the YAML tag '{item.tag}': tags are not allowed in front matter"
                )
            items.append(read_scalar(item) if isinstance(item, ScalarNode) else NESTED)
        return items
    return NESTED


def read_scalar(node: ScalarNode) -> str | None:
    """A scalar's text (None for a plain null); refuse what an escape such as "\\x01" wrote."""
    if why := unshowable_message(node.value):
        raise RefusedTag(why)
    return None if node.tag == NULL_TAG and not node.style else node.value


MAX_DEPTH = 20
# Every list or group of fields PyYAML opens starts at one of these: '[', '{', ':' and '?' (in
# flow context any of them is an indicator), or '-' before a space or the end. Front matter
# with no more of them than MAX_DEPTH cannot nest deeper, and is not walked for it.
NEST_MARKS = re.compile(r"[\[{:?]|-(?=\s|\Z)")
OPENING = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
CLOSING = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def find_too_deep(fm: str, loader: type = yaml.SafeLoader) -> int | None:
    """The line (from 0) where lists or mappings first nest deeper than MAX_DEPTH, else None.

    PyYAML's parser is a loop but its composer recurses: this walk over the parser's events
    refuses a deep nest before the composer could run out of stack.
    """
    depth = 0
    for event in yaml.parse(fm, Loader=loader):
        if isinstance(event, OPENING):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark.line
        elif isinstance(event, CLOSING):
            depth -= 1
    return None
