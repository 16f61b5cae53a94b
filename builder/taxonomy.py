"""Group posts into terms: countries and tags are the same kind of thing."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from builder.config import Country
from builder.model import Post, Taxonomy, Term, TermRef


def build_taxonomy(
    name: str,
    title: str,
    posts: tuple[Post, ...],
    refs: Callable[[Post], tuple[TermRef, ...]],
    *,
    countries: tuple[Country, ...] = (),
) -> Taxonomy:
    """One term per slug, posts newest first, terms sorted by name.

    A term is shown with its first spelling (oldest post first). Countries from
    `countries` are listed even when no post is about them.
    """
    members: dict[str, list[Post]] = {}
    spelling: dict[str, str] = {}
    for post in reversed(posts):  # oldest first, so the first spelling wins
        for ref in refs(post):
            spelling.setdefault(ref.slug, ref.name)
            members.setdefault(ref.slug, []).append(post)
    codes: dict[str, str] = {}
    for country in countries:
        spelling[country.key] = country.name
        codes[country.key] = country.iso
        members.setdefault(country.key, [])
    terms = tuple(
        Term(taxonomy=name, slug=slug, name=spelling[slug], posts=tuple(reversed(found)), code=codes.get(slug))
        for slug, found in sorted(members.items(), key=lambda item: (spelling[item[0]].casefold(), item[0]))
    )
    return Taxonomy(name=name, title=title, terms=terms)


def apply_spellings(posts: tuple[Post, ...], tags: Taxonomy) -> tuple[Post, ...]:
    """Show every tag of every post with its term's spelling."""
    names = {term.slug: term.name for term in tags.terms}

    def respell(post: Post) -> Post:
        if all(ref.name == names[ref.slug] for ref in post.tags):
            return post
        return replace(post, tags=tuple(replace(ref, name=names[ref.slug]) for ref in post.tags))

    return tuple(respell(post) for post in posts)


def related_posts(post: Post, posts: tuple[Post, ...], limit: int = 4) -> tuple[Post, ...]:
    """The posts sharing most countries and tags (a tag counts twice), nearest in time first."""
    mine = {ref.path for ref in post.tags}
    here = {ref.path for ref in post.countries}
    scored = []
    for other in posts:
        if other is post:
            continue
        score = 2 * len(mine & {r.path for r in other.tags}) + len(here & {r.path for r in other.countries})
        if score:
            scored.append((-score, abs((other.date - post.date).total_seconds()), other.slug, other.source, other))
    return tuple(item[-1] for item in sorted(scored, key=lambda s: s[:4])[:limit])
