"""Bad input: every problem reported as `path:line: message`, exit 1, and the output left alone.

Each case builds a good mini-site first, snapshots the output, breaks one file, builds again
and checks that the error names the file and line, that there is no traceback, and that not a
byte of the previous output changed.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builder.cli import cli
from conftest import post, tree

REL = "content/news/2017/2017-03-14-a-workshop-in-bishkek.md"
PAGE = "news/2017/a-workshop-in-bishkek/index.html"
PROBLEM_LINE = re.compile(r"^content/\S+\.md:\d+: ", re.MULTILINE)


def run_build(runner: CliRunner, root: Path, out: Path, *extra: str) -> Result:
    return runner.invoke(cli, ["build", "--root", str(root), "--output", str(out), *extra])


def assert_clean_failure(result: Result) -> None:
    """Exit 1, a one-line summary, and no Python traceback anywhere."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an exception
    assert "nothing was written" in result.stderr


def problem_lines(result: Result, where: str) -> list[str]:
    """The stderr lines that start with exactly `where: `."""
    return [line for line in result.stderr.splitlines() if line.startswith(where + ": ")]


def break_and_build(
    runner: CliRunner,
    make_site,
    tmp_path: Path,
    bad: str | bytes,
    *,
    rel: str = REL,
    good: dict[str, str] | None = None,
) -> tuple[Result, dict[str, bytes]]:
    """Good build of `good` (default: one valid post at REL) → snapshot → write `bad` to `rel`
    → build again; return (result, snapshot)."""
    root = make_site(good or {REL: post()})
    out = tmp_path / "out"
    good = run_build(runner, root, out)
    assert good.exit_code == 0, good.output
    before = tree(out)
    assert before, "the good build wrote nothing"
    path = root / rel
    path.write_bytes(bad if isinstance(bad, bytes) else bad.encode("utf-8"))
    result = run_build(runner, root, out)
    assert_clean_failure(result)
    assert tree(out) == before, "the failed build changed the previous output"
    beside = sorted(p.name for p in tmp_path.iterdir())
    assert beside == ["mini", "out"], (
        "a failed build left files beside the output (nothing belongs there, the cache neither)"
    )
    return result, before


def assert_refused(runner, make_site, tmp_path, bad, line: int, *words: str) -> str:
    """The bad file REL is reported at `REL:line` with all `words`; return that message line."""
    result, _ = break_and_build(runner, make_site, tmp_path, bad)
    rel = REL
    found = problem_lines(result, f"{rel}:{line}")
    assert found, f"no '{rel}:{line}: …' line in:\n{result.stderr}"
    for word in words:
        assert word in found[0], (word, found[0])
    return found[0]


# --- One bad file, one problem ------------------------------------------------------------


def test_malformed_yaml_names_the_line(runner, make_site, tmp_path):
    bad = "---\ntitle: Workshop: day one\ndate: 2017-03-14\n---\nBody.\n"
    message = assert_refused(runner, make_site, tmp_path, bad, 2, 'e.g. title: "Workshop: day one"')
    assert message.endswith(
        ": put the value in quotes: a value with ': ' in it needs them"
        + ', e.g. title: "Workshop: day one"'
    )  # what to do first, not PyYAML's words


def test_unclosed_yaml_list_names_where_it_began(runner, make_site, tmp_path):
    bad = (
        "---\ntitle: A workshop\ndate: 2017-03-14\ncountries: [Kyrgyzstan\ntags: "
        "[training]\n---\nBody.\n"
    )
    message = assert_refused(runner, make_site, tmp_path, bad, 5, "close the list begun on line 4")
    assert "with ']' and separate its items with ','" in message


def test_no_front_matter(runner, make_site, tmp_path):
    assert_refused(
        runner,
        make_site,
        tmp_path,
        "A post without any front matter.\n",
        1,
        "no front matter",
        "---",
    )


