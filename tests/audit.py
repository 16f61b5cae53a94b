"""Which paths a piece of code writes: a Python audit hook records every write-like event.

`record_writes()` collects, while active, the path of every file opened for writing and of
every rename, link, copy, mkdir, remove and rmtree (CPython raises an audit event for each).
`outside_output(events, out, root)` keeps those that are not the output folder, its temporary
siblings (`.out.new-*`, `.out.stage-*`, `.out.old-*`), its cache (in the site's own
`.newsroom-cache/`, never beside the output) or a folder above it that `mkdir(parents=True)`
tried to create.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from builder.incremental.home import cache_dir

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
PATH_EVENTS = {  # event → indexes of the arguments that are paths written to
    "os.rename": (0, 1),
    "os.link": (1,),
    "os.symlink": (1,),
    "os.mkdir": (0,),
    "os.remove": (0,),
    "os.rmdir": (0,),
    "shutil.rmtree": (0,),
    "shutil.copyfile": (1,),
    "shutil.copytree": (1,),
    "shutil.move": (0, 1),
    "os.truncate": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.utime": (0,),
}
DIR_FD = {
    "os.rename": (2, 3),
    "os.link": (2, 3),
    "os.symlink": (2,),
    "os.mkdir": (2,),
    "os.remove": (1,),
    "os.rmdir": (1,),
    "shutil.rmtree": (1,),
    "os.chmod": (2,),
    "os.chown": (3,),
    "os.utime": (2,),
}

_lock = threading.Lock()
_active: list[list[tuple[str, Path]]] = []
_installed = False


def _as_path(value: object) -> Path | None:
    if isinstance(value, int) or value is None:
        return None  # a file descriptor: the path was recorded when it was opened
    raw = os.fsdecode(value) if isinstance(value, (bytes, str, os.PathLike)) else None
    return Path(os.path.abspath(raw)) if raw is not None else None


def _hook(event: str, args: tuple) -> None:
    if not _active:
        return
    found: list[tuple[str, Path]] = []
    if event == "open":
        path, mode, flags = (args + (None, None, None))[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITE_FLAGS
        )
        if writing and (p := _as_path(path)) is not None:
            found.append((event, p))
    elif event in PATH_EVENTS:
        if any(i < len(args) and args[i] not in (None, -1) for i in DIR_FD.get(event, ())):
            return  # relative to an open folder (rmtree's own steps): the rmtree event covers it
        for i in PATH_EVENTS[event]:
            if i < len(args) and (p := _as_path(args[i])) is not None:
                found.append((event, p))
    found = [
        (e, p) for e, p in found if "__pycache__" not in p.parts
    ]  # Python's bytecode cache, not the build
    if found:
        with _lock:
            for sink in _active:
                sink.extend(found)


@contextmanager
def record_writes() -> Iterator[list[tuple[str, Path]]]:
    """Collect the paths written while the block runs.

    Audit hooks cannot be removed: one is installed, once.
    """
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    sink: list[tuple[str, Path]] = []
    _active.append(sink)
    try:
        yield sink
    finally:
        _active.remove(sink)


def outside_output(events: list[tuple[str, Path]], out: Path, root: Path) -> list[tuple[str, Path]]:
    """The recorded writes that are not to the output folder, its temporary siblings or its
    cache (the site at `root` has it)."""
    out, cache = Path(os.path.abspath(out)), cache_dir(root, out)
    return [(event, path) for event, path in events if not allowed(event, path, out, cache)]


def allowed(event: str, path: Path, out: Path, cache: Path) -> bool:
    """Inside `out`, a sibling `.out.*`, in the site's cache folder of `out`, or the mkdir of a
    folder above `out` or the cache."""
    if out.is_relative_to(path) or cache.is_relative_to(path):
        return event == "os.mkdir" or path in (out, cache)  # mkdir(parents=True): each above
    if path.is_relative_to(cache):
        return True
    if not path.is_relative_to(out.parent):
        return False
    parts = path.relative_to(out.parent).parts
    return parts[0] == out.name or parts[0].startswith(f".{out.name}.")
