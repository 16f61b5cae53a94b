"""Write the output so that a failed build leaves the previous one exactly as it was.

Nothing in the output is touched until every file of the new build is written beside it:
a large change goes into a whole new folder swapped in by renames; a small one is staged,
journalled, then committed file by file with renames (a killed commit is completed by the
next build). Files whose bytes did not change are left alone or hard-linked, so they keep
their modification time and sync tools upload only what changed.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from builder.errors import OutputError, Problem
from builder.model import Artifact

MARKER = ".newsroom-output"
JOURNAL = ".journal"
UNDO = ".undo"  # in a stage: links to the files a commit replaces or deletes, to undo a failed commit
SMALL_CHANGE = 200  # at most this many files changed (or 5%): update in place, else swap a new folder
MARKER_TEXT = b"This folder is made by newsroom and replaced on every build: do not edit it.\n"


@dataclass(frozen=True, slots=True)
class WriteReport:
    files: int  # files in the new output
    written: int  # files whose bytes changed (the rest were kept)


def output_problem(out: Path, message: str) -> OutputError:
    return OutputError([Problem(str(out), None, message)])


def check_output_dir(out: Path, root: Path) -> None:
    """Refuse an output folder that would replace the site itself or someone's files."""
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out):
        raise output_problem(out, "the output folder cannot be the site folder or contain it")
    for inner in ("content", "templates"):
        if out.is_relative_to(root / inner):
            raise output_problem(out, f"the output folder cannot be inside {inner}/")
    if out.exists() and not out.is_dir():
        raise output_problem(out, "exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise output_problem(out, f"is not empty and was not made by newsroom (no {MARKER} file): choose another --output or empty it")


def plain_target(base: Path, rel: str) -> Path:
    """Join an output path onto a folder newsroom made itself, refusing '..', absolute paths and the like."""
    parts = rel.split("/")
    if rel.startswith("/") or any(part in ("", ".", "..") for part in parts) or "\\" in rel or "\x00" in rel:
        raise output_problem(base, f"refused to write '{rel}': it is not a plain path inside the output folder")
    return base.joinpath(*parts)


def safe_target(base: Path, rel: str) -> Path:
    """Join an output path onto the folder, refusing anything that would leave it (links included)."""
    target = plain_target(base, rel)
    if not target.resolve().is_relative_to(base.resolve()):
        raise output_problem(base, f"refused to write '{rel}': it resolves outside the output folder")
    return target


def collision(second: Artifact, first: Artifact, root: Path) -> Problem:
    """Two files for one output path: name the content file(s) responsible."""
    def name(a: Artifact) -> str:
        if a.source is None:
            return f"the page newsroom makes at /{a.path}"
        try:
            return a.source.relative_to(root.resolve()).as_posix()
        except ValueError:
            return str(a.source)

    blamed = second if second.source is not None else first
    return Problem(name(blamed), None, f"would be written to /{second.path}, where there is already {name(first if blamed is second else second)}: rename or move it")


def write_failure(exc: OSError, where: Path, outcome: str = "the previous output is unchanged") -> Problem:
    """What an editor is told when a write fails: the file, why (a full disk said plainly), and what became of the output."""
    why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    return Problem(str(exc.filename or where), None, f"cannot write the output: {why}; {outcome}")


def make_parent(out: Path) -> None:
    """Create the folder the output goes in, or raise OutputError saying why it cannot be."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a folder should be, or no permission
        blocking = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
        why = f"{blocking} is a file, not a folder" if blocking else (exc.strerror or str(exc))
        raise output_problem(out, f"cannot create the folder the output goes in: {why}") from None


def recover_output(out: Path, keep: Path | None = None) -> bool:
    """Finish or undo what a killed build left beside the output; True if there was anything.

    A staged update whose journal was written is completed (its renames are idempotent); a
    half-made folder or stage is removed; an old folder not swapped back is put back.
    """
    found = False
    for stage in sorted(out.parent.glob(f".{out.name}.stage-*")):
        found = True
        journal = stage / JOURNAL
        if journal.is_file() and out.is_dir():
            plan = json.loads(journal.read_text(encoding="utf-8"))
            commit_stage(stage, out, plan["move"], plan["delete"])
        shutil.rmtree(stage, ignore_errors=True)
    leftovers = sorted(out.parent.glob(f".{out.name}.new-*")) + sorted(out.parent.glob(f".{out.name}.old-*"))
    for path in (p for p in leftovers if p != keep):
        found = True
        if path.name.startswith(f".{out.name}.old-") and not out.exists():
            path.rename(out)
        else:
            shutil.rmtree(path, ignore_errors=True)
    return found


def output_id(out: Path) -> tuple[int, ...]:
    """Which output folder this is: a new one after every swap (its inode and its marker's)."""
    try:
        folder, marker = os.stat(out), os.stat(out / MARKER)
    except OSError:
        return ()
    return (folder.st_dev, folder.st_ino, marker.st_ino, marker.st_mtime_ns)


def same_bytes(old: Path, artifact: Artifact, spill: Spill | None = None) -> bool:
    """True if the previous output already holds exactly these bytes."""
    try:
        if artifact.data is not None:
            return old.stat().st_size == len(artifact.data) and old.read_bytes() == artifact.data
        source = source_of(artifact, spill)
        return old.stat().st_size == source.stat().st_size and old.read_bytes() == source.read_bytes()
    except OSError:
        return False


def source_of(artifact: Artifact, spill: Spill | None) -> Path:
    """The file holding an artifact's bytes: the page a render worker wrote into `spill`, or
    the file to copy. (A spilled page does not carry its own Path: 15,000 of them took 5 MB
    at 10,000 posts, and making them again from the workers' results took time.)"""
    if artifact.spilled:
        assert spill is not None
        return plain_target(spill.folder, artifact.path)
    assert artifact.source is not None
    return artifact.source


def place(artifact: Artifact, target: Path, old: Path | None, spill: Spill | None = None) -> None:
    """Put one file in a new folder: a hard link to the old file if kept, else its bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if artifact.keep:
        assert old is not None
        try:
            os.link(old, target)
        except OSError:
            shutil.copyfile(old, target)  # a file system without hard links
    elif artifact.data is not None:
        target.write_bytes(artifact.data)
    elif artifact.spilled:
        os.replace(source_of(artifact, spill), target)
    else:
        shutil.copyfile(source_of(artifact, spill), target)


class Spill:
    """The folder beside the output that a big build's pages go to as they are rendered.

    Render workers write each page there (`put`) instead of sending its bytes back, so a big
    build never holds its pages in memory. It is the folder `write_output` then completes and
    swaps in (or, for a small change, moves files from). Made only when first needed.
    """

    def __init__(self, out: Path, root: Path):
        self.out, self.root = out.resolve(), root
        self.folder = self.out.parent / f".{self.out.name}.new-{os.getpid()}"
        self.made = self.recovered = False

    def open(self) -> Path:
        """Make the folder (once); raise OutputError if it cannot be made."""
        if not self.made:
            check_output_dir(self.out, self.root)
            make_parent(self.out)
            self.recovered = recover_output(self.out)
            try:
                self.folder.mkdir()
            except OSError as exc:
                raise OutputError([write_failure(exc, self.folder)]) from None
            self.made = True
        return self.folder

    def put(self, path: str, data: bytes) -> Artifact:
        """Write one file into the folder (in any process); what the writer needs to know of it."""
        target = plain_target(self.folder, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return Artifact(path=path, spilled=True, size=len(data))

    def remove(self) -> None:
        """Remove what is left of the folder (nothing, once it was swapped in)."""
        if self.made:
            shutil.rmtree(self.folder, ignore_errors=True)


def check_collisions(artifacts: list[Artifact], root: Path) -> None:
    """Two artifacts for one output path (ignoring case, for case-insensitive hosts) is an error."""
    seen: dict[str, Artifact] = {}
    for artifact in artifacts:
        key = artifact.path.casefold()
        if key in seen:
            raise OutputError([collision(artifact, seen[key], root)])
        seen[key] = artifact


def existing_files(out: Path) -> set[str]:
    """Every file in the current output, as output paths."""
    found, top = set(), str(out)
    for folder, _dirs, files in os.walk(top):
        base = folder[len(top) + 1 :].replace(os.sep, "/")
        found.update(f"{base}/{name}" if base else name for name in files)
    return found - {MARKER}


def write_output(artifacts: list[Artifact], out: Path, root: Path, spill: Spill | None = None, known: frozenset[str] | None = None) -> WriteReport:
    """Write every artifact so that `out` holds exactly them; nothing changes if anything fails.

    A small change to a newsroom output is staged beside it and committed by renames; a
    large one (or a first build) is written as a whole new folder and swapped in. Pages
    already in the `spill` folder are moved, not copied; the spill is the new folder.
    `known`: the files the last build left, if trusted (else the output is walked to find them).
    """
    out = out.resolve()
    check_output_dir(out, root)
    make_parent(out)
    spill = spill or Spill(out, root)
    if recover_output(out, keep=spill.folder if spill.made else None) or spill.recovered:
        known = None  # a killed build's changes were completed or undone: look at what is there
    check_collisions(artifacts, root)
    try:
        if (out / MARKER).is_file():
            unchanged = {a.path for a in artifacts if a.keep or same_bytes(safe_target(out, a.path), a, spill)}
            changed = [a for a in artifacts if a.path not in unchanged]
            stale = sorted((existing_files(out) if known is None else known) - {a.path for a in artifacts})
            if len(changed) + len(stale) <= max(SMALL_CHANGE, len(artifacts) // 20):
                update_in_place(out, changed, stale, spill)
                return WriteReport(files=len(artifacts), written=len(changed))
            artifacts = [a if a.path not in unchanged or a.keep else unspill(a, spill) for a in artifacts]
        written = sum(not a.keep for a in artifacts)
        write_fresh(artifacts, out, spill.open())
    except OSError as exc:
        raise OutputError([write_failure(exc, out)]) from None
    return WriteReport(files=len(artifacts), written=written)


def unspill(artifact: Artifact, spill: Spill) -> Artifact:
    """An artifact whose bytes equal the previous output's: link the old file (its mtime stays)."""
    if artifact.spilled:
        source_of(artifact, spill).unlink()
    return Artifact(path=artifact.path, keep=True)


def write_fresh(artifacts: list[Artifact], out: Path, fresh: Path) -> None:
    """Complete the new folder beside `out` (a Spill's, which may hold pages already), then swap it in."""
    try:
        for artifact in artifacts:
            if artifact.spilled:
                continue  # written in place by a render worker: the spill is this folder
            target = plain_target(fresh, artifact.path)
            place(artifact, target, safe_target(out, artifact.path) if artifact.keep else None)
        place(Artifact(path=MARKER, data=MARKER_TEXT), fresh / MARKER, out / MARKER)
        swap_in(fresh, out)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise


def update_in_place(out: Path, changed: list[Artifact], stale: list[str], spill: Spill) -> None:
    """Stage the changed files beside `out`, write the journal, then commit by renames."""
    stage = out.parent / f".{out.name}.stage-{os.getpid()}"
    try:
        stage.mkdir()
        for artifact in changed:
            place(artifact, safe_target(stage, artifact.path), safe_target(out, artifact.path), spill)
        moves = [a.path for a in changed]
        for rel in stale:
            safe_target(out, rel)
        keep_for_undo(stage, out, moves + stale)
        journal = stage / JOURNAL
        journal.with_suffix(".tmp").write_text(json.dumps({"move": moves, "delete": stale}), encoding="utf-8")
        journal.with_suffix(".tmp").replace(journal)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    try:
        commit_stage(stage, out, moves, stale)
    except OSError as failed:  # a rename refused half-way (disk full, I/O error): put the old files back
        try:
            undo_commit(stage, out, moves, stale)
        except OSError:
            raise OutputError([write_failure(failed, out, "it is partly updated, and the next build completes it")]) from None
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
    """Reverse a commit that failed part-way: each new file back into the stage, each old one back in place.

    The journal is removed last, so a build killed while undoing is rolled forward instead.
    """
    for rel in moves:
        staged, target, saved = safe_target(stage, rel), safe_target(out, rel), safe_target(stage / UNDO, rel)
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
