"""`newsroom init`: a new site that builds at once."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tools import require_tool

from builder.cli import cli
from builder.incremental.home import cache_dir


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


def test_a_new_sites_git_sees_only_its_sources_after_build_and_serve(
    runner, tmp_path: Path
) -> None:
    """What build and serve make (output, the build cache, the preview) is ignored by git."""
    from builder.preview.serve import Preview

    git = require_tool("git", lambda: shutil.which("git"), "apt-get install git")
    site = tmp_path / "new-site"
    assert runner.invoke(cli, ["init", str(site)]).exit_code == 0
    assert runner.invoke(cli, ["build", "--root", str(site)]).exit_code == 0
    Preview(site, "http://127.0.0.1:8000/", lambda _: None).rebuild()
    assert (site / ".newsroom-cache/preview-8000/index.html").is_file() and (
        cache_dir(site, site / "output")
    ).is_dir()
    subprocess.run([git, "init", "-q", str(site)], check=True)
    seen = subprocess.run(
        [git, "-C", str(site), "status", "--porcelain", "--untracked-files=all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert seen and all(
        line[3:].startswith(("content/", "templates/", "site.toml", ".gitignore")) for line in seen
    ), seen


def test_a_new_sites_description_reads_well_whatever_its_title(runner, tmp_path: Path) -> None:
    """It was "News of {title}.": "News of Programme News." under every page's title."""
    for title in ("Programme News", "Border News"):
        site = tmp_path / title.replace(" ", "-")
        assert runner.invoke(cli, ["init", str(site), "--title", title]).exit_code == 0
        assert runner.invoke(cli, ["build", "--root", str(site)]).exit_code == 0
        home = (site / "output/index.html").read_text(encoding="utf-8")
        shown = re.search(r'<p class="site-description">(.*?)</p>', home)
        assert shown, "the home page shows the site's description"
        assert shown.group(1) == "News of the programme, newest first, by country and by topic."
        assert f'<meta name="description" content="{shown.group(1)}">' in home
