"""Fuzzing the build: any front matter, any Markdown body, any site.toml.

Every run must end in a correct build (exit 0) or in `path:line: message` errors (exit 1)
with the previous output untouched; never a traceback, never a hang, and never a write
outside the output folder (an audit hook records every write the build makes).

Hypothesis runs derandomized and without an example database, so CI sees the same examples
on every run; each property is bounded by `max_examples` (the module takes well under a
minute). A failing example is printed in full by Hypothesis: turn it into a plain test.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from audit import outside_output, record_writes
from builder.cli import cli
from conftest import MINI_CONFIG, REPO, post, tree

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
POST = "content/news/2017/a-fuzzed-post.md"
SLOW = 10.0  # seconds: one build of a one-post site taking longer than this is a hang

# The lines a build may print on stderr: problems and warnings, the summary, left-out posts.
PROBLEM = re.compile(r"^[^:\n]+(:\d+)?: .+$")
SUMMARY = re.compile(r"^Error: \d+ problems? found; .+$")
LEFT_OUT = re.compile(
    r"^(Left out \d+ post\(s\) .*:|  content/\S.* \((draft|scheduled for \S+)\))$"
)


# --- The harness ------------------------------------------------------------------------------


class Site:
    """One mini-site reused across examples: each example rewrites a file and builds again."""

    def __init__(self, top: Path):
        self.top = top
        self.root = top / "site"
        self.out = top / "out"
        if not self.root.exists():
            (self.root / "content/news/2017").mkdir(parents=True)
            shutil.copytree(REPO / "templates", self.root / "templates")
            (self.root / "site.toml").write_text(MINI_CONFIG, encoding="utf-8")
            (self.root / "content/news/2017/a-good-post.md").write_text(
                post(title="A good post", date="2017-03-01"), encoding="utf-8"
            )
        self.runner = CliRunner()

    def build(self) -> tuple[Result, float]:
        started = time.perf_counter()
        result = self.runner.invoke(
            cli, ["build", "--root", str(self.root), "--output", str(self.out)]
        )
        return result, time.perf_counter() - started


def run_and_check(site: Site) -> Result:
    """Build; check the outcome is a clean success or a clean failure, and what was written."""
    before_out = tree(site.out) if site.out.is_dir() else None
    before_site = sources(site.root)
    with record_writes() as writes:
        result, seconds = site.build()
    assert seconds < SLOW, f"the build took {seconds:.1f} s"
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    for line in result.stderr.splitlines():
        assert PROBLEM.match(line) or SUMMARY.match(line) or LEFT_OUT.match(line), (
            f"not a `path:line: message` line: {line!r}"
        )
    outside = outside_output(writes, site.out, site.root)
    assert not outside, outside
    assert sources(site.root) == before_site, "the build changed the site's own files"
    assert sorted(p.name for p in site.top.iterdir()) in (
        ["site"],
        ["out", "site"],
    ), sorted(p.name for p in site.top.iterdir())  # nothing beside the output, the cache neither
    if result.exit_code == 1:
        assert SUMMARY.match(result.stderr.splitlines()[-1]), result.stderr
        assert PROBLEM.match(result.stderr.splitlines()[0]), result.stderr
        assert (tree(site.out) if site.out.is_dir() else None) == before_out, (
            "a failed build changed the output"
        )
    else:
        check_output(site.out)
    return result


def sources(root: Path) -> dict[str, bytes]:
    """The site's own files: all but its build cache (`.newsroom-cache/`, which builds write)."""
    return {rel: data for rel, data in tree(root).items() if not rel.startswith(".newsroom-cache/")}


