"""Search: `newsroom build` indexes the post text with Pagefind, then swaps the new output in."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI_CONFIG, YEARS_SITE, post, tree
from tools import pagefind, require_tool

import builder.build
import builder.pipeline.search
import builder.pipeline.search_bundles
import builder.pipeline.search_service
from builder.build import build_site
from builder.errors import OutputError
from builder.pipeline.search import INDEX_DIR, MISSING
from builder.pipeline.search_canonical import FILTERS_AT, canonical_bundle, read

SCRIPT = re.compile(r"<script\b([^>]*)>")


def test_the_index_holds_the_posts_only_and_their_filters_in_order(real_site) -> None:
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    report, out = real_site
    entry = json.loads((out / INDEX_DIR / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == report.posts == 14
    meta = read(
        (out / INDEX_DIR / f"pagefind.{entry['languages']['en']['hash']}.pf_meta").read_bytes()
    )
    filters = {
        name: read((out / INDEX_DIR / f"filter/{file}.pf_filter").read_bytes())
        for name, file in meta[FILTERS_AT]
    }
    assert [name for name, _ in meta[FILTERS_AT]] == ["country", "tag", "year"]
    for name, (own_name, values) in filters.items():
        assert own_name == name and [v for v, _ in values] == sorted(v for v, _ in values)
    countries = {value: len(pages) for value, pages in filters["country"][1]}
    assert countries["Turkmenistan"] == 5 and countries["Kyrgyzstan"] == 8
    assert {value: len(pages) for value, pages in filters["year"][1]} == {"2017": 14}
    assert len(dict(filters["tag"][1])["training"]) == 7
    assert (out / INDEX_DIR / "pagefind.js").is_file()


def test_post_pages_mark_their_text_facts_and_filters_for_indexing(real_site) -> None:
    _, out = real_site
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        is_post = page.parent.parent.parent == out / "news"
        assert html.count("data-pagefind-body") == (1 if is_post else 0), page
        assert ("data-pagefind-filter" in html) == is_post, page
        if is_post:
            body = html.split("data-pagefind-body", 1)[1].split("</article>", 1)[0]
            assert (
                "<nav" not in body and "site-header" not in body and "<footer" not in body
            )  # navigation is not indexed
            assert html.index("data-pagefind-body") > html.index(
                "</header>"
            )  # after the site header
    html = (out / "news/2017/workshop-on-vulnerable-migrants-in-ashgabat/index.html").read_text(
        encoding="utf-8"
    )
    assert 'data-pagefind-filter="year:2017"' in html
    assert 'data-pagefind-sort="date[data-date]" data-date="2017-12-12T00:00:00+06:00"' in html
    assert 'data-pagefind-meta="countries[data-countries]"' in html
    assert 'data-countries="Turkmenistan"' in html
    assert '<dd data-pagefind-meta="date"><time datetime=' in html
    assert (
        '<a class="chip" href="/countries/turkmenistan/" data-pagefind-filter="country">'
        "Turkmenistan</a>" in html
    )  # the chip is indexed (not ignored) and is the filter's value: read once, shown once
    assert '<a class="chip" href="/tags/training/" data-pagefind-filter="tag">training</a>' in html
    assert html.count("<dt data-pagefind-ignore>") == 3 and "<div data-pagefind-ignore>" in html
    assert "data-pagefind-filter" not in (out / "countries/turkmenistan/index.html").read_text(
        encoding="utf-8"
    )  # the lists' chips are no filters


def test_search_is_the_only_javascript_and_says_when_it_is_unavailable(
    real_site, subpath_site: Path
) -> None:
    _, out = real_site
    for page in out.rglob("*.html"):
        rel = page.relative_to(out).as_posix()
        scripts = SCRIPT.findall(page.read_text(encoding="utf-8"))
        if rel == "search/index.html":
            assert scripts == [' src="/static/search.js" defer']
        else:
            assert all('type="application/ld+json"' in attrs for attrs in scripts), (
                rel
            )  # data, not code
    search = (out / "search/index.html").read_text(encoding="utf-8")
    assert (
        '<p id="search-unavailable" class="search-unavailable" hidden>' in search
        and "<noscript>" in search
        and 'class="search" role="search" hidden' in search  # shown by the script
        and 'class="search-browse"' in search  # browsing needs no script
    )
    assert 'data-base-url="/"' in search
    sub = (subpath_site / "search/index.html").read_text(encoding="utf-8")
    assert 'data-base-url="/bomca/"' in sub and 'src="/bomca/static/search.js"' in sub
    script = (out / "static/search.js").read_text(encoding="utf-8")
    assert "search-unavailable" in script and "mergeIndex" in script and "bundles.json" in script


def test_a_build_without_pagefind_succeeds_and_says_so(
    make_site, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(builder.pipeline.search, "find_pagefind", lambda: None)
    root = make_site({"content/a.md": post()})
    report = build_site(root, output_dir=tmp_path / "out")
    assert MISSING in report.warnings and "pip install 'pagefind[bin]'" in str(MISSING)
    assert not (tmp_path / "out" / INDEX_DIR).exists()
    assert (tmp_path / "out/search/index.html").is_file()


def test_search_can_be_switched_off(make_site, tmp_path: Path) -> None:
    root = make_site({"content/a.md": post()}, config=MINI_CONFIG + "\n[search]\nenabled = false\n")
    report = build_site(root, output_dir=tmp_path / "out")
    out = tmp_path / "out"
    assert (
        report.warnings == () and not (out / INDEX_DIR).exists() and not (out / "search").exists()
    )
    pages = [p for p in out.rglob("*.html")]
    assert pages and all(
        "search/" not in p.read_text(encoding="utf-8") for p in pages
    )  # no menu link, no search box on 404
    assert "/search/" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    on = make_site({"content/a.md": post()}, name="with-search")
    build_site(on, output_dir=tmp_path / "on")
    assert 'href="/search/"' in (tmp_path / "on/index.html").read_text(encoding="utf-8")
    assert 'action="/search/"' in (tmp_path / "on/404.html").read_text(encoding="utf-8")


def test_a_failing_indexer_leaves_the_previous_output_unchanged(
    make_site, tmp_path: Path, monkeypatch
) -> None:
    root = make_site({"content/a.md": post()})
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    before = tree(out)
    (root / "content/b.md").write_text(post(title="Another"), encoding="utf-8")
    monkeypatch.setattr(builder.pipeline.search, "find_pagefind", lambda: Path("/bin/false"))
    with pytest.raises(OutputError) as raised:
        build_site(root, output_dir=out)
    assert "Pagefind failed" in str(raised.value) and "previous output is unchanged" in str(
        raised.value
    )
    assert tree(out) == before
    assert not list(
        tmp_path.glob(".out.*")
    )  # no scratch or half-made folder is left beside the output


def test_the_index_is_rebuilt_byte_for_byte_and_kept_when_unchanged(
    make_site, tmp_path: Path
) -> None:
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site(
        {"content/a.md": post(), "content/b.md": post(title="Profiling in Osh", date="2017-04-02")}
    )
    out = tmp_path / "out"

    def index() -> dict[str, int]:
        return {
            p.relative_to(out).as_posix(): p.stat().st_ino
            for p in (out / INDEX_DIR).rglob("*")
            if p.is_file()
        }

    build_site(root, output_dir=out)
    first = index()
    assert (
        build_site(root, output_dir=out, clean=True).written == 0
    )  # rendered and indexed again: the same bytes
    assert index() == first
    (root / "content/b.md").write_text(
        post(title="Profiling in Osh", date="2017-04-02", body="Document examination.\n"),
        encoding="utf-8",
    )
    build_site(root, output_dir=out)
    second = index()
    assert (
        second != first
        and second[f"{INDEX_DIR}/pagefind-ui.js"] == first[f"{INDEX_DIR}/pagefind-ui.js"]
    )
    assert {p for p in second if "/fragment/" in p} != {
        p for p in first if "/fragment/" in p
    }  # b's text changed


TAGGED_SITE = {  # many values for each filter: Pagefind's own order of them is never twice the same
    f"content/{number}.md": post(
        title=f"Workshop number {number}",
        date=f"{2014 + number % 3}-0{1 + number % 9}-1{number % 10}",
        countries="[Kyrgyzstan, Tajikistan]" if number % 2 else "[Tajikistan]",
        tags="[" + ", ".join(f"topic {(number * 7 + k) % 13}" for k in range(3)) + "]",
    )
    for number in range(12)
}


def test_the_filter_index_is_the_same_bytes_build_after_build(make_site, tmp_path: Path) -> None:
    """Failed before search_canonical: Pagefind wrote each filter's values in a new order (and
    so under new names) on every run."""
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site(TAGGED_SITE)
    build_site(root, output_dir=tmp_path / "one")
    build_site(root, output_dir=tmp_path / "two")
    first, second = tree(tmp_path / "one" / INDEX_DIR), tree(tmp_path / "two" / INDEX_DIR)
    assert sum(path.startswith("filter/") for path in first) == 3  # country, tag, year
    assert first == second


def test_an_edit_gives_the_filter_index_a_clean_build_gives(make_site, tmp_path: Path) -> None:
    """An incremental build after an edit of a post's tags and countries: the same index, byte
    for byte, as a clean build of the edited site (failed before search_canonical)."""
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site(TAGGED_SITE)
    out, reference = tmp_path / "out", tmp_path / "reference"
    build_site(root, output_dir=out)
    (root / "content/3.md").write_text(
        post(
            title="Workshop number 3",
            date="2014-04-13",
            countries="[Kyrgyzstan]",
            tags="[topic 99, topic 1]",
        ),
        encoding="utf-8",
    )
    build_site(root, output_dir=out)
    build_site(root, output_dir=reference, clean=True)
    assert tree(reference / INDEX_DIR) == tree(out / INDEX_DIR)
    tags = next(
        read(data)
        for path, data in tree(out / INDEX_DIR).items()
        if path.startswith("filter/") and read(data)[0] == "tag"
    )
    assert "topic 99" in dict(tags[1])  # the edit is in the index


def test_a_bundle_whose_filters_are_not_pagefind_1_5s_is_left_as_it_came() -> None:
    """Another Pagefind's files (here not gzip'd) are not rewritten: the index still works."""
    files = {
        "pagefind-entry.json": b'{"languages":{"en":{"hash":"en_1"}}}',
        "pagefind.en_1.pf_meta": b"meta",
        "filter/en_2.pf_filter": b"not gzip",
    }
    assert canonical_bundle(files) == files


def record_pagefind_input(monkeypatch) -> list[list[str]]:
    """Every run of Pagefind from here on: the HTML files it was given (it still runs)."""
    given: list[list[str]] = []
    real = builder.pipeline.search_bundles.run_pagefind

    def run(binary: Path, pages):
        pages = list(pages)
        given.append([path for path, _ in pages])
        return real(binary, pages)

    monkeypatch.setattr(builder.pipeline.search_bundles, "run_pagefind", run)
    return given


def html_files(folder: Path) -> list[str]:
    """The pages of a built site (not Pagefind's own files)."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*.html")
        if INDEX_DIR not in p.relative_to(folder).parts
    )


