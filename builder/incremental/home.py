"""Where the build cache lives: `<site>/.newsroom-cache/<output name>-<key>/`, one folder per
output folder, under the site's own root and never in or beside a folder that may be served.

The cache holds every post's text, drafts' too. An older newsroom kept it beside the output
(`<output's parent>/.newsroom-cache/<output name>/`), where serving the output's parent
published it.
"""

from __future__ import annotations

import os
from pathlib import Path

from builder.digest import digest

CACHE_NAME = ".newsroom-cache"
MAGIC = b"newsroom-cache\n"  # the first bytes of every cache file (incremental/store.py)
LOCK_NAME = "build.lock"  # the output's lock (pipeline/lock.py), in its cache folder
NAME_CHARS = 40  # of the output's name, shown in the cache folder's for humans
KEY_CHARS = 10  # hex digits of the hash of the output's resolved path


def cache_dir(root: Path, out: Path) -> Path:
    """The cache folder of the output folder `out` of the site at `root`: the same for `out`
    given as a relative or an absolute path, another for every other output folder."""
    out = Path(os.path.abspath(out)).resolve()
    key = digest(os.fsencode(out))[:KEY_CHARS]
    return Path(root).resolve() / CACHE_NAME / f"{out.name[:NAME_CHARS]}-{key}"
