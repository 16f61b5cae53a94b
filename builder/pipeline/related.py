"""Related posts: for each post, a few others that share its countries and tags."""

from __future__ import annotations

import heapq

from builder.model import Post, Site, Taxonomy
from builder.parallel import map_in_order


def relate_posts(
    site: Site, *, limit: int = 4, reach: int = 10, jobs: int = 1
) -> dict[str, tuple[Post, ...]]:
    """For each post, a few related posts: most shared tags (counted twice) and countries.

    Candidates are the `reach` posts nearest in time on either side in each of the post's
    terms, so the cost grows with the number of posts, not its square. Ties go to the post
    nearest in time, then to slug and source: the same input always gives the same choice.
    """
    posts = site.posts
    bits: dict[tuple[str, str], int] = {}  # each term one bit: shared terms are counted with &
    tags, countries = term_bits(posts, "tags", bits), term_bits(posts, "countries", bits)
    stamps = [post.date.timestamp() for post in posts]
    by_name = {
        j: rank
        for rank, j in enumerate(
            sorted(range(len(posts)), key=lambda j: (posts[j].slug, posts[j].source))
        )
    }
    members, position = term_members(posts, (site.countries, site.tags))

    def choose(i: int) -> tuple[int, ...]:
        post = posts[i]
        mine = [("tags", ref.slug) for ref in post.tags] + [
            ("countries", ref.slug) for ref in post.countries
        ]
        candidates = set()
        for key in dict.fromkeys(mine):
            at = position[(*key, i)]
            candidates.update(members[key][max(0, at - reach) : at + reach + 1])
        candidates.discard(i)
        my_tags, my_countries, when = tags[i], countries[i], stamps[i]
        scored = heapq.nsmallest(
            limit,
            (
                (
                    -(
                        2 * (my_tags & tags[j]).bit_count()
                        + (my_countries & countries[j]).bit_count()
                    ),
                    abs(stamps[j] - when),
                    by_name[j],
                    j,
                )
                for j in candidates
            ),
        )
        return tuple(item[-1] for item in scored)

    chosen = map_in_order(choose, range(len(posts)), jobs=jobs)  # each choice is its own
    return {
        post.path: tuple(posts[j] for j in found) for post, found in zip(posts, chosen, strict=True)
    }


def term_bits(
    posts: tuple[Post, ...], taxonomy: str, bits: dict[tuple[str, str], int]
) -> list[int]:
    """Each post's terms of one taxonomy as one integer, a bit per term (new terms get a bit)."""
    return [
        sum(
            1 << bits.setdefault((taxonomy, ref.slug), len(bits))
            for ref in {ref.slug: ref for ref in getattr(post, taxonomy)}.values()
        )
        for post in posts
    ]


def term_members(
    posts: tuple[Post, ...], taxonomies: tuple[Taxonomy, ...]
) -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, str, int], int]]:
    """Each term's posts (as indexes into `posts`, in the term's order), and where in its term
    each post stands: (taxonomy, term slug, post index) → position."""
    index = {id(post): i for i, post in enumerate(posts)}
    members: dict[tuple[str, str], list[int]] = {}
    position: dict[tuple[str, str, int], int] = {}
    for taxonomy in taxonomies:
        for term in taxonomy.terms:
            key = (taxonomy.name, term.slug)
            members[key] = [index[id(p)] for p in term.posts]
            position.update(
                ((taxonomy.name, term.slug, i), at) for at, i in enumerate(members[key])
            )
    return members, position