def test_unclosed_front_matter(runner, make_site, tmp_path):
    assert_refused(
        runner, make_site, tmp_path, "---\ntitle: A\ndate: 2017-03-14\nBody.\n", 1, "not closed"
    )


def test_empty_file(runner, make_site, tmp_path):
    assert_refused(runner, make_site, tmp_path, "", 1, "empty")


def test_blank_file(runner, make_site, tmp_path):
    assert_refused(runner, make_site, tmp_path, "\n  \n\n", 1, "empty")


def test_missing_title(runner, make_site, tmp_path):
    bad = "---\ndate: 2017-03-14\ncountries: [Kyrgyzstan]\n---\nBody.\n"
    assert_refused(runner, make_site, tmp_path, bad, 1, "'title'", "missing")


def test_empty_title(runner, make_site, tmp_path):
    assert_refused(runner, make_site, tmp_path, post(title='""'), 2, "'title'", "empty")


def test_title_with_no_value(runner, make_site, tmp_path):
    assert_refused(runner, make_site, tmp_path, post(title=""), 2, "'title'", "empty")


def test_title_that_is_a_list(runner, make_site, tmp_path):
    assert_refused(
        runner, make_site, tmp_path, post(title="[Workshop, Bishkek]"), 2, "'title'", "must be text"
    )


def test_impossible_date(runner, make_site, tmp_path):
    assert_refused(
        runner,
        make_site,
        tmp_path,
        post(date="2017-02-30"),
        3,
        "'date'",
        "2017-02-30",
        "not a real date",
    )


def test_date_in_a_wrong_format(runner, make_site, tmp_path):
    assert_refused(
        runner,
        make_site,
        tmp_path,
        post(date="14 March 2017"),
        3,
        "'date'",
        "14 March 2017",
        "YYYY-MM-DD",
    )


def test_missing_date(runner, make_site, tmp_path):
    bad = "---\ntitle: A workshop\ncountries: [Kyrgyzstan]\n---\nBody.\n"
    assert_refused(runner, make_site, tmp_path, bad, 1, "'date'", "missing")


def test_datetime_without_offset(runner, make_site, tmp_path):
    assert_refused(
        runner,
        make_site,
        tmp_path,
        post(date="2017-03-14T10:00:00"),
        3,
        "'date'",
        "no offset",
        "+06:00",
    )


def test_end_date_before_date(runner, make_site, tmp_path):
    bad = post(extra="end_date: 2017-03-10\n")
    assert_refused(
        runner, make_site, tmp_path, bad, 6, "'end_date'", "2017-03-10", "before", "2017-03-14"
    )


def test_unknown_country_suggests_the_nearest(runner, make_site, tmp_path):
    message = assert_refused(
        runner, make_site, tmp_path, post(countries="[Kyrgystan]"), 4, "unknown country 'Kyrgystan'"
    )
    assert "did you mean 'Kyrgyzstan'?" in message


@pytest.mark.parametrize("value", ["{Kyrgyzstan: yes}", "5"], ids=["mapping", "number"])
def test_countries_not_a_list(runner, make_site, tmp_path, value):
    assert_refused(
        runner, make_site, tmp_path, post(countries=value), 4, "'countries'", "must be a list"
    )


def test_countries_list_of_lists(runner, make_site, tmp_path):
    assert_refused(
        runner,
        make_site,
        tmp_path,
        post(countries="[[Kyrgyzstan]]"),
        4,
        "'countries'",
        "list of names",
    )


def test_tags_not_a_list(runner, make_site, tmp_path):
    assert_refused(
        runner, make_site, tmp_path, post(tags="training"), 5, "'tags'", "must be a list"
    )


def test_unknown_key_suggests_the_field(runner, make_site, tmp_path):
    bad = post(extra="contries: [Kyrgyzstan]\n")
    assert_refused(
        runner, make_site, tmp_path, bad, 6, "unknown field 'contries'", "did you mean 'countries'?"
    )


