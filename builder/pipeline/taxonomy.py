"""Group posts into terms: countries and tags are the same kind of thing."""

from __future__ import annotations

import heapq
from dataclasses import replace
from typing import Callable

from builder.pipeline.config import Country
from builder.model import Post, Taxonomy, Term, TermRef
from builder.parallel import map_in_order


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


def relate_posts(posts: tuple[Post, ...], taxonomies: tuple[Taxonomy, ...], *, limit: int = 4, reach: int = 10, jobs: int = 1) -> dict[str, tuple[Post, ...]]:
    """For each post, a few related posts: most shared tags (counted twice) and countries.

    Candidates are the `reach` posts nearest in time on either side in each of the post's
    terms, so the cost grows with the number of posts, not its square. Ties go to the post
    nearest in time, then to slug and source: the same input always gives the same choice.
    """
    index = {id(post): i for i, post in enumerate(posts)}
    bits: dict[tuple[str, str], int] = {}  # each term one bit: shared terms are counted with &
    tags = [sum(1 << bits.setdefault(("tags", ref.slug), len(bits)) for ref in {ref.slug: ref for ref in post.tags}.values()) for post in posts]
    countries = [sum(1 << bits.setdefault(("countries", ref.slug), len(bits)) for ref in {ref.slug: ref for ref in post.countries}.values()) for post in posts]
    stamps = [post.date.timestamp() for post in posts]
    by_name = {j: rank for rank, j in enumerate(sorted(range(len(posts)), key=lambda j: (posts[j].slug, posts[j].source)))}
    members: dict[tuple[str, str], list[int]] = {}
    position: dict[tuple[str, str, int], int] = {}
    for taxonomy in taxonomies:
        for term in taxonomy.terms:
            key = (taxonomy.name, term.slug)
            members[key] = [index[id(p)] for p in term.posts]
            position.update(((taxonomy.name, term.slug, i), at) for at, i in enumerate(members[key]))

    def choose(i: int) -> tuple[int, ...]:
        post = posts[i]
        mine = [("tags", ref.slug) for ref in post.tags] + [("countries", ref.slug) for ref in post.countries]
        candidates = set()
        for key in dict.fromkeys(mine):
            at = position[(*key, i)]
            candidates.update(members[key][max(0, at - reach) : at + reach + 1])
        candidates.discard(i)
        my_tags, my_countries, when = tags[i], countries[i], stamps[i]
        scored = heapq.nsmallest(limit, (
            (-(2 * (my_tags & tags[j]).bit_count() + (my_countries & countries[j]).bit_count()), abs(stamps[j] - when), by_name[j], j)
            for j in candidates
        ))
        return tuple(item[-1] for item in scored)

    chosen = map_in_order(choose, range(len(posts)), jobs=jobs)  # each post's choice is its own: any core
    return {post.path: tuple(posts[j] for j in found) for post, found in zip(posts, chosen, strict=True)}
