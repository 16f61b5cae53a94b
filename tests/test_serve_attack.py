"""`newsroom serve` under load and attack: a real server on loopback, real requests, real rebuilds.

200 clients at once while the site rebuilds get whole pages, old or new, never a mix; paths
that try to leave the output, however spelt, get 400 or 404 and nothing from outside it; the
server listens on loopback unless told otherwise.
"""

from __future__ import annotations

import http.client
import inspect
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import post

from builder.preview.serve import make_server, serve_site, watch_site

CLIENTS = 200
URLS = (
    "/",
    "/news/2017/n00/",
    "/feed.xml",
    "/countries/kyrgyzstan/",
    "/static/style.css",
    "/no/such/page/",
)


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    """One request, sent exactly as given (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def write_atomically(path: Path, text: str) -> None:
    """Save as editors that write a temp file and rename it do (the watcher sees whole files)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@pytest.fixture
def served_site(make_site):
    """A site of 60 posts (so a rebuild takes a while), served with its watcher on a free port."""
    files = {
        f"content/news/2017/n{i:02d}.md": post(
            title=f"News item {i}", date=f"2017-03-{1 + i % 28:02d}", body=f"Item {i}.\n"
        )
        for i in range(60)
    }
    root = make_site(files)
    server, preview = make_server(root, "127.0.0.1", 0, lambda _: None)
    stop = threading.Event()
    threads = [
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True),
        threading.Thread(target=watch_site, args=(preview, stop), daemon=True),
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # let the watcher start
    yield root, server.server_address[1], preview
    stop.set()
    server.shutdown()
    server.server_close()


def wait_for_text(port: int, url: str, text: str, timeout: float = 30) -> None:
    """Until the served page shows `text` (the watcher has seen the save and rebuilt)."""
    deadline = time.monotonic() + timeout
    while text.encode() not in get(port, url)[1]:
        assert time.monotonic() < deadline, f"{url} never showed {text!r}"
        time.sleep(0.05)


def test_200_concurrent_requests_during_rebuilds_get_whole_pages_old_or_new(served_site) -> None:
    root, port, preview = served_site
    source = root / "content/news/2017/n00.md"
    versions = {}  # what each URL serves in each of the two versions of the site
    for body in ("Old text.", "New text."):
        write_atomically(source, post(title="News item 0", date="2017-12-31", body=body + "\n"))
        wait_for_text(port, "/news/2017/n00/", body)
        time.sleep(0.5)  # and for any rebuild the same save set off
        wait_for_text(port, "/news/2017/n00/", body)
        for url in URLS:
            versions.setdefault(url, set()).add(get(port, url))
    assert all(
        len(found) == 2
        for url, found in versions.items()
        if url in ("/", "/news/2017/n00/", "/feed.xml")
    ), {u: len(f) for u, f in versions.items()}

    start, stop_editing = threading.Barrier(CLIENTS + 1), threading.Event()
    rebuilds_before = preview.current().version

    def edit() -> None:
        start.wait()
        for n in range(40):
            if stop_editing.is_set():
                break
            write_atomically(
                source,
                post(
                    title="News item 0",
                    date="2017-12-31",
                    body=("Old text." if n % 2 else "New text.") + "\n",
                ),
            )
            time.sleep(0.25)

    def client(n: int) -> list[tuple[str, tuple[int, bytes]]]:
        start.wait()
        return [(url, get(port, url)) for url in URLS[n % len(URLS) :] + URLS[: n % len(URLS)]]

    editor = threading.Thread(target=edit)
    editor.start()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = [r for batch in pool.map(client, range(CLIENTS)) for r in batch]
    stop_editing.set()
    editor.join()

    assert preview.current().version > rebuilds_before, "no rebuild ran during the requests"
    assert len(results) == CLIENTS * len(URLS)
    for url, (status, body) in results:
        assert status == (404 if url == "/no/such/page/" else 200), (url, status, body[:200])
        if url.endswith("/") or url.endswith(".xml"):
            assert body.rstrip().endswith((b"</html>", b"</rss>")), (url, body[-100:])
    unexpected = [
        (url, status) for url, (status, body) in results if (status, body) not in versions[url]
    ]
    assert not unexpected, (
        f"{len(unexpected)} responses were neither the old nor the new page: {unexpected[:5]}"
    )
    assert get(port, "/")[0] == 200  # and it keeps serving


