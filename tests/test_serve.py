"""`newsroom serve`: a real server on a free loopback port, real files changed under it."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import post

from builder.build import build_site
from builder.pipeline.search import find_pagefind
from builder.preview.serve import make_server, watch_site


@pytest.fixture
def served(make_site):
    """A mini-site with a draft, served with its watcher on 127.0.0.1:<free port>."""
    root = make_site(
        {
            "content/news/a.md": post(title="First news", body="Original text.\n"),
            "content/news/b.md": post(
                title="Second thoughts", date="2017-03-15", extra="draft: true\n"
            ),
            "content/news/c.md": post(title="Far future", date="2999-01-01"),
        }
    )
    log: list[str] = []
    server, preview = make_server(root, "127.0.0.1", 0, log.append)
    stop = threading.Event()
    threads = [
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True),
        threading.Thread(target=watch_site, args=(preview, stop), daemon=True),
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # let the watcher start watching
    yield root, preview.base_url, log
    stop.set()
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return (
                response.status,
                response.headers["Content-Type"],
                response.read().decode("utf-8"),
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode("utf-8")


def wait_for_rebuild(base: str, since: int, timeout: float = 20) -> int:
    """Poll the version the reload script polls until it moves past `since`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        version = int(fetch(base + "__newsroom/version")[2])
        if version > since:
            return version
        time.sleep(0.1)
    raise AssertionError("the server did not rebuild after the change")


def raw_get(base: str, path: str) -> int:
    """Send a request line exactly as given (no client-side normalisation)."""
    host, port = base.split("//")[1].rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


def test_pages_and_feeds_are_served_with_their_types(served) -> None:
    _, base, _ = served
    status, kind, page = fetch(base)
    assert status == 200 and kind == "text/html; charset=utf-8" and "Far future" in page
    assert fetch(base + "feed.xml")[:2] == (200, "application/rss+xml; charset=utf-8")
    assert fetch(base + "atom.xml")[:2] == (200, "application/atom+xml; charset=utf-8")
    assert fetch(base + "sitemap.xml")[:2] == (200, "application/xml; charset=utf-8")
    assert fetch(base + "static/style.css")[1].startswith("text/css")
    status, _, missing = fetch(base + "no/such/page/")
    assert status == 404 and "not found" in missing.lower()


def test_the_preview_answers_the_browsers_favicon_requests(served) -> None:
    """Browsers ask every site for /favicon.ico: the preview logged a 404 for each page."""
    _, base, _ = served
    with urllib.request.urlopen(base + "favicon.ico", timeout=10) as response:
        assert response.status == 200 and response.read()[:4] == b"\0\0\1\0"
        assert response.headers["Content-Type"] == "image/vnd.microsoft.icon"
    status, kind, _ = fetch(base + "static/favicon.svg")
    assert status == 200 and kind.startswith("image/svg+xml")


def test_preview_shows_drafts_and_scheduled_posts_marked_and_carries_the_reload_script(
    served,
) -> None:
    _, base, _ = served
    page = fetch(base)[2]  # two posts a page in the mini-site: the newest two
    assert "Second thoughts" in page and "Far future" in page
    assert "Draft" in page and "Scheduled" in page and "Preview" in page
    assert "/__newsroom/version" in page


def test_build_output_has_no_reload_script_and_no_drafts(make_site, tmp_path: Path) -> None:
    root = make_site(
        {
            "content/news/a.md": post(),
            "content/news/b.md": post(title="Draft one", extra="draft: true\n"),
        }
    )
    build_site(root, output_dir=tmp_path / "out")
    for page in (tmp_path / "out").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "__newsroom" not in text and "Draft one" not in text
        # The only scripts: JSON-LD data on posts, and the search page's (static/search.js).
        scripts = text.split("<script")[1:]
        assert all(
            tag.startswith((' type="application/ld+json">', ' src="/static/search.js"'))
            for tag in scripts
        ), page


def test_a_save_rebuilds_and_a_broken_save_shows_the_error_until_fixed(served) -> None:
    root, base, _ = served
    page_url = base + "news/2017/a/"
    assert "Original text." in fetch(page_url)[2]
    source = root / "content/news/a.md"
    version = int(fetch(base + "__newsroom/version")[2])

    source.write_text(post(title="First news", body="Edited text.\n"), encoding="utf-8")
    version = wait_for_rebuild(base, version)
    assert "Edited text." in fetch(page_url)[2]

    source.write_text(post(title="First news", countries="[Kyrgystan]"), encoding="utf-8")
    version = wait_for_rebuild(base, version)
    status, _, shown = fetch(page_url)
    assert status == 500
    assert "content/news/a.md:4: unknown country &#x27;Kyrgystan&#x27;" in shown
    assert "/__newsroom/version" in shown  # the error page reloads itself too
    assert fetch(base + "static/style.css")[0] == 200  # assets stay available

    source.write_text(post(title="First news", body="Fixed text.\n"), encoding="utf-8")
    wait_for_rebuild(base, version)
    status, _, page = fetch(page_url)
    assert status == 200 and "Fixed text." in page


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2fetc/passwd",
        "/%2E%2E%5C%2E%2E%5Cetc%5Cpasswd",
        "/..\\..\\etc\\passwd",
        "/etc/passwd%00.html",
        "//etc/passwd",
        "/static/../../site.toml",
        "/C:/Windows/win.ini",
    ],
)
def test_paths_leaving_the_site_are_refused(served, path: str) -> None:
    _, base, _ = served
    assert raw_get(base, path) in (400, 404)


