"""`newsroom serve`: build a preview, serve it on loopback, rebuild on change, reload the tab.

The preview is built as `newsroom build` builds, with its cache, into a folder of its own in
`.newsroom-cache/` (one per port, for the pages link to the port; a temporary folder if the
site's folder cannot be written): a save rebuilds only what depends on it, on every core. Its
files are written whole and in place by renames, so a request gets a whole file, of the last
good build or of the one being committed. A build that fails changes none of them and shows
its errors in place of every page until the next good save.
"""

from __future__ import annotations

import html
import mimetypes
import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import unquote, urlsplit

import watchfiles

from builder.build import Selection, build_site
from builder.incremental.store import CACHE_NAME, Warm
from builder.pipeline.config import CONFIG_NAME
from builder.errors import BuildError, Problem

VERSION_PATH = "/__newsroom/version"
RELOAD_SCRIPT = (
    '<script>(function(){var seen=null;function poll(){fetch("%s",{cache:"no-store"})'
    ".then(function(r){return r.text()}).then(function(v){if(seen===null){seen=v}"
    "else if(v!==seen){location.reload();return}setTimeout(poll,400)})"
    ".catch(function(){setTimeout(poll,1000)})}poll()})();</script>" % VERSION_PATH
)
TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml"}
VANISHED_WAIT = 0.05  # a file gone while the next build swaps its folder in: look again after this
VANISHED_TRIES = 40


@dataclass(frozen=True)
class Snapshot:
    """One build as served: the files in its folder, or the problems of a failed build."""

    folder: Path
    files: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()
    version: int = 0


class Preview:
    """The state shared by the server threads and the watcher: swapped whole, never edited."""

    def __init__(
        self, root: Path, base_url: str, report: Callable[[str], None], folder: Path | None = None
    ):
        self.root, self.base_url, self.report = root, base_url, report
        self.scratch: Path | None = (
            None  # a temporary folder made for the preview, removed by close()
        )
        if folder is None:
            folder = root / CACHE_NAME / f"preview-{urlsplit(base_url).port}"
            if not can_hold(folder.parent):
                self.scratch = Path(tempfile.mkdtemp(prefix="newsroom-preview-"))
                report(
                    f"{folder.parent} cannot be written: the preview is built in {self.scratch} instead"
                )
                folder = self.scratch / "preview"
        self.snapshot = Snapshot(folder=folder)
        self.lock = threading.Lock()
        self.warm = Warm()  # the build cache's posts, read once

    def rebuild(self) -> None:
        """Build the preview; keep the last good files if the build fails."""
        started = time.perf_counter()
        last = self.current()
        try:
            report = build_site(
                self.root,
                output_dir=last.folder,
                base_url=self.base_url,
                select=Selection(preview=True),
                search=False,
                warm=self.warm,
            )
        except BuildError as exc:
            with self.lock:
                self.snapshot = Snapshot(
                    folder=last.folder,
                    files=last.files,
                    problems=exc.problems,
                    version=last.version + 1,
                )
            self.report(
                f"Build failed with {len(exc.problems)} problem(s):\n"
                + "\n".join(str(p) for p in exc.problems)
            )
            return
        with self.lock:
            self.snapshot = Snapshot(
                folder=last.folder, files=report.paths, version=last.version + 1
            )
        self.report(f"Built {report.posts} posts in {time.perf_counter() - started:.2f} s")

    def close(self) -> None:
        """Remove the temporary folder the preview was built in, if it needed one."""
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def current(self) -> Snapshot:
        with self.lock:
            return self.snapshot

    def read(self, rel: str) -> bytes | None:
        """The bytes of a file of the current build, or None if it has none by that path.

        A file can vanish for an instant while the next build swaps its folder in, or be
        removed by it before its snapshot is current: then it is looked up again.
        """
        for _ in range(VANISHED_TRIES):
            snapshot = self.current()
            if rel not in snapshot.files:
                return None
            try:
                return (snapshot.folder / rel).read_bytes()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                time.sleep(VANISHED_WAIT)
        return None


