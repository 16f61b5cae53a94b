"""Walk a built site like a crawler: every href/src of every page must resolve to a file."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parse_page(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def file_for(out: Path, url_path: str, base_path: str) -> Path | None:
    """The file a static host serves for `url_path` when `out` is published at `base_path`."""
    if not url_path.startswith(base_path):
        return None
    rel = unquote(url_path[len(base_path) :])
    target = out / rel
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() and target.resolve().is_relative_to(out.resolve()) else None


def broken_links(out: Path, base_url: str) -> list[str]:
    """Every internal link (fragments included) that does not resolve, as 'page: link'."""
    base = urlsplit(base_url)
    broken, ids = [], {}
    for page in sorted(out.rglob("*.html")):
        rel = page.relative_to(out).as_posix()
        page_url = base_url + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        for link in parse_page(page).links:
            url = urlsplit(urljoin(page_url, link))
            if url.scheme not in ("http", "https") or url.netloc != base.netloc:
                continue
            target = file_for(out, url.path, base.path)
            if target is None:
                broken.append(f"{rel}: {link}")
            elif url.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse_page(target).ids
                if unquote(url.fragment) not in ids[target]:
                    broken.append(f"{rel}: {link} (no id '{url.fragment}')")
    return broken
