"""`newsroom serve`: build a preview, serve it on loopback, rebuild on change, reload the tab.

The preview is built as `newsroom build` builds, with its cache, into a folder of its own in
`.newsroom-cache/` (one per port, for the pages link to the port, its cache beside it; a
temporary folder if the site's folder cannot be written, without a cache then): a save
rebuilds only what depends on it, on every core. Its
files are written whole and in place by renames, so a request gets a whole file, of the last
good build or of the one being committed. A build that fails changes none of them and shows
its errors in place of every page until the next good save.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import watchfiles

from builder.build import Selection, build_site
from builder.incremental.home import CACHE_NAME
from builder.incremental.store import Warm
from builder.pipeline.config import CONFIG_NAME
from builder.errors import BuildError, Problem
from builder.wording import counted
from builder.preview.handler import PreviewHandler, PreviewServer, host_names

REQUEST_TIMEOUT = 10.0  # seconds a request may take to arrive before its connection is closed

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
                    f"{folder.parent} cannot be written: the preview is built in {self.scratch} "
                    "instead"
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
                f"Build failed with {counted(len(exc.problems), 'problem')}:\n"
                + "\n".join(str(p) for p in exc.problems)
            )
            return
        with self.lock:
            self.snapshot = Snapshot(
                folder=last.folder, files=report.paths, version=last.version + 1
            )
        self.report(
            f"Built {counted(report.posts, 'post')} in {time.perf_counter() - started:.2f} s"
        )

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


def make_server(
    root: Path,
    host: str,
    port: int,
    report: Callable[[str], None],
    *,
    request_timeout: float = REQUEST_TIMEOUT,
) -> tuple[ThreadingHTTPServer, Preview]:
    """Bind (port 0 picks a free one), then build once for the bound address; a connection
    whose request has not arrived `request_timeout` seconds after it opened is closed."""
    server = PreviewServer((host, port), PreviewHandler)
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    preview = Preview(Path(root).resolve(), f"http://{shown}:{bound_port}/", report)
    answers = {
        "preview": preview,
        "hosts": host_names(host, bound_port),
        "timeout": request_timeout,
    }
    server.RequestHandlerClass = type("Handler", (PreviewHandler,), answers)
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
    request_timeout: float = REQUEST_TIMEOUT,
) -> None:
    """Serve until interrupted (Ctrl-C): the caller's thread runs the server; a connection
    whose request has not arrived `request_timeout` seconds after it opened is closed."""
    server, preview = make_server(root, host, port, report, request_timeout=request_timeout)
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