def one_bundle(out: Path) -> dict[str, bytes]:
    """The index of a site whose posts are one group of years: one bundle, merging nothing."""
    index = tree(out / INDEX_DIR)
    assert json.loads(index.pop(builder.pipeline.search.MANIFEST)) == {"merge": []}
    return index


def own_index(out: Path, pages: list[str], binary: Path) -> dict[str, bytes]:
    """Pagefind's own bundle for these pages of `out`, given in path order, whatever each holds
    (its filters in the order search_canonical puts them in)."""
    made, _ = builder.pipeline.search_service.run_pagefind(
        binary, ((rel, (out / rel).read_bytes()) for rel in sorted(pages))
    )
    return canonical_bundle(made)


def index_of_every_page(out: Path, binary: Path) -> dict[str, bytes]:
    """Pagefind's own bundle for all the pages of `out`, whatever each holds."""
    return own_index(out, html_files(out), binary)


def test_pagefind_is_given_only_the_marked_pages_and_makes_the_index_it_makes_of_all(
    make_site, tmp_path: Path, monkeypatch
) -> None:
    binary = require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site(
        {
            "content/a.md": post(),
            "content/b.md": post(title="Profiling in Osh", date="2017-04-02"),
            "content/c.md": post(title="Dogs", date="2016-01-05"),
        }
    )
    given = record_pagefind_input(monkeypatch)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    posts = sorted(p.relative_to(out).as_posix() for p in (out / "news").rglob("index.html"))
    assert (
        given == [posts] and len(posts) == 3 and len(html_files(out)) > 3 * len(posts)
    )  # one run, over the posts only
    monkeypatch.undo()
    assert index_of_every_page(out, binary) == one_bundle(out)


