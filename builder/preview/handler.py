"""The preview's HTTP side: which file a request asks for, and the guards in front of it.

A request is answered only when its Host header names this preview: loopback (127.0.0.1,
localhost, [::1]) or the --host it was given, with or without the port; any other name is a
page of another site reaching the preview through DNS rebinding, and gets 400. A connection
whose request has not arrived whole `timeout` seconds after it opened (headers never
finished, or trickled a byte at a time) is closed, so it cannot hold a thread for ever. A
browser that cancels a request (a closed tab, a reload) is no error: the broken connection is
dropped without a word.
"""

from __future__ import annotations

import html
import io
import mimetypes
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from builder.errors import Problem

if TYPE_CHECKING:
    from builder.preview.serve import Preview

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WRONG_HOST = b"Bad request: this preview answers only its own address (Host header)\n"
# What a client that goes away mid-request leaves the server with: nothing to report.
GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
VERSION_PATH = "/__newsroom/version"
RELOAD_SCRIPT = (
    '<script>(function(){var seen=null;function poll(){fetch("%s",{cache:"no-store"})'
    ".then(function(r){return r.text()}).then(function(v){if(seen===null){seen=v}"
    "else if(v!==seen){location.reload();return}setTimeout(poll,400)})"
    ".catch(function(){setTimeout(poll,1000)})}poll()})();</script>" % VERSION_PATH
)
TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml"}


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
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Build failed – '
        "newsroom</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;line-height:1.5}"
        "h1{color:#a00}li{margin:.5rem "
        "0}code{white-space:pre-wrap;word-break:break-word}</style></head>"
        "<body><main><h1>The site does not build</h1><p>Fix these problems and save: this page "
        f"reloads by itself.</p><ul>{items}</ul></main>"
        f"{RELOAD_SCRIPT}</body></html>"
    ).encode("utf-8")


def with_reload(page: bytes) -> bytes:
    """Add the reload script before </body> (preview only; never in `build` output)."""
    at = page.rfind(b"</body>")
    script = RELOAD_SCRIPT.encode("utf-8")
    return page[:at] + script + page[at:] if at >= 0 else page + script


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves the current snapshot; nothing outside it."""

    preview: Preview  # these three are set on the subclass made by make_server
    hosts: frozenset[str] = frozenset()  # the Host headers answered, lower case
    timeout: float | None = None  # seconds a request may take to arrive (socketserver's name)
    server_version = "newsroom"
    sys_version = ""

    def setup(self) -> None:
        """Read the request through a deadline: its last byte is due `timeout` seconds after
        the connection opened, however slowly the bytes before it came."""
        super().setup()
        if self.timeout is not None:
            self.rfile.close()
            self.rfile = io.BufferedReader(RequestDeadline(self.connection, self.timeout))

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.connection.settimeout(self.timeout)  # the answer's writes: each may take that long
        return parsed

    def do_GET(self) -> None:
        self.respond(head=False)

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def respond(self, *, head: bool) -> None:
        if not self.names_this_preview():
            return self.send(400, "text/plain; charset=utf-8", WRONG_HOST, head)
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

    def names_this_preview(self) -> bool:
        """The request has one Host header, and it is one of this preview's names."""
        given = self.headers.get_all("Host") or []
        return len(given) == 1 and given[0].strip().lower() in self.hosts

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


class RequestDeadline(io.RawIOBase):
    """A socket read until a deadline: each read waits at most for the time left."""

    def __init__(self, connection: socket.socket, seconds: float):
        self.connection, self.deadline = connection, time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.connection.settimeout(left)
        return self.connection.recv_into(buffer)


class PreviewServer(ThreadingHTTPServer):
    """One thread per request; a listen queue long enough for a burst of requests.

    socketserver's default queue of 5 drops connections when a page and its assets, or many
    tabs, connect at once: the clients then wait for TCP to retry (1 s, 3 s, … a minute).
    """

    request_queue_size = socket.SOMAXCONN
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client gone mid-request (a cancelled load, a timed-out one) is not an error."""
        if isinstance(sys.exc_info()[1], GONE):
            return
        super().handle_error(request, client_address)


def host_names(host: str, port: int) -> frozenset[str]:
    """The Host headers a preview bound to `host`:`port` answers: loopback's names and `host`,
    each with and without the port."""
    given = f"[{host}]" if ":" in host and not host.startswith("[") else host
    names = {name.lower() for name in (*LOOPBACK_NAMES, given) if name}
    return frozenset(names | {f"{name}:{port}" for name in names})
