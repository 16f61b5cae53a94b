"""Characters no web page or feed can hold: control characters, lone surrogates, U+FFFE/U+FFFF.

XML 1.0 (feeds, the sitemap) forbids them outright and UTF-8 cannot encode a lone surrogate,
so text holding one is refused where it is read, with its line, instead of failing later.
"""

from __future__ import annotations

import re
import unicodedata

UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NAMES = {"\x00": "NUL", "\x0b": "vertical tab", "\x0c": "form feed", "\x1b": "escape"}


def find_unshowable(text: str) -> re.Match[str] | None:
    """The first character of `text` that a page or feed cannot hold, or None."""
    return UNSHOWABLE.search(text)


def describe_character(char: str) -> str:
    """'U+000C (form feed)', 'U+D800 (half of a character: a lone surrogate)'."""
    code = f"U+{ord(char):04X}"
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"{code} (half of a character: a lone surrogate)"
    name = (
        NAMES.get(char)
        or unicodedata.name(char, "")
        or ("a control character" if unicodedata.category(char) == "Cc" else "a non-character")
    )
    return f"{code} ({name})"


def unshowable_message(text: str) -> str | None:
    """Why `text` cannot be shown, or None if it can."""
    found = find_unshowable(text)
    if found is None:
        return None
    return (
        f"contains the character {describe_character(found.group())}, which web pages and feeds "
        "cannot hold: delete it (most editors do not show it)"
    )
