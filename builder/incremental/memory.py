"""What a build may reuse from the previous one, and what it leaves for the next."""

from __future__ import annotations

import hashlib
import os
from array import array
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from builder import __version__
from builder.incremental.cache import Loaded, PostEntry, State, Warm, digest, load_posts, templates_dir
from builder.pipeline.config import CONFIG_NAME, SiteConfig
from builder.incremental.fingerprint import Fingerprinter
from builder.model import Artifact, Post, PostMeta, Site, publication_status
from builder.parallel import Aside
from builder.pipeline.write import MARKER

RACY_NS = 2_000_000_000  # a file changed this close to the last build's start is checked by content
SIZES_ASIDE_OVER = 2000  # the sizes of more output files than this are measured on another core
BY_KEYS = b""  # a recent file checked by site_key() and theme_key(), not by its own digest


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


def nothing_changed(previous: State, snapshot: tuple, select: Any, out: Path, sizes: Sizes, config: SiteConfig) -> bool:
    """True if the last build read exactly these inputs, took the same posts and its output is there.

    A file saved just before that build could have changed since without a new time or size:
    it is unchanged only if its bytes are the ones that build read (a post's, by the digest
    of the bytes it parsed; site.toml and the templates, by the keys made of their bytes).
    """
    if previous.snapshot != snapshot or not (out / MARKER).is_file():
        return False
    recent = too_recent(snapshot, previous.started)
    if recent:
        from builder.pipeline.sources import file_digest

        known = previous.recent or {}
        if any(path not in known for path in recent):
            return False
        if any(known[path] == BY_KEYS for path in recent) and (site_key(config), theme_key(config)) != (previous.site_key, previous.theme_key):
            return False
        if any(known[path] != BY_KEYS and file_digest(Path(path)) != known[path] for path in recent):
            return False
    if previous.taken != taken_posts(previous.dates, select):
        return False
    return all(sizes.of(path) == size for path, (_mark, size) in previous.outputs.items())


def too_recent(snapshot: tuple, started: int) -> list[str]:
    """The input files a snapshot saw saved so close to a build's start (`started`) that the
    next build cannot trust their times."""
    return [path for path, mtime, _size in snapshot[2] if mtime >= started - RACY_NS]


def redated(previous: State, snapshot: tuple, started: int) -> State:
    """The state of the last build, for one that found nothing changed since (`started`: its
    start), so that the next build trusts the times of the files that were too recent for it:
    the files still too recent keep their digests (found unchanged, so the last build's)."""
    known = previous.recent or {}  # nothing_changed() found every file too recent for the last build in it
    return replace(previous, started=started, recent={path: known[path] for path in too_recent(snapshot, started)})


def recent_digests(snapshot: tuple, started: int, entries: Mapping[str, PostEntry], config: SiteConfig) -> dict[str, bytes] | None:
    """What tells whether the input files saved so close to a build's start that the next
    build cannot trust their times are still the ones the build read, by the path the snapshot
    names them: a post's digest of the bytes it parsed; BY_KEYS for site.toml and the templates
    (site_key and theme_key are made of their bytes). None if one is another file (a page, an
    image): the next build then looks at every input again."""
    found = {}
    prefix, templates = os.path.join(config.root, ""), os.path.join(config.templates_dir, "")
    config_file = os.path.join(config.root, CONFIG_NAME)
    for path in too_recent(snapshot, started):
        if path == config_file or path.startswith(templates):
            found[path] = BY_KEYS
            continue
        entry = entries.get(path[len(prefix) :].replace(os.sep, "/")) if path.startswith(prefix) else None
        if entry is None or not entry.digest:
            return None
        found[path] = entry.digest
    return found


