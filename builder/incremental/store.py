"""The build cache's files: what the last build read and made, so the next can skip work.

It lives in the site's own `.newsroom-cache/<output name>-<key>/` (incremental/home.py), and
every function here takes that folder, `cache`. Every file carries a
format number and a checksum; a cache that is missing, truncated, hand-edited or from another
version of newsroom is ignored, and the build is then a clean build, never a wrong one. Posts
are kept in SHARDS files by their source, so an edit rewrites one of them.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from builder import __version__
from builder.errors import Problem
from builder.incremental.home import MAGIC
from builder.incremental.records import CachedPost

SHARDS = 16  # posts are kept in this many files, so an edit rewrites one of them
FORMAT = f"{__version__}/17".encode()  # raised with every change to what the cache holds
CHECKSUM = 4  # bytes


def checksum(payload: bytes) -> bytes:
    """What catches a damaged or hand-edited cache file (CRC-32: a few times quicker than a
    cryptographic hash over the ~40 MB of a 10,000-post cache; nobody forges these files)."""
    return zlib.crc32(payload).to_bytes(CHECKSUM, "big")


class Summing:
    """A file being written that keeps the checksum of what goes into it."""

    def __init__(self, file: BinaryIO) -> None:
        self.file, self.crc = file, 0

    def write(self, data: bytes) -> int:
        self.crc = zlib.crc32(data, self.crc)
        return self.file.write(data)


def dump(path: Path, value: object) -> None:
    """Write one cache file atomically, with its checksum.

    The pickle goes to the file as it is made (in frames of 64 KB), never whole in memory: the
    state of a 100,000-post build is some 80 MB, and a copy of it was the build's peak.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".tmp-{os.getpid()}")
    head = MAGIC + FORMAT + b"\n"
    try:
        with temporary.open("wb") as file:
            file.write(head + bytes(CHECKSUM))
            summing = Summing(file)
            pickle.dump(value, summing, protocol=pickle.HIGHEST_PROTOCOL)
            file.seek(len(head))
            file.write(summing.crc.to_bytes(CHECKSUM, "big"))
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)  # a full disk: not a half file left to fill it
        raise


def load(path: Path, kind: type) -> object | None:
    """Read one cache file; None if it is missing, damaged or from another version."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = MAGIC + FORMAT + b"\n"
    if not data.startswith(head):
        return None
    check, payload = (
        data[len(head) : len(head) + CHECKSUM],
        memoryview(data)[len(head) + CHECKSUM :],
    )  # not a copy of 2-3 MB
    if checksum(payload) != check:
        return None
    try:
        value = pickle.loads(payload)
    except Exception:  # a checksummed payload that still fails to load: treat as no cache
        return None
    return value if isinstance(value, kind) and complete(value) else None


def complete(value: object) -> bool:
    """False for a dataclass pickled before one of its fields was added (a cache of another
    newsroom of the same version number: a checkout of another commit)."""
    return not dataclasses.is_dataclass(value) or all(
        hasattr(value, f.name) for f in dataclasses.fields(value)
    )


def templates_dir(cache: Path) -> Path:
    """Where compiled templates are kept (Jinja's bytecode, one file per template)."""
    return cache / "templates"


def shard_of(source: str) -> int:
    """Which of the posts files holds a post."""
    return zlib.crc32(source.encode("utf-8", "surrogatepass")) % SHARDS


def shard_path(cache: Path, number: int) -> Path:
    return cache / f"posts-{number:02d}.bin"


def state_path(cache: Path) -> Path:
    return cache / "state.bin"


def search_path(cache: Path) -> Path:
    """The search index's memory (search_bundles.SearchMemory), read only by a build that
    makes the index."""
    return cache / "search.bin"


@dataclass(frozen=True, slots=True)
class Loaded:
    """The cached posts, and which posts files they came from intact."""

    posts: dict[str, CachedPost]
    intact: frozenset[int]


class Warm:
    """The posts files a process has read or written, kept in memory for its next build
    (`newsroom serve` builds after every save). A file is taken from here only while it is
    the very file that was read or written: same inode, time and size. Else it is read."""

    def __init__(self) -> None:
        self.files: dict[Path, tuple[tuple[int, int, int], dict[str, CachedPost]]] = {}

    def get(self, path: Path) -> dict[str, CachedPost] | None:
        kept = self.files.get(path)
        return kept[1] if kept is not None and kept[0] == file_key(path) else None

    def put(self, path: Path, part: dict[str, CachedPost]) -> None:
        key = file_key(path)
        if key is not None:
            self.files[path] = (key, part)


def file_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def load_posts(cache: Path, warm: Warm | None = None) -> Loaded:
    """Every cached post; a damaged posts file only loses its own posts (they are parsed again)."""
    found: dict[str, CachedPost] = {}
    intact = set()
    for number in range(SHARDS):
        path = shard_path(cache, number)
        part = warm.get(path) if warm is not None else None
        if part is None:
            part = load(path, dict)
            if warm is not None and isinstance(part, dict):
                warm.put(path, part)
        if isinstance(part, dict):
            found.update(part)
            intact.add(number)
    return Loaded(found, frozenset(intact))


def save_posts(
    cache: Path, posts: dict[str, CachedPost], loaded: Loaded | None, warm: Warm | None
) -> None:
    """Write the posts files; one read intact whose entries are the very ones this build keeps
    is not written again. `warm` keeps the files written, for this process's next build."""
    shards: list[dict[str, CachedPost]] = [{} for _ in range(SHARDS)]
    before: list[dict[str, CachedPost]] = [{} for _ in range(SHARDS)]
    for source, entry in posts.items():
        shards[shard_of(source)][source] = entry
    for source, entry in (loaded.posts if loaded else {}).items():
        before[shard_of(source)][source] = entry
    for number, (part, old) in enumerate(zip(shards, before, strict=True)):
        same = (
            loaded is not None
            and number in loaded.intact
            and part.keys() == old.keys()
            and all(entry is old[source] for source, entry in part.items())
        )
        if not same:
            path = shard_path(cache, number)
            dump(path, part)
            if warm is not None:
                warm.put(path, part)


def load_compiled(cache: Path) -> dict[str, bytes]:
    """The templates an earlier build compiled (Jinja's bytecode by its key)."""
    folder = templates_dir(cache)
    try:
        names = sorted(p.name for p in folder.iterdir() if p.suffix == ".bin")
    except OSError:
        return {}
    found = {name[:-4]: load(folder / name, bytes) for name in names}
    return {key: code for key, code in found.items() if isinstance(code, bytes)}


def save_compiled(cache: Path, compiled: dict[str, bytes]) -> None:
    for key, code in sorted(compiled.items()):
        dump(templates_dir(cache) / f"{key}.bin", code)


AFTER_UNSAVED = "; the next build does not trust the older cache and looks at everything again"


def unsaved(cache: Path, exc: OSError, then: str = AFTER_UNSAVED) -> Problem:
    """The warning of a build whose cache could not be saved: the folder, why, and what then."""
    why = exc.strerror or str(exc)
    return Problem(str(cache), None, f"the build cache cannot be saved: {why}{then}", "warning")


def forget_state(cache: Path) -> None:
    """Remove the state if it can be (a full disk), so that no build trusts it again."""
    try:
        state_path(cache).unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache: the output's marker tells it is older (commit.write_marker)


def save_state(cache: Path, state: object) -> None:
    """Write the small part of the cache (the posts files stay as they are)."""
    dump(state_path(cache), state)