def test_pages_that_only_mention_the_mark_are_indexed_as_pagefind_would_index_them(
    make_site, tmp_path: Path, monkeypatch
) -> None:
    """No template marks anything, and one post writes the name of the mark: Pagefind finds no
    marked element among the pages that mention it, so it is run again over every page."""
    binary = require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site(
        {
            "content/a-workshop-in-bishkek.md": post(),
            "content/profiling-in-osh.md": post(
                title="Profiling in Osh",
                date="2017-04-02",
                body="About `DATA-PAGEFIND-BODY` and <!-- data-pagefind-body -->.\n",
            ),
        }
    )
    template = root / "templates/post.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace(" data-pagefind-body", ""), encoding="utf-8"
    )
    given = record_pagefind_input(monkeypatch)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    mentioning = [
        rel for rel in html_files(out) if b"data-pagefind-body" in (out / rel).read_bytes().lower()
    ]
    assert (
        "news/2017/profiling-in-osh/index.html" in mentioning
        and "news/2017/a-workshop-in-bishkek/index.html" not in mentioning
    )
    assert given == [mentioning, html_files(out)]
    monkeypatch.undo()
    assert index_of_every_page(out, binary) == one_bundle(out)


def test_with_no_page_marked_or_mentioning_the_mark_pagefind_runs_once_over_every_page(
    make_site, tmp_path: Path, monkeypatch
) -> None:
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site(
        {"content/a.md": post(), "content/b.md": post(title="Profiling in Osh", date="2017-04-02")}
    )
    template = root / "templates/post.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace(" data-pagefind-body", ""), encoding="utf-8"
    )
    given = record_pagefind_input(monkeypatch)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    assert given == [html_files(out)]


