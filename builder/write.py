"""Write the output atomically: build a fresh folder beside output/, swap it in on success.

Files whose bytes did not change are hard-linked from the previous output, so they keep
their modification time and sync tools upload only what changed.
"""

from __future__ import annotations

import errno
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from builder.errors import OutputError, Problem
from builder.model import Artifact

MARKER = ".newsroom-output"
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


def safe_target(base: Path, rel: str) -> Path:
    """Join an output path onto the folder, refusing anything that would leave it."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or not pure.parts or any(part in ("", ".", "..") for part in pure.parts) or "\\" in rel or "\x00" in rel:
        raise output_problem(base, f"refused to write '{rel}': it is not a plain path inside the output folder")
    target = base.joinpath(*pure.parts)
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


def recover_output(out: Path) -> None:
    """Undo what a killed build left: a half-made new folder, or an old folder not swapped back."""
    leftovers = sorted(out.parent.glob(f".{out.name}.new-*")) + sorted(out.parent.glob(f".{out.name}.old-*"))
    for path in leftovers:
        if path.name.startswith(f".{out.name}.old-") and not out.exists():
            path.rename(out)
        else:
            shutil.rmtree(path, ignore_errors=True)


def same_bytes(old: Path, artifact: Artifact) -> bool:
    """True if the previous output already holds exactly these bytes."""
    try:
        if artifact.data is not None:
            return old.stat().st_size == len(artifact.data) and old.read_bytes() == artifact.data
        assert artifact.source is not None
        return old.stat().st_size == artifact.source.stat().st_size and old.read_bytes() == artifact.source.read_bytes()
    except OSError:
        return False


def place(artifact: Artifact, target: Path, old: Path) -> bool:
    """Put one file in the new folder; True if its bytes are new."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if same_bytes(old, artifact):
        try:
            os.link(old, target)
            return False
        except OSError:
            pass  # a file system without hard links: fall through and write
    if artifact.data is not None:
        target.write_bytes(artifact.data)
    else:
        assert artifact.source is not None
        shutil.copyfile(artifact.source, target)
    return True


def write_output(artifacts: list[Artifact], out: Path, root: Path) -> WriteReport:
    """Write every artifact into a new folder, then swap it in for `out`."""
    out = out.resolve()
    check_output_dir(out, root)
    out.parent.mkdir(parents=True, exist_ok=True)
    recover_output(out)
    fresh = out.parent / f".{out.name}.new-{os.getpid()}"
    seen: dict[str, Artifact] = {}
    written = 0
    try:
        fresh.mkdir()
        for artifact in artifacts:
            key = artifact.path.casefold()
            if key in seen:
                raise OutputError([collision(artifact, seen[key], root)])
            seen[key] = artifact
            written += place(artifact, safe_target(fresh, artifact.path), safe_target(out, artifact.path))
        place(Artifact(path=MARKER, data=MARKER_TEXT), fresh / MARKER, out / MARKER)
        swap_in(fresh, out)
    except OSError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise OutputError([Problem(str(exc.filename or out), None, f"cannot write the output: {why}; the previous output is unchanged")]) from None
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return WriteReport(files=len(seen), written=written)


def swap_in(fresh: Path, out: Path) -> None:
    """Replace `out` by `fresh` with two renames; the old folder is removed last."""
    if not out.exists():
        fresh.rename(out)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    out.rename(old)
    fresh.rename(out)
    shutil.rmtree(old, ignore_errors=True)
