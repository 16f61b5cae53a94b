"""Search: Pagefind's index of the post pages, made before anything is written, as output files.

Pagefind reads a folder of HTML and writes a folder, so this stage gives it a scratch copy of
the pages beside the output (hard links where it can) and returns what it made as artifacts
under `pagefind/`. The writer then treats them like any other file: unchanged ones are kept,
and a failure here leaves the previous output untouched.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from builder.errors import OutputError, Problem
from builder.model import Artifact
from builder.write import Spill, make_parent, source_of

INDEX_DIR = "pagefind"  # where the index and Pagefind's scripts go in the output
MISSING = Problem(
    "pagefind", None,
    "no search index was made: Pagefind is not installed (python3 -m pip install 'pagefind[bin]'); the search page says search is unavailable",
    "warning",
)


def find_pagefind() -> Path | None:
    """The Pagefind binary, or None: $PAGEFIND_BINARY_PATH, the pip package `pagefind[bin]`, or `pagefind` on PATH.

    Found without importing the `pagefind` package, so a build with nothing to do stays quick.
    """
    candidates = [os.environ.get("PAGEFIND_BINARY_PATH", "")]
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            candidates += [str(Path(spec.origin).parent / name) for name in ("pagefind_extended", "pagefind")]
    candidates += [shutil.which("pagefind_extended") or "", shutil.which("pagefind") or ""]
    return next((Path(c) for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None)


def pagefind_key(binary: Path | None) -> str:
    """What identifies the indexer for the build cache: a new Pagefind means a new index."""
    if binary is None:
        return ""
    stat = binary.stat()
    return f"{binary}:{stat.st_size}:{stat.st_mtime_ns}"


def previous_index(out: Path) -> list[str]:
    """The output paths of the index the previous build left, if it left a complete one."""
    folder = out / INDEX_DIR
    if not (folder / "pagefind-entry.json").is_file():
        return []
    return sorted(f"{INDEX_DIR}/{p.relative_to(folder).as_posix()}" for p in folder.rglob("*") if p.is_file())


def copy_page(artifact: Artifact, target: Path, out: Path, spill: Spill | None = None) -> None:
    """One page into the scratch folder: a link to the kept file (or the one a worker wrote), else its bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if artifact.keep or artifact.data is None:
        source = out / artifact.path if artifact.keep else source_of(artifact, spill)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    else:
        target.write_bytes(artifact.data or b"")


def page_bytes(artifact: Artifact, out: Path, spill: Spill | None) -> bytes:
    """What a page holds: its bytes, the file a worker wrote, or the last build's file kept."""
    if artifact.data is not None:
        return artifact.data
    return (out / artifact.path if artifact.keep else source_of(artifact, spill)).read_bytes()


MARK = b"data-pagefind-body"
FOUND_MARK = "Found a data-pagefind-body element"  # what Pagefind says when it indexes only the marked pages


def mentions_mark(page: bytes) -> bool:
    """True if the page holds `data-pagefind-body` anywhere, in any case: true for every page
    with an element so marked, and for some without (the name in text or in a value)."""
    return MARK in page or MARK in page.lower()


def index_pages(artifacts: list[Artifact], out: Path, binary: Path, spill: Spill | None = None) -> list[Artifact]:
    """Pagefind's bundle for the HTML among `artifacts` (`spill`: where the render workers wrote pages).

    Once any page has an element marked `data-pagefind-body`, Pagefind indexes only the
    marked pages. So it is first given only the pages that mention the mark: the lists and
    term pages are not read for nothing (at 10,000 posts 9.9 -> 7.7 s, 1.84 -> 1.56 GB, the
    same bundle byte for byte). Unless Pagefind then says it found a marked element, the
    mentions were no marks (or it no longer says so): it is run again over every page, and
    indexes each whole, as it would have.
    """
    pages = [a for a in artifacts if a.path.endswith(".html")]
    kept = previous_index(out)
    if kept and all(a.keep for a in pages):
        return [Artifact(path=path, keep=True) for path in kept]  # no page changed: neither did the index
    make_parent(out)
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-index-", dir=out.parent))  # removed by recovery if killed
    except OSError as exc:
        raise OutputError([Problem(str(out.parent), None, f"cannot make the search index: {exc.strerror or exc}; the previous output is unchanged")]) from None
    try:
        site, bundle = scratch / "site", scratch / "bundle"
        marked, rest = [], []
        for page in pages:
            (marked if mentions_mark(page_bytes(page, out, spill)) else rest).append(page)
        for page in marked if marked and rest else pages:
            copy_page(page, site / page.path, out, spill)
        if marked and rest:
            if FOUND_MARK in run_pagefind(binary, site, bundle):
                return bundle_files(bundle)
            shutil.rmtree(bundle)  # the mentions were no marks: every page, as Pagefind would have had them
            for page in rest:
                copy_page(page, site / page.path, out, spill)
        run_pagefind(binary, site, bundle)
        return bundle_files(bundle)
    except OSError as exc:
        raise OutputError([Problem(str(exc.filename or scratch), None, f"cannot make the search index: {exc.strerror or exc}; the previous output is unchanged")]) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def bundle_files(bundle: Path) -> list[Artifact]:
    """Pagefind's bundle as output files under `pagefind/`."""
    return [Artifact(path=f"{INDEX_DIR}/{p.relative_to(bundle).as_posix()}", data=p.read_bytes()) for p in sorted(bundle.rglob("*")) if p.is_file()]


def run_pagefind(binary: Path, site: Path, bundle: Path) -> str:
    """Run Pagefind over `site`, writing its bundle to `bundle`; what it said."""
    try:
        run = subprocess.run([str(binary), "--site", str(site), "--output-path", str(bundle)], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OutputError([Problem(str(binary), None, f"cannot run Pagefind to make the search index: {exc}; the previous output is unchanged")]) from None
    if run.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        said = " ".join((run.stderr or run.stdout[-500:]).split())[:500] or f"exit status {run.returncode}"
        raise OutputError([Problem(str(binary), None, f"Pagefind failed to make the search index: {said}; the previous output is unchanged")])
    return run.stdout