@pytest.mark.parametrize(
    ("html", "mentions"),
    [
        (b'<article class="post" data-pagefind-body>', True),
        (b'<ARTICLE\nDATA-PAGEFIND-BODY="">', True),
        (b"<p>About Data-Pagefind-Body</p>", True),  # not a mark, but taken: Pagefind tells
        (b"<p>data-pagefind body</p>", False),
        (b"", False),
    ],
)
def test_a_page_mentions_the_mark_in_any_case(html: bytes, mentions: bool) -> None:
    assert builder.pipeline.search_bundles.mentions_mark(html) is mentions


@pytest.fixture
def in_groups():
    """Groups of two posts (GROUP_POSTS is a few hundred: a site needs that many to have two).
    Its own patch, which `monkeypatch.undo()` leaves in place."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builder.pipeline.search, "GROUP_POSTS", 2)
        yield patch


def group_pages(out: Path) -> dict[str, list[str]]:
    """The post pages of YEARS_SITE by the group they belong to."""
    posts = sorted(
        p.relative_to(out).as_posix()
        for p in (out / "news").rglob("index.html")
        if p.parent.parent.name.isdigit()
    )
    by_year = {
        year: [p for p in posts if p.startswith(f"news/{year}/")]
        for year in ("2014", "2015", "2016", "2017")
    }
    return {
        "2014": by_year["2014"],
        "2015": by_year["2015"] + by_year["2016"],
        "2017": by_year["2017"],
    }


def test_the_years_are_indexed_in_groups_that_the_search_page_merges(
    make_site, tmp_path: Path, monkeypatch, in_groups
) -> None:
    binary = require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site(YEARS_SITE)
    given = record_pagefind_input(monkeypatch)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    groups = group_pages(out)
    assert sorted(given) == sorted(groups.values())  # one run a group, over its posts only
    index = tree(out / INDEX_DIR)
    assert json.loads(index[builder.pipeline.search.MANIFEST]) == {"merge": ["2015/", "2017/"]}
    monkeypatch.undo()
    for name, pages in groups.items():  # each bundle is Pagefind's own of its group's pages
        own = own_index(out, pages, binary)
        assert json.loads(own["pagefind-entry.json"])["languages"]["en"]["page_count"] == len(pages)
        if name == "2014":  # the primary bundle, with Pagefind's scripts
            assert {
                rel: data
                for rel, data in index.items()
                if "/" not in rel or rel.split("/")[0] in ("index", "fragment", "filter")
            } == own | {builder.pipeline.search.MANIFEST: index[builder.pipeline.search.MANIFEST]}
        else:  # data only: the primary bundle's scripts search it
            assert {
                rel.split("/", 1)[1]: data
                for rel, data in index.items()
                if rel.startswith(f"{name}/")
            } == {
                rel: data
                for rel, data in own.items()
                if builder.pipeline.search_bundles.is_data(rel)
            }
            assert not any(
                rel.startswith(f"{name}/") and rel.endswith((".js", ".css")) for rel in index
            )
    reference = tmp_path / "reference"
    build_site(root, output_dir=reference, clean=True)
    assert tree(reference) == tree(out)  # the same bytes, again


def test_an_edit_indexes_its_own_group_again_and_keeps_the_others(
    make_site, tmp_path: Path, monkeypatch, in_groups
) -> None:
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site(YEARS_SITE)
    out, reference = tmp_path / "out", tmp_path / "reference"
    build_site(root, output_dir=out)
    inodes = {p: p.stat().st_ino for p in (out / INDEX_DIR).rglob("*") if p.is_file()}
    given = record_pagefind_input(monkeypatch)
    (root / "content/d.md").write_text(
        YEARS_SITE["content/d.md"].replace("Scanners for", "New scanners for"), encoding="utf-8"
    )
    build_site(root, output_dir=out)
    assert given == [group_pages(out)["2015"]]
    kept = {p for p in inodes if p.exists() and p.stat().st_ino == inodes[p]}
    assert {
        p for p in inodes if p.relative_to(out / INDEX_DIR).parts[0] != "2015"
    } <= kept  # the other groups' files are left alone
    assert (out / INDEX_DIR / "2015/fragment").is_dir() and not set(
        (out / INDEX_DIR / "2015/fragment").iterdir()
    ) <= kept  # d's text changed
    given.clear()
    build_site(root, output_dir=out)
    assert given == []  # nothing changed: nothing indexed
    monkeypatch.undo()
    build_site(root, output_dir=reference, clean=True)
    assert tree(reference) == tree(out)


@pytest.mark.parametrize(
    "change",
    [
        "memory damaged",
        "memory of another build",
        "memory of an older build",
        "bundle file deleted",
        "first group gone",
        "fewer groups",
        "more groups",
    ],
)
def test_the_index_kept_from_the_last_build_is_never_a_wrong_one(
    make_site, tmp_path: Path, monkeypatch, in_groups, change: str
) -> None:
    """Whatever happened since the last build, an incremental index is a clean build's."""
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    from builder.incremental.home import cache_dir
    from builder.incremental.store import search_path

    root = make_site(YEARS_SITE)
    if (
        change == "first group gone"
    ):  # post pages that show no other post: 2015-2016's stay as they are
        (root / "templates/post.html").write_text(
            '{% extends "base.html" %}{% block content %}<article data-pagefind-body>'
            "<h1>{{ post.title }}</h1>{{ post.html }}</article>{% endblock %}",
            encoding="utf-8",
        )
    out, reference = tmp_path / "out", tmp_path / "reference"
    build_site(root, output_dir=out)
    edit = root / "content/d.md"
    if change != "first group gone":
        edit.write_text(
            YEARS_SITE["content/d.md"].replace("Scanners for", "New scanners for"), encoding="utf-8"
        )
    given = record_pagefind_input(monkeypatch)
    if change == "memory damaged":
        data = search_path(cache_dir(root, out)).read_bytes()
        search_path(cache_dir(root, out)).write_bytes(data[:60] + b"x" * 20 + data[80:])
    elif (
        change == "memory of another build"
    ):  # a build without search since: its pages are not the memory's
        saved = search_path(cache_dir(root, out)).read_bytes()
        build_site(root, output_dir=out, search=False)
        search_path(cache_dir(root, out)).write_bytes(saved)
        edit.write_text(
            YEARS_SITE["content/d.md"].replace("Scanners for", "Old scanners for"), encoding="utf-8"
        )
    elif (
        change == "memory of an older build"
    ):  # the last build's memory lost, the one before it back
        saved = search_path(cache_dir(root, out)).read_bytes()
        build_site(root, output_dir=out)
        search_path(cache_dir(root, out)).write_bytes(saved)
        edit.write_text(
            YEARS_SITE["content/d.md"].replace("Scanners for", "Old scanners for"), encoding="utf-8"
        )
    elif change == "bundle file deleted":
        next((out / INDEX_DIR / "2017" / "fragment").iterdir()).unlink()
    elif (
        change == "first group gone"
    ):  # 2015-2016's bundle, kept, is now the primary one, which has Pagefind's scripts
        (root / "content/a.md").unlink()
        (root / "content/b.md").unlink()
        build_site(root, output_dir=out)
        assert given == [group_pages(out)["2015"]]  # made again: the output had only its data
    elif change == "fewer groups":
        in_groups.setattr(builder.pipeline.search, "GROUP_POSTS", 3)
    elif change == "more groups":
        in_groups.setattr(builder.pipeline.search, "GROUP_POSTS", 1)
    build_site(root, output_dir=out)
    monkeypatch.undo()
    build_site(root, output_dir=reference, clean=True)
    assert tree(reference) == tree(out)
    assert json.loads((out / INDEX_DIR / builder.pipeline.search.MANIFEST).read_bytes())[
        "merge"
    ] == [p.name + "/" for p in sorted((out / INDEX_DIR).iterdir()) if p.name[:1].isdigit()]


