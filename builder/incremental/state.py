"""What one build leaves for the next (BuildState), and the last build as this one finds it.

The state is the small part of the cache: enough to see that nothing changed, and what the
seams need (incremental/posts.py, incremental/pages.py). It is made from this build's values by
one function, next_state, and saved with the posts by remember_build.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from builder import __version__
from builder.errors import Problem
from builder.incremental import store
from builder.incremental.home import cache_dir, remove_old_cache
from builder.incremental.sizes import Sizes
from builder.incremental.store import Warm
from builder.model import BuildReport
from builder.pipeline.commit import output_id
from builder.pipeline.inputs import Inputs
from builder.pipeline.search import pagefind_key
from builder.pipeline.search_bundles import SearchMemory
from builder.pipeline.sources import Sources


@dataclass(slots=True, kw_only=True)
class BuildState:
    """The small part of the cache: what the last build read and made."""

    snapshot: tuple = ()  # newsroom's version, the build's options, every input file's stat
    started: int = 0  # wall-clock ns when that build looked at its inputs (never written to output)
    taken: frozenset[str] = frozenset()  # the posts the build took (drafts/scheduled decide)
    dates: tuple[tuple[str, float, bool], ...] = ()  # (source, date, draft) of every post
    settings_key: str = ""  # parsed posts are valid only under the same key (Inputs.settings_key)
    theme_key: str = ""  # rendered pages are valid only under the same key (Theme.key)
    outputs: dict[str, tuple[str, int]] = field(
        default_factory=dict
    )  # output path → (fingerprint, size)
    files: frozenset[str] = frozenset()  # every file that build left in the output…
    output_id: tuple[int, ...] = ()  # …which is this folder (commit.output_id) if it is the same
    shape: str = ""  # which posts, in which order, under which terms (see pages.shape_of)
    docs_key: str = ""  # the part of the shape that is not the posts (see pages.docs_key)
    scheduled: frozenset[str] = (
        frozenset()
    )  # the posts taken although dated after the build's "now"
    related: dict[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # post path → its related posts' paths
    pages: tuple[str, ...] = ()  # the file of every page, in plan order
    any_pages: frozenset[str] = (
        frozenset()
    )  # the files of the pages that may show any post (always planned)
    # what that build reported, with its warnings and left-out posts (a build that finds
    # nothing changed reports the same)
    report: BuildReport | None = None
    recent: dict[str, bytes] | None = (
        None  # what checks the inputs saved just before that build (unchanged.recent_digests)
    )
    # the search index's memory (search.bin) is this build's
    # if it says it was made at this `started`
    search_made: int = 0


@dataclass(frozen=True, slots=True)
class LastBuild:
    """The last build into this output, as this build finds it: its state (None if there is
    none, it is damaged or from another version, or --clean asked to ignore it)."""

    out: Path
    cache: Path  # this output's cache folder (incremental/home.py)
    state: BuildState | None
    sizes: Sizes  # of the files it left in the output, measured as this build reads its inputs
    options: tuple  # this build's options that its output depends on (the base URL, drafts…)
    warm: Warm | None  # the cache's posts files kept in memory by this process (newsroom serve)
    notes: tuple[Problem, ...] = ()  # warnings of this build about the cache (an old one removed)

    def snapshot(self, sources: Sources) -> tuple:
        """What this build's state will say it read: newsroom's version, its options, every
        input file's stat (see unchanged.nothing_changed)."""
        return (__version__, self.options, sources.stats)

    def compiled(self, inputs: Inputs) -> dict[str, bytes]:
        """The templates it compiled, if the theme is the one it compiled."""
        if self.state is None or self.state.theme_key != inputs.theme.key:
            return {}
        return store.load_compiled(self.cache)

    def known_files(self) -> frozenset[str] | None:
        """The files it left in the output, if the output is still the folder it left them in."""
        state = self.state
        if state is None or not state.output_id or state.output_id != output_id(self.out):
            return None
        return state.files

    def search(self) -> SearchMemory | None:
        """The search index's memory, if it is that of the build the state describes."""
        state = self.state
        if state is None or not state.search_made:
            return None
        found = store.load(store.search_path(self.cache), SearchMemory)
        return (
            found if isinstance(found, SearchMemory) and found.made == state.search_made else None
        )


def posts_only(state: BuildState) -> BuildState:
    """What a state still tells when the output is not the one it describes: the settings and
    theme its posts and templates were made under. The output changed since (by a build whose
    cache could not be saved; the cache is a restored older copy; the folder was replaced), so
    nothing it says of the output's files holds: the build looks at every page and file again."""
    return BuildState(
        started=state.started, settings_key=state.settings_key, theme_key=state.theme_key
    )


@contextmanager
def recall_last_build(
    inputs: Inputs, *, clean: bool, warm: Warm | None, pagefind: Path | None
) -> Iterator[LastBuild]:
    """The last build into this build's output folder (nothing of it if `clean`); the sizes of
    the files it left start being measured on another core. Run under the output's lock: the
    cache an older newsroom kept beside the output is removed (incremental/home.py)."""
    out = inputs.config.output_dir
    cache = cache_dir(inputs.config.root, out)
    notes = remove_old_cache(out, cache)
    state = None if clean else store.load(store.state_path(cache), BuildState)
    assert state is None or isinstance(state, BuildState)
    if state is not None and state.output_id != output_id(out):
        state = posts_only(state)
    select = inputs.select
    options = (
        inputs.config.base_url,
        select.drafts,
        select.future,
        select.preview,
        pagefind_key(pagefind),
    )
    sizes = Sizes(out, tuple(state.outputs) if state else ())
    try:
        yield LastBuild(out, cache, state, sizes, options, warm, notes)
    finally:
        sizes.close()
