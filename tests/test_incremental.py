"""Incremental builds: after any sequence of edits, exactly the bytes of a clean build."""

from __future__ import annotations

import dataclasses
import os
import random
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import planned_pages, post, tree

import builder.build
import builder.incremental.store
import builder.incremental.posts
import builder.incremental.sizes
import builder.incremental.unchanged
import builder.pipeline.parse
import builder.pipeline.render
import builder.pipeline.search
import builder.pipeline.sources
import builder.pipeline.write
from builder.build import Selection, build_site, check_site
from builder.incremental.state import BuildState
from builder.incremental.home import cache_dir
from builder.incremental.store import SHARDS, Warm, dump, load, load_posts, state_path
from builder.errors import ContentError, Problem, TemplateError
from builder.model import Post
from markupsafe import Markup

COUNTRIES = ["Kazakhstan", "Kyrgyzstan", "Tajikistan"]
TAGS = ["training", "customs", "Risk management", "e-commerce", "profiling", "equipment"]
WORDS = "border customs training workshop risk equipment national regional experts officers".split()


def new_post(rng: random.Random, n: int) -> str:
    countries = ", ".join(rng.sample(COUNTRIES, rng.randint(1, 2)))
    tags = ", ".join(rng.sample(TAGS, rng.randint(1, 3)))
    body = "\n\n".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        for _ in range(rng.randint(1, 3))
    )
    link = (
        "\n\nSee [the first item](2017-03-14-profiling-workshop.md).\n"
        if rng.random() < 0.3
        else "\n"
    )
    return (
        f"---\ntitle: Generated news {n} {rng.choice(WORDS)}\ndate: "
        f"20{rng.randint(15, 18)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\ncountries: "
        f"[{countries}]\ntags: [{tags}]\n---\n{body}{link}"
    )


def posts_of(site: Path) -> list[Path]:
    return sorted(p for p in (site / "content/news").rglob("*.md"))


def edit_front(path: Path, field: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    lines = [line for line in head.splitlines() if not line.startswith(f"{field}:")]
    path.write_text(
        "\n".join(lines[:2] + [f"{field}: {value}"] + lines[2:]) + "\n---\n" + body,
        encoding="utf-8",
    )


def mutate(site: Path, rng: random.Random, step: int) -> str:
    """One random edit of the kinds an editor (or a designer) makes."""
    posts = posts_of(site)
    target = rng.choice(posts)
    kind = rng.choice(
        [
            "add",
            "add",
            "delete",
            "rename",
            "date",
            "countries",
            "tags",
            "title",
            "body",
            "body",
            "template",
            "config",
            "draft",
            "page",
            "noop",
        ]
    )
    if kind == "add" or (kind == "delete" and len(posts) < 4):
        (site / f"content/news/2017/gen-{step}.md").write_text(
            new_post(rng, step), encoding="utf-8"
        )
    elif kind == "delete":
        target.unlink()
    elif kind == "rename":
        target.rename(target.with_name(f"renamed-{step}-{target.name}"))
    elif kind == "date":
        edit_front(
            target, "date", f"20{rng.randint(15, 18)}-1{rng.randint(0, 2)}-0{rng.randint(1, 9)}"
        )
    elif kind == "countries":
        edit_front(
            target, "countries", "[" + ", ".join(rng.sample(COUNTRIES, rng.randint(1, 3))) + "]"
        )
    elif kind == "tags":
        edit_front(target, "tags", "[" + ", ".join(rng.sample(TAGS, rng.randint(1, 3))) + "]")
    elif kind == "title":
        edit_front(target, "title", f"Retitled {step} {rng.choice(WORDS)}")
    elif kind == "body":
        target.write_text(
            target.read_text(encoding="utf-8") + f"\nAdded sentence {step}.\n", encoding="utf-8"
        )
    elif kind == "draft":
        edit_front(target, "draft", rng.choice(["true", "false"]))
    elif kind == "page":  # a standalone page: the menu of every page names it
        target = site / "content/pages/about.md"
        edit_front(target, "title", f"About, take {step}")
    elif kind == "template":
        name = rng.choice(["post.html", "term.html", "index.html", "base.html"])
        path = site / "templates" / name
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("</h1>", f" <small>v{step}</small></h1>", 1)
            if "</h1>" in text
            else text + f"\n<!-- {step} -->\n",
            encoding="utf-8",
        )
    elif kind == "config":
        config = site / "site.toml"
        text = config.read_text(encoding="utf-8")
        text = (
            re.sub(r"per_page = \d+", f"per_page = {rng.randint(1, 4)}", text)
            if rng.random() < 0.5
            else re.sub(r'title = "[^"]*"', f'title = "Fixture News {step}"', text, count=1)
        )
        config.write_text(text, encoding="utf-8")
    return f"{kind} {target.name}"


