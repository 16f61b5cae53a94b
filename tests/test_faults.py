"""Faults in the middle of a build: the last good output survives, and the next build is correct.

- Real `newsroom build` processes are killed with SIGKILL at seeded random moments (and, with
  renames slowed down, in the middle of the renames that put files in place) while they
  build a site of 200 posts (four rounds of edits that take each write path: a small edit
  updated in place, a site-wide change written as a new folder, posts added and deleted, a
  template change); after each kill the output is the old site or the new one, and the build
  that follows equals a clean build byte for byte.
- The disk filling up (or refusing a write) at each write call in turn, injected as
  OSError(ENOSPC, EACCES, EROFS, EIO): a clear error naming the file, the output untouched.
- Broken, missing and recursive templates, a broken strings table: `path:line: message`.
- A damaged cache, or one from another version: ignored; the build equals a clean build.
"""

from __future__ import annotations

import errno
import os
import pathlib
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import builder.build
import builder.pipeline.write
from builder.build import build_site
from builder.incremental.home import cache_dir
from builder.incremental.store import SHARDS
from builder.cli import cli
from builder.errors import BuildError
from conftest import MINI_CONFIG, REPO, post, tree

TAGS = ["training", "customs", "risk management", "border guards", "drugs", "equipment"]


def write_posts(root: Path, numbers: range) -> None:
    for i in numbers:
        year = 2015 + i % 4
        path = root / f"content/news/{year}/p{i:03d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "Paragraph text with a [link](/archive/) and *emphasis*.\n\n" * 8
        path.write_text(
            post(
                title=f"News number {i}",
                date=f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                countries="[Kyrgyzstan]" if i % 2 else "[Tajikistan]",
                tags=f"[{TAGS[i % 6]}, {TAGS[i * 7 % 6]}]",
                body=body,
            ),
            encoding="utf-8",
        )


def make_big_site(root: Path, posts: int = 400) -> Path:
    (root / "content").mkdir(parents=True)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "site.toml").write_text(
        MINI_CONFIG.replace("per_page = 2", "per_page = 10"), encoding="utf-8"
    )
    write_posts(root, range(posts))
    return root


def clean_build(root: Path, scratch: Path) -> dict[str, bytes]:
    """What a clean build of the site makes, built beside everything else and then removed."""
    out = scratch / "reference"
    build_site(root, output_dir=out, clean=True)
    made = tree(out)
    shutil.rmtree(scratch)
    return made


def siblings(out: Path) -> list[str]:
    """What a build left beside the output: temporary folders that a later build must clear."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


SLOW_RENAMES = """\
import os, time
for name in ("rename", "replace"):
    def slow(*args, real=getattr(os, name), **kwargs):
        done = real(*args, **kwargs)
        time.sleep(0.03)
        return done
    setattr(os, name, slow)
"""


def start_build(root: Path, out: Path, slow_renames: Path | None = None) -> subprocess.Popen:
    """`newsroom build` in its own process group; with `slow_renames` (a folder holding a
    sitecustomize.py) each rename takes 30 ms longer, so a kill can land between two of them."""
    command = [sys.executable, "-m", "builder", "build", "--root", str(root), "--output", str(out)]
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(slow_renames or ""), os.environ.get("PYTHONPATH", "")])
        ),
    )
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def kill_after(process: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL the build and everything it started (workers, Pagefind); False if it had finished."""
    try:
        process.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


