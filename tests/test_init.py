"""`newsroom init`: a new site that builds at once."""

from __future__ import annotations

from pathlib import Path

from builder.cli import cli


def test_init_makes_a_site_that_builds(runner, tmp_path: Path) -> None:
    site = tmp_path / "new-site"
    result = runner.invoke(cli, ["init", str(site), "--title", "Border News"])
    assert result.exit_code == 0, result.output
    assert (site / "site.toml").is_file() and (site / "templates/base.html").is_file()
    assert len(list((site / "content/news").rglob("*.md"))) == 1
    built = runner.invoke(cli, ["build", "--root", str(site)])
    assert built.exit_code == 0, built.stderr
    home = (site / "output/index.html").read_text(encoding="utf-8")
    assert "Border News" in home and "Welcome to the news archive" in home
    assert runner.invoke(cli, ["check", "--root", str(site), "--strict"]).exit_code == 0


def test_init_refuses_a_folder_that_is_not_empty(runner, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 1 and "is not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
