"""sitemap.xml (every page, with lastmod) and robots.txt (naming the sitemap)."""

from __future__ import annotations

import hashlib
from html import escape

from builder.pipeline.config import SiteConfig
from builder.model import Artifact, Page


def render_sitemap(pages: list[Page], config: SiteConfig) -> Artifact:
    """A sitemap of every page meant for search engines, in plan order."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in pages:
        if not page.in_sitemap:
            continue
        lines.append(f"  <url><loc>{escape(config.base_url + page.path, quote=False)}</loc>" + (f"<lastmod>{page.updated.isoformat()}</lastmod>" if page.updated else "") + "</url>")
    lines.append("</urlset>\n")
    data = "\n".join(lines).encode("utf-8")
    return Artifact(path="sitemap.xml", data=data, mark=hashlib.blake2b(data, digest_size=16).hexdigest())  # a build of the same shape keeps it


def render_robots(config: SiteConfig) -> Artifact:
    """Allow everything and name the sitemap."""
    return Artifact(path="robots.txt", data=f"User-agent: *\nAllow: /\n\nSitemap: {config.base_url}sitemap.xml\n".encode("utf-8"))
