"""Draft news items from a plain-text bulletin: one per dated paragraph, with what needs review.

No I/O.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from builder.pipeline.config import SiteConfig
from builder.editorial.datetext import LANGUAGES, DatePhrase, find_dates, resolve_dates
from builder.errors import ContentError, Problem
from builder.editorial.gazetteer import Gazetteer, Mentions, find_mentions

TITLE_LIMIT = 90
HEADING_WORDS = 12
LEADING_WORDS = r"(?:\b(?:[Oo]n|[Ii]n|[Bb]etween|[Ff]rom|[Dd]uring|[Ss]ince|[Bb]y|[Aa]t)\s+)?"
DANGLING = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "from",
    "in",
    "of",
    "on",
    "or",
    "the",
    "to",
    "with",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Paragraph:
    """One paragraph of a bulletin, its text on one line."""

    number: int  # 1 for the first paragraph
    line: int  # the bulletin's line where it starts
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftItem:
    """A news item drafted from one paragraph; `reviews` says which fields need a look and why."""

    paragraph: Paragraph
    title: str
    date: date
    end_date: date | None
    countries: tuple[str, ...]  # country names, in the site's order
    location: str | None
    tags: tuple[str, ...]
    reviews: tuple[tuple[str, str], ...]  # (field, what to check)
    fingerprint: str  # sha1 of the paragraph's words: the same paragraph is never imported twice

    def review_of(self, field: str) -> str | None:
        """What to check about `field`, or None."""
        notes = [note for name, note in self.reviews if name == field]
        return "; ".join(notes) or None


@dataclass(frozen=True, slots=True, kw_only=True)
class NotNews:
    """A paragraph that became no post, and why."""

    paragraph: Paragraph
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Drafts:
    """Everything drafted from one bulletin, in the bulletin's order."""

    items: tuple[DraftItem, ...]
    not_news: tuple[NotNews, ...]


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs are separated by blank lines; whitespace inside one is collapsed."""
    paragraphs, lines, start = [], [], 0
    for number, line in enumerate(text.splitlines() + [""], start=1):
        if line.strip():
            start = start or number
            lines.append(line)
        elif lines:
            paragraphs.append(
                Paragraph(
                    number=len(paragraphs) + 1, line=start, text=" ".join(" ".join(lines).split())
                )
            )
            lines, start = [], 0
    return paragraphs


def fingerprint(text: str) -> str:
    """The sha1 of a text's words, lowercased: spacing and punctuation do not change it."""
    return hashlib.sha1(" ".join(re.findall(r"\w+", text.casefold())).encode("utf-8")).hexdigest()


def draft_items(
    text: str,
    *,
    config: SiteConfig,
    gazetteer: Gazetteer,
    today: date,
    year: int | None = None,
    lang: str = "en",
) -> Drafts:
    """Draft one item per dated paragraph of `text`; the others are reported as not news."""
    if lang not in LANGUAGES:
        raise ContentError(
            [
                Problem(
                    "--lang",
                    None,
                    f"bulletins in '{lang}' cannot be read yet; languages: {', '.join(LANGUAGES)}",
                )
            ]
        )
    paragraphs = split_paragraphs(text)
    dates = {p.number: find_dates(p.text, lang) for p in paragraphs}
    years = {
        n: found[0].written_year for n, found in dates.items() if found and found[0].written_year
    }
    items, not_news = [], []
    for paragraph in paragraphs:
        found = dates[paragraph.number]
        if is_heading(paragraph):
            not_news.append(NotNews(paragraph=paragraph, reason="a heading, not a news item"))
        elif not found:
            not_news.append(
                NotNews(
                    paragraph=paragraph,
                    reason=(
                        "no date: a general statement or an undated item; not imported (add a "
                        "date to the bulletin, or write the post by hand)"
                    ),
                )
            )
        else:
            item = draft_item(
                paragraph,
                found,
                config=config,
                gazetteer=gazetteer,
                year=pick_year(paragraph, found[0], years, year, today),
            )
            (items if isinstance(item, DraftItem) else not_news).append(item)
    return Drafts(items=tuple(items), not_news=tuple(not_news))


def is_heading(paragraph: Paragraph) -> bool:
    """A short line without a full stop, such as 'BOMCA Newsletter, December 2017'."""
    return len(paragraph.text.split()) <= HEADING_WORDS and not paragraph.text.rstrip().endswith(
        (".", "!", "?", "…")
    )


def pick_year(
    paragraph: Paragraph, phrase: DatePhrase, years: dict[int, int], given: int | None, today: date
) -> tuple[int, str | None]:
    """The year for a phrase that may not write one, and why it is uncertain (None: it is not)."""
    if phrase.written_year:
        return phrase.written_year, None
    if given:
        return given, None
    if years:
        nearest = min(years, key=lambda n: (abs(n - paragraph.number), n))
        return years[nearest], f"the year {years[nearest]} is taken from paragraph {nearest}"
    return today.year, f"the bulletin gives no year: {today.year} is a guess (import with --year)"


