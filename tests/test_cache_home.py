"""The build cache lives under the site's own root (issue 20 part 2, "Drafts never
downloadable"): it holds every post's text, drafts too, so it is never in or beside a folder
that may be served.

- Serving the folder that holds the output, or the output itself, answers 404 for every cache
  file, by its path now and by the path an older newsroom gave it; no file there is a cache
  file or holds a draft's text.
- One cache folder per output folder, whether the output is given relative or absolute.
- A cache an older newsroom kept beside the output is removed when it certainly is one, with
  a warning; else it is left, with a warning if it holds cache files.
- A site whose cache folder cannot be made: a warning and a full build, no cache elsewhere.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.incremental.home import CACHE_NAME, MAGIC, cache_dir
from conftest import post, tree
from served import serve

DRAFT_TEXT = "Unannounced checkpoint closure at Dostuk"  # a draft's title and text
DRAFT = "content/news/2017/draft.md"


def draft_site(make_site) -> Path:
    return make_site(
        {
            "content/news/2017/a.md": post(),
            DRAFT: post(title=DRAFT_TEXT, extra="draft: true\n", body=f"{DRAFT_TEXT}.\n"),
        }
    )


def build(root: Path, *args: str) -> str:
    """Run `newsroom build` on the site; its stderr (warnings), after checking it succeeded."""
    result = CliRunner().invoke(cli, ["build", "--root", str(root), *args])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return result.stderr


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def cache_paths(root: Path, out: Path) -> list[str]:
    """Every cache file of the site, as the paths a visitor of the folder holding `out` would
    ask for: where it is under the site's cache home, and where an older newsroom put it."""
    home = root / CACHE_NAME
    files = sorted(p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file())
    inside = [rel.split("/", 1)[1] for rel in files]
    return [f"{CACHE_NAME}/{rel}" for rel in files] + [
        f"{CACHE_NAME}/{out.name}/{rel}" for rel in inside
    ]


def assert_nothing_of_the_cache_in(folder: Path) -> None:
    made = tree(folder)
    assert made, f"{folder} is empty"
    assert not [rel for rel, data in made.items() if data.startswith(MAGIC)]
    assert not [rel for rel, data in made.items() if DRAFT_TEXT.encode() in data]


def test_no_cache_file_can_be_fetched_from_the_folder_that_holds_the_output_or_from_it(
    make_site, tmp_path: Path
) -> None:
    """Before, `--output pub/bomca` put the cache in pub/.newsroom-cache/bomca/: serving pub/
    answered 200 for its files, and the draft's text was in them. The default output
    (root/output) is served itself: the site's root holds its sources, never served."""
    root = draft_site(make_site)
    out = tmp_path / "pub" / "bomca"
    build(root, "--output", str(out))
    build(root)  # the default output: its cache is in the same home
    cached = b"".join(data for data in tree(root / CACHE_NAME).values())
    assert DRAFT_TEXT.encode() in cached  # what must not be downloadable is in the cache
    for folder, page, paths in (
        (out.parent, "bomca/", cache_paths(root, out)),
        (root / "output", "", cache_paths(root, root / "output")),
    ):
        with serve(folder) as url:
            assert status(url + page) == 200
            answered = {rel: status(url + rel) for rel in paths}
        assert answered and set(answered.values()) == {404}, answered
        assert_nothing_of_the_cache_in(folder)
    assert sorted(os.listdir(out.parent)) == ["bomca"]