def refusal(build, *args, **kwargs) -> tuple[Problem, ...]:
    """The problems a build refuses the content for (none if it builds)."""
    try:
        build(*args, **kwargs)
    except ContentError as exc:
        return exc.problems
    return ()


def sources_of(site: Path) -> dict[str, bytes]:
    """The site's own files (a `tree` of it without the build cache it holds)."""
    return {rel: data for rel, data in tree(site).items() if not rel.startswith(".newsroom-cache/")}


def put_back(site: Path, files: dict[str, bytes]) -> None:
    """Make the site's own files those of `files` (from `sources_of`) again; the cache stays."""
    for rel in set(sources_of(site)) - set(files):
        (site / rel).unlink()
    for rel, data in files.items():
        path = site / rel
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def load_state(root: Path, out: Path) -> BuildState:
    state = load(state_path(cache_dir(root, out)), BuildState)
    assert isinstance(state, BuildState)
    return state


def differences(clean: dict[str, bytes], incremental: dict[str, bytes]) -> list[str]:
    return sorted(set(clean) ^ set(incremental)) + [
        p for p in sorted(set(clean) & set(incremental)) if clean[p] != incremental[p]
    ]


def measure_sizes_aside(monkeypatch, aside: bool) -> None:
    """Builds measure the output's sizes on another core (as at 10,000 posts), or as they go."""
    monkeypatch.setattr(builder.incremental.sizes, "SIZES_ASIDE_OVER", 0 if aside else 10**9)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 8])
def test_random_edits_build_incrementally_to_exactly_a_clean_build(
    fixture_site: Path, tmp_path: Path, seed: int, monkeypatch
) -> None:
    """Seed 2 measures the output's sizes on another core; seed 4 keeps the cache's posts in
    memory from build to build, as `newsroom serve` does; seed 8 makes the search index in
    groups of two posts' years (a site needs a thousand posts for two groups)."""
    measure_sizes_aside(monkeypatch, seed == 2)
    if seed == 8:
        monkeypatch.setattr(builder.pipeline.search, "GROUP_POSTS", 2)
    warm = Warm() if seed == 4 else None
    rng = random.Random(seed)
    incremental, clean = tmp_path / "inc" / "output", tmp_path / "clean" / "output"
    build_site(fixture_site, output_dir=incremental, warm=warm)
    history = []
    for step in range(14):
        before = sources_of(fixture_site)
        history.append(mutate(fixture_site, rng, step))
        refused = refusal(build_site, fixture_site, output_dir=incremental, warm=warm)
        assert refused == refusal(build_site, fixture_site, output_dir=clean, clean=True), history
        if refused:  # a link left to a post deleted, renamed or made a draft: undo the edit
            history.append(f"undone: {refused[0]}")
            put_back(fixture_site, before)
            continue
        wrong = differences(tree(clean), tree(incremental))
        assert not wrong, f"after {history}: incremental output differs in {wrong[:10]}"


