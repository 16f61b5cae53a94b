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


def relate_posts(posts: tuple[Post, ...], taxonomies: tuple[Taxonomy, ...], *, limit: int = 4, reach: int = 10) -> dict[str, tuple[Post, ...]]:
    """For each post, a few related posts: most shared tags (counted twice) and countries.

    Candidates are the `reach` posts nearest in time on either side in each of the post's
    terms, so the cost grows with the number of posts, not its square. Ties go to the post
    nearest in time, then to slug and source: the same input always gives the same choice.
    """
    position = {(term.path, post.path): i for taxonomy in taxonomies for term in taxonomy.terms for i, post in enumerate(term.posts)}
    members = {term.path: term.posts for taxonomy in taxonomies for term in taxonomy.terms}
    weight = {taxonomy.name: 2 if taxonomy.name == "tags" else 1 for taxonomy in taxonomies}
    refs = {post.path: {ref.path: weight.get(ref.taxonomy, 1) for ref in post.countries + post.tags} for post in posts}
    related = {}
    for post in posts:
        mine = refs[post.path]
        candidates: dict[str, Post] = {}
        for term_path in mine:
            i = position[(term_path, post.path)]
            for other in members[term_path][max(0, i - reach) : i + reach + 1]:
                candidates[other.path] = other
        candidates.pop(post.path, None)
        scored = sorted(
            (-sum(w for path, w in mine.items() if path in refs[other.path]), abs((other.date - post.date).total_seconds()), other.slug, other.source, other)
            for other in candidates.values()
        )
        related[post.path] = tuple(item[-1] for item in scored[:limit])
    return related