def test_an_output_given_relative_or_absolute_has_one_cache_and_another_output_its_own(
    make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = draft_site(make_site)
    monkeypatch.chdir(tmp_path)
    build(root, "--output", "pub/bomca")
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--output", "pub/bomca"])
    assert "(0 changed)" in result.stdout, result.output
    result = CliRunner().invoke(
        cli, ["build", "--root", str(root), "--output", str(tmp_path / "pub/bomca")]
    )
    assert "(0 changed)" in result.stdout, result.output  # the same cache: nothing to do
    build(root, "--output", "other/bomca")
    caches = sorted(os.listdir(root / CACHE_NAME))
    assert caches == sorted(
        path.name for path in (cache_dir(root, tmp_path / d / "bomca") for d in ("pub", "other"))
    )
    assert len(caches) == 2 and all(name.startswith("bomca-") for name in caches)
    assert sorted(os.listdir(tmp_path / "pub")) == ["bomca"]


def old_cache(root: Path, out: Path) -> Path:
    """A cache where an older newsroom kept it, beside the output (the files' format is the
    same: the cache only moved), made from this build's."""
    old = out.parent / CACHE_NAME / out.name
    shutil.copytree(cache_dir(root, out), old)
    return old


@pytest.mark.parametrize("left", ["as it was", "without its lock", "with files being written"])
def test_a_cache_an_older_newsroom_kept_beside_the_output_is_removed_with_a_warning(
    make_site, tmp_path: Path, left: str
) -> None:
    root, out = draft_site(make_site), tmp_path / "pub" / "bomca"
    build(root, "--output", str(out))
    old = old_cache(root, out)
    assert (old / "state.bin").is_file() and (old / "templates").is_dir()
    if left == "without its lock":
        (old / "build.lock").unlink()
    elif left == "with files being written":  # by a killed build: half a file, an empty one
        (old / "state.tmp-4242").write_bytes((old / "state.bin").read_bytes()[:40])
        next((old / "templates").iterdir()).with_suffix(".tmp-77").write_bytes(b"")
    said = build(root, "--output", str(out))
    assert f"{old}: removed: the build cache an older newsroom kept beside the output" in said
    assert sorted(os.listdir(out.parent)) == ["bomca"]  # its .newsroom-cache went too
    assert "removed" not in build(root, "--output", str(out))


def test_the_old_cache_of_the_default_output_goes_and_the_site_s_new_one_stays(
    make_site,
) -> None:
    """The default output's old cache was root/.newsroom-cache/output/, inside the new home:
    it is removed, the home and the new cache are not."""
    root = draft_site(make_site)
    build(root)
    old = old_cache(root, root / "output")
    assert old == root / CACHE_NAME / "output"
    said = build(root)
    assert f"{old}: removed: the build cache an older newsroom kept" in said, said
    assert os.listdir(root / CACHE_NAME) == [cache_dir(root, root / "output").name]
    result = CliRunner().invoke(cli, ["build", "--root", str(root)])
    assert "(0 changed)" in result.stdout and "removed" not in result.stderr, result.output


def test_a_folder_beside_the_output_that_is_not_certainly_a_cache_is_left(
    make_site, tmp_path: Path
) -> None:
    """With a file newsroom does not make: left, and a warning; without a cache file (someone
    else's folder of that name): left, and nothing said."""
    root, out = draft_site(make_site), tmp_path / "pub" / "bomca"
    build(root, "--output", str(out))
    old = old_cache(root, out)
    (old / "notes.txt").write_text("mine", encoding="utf-8")
    said = build(root, "--output", str(out))
    assert f"{old}: looks like the build cache an older newsroom kept" in said, said
    assert "holds files newsroom does not make: remove it by hand" in said
    assert (old / "notes.txt").is_file() and (old / "state.bin").is_file()
    shutil.rmtree(old)
    old.mkdir()
    (old / "state.bin").write_text("someone else's", encoding="utf-8")
    assert CACHE_NAME not in build(root, "--output", str(out))
    assert (old / "state.bin").read_text(encoding="utf-8") == "someone else's"


def test_an_old_cache_an_older_newsroom_is_building_with_is_left(make_site, tmp_path: Path) -> None:
    root, out = draft_site(make_site), tmp_path / "pub" / "bomca"
    build(root, "--output", str(out))
    old = old_cache(root, out)
    fd = os.open(old / "build.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # an older newsroom's build holds it
        said = build(root, "--output", str(out))
    finally:
        os.close(fd)
    assert f"{old}: looks like" in said and "is in use by an older newsroom" in said, said
    assert (old / "state.bin").is_file()
    assert "removed" in build(root, "--output", str(out))
    assert not old.exists()


def test_a_site_whose_cache_folder_cannot_be_made_builds_in_full_with_a_warning(
    make_site, tmp_path: Path
) -> None:
    """(Here `.newsroom-cache` is a file, so no folder can be made in it, as in a read-only
    site.) Before, the cache went beside the output whatever the site's folder allowed."""
    root, out = draft_site(make_site), tmp_path / "pub" / "bomca"
    (root / CACHE_NAME).write_text("not a folder", encoding="utf-8")
    said = build(root, "--output", str(out))
    assert f"{cache_dir(root, out)}: the build cache cannot be saved" in said, said
    again = CliRunner().invoke(cli, ["build", "--root", str(root), "--output", str(out)])
    assert again.exit_code == 0 and "the build cache cannot be saved" in again.stderr
    assert_nothing_of_the_cache_in(out.parent)
    assert sorted(os.listdir(out.parent)) in (["bomca"], [".bomca.lock", "bomca"])


@pytest.mark.parametrize("given", [".", "..", "../.."])
def test_an_output_that_would_publish_the_cache_is_refused(
    make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    root = draft_site(make_site)
    monkeypatch.chdir(root)
    before = tree(tmp_path)
    result = CliRunner().invoke(cli, ["build", "--root", ".", "--output", given])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert (
        f"{(root / given).resolve()}: the output folder cannot be the site folder or contain it "
        f"(it would publish the site's sources and its build cache, {root / CACHE_NAME})"
    ) in result.stderr
    assert tree(tmp_path) == before


@pytest.mark.parametrize("given", ["elsewhere", "elsewhere/cache/out"])
def test_an_output_holding_a_cache_home_linked_elsewhere_or_inside_it_is_refused(
    make_site, tmp_path: Path, given: str
) -> None:
    """The site's .newsroom-cache may be a link to a folder outside the site (a bigger disk):
    an output that holds that folder, or lies in it, would publish the cache too."""
    root = draft_site(make_site)
    (tmp_path / "elsewhere/cache").mkdir(parents=True)
    (root / CACHE_NAME).symlink_to(tmp_path / "elsewhere/cache", target_is_directory=True)
    out = tmp_path / given
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--output", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert (
        f"{out}: the output folder cannot hold the site's build cache "
        f"({tmp_path / 'elsewhere/cache'}) or be inside it"
    ) in result.stderr
    assert os.listdir(tmp_path / "elsewhere/cache") == []
    build(root, "--output", str(tmp_path / "pub/bomca"))  # the linked home works as a cache
    assert os.listdir(tmp_path / "elsewhere/cache") == [
        cache_dir(root, tmp_path / "pub/bomca").name
    ]


def test_a_preview_keeps_its_cache_in_the_site_s_cache_home(make_site) -> None:
    """One cache per port, beside the preview's folder in the site's .newsroom-cache/ (before,
    it was a .newsroom-cache/ inside that one)."""
    from builder.preview.serve import Preview

    root = draft_site(make_site)
    preview = Preview(root, "http://127.0.0.1:8141/", lambda _: None)
    preview.rebuild()
    folder = preview.current().folder
    assert folder == root / CACHE_NAME / "preview-8141"
    assert (cache_dir(root, folder) / "state.bin").is_file()
    assert sorted(os.listdir(root / CACHE_NAME)) == sorted(
        ["preview-8141", cache_dir(root, folder).name]
    )
