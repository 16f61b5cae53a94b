"""The command line, through Click's CliRunner with absolute paths (never a change of directory)."""

from __future__ import annotations

import os
import pstats
import re
import subprocess
import sys

import pytest
import yaml

from builder import __version__
from builder.cli import cli
from conftest import REPO, post, tree

REL = "content/news/2017/2017-03-14-a-workshop-in-bishkek.md"
SUMMARY = re.compile(
    r"^Built (\d+) posts?: (\d+) pages?, (\d+) feeds?, \d+ files? \(\d+ changed\) in \d+\.\d\d s "
    r"→ (.+)$"
)


def test_the_commands():
    assert {"build", "check", "new"} <= set(cli.commands)


@pytest.mark.parametrize(
    "args",
    [[]] + [[name] for name in sorted(cli.commands)],
    ids=lambda args: args[0] if args else "group",
)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(runner, args, flag):
    result = runner.invoke(cli, [*args, flag])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    if args:
        assert "--root" in result.output or args[0] == "init"  # init takes the new site's folder
    else:
        assert all(name in result.output for name in cli.commands)


def test_help_of_build_names_its_options(runner):
    result = runner.invoke(cli, ["build", "--help"])
    for option in ("--output", "--base-url", "--drafts", "--root"):
        assert option in result.output


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"newsroom, version {__version__}\n"