def shape_of(site: Site, preview: bool) -> str:
    """What every page depends on besides the posts it shows: which posts there are, their
    order, their terms (as spelt), the pages in the menu, and whether this is a preview.

    Two builds of the same shape plan the same pages showing the same posts: only pages that
    show a changed post can differ.
    """
    h = hashlib.blake2b(docs_key(site, preview).encode(), digest_size=16)
    for post in site.posts:
        terms = tuple((ref.taxonomy, ref.slug, ref.name) for ref in post.countries + post.tags)
        h.update(repr((post.source, post.slug, post.date.isoformat(), post.end_date, post.draft, post.scheduled, terms)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def docs_key(site: Site, preview: bool) -> str:
    """The part of the shape that is not the posts: the pages in the menu, and whether this is a preview."""
    h = hashlib.blake2b(repr(preview).encode(), digest_size=16)
    for doc in site.docs:
        h.update(repr((doc.source, doc.slug, doc.title, doc.summary, str(doc.html))).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def shape_fields(meta: PostMeta) -> tuple:
    """What a post's front matter gives the shape (its terms as the editor spelt them)."""
    return (meta.source, meta.slug, meta.date.isoformat(), meta.end_date, meta.draft, meta.countries, meta.tags)


def size_of(out: Path | str, path: str) -> int:
    """The size of a file in the output, or -1 if it is not there."""
    try:
        return os.stat(f"{out}/{path}").st_size
    except OSError:
        return -1


class Sizes:
    """The size of each file the last build left in the output (-1 if gone), as a build finds
    them when it starts. Many are measured at once on another core (one stat each, ~15,000 at
    10,000 posts), while the build reads its inputs; a few are measured when asked for.
    """

    def __init__(self, out: Path | None, paths: Sequence[str]) -> None:
        self.out, self.paths, self.found = out, paths, None  # found: path → size, once measured
        self.aside = Aside(lambda: array("q", [size_of(out, path) for path in paths]).tobytes()) if out is not None and len(paths) > SIZES_ASIDE_OVER else None

    def of(self, path: str) -> int:
        if self.aside is None:
            return size_of(self.out, path) if self.out is not None else -1
        if self.found is None:  # result() also reaps the worker
            self.found = dict(zip(self.paths, array("q", self.aside.result()), strict=True))
        found = self.found.get(path)
        return found if found is not None else size_of(self.out, path)

    def close(self) -> None:
        """Give up what is still being measured (a build that stops early)."""
        if self.aside is not None:
            self.aside.close()


def made_size(artifact: Artifact) -> int:
    """The size of a file this build made: its bytes, or the page a worker wrote (spilled);
    -1 if unknown (the next build then makes that file again)."""
    if artifact.data is not None:
        return len(artifact.data)
    return artifact.size if artifact.size is not None else -1


class Memory:
    """Parsed posts and output fingerprints of the previous build, valid for this one."""

    def __init__(self, *, out: Path | None, site: str, theme: str, loaded: Loaded | None, outputs: dict[str, tuple[str, int]], trusted_before: int, previous: State | None = None, sizes: Sizes | None = None):
        self.out, self.site_key, self.theme_key = out, site, theme
        self.sizes = sizes or Sizes(out, ())
        self.compiled = templates_dir(out) if out is not None else None  # where templates compiled by earlier builds are
        self.loaded = loaded  # the cached posts, and which of the cache's posts files were intact
        self.posts = loaded.posts if loaded else {}
        self.previous_outputs, self.trusted_before = outputs, trusted_before
        self.prints = Fingerprinter()
        self.fingerprints: dict[str, str] = {}
        self.kept_sizes: dict[str, int] = {}
        self.previous_shape = previous.shape if previous and outputs else ""
        self.previous = previous
        self.previous_related = previous.related if previous and self.posts else {}
        self.previous_pages = previous.pages if previous and outputs else ()
        self.shape, self.same_shape, self.changed = "", False, frozenset()
        self.docs_key, self.scheduled = "", frozenset()
        self.only: frozenset[str] | None = None  # plan only the pages showing these posts (see keep_unplanned)
        self.related_paths: dict[str, tuple[str, ...]] = {}
        self.page_files: tuple[str, ...] = ()

    @classmethod
    def forget(cls, config: SiteConfig) -> "Memory":
        """A memory with nothing in it: everything is parsed and rendered."""
        return cls(out=None, site="", theme="", loaded=None, outputs={}, trusted_before=0)

    @classmethod
    def recall(cls, previous: State | None, config: SiteConfig, out: Path, sizes: Sizes | None = None, warm: Warm | None = None) -> "Memory":
        """What of the previous build is still valid under today's config and templates
        (`sizes`: of the previous build's output files; `warm`: posts files in memory)."""
        site, theme = site_key(config), theme_key(config)
        if previous is None or previous.site_key != site:
            return cls(out=out, site=site, theme=theme, loaded=None, outputs={}, trusted_before=0)
        outputs = previous.outputs if previous.theme_key == theme else {}
        return cls(out=out, site=site, theme=theme, loaded=load_posts(out, warm), outputs=outputs, trusted_before=previous.started - RACY_NS, previous=previous, sizes=sizes)

    def settle(self, site: Site, preview: bool, changed: frozenset[str], entries: Mapping[str, PostEntry]) -> None:
        """Learn this build's shape and which posts are not exactly as last time (`entries`:
        this build's, by source)."""
        self.docs_key = docs_key(site, preview)
        if self.previous is not None and self.previous.docs_key != self.docs_key:
            self.previous_outputs = {}  # every page shows the menu: none is kept (as when a template changed)
        self.scheduled = frozenset(post.source for post in site.posts if post.scheduled)
        self.shape = self.previous_shape if self.keeps_shape(site, changed, entries) else shape_of(site, preview)
        self.same_shape = self.out is not None and self.shape == self.previous_shape
        self.changed = changed
        self.only = changed if self.same_shape and self.previous_pages else None

    def keeps_shape(self, site: Site, changed: frozenset[str], entries: Mapping[str, PostEntry]) -> bool:
        """True if this build's shape is surely the last build's, known without hashing every
        post: the same posts taken and scheduled, the same pages and options, and every
        changed post with the same front matter where the shape looks (then its order and
        every term's spelling are the same too)."""
        previous = self.previous
        if not self.previous_shape or previous is None or previous.docs_key != self.docs_key or previous.scheduled != self.scheduled:
            return False
        for source in changed:
            before, entry = self.posts.get(source), entries.get(source)
            if before is None or entry is None or shape_fields(before.meta) != shape_fields(entry.meta):
                return False
        return len(site.posts) == len(previous.taken) and all(post.source in previous.taken for post in site.posts)

    def changed_post(self, source: str, entry: PostEntry) -> bool:
        """True unless the post is exactly as the last build cached it (parsed again or not)."""
        before = self.posts.get(source)
        return before is None or (entry is not before and (entry.meta != before.meta or entry.body != before.body))

    def relate(self, posts: tuple[Post, ...], work: Callable[[], Mapping[str, tuple[Post, ...]]]) -> Mapping[str, tuple[Post, ...]]:
        """Each post's related posts: the last build's if the shape (all they depend on) is the same."""
        found = None
        if self.same_shape and self.previous_related:
            by_path = {post.path: post for post in posts}
            try:
                found = {path: tuple(by_path[p] for p in paths) for path, paths in self.previous_related.items()}
            except KeyError:
                found = None
        if found is not None and len(found) == len(posts):
            self.related_paths = self.previous_related
            return found
        found = work()
        self.related_paths = {path: tuple(post.path for post in related) for path, related in found.items()}
        return found

    def keep_unplanned(self, planned: list[str]) -> list[Artifact] | None:
        """Links to the previous files of the pages a plan of the same shape left out, and to the
        sitemap (which only they change); None if one of them cannot be kept (gone, resized).

        The left-out pages show no changed post: in a build of the same shape they are the same.
        """
        self.page_files = self.previous_pages
        planned_set = set(planned)
        if len(planned_set) == len(self.previous_pages):
            return []  # nothing left out: the plan is whole
        kept = []
        for path in (*(path for path in self.previous_pages if path not in planned_set), "sitemap.xml"):
            before = self.previous_outputs.get(path)  # shows no changed post: kept if its file is there
            found = self.keep_file(path, before[0], before) if before is not None else None
            if found is None:
                return None
            kept.append(found)
        return kept

    def post(self, rel: str, stat: tuple[int, int], digest: Callable[[str], bytes | None]) -> PostEntry | None:
        """The cached post for a file whose stat did not change (and was not saved racily), or
        whose bytes, asked for by `digest(rel)`, are the same (a file touched, or saved just
        before the last build looked at it); None if it must be read.
        """
        entry = self.posts.get(rel)
        if entry is None:
            return None
        if entry.stat == stat and stat[0] < self.trusted_before:
            return entry
        if entry.stat[1] != stat[1] or not entry.digest or digest(rel) != entry.digest:
            return None  # a file of another size has other bytes: read it without asking
        return entry if entry.stat == stat else replace(entry, stat=stat)  # the next build trusts the new stat

    def split(self, items: list, path_of: Callable[[Any], str], value_of: Callable[[Any], Any], shows_of: Callable[[Any], tuple[str, ...] | None] = lambda _: None) -> tuple[list, list[Artifact]]:
        """Items whose output must be made, and links to the previous output for the rest."""
        fresh, kept = [], []
        for item in items:
            found = self.reuse(path_of(item), lambda item=item: value_of(item), shows_of(item), later=True)
            (kept.append(found) if found else fresh.append(item))
        return fresh, kept

    def reuse(self, path: str, value: Callable[[], Any], shows: tuple[str, ...] | None = None, later: bool = False) -> Artifact | None:
        """A link to the previous file at `path` if it shows the same, else None.

        `later`: the caller takes the fingerprint of a new output itself (see wants_mark).

        In a build of the same shape, a page that shows no changed post is the same page;
        otherwise a page is the same if the fingerprint of what it shows is.
        """
        if self.out is None:
            return None
        before = self.previous_outputs.get(path)
        if self.same_shape and shows is not None and not any(source in self.changed for source in shows):
            if before is None:
                return None
            mark = before[0]
        elif self.same_shape and shows is None:
            return None  # shows any post, and some changed: cheaper to render than to fingerprint
        elif before is None and later:
            return None  # nothing to compare with: the render stage takes the fingerprint (on every core)
        else:
            mark = self.prints.of(value()).hex()
        return self.keep_file(path, mark, before)

    def keep_file(self, path: str, mark: str, before: tuple[str, int] | None) -> Artifact | None:
        """A link to the previous file at `path` if it was made with this fingerprint and is
        still there at the size it was made (else None: it is made again)."""
        self.fingerprints[path] = mark
        if before is None or before[0] != mark or self.sizes.of(path) != before[1]:
            return None
        self.kept_sizes[path] = before[1]
        return Artifact(path=path, keep=True)

    def wants_mark(self, path: str, shows: tuple[str, ...] | None = ()) -> bool:
        """True if the page made at `path` should have its fingerprint taken as it is rendered.

        Not a page that shows any post, in a build of the same shape: that would hash every
        post to save rendering one page (the next build renders it if it must).
        """
        return self.out is not None and path not in self.fingerprints and not (self.same_shape and shows is None)

    def outputs(self, artifacts: list[Artifact]) -> dict[str, tuple[str, int]]:
        """Fingerprint and size of every fingerprinted output, for the next build."""
        found = {}
        for artifact in artifacts:
            if artifact.mark is not None:
                self.fingerprints[artifact.path] = artifact.mark
            if artifact.path in self.fingerprints:
                found[artifact.path] = (self.fingerprints[artifact.path], self.kept_sizes[artifact.path] if artifact.keep else made_size(artifact))
        return found

    def state(self, snapshot: tuple, started: int, rendered: Any, summary: tuple[int, int, int, int], files: frozenset[str], output_id: tuple[int, ...], config: SiteConfig) -> State:
        """The small part of the cache, for the next build."""
        dates = tuple((e.meta.source, e.meta.date.timestamp(), e.meta.draft) for e in rendered.entries.values())
        return State(
            snapshot=snapshot, started=started, taken=frozenset(p.source for p in rendered.site.posts), dates=dates,
            site_key=self.site_key, theme_key=self.theme_key, outputs=rendered.outputs, summary=summary,
            shape=self.shape, docs_key=self.docs_key, scheduled=self.scheduled, related=self.related_paths, files=files, output_id=output_id, pages=self.page_files,
            recent=recent_digests(snapshot, started, rendered.entries, config),
        )
