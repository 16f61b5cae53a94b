"""The second seam: before pages are rendered, the planned outputs split into those to render and
those whose file the last build left is exactly what this build would make.

A build of the same "shape" as the last (the same posts in the same order under the same
terms, the same pages in the menu) plans only the pages that show a changed post (and those
that may show any post), takes the last build's related posts, and keeps every other file:
they show nothing that changed. Otherwise each output is compared by the fingerprint of what it
shows (incremental/fingerprint.py). A kept file must still be in the output at the size it was
made; else it is made again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Mapping

from builder.incremental.fingerprint import Fingerprinter, value_of
from builder.incremental.posts import EarlierPosts, changed_posts
from builder.incremental.sizes import Sizes
from builder.incremental.state import LastBuild
from builder.model import ParsedPost, Post, PostMeta, Site
from builder.outputs import Kept, Page, Planned
from builder.parallel import map_in_order
from builder.pipeline.inputs import Inputs

SITEMAP = "sitemap.xml"


@dataclass(frozen=True, slots=True, kw_only=True)
class PageReuse:
    """What of the last build's output this build may keep."""

    outputs: Mapping[
        str, tuple[str, int]
    ]  # the last build's (fingerprint, size) by file, where still valid
    sizes: Sizes  # of those files as this build found them
    changed: frozenset[str]  # the posts not exactly as the last build had them
    shape: str  # this build's shape (shape_of)
    docs_key: str
    scheduled: frozenset[str]
    same_shape: bool
    only: frozenset[str] | None = None  # plan only the pages showing these posts
    previous_pages: tuple[str, ...] = ()  # the last build's pages: those not planned are kept
    related: Mapping[str, tuple[Post, ...]] | None = (
        None  # the last build's related posts, if still right
    )


@dataclass(frozen=True, slots=True)
class PlanSplit:
    """The planned outputs to render, the files kept, and the fingerprint of each output that
    has one (for the next build)."""

    todo: list[Planned]
    kept: list[Kept]
    fingerprints: dict[str, str] = field(default_factory=dict)
    pages: tuple[str, ...] = ()  # the file of every page of the site, in plan order
    any_pages: frozenset[str] = frozenset()  # the files of the pages that may show any post


def reuse_pages(
    last: LastBuild,
    site: Site,
    parsed: Mapping[str, ParsedPost],
    earlier: EarlierPosts,
    inputs: Inputs,
) -> PageReuse:
    """What the last build left that this build's pages may keep."""
    state, preview = last.state, inputs.select.preview
    changed = changed_posts(parsed, earlier)
    valid = (
        state is not None
        and state.settings_key == inputs.settings_key
        and state.theme_key == inputs.theme.key
    )
    docs = docs_key(site, preview)
    outputs = (
        state.outputs if state is not None and valid and state.docs_key == docs else {}
    )  # every page shows the menu
    scheduled = frozenset(post.source for post in site.posts if post.scheduled)
    previous = state.shape if state is not None and outputs else ""
    keeps = (
        bool(previous)
        and state is not None
        and state.scheduled == scheduled
        and keeps_shape(state.taken, site, parsed, earlier, changed)
    )
    shape = previous if keeps else shape_of(site, preview)
    reuse = PageReuse(
        outputs=outputs,
        sizes=last.sizes,
        changed=changed,
        shape=shape,
        docs_key=docs,
        scheduled=scheduled,
        same_shape=bool(previous) and shape == previous,
    )
    if not reuse.same_shape or state is None:
        return reuse
    always = state.any_pages  # planned in every build: they may show any post
    pages = (
        state.pages
        if state.pages
        and all(path in always or present(reuse, path) for path in (*state.pages, SITEMAP))
        else ()
    )
    return replace(
        reuse,
        only=changed if pages else None,
        previous_pages=pages,
        related=last_related(state.related, site),
    )


def last_related(
    paths: Mapping[str, tuple[str, ...]], site: Site
) -> dict[str, tuple[Post, ...]] | None:
    """The last build's related posts, as this build's posts; None if one is missing."""
    by_path = {post.path: post for post in site.posts}
    try:
        found = {path: tuple([by_path[p] for p in related]) for path, related in paths.items()}
    except KeyError:
        return None
    return found if len(found) == len(site.posts) else None


