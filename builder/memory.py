"""What a build may reuse from the previous one, and what it leaves for the next."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from builder import __version__
from builder.cache import PostEntry, State, digest, load_posts
from builder.config import CONFIG_NAME, SiteConfig
from builder.fingerprint import Fingerprinter
from builder.model import Artifact, publication_status
from builder.write import MARKER

RACY_NS = 2_000_000_000  # a file changed this close to the last build's start is checked by content


def site_key(config: SiteConfig) -> str:
    """What every parsed post depends on: newsroom's version, site.toml, the base URL."""
    return digest(__version__, (config.root / CONFIG_NAME).read_bytes(), config.base_url)


def theme_key(config: SiteConfig) -> str:
    """What every rendered page depends on: every file under templates/."""
    parts: list[bytes | str] = []
    for path in sorted(p for p in config.templates_dir.rglob("*") if p.is_file()):
        parts += [path.relative_to(config.templates_dir).as_posix(), path.read_bytes()]
    return digest(*parts)


def taken_posts(dates: Iterable[tuple[str, float, bool]], select: Any) -> frozenset[str]:
    """The posts a build with these options takes, from their dates and draft flags."""
    now = select.now.timestamp()
    return frozenset(src for src, when, draft in dates if select.takes(publication_status(draft, when, now)))


def nothing_changed(previous: State, snapshot: tuple, select: Any, out: Path) -> bool:
    """True if the last build read exactly these inputs, took the same posts and its output is there."""
    if previous.snapshot != snapshot or not (out / MARKER).is_file():
        return False
    trusted_before = previous.started - RACY_NS
    if any(mtime >= trusted_before for _path, mtime, _size in snapshot[2]):
        return False  # a file saved just before that build could have changed unseen since
    if previous.taken != taken_posts(previous.dates, select):
        return False
    return all(size_of(out / path) == size for path, (_mark, size) in previous.outputs.items())


def size_of(path: Path) -> int:
    """A file's size, or -1 if it is not there."""
    try:
        return path.stat().st_size
    except OSError:
        return -1


class Memory:
    """Parsed posts and output fingerprints of the previous build, valid for this one."""

    def __init__(self, *, out: Path | None, site: str, theme: str, posts: dict[str, PostEntry], outputs: dict[str, tuple[str, int]], trusted_before: int):
        self.out, self.site_key, self.theme_key = out, site, theme
        self.posts, self.previous_outputs, self.trusted_before = posts, outputs, trusted_before
        self.prints = Fingerprinter()
        self.fingerprints: dict[str, str] = {}
        self.kept_sizes: dict[str, int] = {}

    @classmethod
    def forget(cls, config: SiteConfig) -> "Memory":
        """A memory with nothing in it: everything is parsed and rendered."""
        return cls(out=None, site="", theme="", posts={}, outputs={}, trusted_before=0)

    @classmethod
    def recall(cls, previous: State | None, config: SiteConfig, out: Path) -> "Memory":
        """What of the previous build is still valid under today's config and templates."""
        site, theme = site_key(config), theme_key(config)
        if previous is None or previous.site_key != site:
            return cls(out=out, site=site, theme=theme, posts={}, outputs={}, trusted_before=0)
        outputs = previous.outputs if previous.theme_key == theme else {}
        return cls(out=out, site=site, theme=theme, posts=load_posts(out), outputs=outputs, trusted_before=previous.started - RACY_NS)

    def post(self, rel: str, stat: tuple[int, int]) -> PostEntry | None:
        """The cached post for a file whose stat did not change (and was not saved racily)."""
        entry = self.posts.get(rel)
        if entry is None or entry.stat != stat or stat[0] >= self.trusted_before:
            return None
        return entry

    def split(self, items: list, path_of: Callable[[Any], str], value_of: Callable[[Any], Any]) -> tuple[list, list[Artifact]]:
        """Items whose output must be made, and links to the previous output for the rest."""
        fresh, kept = [], []
        for item in items:
            found = self.reuse(path_of(item), value_of(item))
            (kept.append(found) if found else fresh.append(item))
        return fresh, kept

    def reuse(self, path: str, value: Any) -> Artifact | None:
        """Fingerprint what `path` shows; a link to the previous file if it showed the same."""
        if self.out is None:
            return None
        mark = self.fingerprints[path] = self.prints.of(value).hex()
        before = self.previous_outputs.get(path)
        if before is None or before[0] != mark:
            return None
        try:
            if (self.out / path).stat().st_size != before[1]:
                return None
        except OSError:
            return None
        self.kept_sizes[path] = before[1]
        return Artifact(path=path, keep=True)

    def outputs(self, artifacts: list[Artifact]) -> dict[str, tuple[str, int]]:
        """Fingerprint and size of every fingerprinted output, for the next build."""
        found = {}
        for artifact in artifacts:
            if artifact.path in self.fingerprints:
                size = self.kept_sizes[artifact.path] if artifact.keep else len(artifact.data or b"")
                found[artifact.path] = (self.fingerprints[artifact.path], size)
        return found

    def state(self, snapshot: tuple, started: int, rendered: Any, summary: tuple[int, int, int, int]) -> State:
        """The small part of the cache, for the next build."""
        dates = tuple((e.meta.source, e.meta.date.timestamp(), e.meta.draft) for e in rendered.entries.values())
        return State(
            snapshot=snapshot, started=started, taken=frozenset(p.source for p in rendered.site.posts), dates=dates,
            site_key=self.site_key, theme_key=self.theme_key, outputs=rendered.outputs, summary=summary,
        )