def test_a_site_file_outside_the_output_is_not_served(served) -> None:
    _, base, _ = served
    for path in ("/site.toml", "/content/news/a.md", "/templates/base.html"):
        assert raw_get(base, path) == 404


def test_serve_binds_loopback_and_stops_cleanly_on_ctrl_c(make_site) -> None:
    root = make_site({"content/news/a.md": post()})
    process = subprocess.Popen(
        [sys.executable, "-m", "builder", "serve", "--root", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Serving http://127.0.0.1:"), line
        url = line.split()[1]
        assert fetch(url)[0] == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Stopped." in out and "Traceback" not in err


def test_a_save_rebuilds_only_what_depends_on_it_and_leaves_the_site_output_alone(
    make_site,
) -> None:
    """The preview is an incremental build with its own folder and cache: a page that does not
    show the edited post is not written again, and `output/` is never made by serving."""
    from builder.preview.serve import Preview

    root = make_site(
        {
            "content/news/a.md": post(title="First news", body="Original text.\n"),
            "content/news/b.md": post(
                title="Other news", date="2016-05-01", countries="[Tajikistan]", tags="[equipment]"
            ),
        }
    )
    log: list[str] = []
    preview = Preview(root, "http://127.0.0.1:8123/", log.append)
    preview.rebuild()
    folder = preview.current().folder
    assert (
        folder == root / ".newsroom-cache" / "preview-8123"
        and (folder / "news/2017/a/index.html").is_file()
    )
    assert preview.current().files == {
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
    } - {".newsroom-output"}
    untouched = folder / "news/2016/b/index.html"
    before = untouched.stat().st_mtime_ns, untouched.stat().st_ino

    (root / "content/news/a.md").write_text(
        post(title="First news", body="Edited text.\n"), encoding="utf-8"
    )
    preview.rebuild()
    assert b"Edited text." in preview.read("news/2017/a/index.html")
    assert (untouched.stat().st_mtime_ns, untouched.stat().st_ino) == before
    assert not (root / "output").exists()
    assert log[-1].startswith("Built 2 posts in ")

    again = Preview(
        root, "http://127.0.0.1:8123/", log.append
    )  # serve started again: its last preview is kept
    again.rebuild()
    assert (untouched.stat().st_mtime_ns, untouched.stat().st_ino) == before
    assert again.current().files == preview.current().files


def test_the_preview_has_no_search_index_even_with_search_on(make_site) -> None:
    """Pagefind indexes the whole site on each run: the preview leaves it out so saves stay fast."""
    from builder.preview.serve import Preview

    root = make_site({"content/news/a.md": post()})  # search is on unless turned off
    preview = Preview(root, "http://127.0.0.1:8124/", lambda _: None)
    preview.rebuild()
    files = preview.current().files
    assert "search/index.html" in files and not any(f.startswith("pagefind/") for f in files)
    if find_pagefind() is not None:  # the same site built: with its index
        assert any(
            f.startswith("pagefind/")
            for f in build_site(root, output_dir=root.parent / "built").paths
        )


def test_a_file_that_vanishes_while_the_next_build_swaps_in_is_read_when_it_is_back(
    make_site,
) -> None:
    from builder.preview.serve import Preview

    root = make_site({"content/news/a.md": post()})
    preview = Preview(root, "http://127.0.0.1:8125/", lambda _: None)
    preview.rebuild()
    folder = preview.current().folder
    expected = (folder / "index.html").read_bytes()
    aside = folder.with_name("aside")
    folder.rename(aside)
    threading.Timer(0.3, aside.rename, args=(folder,)).start()
    assert preview.read("index.html") == expected
    assert preview.read("no/such/file.html") is None


def test_a_site_folder_that_cannot_hold_the_preview_gets_it_built_in_a_temporary_folder(
    make_site,
) -> None:
    """A read-only site (here: .newsroom-cache is a file, so no folder can be made in it) is
    still previewed, from a temporary folder that close() removes."""
    from builder.preview.serve import Preview

    root = make_site({"content/news/a.md": post(title="First news")})
    (root / ".newsroom-cache").write_text("not a folder", encoding="utf-8")
    log: list[str] = []
    preview = Preview(root, "http://127.0.0.1:8126/", log.append)
    preview.rebuild()
    folder = preview.current().folder
    assert not folder.is_relative_to(root) and b"First news" in preview.read(
        "news/2017/a/index.html"
    )
    assert log[0] == (
        f"{root / '.newsroom-cache'} cannot be written: the preview is built in "
        f"{folder.parent} instead"
    )
    assert log[-1].startswith("Built 1 post in ")
    preview.close()
    assert (
        not folder.exists()
        and (root / ".newsroom-cache").read_text(encoding="utf-8") == "not a folder"
    )


def test_the_preview_log_counts_one_post_and_one_problem_in_the_singular(make_site) -> None:
    from builder.preview.serve import Preview

    root = make_site({"content/news/a.md": post(title="First news")})
    log: list[str] = []
    preview = Preview(root, "http://127.0.0.1:8127/", log.append)
    preview.rebuild()
    assert log[-1].startswith("Built 1 post in "), log
    (root / "content/news/a.md").write_text(post(date="2017-02-30"), encoding="utf-8")
    preview.rebuild()
    assert log[-1].startswith("Build failed with 1 problem:\ncontent/news/a.md:3: "), log
    preview.close()
