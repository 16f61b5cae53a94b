"""Scheduling, `newsroom list` and the warnings of `newsroom check`."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import MINI_CONFIG, post

from builder.build import Selection, build_site
from builder.cli import cli

BISHKEK = ZoneInfo("Asia/Bishkek")  # UTC+6, the mini-site's timezone


def built_titles(root: Path, out: Path, select: Selection) -> str:
    build_site(root, output_dir=out, select=select)
    return (
        (out / "index.html").read_text(encoding="utf-8")
        + (out / "page/2/index.html").read_text(encoding="utf-8")
        if (out / "page/2/index.html").exists()
        else (out / "index.html").read_text(encoding="utf-8")
    )


def test_a_post_dated_today_is_published_from_local_midnight(make_site, tmp_path: Path) -> None:
    root = make_site({"content/news/a.md": post(title="Dated today", date="2026-11-24")})
    # 00:30 on 24 November in Bishkek is still 23 November in UTC: the post must be out.
    just_after_midnight = datetime(2026, 11, 24, 0, 30, tzinfo=BISHKEK)
    assert "Dated today" in built_titles(root, tmp_path / "a", Selection(now=just_after_midnight))
    just_before = datetime(2026, 11, 23, 23, 59, tzinfo=BISHKEK)
    assert "Dated today" not in built_titles(root, tmp_path / "b", Selection(now=just_before))
    assert "Dated today" in built_titles(
        root, tmp_path / "c", Selection(now=just_before, future=True)
    )


def test_a_post_with_a_time_is_published_at_that_moment(make_site, tmp_path: Path) -> None:
    root = make_site({"content/news/a.md": post(title="At noon", date="2026-11-24T12:00:00+06:00")})
    assert "At noon" not in built_titles(
        root, tmp_path / "a", Selection(now=datetime(2026, 11, 24, 5, 59, tzinfo=timezone.utc))
    )
    assert "At noon" in built_titles(
        root, tmp_path / "b", Selection(now=datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc))
    )


def test_build_names_what_it_left_out(make_site, runner, tmp_path: Path) -> None:
    root = make_site(
        {
            "content/news/a.md": post(),
            "content/news/b.md": post(title="Not yet", extra="draft: true\n"),
            "content/news/c.md": post(title="Later", date="2999-01-01"),
        }
    )
    result = runner.invoke(cli, ["build", "--root", str(root), "--output", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert (
        "content/news/b.md (draft)" in result.stderr
        and "content/news/c.md (scheduled for 2999-01-01)" in result.stderr
    )
    assert not (tmp_path / "out/news/2999").exists()
    result = runner.invoke(
        cli,
        ["build", "--root", str(root), "--output", str(tmp_path / "out"), "--future", "--drafts"],
    )
    assert (tmp_path / "out/news/2999/c/index.html").is_file() and (
        tmp_path / "out/news/2017/b/index.html"
    ).is_file()


def test_list_shows_date_status_countries_and_path(make_site, runner) -> None:
    root = make_site(
        {
            "content/news/a.md": post(countries="[Kyrgyzstan, TJ]"),
            "content/news/b.md": post(title="Not yet", date="2017-05-01", extra="draft: true\n"),
            "content/news/c.md": post(title="Later", date="2999-01-01"),
        }
    )
    lines = runner.invoke(cli, ["list", "--root", str(root)]).stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["2999-01-01", "scheduled"],
        ["2017-05-01", "draft"],
        ["2017-03-14", "published"],
    ]
    assert "Kyrgyzstan, Tajikistan" in lines[2] and lines[2].endswith("content/news/a.md")
    drafts = runner.invoke(cli, ["list", "--root", str(root), "--drafts"]).stdout.splitlines()
    assert len(drafts) == 1 and drafts[0].endswith("content/news/b.md")
    scheduled = runner.invoke(cli, ["list", "--root", str(root), "--scheduled"]).stdout.splitlines()
    assert len(scheduled) == 1 and scheduled[0].endswith("content/news/c.md")


WARNED = {
    "content/news/no-country.md": post(title="Nowhere", countries="[]"),
    "content/news/long-title.md": post(title="A" * 130),
    "content/news/long-opening.md": post(title="Long opening", body=("word " * 80) + "\n"),
    "content/news/spelling-a.md": post(title="Trade one", tags="[e-commerce]"),
    "content/news/spelling-b.md": post(title="Trade two", tags="[e-commerce]"),
    "content/news/spelling-c.md": post(title="Trade three", tags="[ecommerce]"),
}


def test_check_warns_about_each_editorial_mistake(make_site, runner) -> None:
    root = make_site(WARNED)
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 0, result.stderr
    err = result.stderr
    assert "content/news/no-country.md:4: the post names no country" in err
    assert "content/news/long-title.md:2: the title is 130 characters long" in err
    assert "content/news/long-opening.md:7: the first paragraph is" in err
    assert "content/news/spelling-c.md:5: the tag 'ecommerce' looks like 'e-commerce'" in err
    assert "spelling-a.md" not in err and "spelling-b.md" not in err
    assert "4 warnings" in result.stdout  # a missing image or page is an error: test_errors


def test_check_strict_fails_on_warnings_and_json_is_machine_readable(make_site, runner) -> None:
    root = make_site(WARNED)
    assert runner.invoke(cli, ["check", "--root", str(root), "--strict"]).exit_code == 1
    result = runner.invoke(cli, ["check", "--root", str(root), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["errors"] == 0 and data["warnings"] == 4
    assert data["files"]["content/news/no-country.md"] == [
        {
            "line": 4,
            "severity": "warning",
            "message": "the post names no country: add e.g. countries: [Kyrgyzstan]",
        }
    ]
    clean = make_site({"content/news/a.md": post()}, name="clean")
    assert runner.invoke(cli, ["check", "--root", str(clean), "--strict"]).exit_code == 0


def test_check_json_reports_errors_with_file_and_line(make_site, runner) -> None:
    root = make_site({"content/news/a.md": post(countries="[Kyrgystan]")})
    result = runner.invoke(cli, ["check", "--root", str(root), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["files"]["content/news/a.md"][0]["line"] == 4


def test_the_long_opening_warning_names_the_paragraphs_line(make_site, runner) -> None:
    body = "## Thirty guards trained\n\n" + "Thirty guards " * 40 + "\n"
    root = make_site({"content/news/a.md": post(body=body)})
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert "content/news/a.md:9: the first paragraph is" in result.stderr, result.stderr


def test_the_placeholder_body_of_new_is_a_warning_until_edited(make_site, runner, tmp_path) -> None:
    root = make_site({"content/news/a.md": post()})
    made = runner.invoke(
        cli, ["new", "Title", "--country", "kg", "--date", "2017-05-01", "--root", str(root)]
    )
    path = Path(made.stdout.strip())
    rel = path.relative_to(root).as_posix()
    check = runner.invoke(cli, ["check", "--root", str(root)])
    assert check.exit_code == 0, check.output
    placeholder = f"{rel}:7: replace the text 'Write the news here…' with the news"
    assert placeholder in check.stderr
    assert runner.invoke(cli, ["check", "--root", str(root), "--strict"]).exit_code == 1
    build = runner.invoke(cli, ["build", "--root", str(root), "--output", str(tmp_path / "out")])
    assert build.exit_code == 0 and placeholder in build.stderr
    path.write_text(path.read_text("utf-8").replace("Write the news here", "Guards met"), "utf-8")
    assert runner.invoke(cli, ["check", "--root", str(root), "--strict"]).exit_code == 0


REVIEWED = (
    "---\ntitle: Donors met in Astana  # review: drafted from the first sentence: rewrite it\n"
    "date: 2017-03-03  # review: the year 2017 is taken from paragraph 2\n"
    "countries: [Kazakhstan]\ntags: [donors]\nlocation: Astana  # review: also names Bishkek\n"
)


def test_review_notes_left_in_a_published_post_are_a_warning_each(make_site, runner) -> None:
    config = MINI_CONFIG + '\n[countries.kazakhstan]\nname = "Kazakhstan"\niso = "KZ"\n'
    root = make_site(
        {"content/news/a.md": REVIEWED + "draft: true\n---\nDonors met.\n"}, config=config
    )
    for args in ([], ["--drafts"]):  # a draft may keep its notes, shown or not
        draft = runner.invoke(cli, ["check", "--root", str(root), "--strict", *args])
        assert draft.exit_code == 0, draft.output
    (root / "content/news/a.md").write_text(REVIEWED + "---\nDonors met.\n", "utf-8")
    result = runner.invoke(cli, ["check", "--root", str(root)])
    notes = [line for line in result.stderr.splitlines() if "'# review:' note" in line]
    assert notes == [
        "content/news/a.md:2: check this and delete the '# review:' note (drafted from the first"
        " sentence: rewrite it): the post is no longer a draft (warning)",
        "content/news/a.md:3: check this and delete the '# review:' note (the year 2017 is taken"
        " from paragraph 2): the post is no longer a draft (warning)",
        "content/news/a.md:6: check this and delete the '# review:' note (also names Bishkek):"
        " the post is no longer a draft (warning)",
    ]
    assert runner.invoke(cli, ["check", "--root", str(root), "--strict"]).exit_code == 1
