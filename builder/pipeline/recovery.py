"""What a killed build left beside the output, found by name and finished or removed.

A build makes its folders beside the output under names made of the output's name and its
pid (pipeline/commit.py; the search index's scratch folder has a random suffix instead). The
next build, holding the output's lock (pipeline/lock.py), completes a journalled commit, puts
back an old folder not swapped back, and removes the rest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from builder.pipeline.commit import JOURNAL, commit_stage


def recover_output(out: Path) -> bool:
    """Finish or undo what a killed build left beside the output; True if there was anything.

    A staged update whose journal was written is completed (its renames are idempotent); a
    half-made folder or stage is removed; an old folder not swapped back is put back. Run only
    under the output's lock (pipeline/lock.py), so every such folder is a dead build's.
    """
    found = leftovers(out)
    for stage in found["stage"]:
        journal = stage / JOURNAL
        if journal.is_file() and out.is_dir():
            plan = json.loads(journal.read_text(encoding="utf-8"))
            commit_stage(stage, out, plan["move"], plan["delete"])
        shutil.rmtree(stage, ignore_errors=True)
    for path in found["new"] + found["old"]:
        if path.name.startswith(f".{out.name}.old-") and not out.exists():
            path.rename(out)
        else:
            shutil.rmtree(path, ignore_errors=True)
    return any(found.values())


LEFTOVER = re.compile(r"(stage|new|old)-[0-9]+|(new)-index-[a-z0-9_]+")  # a pid; mkdtemp's name


def leftovers(out: Path) -> dict[str, list[Path]]:
    """The folders builds of `out` make beside it (`.<name>.new-<pid>`, `.<name>.stage-<pid>`,
    `.<name>.old-<pid>`, and the search scratch `.<name>.new-index-<random>` an older newsroom
    made), by kind, in name order.

    Found by listing the folder and comparing names: the output's name is never made into a
    glob pattern (a name holding `[`, `*` or `?` would miss its own or match others')."""
    found: dict[str, list[Path]] = {"stage": [], "new": [], "old": []}
    prefix = f".{out.name}."
    try:
        names = sorted(os.listdir(out.parent))
    except OSError:  # no folder yet, or one that cannot be read: nothing a build left there
        return found
    for name in names:
        match = LEFTOVER.fullmatch(name[len(prefix) :]) if name.startswith(prefix) else None
        if match:
            found[match[1] or match[2]].append(out.parent / name)
    return found
