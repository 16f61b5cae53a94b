"""One build at a time per output folder: an OS file lock held for the whole build.

The lock is `fcntl.flock` on `build.lock` in the output's cache folder, in the site's own
`.newsroom-cache/<output name>-<key>/` (incremental/home.py); beside the output as
`.<output name>.lock` if that folder cannot hold it (a read-only site: the file then holds only
a pid, no cache). The kernel
releases it when the process ends, however it ends, so a build killed with SIGKILL never leaves
a stale lock. A second build of the same output fails at once, before it reads the cache or
touches anything beside the output; the file holds the pid of the build that has it, for the
message. `newsroom serve` builds through the same build_site, so its rebuilds take it too.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from builder.errors import OutputError, Problem
from builder.incremental.home import LOCK_NAME, cache_dir

HELD: set[int] = set()  # this process's lock descriptors, closed in every process it forks
PID_TRIES = 20  # the build that has the lock writes its pid just after taking it: look again
PID_WAIT = 0.005


@contextmanager
def output_lock(out: Path, root: Path) -> Iterator[None]:
    """Hold the lock of the output folder `out` (resolved) of the site at `root` while the
    block runs; raise OutputError at once if another build holds it."""
    fd = open_lock(out, root)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError([being_built(out, holder(fd))]) from None
        note_pid(fd)
        HELD.add(fd)
        yield
    finally:
        HELD.discard(fd)
        os.close(fd)  # closing the last descriptor of the file releases the lock


def close_in_child() -> None:
    """A forked worker does not hold the lock: if the build is killed alone (kill -9 of its
    pid), a worker still alive for a moment does not keep the next build out."""
    for fd in HELD:
        os.close(fd)
    HELD.clear()


os.register_at_fork(after_in_child=close_in_child)


def open_lock(out: Path, root: Path) -> int:
    """A descriptor of the output's lock file: made in its cache folder, or opened there read-only
    if that folder cannot be written, or (neither possible) made beside the output."""
    inside = cache_dir(root, out) / LOCK_NAME
    try:
        inside.parent.mkdir(parents=True, exist_ok=True)
        return os.open(inside, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        pass
    try:
        return os.open(inside, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        pass
    beside = out.parent / f".{out.name}.lock"
    try:
        return os.open(beside, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise OutputError(
            [Problem(str(out), None, f"cannot make the file that locks the output: {why}")]
        ) from None


def note_pid(fd: int) -> None:
    """Write this process's pid into the lock file (not possible in a read-only one)."""
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except OSError:
        pass  # the pid is only for the message of a build that finds the lock taken


def holder(fd: int) -> int | None:
    """The pid written in the lock file by the build that holds it, if it wrote one yet."""
    for _ in range(PID_TRIES):
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text.isdigit():
            return int(text)
        time.sleep(PID_WAIT)
    return None


def being_built(out: Path, pid: int | None) -> Problem:
    who = f"pid {pid}" if pid is not None else "pid unknown"
    return Problem(
        str(out),
        None,
        f"is being built by another newsroom ({who}); build again when it has finished",
    )
