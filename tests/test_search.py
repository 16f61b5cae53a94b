"""Search: `newsroom build` indexes the post text with Pagefind before swapping the new output in."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import MINI_CONFIG, post, tree
from tools import pagefind, require_tool

import builder.build
import builder.search
from builder.build import build_site
from builder.errors import OutputError
from builder.search import INDEX_DIR, MISSING

SCRIPT = re.compile(r"<script\b([^>]*)>")


def test_the_index_holds_the_posts_only(real_site) -> None:
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    report, out = real_site
    entry = json.loads((out / INDEX_DIR / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == report.posts == 14
    assert not (out / INDEX_DIR / "filter").exists()  # no filters: Pagefind writes them in a random order
    assert (out / INDEX_DIR / "pagefind-ui.js").is_file() and (out / INDEX_DIR / "pagefind-ui.css").is_file()


def test_only_the_post_title_and_text_are_marked_for_indexing(real_site) -> None:
    _, out = real_site
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        is_post = page.parent.parent.parent == out / "news"
        assert html.count("data-pagefind-body") == (1 if is_post else 0), page
        if is_post:
            body = html.split("data-pagefind-body", 1)[1].split("</article>", 1)[0]
            assert "<nav" not in body and "site-header" not in body and "<footer" not in body  # navigation is not indexed
            assert 'class="post-facts" data-pagefind-ignore' in body and "data-pagefind-filter" not in html
            assert html.index("data-pagefind-body") > html.index("</header>")  # after the site header


def test_search_is_the_only_javascript_and_says_when_it_is_unavailable(real_site, subpath_site: Path) -> None:
    _, out = real_site
    for page in out.rglob("*.html"):
        rel = page.relative_to(out).as_posix()
        scripts = SCRIPT.findall(page.read_text(encoding="utf-8"))
        if rel == "search/index.html":
            assert scripts == [' src="/pagefind/pagefind-ui.js" defer', ' src="/static/search.js" defer']
        else:
            assert all('type="application/ld+json"' in attrs for attrs in scripts), rel  # data, not code
    search = (out / "search/index.html").read_text(encoding="utf-8")
    assert '<p id="search-unavailable" class="search-unavailable" hidden>' in search and "<noscript>" in search
    assert 'data-base-url="/"' in search
    sub = (subpath_site / "search/index.html").read_text(encoding="utf-8")
    assert 'data-base-url="/bomca/"' in sub and 'src="/bomca/pagefind/pagefind-ui.js"' in sub
    script = (out / "static/search.js").read_text(encoding="utf-8")
    assert "search-unavailable" in script and "triggerSearch" in script and "bundlePath" in script


def test_a_build_without_pagefind_succeeds_and_says_so(make_site, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(builder.build, "find_pagefind", lambda: None)
    root = make_site({"content/a.md": post()})
    report = build_site(root, output_dir=tmp_path / "out")
    assert MISSING in report.warnings and "pip install 'pagefind[bin]'" in str(MISSING)
    assert not (tmp_path / "out" / INDEX_DIR).exists()
    assert (tmp_path / "out/search/index.html").is_file()


def test_search_can_be_switched_off(make_site, tmp_path: Path) -> None:
    root = make_site({"content/a.md": post()}, config=MINI_CONFIG + "\n[search]\nenabled = false\n")
    report = build_site(root, output_dir=tmp_path / "out")
    out = tmp_path / "out"
    assert report.warnings == () and not (out / INDEX_DIR).exists() and not (out / "search").exists()
    pages = [p for p in out.rglob("*.html")]
    assert pages and all("search/" not in p.read_text(encoding="utf-8") for p in pages)  # no menu link, no search box on 404
    assert "/search/" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    on = make_site({"content/a.md": post()}, name="with-search")
    build_site(on, output_dir=tmp_path / "on")
    assert 'href="/search/"' in (tmp_path / "on/index.html").read_text(encoding="utf-8")
    assert 'action="/search/"' in (tmp_path / "on/404.html").read_text(encoding="utf-8")


def test_a_failing_indexer_leaves_the_previous_output_unchanged(make_site, tmp_path: Path, monkeypatch) -> None:
    root = make_site({"content/a.md": post()})
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    before = tree(out)
    (root / "content/b.md").write_text(post(title="Another"), encoding="utf-8")
    monkeypatch.setattr(builder.build, "find_pagefind", lambda: Path("/bin/false"))
    with pytest.raises(OutputError) as raised:
        build_site(root, output_dir=out)
    assert "Pagefind failed" in str(raised.value) and "previous output is unchanged" in str(raised.value)
    assert tree(out) == before
    assert not list(tmp_path.glob(".out.*"))  # no scratch or half-made folder is left beside the output


def test_the_index_is_rebuilt_byte_for_byte_and_kept_when_unchanged(make_site, tmp_path: Path) -> None:
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site({"content/a.md": post(), "content/b.md": post(title="Profiling in Osh", date="2017-04-02")})
    out = tmp_path / "out"

    def index() -> dict[str, int]:
        return {p.relative_to(out).as_posix(): p.stat().st_ino for p in (out / INDEX_DIR).rglob("*") if p.is_file()}

    build_site(root, output_dir=out)
    first = index()
    assert build_site(root, output_dir=out, clean=True).written == 0  # rendered and indexed again: the same bytes
    assert index() == first
    (root / "content/b.md").write_text(post(title="Profiling in Osh", date="2017-04-02", body="Document examination.\n"), encoding="utf-8")
    build_site(root, output_dir=out)
    second = index()
    assert second != first and second[f"{INDEX_DIR}/pagefind-ui.js"] == first[f"{INDEX_DIR}/pagefind-ui.js"]
    assert {p for p in second if "/fragment/" in p} != {p for p in first if "/fragment/" in p}  # b's text changed


def record_pagefind_input(monkeypatch) -> list[list[str]]:
    """Every run of Pagefind from here on: the HTML files it was given (it still runs)."""
    given: list[list[str]] = []
    real = builder.search.run_pagefind

    def run(binary: Path, site: Path, bundle: Path) -> str:
        given.append(sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")))
        return real(binary, site, bundle)

    monkeypatch.setattr(builder.search, "run_pagefind", run)
    return given


def html_files(folder: Path) -> list[str]:
    """The pages of a built site (not Pagefind's own files)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html") if INDEX_DIR not in p.relative_to(folder).parts)


def index_of_every_page(out: Path, tmp_path: Path, binary: Path) -> dict[str, bytes]:
    """Pagefind's own bundle for all the pages of `out`, whatever each holds."""
    everything = tmp_path / "everything"
    for rel in html_files(out):
        (everything / rel).parent.mkdir(parents=True, exist_ok=True)
        (everything / rel).write_bytes((out / rel).read_bytes())
    builder.search.run_pagefind(binary, everything, tmp_path / "bundle")
    return tree(tmp_path / "bundle")


def test_pagefind_is_given_only_the_marked_pages_and_makes_the_index_it_makes_of_all(make_site, tmp_path: Path, monkeypatch) -> None:
    binary = require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site({"content/a.md": post(), "content/b.md": post(title="Profiling in Osh", date="2017-04-02"), "content/c.md": post(title="Dogs", date="2016-01-05")})
    given = record_pagefind_input(monkeypatch)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    posts = sorted(p.relative_to(out).as_posix() for p in (out / "news").rglob("index.html"))
    assert given == [posts] and len(posts) == 3 and len(html_files(out)) > 3 * len(posts)  # one run, over the posts only
    monkeypatch.undo()
    assert index_of_every_page(out, tmp_path, binary) == tree(out / INDEX_DIR)


def test_pages_that_only_mention_the_mark_are_indexed_as_pagefind_would_index_them(make_site, tmp_path: Path, monkeypatch) -> None:
    """No template marks anything, and one post writes the name of the mark: Pagefind finds no
    marked element among the pages that mention it, so it is run again over every page."""
    binary = require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site({"content/a.md": post(), "content/b.md": post(title="Profiling in Osh", date="2017-04-02", body="About `DATA-PAGEFIND-BODY` and <!-- data-pagefind-body -->.\n")})
    template = root / "templates/post.html"
    template.write_text(template.read_text(encoding="utf-8").replace(" data-pagefind-body", ""), encoding="utf-8")
    given = record_pagefind_input(monkeypatch)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    mentioning = [rel for rel in html_files(out) if b"data-pagefind-body" in (out / rel).read_bytes().lower()]
    assert "news/2017/profiling-in-osh/index.html" in mentioning and "news/2017/a-workshop-in-bishkek/index.html" not in mentioning
    assert given == [mentioning, html_files(out)]
    monkeypatch.undo()
    assert index_of_every_page(out, tmp_path, binary) == tree(out / INDEX_DIR)


def test_with_no_page_marked_or_mentioning_the_mark_pagefind_runs_once_over_every_page(make_site, tmp_path: Path, monkeypatch) -> None:
    require_tool("Pagefind", pagefind, "python3 -m pip install 'pagefind[bin]'")
    root = make_site({"content/a.md": post(), "content/b.md": post(title="Profiling in Osh", date="2017-04-02")})
    template = root / "templates/post.html"
    template.write_text(template.read_text(encoding="utf-8").replace(" data-pagefind-body", ""), encoding="utf-8")
    given = record_pagefind_input(monkeypatch)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    assert given == [html_files(out)]


@pytest.mark.parametrize(("html", "mentions"), [
    (b'<article class="post" data-pagefind-body>', True),
    (b'<ARTICLE\nDATA-PAGEFIND-BODY="">', True),
    (b"<p>About Data-Pagefind-Body</p>", True),  # not a mark, but taken: Pagefind tells
    (b"<p>data-pagefind body</p>", False),
    (b"", False),
])
def test_a_page_mentions_the_mark_in_any_case(html: bytes, mentions: bool) -> None:
    assert builder.search.mentions_mark(html) is mentions
