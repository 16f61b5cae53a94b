"""The write stage, the only one that writes the output: a build claims the output folder,
hands the render stage a sink for pages, and commits every file at the end so that a failed
build leaves the previous output exactly as it was (the mechanics: pipeline/commit.py).
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from builder.errors import OutputError
from builder.incremental.home import CACHE_NAME
from builder.outputs import Bytes, Copy, Kept, OutputFile, Staged
from builder.pipeline.commit import (
    MARKER,
    output_problem,
    plain_target,
    safe_target,
    same_bytes,
    source_of,
    update_in_place,
    write_failure,
    write_fresh,
)
from builder.pipeline.lock import output_lock
from builder.pipeline.recovery import recover_output

SMALL_CHANGE = (
    200  # at most this many files changed (or 5%): update in place, else swap a new folder
)
# render workers write the pages of a build rendering more than this into the staging folder
STAGE_PAGES_OVER = 200


@dataclass(frozen=True, slots=True)
class WriteReport:
    files: int  # files in the new output
    written: int  # files whose bytes changed (the rest were kept)


@dataclass(frozen=True, slots=True)
class PageSink:
    """Where the render stage hands each page's bytes: kept in memory, or (with a folder, in a
    big build) written at once by the render worker into the staging folder, so that a big
    build never holds its pages in memory."""

    folder: Path | None = None

    def put(self, path: str, data: bytes) -> Bytes | Staged:
        if self.folder is None:
            return Bytes(path, data)
        target = plain_target(self.folder, path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:
            raise OutputError([write_failure(exc, self.folder)]) from None
        return Staged(path, len(data))


class OutputFolder:
    """The output folder as one build sees it: the folder itself, and the staging folder beside
    it that the new output is made in (made when first needed, removed by close())."""

    def __init__(self, out: Path, root: Path, preview: bool = False) -> None:
        self.out, self.root, self.preview = out.resolve(), root, preview
        self.staging = self.out.parent / f".{self.out.name}.new-{os.getpid()}"
        self.staged = self.recovered = False

    def sink(self, pages: int) -> PageSink:
        """The sink for a render stage about to render `pages` pages."""
        return PageSink(self.open_staging()) if pages > STAGE_PAGES_OVER else PageSink()

    def open_staging(self) -> Path:
        """Make the staging folder (once)."""
        if not self.staged:
            make_parent(self.out)
            try:
                self.staging.mkdir()
            except OSError as exc:
                raise OutputError([write_failure(exc, self.staging)]) from None
            self.staged = True
        return self.staging

    def read(self, file: OutputFile) -> bytes:
        """What a file of the new output holds (before it is committed)."""
        found = self.location(file)
        return found.read_bytes() if found is not None else file.data  # type: ignore[union-attr]

    def location(self, file: OutputFile) -> Path | None:
        """The file on disk that holds a file of the new output; None for bytes in memory."""
        match file:
            case Bytes():
                return None
            case Kept(path=path):
                return safe_target(self.out, path)
            case Copy() | Staged():
                return source_of(file, self.staging if self.staged else None)
        raise TypeError(file)

    def commit(self, files: list[OutputFile], known: frozenset[str] | None) -> WriteReport:
        """Make the output hold exactly `files` (`known`: what the last build left, if trusted)."""
        check_output_dir(self.out, self.root, preview=self.preview)
        make_parent(self.out)
        if self.recovered:
            known = None  # a killed build's changes were completed or undone: look at what is there
        try:
            return self.write(files, known)
        except OSError as exc:
            raise OutputError([write_failure(exc, self.out)]) from None

    def write(self, files: list[OutputFile], known: frozenset[str] | None) -> WriteReport:
        out, staging = self.out, self.staging if self.staged else None
        if (out / MARKER).is_file():
            unchanged = {
                f.path
                for f in files
                if isinstance(f, Kept) or same_bytes(safe_target(out, f.path), f, staging)
            }
            changed = [f for f in files if f.path not in unchanged]
            stale = sorted(
                (existing_files(out) if known is None else known) - {f.path for f in files}
            )
            if len(changed) + len(stale) <= max(SMALL_CHANGE, len(files) // 20):
                update_in_place(out, changed, stale, staging)
                return WriteReport(files=len(files), written=len(changed))
            files = [
                f if f.path not in unchanged or isinstance(f, Kept) else self.keep(f) for f in files
            ]
        written = sum(not isinstance(f, Kept) for f in files)
        write_fresh(files, out, self.open_staging())
        return WriteReport(files=len(files), written=written)

    def keep(self, file: OutputFile) -> Kept:
        """A file byte-equal to the previous output's: the old file is linked (its time stays)."""
        if isinstance(file, Staged):
            source_of(file, self.staging).unlink()
        return Kept(file.path)

    def close(self) -> None:
        """Remove what is left of the staging folder (nothing, once it was swapped in)."""
        if self.staged:
            shutil.rmtree(self.staging, ignore_errors=True)


@contextmanager
def claimed_output(out: Path, root: Path, *, preview: bool = False) -> Iterator[OutputFolder]:
    """The output folder, checked and locked for one build (pipeline/lock.py), with what a
    killed build left beside it recovered; its staging folder removed at the end."""
    check_output_dir(out, root, preview=preview)
    folder = OutputFolder(out, root, preview)
    make_parent(folder.out)
    with output_lock(folder.out, root):
        try:
            folder.recovered = recover_output(folder.out)
            yield folder
        finally:
            folder.close()


def check_output_dir(out: Path, root: Path, *, preview: bool = False) -> None:
    """Refuse an output folder that would replace the site itself, its cache or someone's
    files. (A preview, never published, is built inside the site's cache: preview/serve.py.)"""
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out):
        raise output_problem(
            out,
            "the output folder cannot be the site folder or contain it (it would publish the "
            f"site's sources and its build cache, {root / CACHE_NAME}): choose another --output",
        )
    if out.name == CACHE_NAME or (CACHE_NAME in out.parts[:-1] and not preview):
        raise output_problem(
            out,
            f"the output folder cannot be a build cache folder ({CACHE_NAME}), be inside one or "
            "contain one (it would publish the cache): choose another --output",
        )
    home = (root / CACHE_NAME).resolve()  # elsewhere if the site's .newsroom-cache is a link
    if home.is_relative_to(out) or (out.is_relative_to(home) and not preview):
        raise output_problem(
            out,
            f"the output folder cannot hold the site's build cache ({home}) or be inside it "
            "(it would publish the cache): choose another --output",
        )
    for inner in ("content", "templates"):
        if out.is_relative_to(root / inner):
            raise output_problem(out, f"the output folder cannot be inside {inner}/")
    if out.exists() and not out.is_dir():
        raise output_problem(out, "exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise output_problem(
            out,
            f"is not empty and was not made by newsroom (no {MARKER} file): choose another "
            "--output or empty it",
        )


def make_parent(out: Path) -> None:
    """Create the folder the output goes in, or raise OutputError saying why it cannot be."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a folder should be, or no permission
        blocking = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
        why = f"{blocking} is a file, not a folder" if blocking else (exc.strerror or str(exc))
        raise output_problem(out, f"cannot create the folder the output goes in: {why}") from None


def existing_files(out: Path) -> set[str]:
    """Every file in the current output, as output paths."""
    found, top = set(), str(out)
    for folder, _dirs, names in os.walk(top):
        base = folder[len(top) + 1 :].replace(os.sep, "/")
        found.update(f"{base}/{name}" if base else name for name in names)
    return found - {MARKER}
