"""The first seam: the posts an earlier build parsed from the very bytes this build would read.

A post is taken from the cache when its file's stat is the one the last build saw (and was not
saved too close to that build to trust it), or, when only its time changed (a `git checkout`,
a restored backup) or it was saved too close, when its bytes are the ones parsed: it is not
parsed again. Nothing is taken under other settings (site.toml, the base URL, newsroom's
version: Inputs.settings_key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from builder.incremental.records import CachedPost
from builder.incremental.state import LastBuild
from builder.incremental.store import Loaded, load_posts
from builder.incremental.unchanged import trusted_before
from builder.model import ParsedPost
from builder.pipeline.inputs import Inputs
from builder.pipeline.sources import Sources, file_digest


@dataclass(frozen=True, slots=True)
class EarlierPosts:
    """The posts this build may take as they are (`parsed`, by source), and the cache's posts
    as they were loaded (to know which posts files need not be written again)."""

    parsed: Mapping[str, ParsedPost]
    loaded: Loaded | None


def earlier_posts(last: LastBuild, sources: Sources, inputs: Inputs) -> EarlierPosts:
    """The posts of the cache whose files are unchanged, by source."""
    state = last.state
    if state is None or state.settings_key != inputs.settings_key:
        return EarlierPosts({}, None)
    loaded = load_posts(last.cache, last.warm)
    trusted, root = trusted_before(state), inputs.config.root
    found = {}
    for rel, stat in sources.posts:
        entry = loaded.posts.get(rel)
        if entry is None:
            continue
        if entry.stat == stat and stat[0] < trusted:
            found[rel] = entry.post
        elif (
            entry.stat[1] == stat[1]
            and entry.post.digest
            and file_digest(root / rel) == entry.post.digest
        ):
            found[rel] = entry.post  # the same bytes (a file of another size has other bytes)
    return EarlierPosts(found, loaded)


def changed_posts(parsed: Mapping[str, ParsedPost], earlier: EarlierPosts) -> frozenset[str]:
    """The posts that are not exactly as the last build cached them (parsed again or not)."""
    before = earlier.loaded.posts if earlier.loaded else {}
    changed = set()
    for source, post in parsed.items():
        old = before.get(source)
        if old is None or (
            post is not old.post and (post.meta != old.post.meta or post.body != old.post.body)
        ):
            changed.add(source)
    return frozenset(changed)


def cache_records(
    parsed: Mapping[str, ParsedPost], sources: Sources, earlier: EarlierPosts
) -> dict[str, CachedPost]:
    """Every post as the next build's cache keeps it: the very record loaded if nothing in it
    changed (so that its posts file is not written again), else a new one."""
    before = earlier.loaded.posts if earlier.loaded else {}
    records = {}
    for rel, stat in sources.posts:
        post = parsed.get(rel)
        if post is None:
            continue
        old = before.get(rel)
        records[rel] = (
            old
            if old is not None and old.post is post and old.stat == stat
            else CachedPost(stat, post)
        )
    return records
