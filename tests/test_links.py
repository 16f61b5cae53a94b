"""No broken links: the built site served over HTTP on loopback and crawled by linkinator (npm),
at the root of a host and under a sub-path.

tests/links.py walks the files with an HTML parser too."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from served import serve
from tools import node_file, require_tool

LOCAL_ONLY = (
    r"^https?://(?!127\.0\.0\.1[:/])"  # skip every other host; never skip the one under test
)


def crawl(start: str) -> dict:
    """linkinator's JSON report of a recursive crawl from `start`, fragments and CSS included."""
    cli = require_tool("linkinator (npm ci)", node_file("linkinator", "build/src/cli.js"))
    run = subprocess.run(
        [
            "node",
            str(cli),
            start,
            "--recurse",
            "--check-fragments",
            "--check-css",
            "--skip",
            LOCAL_ONLY,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.stdout.strip().startswith("{"), run.stderr[-2000:]
    return json.loads(run.stdout)


def summary(report: dict, base: str) -> tuple[list[str], set[str]]:
    """The broken links ('parent → url: status') and the pages of the site the crawl reached."""
    broken = [
        f"{link['parent']} → {link['url']}: {link['status']}"
        for link in report["links"]
        if link["state"] == "BROKEN"
    ]
    pages = {
        link["url"]
        for link in report["links"]
        if link["url"].startswith(base) and link["url"].endswith(("/", ".html"))
    }
    return broken, pages


def pages_of(folder: Path, base: str) -> set[str]:
    """The URL of every page in a built folder (404.html is linked from nowhere)."""
    found = {p.parent.relative_to(folder).as_posix() for p in folder.rglob("index.html")}
    return {base if rel == "." else f"{base}{rel}/" for rel in found}


@pytest.mark.parametrize("where", ["root", "sub-path"])
def test_a_crawler_finds_no_broken_link(real_site, subpath_site: Path, where: str) -> None:
    folder, prefix = (real_site[1], "") if where == "root" else (subpath_site.parent, "bomca/")
    with serve(folder) as url:
        report = crawl(url + prefix)
    broken, pages = summary(report, url + prefix)
    assert broken == []
    assert pages == pages_of(
        folder / prefix, url + prefix
    )  # it reached every page, and nothing outside the site
