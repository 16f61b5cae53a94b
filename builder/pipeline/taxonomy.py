"""The taxonomies stage: posts grouped into terms (countries and tags are the same kind of thing)
and the site assembled."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from builder.pipeline.config import Country
from builder.pipeline.inputs import Inputs
from builder.pipeline.parse import Content
from builder.pipeline.sources import Sources
from builder.model import Post, Site, Taxonomy, Term, TermRef


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
        Term(
            taxonomy=name,
            slug=slug,
            name=spelling[slug],
            posts=tuple(reversed(found)),
            code=codes.get(slug),
        )
        for slug, found in sorted(
            members.items(), key=lambda item: (spelling[item[0]].casefold(), item[0])
        )
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


def assemble_site(inputs: Inputs, content: Content, sources: Sources) -> Site:
    """Group the posts into countries and tags; show each tag with one spelling."""
    config, strings, posts = inputs.config, inputs.theme.strings, content.posts
    tags = build_taxonomy("tags", strings["tags_title"], posts, lambda p: p.tags)
    spelt = apply_spellings(posts, tags)
    if any(
        post is not before for post, before in zip(spelt, posts, strict=True)
    ):  # else the tags hold these very posts
        tags = build_taxonomy("tags", strings["tags_title"], spelt, lambda p: p.tags)
    countries = build_taxonomy(
        "countries",
        strings["countries_title"],
        spelt,
        lambda p: p.countries,
        countries=config.countries,
    )
    return Site(
        config=config,
        posts=spelt,
        docs=content.docs,
        countries=countries,
        tags=tags,
        assets=sources.assets,
    )