def test_a_build_with_nothing_changed_touches_nothing(fixture_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out)
    build_site(fixture_site, output_dir=out)  # inputs may be too fresh to trust their times once
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    report = build_site(fixture_site, output_dir=out)
    assert report.written == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_one_edit_rewrites_only_the_files_that_show_it(fixture_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out)
    before = {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()
    }
    post = fixture_site / "content/news/2016/2016-12-12-risk.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("assessed risk", "reviewed risk"), encoding="utf-8"
    )
    report = build_site(fixture_site, output_dir=out)
    after = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    changed = sorted(
        p for p in after if p not in before or (out / p).stat().st_mtime_ns != before[p]
    )  # new files too
    changed.remove(".newsroom-output")  # renewed by every commit: it dates the output (a cache
    # older than the output is not trusted, see commit.write_marker)
    assert "news/2016/risk-management-assessment-in-kyrgyz-customs/index.html" in changed
    assert "about/index.html" not in changed and "countries/tajikistan/index.html" not in changed
    assert (
        report.written == len(changed)
        and len([p for p in changed if not p.startswith("pagefind/")]) < 12
    )
    assert (
        "pagefind/pagefind-ui.js" not in changed
    )  # the search index changes, Pagefind's scripts do not


def count_reads(monkeypatch) -> list[str]:
    """The posts a build reads and parses (builder.pipeline.parse.read_post), by file name."""
    read: list[str] = []
    real = builder.pipeline.parse.read_post
    monkeypatch.setattr(
        builder.pipeline.parse,
        "read_post",
        lambda path, *a: read.append(path.name) or real(path, *a),
    )
    return read


def test_posts_touched_or_saved_just_before_a_build_are_compared_by_their_bytes(
    fixture_site: Path, tmp_path: Path, monkeypatch
) -> None:
    """A post whose time changed but not its bytes (touched, checked out again), or saved too
    close to the last build for its time to be trusted, is not parsed again; an edit is."""
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out)
    expected = tree(out)
    read = count_reads(monkeypatch)
    now = time.time_ns()
    for path in posts_of(fixture_site):
        os.utime(path, ns=(now, now))  # touched: a new time, the same bytes
    assert build_site(fixture_site, output_dir=out).written == 0 and read == []
    assert (
        build_site(fixture_site, output_dir=out).written == 0 and read == []
    )  # saved just before the last build
    assert tree(out) == expected
    post = fixture_site / "content/news/2017/2017-01-10-morning-briefing.md"
    stat, text = post.stat(), post.read_text(encoding="utf-8")
    post.write_text(
        text.replace("short briefing", "brief briefing"), encoding="utf-8"
    )  # the same size...
    os.utime(
        post, ns=(stat.st_atime_ns, stat.st_mtime_ns)
    )  # ...and the same time: only the bytes tell
    assert post.stat().st_size == stat.st_size
    build_site(fixture_site, output_dir=out)
    assert read == [post.name] and "brief briefing" in (
        out / "news/2017/morning-briefing-for-tajik-border-guards/index.html"
    ).read_text(encoding="utf-8")
    monkeypatch.undo()
    reference = tmp_path / "reference"
    build_site(fixture_site, output_dir=reference, clean=True)
    assert tree(out) == tree(reference)


def saved_long_ago(site: Path, monkeypatch) -> int:
    """Date every file of the site an hour back, and count a file as saved just before a build
    for 10 minutes, not 2 seconds (however slow the machine, the test's builds are in time);
    returns now, in ns."""
    now = time.time_ns()
    for path in site.rglob("*"):
        os.utime(path, ns=(now - 3600 * 10**9, now - 3600 * 10**9))
    monkeypatch.setattr(builder.incremental.unchanged, "RACY_NS", 600 * 10**9)
    return now


SAME_SIZE_EDITS = {  # file: (old, new, a page that shows it)
    "content/news/2017/2017-01-10-morning-briefing.md": (
        "short briefing",
        "brief briefing",
        "news/2017/morning-briefing-for-tajik-border-guards/index.html",
    ),
    "templates/base.html": ('<main id="main">', '<main id="mian">', "index.html"),
    "site.toml": ("Fixture News", "Fixture Newz", "index.html"),
}


