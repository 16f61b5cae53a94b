"""Site-wide checks for editors: links to pages that do not exist, tags spelt two ways."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from builder.config import SiteConfig
from builder.errors import Problem
from builder.markup import line_in_body
from builder.model import Artifact, Site, SourceFile

HREF = re.compile(r'<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"')


def link_line(source: SourceFile | None, url: str, base_path: str) -> int:
    """The line of the body where a link is written (where the body starts if not found)."""
    if source is None:
        return 1
    written = "/" + url[len(base_path):] if url.startswith(base_path) and url not in source.body else url
    return line_in_body(source.body, source.body_line, written)


def target_exists(path: str, files: set[str]) -> bool:
    """True if a static host would find a file for this site-relative path."""
    return path in files or (path == "" or path.endswith("/")) and path + "index.html" in files


def broken_site_links(site: Site, files: set[str], sources: dict[str, SourceFile]) -> list[Problem]:
    """Links in post bodies to pages of this site that the build does not make."""
    config: SiteConfig = site.config
    site_host = urlsplit(config.base_url).netloc
    problems = []
    for post in site.posts:
        for url in HREF.findall(str(post.html)):
            parts = urlsplit(url.replace("&amp;", "&"))
            if (parts.netloc and parts.netloc != site_host) or (parts.scheme and parts.scheme not in ("http", "https")):
                continue
            if not parts.path.startswith(config.base_path):
                continue
            rel = unquote(parts.path[len(config.base_path):])
            if not target_exists(rel, files):
                line = link_line(sources.get(post.source), parts.path, config.base_path)
                problems.append(Problem(post.source, line, f"the link '{url}' goes to a page of this site that does not exist", "warning"))
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
                problems.append(Problem(post.source, post.line_of("tags"), f"the tag '{term.name}' looks like '{usual}': use one spelling", "warning"))
    return problems


def find_site_warnings(site: Site, artifacts: list[Artifact], sources: dict[str, SourceFile]) -> list[Problem]:
    """Every site-wide warning, for `newsroom check` and the build's report."""
    files = {artifact.path for artifact in artifacts}
    return broken_site_links(site, files, sources) + spelling_variants(site)

