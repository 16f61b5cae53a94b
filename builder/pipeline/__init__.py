"""The stages of a build, in the order build.py runs them.

Each is imported when first used (PEP 562's module __getattr__): a build that finds nothing
changed never imports the stages that need Markdown, Jinja2 or YAML, and ends at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

STAGES = {  # what build.py calls → the module that has it
    "load_inputs": "inputs",
    "find_sources": "sources",
    "parse_content": "parse",
    "assemble_site": "taxonomy",
    "relate_posts": "related",
    "plan_site": "plan",
    "render_outputs": "render",
    "find_pagefind": "search",
    "index_search": "search",
    "no_index": "search",
    "claimed_output": "write",
    "check_collisions": "collisions",
    "PageSink": "write",
}
__all__ = [
    "PageSink",
    "assemble_site",
    "check_collisions",
    "claimed_output",
    "find_pagefind",
    "find_sources",
    "index_search",
    "load_inputs",
    "no_index",
    "parse_content",
    "plan_site",
    "relate_posts",
    "render_outputs",
]

if TYPE_CHECKING:
    from builder.pipeline.inputs import load_inputs
    from builder.pipeline.parse import parse_content
    from builder.pipeline.plan import plan_site
    from builder.pipeline.related import relate_posts
    from builder.pipeline.render import render_outputs
    from builder.pipeline.search import find_pagefind, index_search, no_index
    from builder.pipeline.sources import find_sources
    from builder.pipeline.taxonomy import assemble_site
    from builder.pipeline.collisions import check_collisions
    from builder.pipeline.write import PageSink, claimed_output


def __getattr__(name: str) -> Any:
    if name not in STAGES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{STAGES[name]}"), name)