def test_file_not_utf8(runner, make_site, tmp_path):
    bad = post(title="Caf\u00e9 de la fronti\u00e8re").encode("latin-1")
    message = assert_refused(
        runner, make_site, tmp_path, bad, 2, "not UTF-8", "0xe9", "save the file as UTF-8"
    )
    assert "Caf" not in message  # no guessing at an encoding: the text is not shown decoded


def test_bad_slug(runner, make_site, tmp_path):
    assert_refused(
        runner,
        make_site,
        tmp_path,
        post(extra="slug: Bad_Slug!\n"),
        6,
        "'slug'",
        "Bad_Slug!",
        "bad-slug",
    )


def test_two_posts_with_the_same_url_name_both_files(runner, make_site, tmp_path):
    other = "content/news/2017/2017-05-02-handover.md"
    bad = post(
        title="Equipment handed over", date="2017-05-02", extra="slug: a-workshop-in-bishkek\n"
    )
    result, _ = break_and_build(
        runner,
        make_site,
        tmp_path,
        bad,
        rel=other,
        good={REL: post(), other: post(title="Equipment handed over", date="2017-05-02")},
    )
    found = [
        line for line in result.stderr.splitlines() if "/news/2017/a-workshop-in-bishkek/" in line
    ]
    assert len(found) == 1, result.stderr
    assert REL in found[0] and other in found[0]
    assert re.match(rf"^({re.escape(REL)}:2|{re.escape(other)}:6): ", found[0]), found[0]


def test_same_slug_in_different_years_is_fine(runner, make_site, tmp_path):
    root = make_site(
        {
            REL: post(),
            "content/news/2018/2018-03-14-a-workshop-in-bishkek.md": post(date="2018-03-14"),
        }
    )
    result = run_build(runner, root, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / PAGE).is_file()
    assert (tmp_path / "out/news/2018/a-workshop-in-bishkek/index.html").is_file()


@pytest.mark.parametrize("value", ["maybe", "1", "[true]"])
def test_draft_not_a_bool(runner, make_site, tmp_path, value):
    assert_refused(
        runner, make_site, tmp_path, post(extra=f"draft: {value}\n"), 6, "'draft'", "true or false"
    )


def test_yaml_python_tag_is_refused(runner, make_site, tmp_path):
    marker = tmp_path / "pwned"
    bad = post(extra=f'location: !!python/object/apply:os.system ["touch {marker}"]\n')
    assert_refused(
        runner, make_site, tmp_path, bad, 6, "'location'", "python/object/apply", "not allowed"
    )
    assert not marker.exists()


def test_yaml_python_tag_on_the_whole_front_matter_is_refused(runner, make_site, tmp_path):
    marker = tmp_path / "pwned"
    bad = (
        f"---\n!!python/object/apply:os.system\nargs: ['touch {marker}']\ntitle: A "
        "workshop\ndate: 2017-03-14\n---\nBody.\n"
    )
    assert_refused(runner, make_site, tmp_path, bad, 2, "python/object/apply", "not allowed")
    assert not marker.exists()


def test_duplicate_field(runner, make_site, tmp_path):
    bad = post(extra="title: Again\n")
    assert_refused(runner, make_site, tmp_path, bad, 6, "'title'", "twice", "line 2")


# --- Several problems at once --------------------------------------------------------------


def test_all_broken_files_are_reported_together(runner, make_site, tmp_path):
    others = {
        "content/news/2017/b.md": post(title="Second", date="2017-03-15"),
        "content/news/2017/c.md": post(title="Third", date="2017-03-16"),
        "content/news/2017/d.md": post(title="Fourth", date="2017-03-17"),
    }
    root = make_site({REL: post(), **others})
    out = tmp_path / "out"
    assert run_build(runner, root, out).exit_code == 0
    before = tree(out)
    (root / REL).write_text(post(date="2017-02-30"), encoding="utf-8")  # 1 problem
    (root / "content/news/2017/b.md").write_text(
        post(title="Second", countries="[Kyrgystan]", tags="risk"), encoding="utf-8"
    )  # 2
    (root / "content/news/2017/c.md").write_bytes(
        "---\ntitle: Troisi\u00e8me\n---\n".encode("latin-1")
    )  # 1
    (root / "content/news/2017/d.md").write_text("no front matter\n", encoding="utf-8")  # 1
    result = run_build(runner, root, out)
    assert_clean_failure(result)
    problems = PROBLEM_LINE.findall(result.stderr)
    assert problems == [
        "content/news/2017/2017-03-14-a-workshop-in-bishkek.md:3: ",
        "content/news/2017/b.md:4: ",
        "content/news/2017/b.md:5: ",
        "content/news/2017/c.md:2: ",
        "content/news/2017/d.md:1: ",
    ]
    assert "Error: 5 problems found" in result.stderr
    assert tree(out) == before