@pytest.mark.parametrize("edited", sorted(SAME_SIZE_EDITS))
def test_a_build_right_after_inputs_were_just_saved_does_nothing_unless_their_bytes_changed(
    fixture_site: Path, tmp_path: Path, monkeypatch, edited: str
) -> None:
    """The files saved just before a build are checked by their bytes (a post's against the
    digest that build kept of it; site.toml and the templates by the keys made of them):
    unchanged, the next build ends at once (loads no cached post); changed with the same size
    and time, it builds them."""
    recalled: list[bool] = []
    real = builder.incremental.posts.earlier_posts
    monkeypatch.setattr(
        builder.incremental.posts,
        "earlier_posts",
        lambda *a, **k: recalled.append(True) or real(*a, **k),
    )
    now = saved_long_ago(fixture_site, monkeypatch)
    for path in [
        *posts_of(fixture_site),
        fixture_site / "site.toml",
        *(fixture_site / "templates").rglob("*.html"),
    ]:
        os.utime(path, ns=(now, now))  # saved just now: too recent to trust their times
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out)
    recalled.clear()
    assert build_site(fixture_site, output_dir=out).written == 0 and recalled == []
    # still too recent to trust: kept with what checks them
    assert load_state(fixture_site, out).recent
    path = fixture_site / edited
    old, new, page = SAME_SIZE_EDITS[edited]
    stat, text = path.stat(), path.read_text(encoding="utf-8")
    assert old in text and len(old) == len(new)
    path.write_text(text.replace(old, new), encoding="utf-8")  # the same size...
    os.utime(
        path, ns=(stat.st_atime_ns, stat.st_mtime_ns)
    )  # ...and the same time: only the bytes tell
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    build_site(fixture_site, output_dir=out)
    assert recalled == [True] and new in (out / page).read_text(encoding="utf-8")
    monkeypatch.undo()
    reference = tmp_path / "reference"
    build_site(fixture_site, output_dir=reference, clean=True)
    assert tree(out) == tree(reference)


def test_a_build_finding_files_saved_before_the_last_read_them_trusts_their_times_from_then_on(
    fixture_site: Path, tmp_path: Path, monkeypatch
) -> None:
    """Else every later build would read them all again.

    The state is dated to the build that checked them.
    """
    now = saved_long_ago(fixture_site, monkeypatch)
    for path in posts_of(fixture_site):
        os.utime(path, ns=(now, now))
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out)
    first = load_state(fixture_site, out)
    assert first.recent and len(first.recent) == len(posts_of(fixture_site))
    monkeypatch.setattr(builder.incremental.unchanged, "RACY_NS", 0)  # as if two seconds had passed
    build_site(fixture_site, output_dir=out)
    second = load_state(fixture_site, out)
    assert (
        second.recent == {}
        and second.started > first.started
        and second.snapshot == first.snapshot
        and second.outputs == first.outputs
    )
    read = count_reads(monkeypatch)
    digests: list[Path] = []
    real = builder.pipeline.sources.file_digest
    for module in (
        builder.incremental.unchanged,
        builder.incremental.posts,
    ):  # where a cached file is compared by its bytes
        monkeypatch.setattr(module, "file_digest", lambda path: digests.append(path) or real(path))
    assert build_site(fixture_site, output_dir=out).written == 0 and read == [] and digests == []


@pytest.mark.parametrize("damage", ["truncate", "garbage", "version", "delete-output"])
def test_a_damaged_cache_or_output_gives_a_correct_build(
    fixture_site: Path, tmp_path: Path, damage: str
) -> None:
    out, reference = tmp_path / "inc" / "output", tmp_path / "ref" / "output"
    build_site(fixture_site, output_dir=out)
    post = fixture_site / "content/news/2017/2017-01-10-morning-briefing.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("short briefing", "long briefing"),
        encoding="utf-8",
    )
    for path in [
        cache_dir(fixture_site, out) / "state.bin",
        *sorted(cache_dir(fixture_site, out).glob("posts-*.bin")),
    ]:
        data = path.read_bytes()
        if damage == "truncate":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            path.write_bytes(data[:80] + b"x" * 40 + data[120:])
        elif damage == "version":
            path.write_bytes(data.replace(b"newsroom-cache\n", b"newsroom-cache\n9", 1))
    if damage == "delete-output":
        (out / "about/index.html").unlink()
    build_site(fixture_site, output_dir=out)
    build_site(fixture_site, output_dir=reference, clean=True)
    assert tree(out) == tree(reference)


