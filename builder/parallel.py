"""Spread independent work over the machine's cores; results come back in input order."""

from __future__ import annotations

import gc
import os
import signal
from dataclasses import dataclass
from typing import Callable, Sequence, TypeVar

from builder.errors import BuildError, Problem

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 64  # below this, starting processes costs more than it saves
_WORK: tuple[Callable, Sequence] | None = None  # what forked workers inherit


def _run(chunk: range) -> list:
    fn, items = _WORK  # type: ignore[misc]
    return [fn(items[i]) for i in chunk]


def map_in_order(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int,
    done: Callable[[int], None] = lambda count: None,
) -> list[R]:
    """[fn(x) for x in items], on up to `jobs` forked processes when there is enough work.

    The workers inherit `fn` and `items` by fork (nothing is pickled on the way in), so the
    result is the same, byte for byte, as running in one process. `done(n)` is told as each
    n items are finished (for a progress bar).
    """
    global _WORK
    import multiprocessing  # only a build with work for other cores starts them

    jobs = min(jobs, len(items) // MIN_ITEMS)
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return map_here(fn, items, done)
    chunks = guided_chunks(len(items), jobs)
    _WORK = (fn, items)
    frozen = gc.get_freeze_count() > 0  # by the caller, who unfreezes
    # the workers' garbage collector leaves the inherited objects alone:
    # their pages stay shared
    gc.freeze()
    try:
        try:
            pool = multiprocessing.get_context("fork").Pool(
                jobs, initializer=gc.enable
            )  # whatever the caller paused
        except OSError:  # no process to spare (memory, process limit): the work is done here
            pool = None
        if pool is not None:
            with pool:
                parts = []
                for part in pool.imap(_run, chunks):
                    parts.append(part)
                    done(len(part))
    finally:
        _WORK = None
        if not frozen:
            gc.unfreeze()
    if pool is None:
        return map_here(fn, items, done)
    results = [result for part in parts for result in part]
    if frozen:  # a caller that froze what lives as long as it does: so do the results
        gc.freeze()
    return results


@dataclass(frozen=True, slots=True)
class Failed:
    """What an item whose work raised a BuildError gives back from its worker."""

    kind: type[BuildError]
    problems: tuple[Problem, ...]


def map_collecting(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int,
    done: Callable[[int], None] = lambda count: None,
) -> tuple[list[R | None], list[Failed]]:
    """map_in_order, where an item whose `fn` raises a BuildError gives None and its error is
    collected (so that every problem of a run is reported at once)."""

    def attempt(item: T) -> R | Failed:
        try:
            return fn(item)
        except BuildError as exc:
            return Failed(type(exc), exc.problems)

    results: list[R | None] = []
    failures: list[Failed] = []
    for result in map_in_order(attempt, items, jobs=jobs, done=done):
        if isinstance(result, Failed):
            failures.append(result)
            results.append(None)
        else:
            results.append(result)
    return results, failures


def problems_of(failures: list[Failed]) -> list[Problem]:
    return [problem for failure in failures for problem in failure.problems]


def guided_chunks(count: int, jobs: int, least: int = 16) -> list[range]:
    """Consecutive ranges over `count` items for `jobs` workers: each a (4 × jobs)th of what is
    left, down to `least` items. Big chunks while much is left (few results to send back),
    small ones at the end, so the workers finish together: with equal chunks of an eighth, one
    worker was left alone for the last quarter second of a 10,000-post build's pages."""
    chunks, start = [], 0
    while start < count:
        size = max(least, (count - start) // (4 * jobs))
        chunks.append(range(start, min(start + size, count)))
        start += size
    return chunks


def map_here(fn: Callable[[T], R], items: Sequence[T], done: Callable[[int], None]) -> list[R]:
    """[fn(x) for x in items] in this process, collecting garbage as a worker does, whatever
    the caller paused (the work's garbage is collected as it goes); the objects that were there
    before are not walked by those collections (a build's two million, at 10,000 posts)."""
    collecting, frozen = gc.isenabled(), gc.get_freeze_count() > 0
    gc.freeze()
    gc.enable()
    try:
        results = []
        for item in items:
            results.append(fn(item))
            if len(results) % MIN_ITEMS == 0:
                done(MIN_ITEMS)
        done(len(results) % MIN_ITEMS)
        return results
    finally:
        if not collecting:
            gc.disable()
        if not frozen:
            gc.unfreeze()


def available_cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class Aside:
    """Bytes that `work()` makes on a forked process while the caller goes on (in this
    process, when it is asked for them, where there is no fork).

    `result()` waits for them; `close()` gives them up. A worker that fails, or bytes cut short,
    leave the work to `result()`, done here: the answer never depends on the worker.
    """

    def __init__(self, work: Callable[[], bytes]) -> None:
        self.work, self.pid, self.fd = work, 0, -1
        if not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to spare (memory, process limit): the work is done here
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the worker: do the work, hand its bytes over, leave without cleaning up
            os.close(read)
            code = 0
            try:
                data = work()
                with os.fdopen(write, "wb") as sink:
                    sink.write(len(data).to_bytes(8, "big") + data)
            except BaseException:
                code = 1
            os._exit(code)
        os.close(write)
        self.pid, self.fd = pid, read

    def result(self) -> bytes:
        if self.fd < 0:
            return self.work()
        with os.fdopen(self.fd, "rb") as source:
            self.fd = -1
            data = source.read()
        self.reap()
        size = int.from_bytes(data[:8], "big") if len(data) >= 8 else -1
        return data[8:] if len(data) == size + 8 else self.work()

    def close(self) -> None:
        if (
            self.fd >= 0
        ):  # given up: the worker is stopped, whatever it is doing (it writes nothing)
            os.close(self.fd)
            self.fd = -1
            if self.pid:
                os.kill(self.pid, signal.SIGKILL)
        self.reap()

    def reap(self) -> None:
        if self.pid:
            os.waitpid(self.pid, 0)
            self.pid = 0