# --- Accepted input ------------------------------------------------------------------------


def test_bom_and_crlf_are_accepted(runner, make_site, tmp_path):
    data = b"\xef\xbb\xbf" + post(body="First line.\n\nSecond paragraph.\n").replace(
        "\n", "\r\n"
    ).encode("utf-8")
    root = make_site({REL: data})
    out = tmp_path / "out"
    result = run_build(runner, root, out)
    assert result.exit_code == 0, result.output
    html = (out / PAGE).read_text("utf-8")
    assert "<h1>A workshop in Bishkek</h1>" in html
    assert "<p>Second paragraph.</p>" in html
    assert "\r" not in html and "\ufeff" not in html


def test_bom_and_crlf_keep_line_numbers(runner, make_site, tmp_path):
    bad = b"\xef\xbb\xbf" + post(date="2017-02-30").replace("\n", "\r\n").encode("utf-8")
    assert_refused(runner, make_site, tmp_path, bad, 3, "not a real date")


def test_billion_laughs_finishes_quickly(runner, make_site, tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    bad = "---\ntitle: Laughs\ndate: 2017-03-14\n" + "\n".join(lines) + "\ntags: *a9\n---\nBody.\n"
    root = make_site({REL: post()})
    out = tmp_path / "out"
    assert run_build(runner, root, out).exit_code == 0
    before = tree(out)
    (root / REL).write_text(bad, encoding="utf-8")
    started = time.perf_counter()
    result = run_build(runner, root, out)
    assert time.perf_counter() - started < 10
    assert result.exit_code in (0, 1), result.exception
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert problem_lines(result, f"{REL}:4"), result.stderr  # the first unknown field, a0
        assert tree(out) == before


def test_countries_by_code_alias_and_any_case(runner, make_site, tmp_path):
    root = make_site(
        {
            REL: post(countries="[kg]"),
            "content/news/2017/b.md": post(
                title="Second workshop", date="2017-03-20", countries="[KYRGYZ REPUBLIC, tj]"
            ),
            "content/news/2017/c.md": post(
                title="Third workshop",
                date="2017-03-21",
                countries="[kyrgyzstan, Kyrgyzstan, '  Kyrgyz   Republic ']",
            ),
        }
    )
    out = tmp_path / "out"
    result = run_build(runner, root, out)
    assert result.exit_code == 0, result.output
    kg = (out / "countries/kyrgyzstan/index.html").read_text("utf-8")
    page2 = out / "countries/kyrgyzstan/page/2/index.html"  # per_page = 2 in the mini config
    kg += page2.read_text("utf-8")
    for title in ("A workshop in Bishkek", "Second workshop", "Third workshop"):
        assert title in kg
    assert "Second workshop" in (out / "countries/tajikistan/index.html").read_text("utf-8")
    third = (out / "news/2017/c/index.html").read_text("utf-8")
    assert third.count('href="/countries/kyrgyzstan/"') == 1  # one country, named three ways
    assert sorted(p.name for p in (out / "countries").iterdir() if p.is_dir()) == [
        "kyrgyzstan",
        "tajikistan",
    ]


def test_tags_are_normalised_and_shown_with_the_first_spelling(runner, make_site, tmp_path):
    root = make_site(
        {
            # sorts first by file name but is the newer post: its spelling must not win
            "content/news/2017/a-newer.md": post(
                title="Newer", date="2017-03-14", tags='[" risk  management "]'
            ),
            "content/news/2017/b-older.md": post(
                title="Older", date="2017-03-01", tags="[Risk management]"
            ),
        }
    )
    out = tmp_path / "out"
    result = run_build(runner, root, out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "tags").iterdir() if p.is_dir()) == ["risk-management"]
    term = (out / "tags/risk-management/index.html").read_text("utf-8")
    assert "<h1>Risk management</h1>" in term
    assert "Newer" in term and "Older" in term
    newer = (out / "news/2017/a-newer/index.html").read_text("utf-8")
    chip = '<a class="chip" href="/tags/risk-management/" data-pagefind-filter="tag">'
    assert chip + "Risk management</a>" in newer
    assert "risk  management" not in newer and ">risk management<" not in newer
    terms = (out / "tags/index.html").read_text("utf-8")
    assert terms.count('href="/tags/risk-management/"') == 1


