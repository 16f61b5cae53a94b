"""schema.org data for search engines: a post as a JSON-LD NewsArticle (a plain dict)."""

from __future__ import annotations

from typing import Any

from builder.pipeline.config import SiteConfig
from builder.model import Post


def news_article(post: Post, config: SiteConfig) -> dict[str, Any]:
    """The NewsArticle of a post.

    Templates write it with Jinja's `tojson` (which escapes <, >, & and ').
    """
    url = config.base_url + post.path
    publisher = {"@type": "Organization", "name": config.title, "url": config.base_url}
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": post.title,
        "description": post.summary,
        "datePublished": post.date.isoformat(),
        "dateModified": post.date.isoformat(),
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": config.language,
        "about": [
            {"@type": "Country", "name": ref.name, "url": config.base_url + ref.path}
            for ref in post.countries
        ],
        "keywords": [ref.name for ref in post.countries + post.tags],
        "author": publisher,
        "publisher": publisher,
    }
    if post.location:
        article["contentLocation"] = {"@type": "Place", "name": post.location}
    return article
