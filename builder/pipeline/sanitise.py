"""The final HTML of a body, cleaned by an allow-list: nothing in a post can run code.

A rendered body (and every page and feed that shows it) passes through ammonia, the Rust HTML
sanitiser (by its binding nh3), after Python-Markdown has put back everything it stashed: the
sanitiser parses the very HTML a browser or feed reader will parse, entities, control
characters and all, so no `&#106;avascript:` can hide behind a placeholder. What stays is
the elements, attributes and URL schemes listed here; anything else goes: script, style and
iframe elements (script and style with their content), event handlers, style attributes, and
URLs of any scheme but http, https, mailto and tel (so no javascript:, vbscript: or data:).
Relative and site-root URLs stay as written (the renderer has already given them the base
path). Characters that no feed can hold, which the sanitiser decodes from references such as
`&#1;`, are written back as references.

The list keeps all that newsroom's Markdown makes: headings with ids, tables with their
alignment, code blocks with their language class, footnotes, abbreviations, definition lists,
images with alt, title, width, height and loading, links with title, rel and ids.
"""

from __future__ import annotations

import re

import nh3

from builder.pipeline.characters import UNSHOWABLE

# The elements kept: ammonia's own list (text, lists, tables, figures, details...) and tfoot.
TAGS = frozenset(nh3.ALLOWED_TAGS | {"tfoot"})
# Attributes kept on any element, and on some elements only.
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "rel", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
}
# The one style kept: a table cell's alignment, exactly as Python-Markdown's tables write it.
ALIGNMENTS = {f"text-align: {side};" for side in ("left", "center", "right")}
CELL_STYLES = {cell: {"style": ALIGNMENTS} for cell in ("th", "td")}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# What a cached body depends on besides its text: a change to the list or to the sanitiser
# must render every body again (inputs.settings_key holds it).
POLICY_KEY = repr(
    (
        nh3.__version__,
        sorted(TAGS),
        sorted((tag, sorted(names)) for tag, names in ATTRIBUTES.items()),
        sorted(ALIGNMENTS),
        sorted(URL_SCHEMES),
    )
)

_cleaner: nh3.Cleaner | None = None


def sanitise(html: str) -> str:
    """`html` with only the allow-listed elements, attributes and URL schemes left."""
    global _cleaner
    if _cleaner is None:  # made once per process, at the first body
        _cleaner = nh3.Cleaner(
            tags=set(TAGS),
            attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
            tag_attribute_values=CELL_STYLES,
            url_schemes=set(URL_SCHEMES),
            link_rel=None,  # rel stays as written (footnotes, an author's nofollow)
            strip_comments=True,
        )
    return UNSHOWABLE.sub(character_reference, _cleaner.clean(html))


def character_reference(found: re.Match[str]) -> str:
    """A character the sanitiser decoded from a reference (`&#1;`) but no feed can hold,
    written as a reference again."""
    return f"&#{ord(found.group())};"
