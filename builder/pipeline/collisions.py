"""Two things for one output file, found before anything is written.

`check` and `build` both call find_collisions on the files the site makes (pages, feeds and
the files copied as they are), so that check finds every collision the build would meet. Each
message names the content files responsible: both files when two collide, the file and what
newsroom makes there when newsroom claims the place itself (a page, a feed, the search index).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from builder.errors import ContentError, Problem
from builder.model import Site, output_file
from builder.outputs import Copy, OutputFile
from builder.pipeline.search import INDEX_DIR
from builder.pipeline.sources import rel_path

INDEX_FOLDER = f"{INDEX_DIR}/"


@dataclass(frozen=True, slots=True)
class Claim:
    """One output file and who makes it: a file of the site (`source`) or newsroom itself."""

    path: str  # under the output folder, with "/"
    source: str | None  # "content/images/map.png", "content/pages/about.md"; None: newsroom's
    copied: bool  # copied as it is (an asset), not made from the source
    alias: bool = False  # the redirect page at one of a post's `aliases`


def check_collisions(files: Iterable[OutputFile], site: Site, *, search: bool) -> None:
    """Raise ContentError naming every collision find_collisions finds."""
    problems = find_collisions(files, site, search=search)
    if problems:
        raise ContentError(problems)


def find_collisions(files: Iterable[OutputFile], site: Site, *, search: bool) -> list[Problem]:
    """Every output file claimed twice (ignoring case, as some hosts do), every name a host
    would read otherwise (a backslash), and, with `search`, every file of the site in the
    search index's folder; blamed on a file of the site, in the order of the files."""
    claims = claims_of(files, site)
    problems = [unreadable_name(claim) for claim in claims if "\\" in claim.path]
    if search:
        problems += [
            in_index_folder(claim)
            for claim in claims
            if claim.source and claim.path.casefold().startswith(INDEX_FOLDER)
        ]
    seen: dict[str, Claim] = {}
    for claim in sorted(claims, key=blame_order):
        key = claim.path.casefold()
        if key in seen:
            problems.append(two_claims(claim, seen[key]))
        else:
            seen[key] = claim
    return sorted(problems)


def claims_of(files: Iterable[OutputFile], site: Site) -> list[Claim]:
    """Who makes each file: a copy its source, a post's or page's page its Markdown file, any
    other file (and a second one where a post or page goes) newsroom itself."""
    root = site.config.root
    made_from: dict[str, list[str]] = {}
    aliased: dict[str, list[str]] = {}
    for item in (*site.posts, *site.docs):
        made_from.setdefault(output_file(item.path), []).append(item.source)
    for post in site.posts:
        for alias in post.aliases:
            aliased.setdefault(output_file(alias), []).append(post.source)
    claims = []
    for file in files:
        if isinstance(file, Copy):
            claims.append(Claim(file.path, rel_path(file.source, root), True))
        elif aliased.get(file.path):
            claims.append(Claim(file.path, aliased[file.path].pop(), False, alias=True))
        else:
            sources = made_from.get(file.path)
            claims.append(Claim(file.path, sources.pop() if sources else None, False))
    return claims


def blame_order(claim: Claim) -> tuple[bool, bool, bool, str, str]:
    """Newsroom's own files first, then the theme's, then content's, redirects of aliases last:
    the later one is blamed."""
    source = claim.source or ""
    return (
        claim.source is not None,
        source.startswith("content/"),
        claim.alias,
        source,
        claim.path,
    )


def remedy(claim: Claim) -> str:
    if claim.alias:
        return "an alias is an old URL no page has now: remove it from 'aliases'"
    return "rename or move it" if claim.copied else "give it another 'slug'"


def two_claims(later: Claim, first: Claim) -> Problem:
    """`later` would be written where `first` already is."""
    if first.source is None:
        where = "a file newsroom makes itself"
    else:
        made = "an alias of " if first.alias else "the page of "
        where = f"where {first.source if first.copied else made + first.source} goes"
    if later.path != first.path:
        where += f" (as /{first.path}: one file where case is ignored)"
    return Problem(
        later.source or later.path,
        None,
        f"would be written to /{later.path}, {where}: {remedy(later)}",
    )


def unreadable_name(claim: Claim) -> Problem:
    return Problem(
        claim.source or claim.path,
        None,
        f"the name holds a backslash, which browsers and Windows read as '/' (/{claim.path}):"
        " rename it",
    )


def in_index_folder(claim: Claim) -> Problem:
    return Problem(
        claim.source or claim.path,
        None,
        f"would be written to /{claim.path}, in /{INDEX_FOLDER}, where newsroom puts the search"
        f" index: {remedy(claim)}",
    )