def test_the_years_are_grouped_oldest_first_and_a_group_holds_whole_years(monkeypatch) -> None:
    monkeypatch.setattr(builder.pipeline.search, "GROUP_POSTS", 3)
    posts = [
        ("a", 2010),
        ("b", 2010),
        ("c", 2011),
        ("d", 2011),
        ("e", 2012),
        ("f", 2013),
        ("g", 2013),
        ("h", 2013),
        ("i", 2015),
    ]
    assert builder.pipeline.search.group_years(posts) == {
        "a": "2010",
        "b": "2010",
        "c": "2010",
        "d": "2010",
        "e": "2012",
        "f": "2012",
        "g": "2012",
        "h": "2012",
        "i": "2015",
    }
    assert builder.pipeline.search.group_years([]) == {}
    monkeypatch.setattr(
        builder.pipeline.search, "MAX_GROUPS", 2
    )  # 9 posts: groups of 6 (3 would make 3 groups)
    assert builder.pipeline.search.group_years(posts) == dict.fromkeys("abcdefgh", "2010") | {
        "i": "2015"
    }
    monkeypatch.setattr(builder.pipeline.search, "MAX_GROUPS", 1)  # groups of 12: one
    assert set(builder.pipeline.search.group_years(posts).values()) == {"2010"}


