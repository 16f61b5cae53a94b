"""What a build reuses from the last one: the build cache, and the two seams where it enters.

The seams are `earlier_posts` (posts parsed from the very bytes this build would read) and
`split_plan` (planned outputs whose files would be the same). The functions build.py calls are
imported when first used (PEP 562), as the stages are (see builder/pipeline/__init__.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

SEAMS = {  # what build.py calls → the module that has it
    "recall_last_build": "state",
    "nothing_changed": "unchanged",
    "report_unchanged": "unchanged",
    "earlier_posts": "posts",
    "reuse_pages": "pages",
    "split_plan": "pages",
    "ThisBuild": "remember",
    "remember_build": "remember",
}
__all__ = [
    "ThisBuild",
    "earlier_posts",
    "nothing_changed",
    "recall_last_build",
    "remember_build",
    "report_unchanged",
    "reuse_pages",
    "split_plan",
]

if TYPE_CHECKING:
    from builder.incremental.pages import reuse_pages, split_plan
    from builder.incremental.posts import earlier_posts
    from builder.incremental.remember import ThisBuild, remember_build
    from builder.incremental.state import recall_last_build
    from builder.incremental.unchanged import nothing_changed, report_unchanged


def __getattr__(name: str) -> Any:
    if name not in SEAMS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{SEAMS[name]}"), name)
