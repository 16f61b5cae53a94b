"""Site-wide checks for editors: links to pages that do not exist (an error: a published page
never links to nothing), tags spelt two ways (a warning)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from builder.errors import ContentError, Problem
from builder.model import Site, output_file


def target_exists(path: str, files: set[str]) -> bool:
    """True if a static host would find a file for this site-relative path."""
    return path in files or output_file(path) in files


def broken_site_links(site: Site, files: set[str]) -> list[Problem]:
    """Links in post bodies to pages of this site that the build does not make."""
    base_path = site.config.base_path
    problems = []
    for post in site.posts:
        for url, line in post.links:
            path = urlsplit(url).path
            if path.startswith(base_path) and not target_exists(
                unquote(path[len(base_path) :]), files
            ):
                problems.append(
                    Problem(
                        post.source,
                        line,
                        f"the link '{url}' goes to a page of this site that does not exist",
                    )
                )
    return problems


def spelling_variants(site: Site) -> list[Problem]:
    """Tags that differ only by '-' or spaces ('e-commerce' / 'ecommerce')."""
    groups: dict[str, list] = {}
    for term in site.tags.terms:
        groups.setdefault(term.slug.replace("-", ""), []).append(term)
    problems = []
    for terms in groups.values():
        if len(terms) < 2:
            continue
        usual = max(terms, key=lambda t: (t.count, -len(t.slug))).name
        for term in terms:
            if term.name == usual:
                continue
            for post in term.posts:
                problems.append(
                    Problem(
                        post.source,
                        post.line_of("tags"),
                        f"the tag '{term.name}' looks like '{usual}': use one spelling",
                        "warning",
                    )
                )
    return problems


def refuse_broken_links(site: Site, paths: set[str]) -> None:
    """Raise ContentError naming every link to a page of this site that is not among `paths`
    (every file of the output), before anything is written."""
    if problems := broken_site_links(site, paths):
        raise ContentError(problems)


def find_site_warnings(site: Site) -> list[Problem]:
    """Every site-wide warning, for `newsroom check` and the build's report."""
    return spelling_variants(site)