ONE_BUNDLE_SCRIPT = """\
// The theme's search.js before the index came in groups of years.
(function () {
  var box = document.getElementById("search");
  if (!box || typeof window.PagefindUI !== "function") { return; }
  var base = box.getAttribute("data-base-url") || "/";
  new window.PagefindUI({ element: "#search", bundlePath: base + "pagefind/", baseUrl: base });
})();
"""


def test_a_theme_whose_search_page_merges_no_bundles_gets_the_index_in_one_piece_and_a_warning(
    make_site, tmp_path: Path, in_groups
) -> None:
    """A site keeps its own copy of the theme: one made before the index came in groups searches
    only pagefind/ itself, so it gets all the posts there, and is told how to index faster."""
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site(YEARS_SITE)
    script = root / "templates/static/search.js"
    old = script.read_text(encoding="utf-8")
    script.write_text(ONE_BUNDLE_SCRIPT, encoding="utf-8")
    out = tmp_path / "out"
    report = build_site(root, output_dir=out)
    assert (
        one_bundle(out)
        and json.loads((out / INDEX_DIR / "pagefind-entry.json").read_bytes())["languages"]["en"][
            "page_count"
        ]
        == 6
    )
    [warning] = [w for w in report.warnings if builder.pipeline.search.MANIFEST in w.message]
    assert (warning.path, warning.line, warning.severity) == (
        "templates/static/search.js",
        None,
        "warning",
    ) and "static/search.js from newsroom's theme" in warning.message
    script.write_text(old, encoding="utf-8")  # the theme's script: groups, no warning
    report = build_site(root, output_dir=out)
    assert json.loads((out / INDEX_DIR / builder.pipeline.search.MANIFEST).read_bytes()) == {
        "merge": ["2015/", "2017/"]
    }
    assert not [w for w in report.warnings if builder.pipeline.search.MANIFEST in w.message]