def test_a_warm_build_reads_only_the_posts_files_changed_since_this_process_had_them(
    fixture_site: Path, tmp_path: Path, monkeypatch
) -> None:
    out, reference, warm = tmp_path / "inc" / "output", tmp_path / "ref" / "output", Warm()
    loads: list[str] = []
    real = builder.incremental.store.load
    monkeypatch.setattr(
        builder.incremental.store,
        "load",
        lambda path, kind: loads.append(path.name) or real(path, kind),
    )
    build_site(fixture_site, output_dir=out, warm=warm)
    post = fixture_site / "content/news/2017/2017-01-10-morning-briefing.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("short briefing", "long briefing"),
        encoding="utf-8",
    )
    loads.clear()
    build_site(fixture_site, output_dir=out, warm=warm)
    assert [name for name in loads if name.startswith(("state", "posts-"))] == [
        "state.bin"
    ]  # every posts file from memory: this build's own, as written
    shards = [
        path
        for path in sorted(cache_dir(fixture_site, out).glob("posts-*.bin"))
        if path.stat().st_size > 200
    ]
    data = shards[0].read_bytes()
    shards[0].write_bytes(data[:80] + b"x" * 40 + data[120:])  # damaged behind the process's back
    post.write_text(
        post.read_text(encoding="utf-8").replace("long briefing", "longer briefing"),
        encoding="utf-8",
    )
    loads.clear()
    build_site(fixture_site, output_dir=out, warm=warm)
    assert sorted(name for name in loads if name.startswith(("state", "posts-"))) == sorted(
        ["state.bin", shards[0].name]
    )
    build_site(fixture_site, output_dir=reference, clean=True)
    assert tree(out) == tree(reference)


def test_a_cache_file_written_in_many_pieces_carries_the_checksum_of_them_all(
    tmp_path: Path,
) -> None:
    path, value = (
        tmp_path / "big.bin",
        {"numbers": list(range(200_000)), "text": "é" * 100_000},
    )  # many 64 KB pickle frames
    dump(path, value)
    assert load(path, dict) == value
    data = bytearray(path.read_bytes())
    data[-1000] ^= 1  # one bit of the last frame
    path.write_bytes(data)
    assert load(path, dict) is None


@pytest.mark.parametrize("aside", [False, True])
def test_a_file_deleted_from_the_output_comes_back_even_with_nothing_changed(
    fixture_site: Path, tmp_path: Path, monkeypatch, aside: bool
) -> None:
    measure_sizes_aside(monkeypatch, aside)
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out)
    build_site(fixture_site, output_dir=out)
    expected = tree(out)
    (out / "tags/customs/index.html").unlink()
    build_site(fixture_site, output_dir=out)
    assert tree(out) == expected


def test_the_cache_gives_back_every_post_as_it_was_parsed(
    fixture_site: Path, tmp_path: Path
) -> None:
    """Cached posts are pickled field by field (incremental/records.py): each comes back equal,
    its body's HTML still Markup (as text it would be escaped on every page), its terms equal."""
    out = tmp_path / "output"
    parsed = check_site(fixture_site).parsed
    build_site(fixture_site, output_dir=out)
    loaded = load_posts(cache_dir(fixture_site, out)).posts
    assert (
        loaded.keys() == parsed.keys()
        and sum(entry.post.body is not None for entry in loaded.values()) > 5
    )
    for source, made in parsed.items():
        again = loaded[source].post
        assert again == made
        if made.body is not None:  # None: a draft, not rendered
            assert type(again.body.html) is Markup and again.body.html == made.body.html
        assert [type(ref) for ref in again.meta.tags] == [type(ref) for ref in made.meta.tags]


def test_clean_option_ignores_the_cache(fixture_site: Path, tmp_path: Path, runner) -> None:
    from builder.cli import cli

    out = tmp_path / "output"
    assert (
        runner.invoke(cli, ["build", "--root", str(fixture_site), "--output", str(out)]).exit_code
        == 0
    )
    shards = sorted(cache_dir(fixture_site, out).glob("posts-*.bin"))
    assert len(shards) == SHARDS
    for path in shards:
        path.write_bytes(b"not a cache")
    result = runner.invoke(
        cli, ["build", "--root", str(fixture_site), "--output", str(out), "--clean"]
    )
    assert result.exit_code == 0, result.stderr
    assert all(path.read_bytes().startswith(b"newsroom-cache\n") for path in shards)


