"""The sizes of the files the last build left in the output, as a build finds them as it starts."""

from __future__ import annotations

import os
from array import array
from pathlib import Path
from typing import Sequence

from builder.parallel import Aside

SIZES_ASIDE_OVER = 2000  # the sizes of more output files than this are measured on another core


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
        self.aside = (
            Aside(lambda: array("q", [size_of(out, path) for path in paths]).tobytes())
            if out is not None and len(paths) > SIZES_ASIDE_OVER
            else None
        )

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
