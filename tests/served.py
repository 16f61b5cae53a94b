"""Serve a built site by HTTP on loopback like a static host: index.html for folders, a 404 page."""

from __future__ import annotations

import contextlib
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator


class StaticHost(SimpleHTTPRequestHandler):
    """A quiet static file server that answers a missing file with the site's 404 page."""

    not_found: Path | None = None

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or self.not_found is None or not self.not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextlib.contextmanager
def serve(folder: Path, not_found: str = "404.html") -> Iterator[str]:
    """Serve `folder` at http://127.0.0.1:<free port>/ until the block ends; yields that URL."""
    handler = type("Host", (StaticHost,), {"not_found": folder / not_found})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
