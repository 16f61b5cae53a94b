"""Messages an editor understands: each YAML mistake told as what to do, at the line to fix."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import pytest

from builder.cli import cli
from conftest import REPO

REL = "content/news/2017/2017-03-14-workshop.md"

YAML_MISTAKES = {
    "tab-indent": (
        "title: A\ndate: 2017-03-14\ncountries:\n\t- Kyrgyzstan\n",
        5,
        "indent with spaces, not a Tab: line 5 starts with a Tab",
    ),
    "tab-inside": ("title: A\ntags:\n  -\ttraining\n", 4, "write a space instead of the Tab"),
    "colon": ("title: Workshop: day one\n", 2, "put the value in quotes: a value with ': '"),
    "indented": ("title: A\n  date: 2017-03-14\n", 3, "start the field at the left edge"),
    "no-colon": ("title: A\ndate\ncountries: [KG]\n", 3, "add ':' after the field name"),
    "alias": ("title: *star\n", 2, 'put the value in quotes, e.g. title: "*…"'),
    "at-sign": ("title: @home\n", 2, 'put the value in quotes, e.g. title: "@…"'),
    "quote": ('title: "Workshop\ndate: 2017-03-14\n', 2, "close the quote begun on line 2"),
    "escape": ('title: "a\\q"\n', 2, "write the backslash twice"),
    "group": ("countries: {Kyrgyzstan\ntags: [a]\n", 3, "close the group begun on line 2"),
    "after-quote": ('title: "A" b\n', 2, "put the whole value in quotes"),
    "dash": ("title: A\n- b\n", 3, "put the list under a field"),
    "lined-up": ("title: A\ntags:\n  - a\n b: c\n", 5, "line up the fields"),
    "tag": ("location: !!python/name:os.system ''\n", 2, "'location': remove the YAML tag"),
    "unknown-kind": ("tags: [a, - b]\n", 2, "check the line for a missing quote, bracket or ':'"),
}


@pytest.mark.parametrize("kind", YAML_MISTAKES)
def test_a_yaml_mistake_says_what_to_do_first(runner, make_site, kind):
    front, line, start = YAML_MISTAKES[kind]
    root = make_site({REL: f"---\n{front}---\nBody.\n"})
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 1, result.output
    message = f"{REL}:{line}: {start}"
    assert any(row.startswith(message) for row in result.output.splitlines()), result.output
    assert "not allowed here" not in result.output and "scanning" not in result.output


# --- Every message an editor can get has an entry in docs/editing.md -----------------------

# The modules whose messages are about a post or page file, or about `newsroom new`. Messages
# about site.toml and the templates (config*.py, theme.py, templates.py) are for the site's
# maintainer, who reads the README; those of `newsroom import` are listed by the import itself.
EDITOR_MODULES = (
    "builder/pipeline/sources.py",
    "builder/pipeline/characters.py",
    "builder/pipeline/front_matter.py",
    "builder/pipeline/yaml_messages.py",
    "builder/pipeline/fields.py",
    "builder/pipeline/posts.py",
    "builder/pipeline/markup.py",
    "builder/pipeline/complexity.py",
    "builder/pipeline/parse.py",
    "builder/pipeline/collisions.py",
    "builder/pipeline/unfinished.py",
    "builder/editorial/checks.py",
    "builder/editorial/moved.py",
    "builder/editorial/scaffold.py",
)
# A message is the text given to one of these (the argument at this position) ...
MESSAGE_ARGUMENT = {"Problem": 2, "FieldError": 0, "RefusedTag": 0, "_warn": 1}
# ... or the text a function named `..._message` returns, or a template in a module's MESSAGES.
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
SECTION = "## 7. Every message and its fix"
SHORTEST = 8


@dataclass(frozen=True)
class Message:
    """One message text the code can produce, where it is written, and its longest fixed part."""

    where: str
    fragment: str


def literal_parts(node: ast.AST, constants: dict[str, ast.AST]) -> list[str] | None:
    """The fixed text of a message expression (a string, an f-string, a module constant or its
    .format(...), or a sum of those); None for text made elsewhere (a variable, str(exc))."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [value.value for value in node.values if isinstance(value, ast.Constant)]
    if isinstance(node, ast.Name) and node.id in constants:
        template = literal_parts(constants[node.id], constants)
        if template is None or not isinstance(constants[node.id], ast.Constant):
            return template
        return [  # a str.format template: its fixed parts, with '{{' and '}}' as they print
            part.replace("{{", "{").replace("}}", "}")
            for text in template
            for part in PLACEHOLDER.split(text)
        ]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "format":
            return literal_parts(node.func.value, constants)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal_parts(node.left, constants), literal_parts(node.right, constants)
        return None if left is None or right is None else left + right
    return None


def message_nodes(tree: ast.Module) -> list[ast.AST]:
    """Every message expression of a module."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            at = MESSAGE_ARGUMENT.get(getattr(node.func, "id", getattr(node.func, "attr", "")))
            if at is not None and len(node.args) > at:
                found.append(node.args[at])
            elif at is not None:
                found += [word.value for word in node.keywords if word.arg == "message"]
        elif isinstance(node, ast.FunctionDef) and node.name.endswith("_message"):
            found += [
                step.value
                for step in ast.walk(node)
                if isinstance(step, ast.Return) and isinstance(step.value, ast.JoinedStr)
            ]
        elif isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == [
            "MESSAGES"
        ]:
            found += list(getattr(node.value, "elts", []))
    return found


def editor_messages() -> list[Message]:
    """Every message of EDITOR_MODULES, by its longest fixed part."""
    messages = []
    for rel in EDITOR_MODULES:
        tree = ast.parse((REPO / rel).read_text(encoding="utf-8"))
        constants = {
            node.targets[0].id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        }
        for node in message_nodes(tree):
            parts = literal_parts(node, constants)
            fixed = max((part.strip(" :;,.(") for part in parts or [""]), key=len)
            if len(fixed) >= SHORTEST:  # shorter: a message that only wraps another one
                messages.append(Message(f"{rel}:{node.lineno}", fixed))
    return messages


def test_the_message_list_finds_the_messages_of_each_kind():
    fragments = {message.fragment for message in editor_messages()}
    assert "indent with spaces, not a Tab: line" in fragments  # a template in MESSAGES
    assert "' must be text, not a list or a group of fields" in fragments  # FieldError(f"…")
    assert "which web pages and feeds cannot hold: delete it (most editors do not show it)" in (
        fragments
    )  # a _message function
    assert "the file is empty" in fragments  # Problem(rel, line, f"…")
    assert len(fragments) > 60


def test_every_message_an_editor_can_get_has_an_entry_in_the_editing_guide():
    guide = (REPO / "docs/editing.md").read_text(encoding="utf-8")
    assert SECTION in guide, f"docs/editing.md has no section '{SECTION}'"
    section = guide[guide.index(SECTION) :]
    missing = [
        f"{message.where}: add an entry (the message as the editor sees it, and what to do) "
        f"that holds the text {message.fragment!r}"
        for message in editor_messages()
        if message.fragment not in section
    ]
    assert not missing, f"messages with no entry in docs/editing.md '{SECTION}':\n" + "\n".join(
        missing
    )
