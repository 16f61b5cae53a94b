"""Issue 20: a published URL never silently changes. A post's URL comes from its `slug` or its
file name, never its title; a URL the last build published and this one does not is a warning
(an error with `check --strict`); `aliases` keep old URLs as redirect pages; a post's feed id
stays its first URL."""

from __future__ import annotations

from pathlib import Path

from builder.build import build_site
from builder.cli import cli
from conftest import post

REL = "content/news/2017/2017-03-14-workshop-in-osh.md"


def test_a_corrected_title_keeps_the_url(make_site, tmp_path: Path) -> None:
    root = make_site({REL: post(title="Workshop in Osh")})
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    page = out / "news/2017/workshop-in-osh/index.html"
    assert page.is_file()
    (root / REL).write_text(post(title="Workshop in Osh region"), encoding="utf-8")
    report = build_site(root, output_dir=out)
    assert "Workshop in Osh region" in page.read_text(encoding="utf-8")
    assert not (out / "news/2017/workshop-in-osh-region").exists()
    assert "news/2017/workshop-in-osh/index.html" in report.paths


def test_a_file_name_without_a_date_gives_the_url(make_site, tmp_path: Path) -> None:
    root = make_site({"content/radios.md": post(title="Radios for the posts of Osh")})
    report = build_site(root, output_dir=tmp_path / "out")
    assert "news/2017/radios/index.html" in report.paths


def test_a_file_name_with_no_letters_is_an_error_asking_for_a_slug(make_site, runner) -> None:
    root = make_site({"content/news/2017/2017-03-14-.md": post()})
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 1
    assert "content/news/2017/2017-03-14-.md:1: the file name has no letters" in result.output


def test_new_picks_a_file_name_whose_url_no_other_post_has(make_site, runner) -> None:
    root = make_site({"content/news/2017/2017-03-01-Border_Guards.md": post(title="Old news")})
    args = ["new", "Border guards", "--country", "kg", "--date", "2017-05-01"]
    result = runner.invoke(cli, [*args, "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("2017-05-01-border-guards-2.md")
    checked = runner.invoke(cli, ["check", "--root", str(root)])
    assert checked.exit_code == 0, checked.output
