"""Shared fixtures: the fixture site, inline mini-sites, the CLI runner."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
FIXTURE_SITE = Path(__file__).resolve().parent / "fixtures" / "site"
GOLDEN = Path(__file__).resolve().parent / "golden" / "site"

MINI_CONFIG = """\
[site]
title = "Mini News"
description = "A tiny test site."
base_url = "https://example.org/"
language = "en"
timezone = "Asia/Bishkek"
per_page = 2

[feeds]
items = 3

[countries.kyrgyzstan]
name = "Kyrgyzstan"
iso = "KG"
aliases = ["Kyrgyz Republic"]

[countries.tajikistan]
name = "Tajikistan"
iso = "TJ"
"""


SUBPATH_URL = "https://example.org/bomca/"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/site from a fresh build of tests/fixtures/site",
    )
    parser.addoption(
        "--screenshots",
        metavar="DIR",
        type=Path,
        help="save the browser tests' screenshots in DIR (default: a temporary folder)",
    )


def site_copy(site: Path, folder: Path) -> Path:
    """A copy of `site`'s sources in `folder`/site (a folder of its own, never served): a build
    keeps its cache in its site's folder, and a test never writes into the repository."""
    copy = folder / "site"
    copy.mkdir()
    for name in ("content", "templates"):
        shutil.copytree(site / name, copy / name)
    for name in ("site.toml", "gazetteer.toml"):
        if (site / name).is_file():
            shutil.copy2(site / name, copy / name)
    return copy


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory):
    """The repository's site built once for the session in a temporary folder: (report, folder).

    Never into output/.
    """
    from builder.build import build_site

    site = site_copy(REPO, tmp_path_factory.mktemp("real-site"))
    out = tmp_path_factory.mktemp("real") / "output"
    return build_site(site, output_dir=out), out


@pytest.fixture(scope="session")
def subpath_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's site built for https://example.org/bomca/, in a folder named bomca.

    Serve its parent.
    """
    from builder.build import build_site

    site = site_copy(REPO, tmp_path_factory.mktemp("subpath-site"))
    out = tmp_path_factory.mktemp("subpath") / "bomca"
    build_site(site, output_dir=out, base_url=SUBPATH_URL)
    return out


@pytest.fixture(scope="session")
def golden_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site built once per session (read-only: tests that change it build their own)."""
    from builder.build import build_site

    site = site_copy(FIXTURE_SITE, tmp_path_factory.mktemp("golden-site"))
    out = tmp_path_factory.mktemp("golden") / "output"
    build_site(site, output_dir=out)
    return out


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def fixture_site(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/site in tmp_path."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, root)
    return root


@pytest.fixture
def make_site(tmp_path: Path):
    """Write a mini-site: {relative path: text or bytes}.

    It has site.toml and the repo's templates by default.
    """

    def make(
        files: dict[str, str | bytes],
        *,
        config: str | None = MINI_CONFIG,
        templates: bool = True,
        name: str = "mini",
    ) -> Path:
        root = tmp_path / name
        root.mkdir(exist_ok=True)
        if templates:
            shutil.copytree(REPO / "templates", root / "templates", dirs_exist_ok=True)
        if config is not None:
            (root / "site.toml").write_text(config, encoding="utf-8")
        (root / "content").mkdir(exist_ok=True)
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(textwrap.dedent(data), encoding="utf-8")
        return root

    return make


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder`: relative path → bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def post(
    title: str = "A workshop in Bishkek",
    date: str = "2017-03-14",
    countries: str = "[Kyrgyzstan]",
    tags: str = "[training]",
    body: str = "The body.\n",
    extra: str = "",
) -> str:
    """The text of a valid post, with one part changed as a test needs."""
    return (
        f"---\ntitle: {title}\ndate: {date}\ncountries: {countries}\ntags: "
        f"{tags}\n{extra}---\n{body}"
    )


YEARS_SITE = {  # posts in four years; with two posts a group: 2014 | 2015-2016 | 2017
    "content/a.md": post(
        title="Dogs at the Dostuk crossing", date="2014-02-01", body="Sniffer dogs at the border.\n"
    ),
    "content/b.md": post(
        title="Radios for Osh", date="2014-06-01", body="Radios for the border posts.\n"
    ),
    "content/c.md": post(
        title="Profiling in Osh", date="2015-04-02", body="Profiling at the border.\n"
    ),
    "content/d.md": post(
        title="Scanners in Karakol", date="2016-05-03", body="Scanners for the border crossing.\n"
    ),
    "content/e.md": post(
        title="A workshop in Bishkek", date="2017-03-14", body="A workshop on the border.\n"
    ),
    "content/f.md": post(
        title="Drones in Naryn", date="2017-09-01", body="Drones watch the border.\n"
    ),
}


def planned_pages(site, related=None, **options) -> list:
    """The pages the plan stage makes of a site (with its related posts unless given)."""
    from builder.outputs import Page
    from builder.pipeline.plan import plan_site
    from builder.pipeline.related import relate_posts
    from builder.pipeline.theme import load_theme

    strings = load_theme(site.config).strings
    related = relate_posts(site) if related is None else related
    return [
        output
        for output in plan_site(site, strings, related, **options)
        if isinstance(output, Page)
    ]
