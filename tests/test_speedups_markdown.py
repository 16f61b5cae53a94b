"""builder/speedups/markdown.py gives exactly Python-Markdown's HTML.

It skips the tries of an inline pattern on text that lacks the pattern's trigger
(QuickInlineProcessor), the questions of a block processor on a block that lacks its trigger
(quicken_blocks) and the preprocessors' runs over bodies they cannot change. These tests
render the same bodies with and without it (NEWSROOM_SPEEDUPS=0) and compare the results.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import builder.pipeline.markup as markup
import builder.speedups.markdown as quick
from builder.pipeline.config import load_config
from builder.pipeline.posts import parse_meta, render_body
from builder.pipeline.sources import find_sources, read_source
from builder.speedups import SWITCH
from conftest import REPO

FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None, print_blob=False)
# Every character an inline pattern (or smarty) reacts to, with words, spaces and line ends.
PIECES = st.sampled_from(
    [
        "word",
        "Bishkek",
        " ",
        "  ",
        "\n",
        "  \n",
        "\t",
        "\n\n",
        "*",
        "**",
        "_",
        "__",
        "`",
        "``",
        "\\",
        "\\\\",
        "[",
        "]",
        "(",
        ")",
        "!",
        "[^1]",
        "[^1]: note\n",
        "<",
        ">",
        "<b>",
        "</b>",
        "<https://a.example/x>",
        "<a@b.example>",
        "&",
        "&amp;",
        "&#8212;",
        "'",
        '"',
        "'\"",
        "\"'",
        "'s",
        "'90s",
        "--",
        "---",
        "...",
        "....",
        "- ",
        "1. ",
        "> ",
        "#",
        "## ",
        "{: .c}",
        "*[BOMCA]: Border Management\n",
        "BOMCA",
        "http://x.example",
        "[link](other.md)",
        "![img](a.png)",
        "[ref][r]\n\n[r]: https://r.example\n",
        "\u00a0",
        "é",
        "|",
        "| a | b |\n",
        "|---|---|\n",
        "a | b\n--- | ---\n",
        "\n===",
        "\n---",
        "Term\n: definition\n",
        ": ",
        "***",
        "___",
        "- - -",
        "    ",
        "```\n",
        "~~~",
        "```python\nx = 1\n```\n",
        "~~~\n<b>\n~~~\n",
        "<div>\n",
        "</div>\n",
        '<div markdown="1">\n',
        "<!-- c -->",
        "<p>",
        "&#60;",
        "&lt;",
        "\n>",
        "]:",
        "[^",
        "*[",
        "[r]:https://r.example\n",
        "a|b\n-|-\n",
    ]
)


def renderers() -> tuple[markup.MarkdownRenderer, markup.MarkdownRenderer]:
    fast = markup.MarkdownRenderer(
        base_path="/", pages={"other.md": "news/2017/other/"}, files=frozenset({"a.png"})
    )
    os.environ[SWITCH] = "0"
    try:
        plain = markup.MarkdownRenderer(
            base_path="/", pages={"other.md": "news/2017/other/"}, files=frozenset({"a.png"})
        )
        assert plain.md is not None  # made now, with the speed-ups off
    finally:
        del os.environ[SWITCH]
    return fast, plain


QUICK, PLAIN = renderers()


def test_the_quick_processor_is_in_use() -> None:
    assert type(QUICK.md.treeprocessors["inline"]) is quick.QuickInlineProcessor
    assert type(QUICK.md.treeprocessors["smarty"]) is quick.QuickInlineProcessor
    assert type(PLAIN.md.treeprocessors["inline"]) is quick.InlineProcessor
    for table, method in ((quick.BLOCK_TESTS, "test"), (quick.BLOCK_RUNS, "run")):
        for name in table:  # each named processor is there and quickened in QUICK only
            assert method in vars(QUICK.md.parser.blockprocessors[name]), name
            assert method not in vars(PLAIN.md.parser.blockprocessors[name]), name
    for name in quick.PRE_RUNS:
        assert "run" in vars(QUICK.md.preprocessors[name]) and "run" not in vars(
            PLAIN.md.preprocessors[name]
        ), name


@FUZZ
@given(st.lists(PIECES, max_size=40).map("".join))
def test_random_bodies_render_the_same(body: str) -> None:
    def render(renderer: markup.MarkdownRenderer) -> object:
        try:
            return renderer.render(body, source="content/x.md", content_rel="x.md", line=5)
        except Exception as exc:  # noqa: BLE001 - the same refusal is the same result
            return repr(exc)

    assert render(QUICK) == render(PLAIN)


@pytest.mark.parametrize("site", [REPO, REPO / "tests/fixtures/site"], ids=["real", "fixture"])
def test_the_sites_posts_render_the_same(site: Path) -> None:
    config = load_config(site)
    sources = [read_source(config.root / rel, config.root) for rel, _ in find_sources(config).posts]
    metas = [(parse_meta(source, config), source) for source in sources]
    assert metas
    for meta, source in metas:
        assert render_body(meta, source, QUICK, meta.source) == render_body(
            meta, source, PLAIN, meta.source
        ), meta.source
