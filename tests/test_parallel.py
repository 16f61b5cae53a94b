"""Work spread over processes gives exactly what the same work gives in this process."""

from __future__ import annotations

import gc
import os
import signal
import time

import pytest

from builder.parallel import Aside, guided_chunks, map_in_order

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork"),
    reason="needs fork: elsewhere Aside and map_in_order work in this process",
)


def test_map_in_order_keeps_the_order_of_its_items() -> None:
    items = list(range(1000))
    found = map_in_order(lambda n: (n * n, os.getpid()), items, jobs=2)
    assert [square for square, _ in found] == [n * n for n in items]
    assert os.getpid() not in {pid for _, pid in found}


def test_aside_work_is_done_by_another_process_and_its_bytes_come_back_whole() -> None:
    data = (
        bytes(range(256)) * 8192
    )  # 2 MB: many times what a pipe holds, so the worker waits for the reader
    parent = os.getpid()
    aside = Aside(lambda: os.getpid().to_bytes(8, "big") + data)
    time.sleep(0.05)
    found = aside.result()
    assert int.from_bytes(found[:8], "big") != parent and found[8:] == data
    aside.close()  # after result(): nothing left to give up


def test_aside_work_that_fails_in_the_worker_is_done_here() -> None:
    parent = os.getpid()

    def work() -> bytes:
        if os.getpid() != parent:
            raise OSError("the worker cannot do it")
        return b"done here"

    assert Aside(work).result() == b"done here"


def test_aside_work_given_up_leaves_no_worker_behind() -> None:
    aside = Aside(lambda: b"x" * (4 << 20))  # blocks on the full pipe until the reader goes
    pid = aside.pid
    aside.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no such child any more


def test_aside_work_given_up_midway_is_stopped_not_waited_for() -> None:
    def too_long(*_: object) -> None:
        raise AssertionError("close() waited for the worker to finish its work")

    aside = Aside(lambda: time.sleep(3600) or b"")
    pid = aside.pid
    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(30)
    try:
        aside.close()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        try:  # a failed test leaves no sleeping worker behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_garbage_work_makes_is_collected_as_it_goes_even_if_the_caller_paused_the_collector(
    jobs: int,
) -> None:
    def cyclic(n: int) -> int:
        loop: list = [n]
        loop.append(loop)  # garbage only the collector frees
        return n

    gc.collect()
    gc.disable()
    try:
        assert map_in_order(cyclic, range(5000), jobs=jobs) == list(range(5000))
        assert not gc.isenabled()  # the caller's pause holds again
        left = gc.collect()
    finally:
        gc.enable()
    assert (
        left < 1000
    )  # on one process the 5,000 cycles are collected during the work, not left for later


def test_aside_work_is_done_here_when_no_process_can_be_forked(monkeypatch) -> None:
    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    aside = Aside(lambda: b"done here")
    assert aside.pid == 0 and aside.result() == b"done here"
    aside.close()


def test_map_in_order_works_here_when_no_process_can_be_forked(monkeypatch) -> None:
    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    found = map_in_order(lambda n: (n * n, os.getpid()), list(range(1000)), jobs=2)
    assert [square for square, _ in found] == [n * n for n in range(1000)]
    assert {pid for _, pid in found} == {os.getpid()}


@pytest.mark.parametrize("count", [1, 15, 64, 1000, 15558, 100_000])
def test_guided_chunks_cover_every_item_once_in_order_and_shrink_to_the_end(count: int) -> None:
    chunks = guided_chunks(count, 2)
    assert [i for chunk in chunks for i in chunk] == list(range(count))
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True) and max(sizes) <= max(16, count // 8)
    assert all(size >= 16 for size in sizes[:-1])


def test_pages_rendered_costliest_first_come_back_in_the_plan_order(tmp_path) -> None:
    from conftest import REPO, planned_pages

    from builder.build import check_site
    from builder.pipeline.render import render_pages
    from builder.pipeline.templates import make_environment
    from builder.pipeline.theme import load_theme
    from builder.pipeline.write import PageSink

    site = check_site(REPO).site
    pages = planned_pages(site)
    assert (
        len({len(page.shows) if page.shows is not None else -1 for page in pages}) > 2
    )  # pages of different costs
    env = make_environment(site.config, load_theme(site.config), site.docs)
    files = render_pages(
        env, pages * 3, site.config, PageSink(), jobs=2
    )  # enough pages for the workers
    assert [file.path for file in files] == [page.file for page in pages * 3]
