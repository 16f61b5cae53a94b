"""Find a news item's date written in words: "On 7th of February, 2017", "Between 3-10 March"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    "en": {
        "January": 1,
        "February": 2,
        "March": 3,
        "April": 4,
        "May": 5,
        "June": 6,
        "July": 7,
        "August": 8,
        "September": 9,
        "October": 10,
        "November": 11,
        "December": 12,
        "Jan": 1,
        "Feb": 2,
        "Mar": 3,
        "Apr": 4,
        "Jun": 6,
        "Jul": 7,
        "Aug": 8,
        "Sep": 9,
        "Sept": 9,
        "Oct": 10,
        "Nov": 11,
        "Dec": 12,
    },
}
LANGUAGES = tuple(MONTHS)
PART_DAYS = {"early": 1, "mid": 15, "late": 25}  # "In mid-February" → the 15th

_MONTH = "(?:" + "|".join(sorted(MONTHS["en"], key=len, reverse=True)) + r")\.?(?![a-z])"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_YEAR = r"(?:19|20)\d\d(?!\d)"
_TO = r"\s*(?:-|–|—|\bto\b|\buntil\b|\btill\b|\band\b|\bthrough\b)\s*"
_OF = r"(?:\s+of)?\s+"
_THE = r"(?:the\s+)?"
_PART = r"(?P<part>[Ee]arly|[Mm]id|[Ll]ate|(?:[Tt]he\s+)?(?:middle|end|beginning)\s+of)[\s-]*"
SLOTS = {"D": _DAY, "M": _MONTH}


def _pattern(template: str) -> str:
    """Fill slots %D1 %M1 %Y1 (first day), %D2 %M2 %Y2 (last day), %M %Y (both); %Y is optional."""
    for slot in ("D1", "D2", "M1", "M2", "Y1", "Y2", "M", "Y"):
        kind = slot[0]
        group = rf"(?:,?\s*(?P<{slot}>{_YEAR}))?" if kind == "Y" else f"(?P<{slot}>{SLOTS[kind]})"
        template = template.replace(f"%{slot}", group)
    return r"(?<![\w-])" + template


# The earliest match in a paragraph wins, the longest on a tie. Compiled on first use (by re's
# cache), so that importing this module for LANGUAGES costs nothing.
PATTERNS = (
    _pattern(rf"{_THE}%D1{_OF}%M1%Y1{_TO}{_THE}%D2{_OF}%M2%Y2"),  # from 28 February to 2 March
    _pattern(rf"%M1\s+%D1%Y1{_TO}%M2\s+%D2%Y2"),  # February 28 to March 2, 2017
    _pattern(rf"{_THE}%D1{_TO}{_THE}%D2{_OF}%M%Y"),  # 14-16 March; 12-15 December 2017
    _pattern(rf"%M\s+%D1{_TO}%D2%Y"),  # December 12-14, 2017; February 27-28
    _pattern(rf"{_THE}%D1{_OF}%M%Y"),  # 7th of February, 2017; 29 November
    _pattern(r"%M\s+%D1%Y"),  # December 12, 2017
    _pattern(rf"{_PART}%M%Y"),  # mid-February; the end of March 2017
    rf"(?<![\w-])(?P<M>{_MONTH}),?\s+(?P<Y>{_YEAR})",  # January 2017
    rf"\b(?:[Ii]n|[Dd]uring|[Ss]ince)\s+(?P<M>{_MONTH})(?!,?\s*\d)",  # in January
    rf"(?<![\d-])(?P<Y>{_YEAR})-(?P<m>[01]\d)-(?P<D1>[0-3]\d)(?!\d)",  # 2017-03-14
    rf"(?<![\d.])(?P<D1>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<Y>{_YEAR})",  # 14.03.2017
)
PART_NAMES = {"middle of": "mid", "end of": "late", "beginning of": "early"}


@dataclass(frozen=True, slots=True, kw_only=True)
class DatePhrase:
    """A date as written: its span in the text and the parts it gives (None: not written)."""

    text: str
    start: int
    end: int
    month: int
    day: int | None  # None: only the month is written
    year: int | None
    end_month: int | None = None
    end_day: int | None = None
    end_year: int | None = None
    part: str | None = None  # "early", "mid" or "late" for "in mid-February"

    @property
    def written_year(self) -> int | None:
        """The year the phrase itself gives, if any."""
        return self.end_year or self.year

    @property
    def precision(self) -> str:
        """'day', 'part' (early/mid/late in the month) or 'month'."""
        return "day" if self.day is not None else ("part" if self.part else "month")


def find_dates(text: str, lang: str = "en") -> list[DatePhrase]:
    """Every date phrase in `text`, in order, none overlapping."""
    if lang not in MONTHS:
        raise ValueError(f"no month names for language {lang!r}; known: {', '.join(LANGUAGES)}")
    matches = [m for pattern in PATTERNS for m in re.finditer(pattern, text)]
    matches.sort(key=lambda m: (m.start(), -m.end()))
    found, reached = [], 0
    for match in matches:
        if match.start() >= reached:
            found.append(_phrase(match, MONTHS[lang]))
            reached = match.end()
    return found


def _phrase(match: re.Match[str], months: dict[str, int]) -> DatePhrase:
    """Read the named groups of one match."""
    parts = {name: value for name, value in match.groupdict().items() if value}

    def number(name: str) -> int | None:
        return int(re.sub(r"\D", "", parts[name])) if name in parts else None

    def month(name: str) -> int | None:
        return months[parts[name].rstrip(".")] if name in parts else None

    first_month = month("M1") or month("M") or number("m")
    part = " ".join(parts["part"].lower().split()).removeprefix("the ") if "part" in parts else None
    ranged = "D2" in parts
    shared_year = number("Y")  # "12-15 December 2017": the year of both days
    return DatePhrase(
        text=match.group(0),
        start=match.start(),
        end=match.end(),
        month=first_month,
        day=number("D1"),
        year=number("Y1") or shared_year,
        end_month=(month("M2") or first_month) if ranged else None,
        end_day=number("D2"),
        end_year=(number("Y2") or shared_year) if ranged else None,
        part=PART_NAMES.get(part, part) if part else None,
    )


def resolve_dates(phrase: DatePhrase, year: int) -> tuple[date, date | None]:
    """The first and last day the phrase means; `year` stands in for a year it does not write.

    Raises ValueError for a day that does not exist, such as 31 February.
    """
    day = phrase.day or PART_DAYS.get(phrase.part or "", 1)
    if phrase.end_day is None:
        return date(phrase.year or year, phrase.month, day), None
    end_month = phrase.end_month or phrase.month
    wraps = (phrase.month, day) > (end_month, phrase.end_day)  # 28 December to 3 January
    if phrase.year and phrase.end_year:
        first_year, last_year = phrase.year, phrase.end_year
    elif phrase.end_year:  # "28 December to 3 January 2018"
        first_year, last_year = phrase.end_year - wraps, phrase.end_year
    else:  # the given year is the year the event starts
        first_year = phrase.year or year
        last_year = first_year + wraps
    return date(first_year, phrase.month, day), date(last_year, end_month, phrase.end_day)
