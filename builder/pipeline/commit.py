"""The mechanics of putting a new output in place so that a failure leaves the old one as it was.

A large change goes into a whole new folder beside the output, swapped in by two renames; a
small one is staged beside it, journalled, then committed file by file with renames (a killed
commit is completed by the next build, see pipeline/recovery.py). Files whose bytes did not
change are left alone or hard-linked, so they keep their modification time and sync tools
upload only what changed (and the output's marker file, renewed by every commit that changes
the output: see write_marker).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from pathlib import Path

from builder.errors import OutputError, Problem
from builder.outputs import Bytes, Copy, Kept, OutputFile, Staged

MARKER = ".newsroom-output"
MARKER_TEXT = b"This folder is made by newsroom and replaced on every build: do not edit it.\n"
JOURNAL = ".journal"
UNDO = (
    ".undo"  # in a stage: links to the files a commit replaces or deletes, to undo a failed commit
)


def output_problem(out: Path, message: str) -> OutputError:
    return OutputError([Problem(str(out), None, message)])


def plain_target(base: Path, rel: str) -> Path:
    """Join an output path onto a folder newsroom made itself.

    It refuses '..', absolute paths and the like.
    """
    parts = rel.split("/")
    if (
        rel.startswith("/")
        or any(part in ("", ".", "..") for part in parts)
        or "\\" in rel
        or "\x00" in rel
    ):
        raise output_problem(
            base, f"refused to write '{rel}': it is not a plain path inside the output folder"
        )
    return base.joinpath(*parts)


def safe_target(base: Path, rel: str) -> Path:
    """Join an output path onto the folder, refusing all that would leave it (links included)."""
    target = plain_target(base, rel)
    if not target.resolve().is_relative_to(base.resolve()):
        raise output_problem(
            base, f"refused to write '{rel}': it resolves outside the output folder"
        )
    return target


def write_failure(
    exc: OSError, where: Path, outcome: str = "the previous output is unchanged"
) -> Problem:
    """What an editor is told when a write fails.

    The file, why (a full disk said plainly), and what became of the output.
    """
    why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    return Problem(str(exc.filename or where), None, f"cannot write the output: {why}; {outcome}")


def write_marker(target: Path, previous: Path) -> None:
    """The marker file of a new output, or of one about to change in place: the same bytes,
    but a new file, dated after the one it replaces (one nanosecond after it if the clock says
    otherwise). So every commit that changes the output changes its output_id, and a cache
    that describes the output as it was before (its saving failed, or it was restored from
    an older copy) is known to be older than the output."""
    target.write_bytes(MARKER_TEXT)
    try:
        before = previous.stat().st_mtime_ns
    except OSError:
        before = 0
    when = max(time.time_ns(), before + 1)
    os.utime(target, ns=(when, when))


def output_id(out: Path) -> tuple[int, ...]:
    """Which output folder this is, as of its last commit: its inode, and its marker's inode
    and time (renewed by every commit that changes it, see write_marker)."""
    try:
        folder, marker = os.stat(out), os.stat(out / MARKER)
    except OSError:
        return ()
    return (folder.st_dev, folder.st_ino, marker.st_ino, marker.st_mtime_ns)


def same_bytes(old: Path, file: OutputFile, staging: Path | None) -> bool:
    """True if the previous output already holds exactly these bytes."""
    try:
        match file:
            case Kept():
                return True
            case Bytes(data=data):
                return old.stat().st_size == len(data) and old.read_bytes() == data
            case Copy() | Staged():
                source = source_of(file, staging)
                return (
                    old.stat().st_size == source.stat().st_size
                    and old.read_bytes() == source.read_bytes()
                )
    except OSError:
        return False
    raise TypeError(file)


def source_of(file: Copy | Staged, staging: Path | None) -> Path:
    """The file holding a file's bytes: the one a render worker wrote into the staging folder,
    or the file to copy."""
    if isinstance(file, Staged):
        assert staging is not None, "a Staged file comes from a staging folder"
        return plain_target(staging, file.path)
    return file.source


def place(file: OutputFile, target: Path, old: Path | None, staging: Path | None = None) -> None:
    """Put one file in a new folder: a hard link to the old file if kept, else its bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    match file:
        case Kept():
            assert old is not None
            try:
                os.link(old, target)
            except OSError:
                shutil.copyfile(old, target)  # a file system without hard links
        case Bytes(data=data):
            target.write_bytes(data)
        case Staged():
            os.replace(source_of(file, staging), target)
        case Copy():
            shutil.copyfile(source_of(file, staging), target)