def draft_item(
    paragraph: Paragraph,
    found: list[DatePhrase],
    *,
    config: SiteConfig,
    gazetteer: Gazetteer,
    year: tuple[int, str | None],
) -> DraftItem | NotNews:
    """Infer every field of one dated paragraph."""
    phrase, reviews = found[0], []
    try:
        first, last = resolve_dates(phrase, year[0])
    except ValueError as exc:
        return NotNews(
            paragraph=paragraph, reason=f"'{phrase.text}' is not a real date ({exc}): not imported"
        )
    reviews += date_reviews(phrase, found, year[1], first)
    if last and last < first:
        reviews.append(("end_date", f"'{phrase.text}' ends before it starts: end_date left out"))
        last = None
    mentions = find_mentions(paragraph.text, gazetteer)
    order = {c.key: i for i, c in enumerate(config.countries)}
    names = {c.key: c.name for c in config.countries}
    countries = tuple(names[k] for k in sorted(mentions.countries, key=order.__getitem__))
    reviews += place_reviews(mentions, countries, gazetteer)
    tags = find_tags(paragraph.text, config.import_tags)
    if not tags:
        reviews.append(("tags", "no tag keyword found"))
    reviews.insert(0, ("title", "drafted from the first sentence: rewrite it"))
    return DraftItem(
        paragraph=paragraph,
        title=draft_title(paragraph.text, phrase),
        date=first,
        end_date=last,
        countries=countries,
        location=mentions.places[0] if mentions.places else None,
        tags=tags,
        reviews=tuple(reviews),
        fingerprint=fingerprint(paragraph.text),
    )


def date_reviews(
    phrase: DatePhrase, found: list[DatePhrase], uncertain: str | None, first: date
) -> list[tuple[str, str]]:
    """What an editor should check about the date read from a paragraph."""
    reviews = [("date", uncertain)] if uncertain else []
    if phrase.precision == "month":
        reviews.append(
            ("date", f"'{phrase.text}' gives only the month: the 1st stands in for the day")
        )
    elif phrase.precision == "part":
        reviews.append(("date", f"'{phrase.text}': the {ordinal(first.day)} stands in for the day"))
    if len(found) > 1:
        reviews.append(
            ("date", "the paragraph also names " + ", ".join(f"'{p.text}'" for p in found[1:]))
        )
    return reviews


def place_reviews(
    mentions: Mentions, countries: tuple[str, ...], gazetteer: Gazetteer
) -> list[tuple[str, str]]:
    """What an editor should check about the countries and place read from a paragraph."""
    reviews = [] if countries else [("countries", "no country named: add one")]
    if mentions.regions:
        named = len(
            {
                key
                for phrase, keys in gazetteer.regions
                if phrase in mentions.regions
                for key in keys
            }
        )
        reviews.append(
            (
                "countries",
                " and ".join(f"'{r}'" for r in mentions.regions) + f" read as all {named}",
            )
        )
    if len(mentions.places) > 1:
        reviews.append(("location", "also names " + ", ".join(mentions.places[1:])))
    return reviews


def ordinal(day: int) -> str:
    """1 → '1st', 15 → '15th'."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def find_tags(text: str, import_tags: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, ...]:
    """Every tag one of whose keywords the text holds (any case, whole words, plural allowed)."""
    found = []
    for tag, keywords in import_tags:
        words = "|".join(
            re.escape(k).replace(r"\ ", r"\s+") for k in sorted(keywords, key=len, reverse=True)
        )
        if re.search(rf"(?<!\w)(?:{words})(?:e?s)?(?!\w)", text, re.IGNORECASE):
            found.append(tag)
    return tuple(found)


def draft_title(text: str, phrase: DatePhrase) -> str:
    """The first sentence less its date phrase, cut at a word to at most TITLE_LIMIT characters."""
    end = re.search(r"[.!?](?=\s+[A-Z“\"‘(]|\s*$)", text)
    sentence = text[: end.start()] if end else text
    if phrase.end <= len(sentence):
        before, rest = (
            re.sub(LEADING_WORDS + r"$", "", sentence[: phrase.start]),
            sentence[phrase.end :],
        )
        sentence = before + " " + (rest if before.strip() else rest.lstrip(" ,"))
    sentence = re.sub(r"\s+([,;:])", r"\1", " ".join(sentence.split())).strip(" ,;:–-")
    if len(sentence) > TITLE_LIMIT:
        words = sentence[:TITLE_LIMIT].rsplit(" ", 1)[0].rstrip(",;:–- ").split()
        while len(words) > 1 and words[-1].casefold() in DANGLING:
            words.pop()
        sentence = " ".join(words).rstrip(",;:–- ") + "…"
    return sentence[:1].upper() + sentence[1:]