def test_draft_is_built_only_with_drafts(runner, make_site, tmp_path):
    root = make_site(
        {
            REL: post(),
            "content/news/2017/draft.md": post(
                title="Not yet", date="2017-04-01", extra="draft: true\n"
            ),
        }
    )
    out = tmp_path / "out"
    result = run_build(runner, root, out)
    assert result.exit_code == 0, result.output
    assert (out / PAGE).is_file()
    assert not (out / "news/2017/draft").exists()
    assert "Not yet" not in b"".join(
        data
        for rel, data in tree(out).items()
        if not rel.startswith("pagefind/") and not rel.endswith(".ico")
    ).decode("utf-8")  # the search index and the favicon are binary
    assert "content/news/2017/draft.md" in result.stderr  # the left-out draft is named
    result = run_build(runner, root, out, "--drafts")
    assert result.exit_code == 0, result.output
    assert "Not yet" in (out / "news/2017/draft/index.html").read_text("utf-8")
    assert "Not yet" in (out / "index.html").read_text("utf-8")


# --- Nothing is written outside the output folder -------------------------------------------


def test_output_equal_to_site_root_is_refused(runner, make_site, tmp_path):
    root = make_site({REL: post()})
    before = tree(root)
    result = run_build(runner, root, root)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "cannot be the site folder" in result.stderr
    assert tree(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini"]


def test_output_containing_the_site_is_refused(runner, make_site, tmp_path):
    root = make_site({REL: post()})
    before = tree(tmp_path)
    result = run_build(runner, root, tmp_path)
    assert result.exit_code == 1
    assert "cannot be the site folder or contain it" in result.stderr
    assert tree(tmp_path) == before


@pytest.mark.parametrize("inner", ["content/out", "templates/out"])
def test_output_inside_content_or_templates_is_refused(runner, make_site, tmp_path, inner):
    root = make_site({REL: post()})
    before = tree(root)
    result = run_build(runner, root, root / inner)
    assert result.exit_code == 1
    assert f"cannot be inside {inner.split('/')[0]}/" in result.stderr
    assert tree(root) == before
    assert not (root / inner).exists()


def test_output_to_a_foreign_non_empty_folder_is_refused(runner, make_site, tmp_path):
    root = make_site({REL: post()})
    mine = tmp_path / "mine"
    (mine / "notes").mkdir(parents=True)
    (mine / "thesis.txt").write_text("do not lose me", encoding="utf-8")
    (mine / "notes/a.txt").write_text("nor me", encoding="utf-8")
    before = tree(mine)
    result = run_build(runner, root, mine)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{mine}: " in result.stderr and "not made by newsroom" in result.stderr
    assert tree(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "mini"]


def test_output_to_an_empty_folder_then_rebuild(runner, make_site, tmp_path):
    root = make_site({REL: post()})
    out = tmp_path / "empty"
    out.mkdir()
    assert run_build(runner, root, out).exit_code == 0
    assert (out / PAGE).is_file()
    first = tree(out)
    result = run_build(runner, root, out)  # newsroom made it now: it may replace it
    assert result.exit_code == 0, result.output
    assert tree(out) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "mini"]


