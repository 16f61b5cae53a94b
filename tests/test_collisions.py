"""Two things for one output file: `check` finds every collision `build` finds, each message
naming the content files responsible (both of them when two files collide)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builder.cli import cli
from conftest import post

REL = "content/news/2017/2017-03-14-a-workshop-in-bishkek.md"
PAGE = "news/2017/a-workshop-in-bishkek/index.html"
ABOUT = "---\ntitle: About us\n---\nWho we are.\n"


def check_and_build(runner: CliRunner, root: Path, tmp_path: Path) -> tuple[Result, Result]:
    checked = runner.invoke(cli, ["check", "--root", str(root)])
    built = runner.invoke(cli, ["build", "--root", str(root), "--output", str(tmp_path / "out")])
    return checked, built


def problem_lines(result: Result) -> list[str]:
    """The lines of `path[:line]: message` a command printed (not its summary)."""
    return [
        line
        for line in result.output.splitlines()
        if line.startswith(("content/", "templates/")) and ": " in line
    ]


def assert_found_by_both(runner, root, tmp_path, *named: str) -> str:
    """check and build both fail, without a traceback, with the same one problem naming each
    of `named`; return that problem's line."""
    checked, built = check_and_build(runner, root, tmp_path)
    for result in (checked, built):
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
    assert problem_lines(checked) == problem_lines(built), (checked.output, built.output)
    [found] = problem_lines(built)
    for name in named:
        assert name in found, found
    assert not (tmp_path / "out").exists()
    return found


def test_a_page_called_search_is_found_by_check(runner, make_site, tmp_path):
    root = make_site({REL: post(), "content/pages/search.md": ABOUT})
    found = assert_found_by_both(runner, root, tmp_path, "/search/index.html")
    assert found.startswith("content/pages/search.md: ")
    assert "a file newsroom makes itself" in found


def test_a_page_with_slug_search_is_found_by_check(runner, make_site, tmp_path):
    text = ABOUT.replace("title:", "slug: search\ntitle:")
    root = make_site({REL: post(), "content/pages/about.md": text})
    found = assert_found_by_both(runner, root, tmp_path, "/search/index.html")
    assert found.startswith("content/pages/about.md: ")


def test_an_asset_in_the_search_index_folder_is_found_by_check(runner, make_site, tmp_path):
    root = make_site({REL: post(), "content/pagefind/pagefind.js": "alert(1)"})
    found = assert_found_by_both(runner, root, tmp_path, "/pagefind/")
    assert found.startswith("content/pagefind/pagefind.js: ")
    assert "search index" in found and "the page newsroom makes" not in found


def test_a_backslash_in_an_asset_name_is_found_by_check(runner, make_site, tmp_path):
    root = make_site({REL: post(), "content/images/a\\b.png": "png"})
    found = assert_found_by_both(runner, root, tmp_path, "content/images/a\\b.png")
    assert "backslash" in found
    assert "/tmp" not in found  # the file is named, not the output's staging folder


def test_assets_differing_by_case_name_both_files(runner, make_site, tmp_path):
    root = make_site({REL: post(), "content/images/Map.png": "1", "content/images/map.png": "2"})
    assert_found_by_both(runner, root, tmp_path, "content/images/Map.png", "content/images/map.png")


def test_an_asset_where_a_post_page_goes_names_both_files(runner, make_site, tmp_path):
    root = make_site({REL: post(), f"content/{PAGE}": "<p>mine</p>"})
    found = assert_found_by_both(runner, root, tmp_path, f"content/{PAGE}", REL)
    assert found.startswith(f"content/{PAGE}: ")


def test_content_static_over_a_theme_file_names_both_files(runner, make_site, tmp_path):
    root = make_site({REL: post(), "content/static/style.css": "body {}"})
    found = assert_found_by_both(
        runner, root, tmp_path, "content/static/style.css", "templates/static/style.css"
    )
    assert found.startswith("content/static/style.css: ")  # the theme's file is not to blame


@pytest.mark.parametrize("name", ["robots.txt", "sitemap.xml", "feed.xml", "404.html"])
def test_an_asset_named_like_a_file_newsroom_makes(runner, make_site, tmp_path, name):
    root = make_site({REL: post(), f"content/{name}": "mine"})
    found = assert_found_by_both(runner, root, tmp_path, f"content/{name}", f"/{name}")
    assert found.startswith(f"content/{name}: ")