@pytest.mark.parametrize(("pages_at_once", "side_by_side"), [(4, 2), (3, 1)])
def test_pagefind_runs_side_by_side_only_while_the_pages_it_holds_stay_few(
    make_site, tmp_path: Path, monkeypatch, in_groups, pages_at_once: int, side_by_side: int
) -> None:
    """Pagefind holds about 150 KB a page: at 100,000 posts two runs over groups of 20,000 would
    hold some 6 GB. Groups of two posts, two cores: two runs at once only if 4 pages may be."""
    import threading

    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    monkeypatch.setattr(builder.pipeline.search_bundles, "PAGES_AT_ONCE", pages_at_once)
    running, most, lock = [0], [0], threading.Lock()
    meet = threading.Barrier(
        2, timeout=5
    )  # two runs at once meet here; the first alone waits 5 s and goes on
    real = builder.pipeline.search_bundles.run_pagefind

    def run(binary: Path, pages):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            meet.wait()
            meet.abort()  # met: the runs after these two need not wait
        except threading.BrokenBarrierError:
            pass
        with lock:
            running[0] -= 1
        return real(binary, pages)

    monkeypatch.setattr(builder.pipeline.search_bundles, "run_pagefind", run)
    build_site(make_site(YEARS_SITE), output_dir=tmp_path / "out", jobs=2)
    assert most[0] == side_by_side


BROKEN_SERVICE = """#!{python}
# Pagefind's service, spoken through: its answer to GetFiles spoilt as {mode!r} says
import base64, json, subprocess, sys

mode, real = {mode!r}, {real!r}
service = subprocess.Popen([real, "--service"], stdout=subprocess.PIPE)
pending = b""
while chunk := service.stdout.read1(1 << 20):
    *ended, pending = (pending + chunk).split(b",")
    for message in ended:
        answer = json.loads(base64.b64decode(message))
        if answer["payload"]["type"] == "GetFiles":
            files = answer["payload"]["files"]
            if mode == "cut":  # its output ends in the middle of the bundle, and it exits 0
                sys.stdout.buffer.write(message[: len(message) // 2])
                sys.stdout.buffer.flush()
                service.kill()
                sys.exit(0)
            if mode == "no metadata":
                files[:] = [f for f in files if not f["path"].endswith(".pf_meta")]
            if mode == "not base64":
                files[0]["content"] = files[0]["content"][:-3]
            message = base64.b64encode(json.dumps(answer).encode())
        sys.stdout.buffer.write(message + b",")
        sys.stdout.buffer.flush()
"""


@pytest.mark.parametrize("mode", ["cut", "no metadata", "not base64"])
def test_a_bundle_that_is_not_whole_fails_the_build_and_is_never_kept(
    make_site, tmp_path: Path, mode: str
) -> None:
    """Pagefind's answer is checked before anything is written: a bundle that ends short, lacks
    a language's metadata or holds a file that does not decode fails the build (exit 1, the
    output unchanged), and the next build with a working Pagefind makes the index anew."""
    real = require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site({"content/a.md": post()})
    out = tmp_path / "out"
    broken = tmp_path / "broken-pagefind"
    broken.write_text(BROKEN_SERVICE.format(python=sys.executable, mode=mode, real=str(real)))
    broken.chmod(0o755)

    def newsroom_build(binary: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "builder", "build", "--root", str(root)]
        return subprocess.run(
            [*command, "--output", str(out)],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PAGEFIND_BINARY_PATH": str(binary)},
        )

    assert newsroom_build(real).returncode == 0
    before = tree(out)
    (root / "content/b.md").write_text(post(title="Another"), encoding="utf-8")
    failed = newsroom_build(broken)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr + failed.stdout
    assert "Pagefind failed to make the search index" in failed.stderr
    assert "the previous output is unchanged" in failed.stderr
    assert tree(out) == before
    assert newsroom_build(real).returncode == 0
    build_site(root, output_dir=tmp_path / "clean")
    assert tree(out / INDEX_DIR) == tree(tmp_path / "clean" / INDEX_DIR)