# Every spelling of "go up" we know of: plain, percent-encoded (once and twice), overlong UTF-8,
# fullwidth dots, backslashes, absolute paths and URLs, NUL, semicolons, and the site's own files.
TRAVERSALS = [
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2f..%2f..%2fetc/passwd",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/..%5c..%5c..%5cetc%5cpasswd",
    "/%2E%2E%5C%2E%2E%5Cetc%5Cpasswd",
    "/..\\..\\etc\\passwd",
    "/%252e%252e/%252e%252e/etc/passwd",
    "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/%ef%bc%8e%ef%bc%8e/etc/passwd",
    "/.%2e/.%2e/etc/passwd",
    "/%2e./%2e./etc/passwd",
    "/..;/..;/etc/passwd",
    "/static/..%2f..%2f..%2fsite.toml",
    "/static/../../site.toml",
    "/./../site.toml",
    "//etc/passwd",
    "///etc/passwd",
    "/etc/passwd%00.html",
    "/index.html%00",
    "/%00",
    "/C:/Windows/win.ini",
    "/C:%5cWindows%5cwin.ini",
    "http://127.0.0.1/../../etc/passwd",
    "etc/passwd",
    "*",
    "/static%2f..%2f..%2fsite.toml",
    "/news/..%2f..%2f..%2fcontent/news/2017/n00.md",
    "/site.toml",
    "/content/news/2017/n00.md",
    "/templates/base.html",
    "/templates/strings/en.toml",
    "/../",
    "/..",
    "/%2e%2e",
    "/static/%2e%2e/%2e%2e/site.toml",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_a_path_leaving_the_output_gets_400_or_404_and_nothing_from_outside(
    served_site, path: str
) -> None:
    root, port, _ = served_site
    status, body = get(port, path)
    assert status in (400, 404), (path, status)
    for secret in (b"root:x:0:0", b"[site]", b"{% extends", b"title: News item 0", b"months ="):
        assert secret not in body, (path, secret)


def test_a_huge_or_odd_request_does_not_stop_the_server(served_site) -> None:
    _, port, _ = served_site
    assert get(port, "/" + "a" * 70_000)[0] in (400, 404, 414)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(b"\x00\xff garbage \r\n\r\n")
        raw.recv(1024)
    with socket.create_connection(("127.0.0.1", port), timeout=10):
        pass  # a client that connects and says nothing
    assert get(port, "/")[0] == 200


def test_serve_listens_on_loopback_unless_told_otherwise() -> None:
    assert inspect.signature(serve_site).parameters["host"].default == "127.0.0.1"
    from builder.cli import serve

    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"


def outward_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_the_server_cannot_be_reached_from_the_network(make_site) -> None:
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
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
        port = int(line.split()[1].rstrip("/").rsplit(":", 1)[1])
        assert get(port, "/")[0] == 200
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=3).close()
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_rebuild_of_every_page_on_forked_workers_while_clients_keep_asking(make_site) -> None:
    """A template edit re-renders every page of a site big enough for worker processes (forked
    from the serving process, whose threads keep answering): the rebuild ends, shows the edit,
    and every answer meanwhile is a whole page."""
    files = {
        f"content/news/2017/n{i:03d}.md": post(
            title=f"News item {i}",
            date=f"2017-{1 + i % 12:02d}-{1 + i % 28:02d}",
            body=f"Item {i}.\n",
        )
        for i in range(300)
    }
    root = make_site(files)
    server, preview = make_server(root, "127.0.0.1", 0, lambda _: None)
    port, stop, answers = server.server_address[1], threading.Event(), []
    threads = [
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True),
        threading.Thread(target=watch_site, args=(preview, stop), daemon=True),
    ]
    for thread in threads:
        thread.start()

    def client() -> None:
        while not stop.is_set():
            answers.append(get(port, "/news/2017/n007/"))

    clients = [threading.Thread(target=client) for _ in range(4)]
    try:
        time.sleep(0.5)  # let the watcher start
        for thread in clients:
            thread.start()
        base = root / "templates/base.html"
        write_atomically(
            base,
            base.read_text(encoding="utf-8").replace(
                "</body>", "<!-- edited template --></body>", 1
            ),
        )
        wait_for_text(port, "/news/2017/n212/", "edited template", timeout=120)
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=30)
        server.shutdown()
        server.server_close()
    assert preview.current().problems == () and len(preview.current().files) > 600
    assert answers and all(
        status == 200 and body.rstrip().endswith(b"</html>") for status, body in answers
    )