def write_fresh(files: list[OutputFile], out: Path, fresh: Path) -> None:
    """Complete the new folder beside `out`, then swap it in.

    The new folder is the staging folder, which may hold pages already.
    """
    try:
        for file in files:
            if isinstance(file, Staged):
                continue  # written in place by a render worker: the staging folder is this folder
            target = plain_target(fresh, file.path)
            place(file, target, safe_target(out, file.path) if isinstance(file, Kept) else None)
        write_marker(fresh / MARKER, out / MARKER)
        swap_in(fresh, out)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise


def update_in_place(
    out: Path, changed: list[OutputFile], stale: list[str], staging: Path | None
) -> None:
    """Stage the changed files beside `out`, write the journal, then commit by renames (the
    output's marker first: see write_marker). Nothing at all if nothing changed."""
    if not changed and not stale:
        return
    stage = out.parent / f".{out.name}.stage-{os.getpid()}"
    try:
        stage.mkdir()
        for file in changed:
            place(file, safe_target(stage, file.path), safe_target(out, file.path), staging)
        write_marker(stage / MARKER, out / MARKER)
        moves = [MARKER, *(file.path for file in changed)]
        for rel in stale:
            safe_target(out, rel)
        keep_for_undo(stage, out, moves + stale)
        journal = stage / JOURNAL
        journal.with_suffix(".tmp").write_text(
            json.dumps({"move": moves, "delete": stale}), encoding="utf-8"
        )
        journal.with_suffix(".tmp").replace(journal)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    try:
        commit_stage(stage, out, moves, stale)
    except (
        OSError
    ) as failed:  # a rename refused half-way (disk full, I/O error): put the old files back
        try:
            undo_commit(stage, out, moves, stale)
        except OSError:
            raise OutputError(
                [
                    write_failure(
                        failed, out, "it is partly updated, and the next build completes it"
                    )
                ]
            ) from None
        shutil.rmtree(stage, ignore_errors=True)
        raise
    shutil.rmtree(stage, ignore_errors=True)


def keep_for_undo(stage: Path, out: Path, rels: list[str]) -> None:
    """Hard-link each file a commit will replace or delete into the stage's undo folder."""
    for rel in rels:
        target = safe_target(out, rel)
        if target.is_file():
            saved = safe_target(stage / UNDO, rel)
            saved.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(target, saved)
            except OSError:
                shutil.copyfile(target, saved)


def undo_commit(stage: Path, out: Path, moves: list[str], deletions: list[str]) -> None:
    """Reverse a commit that failed part-way: new files back into the stage, old ones back in place.

    The journal is removed last, so a build killed while undoing is rolled forward instead.
    """
    for rel in moves:
        staged, target, saved = (
            safe_target(stage, rel),
            safe_target(out, rel),
            safe_target(stage / UNDO, rel),
        )
        if not staged.exists() and target.exists():
            os.replace(target, staged)
        if saved.exists():
            os.replace(saved, target)
        elif not target.exists():
            remove_empty_folders(target, out)
    for rel in deletions:
        saved, target = safe_target(stage / UNDO, rel), safe_target(out, rel)
        if saved.exists() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(saved, target)
    (stage / JOURNAL).unlink(missing_ok=True)


def remove_empty_folders(target: Path, out: Path) -> None:
    """Remove the folders above `target` that are now empty, up to (not including) `out`."""
    for parent in target.parents:
        if parent == out or not parent.is_relative_to(out):
            break
        try:
            parent.rmdir()
        except OSError:
            break


def commit_stage(stage: Path, out: Path, moves: list[str], deletions: list[str]) -> None:
    """Move staged files into place and remove stale ones; safe to run again after a kill."""
    for rel in moves:
        staged, target = safe_target(stage, rel), safe_target(out, rel)
        if staged.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
    for rel in deletions:
        target = safe_target(out, rel)
        target.unlink(missing_ok=True)
        remove_empty_folders(target, out)


def swap_in(fresh: Path, out: Path) -> None:
    """Replace `out` by `fresh` with two renames; the old folder is removed last."""
    if not out.exists():
        fresh.rename(out)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    out.rename(old)
    try:
        fresh.rename(out)
    except OSError:
        old.rename(out)  # the previous output back in its place before the error is reported
        raise
    shutil.rmtree(old, ignore_errors=True)
