"""sitemap.xml (every page, with lastmod) and robots.txt (naming the sitemap)."""

from __future__ import annotations

from html import escape

from builder.outputs import Bytes, Sitemap
from builder.pipeline.config import SiteConfig


def render_sitemap(sitemap: Sitemap, config: SiteConfig) -> Bytes:
    """A sitemap of every page meant for search engines, in plan order."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, updated in sitemap.pages:
        lastmod = f"<lastmod>{updated.isoformat()}</lastmod>" if updated else ""
        lines.append(
            f"  <url><loc>{escape(config.base_url + path, quote=False)}</loc>{lastmod}</url>"
        )
    lines.append("</urlset>\n")
    return Bytes(sitemap.file, "\n".join(lines).encode("utf-8"))


def render_robots(config: SiteConfig) -> Bytes:
    """Allow everything and name the sitemap."""
    return Bytes(
        "robots.txt",
        f"User-agent: *\nAllow: /\n\nSitemap: {config.base_url}sitemap.xml\n".encode("utf-8"),
    )
