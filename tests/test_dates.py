"""A post's date is shown with an offset every format accepts, and its range is checked on the
date as the site shows it (issue 18.6)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from conftest import MINI_CONFIG, post
from test_hostile import REL, refused

from builder.build import build_site

PAGE = "news/{year}/a-workshop-in-bishkek/index.html"
# An offset as RSS (RFC 822), Atom (RFC 3339), HTML's <time> and JSON-LD (ISO 8601) take it.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")
RFC822_ZONE = re.compile(r" [+-]\d{4}$")


def dates_in(out: Path, year: str) -> dict[str, list[str]]:
    """Every date the build wrote for the one post: page <time>, JSON-LD, RSS, Atom."""
    page = (out / PAGE.format(year=year)).read_text("utf-8")
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    rss = ET.fromstring((out / "feed.xml").read_bytes())
    atom = ET.fromstring((out / "atom.xml").read_bytes())
    ns = "{http://www.w3.org/2005/Atom}"
    return {
        "time": re.findall(r'<time datetime="([^"]+)"', page),
        "json-ld": [ld["datePublished"], ld["dateModified"]],
        "rss": [e.text for e in rss.iter("pubDate")],
        "atom": [e.text for e in atom.iter() if e.tag in (ns + "published", ns + "updated")],
    }


@pytest.mark.parametrize(
    "date, local",
    [
        ("1900-01-01", "1900-01-01T00:00:00+04:58"),  # Bishkek's local mean time: +04:58:24
        ("1900-01-01T10:00+06:00", "1900-01-01T08:58:00+04:58"),  # the instant kept
        ("1923-06-01", "1923-06-01T00:00:00+04:58"),
        ("2017-03-14", "2017-03-14T00:00:00+06:00"),
    ],
)
def test_an_old_date_is_written_with_an_offset_of_whole_minutes(
    make_site, tmp_path: Path, date: str, local: str
) -> None:
    root = make_site({REL: post(date=date)}, config=MINI_CONFIG)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    found = dates_in(out, date[:4])
    assert found["time"] and set(found["time"]) == {local}
    assert set(found["json-ld"]) == {local}
    for value in found["time"] + found["json-ld"] + found["atom"]:
        assert RFC3339.match(value), value
    for value in found["rss"]:
        assert RFC822_ZONE.search(value) and parsedate_to_datetime(value), value


@pytest.mark.parametrize(
    "value",
    [
        "0002-01-01T00:00+23:59",  # year 2 as written, year 1 in the site's time zone
        "0002-01-01T00:00+14:00",
        "9998-12-31T23:59-23:59",  # year 9998 as written, 9999 in Bishkek
        "0001-01-01T00:00+23:59",
    ],
)
def test_the_year_range_is_checked_on_the_date_in_the_site_time_zone(
    runner, make_site, tmp_path: Path, value: str
) -> None:
    refused(
        runner,
        make_site,
        tmp_path,
        {REL: post(date=value)},
        f"{REL}:3",
        "'date'",
        "out of range",
        "2 to 9998",
        "Asia/Bishkek",
    )
