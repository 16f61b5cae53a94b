"""The build cache beside the output: what the last build read and made, so the next can skip work.

It lives in `.newsroom-cache/<output name>/` next to the output folder. Every file carries a
format number and a checksum; a cache that is missing, truncated, hand-edited or from another
version of newsroom is ignored, and the build is then a clean build, never a wrong one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from builder import __version__
from builder.model import Body, PostMeta, quick_pickle

MAGIC = b"newsroom-cache\n"
SHARDS = 16  # posts are kept in this many files, so an edit rewrites one of them
FORMAT = f"{__version__}/10".encode()
CHECKSUM = 4  # bytes


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class PostEntry:
    """One post as the last build parsed and rendered it."""

    stat: tuple[int, int]  # (mtime_ns, size) of the source file
    meta: PostMeta
    body: Body
    digest: bytes = b""  # of the source file's bytes: a file touched or saved racily is compared by it


@dataclass(slots=True, kw_only=True)
class State:
    """The small part of the cache: enough to see that nothing changed."""

    snapshot: tuple = ()  # every input file's stat and the build's options
    started: int = 0  # wall-clock ns when that build looked at its inputs (never written to output)
    taken: frozenset[str] = frozenset()  # the posts the build took (drafts/scheduled decide)
    dates: tuple[tuple[str, float, bool], ...] = ()  # (source, date, draft) of every post
    site_key: str = ""  # config and code: parsed posts are valid only under the same key
    theme_key: str = ""  # templates and strings: rendered pages are valid only under the same key
    outputs: dict[str, tuple[str, int]] = field(default_factory=dict)  # output path → (fingerprint, size)
    files: frozenset[str] = frozenset()  # every file that build left in the output…
    output_id: tuple[int, ...] = ()  # …which is this folder (write.output_id) if it is the same
    shape: str = ""  # which posts, in which order, under which terms (see memory.shape_of)
    docs_key: str = ""  # the part of the shape that is not the posts (see memory.docs_key)
    scheduled: frozenset[str] = frozenset()  # the posts taken although dated after the build's "now"
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)  # post path → its related posts' paths
    pages: tuple[str, ...] = ()  # the file of every page, in plan order
    summary: tuple[int, int, int, int] = (0, 0, 0, 0)  # posts, pages, feeds, files of that build
    recent: dict[str, bytes] | None = None  # what checks the inputs saved just before that build (memory.recent_digests)
    search_made: int = 0  # the search index's memory (search.bin) is this build's if it says it was made at this `started`


CACHE_NAME = ".newsroom-cache"


def cache_dir(out: Path) -> Path:
    """Where the cache of an output folder lives."""
    return out.parent / CACHE_NAME / out.name


def digest(*parts: bytes | str) -> str:
    """A short stable hash of some bytes and strings."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


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
    with temporary.open("wb") as file:
        file.write(head + bytes(CHECKSUM))
        summing = Summing(file)
        pickle.dump(value, summing, protocol=pickle.HIGHEST_PROTOCOL)
        file.seek(len(head))
        file.write(summing.crc.to_bytes(CHECKSUM, "big"))
    temporary.replace(path)


