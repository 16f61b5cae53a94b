"""Where the build cache lives: `<site>/.newsroom-cache/<output name>-<key>/`, one folder per
output folder, under the site's own root and never in or beside a folder that may be served.

The cache holds every post's text, drafts' too. An older newsroom kept it beside the output
(`<output's parent>/.newsroom-cache/<output name>/`), where serving the output's parent
published it: a build removes such a folder when it is certainly a cache of newsroom's (every
file in it is one newsroom makes there, each .bin file starts with the cache's MAGIC), and
else warns that it is there.
"""

from __future__ import annotations

import fcntl
import os
import re
from pathlib import Path

from builder.digest import digest
from builder.errors import Problem

CACHE_NAME = ".newsroom-cache"
MAGIC = b"newsroom-cache\n"  # the first bytes of every cache file (incremental/store.py)
LOCK_NAME = "build.lock"  # the output's lock (pipeline/lock.py), in its cache folder
NAME_CHARS = 40  # of the output's name, shown in the cache folder's for humans
KEY_CHARS = 10  # hex digits of the hash of the output's resolved path

# the names of the files newsroom makes in a cache folder (a `.tmp-<pid>` one: being written)
CACHE_FILE = re.compile(r"(state|search|posts-[0-9]{2})(\.bin|\.tmp-[0-9]+)")
TEMPLATE_FILE = re.compile(r"[0-9a-f]+(\.bin|\.tmp-[0-9]+)")


def cache_dir(root: Path, out: Path) -> Path:
    """The cache folder of the output folder `out` of the site at `root`: the same for `out`
    given as a relative or an absolute path, another for every other output folder."""
    out = Path(os.path.abspath(out)).resolve()
    key = digest(os.fsencode(out))[:KEY_CHARS]
    return Path(root).resolve() / CACHE_NAME / f"{out.name[:NAME_CHARS]}-{key}"


def old_cache_dir(out: Path) -> Path:
    """Where a newsroom before issue 20 kept the cache of `out`: beside it."""
    return out.parent / CACHE_NAME / out.name


def remove_old_cache(out: Path, cache: Path) -> tuple[Problem, ...]:
    """Remove the cache an older newsroom kept beside `out`, if it is certainly one; a warning
    says what was done (nothing if there is none). Run under the output's lock."""
    old = old_cache_dir(out)
    if old == cache or not old.is_dir() or old.is_symlink():
        return ()
    try:
        files = cache_files(old)
        ours = any(is_cache_file(old / name) for name in os.listdir(old))
    except OSError as exc:
        return (old_warning(old, f"cannot be read ({exc.strerror}): look at it by hand"),)
    if not ours:
        return ()  # no cache file, so no post's text (the lock of a failed build, or not ours)
    if files is None:
        return (old_warning(old, "holds files newsroom does not make: remove it by hand"),)
    if old / LOCK_NAME not in files:  # every build of an older newsroom made one first
        return (delete_old_cache(old, files),)
    try:
        fd = os.open(old / LOCK_NAME, os.O_RDWR | os.O_CLOEXEC)
    except OSError as exc:
        return (old_warning(old, f"cannot be removed ({exc.strerror}): remove it by hand"),)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return (old_warning(old, "is in use by an older newsroom: remove it when it ends"),)
        return (delete_old_cache(old, files),)
    finally:
        os.close(fd)


def cache_files(old: Path) -> list[Path] | None:
    """Every file of the folder `old`, or None if one is not a file newsroom makes there (by
    its name, compared whole: never a glob of a name of the user's)."""
    found: list[Path] = []
    for name in sorted(os.listdir(old)):
        path = old / name
        if path.is_symlink():
            return None
        if name == "templates" and path.is_dir():
            inner = sorted(os.listdir(path))
            if not all(TEMPLATE_FILE.fullmatch(n) and is_cache_file(path / n) for n in inner):
                return None
            found += [path / n for n in inner]
        elif name == LOCK_NAME and path.is_file():
            found.append(path)
        elif CACHE_FILE.fullmatch(name) and is_cache_file(path):
            found.append(path)
        else:
            return None
    return found


def is_cache_file(path: Path) -> bool:
    """A regular file that starts with the cache's MAGIC (or an empty one being written)."""
    if path.is_symlink() or not path.is_file() or path.name == LOCK_NAME:
        return False
    with path.open("rb") as file:
        head = file.read(len(MAGIC))
    return head == MAGIC or (head == b"" and ".tmp-" in path.name)


def delete_old_cache(old: Path, files: list[Path]) -> Problem:
    """Delete the files found in the old cache folder, then the folders left empty."""
    try:
        for path in files:
            path.unlink()
        for folder in (old / "templates", old):
            if folder.is_dir():
                folder.rmdir()
    except OSError as exc:
        return old_warning(old, f"cannot be removed ({exc.strerror}): remove it by hand")
    try:
        old.parent.rmdir()  # the `.newsroom-cache` beside the output, if nothing else is in it
    except OSError:
        pass
    return Problem(
        str(old),
        None,
        "removed: the build cache an older newsroom kept beside the output (it held every "
        "post's text, drafts too, and went online with any upload of the output's folder); "
        "the cache is now kept in the site's own .newsroom-cache/",
        "warning",
    )


def old_warning(old: Path, what: str) -> Problem:
    return Problem(
        str(old),
        None,
        "looks like the build cache an older newsroom kept beside the output (it may hold "
        f"drafts' text, and goes online with any upload of the output's folder), but {what}",
        "warning",
    )