def kill_when(process: subprocess.Popen, seen, extra: float) -> bool:
    """SIGKILL the build `extra` seconds after `seen()` first holds (polled every millisecond)."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if seen():
            return kill_after(process, extra)
        time.sleep(0.001)
    return kill_after(process, 0)


def writing(out: Path):
    """True once the build writes beside the output: a new folder or a stage."""
    return lambda: any(out.parent.glob(f".{out.name}.*"))


def committing(out: Path):
    """True once the build passes its commit point.

    That is: a journal written, or the old folder renamed away.
    """
    return lambda: (
        any(out.parent.glob(f".{out.name}.stage-*/.journal"))
        or any(out.parent.glob(f".{out.name}.old-*"))
    )


def state_after_kill(out: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """Which state a killed build left the output in; fails on anything but the allowed ones."""
    now = tree(out) if out.is_dir() else None
    if now == old:
        return "old"
    if now == new:
        return "new"
    swapped_out = [p for p in out.parent.glob(f".{out.name}.old-*") if p.is_dir()]
    if now is None and len(swapped_out) == 1 and tree(swapped_out[0]) == old:
        return "between the two renames of a swap (the old folder is beside it)"
    journals = [p for p in out.parent.glob(f".{out.name}.stage-*") if (p / ".journal").is_file()]
    if journals:
        return "during an in-place commit (journalled: the next build completes it)"
    changed = sorted(
        k
        for k in set(old) | set(new) | set(now or {})
        if (now or {}).get(k) not in (old.get(k), new.get(k))
    )
    raise AssertionError(
        f"the output is neither the old nor the new site and no journal explains it: {changed[:10]}"
    )


def edit_one_post(root: Path, round_: int) -> None:
    (root / "content/news/2015/p000.md").write_text(
        post(title="News number 0", date="2015-01-01", body=f"Edited in round {round_}.\n"),
        encoding="utf-8",
    )


def edit_the_site_description(root: Path, round_: int) -> None:
    config = (root / "site.toml").read_text(encoding="utf-8")
    (root / "site.toml").write_text(
        config.replace('description = "A tiny test site."', f'description = "Round {round_}."'),
        encoding="utf-8",
    )


def add_and_delete_posts(root: Path, round_: int) -> None:
    write_posts(root, range(200, 210))
    for i in range(10, 20):
        (root / f"content/news/{2015 + i % 4}/p{i:03d}.md").unlink()


def edit_a_template(root: Path, round_: int) -> None:
    base = root / "templates/base.html"
    base.write_text(
        base.read_text(encoding="utf-8").replace("</footer>", f"<!-- round {round_} --></footer>"),
        encoding="utf-8",
    )


def test_a_build_killed_at_random_moments_leaves_a_good_output_and_the_next_build_is_correct(
    tmp_path: Path,
) -> None:
    """16 kills, each at a random moment of one of three spans (below).

    The spans: the whole build, while it writes its files, and while it renames them into place.
    """
    root, out = make_big_site(tmp_path / "site", posts=200), tmp_path / "out"
    started = time.perf_counter()
    first = start_build(root, out)
    assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    duration = time.perf_counter() - started
    good = tree(out)
    assert clean_build(root, tmp_path / "scratch") == good
    rng, outcomes = random.Random(20261123), Counter()
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(SLOW_RENAMES, encoding="utf-8")
    for round_, edit in enumerate(
        [edit_one_post, edit_the_site_description, add_and_delete_posts, edit_a_template]
    ):
        edit(root, round_)
        expected = clean_build(root, tmp_path / "scratch")
        for kill in range(
            4
        ):  # the first kill of a round finds the old site: the only one sure to see a commit
            process = start_build(root, out, slow if kill == 0 else None)
            if kill == 0:  # among the renames that put the files in place (slowed down to be hit)
                killed = kill_when(process, committing(out), rng.uniform(0, 0.05))
            elif kill == 1:  # while it writes the new files beside the output
                killed = kill_when(process, writing(out), rng.uniform(0, 0.15))
            else:  # at any moment
                killed = kill_after(process, rng.uniform(0.2, 1.1) * duration)
            if not killed:
                assert process.returncode == 0, process.stderr.read().decode()
                outcomes["finished before the kill"] += 1
            outcomes[state_after_kill(out, good, expected)] += 1
            process.stderr.close()
        finish = start_build(root, out)
        assert finish.wait(timeout=120) == 0, finish.stderr.read().decode()
        finish.stderr.close()
        assert tree(out) == expected, (
            f"round {round_}: the build after the kills differs from a clean build"
        )
        assert siblings(out) == [], siblings(out)
        good = expected
    print(f"\n16 kills over a {duration:.1f} s build: {dict(outcomes)}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site", "slow"]


# --- The disk filling up, or refusing a write, at each write in turn ---------------------------


class FailingWrites:
    """Make the `at`-th write-like call of the build raise OSError(code) naming its file."""

    TARGETS = [
        (pathlib.Path, "write_bytes"),
        (pathlib.Path, "write_text"),
        (shutil, "copyfile"),
        (os, "link"),
        (os, "replace"),
        (os, "rename"),
        (os, "mkdir"),
    ]

    def __init__(self, monkeypatch: pytest.MonkeyPatch, code: int, at: int | None):
        self.code, self.at, self.calls, self.failed = code, at, [], None
        for owner, name in self.TARGETS:
            monkeypatch.setattr(owner, name, self.wrap(getattr(owner, name), name))

    def wrap(self, real, name: str):
        def call(*args, **kwargs):
            path = args[1] if name in ("copyfile", "link", "replace", "rename") else args[0]
            if name == "mkdir" and os.path.isdir(path):
                return real(*args, **kwargs)  # a folder that is there already: not a write
            self.calls.append((name, str(path)))
            if self.at is not None and len(self.calls) - 1 == self.at:
                self.failed = (name, str(path))
                raise OSError(self.code, os.strerror(self.code), str(path))
            return real(*args, **kwargs)

        return call


def prepare(top: Path, change) -> tuple[Path, Path]:
    """A mini-site built once into its output (with its cache), then changed and not rebuilt."""
    root = top / "site"
    (root / "content/news/2017").mkdir(parents=True)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "site.toml").write_text(MINI_CONFIG, encoding="utf-8")
    for i in range(3):
        (root / f"content/news/2017/p{i}.md").write_text(
            post(title=f"Post {i}", date=f"2017-03-{10 + i}"), encoding="utf-8"
        )
    (root / "content/news/2017/photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    build_site(root, output_dir=top / "out")
    time.sleep(0.01)
    change(root)
    return root, top / "out"


def empty_the_output(root: Path) -> None:
    """A first build into an (empty) folder that exists.

    A new folder is made and swapped in by renames.
    """
    out = root.parent / "out"
    shutil.rmtree(out)
    out.mkdir()


CHANGES = {
    "one post edited (updated in place)": lambda root: (
        root / "content/news/2017/p1.md"
    ).write_text(post(title="Post 1", date="2017-03-11", body="New words.\n"), encoding="utf-8"),
    "every page changed (updated in place, with deletions)": lambda root: (
        (root / "site.toml").write_text(
            MINI_CONFIG.replace("Mini News", "Maxi News"), encoding="utf-8"
        ),
        (root / "content/news/2017/p2.md").unlink(),
    ),
    "first build into an empty folder (a new folder swapped in)": empty_the_output,
}


def positions(calls: list[tuple[str, str]], code: int) -> list[int]:
    """The write calls to fail: an even sample, plus (for ENOSPC) the first, middle and last of each
    kind of call that puts a file in place: the renames of a swap or commit, links, the journal."""
    even = set(range(0, len(calls), max(1, len(calls) // (10 if code == errno.ENOSPC else 4))))
    if code != errno.ENOSPC:
        return sorted(even)
    for kind in ("replace", "rename", "link", "write_text"):
        found = [i for i, (name, _) in enumerate(calls) if name == kind]
        even |= {found[0], found[len(found) // 2], found[-1]} if found else set()
    return sorted(even)


# (error, whether rendered pages are spilled beside the output as they are made,
# as in a big build)
FAULTS = [
    pytest.param(errno.ENOSPC, False, id="ENOSPC"),
    pytest.param(errno.EACCES, False, id="EACCES"),
    pytest.param(errno.EROFS, False, id="EROFS"),
    pytest.param(errno.EIO, False, id="EIO"),
    pytest.param(errno.ENOSPC, True, id="ENOSPC-pages spilled"),
    pytest.param(errno.EIO, True, id="EIO-pages spilled"),
]


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize(("code", "spill"), FAULTS)
def test_a_write_failing_at_any_point_leaves_the_output_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, code: int, spill: bool
) -> None:
    if spill:
        monkeypatch.setattr(builder.pipeline.write, "STAGE_PAGES_OVER", 0)
    template = tmp_path / "template"
    root, out = prepare(template, CHANGES[change])
    expected = clean_build(root, tmp_path / "scratch")
    shutil.copytree(template, tmp_path / "count", symlinks=True)
    with monkeypatch.context() as patch:
        counting = FailingWrites(patch, code, at=None)
        build_site(tmp_path / "count/site", output_dir=tmp_path / "count/out")
    calls = counting.calls
    assert tree(tmp_path / "count/out") == expected and len(calls) > 20
    for at in positions(calls, code):
        top = tmp_path / f"at-{at}"
        shutil.copytree(template, top, symlinks=True)
        root, out = top / "site", top / "out"
        before = tree(out)
        with monkeypatch.context() as patch:
            faults = FailingWrites(patch, code, at=at)
            try:
                build_site(root, output_dir=out)
                error = None
            except BuildError as exc:
                error = exc
        where = f"write {at} of {len(calls)}: {faults.failed}"
        if (
            error is None
        ):  # a failed cache write or hard link (copied instead): the build may do without
            assert tree(out) == expected, where
            continue
        assert len(error.problems) == 1, where
        message = str(error.problems[0])
        assert message.startswith((faults.failed[1], str(out), str(out.parent) + ":")), (
            where,
            message,
        )  # names the file, or the output
        assert os.strerror(code) in message or (
            code == errno.ENOSPC and "the disk is full" in message
        ), (where, message)
        assert tree(out) == before, (
            f"{where}: the output changed although the build failed: {message}"
        )
        assert siblings(out) == [], (where, siblings(out))
        build_site(root, output_dir=out)  # and the next build, with room again, is correct
        assert tree(out) == expected, where
        shutil.rmtree(top)


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root writes into read-only folders: covered by the injected EACCES above",
)
def test_an_output_folder_that_cannot_be_written_is_a_clear_error(
    make_site, tmp_path: Path
) -> None:
    root = make_site({"content/news/a.md": post()})
    parent = tmp_path / "locked"
    parent.mkdir()
    out = parent / "out"
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--root", str(root), "--output", str(out)]).exit_code == 0
    before = tree(out)
    (root / "content/news/a.md").write_text(post(body="Changed.\n"), encoding="utf-8")
    parent.chmod(0o555)
    out.chmod(0o555)
    try:
        result = runner.invoke(cli, ["build", "--root", str(root), "--output", str(out)])
    finally:
        parent.chmod(0o755)
        out.chmod(0o755)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "Permission denied" in result.stderr and "previous output is unchanged" in result.stderr
    assert tree(out) == before


def test_the_cli_says_the_disk_is_full_and_exits_1(
    make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"content/news/a.md": post()})
    FailingWrites(monkeypatch, errno.ENOSPC, at=3)
    result = CliRunner().invoke(
        cli, ["build", "--root", str(root), "--output", str(tmp_path / "out")]
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "the previous output is unchanged" in result.stderr
    assert "the disk is full" in result.stderr or "No space left on device" in result.stderr
    assert not (tmp_path / "out").exists()


# --- Broken templates -----------------------------------------------------------------------


def break_templates(make_site, tmp_path: Path, change) -> tuple[str, dict[str, bytes], Path]:
    """Good build, `change(templates)`, build again: return (stderr, output before, output)."""
    root = make_site({"content/news/2017/a.md": post()})
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--root", str(root), "--output", str(out)]).exit_code == 0
    before = tree(out)
    change(root / "templates")
    result = runner.invoke(cli, ["build", "--root", str(root), "--output", str(out)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (
        result.output,
        result.exception,
    )
    assert "Traceback" not in result.output
    assert tree(out) == before
    assert siblings(out) == []
    return result.stderr, before, out


def insert_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(number - 1, text + "\n")
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    "case, change, expected",
    [
        (
            "missing template",
            lambda t: (t / "post.html").unlink(),
            "templates/post.html: template not found",
        ),
        (
            "missing include",
            lambda t: insert_line(t / "post.html", 4, '{% include "nope.html" %}'),
            "templates/nope.html: template not found",
        ),
        (
            "syntax error in a macro file",
            lambda t: insert_line(t / "macros.html", 2, "{% macro broken( %}"),
            "templates/macros.html:2: template syntax error",
        ),
        (
            "undefined variable",
            lambda t: insert_line(t / "index.html", 4, "{{ no_such_thing.attr }}"),
            "templates/index.html:4: UndefinedError: 'no_such_thing' is undefined",
        ),
        (
            "undefined attribute",
            lambda t: insert_line(t / "post.html", 4, "{{ post.no_such_field }}"),
            "templates/post.html:4: UndefinedError",
        ),
        (
            "a filter that fails",
            lambda t: insert_line(t / "post.html", 4, "{{ 1 / 0 }}"),
            "templates/post.html:4: ZeroDivisionError",
        ),
        (
            "broken strings table",
            lambda t: (t / "strings/en.toml").write_text("months = [\n", encoding="utf-8"),
            "templates/strings/en.toml: cannot be read",
        ),
        (
            "missing strings table",
            lambda t: (t / "strings/en.toml").unlink(),
            "templates/strings/en.toml: no strings table for language 'en'",
        ),
    ],
)
def test_a_broken_template_is_a_clear_error_and_the_output_stays(
    make_site, tmp_path: Path, case: str, change, expected: str
) -> None:
    stderr, _, _ = break_templates(make_site, tmp_path, change)
    assert expected in stderr, stderr


def test_a_macro_that_calls_itself_forever_is_a_clear_error(make_site, tmp_path: Path) -> None:
    def change(templates: Path) -> None:
        insert_line(
            templates / "post.html",
            4,
            "{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}",
        )

    stderr, _, _ = break_templates(make_site, tmp_path, change)
    assert "templates/post.html:4: RecursionError" in stderr, stderr


# --- A damaged cache --------------------------------------------------------------------------


def damage(kind: str, folder: Path) -> None:
    shards, state = sorted(folder.glob("posts-*.bin")), folder / "state.bin"
    with_posts = [
        path for path in shards if path.stat().st_size > 200
    ]  # the posts files that hold posts
    assert shards and with_posts
    if kind == "truncated":
        for path in (*shards, state):
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        for path in (*shards, state):
            path.write_bytes(b"")
    elif kind == "one byte changed":
        for path in with_posts:
            data = bytearray(path.read_bytes())
            data[len(data) // 2] ^= 0x01
            path.write_bytes(bytes(data))
    elif kind == "from another version":
        for path in (*shards, state):
            head, rest = path.read_bytes().split(b"\n", 2)[:2], path.read_bytes().split(b"\n", 2)[2]
            path.write_bytes(head[0] + b"\n0.0.0-other/1\n" + rest)
    elif kind == "state without posts":
        for path in shards:
            path.unlink()
    elif kind == "a file where the folder was":
        shutil.rmtree(folder)
        folder.write_bytes(b"not a folder")
    elif kind == "garbage":
        for path in shards:
            path.write_bytes(os.urandom(4096))
        state.write_bytes(os.urandom(512))
    elif kind == "another site's cache":
        pass  # done by the test: the cache is copied from a different site
    else:
        raise ValueError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "truncated",
        "empty",
        "one byte changed",
        "from another version",
        "state without posts",
        "a file where the folder was",
        "garbage",
        "another site's cache",
    ],
)
def test_a_damaged_cache_is_ignored_and_the_build_is_correct(
    make_site, tmp_path: Path, kind: str
) -> None:
    root = make_site(
        {
            f"content/news/2017/p{i}.md": post(title=f"Post {i}", date=f"2017-03-{10 + i}")
            for i in range(4)
        }
    )
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    folder = cache_dir(root, out)
    assert (folder / "state.bin").is_file() and len(list(folder.glob("posts-*.bin"))) == SHARDS
    if kind == "another site's cache":
        other = make_site(
            {
                f"content/news/2017/p{i}.md": post(title=f"Other {i}", date=f"2017-04-{10 + i}")
                for i in range(4)
            },
            name="other",
        )
        shutil.rmtree(folder)
        build_site(other, output_dir=tmp_path / "other-out")
        shutil.copytree(cache_dir(other, tmp_path / "other-out"), folder)
    time.sleep(0.01)
    (root / "content/news/2017/p1.md").write_text(
        post(title="Post 1", date="2017-03-11", body="Changed after the cache.\n"), encoding="utf-8"
    )
    damage(kind, folder)
    report = build_site(root, output_dir=out)
    assert report.posts == 4
    assert tree(out) == clean_build(root, tmp_path / "scratch")


# --- The same bytes, however the build runs ----------------------------------------------------


def test_a_build_gives_the_same_bytes_on_one_process_or_several_and_every_time(
    tmp_path: Path,
) -> None:
    root = make_big_site(
        tmp_path / "site", posts=200
    )  # enough posts for the forked workers to start
    one = build_site(root, output_dir=tmp_path / "one", jobs=1, clean=True)
    several = build_site(root, output_dir=tmp_path / "several", jobs=2, clean=True)
    assert one.files == several.files > 400
    assert tree(tmp_path / "one") == tree(tmp_path / "several")
    build_site(root, output_dir=tmp_path / "again", jobs=2, clean=True)
    assert tree(tmp_path / "again") == tree(tmp_path / "one")
