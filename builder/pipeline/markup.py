"""Markdown to HTML with one reused Python-Markdown instance; links made site-aware."""

from __future__ import annotations

import importlib
import posixpath
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from builder.errors import ContentError, Problem
from builder.pipeline.sanitise import sanitise
from builder.speedups.markdown import speed_up

# Python-Markdown's "extra" (its seven, in its order), sane_lists and smarty. They are made from
# their modules: a name given to Markdown sends it through every installed package's entry
# points first (25 -> 19.5 ms for each Markdown made, measured).
EXTENSIONS = (
    "fenced_code",
    "footnotes",
    "attr_list",
    "def_list",
    "tables",
    "abbr",
    "md_in_html",
    "sane_lists",
    "smarty",
)
SUMMARY_LIMIT = 280
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# A missing image, or a missing target that names a file (a post's .md, a .pdf), fails the build;
# another relative link that leads nowhere is a warning.
NAMES_A_FILE = re.compile(r"\.[A-Za-z0-9]{1,5}$")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A body turned into HTML, with what was found wrong on the way (`warnings`: warnings, and
    the errors of an image or link to a file that does not exist).

    `lookups` records each relative link's target and what it resolved to, so a cache can
    tell when the same body would now render differently; `links` are the site-root links
    of the HTML with the line each is written on, for the site-wide link check.
    """

    html: Markup
    warnings: tuple[Problem, ...]
    lookups: tuple[tuple[str, str], ...] = ()
    links: tuple[tuple[str, int], ...] = ()


class _SiteLinks(Treeprocessor):
    """Shift headings so the body's top level is h2 (the title is the h1); resolve links."""

    def __init__(self, md: markdown.Markdown, renderer: "MarkdownRenderer"):
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: etree.Element) -> None:
        headings = [e for e in root.iter() if e.tag in HEADINGS]
        shift = 2 - min((int(e.tag[1]) for e in headings), default=2)
        for element in headings:
            element.tag = "h" + str(min(6, int(element.tag[1]) + shift))
        for element in root.iter():
            if element.tag == "a" and element.get("href"):
                element.set("href", self.renderer.resolve(element.get("href"), "link"))
            elif element.tag == "img" and element.get("src"):
                element.set("src", self.renderer.resolve(element.get("src"), "image"))


class MarkdownRenderer:
    """Renders post bodies; knows which posts and files exist to resolve links to them.

    With `raw_html=False` (site.toml `[content] raw_html = false`, for sites with untrusted
    contributors) HTML written in a body is shown as text; with either setting the final HTML
    is sanitised (pipeline/sanitise.py): nothing in it can run code.
    """

    def __init__(
        self, *, base_path: str, pages: dict[str, str], files: frozenset[str], raw_html: bool = True
    ):
        """`pages`: content-relative .md path → site path; `files`: content-relative asset paths."""
        self.base_path = base_path
        self.pages = pages
        self.files = files
        self.raw_html = raw_html
        self._md: markdown.Markdown | None = None  # made when a first body is rendered
        self._source = self._folder = self._body = ""
        self._line = 0
        self._warnings: list[Problem] = []
        self._lookups: dict[str, str] = {}
        self._links: list[tuple[str, int]] = []

    @property
    def md(self) -> markdown.Markdown:
        if self._md is None:
            self._md = self.make_markdown()
        return self._md

    def make_markdown(self) -> markdown.Markdown:
        """A Python-Markdown instance with newsroom's extensions and link handling."""
        md = markdown.Markdown(
            extensions=[
                importlib.import_module(f"markdown.extensions.{name}").makeExtension()
                for name in EXTENSIONS
            ],
            output_format="html",
        )
        md.treeprocessors.register(_SiteLinks(md, self), "newsroom_links", 0)
        if not self.raw_html:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
        speed_up(md)
        return md

    def render(self, body: str, *, source: str, content_rel: str, line: int) -> Rendered:
        """Render one body; `content_rel` is the file's path inside content/."""
        self._source, self._folder, self._line, self._warnings = (
            source,
            posixpath.dirname(content_rel),
            line,
            [],
        )
        self._body, self._lookups, self._links = body, {}, []
        try:
            html = sanitise(self.md.reset().convert(body))
        except RecursionError:
            self._md = None  # a convert cut short may leave the instance half-reset
            raise ContentError(
                [
                    Problem(
                        source,
                        line,
                        "the text nests lists, quotes or HTML too deeply to render: flatten it",
                    )
                ]
            ) from None
        return Rendered(
            Markup(html),
            tuple(self._warnings),
            tuple(sorted(self._lookups.items())),
            tuple(self._links),
        )

    def lookup(self, target: str) -> str:
        """What a content-relative target is: 'page:<site path>', 'file' or 'missing'."""
        if target in self.pages:
            return "page:" + self.pages[target]
        return "file" if target in self.files else "missing"

    def resolve(self, url: str, kind: str) -> str:
        """A relative link → the site path of its target; a site-root link gets the base path."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith("#") or not parts.path:
            return url
        suffix = ("?" + parts.query if parts.query else "") + (
            "#" + parts.fragment if parts.fragment else ""
        )
        if parts.path.startswith("/"):
            resolved = url
            if self.base_path != "/" and not parts.path.startswith(self.base_path):
                resolved = self.base_path + parts.path.lstrip("/") + suffix
            self._links.append((resolved, line_in_body(self._body, self._line, url)))
            return resolved
        target = posixpath.normpath(posixpath.join(self._folder, unquote(parts.path)))
        if target.startswith("../") or target == "..":
            self._warn(url, f"the {kind} '{url}' points outside the content folder")
            return url
        found = self._lookups[target] = self.lookup(target)
        if found == "missing":
            severity = "error" if kind == "image" or NAMES_A_FILE.search(target) else "warning"
            self._warn(
                url,
                f"the {kind} '{url}' points to content/{target}, which does not exist",
                severity,
            )
            return url
        return self.base_path + (found[5:] if found.startswith("page:") else target) + suffix

    def _warn(self, url: str, message: str, severity: str = "warning") -> None:
        self._warnings.append(
            Problem(self._source, line_in_body(self._body, self._line, url), message, severity)
        )


def line_in_body(body: str, body_line: int, needle: str) -> int:
    """The file line where `needle` first stands in a body that starts on `body_line`."""
    at = body.find(needle)
    return body_line + body[:at].count("\n") if at >= 0 else body_line


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def first_paragraph(html: str) -> str:
    """The plain text of the first <p> of rendered HTML ('' if there is none)."""
    found = re.search(r"<p>(.*?)</p>", html, re.DOTALL)
    return html_to_text(found.group(1)) if found else ""


def cut_at_word(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """Shorten text to at most `limit` characters, at a word boundary, with '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.–—-")
    return cut + "…"