def present(reuse: PageReuse, path: str) -> bool:
    """True if the last build's file at `path` is in the output at the size it was made."""
    before = reuse.outputs.get(path)
    return before is not None and reuse.sizes.of(path) == before[1]


def split_plan(reuse: PageReuse, planned: tuple[Planned, ...], *, jobs: int) -> PlanSplit:
    """The planned outputs to render, and links to the last build's files for the rest."""
    todo, kept, fingerprints, unknown = [], [], {}, []
    outputs, changed, same = reuse.outputs, reuse.changed, reuse.same_shape
    for output in planned:
        path, shows, before = output.file, output.shows, outputs.get(output.file)
        if same and shows is not None and changed.isdisjoint(shows) and before is not None:
            fingerprints[path] = before[0]  # shows no changed post: it shows the same
            (kept.append(Kept(path)) if present(reuse, path) else todo.append(output))
        elif same and shows is None:
            todo.append(
                output
            )  # shows any post, and some changed: cheaper to render than to fingerprint
        else:
            unknown.append(output)
    prints = Fingerprinter()
    marks = map_in_order(lambda output: prints.of(value_of(output)).hex(), unknown, jobs=jobs)
    for output, mark in zip(unknown, marks, strict=True):
        fingerprints[output.file] = mark
        before = outputs.get(output.file)
        same_file = before is not None and before[0] == mark and present(reuse, output.file)
        (kept.append(Kept(output.file)) if same_file else todo.append(output))
    pages = tuple(output.file for output in planned if isinstance(output, Page))
    any_pages = frozenset(output.file for output in planned if output.shows is None)
    if reuse.only is not None:  # the pages not planned show no changed post: kept as they are
        planned_files = {output.file for output in planned}
        for path in (*reuse.previous_pages, SITEMAP):
            if path not in planned_files:
                fingerprints[path] = outputs[path][0]
                kept.append(Kept(path))
        pages = reuse.previous_pages
    return PlanSplit(todo, kept, fingerprints, pages, any_pages)


def shape_of(site: Site, preview: bool) -> str:
    """What every page depends on besides the posts it shows: which posts there are, their
    order, their terms (as spelt), the pages in the menu, and whether this is a preview.

    Two builds of the same shape plan the same pages showing the same posts: only pages that
    show a changed post can differ.
    """
    h = hashlib.blake2b(docs_key(site, preview).encode(), digest_size=16)
    for post in site.posts:
        terms = tuple((ref.taxonomy, ref.slug, ref.name) for ref in post.countries + post.tags)
        h.update(
            repr(
                (
                    post.source,
                    post.slug,
                    post.date.isoformat(),
                    post.end_date,
                    post.draft,
                    post.scheduled,
                    terms,
                    post.aliases,
                )
            ).encode("utf-8", "surrogatepass")
        )
    return h.hexdigest()


def docs_key(site: Site, preview: bool) -> str:
    """The shape apart from the posts: the pages in the menu, and whether this is a preview."""
    h = hashlib.blake2b(repr(preview).encode(), digest_size=16)
    for doc in site.docs:
        h.update(
            repr((doc.source, doc.slug, doc.title, doc.summary, str(doc.html))).encode(
                "utf-8", "surrogatepass"
            )
        )
    return h.hexdigest()


def keeps_shape(
    taken: frozenset[str],
    site: Site,
    parsed: Mapping[str, ParsedPost],
    earlier: EarlierPosts,
    changed: frozenset[str],
) -> bool:
    """True if this build's shape is surely the last build's, known without hashing every post:
    the same posts taken, and every changed post with the same front matter where the shape
    looks (then its order and every term's spelling are the same too). The caller has checked
    the scheduled posts and the pages in the menu."""
    before = earlier.loaded.posts if earlier.loaded else {}
    for source in changed:
        old, now = before.get(source), parsed.get(source)
        if old is None or now is None or shape_fields(old.post.meta) != shape_fields(now.meta):
            return False
    return len(site.posts) == len(taken) and all(post.source in taken for post in site.posts)


def shape_fields(meta: PostMeta) -> tuple:
    """What a post's front matter gives the shape (its terms as the editor spelt them)."""
    return (
        meta.source,
        meta.slug,
        meta.date.isoformat(),
        meta.end_date,
        meta.draft,
        meta.countries,
        meta.tags,
        meta.aliases,
    )
