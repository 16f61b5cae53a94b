"""The build cache beside the output: what the last build read and made, so the next can skip work.

It lives in `.newsroom-cache/<output name>/` next to the output folder. Every file carries a
format number and a checksum; a cache that is missing, truncated, hand-edited or from another
version of newsroom is ignored, and the build is then a clean build, never a wrong one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from builder import __version__
from builder.model import Body, PostMeta

MAGIC = b"newsroom-cache\n"
FORMAT = f"{__version__}/1".encode()


@dataclass(frozen=True, slots=True, kw_only=True)
class PostEntry:
    """One post as the last build parsed and rendered it."""

    stat: tuple[int, int]  # (mtime_ns, size) of the source file
    meta: PostMeta
    body: Body


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
    summary: tuple[int, int, int, int] = (0, 0, 0, 0)  # posts, pages, feeds, files of that build


def cache_dir(out: Path) -> Path:
    """Where the cache of an output folder lives."""
    return out.parent / ".newsroom-cache" / out.name


def digest(*parts: bytes | str) -> str:
    """A short stable hash of some bytes and strings."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def dump(path: Path, value: object) -> None:
    """Write one cache file atomically, with its checksum."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".tmp-{os.getpid()}")
    temporary.write_bytes(MAGIC + FORMAT + b"\n" + hashlib.blake2b(payload).digest() + payload)
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
    check, payload = data[len(head) : len(head) + 64], data[len(head) + 64 :]
    if hashlib.blake2b(payload).digest() != check:
        return None
    try:
        value = pickle.loads(payload)
    except Exception:  # a checksummed payload that still fails to load: treat as no cache
        return None
    return value if isinstance(value, kind) else None


def load_state(out: Path) -> State | None:
    return load(cache_dir(out) / "state.bin", State)


def load_posts(out: Path) -> dict[str, PostEntry]:
    found = load(cache_dir(out) / "posts.bin", dict)
    return found if isinstance(found, dict) else {}


def save_cache(out: Path, state: State, posts: dict[str, PostEntry]) -> None:
    """Keep what this build made for the next one; a cache that cannot be written is skipped."""
    try:
        dump(cache_dir(out) / "posts.bin", posts)
        dump(cache_dir(out) / "state.bin", state)
    except OSError:
        pass


def snapshot_inputs(root: Path, options: tuple) -> tuple:
    """Every file the build reads, with (mtime_ns, size), plus the build's options."""
    entries = []
    for top in ("content", "templates"):
        for folder, dirs, files in os.walk(root / top):
            dirs.sort()
            for name in sorted(files):
                try:
                    st = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                entries.append((os.path.join(folder, name), st.st_mtime_ns, st.st_size))
    config = root / "site.toml"
    st = config.stat()
    entries.append((str(config), st.st_mtime_ns, st.st_size))
    return (__version__, options, tuple(entries))