def can_hold(folder: Path) -> bool:
    """`folder` exists or can be made, and files can be made in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def request_file(raw_path: str) -> str | None:
    """The output path a URL path asks for, or None if it tries to leave the site."""
    path = unquote(urlsplit(raw_path).path)
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = PurePosixPath(path).parts[1:]
    if any(part in ("..", ".") or ":" in part for part in parts):
        return None
    rel = "/".join(parts)
    return rel + "/index.html" if path.endswith("/") and rel else (rel or "index.html")


def content_type(rel: str) -> str:
    """The media type of an output file; feeds as RSS and Atom, text as UTF-8."""
    name = rel.rsplit("/", 1)[-1]
    kind = TYPES.get(name) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind == "text/xml":
        kind = "application/xml"
    return (
        kind + "; charset=utf-8"
        if kind.startswith("text/") or kind.endswith("xml") or kind == "application/javascript"
        else kind
    )


def error_page(problems: tuple[Problem, ...]) -> bytes:
    """The page shown in place of every page while the site does not build."""
    items = "".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Build failed – newsroom</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;line-height:1.5}"
        "h1{color:#a00}li{margin:.5rem 0}code{white-space:pre-wrap;word-break:break-word}</style></head>"
        f"<body><main><h1>The site does not build</h1><p>Fix these problems and save: this page reloads by itself.</p><ul>{items}</ul></main>"
        f"{RELOAD_SCRIPT}</body></html>"
    ).encode("utf-8")


def with_reload(page: bytes) -> bytes:
    """Add the reload script before </body> (preview only; never in `build` output)."""
    at = page.rfind(b"</body>")
    script = RELOAD_SCRIPT.encode("utf-8")
    return page[:at] + script + page[at:] if at >= 0 else page + script


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves the current snapshot; nothing outside it."""

    preview: Preview  # set on the subclass made by make_server
    server_version = "newsroom"
    sys_version = ""

    def do_GET(self) -> None:
        self.respond(head=False)

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def respond(self, *, head: bool) -> None:
        snapshot = self.preview.current()
        if urlsplit(self.path).path == VERSION_PATH:
            return self.send(200, "text/plain; charset=utf-8", str(snapshot.version).encode(), head)
        rel = request_file(self.path)
        if rel is None:
            return self.send(400, "text/plain; charset=utf-8", b"Bad request\n", head)
        if rel not in snapshot.files and rel + "/index.html" in snapshot.files:
            self.send_response(301)
            self.send_header("Location", urlsplit(self.path).path + "/")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if snapshot.problems and (rel.endswith(".html") or rel not in snapshot.files):
            return self.send(500, "text/html; charset=utf-8", error_page(snapshot.problems), head)
        status, data = 200, self.preview.read(rel)
        if data is None:
            status, rel, data = 404, "404.html", self.preview.read("404.html") or b"Not found\n"
        if rel.endswith(".html"):
            data = with_reload(data)
        self.send(status, content_type(rel), data, head)

    def send(self, status: int, kind: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the command reports builds, not requests


class PreviewServer(ThreadingHTTPServer):
    """One thread per request; a listen queue long enough for a burst of requests.

    socketserver's default queue of 5 drops connections when a page and its assets, or many
    tabs, connect at once: the clients then wait for TCP to retry (1 s, 3 s, … a minute).
    """

    request_queue_size = socket.SOMAXCONN
    daemon_threads = True


def make_server(
    root: Path, host: str, port: int, report: Callable[[str], None]
) -> tuple[ThreadingHTTPServer, Preview]:
    """Bind (port 0 picks a free one), then build once for the bound address."""
    server = PreviewServer((host, port), PreviewHandler)
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    preview = Preview(Path(root).resolve(), f"http://{shown}:{bound_port}/", report)
    server.RequestHandlerClass = type("Handler", (PreviewHandler,), {"preview": preview})
    preview.rebuild()
    return server, preview


def watch_site(preview: Preview, stop: threading.Event) -> None:
    """Rebuild whenever content/, templates/ or site.toml change, until `stop` is set."""
    root = preview.root
    paths = [p for p in (root / "content", root / "templates", root / CONFIG_NAME) if p.exists()]
    for _changes in watchfiles.watch(
        *paths, stop_event=stop, debounce=200, step=50, rust_timeout=500, yield_on_timeout=False
    ):
        preview.rebuild()


def serve_site(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    report: Callable[[str], None] = lambda _: None,
    ready: Callable[[str], None] = lambda _: None,
) -> None:
    """Serve until interrupted (Ctrl-C): the caller's thread runs the server."""
    server, preview = make_server(root, host, port, report)
    stop = threading.Event()
    watcher = threading.Thread(target=watch_site, args=(preview, stop), daemon=True)
    watcher.start()
    ready(preview.base_url)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        watcher.join(timeout=2)
        preview.close()