# --- Broken templates ----------------------------------------------------------------------


def break_template(runner, make_site, tmp_path, name: str, insert_at: int, text: str) -> Result:
    """Good build, then insert `text` as line `insert_at` of templates/`name` and build again."""
    root = make_site({REL: post()})
    out = tmp_path / "out"
    assert run_build(runner, root, out).exit_code == 0
    before = tree(out)
    path = root / "templates" / name
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines.insert(insert_at - 1, text + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    result = run_build(runner, root, out)
    assert_clean_failure(result)
    assert tree(out) == before
    return result


def test_template_syntax_error(runner, make_site, tmp_path):
    result = break_template(runner, make_site, tmp_path, "post.html", 4, "{% if %}")
    found = problem_lines(result, "templates/post.html:4")
    assert found and "syntax error" in found[0], result.stderr


def test_template_undefined_variable(runner, make_site, tmp_path):
    result = break_template(
        runner, make_site, tmp_path, "post.html", 4, "<p>{{ no_such_variable }}</p>"
    )
    found = problem_lines(result, "templates/post.html:4")
    assert found and "'no_such_variable' is undefined" in found[0], result.stderr


def test_template_error_in_base_template(runner, make_site, tmp_path):
    result = break_template(runner, make_site, tmp_path, "base.html", 3, "{% endif %}")
    assert problem_lines(result, "templates/base.html:3"), result.stderr


def test_every_problem_of_one_file_is_reported_in_one_run(runner, make_site, tmp_path):
    bad = post(tags="training", extra="contries: [Kyrgyzstan]\nend_date: 2017-03-10\n")
    result, _ = break_and_build(runner, make_site, tmp_path, bad)
    assert problem_lines(result, f"{REL}:5")[0].endswith("e.g. tags: [training, customs]")
    assert "unknown field 'contries'" in problem_lines(result, f"{REL}:6")[0]
    assert "'end_date' 2017-03-10 is before 'date' 2017-03-14" in result.stderr


BROKEN = {
    "image": (
        "![scan](missing.png)",
        "the image 'missing.png' points to content/news/2017/missing.png, which does not exist",
    ),
    "file-link": (
        "[the workshop](2017-03-01-gone.md)",
        "the link '2017-03-01-gone.md' points to content/news/2017/2017-03-01-gone.md, which does"
        " not exist",
    ),
    "site-link": (
        "[the workshop](/news/2017/no-such-post/)",
        "the link '/news/2017/no-such-post/' goes to a page of this site that does not exist",
    ),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_missing_image_or_linked_page_fails_the_build_and_keeps_the_output(
    runner, make_site, tmp_path, kind
):
    written, message = BROKEN[kind]
    bad = post(body=f"Intro.\n\nSee {written} here.\n")
    result, _ = break_and_build(runner, make_site, tmp_path, bad)  # exit 1, output untouched
    assert problem_lines(result, f"{REL}:9") == [f"{REL}:9: {message}"], result.stderr
    check = runner.invoke(cli, ["check", "--root", str(tmp_path / "mini")])
    assert check.exit_code == 1 and f"{REL}:9: {message}\n" in check.stderr, check.output


def test_a_missing_image_in_a_page_fails_the_build(runner, make_site, tmp_path):
    rel = "content/pages/about.md"
    good = {REL: post(), rel: "---\ntitle: About\n---\nUs.\n"}
    bad = "---\ntitle: About\n---\nUs.\n\n![Us](us.png)\n"
    result, _ = break_and_build(runner, make_site, tmp_path, bad, rel=rel, good=good)
    assert problem_lines(result, f"{rel}:6") == [
        f"{rel}:6: the image 'us.png' points to content/pages/us.png, which does not exist"
    ]