def posts_in(value: object, seen: set[int] | None = None) -> set[str]:
    """The sources of every post reachable from a template context."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return set()
    seen.add(id(value))
    if isinstance(value, Post):
        return {value.source}
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, (tuple, list)):
        items = list(value)
    elif dataclasses.is_dataclass(value):
        items = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        return set()
    return set().union(*(posts_in(item, seen) for item in items)) if items else set()


def test_every_page_names_the_posts_it_shows(fixture_site: Path) -> None:
    """The contract of the fast path: a page shows only the posts in its `shows` (None: any)."""
    site = check_site(fixture_site).site
    pages = planned_pages(site)
    named = [page for page in pages if page.shows is not None]
    assert len(named) > len(pages) - 5  # only the archive and the lists of terms show any post
    for page in pages:
        found = posts_in(page.context)
        if page.shows is not None:
            assert found <= set(page.shows), page.path
        if page.template == "post.html":
            assert len(found) >= 3, page.path  # itself, a neighbour, related posts


def test_posts_with_fields_on_the_same_lines_share_one_record_of_them(
    make_site, tmp_path: Path
) -> None:
    """A 100,000-post archive keeps each layout of front matter once, not once a post (twice
    before: in the post's checked front matter and in the post), and every line stays its own."""
    root = make_site(
        {
            "content/news/a.md": post(title="First"),
            "content/news/y.md": post(title="Second"),  # in a.md's posts file
            "content/news/c.md": post(title="Third", extra="location: Osh\n"),
        }
    )
    rendered = check_site(root)
    posts = {p.title: p for p in rendered.site.posts}
    first, second, third = posts["First"], posts["Second"], posts["Third"]
    assert first.lines is second.lines and first.lines == (
        ("countries", 4),
        ("date", 3),
        ("tags", 5),
        ("title", 2),
    )
    assert (
        rendered.parsed["content/news/a.md"].meta.lines
        is rendered.parsed["content/news/y.md"].meta.lines
    )
    assert third.line_of("location") == 6 and first.line_of("location") == 1
    assert [p.path for p in (first, second, third)] == [
        "news/2017/a/",
        "news/2017/y/",
        "news/2017/c/",
    ]
    assert [
        p.file
        for p in planned_pages(rendered.site, {p.path: () for p in posts.values()})
        if p.path in ("", "news/2017/a/", "404.html")
    ] == ["index.html", "news/2017/a/index.html", "404.html"]
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    cached = load_posts(cache_dir(root, out)).posts  # shared again as they come back from the cache
    assert builder.incremental.store.shard_of(
        "content/news/a.md"
    ) == builder.incremental.store.shard_of("content/news/y.md")
    assert (
        cached["content/news/a.md"].post.meta.lines is cached["content/news/y.md"].post.meta.lines
    )


def test_an_edit_that_keeps_the_shape_renders_only_the_pages_that_show_the_post(
    fixture_site: Path, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out)
    rendered: list[str] = []
    real = builder.pipeline.render.render_pages
    monkeypatch.setattr(
        builder.pipeline.render,
        "render_pages",
        lambda env, pages, *a, **k: (
            rendered.extend(p.path for p in pages) or real(env, pages, *a, **k)
        ),
    )
    post = fixture_site / "content/news/2017/2017-01-10-morning-briefing.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("short briefing", "long briefing"),
        encoding="utf-8",
    )
    build_site(fixture_site, output_dir=out)
    monkeypatch.undo()
    site = check_site(fixture_site).site
    pages = planned_pages(site)
    showing = sorted(
        p.path
        for p in pages
        if p.shows is None or post.relative_to(fixture_site).as_posix() in p.shows
    )
    assert (
        sorted(rendered) == showing
        and "news/2017/morning-briefing-for-tajik-border-guards/" in rendered
        and len(rendered) < len(pages) // 2
    )
    reference = tmp_path / "reference"
    build_site(fixture_site, output_dir=reference, clean=True)
    assert tree(out) == tree(reference)


