"""Messages an editor understands: each YAML mistake told as what to do, at the line to fix."""

from __future__ import annotations

import pytest

from builder.cli import cli

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