def check_output(out: Path) -> None:
    """A correct build: every page is a whole UTF-8 document, every XML file parses, every
    sitemap URL and feed link is a file of the output."""
    files = tree(out)
    assert "index.html" in files and "sitemap.xml" in files
    for rel, data in files.items():
        if rel.endswith(".html"):
            text = data.decode("utf-8")
            assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>"), rel
        elif rel.endswith(".xml"):
            ET.fromstring(data)
        elif rel.endswith(".json"):
            json.loads(data)
    locs = [
        loc.text
        for loc in ET.fromstring(files["sitemap.xml"]).iter(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    ]
    base = locs[0]  # the home page: the base URL itself
    for loc in locs:
        assert loc.startswith(base), loc
        path = loc.removeprefix(base)
        assert path == "" or path in files or path + "index.html" in files, loc
    for item in ET.fromstring(files["feed.xml"]).iter("item"):
        path = item.findtext("link").removeprefix(base)
        assert path + "index.html" in files, path


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


# --- What to throw at it ----------------------------------------------------------------------

ANY_CHAR = st.characters(
    blacklist_categories=()
)  # every code point, surrogates and controls included
ANY_TEXT = st.text(ANY_CHAR, max_size=30)
HUGE = st.sampled_from([10, 200, 5_000, 70_000]).map(lambda n: "x" * n)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    ANY_TEXT,
    HUGE,
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(timezone.utc)),
    st.sampled_from(
        [
            "2017-03-14",
            "2017-02-30",
            "9999-12-31",
            "0001-01-01",
            "2017-03-14T10:00+06:00",
            "9999-12-31T23:59-14:00",
            "0001-01-01T00:00+14:00",
            "Kyrgyzstan",
            "KG",
            "kyrgyz republic",
            "yes",
            "no",
            "on",
            "true",
            "",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=10,
)
RAW_YAML = st.sampled_from(
    [
        '!!python/object/apply:os.system ["touch PWNED"]',
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!local x",
        "!!set {a, b}",
        "!!omap [a: 1]",
        "&a [*a, *a]",
        "*nowhere",
        "&x hello",
        "{a: [b, {c: d}]}",
        "[" * 200 + "]" * 200,
        "[" * 2000 + "]" * 2000,
        "|\n  block\n  text",
        ">-\n  folded\n  text",
        '"\\0 nul"',
        '"\\x01 control"',
        '"\\ud800 lone"',
        '"\\udfff\\ud800"',
        '"\\uffff"',
        '"\\x85 next line"',
        '"\\u2028 separator"',
        '"\\e escape"',
        '"<script>alert(1)</script>"',
        "'</title>]]>&\"'",
        "-.inf",
        ".nan",
        "0x1F",
        "0o17",
        "1_000",
        "~",
        "null",
        "''",
        '""',
        "[,]",
        "{",
        "]",
        "- a\n- b",
        "? complex\n: key",
        "%TAG ! tag:x,2000:",
        "--- x",
        "... x",
        "@reserved",
        "`reserved",
        "!!str 2017-03-14",
        "!!int 3",
        "!!timestamp 2017-03-14",
        "! non-specific",
    ]
)
KNOWN_KEYS = st.sampled_from(
    ["title", "date", "end_date", "countries", "tags", "summary", "slug", "draft", "location"]
)
KEYS = st.one_of(KNOWN_KEYS, KNOWN_KEYS, KNOWN_KEYS, ANY_TEXT)  # an unknown key one time in four


def dump_value(value: object) -> str:
    """A Python value as one flow-style YAML value (escaping whatever YAML cannot hold raw)."""
    text = yaml.safe_dump([value], default_flow_style=True, width=math.inf, allow_unicode=True)
    return text.strip()[1:-1]


def yaml_key(key: str) -> str:
    return key if re.fullmatch(r"[a-z_]+", key) else dump_value(key)


@st.composite
def front_matters(draw) -> str:
    """A post's front matter: a valid one with some fields replaced, dropped or added."""
    fields = {
        "title": "A fuzzed post",
        "date": "2017-03-14",
        "countries": "[Kyrgyzstan]",
        "tags": "[training]",
    }
    for key in draw(st.lists(KEYS, max_size=4)):
        fields[key] = draw(st.one_of(VALUES.map(dump_value), RAW_YAML, ANY_TEXT))
    for key in draw(st.lists(st.sampled_from(sorted(fields)), max_size=2)):
        fields.pop(key, None)
    lines = [f"{yaml_key(k)}: {v}" for k, v in fields.items()]
    return "\n".join(lines)


MD_PIECES = [
    "# ",
    "## ",
    "###### ",
    "> ",
    ">>>>",
    "- ",
    "* ",
    "1. ",
    "    ",
    "\t",
    "```",
    "~~~",
    "`",
    "*",
    "**",
    "_",
    "__",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](",
    "<",
    ">",
    "&",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "&#1;",
    "&#x10FFFF;",
    "&#99999999;",
    "&bogus;",
    "\\",
    "|",
    "---",
    "===",
    ":",
    "[^1]",
    "[^1]: note",
    "*[HTML]: Hyper",
    "{: #id .cls onclick=alert(1) }",
    "<script>alert(1)</script>",
    '<div markdown="1">',
    "</div>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<a href='javascript:alert(1)'>",
    "<!--",
    "-->",
    "<?php ?>",
    "<![CDATA[",
    "]]>",
    "\n",
    "\n\n",
    "  \n",
    "https://example.org/",
    "<https://example.org>",
    "[a](../../../etc/passwd)",
    "![i](/x.png)",
    "[l](a-good-post.md)",
    "[l](/news/2017/a-good-post/)",
    "[r][ref]",
    "[ref]: /x",
    "\u202e",
    "\ufeff",
    "\x0b",
    "\x01",
    "\x7f",
    "\u2028",
    "\ufffe",
    "é",
    "ж",
    "\U0001f600",
    "’",
    "--",
    "...",
    '"',
    "'",
    "Term\n: Definition",
    "| a | b |\n|---|---|\n| c | d |",
    "***",
    "- [ ] task",
    "$$x$$",
    "\r",
    "\r\n",
]
BODIES = st.lists(
    st.one_of(st.sampled_from(MD_PIECES), st.text(ANY_CHAR, max_size=8)), max_size=40
).map("".join)


def write_post(site: Site, front: str, body: str) -> None:
    text = f"---\n{front}\n---\n{body}"
    (site.root / POST).write_bytes(
        text.encode("utf-8", "surrogatepass")
    )  # a lone surrogate: not UTF-8


# --- The properties ---------------------------------------------------------------------------


@FUZZ
@given(front=front_matters())
def test_any_front_matter_builds_or_fails_cleanly(site: Site, front: str) -> None:
    write_post(site, front, "A body.\n")
    event(
        f"exit {run_and_check(site).exit_code}"
    )  # --hypothesis-show-statistics shows how many built


@FUZZ
@given(body=BODIES)
def test_any_markdown_body_builds_or_fails_cleanly(site: Site, body: str) -> None:
    write_post(site, "title: A fuzzed post\ndate: 2017-03-14\ncountries: [Kyrgyzstan]", body)
    result = run_and_check(site)
    event(f"exit {result.exit_code}")
    if result.exit_code == 0:
        page = (site.out / "news/2017/a-fuzzed-post/index.html").read_text("utf-8")
        assert "A fuzzed post" in page


SHOWABLE = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
SHOWABLE_TEXT = st.text(SHOWABLE, min_size=1, max_size=40).filter(lambda t: t.strip())


class Texts(HTMLParser):
    """The decoded text of each element of a page, and every attribute value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.stack.append(tag)
        self.text.setdefault(tag, []).append("")
        self.attributes += [v for _, v in attrs if v is not None]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.text[self.stack[-1]][-1] += data


@settings(FUZZ, max_examples=40)
@given(title=SHOWABLE_TEXT, summary=SHOWABLE_TEXT, location=SHOWABLE_TEXT, tag=SHOWABLE_TEXT)
def test_any_text_in_a_field_is_built_and_shown_as_written(
    site: Site, title: str, summary: str, location: str, tag: str
) -> None:
    """Whatever printable text a title, summary, location or tag holds, the post builds and every
    place shows exactly that text (after HTML or XML decoding): nothing lost, nothing doubled."""
    tag = "t " + tag  # a tag needs a letter to make its URL from
    fields = {"title": title, "summary": summary, "location": location, "tags": [tag]}
    front = (
        "\n".join(f"{k}: {dump_value(v)}" for k, v in fields.items())
        + "\ndate: 2017-03-14\nslug: fuzzed\ncountries: [KG]"
    )
    write_post(site, front, "A body.\n")
    result = run_and_check(site)
    assert result.exit_code == 0, result.stderr
    shown = {k: " ".join(v.split()) for k, v in fields.items() if k != "tags"} | {
        "tag": " ".join(tag.split())
    }
    page = Texts()
    page.feed((site.out / "news/2017/fuzzed/index.html").read_text("utf-8"))
    assert page.text["h1"] == [shown["title"]]
    assert page.text["title"] == [f"{shown['title']} – Mini News"]
    assert shown["summary"] in page.attributes  # <meta name="description">
    assert shown["location"] in page.text["dd"]
    assert shown["tag"] in page.text["a"]
    for name in ("feed.xml", "atom.xml"):
        feed = ET.fromstring((site.out / name).read_bytes())
        texts = [e.text for e in feed.iter() if e.text] + [
            v for e in feed.iter() for v in e.attrib.values()
        ]
        assert shown["title"] in texts and shown["summary"] in texts and shown["tag"] in texts, name


@settings(FUZZ, max_examples=25)
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.text(ANY_CHAR, max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ),
    prefix=st.sampled_from([b"", b"---\n", b"\xef\xbb\xbf---\n", b"---\r\n"]),
)
def test_any_file_content_builds_or_fails_cleanly(site: Site, data: bytes, prefix: bytes) -> None:
    (site.root / POST).write_bytes(prefix + data)
    event(f"exit {run_and_check(site).exit_code}")


# site.toml: any TOML value for any key, unknown keys and tables, broken TOML.


def toml_string(text: str) -> str:
    """A TOML basic string; a surrogate is written as the escape TOML forbids."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(value)


URLS = st.sampled_from(
    [
        "https://example.org/",
        "https://example.org/sub/path/",
        "https://ex ample.org/",
        'https://example.org/"><script>alert(1)</script>/',
        "https://[::1/",
        "http://[::1]:8000/",
        "https://example.org:99999/",
        "http://user:pass@host/",
        "https://example.org/%00/",
        "https://example.org/\u0001/",
        "https://example.org/\n",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://",
        "https://example.org/?q=1",
        "https://example.org/#f",
        "//example.org/",
        "https://exa\u2028mple.org/",
        "https://пример.рф/",
        "https://example.org/a b/",
    ]
)
TOML_SCALARS = st.one_of(
    st.booleans(), st.integers(), st.floats(), ANY_TEXT, HUGE, st.dates(), st.datetimes(), URLS
)
TOML_VALUES = st.recursive(
    TOML_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=6,
)
CONFIG_KEYS = {
    "site": [
        "title",
        "description",
        "base_url",
        "language",
        "timezone",
        "per_page",
        "logo",
        "unknown",
    ],
    "feeds": ["items", "content", "unknown"],
    "content": ["raw_html", "unknown"],
    "countries.kyrgyzstan": ["name", "iso", "aliases", "unknown"],
    "countries.tajikistan": ["name", "iso", "aliases"],
}
SPECIAL = {
    "language": st.sampled_from(["en", "ru", "xx", "en-GB", "../../etc", ""]),
    "timezone": st.sampled_from(
        [
            "UTC",
            "Asia/Bishkek",
            "Asia",
            "",
            "../../etc/passwd",
            "/etc/localtime",
            "zone.tab",
            "Factory",
            "a" * 300,
        ]
    ),
    "per_page": st.integers(-5, 2000),
    "items": st.integers(-5, 20000),
    "content": st.sampled_from(["full", "summary", "none"]),
    "iso": st.sampled_from(["KG", "kg", "K", "KGZ", "\u041a\u0413"]),
    "base_url": URLS,
    "logo": st.sampled_from(
        [
            "templates/static/favicon.svg",
            "templates/static/favicon.ico",
            "templates/base.svg",
            "content/x.svg",
            "site.toml",
            "../logo.svg",
            "/etc/logo.svg",
            "output/logo.svg",
            ".newsroom-cache/logo.svg",
            "a" * 300 + ".svg",
            "static\\logo.svg",
        ]
    ),
}


@st.composite
def configs(draw) -> str:
    """site.toml: the mini config as tables of values.

    Some are replaced, some added, then it is maybe broken.
    """
    tables: dict[str, dict[str, object]] = {
        "site": {
            "title": "Mini News",
            "description": "A tiny test site.",
            "base_url": "https://example.org/",
            "timezone": "Asia/Bishkek",
            "per_page": 2,
        },
        "feeds": {"items": 3},
        "countries.kyrgyzstan": {"name": "Kyrgyzstan", "iso": "KG", "aliases": ["Kyrgyz Republic"]},
        "countries.tajikistan": {"name": "Tajikistan", "iso": "TJ"},
    }
    for _ in range(draw(st.integers(1, 4))):
        table = draw(st.sampled_from(sorted(CONFIG_KEYS)))
        key = draw(st.sampled_from(CONFIG_KEYS[table]))
        tables.setdefault(table, {})[key] = draw(
            st.one_of(SPECIAL.get(key, TOML_VALUES), TOML_VALUES)
        )
    if draw(st.booleans()):
        tables[
            draw(
                st.sampled_from(
                    [
                        "countries.x",
                        "countries.Bad Key",
                        "countries." + "k" * 300,
                        "import.tags",
                        "unknown",
                    ]
                )
            )
        ] = {"name": draw(TOML_VALUES), "iso": "XX"}
    text = "\n".join(
        f"[{name if re.fullmatch(r'[a-z.]+', name) else toml_string(name)}]\n"
        + "".join(f"{toml_string(k)} = {toml_value(v)}\n" for k, v in keys.items())
        for name, keys in tables.items()
    )
    return text + draw(
        st.sampled_from(["", "", "", "\n[site", "\ntitle = ", "\n\x00", "\n[[site]]\n"])
    )


@settings(FUZZ, max_examples=60)
@given(config=configs())
def test_any_site_toml_builds_or_fails_cleanly(site: Site, config: str) -> None:
    (site.root / "site.toml").write_bytes(config.encode("utf-8", "surrogatepass"))
    (site.root / POST).write_text(post(title="A fuzzed post", date="2017-03-14"), encoding="utf-8")
    event(f"exit {run_and_check(site).exit_code}")


@settings(FUZZ, max_examples=30)
@given(
    url=st.one_of(
        URLS,
        st.text(ANY_CHAR, max_size=30),
        st.text(ANY_CHAR, max_size=20).map(lambda t: "https://example.org/" + t),
    )
)
def test_any_base_url_option_builds_or_fails_cleanly(site: Site, url: str) -> None:
    (site.root / POST).write_text(post(title="A fuzzed post", date="2017-03-14"), encoding="utf-8")
    before_out = tree(site.out) if site.out.is_dir() else None
    with record_writes() as writes:
        result = site.runner.invoke(
            cli, ["build", "--root", str(site.root), "--output", str(site.out), "--base-url", url]
        )
    assert result.exit_code in (0, 1, 2), (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert not outside_output(writes, site.out, site.root)
    if result.exit_code != 0:
        assert (tree(site.out) if site.out.is_dir() else None) == before_out
    for line in result.stderr.splitlines():
        assert (
            PROBLEM.match(line)
            or SUMMARY.match(line)
            or line.startswith(("Usage:", "Try ", "Error: "))
        ), line


def test_the_fuzzed_site_builds_when_nothing_is_wrong(site: Site) -> None:
    """The harness itself: a valid post builds and passes every check."""
    write_post(site, "title: A fuzzed post\ndate: 2017-03-14\ncountries: [Kyrgyzstan]", "A body.\n")
    assert run_and_check(site).exit_code == 0
    stamp = datetime(2017, 3, 14, tzinfo=timezone(timedelta(hours=6)))
    assert stamp.date().isoformat() in (site.out / "news/2017/a-fuzzed-post/index.html").read_text(
        "utf-8"
    )