def edit_and_compare(root: Path, tmp_path: Path, rel: str, old: str, new: str) -> Path:
    """Build, replace `old` by `new` in one file, build again: the output must be a clean
    build's, whose folder is returned."""
    out, reference = tmp_path / "output", tmp_path / "reference"
    build_site(root, output_dir=out)
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    build_site(root, output_dir=out)
    build_site(root, output_dir=reference, clean=True)
    assert tree(out) == tree(reference)
    return reference


def shape_test_site(make_site) -> Path:
    return make_site(
        {
            f"content/news/{n}.md": post(
                title=f"Item {n}",
                date=f"2017-03-1{n}",
                tags="[training, customs]" if n % 2 else "[training]",
                body=f"Body {n}.\n",
            )
            for n in range(6)
        }
        | {
            "content/news/falls-due.md": post(
                title="Falls due", date="2026-11-24", tags="[equipment]"
            )
        }
    )


def test_a_post_that_falls_due_between_two_builds_loses_its_badge_when_another_post_is_edited(
    make_site, tmp_path: Path
) -> None:
    """Time alone changes the shape: same posts taken (with --future), one no longer scheduled."""
    root = shape_test_site(make_site)
    before, after = (
        datetime(2026, 11, 1, tzinfo=timezone.utc),
        datetime(2026, 12, 1, tzinfo=timezone.utc),
    )
    out = tmp_path / "output"
    build_site(root, output_dir=out, select=Selection(now=before, future=True))
    assert "Scheduled" in (out / "news/2026/falls-due/index.html").read_text(encoding="utf-8")
    edited = root / "content/news/1.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "Another sentence.\n", encoding="utf-8")
    build_site(root, output_dir=out, select=Selection(now=after, future=True))
    reference = tmp_path / "reference"
    build_site(root, output_dir=reference, clean=True, select=Selection(now=after, future=True))
    assert "Scheduled" not in (reference / "news/2026/falls-due/index.html").read_text(
        encoding="utf-8"
    )
    assert tree(out) == tree(reference)


def test_a_tag_spelt_anew_in_an_edited_post_is_shown_so_on_every_page(
    make_site, tmp_path: Path
) -> None:
    """A respelt tag keeps every post and page but changes the shape: the oldest post's spelling
    names the tag on pages that do not show that post (the first page of the tag's list)."""
    reference = edit_and_compare(
        shape_test_site(make_site), tmp_path, "content/news/1.md", "customs]", "Customs]"
    )
    first_page = (reference / "tags/customs/index.html").read_text(encoding="utf-8")
    assert "Customs" in first_page and "Item 1<" not in first_page


def test_a_page_retitled_is_shown_so_in_the_menu_of_every_page(
    fixture_site: Path, tmp_path: Path
) -> None:
    """No post changed, yet every page changes: the menu names the standalone pages."""
    reference = edit_and_compare(
        fixture_site, tmp_path, "content/pages/about.md", "About the fixture", "About this fixture"
    )
    assert "About this fixture" in (
        reference / "news/2017/morning-briefing-for-tajik-border-guards/index.html"
    ).read_text(encoding="utf-8")


def test_builds_that_spill_pages_give_the_same_bytes_and_keep_unchanged_files(
    fixture_site: Path, tmp_path: Path, monkeypatch
) -> None:
    """A big build writes pages beside the output as rendered (on every core): same result."""
    reference = tmp_path / "reference"
    build_site(fixture_site, output_dir=reference, clean=True)
    monkeypatch.setattr(builder.pipeline.write, "STAGE_PAGES_OVER", 0)
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out, jobs=2)
    assert tree(out) == tree(reference)
    before = {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()
    }
    time.sleep(0.01)
    template = fixture_site / "templates/post.html"  # every post page changes, nothing else does
    template.write_text(
        template.read_text(encoding="utf-8").replace("</article>", "</article><!-- edited -->", 1),
        encoding="utf-8",
    )
    report = build_site(fixture_site, output_dir=out, jobs=2)
    build_site(fixture_site, output_dir=reference, clean=True)
    assert tree(out) == tree(reference)
    changed = {p for p, mtime in before.items() if (out / p).stat().st_mtime_ns != mtime}
    changed.remove(".newsroom-output")  # renewed by every commit (see commit.write_marker)
    assert changed and all(p.startswith("news/") or p.startswith("pagefind/") for p in changed), (
        changed
    )
    assert report.written == len(changed)
    assert not [
        p.name for p in out.parent.iterdir() if p.name.startswith(".output.")
    ]  # no folder left beside it


