"""Everything that patches or re-implements a library's private internals, one module per library.

Each module has one function that turns it on for one instance (`speed_up`), called where the
instance is made, and says in its docstring what it buys. NEWSROOM_SPEEDUPS=0 in the environment
turns every one off: a build is then byte-identical, only slower
(tests/test_speedups_markdown.py, tests/test_speedups_jinja.py). Each module's GAINS says what
it buys.
"""

from __future__ import annotations

import os

SWITCH = "NEWSROOM_SPEEDUPS"


def enabled() -> bool:
    """False when the environment says NEWSROOM_SPEEDUPS=0."""
    return os.environ.get(SWITCH, "1").strip() != "0"