def load(path: Path, kind: type) -> object | None:
    """Read one cache file; None if it is missing, damaged or from another version."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = MAGIC + FORMAT + b"\n"
    if not data.startswith(head):
        return None
    check, payload = data[len(head) : len(head) + CHECKSUM], memoryview(data)[len(head) + CHECKSUM :]  # not a copy of 2-3 MB
    if checksum(payload) != check:
        return None
    try:
        value = pickle.loads(payload)
    except Exception:  # a checksummed payload that still fails to load: treat as no cache
        return None
    return value if isinstance(value, kind) else None


def load_state(out: Path) -> State | None:
    return load(state_path(out), State)


def templates_dir(out: Path) -> Path:
    """Where compiled templates are kept (Jinja's bytecode, one file per template)."""
    return cache_dir(out) / "templates"


def shard_of(source: str) -> int:
    """Which of the posts files holds a post."""
    return zlib.crc32(source.encode("utf-8", "surrogatepass")) % SHARDS


def shard_path(out: Path, number: int) -> Path:
    return cache_dir(out) / f"posts-{number:02d}.bin"


def state_path(out: Path) -> Path:
    return cache_dir(out) / "state.bin"


def search_path(out: Path) -> Path:
    """The search index's memory (search.SearchMemory), read only by a build that makes the index."""
    return cache_dir(out) / "search.bin"


def load_search(out: Path, state: State | None, kind: type) -> object | None:
    """The search index's memory if it is that of the build `state` describes, else None."""
    found = load(search_path(out), kind) if state is not None and state.search_made else None
    return found if found is not None and getattr(found, "made", None) == state.search_made else None


@dataclass(frozen=True, slots=True)
class Loaded:
    """The cached posts, and which posts files they came from intact."""

    posts: dict[str, PostEntry]
    intact: frozenset[int]


class Warm:
    """The posts files a process has read or written, kept in memory for its next build
    (`newsroom serve` builds after every save). A file is taken from here only while it is
    the very file that was read or written: same inode, time and size. Else it is read."""

    def __init__(self) -> None:
        self.files: dict[Path, tuple[tuple[int, int, int], dict[str, PostEntry]]] = {}

    def get(self, path: Path) -> dict[str, PostEntry] | None:
        kept = self.files.get(path)
        return kept[1] if kept is not None and kept[0] == file_key(path) else None

    def put(self, path: Path, part: dict[str, PostEntry]) -> None:
        key = file_key(path)
        if key is not None:
            self.files[path] = (key, part)


def file_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def load_posts(out: Path, warm: Warm | None = None) -> Loaded:
    """Every cached post; a damaged posts file only loses its own posts (they are parsed again)."""
    found: dict[str, PostEntry] = {}
    intact = set()
    for number in range(SHARDS):
        path = shard_path(out, number)
        part = warm.get(path) if warm is not None else None
        if part is None:
            part = load(path, dict)
            if warm is not None and isinstance(part, dict):
                warm.put(path, part)
        if isinstance(part, dict):
            found.update(part)
            intact.add(number)
    return Loaded(found, frozenset(intact))


def save_cache(out: Path, state: State, posts: dict[str, PostEntry], loaded: Loaded | None = None, compiled: dict[str, bytes] | None = None, warm: Warm | None = None, search: object | None = None) -> None:
    """Keep what this build made for the next one; a cache that cannot be written is skipped.

    A posts file read intact, whose entries are the very ones this build keeps, is not written again.
    `compiled`: templates compiled by this build (Jinja's bytecode by its key). `warm`: keeps
    the posts files written, for this process's next build. `search`: the search index's
    memory, written before the state that names it (state.search_made).
    """
    shards: list[dict[str, PostEntry]] = [{} for _ in range(SHARDS)]
    before: list[dict[str, PostEntry]] = [{} for _ in range(SHARDS)]
    for source, entry in posts.items():
        shards[shard_of(source)][source] = entry
    for source, entry in (loaded.posts if loaded else {}).items():
        before[shard_of(source)][source] = entry
    try:
        for number, (part, old) in enumerate(zip(shards, before, strict=True)):
            same = loaded is not None and number in loaded.intact and part.keys() == old.keys() and all(entry is old[source] for source, entry in part.items())
            if not same:
                path = shard_path(out, number)
                dump(path, part)
                if warm is not None:
                    warm.put(path, part)
        for key, code in sorted((compiled or {}).items()):
            dump(templates_dir(out) / f"{key}.bin", code)
        if search is not None:
            dump(search_path(out), search)
        dump(state_path(out), state)
    except OSError:
        pass


def save_state(out: Path, state: State) -> None:
    """Keep only the small part of the cache (the posts files stay as they are); skipped if it cannot be written."""
    try:
        dump(state_path(out), state)
    except OSError:
        pass


def snapshot_inputs(root: Path, options: tuple) -> tuple:
    """Every file the build reads, with (mtime_ns, size), plus the build's options."""
    entries: list[tuple[str, int, int]] = []

    def visit(folder: str) -> None:
        try:
            with os.scandir(folder) as listing:
                found = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return
        folders = []
        for entry in found:
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                    continue
                st = entry.stat()
            except OSError:
                continue
            entries.append((entry.path, st.st_mtime_ns, st.st_size))
        for sub in folders:
            visit(sub)

    for top in ("content", "templates"):
        visit(os.path.join(root, top))
    config = root / "site.toml"
    st = config.stat()
    entries.append((str(config), st.st_mtime_ns, st.st_size))
    return (__version__, options, tuple(entries))