def test_a_template_error_after_pages_were_spilled_leaves_the_output_and_no_folder(
    fixture_site: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(builder.pipeline.write, "STAGE_PAGES_OVER", 0)
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out)
    expected = tree(out)
    (fixture_site / "templates/archive.html").write_text(
        "<p>{{ nothing.here }}</p>", encoding="utf-8"
    )
    with pytest.raises(TemplateError):
        build_site(fixture_site, output_dir=out, jobs=1)
    assert tree(out) == expected
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(".output.")]


@pytest.mark.parametrize("aside", [False, True])
@pytest.mark.parametrize("victim", ["404.html", "sitemap.xml", "a post's page"])
def test_an_edit_after_a_kept_file_was_deleted_by_hand_puts_it_back(
    fixture_site: Path, tmp_path: Path, victim: str, monkeypatch, aside: bool
) -> None:
    """A same-shape build keeps the pages it does not plan only while their files are there."""
    measure_sizes_aside(monkeypatch, aside)
    post = fixture_site / "content/news/2017/2017-01-10-morning-briefing.md"
    if victim == "a post's page":  # one that does not show the edited post
        site = check_site(fixture_site).site
        pages = planned_pages(site)
        victim = next(
            p.file
            for p in pages
            if p.template == "post.html"
            and post.relative_to(fixture_site).as_posix() not in p.shows
        )
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out)
    assert (out / victim).is_file()
    (out / victim).unlink()
    post.write_text(
        post.read_text(encoding="utf-8").replace("short briefing", "long briefing"),
        encoding="utf-8",
    )
    build_site(fixture_site, output_dir=out)
    reference = tmp_path / "reference"
    build_site(fixture_site, output_dir=reference, clean=True)
    assert (out / victim).is_file() and tree(out) == tree(reference)


def test_templates_compiled_by_one_build_are_used_by_the_next_and_a_damaged_one_is_compiled_again(
    fixture_site: Path, tmp_path: Path, monkeypatch
) -> None:
    import jinja2

    compiled: list[str] = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(
        jinja2.Environment,
        "compile",
        lambda self, source, name=None, *a, **k: (
            compiled.append(name) or real(self, source, name, *a, **k)
        ),
    )
    out = tmp_path / "output"
    build_site(fixture_site, output_dir=out)
    assert "post.html" in compiled and "base.html" in compiled
    kept = sorted((cache_dir(fixture_site, out) / "templates").glob("*.bin"))
    assert len(kept) >= len(set(compiled))
    post = fixture_site / "content/news/2017/2017-01-10-morning-briefing.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("short briefing", "long briefing"),
        encoding="utf-8",
    )
    compiled.clear()
    build_site(fixture_site, output_dir=out)
    assert compiled == []  # every template came from the cache
    for path in kept:
        path.write_bytes(path.read_bytes()[:-7] + b"garbage")
    template = fixture_site / "templates/post.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace("</article>", "</article><!-- edited -->", 1),
        encoding="utf-8",
    )
    build_site(fixture_site, output_dir=out)
    assert "post.html" in compiled and "base.html" in compiled
    assert "<!-- edited -->" in (
        out / "news/2017/morning-briefing-for-tajik-border-guards/index.html"
    ).read_text(encoding="utf-8")
    reference = tmp_path / "reference"
    build_site(fixture_site, output_dir=reference, clean=True)
    assert tree(out) == tree(reference)
