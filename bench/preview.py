"""The rebuild an editor waits for: each tool's preview server, a post saved, until it shows.

    python bench/preview.py [--sizes 1000,10000] [--saves 5] [--only newsroom,hugo,pelican]
                            [--keep DIR] [--seed 1] [--newsroom-ref REF] [--timeout SECONDS]

For each size: the seeded corpus of bench/corpus.py, then each tool's own preview server on a
free loopback port, started with no output and no cache:

  newsroom  `newsroom serve` (its preview folder and cache in .newsroom-cache/)
  Hugo      `hugo server` (renders to memory; fast render, its default; no live reload)
  Pelican   `pelican --autoreload --listen` (its content cache on, as in bench/run.py)

  start   from launching the server until it answers the post to be edited (the first build);
  save    a sentence appended to that post's file, until the server answers the post's page
          with it (polled every 10 ms): each tool's watcher, rebuild and serving together,
          as the editor's browser sees them. Median of --saves saves, each made once the
          server has been idle for a second (at least 1.5 s after the last).
  peak MB the largest resident set of the server process and its waited-for children.

Results: a table on stdout and bench/results/<date>-preview-<size>.json (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, Corpus, Post, make_corpus  # noqa: E402
from run import (
    LABEL,
    TOOLS,
    BenchError,
    add_common_options,
    run_bench,
    descendants,
    edit_post,
    export_ref,
    hugo_binary,
    log,
    newsroom_env,
    ratio,
    related_note,
    result_head,
)  # noqa: E402

POLL = 0.01
SAVE_GAP = 1.5  # at least this long between saves, so that each is a rebuild of its own
IDLE = 1.0  # a server is settled once its processes used under 2 % of a core for this long
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_command(
    tool: str, corpus: Corpus, port: int, work: Path, src: Path
) -> tuple[list[str], Path, dict[str, str] | None]:
    """argv, working folder and environment of `tool`'s preview server."""
    if tool == "newsroom":
        return (
            [
                sys.executable,
                "-m",
                "builder",
                "serve",
                "--root",
                str(corpus.newsroom),
                "--port",
                str(port),
            ],
            src,
            newsroom_env(src),
        )
    if tool == "hugo":
        return (
            [
                str(hugo_binary()),
                "server",
                "--source",
                str(corpus.hugo),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--disableLiveReload",
                "--cacheDir",
                str(work / "hugo-cache"),
            ],
            corpus.hugo,
            None,
        )
    return (
        [
            sys.executable,
            "-m",
            "pelican",
            str(corpus.pelican / "content"),
            "-s",
            str(corpus.pelican / "pelicanconf.py"),
            "-o",
            str(work / "out-pelican"),
            "--autoreload",
            "--listen",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        corpus.pelican,
        None,
    )


def answer(url: str) -> bytes | None:
    """The page, or None while the server does not answer it (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except OSError:  # refused, reset, timed out, HTTP errors (urllib's are OSErrors)
        return None


def wait_for(url: str, want: bytes, deadline: float, server: subprocess.Popen) -> None:
    """Poll until the page at `url` holds `want`; fail if the server dies or time runs out."""
    while True:
        page = answer(url)
        if page is not None and want in page:
            return
        if server.poll() is not None:
            raise BenchError(
                f"the server exited ({server.returncode}) before {url} showed {want.decode()!r}"
            )
        if time.monotonic() > deadline:
            raise BenchError(f"{url} did not show {want.decode()!r} in time")
        time.sleep(POLL)


def cpu_seconds(pid: int) -> float:
    """User + system time of a process tree so far, from /proc."""
    total = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / TICK


def wait_settled(server: subprocess.Popen, deadline: float) -> None:
    """Until the server is idle: a watcher that is still setting up (Pelican's, at 10,000
    posts, for a while after its first build) would miss a save made now."""
    time.sleep(SAVE_GAP)
    before, since = cpu_seconds(server.pid), time.monotonic()
    while time.monotonic() - since < IDLE:
        time.sleep(0.25)
        now = cpu_seconds(server.pid)
        if now - before > 0.02 * (time.monotonic() - since):
            before, since = now, time.monotonic()
        if time.monotonic() > deadline:
            raise BenchError("the server never settled")


@dataclass(frozen=True, slots=True)
class Measured:
    start_s: float
    saves_s: tuple[float, ...]
    peak_mb: float
    cpu_s: float


def measure_server(
    tool: str, corpus: Corpus, post: Post, work: Path, src: Path, saves: int, timeout: float
) -> Measured:
    port = free_port()
    argv, cwd, env = server_command(tool, corpus, port, work, src)
    url = f"http://127.0.0.1:{port}/news/{post.day.year}/{post.slug}/"
    logfile = work / f"preview-{tool}.log"
    with logfile.open("ab") as out:
        out.write(f"\n$ {' '.join(argv)}\n".encode())
        out.flush()
        started = time.monotonic()
        server = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for(url, b"</html>", started + timeout, server)
            start_s = time.monotonic() - started
            times = []
            for k in range(saves):
                wait_settled(server, time.monotonic() + timeout)
                token = f"preview save {k} of {work.name}"
                edit_post(corpus, tool, post, token)
                saved = time.monotonic()
                wait_for(url, token.encode(), saved + timeout, server)
                times.append(time.monotonic() - saved)
                log(f"  {tool:<8} save {k + 1}/{saves}: {times[-1]:.3f} s")
        except BaseException:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
            raise
        os.killpg(server.pid, signal.SIGINT)
        stopper = threading.Timer(
            20, stop_group, args=(server.pid,)
        )  # a server that ignores Ctrl-C
        stopper.start()
        try:
            _, _, usage = os.wait4(server.pid, 0)
        finally:
            stopper.cancel()
    return Measured(start_s, tuple(times), usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def stop_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def run_size(
    n: int, args: argparse.Namespace, names: list[str], later: contextlib.ExitStack
) -> dict:
    if args.keep:
        root = Path(args.keep) / f"preview-{n}"
        root.mkdir(parents=True)
    else:
        root = Path(
            later.enter_context(tempfile.TemporaryDirectory(prefix=f"newsroom-preview-{n}-"))
        )
    src = export_ref(args.newsroom_ref, root / "newsroom-src") if args.newsroom_ref else REPO
    log(f"[{n}] writing the corpus in {root} …")
    corpus = make_corpus(root / "corpus", n, args.seed, source=src, hugo_related=args.hugo_related)
    post = corpus.posts[n // 2]
    found = {}
    for tool in names:
        work = root / f"work-{tool}"
        work.mkdir()
        log(f"[{n}] {LABEL[tool]}: starting its server …")
        found[tool] = measure_server(tool, corpus, post, work, src, args.saves, args.timeout)
        log(
            f"[{n}] {LABEL[tool]}: start {found[tool].start_s:.2f} s, saves "
            f"{', '.join(f'{s:.3f}' for s in found[tool].saves_s)} s, peak "
            f"{found[tool].peak_mb:.0f} MB"
        )
    return {
        **result_head(n, args, names, src),
        "saves": args.saves,
        "tools": {
            tool: {
                "start_s": round(m.start_s, 3),
                "save_s": round(statistics.median(m.saves_s), 3),
                "saves_s": [round(s, 3) for s in m.saves_s],
                "peak_mb": round(m.peak_mb, 1),
                "cpu_s": round(m.cpu_s, 2),
            }
            for tool, m in found.items()
        },
    }


def render_table(result: dict) -> str:
    t = result["tools"]
    lines = [
        f"### Preview servers, {result['posts']:,} posts — one post saved, until the server shows "
        f"it (median of {result['saves']} saves)" + related_note(result),
        "",
        "| tool | start s | save s (min-max) | peak MB |",
        "|---|---:|---:|---:|",
    ]
    for name in TOOLS:
        if name in t:
            lines.append(
                f"| {LABEL[name]} | {t[name]['start_s']:.2f} | {t[name]['save_s']:.3f} "
                f"({min(t[name]['saves_s']):.3f}-{max(t[name]['saves_s']):.3f}) | "
                f"{t[name]['peak_mb']:,.0f} |"
            )
    if "newsroom" in t:
        for peer in ("hugo", "pelican"):
            if peer in t:
                lines.append(
                    f"| newsroom/{LABEL[peer]} | "
                    f"{ratio(t['newsroom']['start_s'] / t[peer]['start_s'])} | "
                    f"{ratio(t['newsroom']['save_s'] / t[peer]['save_s'])} | "
                    f"{ratio(t['newsroom']['peak_mb'] / t[peer]['peak_mb'])} |"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time each tool's preview server from a save to the page showing it."
    )
    add_common_options(parser)
    parser.add_argument(
        "--saves",
        type=int,
        default=5,
        help="saves measured per tool; the table shows the median [5]",
    )
    parser.add_argument(
        "--keep", metavar="DIR", help="write the corpora under DIR/preview-<size>/ and keep them"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="give up on a server start or a save after this many seconds [600]",
    )
    return run_bench(parser, argv, run_size, render_table, count="saves", kind="preview-")


if __name__ == "__main__":
    sys.exit(main())