@pytest.mark.parametrize(
    "args",
    [["--frobnicate"], ["build", "--frobnicate"], ["check", "--output", "x"], ["nosuchcommand"]],
)
def test_usage_errors_exit_2(runner, args):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_root_that_does_not_exist_exits_2(runner, tmp_path):
    result = runner.invoke(cli, ["check", "--root", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_build_prints_one_summary_line(runner, make_site, tmp_path):
    root = make_site(
        {
            REL: post(),
            "content/news/2017/b.md": post(
                title="Second", date="2017-04-01", countries="[Tajikistan]"
            ),
        }
    )
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", "--root", str(root), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    found = SUMMARY.match(lines[0])
    assert found, lines[0]
    posts, pages, feeds, where = found.groups()
    assert int(posts) == 2
    html = [path for path in tree(out) if path.endswith(".html")]
    assert int(pages) == len(html)
    assert int(feeds) == len(
        [path for path in tree(out) if path.endswith(("feed.xml", "atom.xml"))]
    )
    assert where == str(out)


def test_build_into_the_default_output_folder(runner, make_site):
    root = make_site({REL: post()})
    result = runner.invoke(cli, ["build", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "output/news/2017/a-workshop-in-bishkek/index.html").is_file()
    assert result.stdout.rstrip().endswith(str(root / "output"))


def test_check_good_content_writes_nothing(runner, make_site, tmp_path):
    root = make_site({REL: post()})
    before = tree(tmp_path)
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 0 errors, 0 warnings; 1 post, ")
    assert tree(tmp_path) == before
    assert not (root / "output").exists()


def test_check_bad_content_names_path_and_line(runner, make_site, tmp_path):
    root = make_site(
        {
            REL: post(date="2017-02-30"),
            "content/news/2017/b.md": post(title="B", countries="[Kyrgystan]"),
        }
    )
    before = tree(tmp_path)
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{REL}:3: 'date': 2017-02-30 is not a real date" in result.stderr
    assert "content/news/2017/b.md:4: unknown country 'Kyrgystan'" in result.stderr
    assert "FAILED: 2 errors, 0 warnings" in result.stderr
    assert tree(tmp_path) == before


def test_check_bad_config_names_path_and_line(runner, make_site):
    root = make_site({REL: post()})
    (root / "site.toml").write_text(
        (root / "site.toml").read_text("utf-8").replace("per_page = 2", "per_page = 0"),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 1
    assert "site.toml:7: [site] per_page" in result.stderr


def front_matter(path) -> dict:
    text = path.read_text("utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_new_writes_a_valid_post(runner, make_site, tmp_path):
    root = make_site({REL: post()})
    args = [
        "new",
        "Title",
        "--country",
        "kg",
        "--tag",
        "training",
        "--date",
        "2017-05-01",
        "--root",
        str(root),
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    path = root / "content/news/2017/2017-05-01-title.md"
    assert path.is_file()
    assert result.stdout.strip() == str(path)
    assert path.read_text("utf-8").startswith(
        "---\ntitle: Title\ndate: 2017-05-01\ncountries: [Kyrgyzstan]\ntags: [training]\n---\n"
    )  # the date unquoted, as docs/editing.md shows it
    out = tmp_path / "out"
    build = runner.invoke(cli, ["build", "--root", str(root), "--output", str(out)])
    assert build.exit_code == 0, build.output
    assert build.stdout.startswith("Built 2 posts")
    page = (out / "news/2017/title/index.html").read_text("utf-8")
    assert "<h1>Title</h1>" in page
    assert 'href="/countries/kyrgyzstan/"' in page and 'href="/tags/training/"' in page

    again = runner.invoke(cli, args)
    assert again.exit_code == 0, again.output
    second = root / "content/news/2017/2017-05-01-title-2.md"
    assert again.stdout.strip() == str(second)
    assert front_matter(second)["slug"] == "title-2"
    assert path.read_text("utf-8").startswith("---\ntitle: Title\n")  # the first post is untouched
    build = runner.invoke(cli, ["build", "--root", str(root), "--output", str(out)])
    assert build.exit_code == 0, build.output
    assert (out / "news/2017/title-2/index.html").is_file()


def test_new_title_with_yaml_specials_round_trips(runner, make_site, tmp_path):
    root = make_site({REL: post()})
    title = 'Workshop: "risk" #1 – Бишкек'
    result = runner.invoke(
        cli,
        [
            "new",
            title,
            "--country",
            "KYRGYZ REPUBLIC",
            "--country",
            "tj",
            "--date",
            "2017-06-02",
            "--root",
            str(root),
        ],
    )
    assert result.exit_code == 0, result.output
    path = root / "content/news/2017/2017-06-02-workshop-risk-1-bishkek.md"
    assert result.stdout.strip() == str(path)
    assert front_matter(path)["title"] == title
    assert front_matter(path)["countries"] == ["Kyrgyzstan", "Tajikistan"]
    check = runner.invoke(cli, ["check", "--root", str(root)])
    assert check.exit_code == 0, check.output


def test_new_with_an_unknown_country_writes_nothing(runner, make_site):
    root = make_site({REL: post()})
    before = tree(root)
    result = runner.invoke(
        cli, ["new", "Title", "--country", "Kyrgystan", "--date", "2017-05-01", "--root", str(root)]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "--country: unknown country 'Kyrgystan'" in result.stderr
    assert "no file was written" in result.stderr
    assert tree(root) == before


def test_new_needs_a_country(runner, make_site):
    root = make_site({REL: post()})
    before = tree(root)
    result = runner.invoke(cli, ["new", "Title", "--root", str(root)])
    assert result.exit_code == 2
    assert tree(root) == before


@pytest.mark.parametrize(
    "day, words",
    [
        ("31/12/2017", "'31/12/2017' is not a date: write YYYY-MM-DD (e.g. 2017-03-14)"),
        ("2017-02-30", "2017-02-30 is not a real date"),
    ],
)
def test_new_with_a_bad_date_says_what_build_says(runner, make_site, day, words):
    root = make_site({REL: post()})
    before = tree(root)
    result = runner.invoke(
        cli, ["new", "Title", "--country", "kg", "--date", day, "--root", str(root)]
    )
    assert result.exit_code == 1, result.output
    assert f"--date: {words}" in result.stderr
    assert "no file was written" in result.stderr and "Traceback" not in result.output
    assert tree(root) == before
    (root / REL).write_text(post(date=day), encoding="utf-8")
    build_says = runner.invoke(cli, ["check", "--root", str(root)])
    assert f"{REL}:3: 'date': {words}" in build_says.output  # the same words, with the field


def test_new_with_a_misspelt_country_gets_the_did_you_mean_of_build(runner, make_site):
    root = make_site({REL: post()})
    result = runner.invoke(
        cli,
        ["new", "Title", "--country", "Kyrgystan", "--country", "Tajikstan", "--root", str(root)],
    )
    assert result.exit_code == 1, result.output
    assert "--country: unknown country 'Kyrgystan' (did you mean 'Kyrgyzstan'?)" in result.stderr
    assert "--country: unknown country 'Tajikstan' (did you mean 'Tajikistan'?)" in result.stderr


def test_python_dash_m_builder_version():
    done = subprocess.run(
        [sys.executable, "-m", "builder", "--version"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"newsroom, version {__version__}\n"


def test_python_dash_m_builder_reports_errors_with_exit_1(make_site):
    root = make_site({REL: post(countries="[Kyrgystan]")})
    done = subprocess.run(
        [sys.executable, "-m", "builder", "check", "--root", str(root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"{REL}:4: unknown country 'Kyrgystan'" in done.stderr
    assert "Traceback" not in done.stderr


def test_newsroom_profile_writes_the_commands_statistics(make_site, tmp_path):
    root = make_site({REL: post()})
    stats_file = tmp_path / "build.prof"
    done = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--root", str(root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NEWSROOM_PROFILE": str(stats_file)},
    )
    assert done.returncode == 0, done.stderr
    functions = {name for _file, _line, name in pstats.Stats(str(stats_file)).stats}
    assert {"build_site", "parse_content", "plan_site", "render_outputs"} <= functions


def test_build_names_the_first_left_out_posts_and_verbose_names_all(runner, make_site):
    drafts = {
        f"content/d{i:02}.md": post(title=f"Draft {i}", extra="draft: true\n") for i in range(13)
    }
    root = make_site({REL: post(), **drafts})
    short = runner.invoke(cli, ["build", "--root", str(root)])
    assert short.exit_code == 0, short.output
    named = re.findall(r"^  content/d\d\d\.md", short.stderr, re.M)
    assert len(named) == 10
    assert "Left out 13 posts (" in short.stderr
    assert "… and 3 more (--verbose lists them all)" in short.stderr
    full = runner.invoke(cli, ["build", "--verbose", "--root", str(root)])
    assert full.exit_code == 0, full.output
    assert len(re.findall(r"^  content/d\d\d\.md", full.stderr, re.M)) == 13
    assert "more (--verbose" not in full.stderr


def test_a_build_that_finds_nothing_changed_repeats_the_warnings(runner, make_site):
    root = make_site({REL: post(countries="[]")})
    first = runner.invoke(cli, ["build", "--root", str(root)])
    again = runner.invoke(cli, ["build", "--root", str(root)])
    assert first.exit_code == again.exit_code == 0, again.output
    warning = f"{REL}:4: the post names no country"
    assert warning in first.stderr
    assert "(0 changed)" in again.stdout
    assert warning in again.stderr


def test_every_count_of_build_and_check_is_singular_for_one(runner, make_site, tmp_path):
    """1 post, 1 warning, 1 left out: no "1 posts", no "post(s)"."""
    root = make_site(
        {
            REL: post(countries="[]"),  # one warning: the post names no country
            "content/news/2017/d.md": post(title="Draft", extra="draft: true\n"),
        }
    )
    built = runner.invoke(cli, ["build", "--root", str(root), "--output", str(tmp_path / "o")])
    assert built.exit_code == 0, built.output
    assert re.match(r"Built 1 post: \d+ pages, \d+ feeds, \d+ files \(\d+ changed\)", built.stdout)
    assert "Left out 1 post (--drafts / --future include them):" in built.stderr
    checked = runner.invoke(cli, ["check", "--root", str(root)])
    assert checked.exit_code == 0, checked.output
    assert re.match(r"OK: 0 errors, 1 warning; 1 post, \d+ pages, \d+ feeds\n", checked.stdout)
    assert "(s)" not in built.output + checked.output


def test_a_build_with_more_warnings_than_it_names_counts_the_rest(runner, make_site):
    posts = {f"content/news/p{i:02}.md": post(title=f"P {i}", countries="[]") for i in range(11)}
    root = make_site(posts)
    result = runner.invoke(cli, ["build", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert "… and 1 more warning (--verbose or `newsroom check` lists them all)" in result.stderr


def test_list_shows_each_title_in_aligned_columns(runner, make_site):
    long_title = "A regional workshop for border guarding agencies of all five countries"
    root = make_site(
        {
            "content/news/a.md": post(countries="[Kyrgyzstan, Tajikistan]"),
            "content/news/b.md": post(title="Not yet", date="2017-05-01", extra="draft: true\n"),
            "content/news/long.md": post(title=long_title, date="2017-04-01", countries="[TJ]"),
        }
    )
    result = runner.invoke(cli, ["list", "--root", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stdout
    titles = [
        line.index(title)
        for line, title in zip(lines, ("Not yet", "A regional", "A work"), strict=True)
    ]
    countries = [
        line.index(name) for line, name in zip(lines, ("Kyrgyz", "Tajik", "Kyrgyz"), strict=True)
    ]
    files = [line.index("content/news/") for line in lines]
    assert len(set(titles)) == len(set(countries)) == len(set(files)) == 1, result.stdout
    assert "A workshop in Bishkek" in lines[2] and "Not yet" in lines[0]
    shown = re.search(r"A regional workshop.*?…", lines[1])
    assert shown and len(shown.group()) <= 48 and long_title.startswith(shown.group()[:-1])


@pytest.mark.parametrize(
    ("args", "said"),
    [(["--drafts"], "no drafts"), (["--scheduled"], "no scheduled posts"), ([], "no posts")],
)
def test_list_says_so_when_there_is_nothing_to_list(runner, make_site, args, said):
    root = make_site({REL: post()} if args else {"content/pages/about.md": "# About\n"})
    result = runner.invoke(cli, ["list", "--root", str(root), *args])
    assert result.exit_code == 0, result.output
    assert result.stdout == said + "\n"
