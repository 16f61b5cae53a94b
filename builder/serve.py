"""`newsroom serve`: build into memory, serve on loopback, rebuild on change, reload the tab.

Pages are served from the last build held in memory, so a request never sees a half-written
site: it gets the old build or the new one. A build that fails keeps the last good files and
shows its errors in place of every page until the next good save.
"""

from __future__ import annotations

import html
import mimetypes
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import unquote, urlsplit

import watchfiles

from builder.build import Selection, render_site
from builder.config import CONFIG_NAME, load_config
from builder.errors import BuildError, Problem
from builder.progress import NoProgress

VERSION_PATH = "/__newsroom/version"
RELOAD_SCRIPT = (
    '<script>(function(){var seen=null;function poll(){fetch("%s",{cache:"no-store"})'
    ".then(function(r){return r.text()}).then(function(v){if(seen===null){seen=v}"
    "else if(v!==seen){location.reload();return}setTimeout(poll,400)})"
    ".catch(function(){setTimeout(poll,1000)})}poll()})();</script>" % VERSION_PATH
)
TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml"}


@dataclass
class Snapshot:
    """One build as served: files by output path, or the problems of a failed build."""

    files: dict[str, bytes | Path] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    version: int = 0


class Preview:
    """The state shared by the server threads and the watcher: swapped whole, never edited."""

    def __init__(self, root: Path, base_url: str, report: Callable[[str], None]):
        self.root, self.base_url, self.report = root, base_url, report
        self.snapshot = Snapshot()
        self.lock = threading.Lock()

    def rebuild(self) -> None:
        """Build into memory; keep the last good files if the build fails."""
        started = time.perf_counter()
        try:
            config = load_config(self.root, base_url=self.base_url)
            rendered = render_site(config, select=Selection(preview=True), progress=NoProgress())
        except BuildError as exc:
            with self.lock:
                self.snapshot = Snapshot(files=self.snapshot.files, problems=exc.problems, version=self.snapshot.version + 1)
            self.report(f"Build failed with {len(exc.problems)} problem(s):\n" + "\n".join(str(p) for p in exc.problems))
            return
        files = {a.path: (a.data if a.data is not None else a.source) for a in rendered.artifacts}
        with self.lock:
            self.snapshot = Snapshot(files=files, version=self.snapshot.version + 1)
        self.report(f"Built {len(rendered.site.posts)} posts in {time.perf_counter() - started:.2f} s")

    def current(self) -> Snapshot:
        with self.lock:
            return self.snapshot


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
    return kind + "; charset=utf-8" if kind.startswith("text/") or kind.endswith("xml") or kind == "application/javascript" else kind


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
        status, body = 200, snapshot.files.get(rel)
        if body is None:
            status, rel, body = 404, "404.html", snapshot.files.get("404.html", b"Not found\n")
        data = body.read_bytes() if isinstance(body, Path) else body
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


def make_server(root: Path, host: str, port: int, report: Callable[[str], None]) -> tuple[ThreadingHTTPServer, Preview]:
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
    for _changes in watchfiles.watch(*paths, stop_event=stop, debounce=200, step=50, rust_timeout=500, yield_on_timeout=False):
        preview.rebuild()


def serve_site(root: Path, *, host: str = "127.0.0.1", port: int = 8000, report: Callable[[str], None] = lambda _: None, ready: Callable[[str], None] = lambda _: None) -> None:
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
