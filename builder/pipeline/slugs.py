"""Turn titles and tag names into URL slugs: ASCII, lowercase, a-z 0-9 and '-'."""

from __future__ import annotations

import functools
import re
import unicodedata

# Russian, Kazakh, Kyrgyz, Tajik and Uzbek Cyrillic, transliterated plainly.
CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ә": "a",
    "ғ": "gh",
    "қ": "q",
    "ң": "ng",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
    "ӣ": "i",
    "ӯ": "u",
    "ҳ": "h",
    "ҷ": "j",
    "ў": "o",
    "ҹ": "ch",
    "є": "ye",
    "ї": "yi",
    "ґ": "g",
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 80
DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")


@functools.lru_cache(maxsize=4096)  # tags and countries repeat from post to post
def slugify(text: str) -> str:
    """'Workshop in Бишкек: 14–16 March' → 'workshop-in-bishkek-14-16-march'."""
    lowered = "".join(CYRILLIC.get(ch, ch) for ch in text.lower())
    decomposed = unicodedata.normalize("NFKD", lowered)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"['’ʼ]", "", bare)).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0]
    return slug


def is_slug(text: str) -> bool:
    """True for a valid slug such as 'risk-management'."""
    return bool(SLUG_RE.match(text))


def slug_of_file(stem: str) -> str:
    """A post's slug when it gives none: its file name without a leading date, made into a
    slug ("2017-03-14-workshop-in-osh" → "workshop-in-osh"). Never the title: a corrected
    title must not move a published URL."""
    return slugify(DATE_PREFIX.sub("", stem))
