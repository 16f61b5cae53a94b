"""Hostile content: refused quickly with a clear `path:line: message`, or built inert and readable.

Covers what a contributor could put in a site to break or attack it: YAML bombs and object
tags, markup in every text field, raw HTML and script URLs in bodies, links leaving the site,
huge and deeply nested files, characters pages cannot hold. The cases found by the fuzzer
(tests/test_fuzz.py) are kept here as plain tests.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import threading
import time
import tracemalloc
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.pipeline import front_matter
from builder.build import build_site
from builder.cli import cli
from builder.pipeline.config import load_config
from builder.errors import BuildError
from builder.pipeline import complexity
from builder.pipeline.markup import MarkdownRenderer
from conftest import MINI_CONFIG, post, tree

REL = "content/news/2017/2017-03-14-a-workshop-in-bishkek.md"
PAGE = "news/2017/a-workshop-in-bishkek/index.html"


def build(runner: CliRunner, root: Path, out: Path, *extra: str) -> Result:
    return runner.invoke(cli, ["build", "--root", str(root), "--output", str(out), *extra])


def refused(
    runner: CliRunner,
    make_site,
    tmp_path: Path,
    files: dict[str, str | bytes],
    where: str,
    *words: str,
    config: str = MINI_CONFIG,
    seconds: float = 10,
) -> str:
    """Build a good site, change `files`, build again: exit 1 within `seconds`, a line starting
    `where:` (and a line number, if `where` has none) holding every word, no traceback, the
    output untouched. Returns that line."""
    root = make_site({REL: post()}, config=MINI_CONFIG)
    out = tmp_path / "out"
    assert build(runner, root, out).exit_code == 0
    before = tree(out)
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    (root / "site.toml").write_text(config, encoding="utf-8")
    started = time.perf_counter()
    result = build(runner, root, out)
    assert time.perf_counter() - started < seconds
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert tree(out) == before
    pattern = re.escape(where) + ("" if re.search(r":\d+$", where) else r"(:\d+)?") + ": "
    found = [line for line in result.stderr.splitlines() if re.match(pattern, line)]
    assert found, f"no '{where}: …' line in:\n{result.stderr}"
    for word in words:
        assert word in found[0], (word, found[0])
    return found[0]


# --- Found by fuzzing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "escape, shown",
    [
        ("\\x01", "U+0001"),
        ("\\0", "U+0000 (NUL)"),
        ("\\e", "U+001B (escape)"),
        ("\\ud800", "U+D800 (half of a character"),
        ("\\uffff", "U+FFFF"),
        ("\\f", "U+000C (form feed)"),
    ],
)
def test_a_character_pages_cannot_hold_written_as_a_yaml_escape_is_refused(
    runner, make_site, tmp_path, escape, shown
) -> None:
    # lxml refused these in the feeds (ValueError) and UTF-8 cannot encode a lone
    # surrogate: tracebacks before
    refused(
        runner,
        make_site,
        tmp_path,
        {REL: post(title=f'"Workshop {escape}"')},
        f"{REL}:2",
        "'title'",
        shown,
        "delete it",
    )


@pytest.mark.parametrize("char", ["\x1b", "\x0c", "\x01", "\ufffe"])
def test_a_control_character_in_the_body_is_refused_with_its_line(
    runner, make_site, tmp_path, char
) -> None:
    refused(
        runner,
        make_site,
        tmp_path,
        {REL: post(body=f"First line.\n\nA {char}bad line.\n")},
        f"{REL}:9",
        f"U+{ord(char):04X}",
    )


def test_a_control_character_in_the_front_matter_is_reported_on_one_line(
    runner, make_site, tmp_path
) -> None:
    refused(runner, make_site, tmp_path, {REL: post(title="Work\x1fshop")}, f"{REL}:2", "U+001F")
    line = refused(
        runner,
        make_site,
        tmp_path,
        {REL: post(title="Work\x7fshop")},
        f"{REL}:2",
        "remove the character U+007F",
    )
    assert "\n" not in line and "position" not in line  # was PyYAML's two-line message


def test_a_field_name_with_a_newline_is_named_on_one_line(runner, make_site, tmp_path) -> None:
    line = refused(
        runner,
        make_site,
        tmp_path,
        {REL: post(extra='"con\\ntries": [KG]\n')},
        f"{REL}:6",
        "unknown field 'con\\ntries'",
    )
    assert line.endswith("location, aliases")


def test_yaml_nested_deeper_than_any_field_needs_is_refused_quickly(
    runner, make_site, tmp_path
) -> None:
    deep = "[" * 5000 + "]" * 5000  # PyYAML's composer recursed until RecursionError: a traceback
    refused(
        runner,
        make_site,
        tmp_path,
        {REL: post(tags=deep)},
        f"{REL}:5",
        "more than 20 deep",
        seconds=5,
    )


NESTS = st.recursive(
    st.sampled_from(["x", "a-b", "k: v", "?", "-", ""]),
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(st.sampled_from(["a", "b-c", "d:e"]), inner, max_size=2)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(NESTS, st.sampled_from([None, True, False]))
def test_front_matter_skips_the_depth_walk_only_where_it_cannot_nest_too_deep(value, flow) -> None:
    """compose_yaml walks PyYAML's events for depth only past MAX_DEPTH indicator characters:
    its answer is the walk's on any nesting, block or flow style."""
    fm = yaml.safe_dump({"tags": value}, default_flow_style=flow)
    assert front_matter.compose_yaml(fm, yaml.SafeLoader)[1] == front_matter.find_too_deep(fm)


BODY_PIECES = st.sampled_from(
    [
        "word ",
        "\n",
        "\n\n",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "> ",
        "- ",
        "* ",
        "+ ",
        "1. ",
        "    ",
        "\t",
        "12) ",
        "-",
        "x" * 200,
    ]
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(BODY_PIECES, max_size=400).map("".join), st.integers(1, 2000))
def test_a_body_passed_by_the_quick_bounds_would_pass_the_full_measure(body, repeat) -> None:
    """find_too_complex skips the block-by-block measure only where character counts prove it
    would find nothing: never for a body the measure refuses."""
    for text in (body, body * repeat):
        if complexity.is_plainly_simple(text):
            assert complexity.measure_complexity(text) is None
        assert complexity.find_too_complex(text) == complexity.measure_complexity(text)


@pytest.mark.parametrize("lead", [">", "> ", "- ", "\t", "    ", "1. ", " >", "\t- "])
@pytest.mark.parametrize("levels", [50, 51])
def test_the_quick_bounds_let_no_nest_past_the_limit_through(lead, levels) -> None:
    body = "Intro.\n\n" + lead * levels + "deep\n"
    assert complexity.find_too_complex(body) == complexity.measure_complexity(body)
    if lead in (">", "> ", "\t", "    "):  # one level each
        assert (complexity.find_too_complex(body) is None) == (levels <= complexity.MAX_NESTING)


@pytest.mark.parametrize(
    "fm",
    [
        "tags:\n" + "".join("  " * i + "- \n" for i in range(21)),
        "tags: " + "[" * 21 + "]" * 21,
        "tags:\n" + "- " * 21 + "x",
        "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 21)) + "  " * 21 + "c",
    ],
)
def test_front_matter_nested_21_deep_is_found_however_written(fm) -> None:
    assert front_matter.compose_yaml(fm, yaml.SafeLoader)[1] is not None


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59-14:00", "0001-01-01T00:00+14:00", "0001-01-01", "9999-12-31"]
)
def test_a_date_at_the_edge_of_the_calendar_is_refused(runner, make_site, tmp_path, value) -> None:
    refused(
        runner,
        make_site,
        tmp_path,
        {REL: post(date=value)},
        f"{REL}:3",
        "'date'",
        "out of range",
        "2 to 9998",
    )


def test_a_slug_longer_than_a_file_name_may_be_is_refused(runner, make_site, tmp_path) -> None:
    refused(
        runner,
        make_site,
        tmp_path,
        {REL: post(extra=f"slug: {'a' * 300}\n")},
        f"{REL}:6",
        "'slug'",
        "300 characters",
    )


@pytest.mark.parametrize(
    "line, toml, words",
    [
        (2, 'title = "Mini \\u0001 News"', ("[site] title", "U+0001")),
        (4, 'base_url = "https://[::1/"', ("base_url", "Invalid IPv6")),
        (4, 'base_url = "https://example.org/a b/"', ("base_url", "cannot hold spaces")),
        (4, 'base_url = "https://example.org/\\"><script>/"', ("base_url", "quotes")),
    ],
)
def test_a_broken_site_toml_value_is_refused(
    runner, make_site, tmp_path, line, toml, words
) -> None:
    key = toml.split(" = ")[0]
    config = re.sub(rf"(?m)^{key} = .*$", toml.replace("\\", "\\\\"), MINI_CONFIG)
    refused(runner, make_site, tmp_path, {}, f"site.toml:{line}", *words, config=config)


def test_a_country_key_too_long_for_a_folder_name_is_refused(runner, make_site, tmp_path) -> None:
    config = MINI_CONFIG.replace("[countries.tajikistan]", f"[countries.{'t' * 300}]")
    refused(
        runner,
        make_site,
        tmp_path,
        {},
        "site.toml:"
        f"{MINI_CONFIG.count(chr(10), 0, MINI_CONFIG.index('[countries.tajikistan]')) + 1}",
        "at most 80",
        config=config,
    )


def test_a_base_url_option_that_is_not_a_url_is_refused(runner, make_site, tmp_path) -> None:
    root = make_site({REL: post()})
    result = build(runner, root, tmp_path / "out", "--base-url", "https://[::1/")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "--base-url: expected an absolute http(s) URL" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("name", ["news/2017/pipe.md", "news/2017/picture.jpg"])
def test_a_named_pipe_in_content_is_refused_instead_of_read_forever(
    runner, make_site, tmp_path, name
) -> None:
    root = make_site({REL: post()})
    out = tmp_path / "out"
    assert build(runner, root, out).exit_code == 0
    before = tree(out)
    os.mkfifo(root / "content" / name)
    started = time.perf_counter()
    result = build(runner, root, out)
    assert time.perf_counter() - started < 10
    assert result.exit_code == 1, result.output
    assert f"content/{name}: is not a regular file" in result.stderr
    assert tree(out) == before


def test_an_output_folder_under_a_file_is_refused(runner, make_site, tmp_path) -> None:
    root = make_site({REL: post()})
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    result = build(runner, root, tmp_path / "afile" / "out")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"{tmp_path / 'afile'} is a file, not a folder" in result.stderr
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "not a folder"


# --- YAML bombs and object tags ---------------------------------------------------------------


def laughs(levels: int = 9) -> str:
    """A 'billion laughs' list: each level holds nine aliases of the one below.

    Expanded, it would be 9**9 strings.
    """
    items = ['&l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    items += [f"&l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, levels + 1)]
    return "[" + ", ".join(items) + "]"


def test_billion_laughs_in_one_field_is_refused_quickly_in_bounded_memory(
    make_site, tmp_path
) -> None:
    root = make_site({REL: post(tags=laughs())})
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(BuildError) as caught:
            build_site(root, output_dir=tmp_path / "out", jobs=1)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 5
    assert peak < 64 * 1024 * 1024, f"{peak / 2**20:.0f} MB"  # expanded, it would be gigabytes
    assert [str(p) for p in caught.value.problems] == [
        f"{REL}:5: 'tags' must be a list of names, e.g. tags: [training, customs]; found a nested "
        "structure"
    ]


def test_billion_laughs_across_fields_is_refused_quickly(runner, make_site, tmp_path) -> None:
    anchors = "".join(
        f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]\n" for n in range(1, 10)
    )
    bad = post(extra='a0: &a0 ["lol", "lol", "lol"]\n' + anchors + "location: *a9\n")
    refused(runner, make_site, tmp_path, {REL: bad}, f"{REL}:6", "unknown field 'a0'", seconds=5)


@pytest.mark.parametrize(
    "tagged",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        '!!python/object/new:os.system ["touch {marker}"]',
        "!!python/name:os.system",
        "!!python/module:os",
        '!!python/object:builtins.open {{file: "{marker}", mode: w}}',
        "!!binary dG91Y2g=",
        "!!set {{a, b}}",
        "!mytag x",
        '[!!python/object/apply:os.system ["touch {marker}"]]',
    ],
)
def test_a_yaml_tag_that_would_construct_an_object_is_refused(
    runner, make_site, tmp_path, tagged
) -> None:
    marker = tmp_path / "pwned"
    value = tagged.format(marker=marker)
    refused(
        runner,
        make_site,
        tmp_path,
        {REL: post(extra=f"location: {value}\n")},
        f"{REL}:6",
        "'location'",
        "not allowed",
    )
    assert not marker.exists()


def test_a_tag_directive_cannot_smuggle_a_python_tag(runner, make_site, tmp_path) -> None:
    marker = tmp_path / "pwned"
    bad = (
        "---\n%TAG !p! tag:yaml.org,2002:python/\n---\ntitle: !p!object/apply:os.system ['touch "
        f"{marker}']\ndate: 2017-03-14\n---\nBody.\n"
    )
    refused(
        runner, make_site, tmp_path, {REL: bad}, REL, "YAML", seconds=5
    )  # the front matter cannot even hold a directive
    assert not marker.exists()


# --- Markup in every text field: inert and readable everywhere --------------------------------

HOSTILE = "<script>alert(1)</script> </script> \" ' & ]]> </title>"
HOSTILE_CONFIG = (
    MINI_CONFIG.replace(
        'title = "Mini News"', 'title = "News </title><script>alert(2)</script> & ]]>"'
    )
    .replace(
        'description = "A tiny test site."',
        'description = "Desc <script>alert(3)</script> \' \\" ]]>"',
    )
    .replace(
        'name = "Kyrgyzstan"', 'name = "Kyrgyz</script><script>alert(4)</script> & \\" \' ]]>"'
    )
)


class Page(HTMLParser):
    """Everything a browser would see in a page: elements and their attributes, text, scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict, str]] = []  # (attributes, raw text)

    @property
    def attributes(self) -> list[tuple[str, str, str]]:
        """Every attribute of every element: (tag, name, value)."""
        return [(tag, name, value) for tag, attrs in self.elements for name, value in attrs.items()]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self.open.append(tag)
        self.texts.setdefault(tag, []).append("")
        if tag == "script":
            self.scripts.append((dict(attrs), ""))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self.open:
            self.texts[self.open[-1]][-1] += data
            if self.open[-1] == "script":
                attrs, text = self.scripts[-1]
                self.scripts[-1] = (attrs, text + data)

    def attribute(self, tag: str, wanted: str, **match: str) -> list[str]:
        """Attribute `wanted` of each `tag` element whose other attributes equal `match`."""
        return [
            attrs[wanted]
            for t, attrs in self.elements
            if t == tag and wanted in attrs and all(attrs.get(k) == v for k, v in match.items())
        ]


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    page.close()
    return page


def assert_inert(page: Page, rel: str) -> None:
    """No script but JSON-LD and our own files, no event handler, JSON-LD staying in its element."""
    for attrs, text in page.scripts:
        if attrs.get("src"):
            assert not text.strip(), rel
            assert not re.match(r"(?i)\s*(javascript|data|vbscript):", attrs["src"]), rel
            continue
        assert attrs.get("type") == "application/ld+json", (
            f"{rel}: an inline script that is not JSON-LD: {text[:80]!r}"
        )
        assert "</script" not in text.lower() and "<!--" not in text, rel
        json.loads(text)
    assert not [n for _, n, _ in page.attributes if n.lower().startswith("on")], rel


@pytest.fixture
def hostile_site(make_site, tmp_path: Path) -> tuple[Path, Path]:
    root = make_site(
        {
            REL: post(
                title=json.dumps(HOSTILE),
                countries="[Kyrgyzstan]",
                tags=json.dumps([HOSTILE, "training"]),
                extra=(
                    f"summary: {json.dumps('Sum ' + HOSTILE)}\nlocation: "
                    f"{json.dumps('Loc ' + HOSTILE)}\nslug: hostile\n"
                ),
            ),
        },
        config=HOSTILE_CONFIG,
    )
    out = tmp_path / "out"
    report = build_site(root, output_dir=out)
    assert report.posts == 1
    return root, out


SITE_TITLE = "News </title><script>alert(2)</script> & ]]>"
COUNTRY = "Kyrgyz</script><script>alert(4)</script> & \" ' ]]>"
DESCRIPTION = "Desc <script>alert(3)</script> ' \" ]]>"


def test_markup_in_text_fields_is_inert_in_every_html_page(hostile_site) -> None:
    _, out = hostile_site
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 5
    for path in pages:
        rel = path.relative_to(out).as_posix()
        if rel.startswith("pagefind/"):
            continue
        text = path.read_text("utf-8")
        assert "<script>alert" not in text, rel
        assert_inert(read_page(path), rel)


def test_markup_in_text_fields_reads_as_written_in_the_post_page(hostile_site) -> None:
    _, out = hostile_site
    page = read_page(out / "news/2017/hostile/index.html")
    assert page.texts["h1"] == [HOSTILE]
    assert page.texts["title"][0] == f"{HOSTILE} – {SITE_TITLE}"
    assert page.attribute("meta", "content", name="description") == ["Sum " + HOSTILE]
    assert page.attribute("meta", "content", property="og:title") == [HOSTILE]
    assert page.attribute("meta", "content", property="og:site_name") == [SITE_TITLE]
    assert "Loc " + HOSTILE in [t.strip() for t in page.texts["dd"]]
    chips = [t.strip() for t in page.texts["a"]]
    assert HOSTILE in chips and COUNTRY in chips and SITE_TITLE in chips
    alternate = page.attribute("link", "title", rel="alternate")
    assert alternate and all(SITE_TITLE in t for t in alternate[:2])
    (ld,) = [
        json.loads(text)
        for attrs, text in page.scripts
        if attrs.get("type") == "application/ld+json"
    ]
    assert ld["headline"] == HOSTILE and ld["description"] == "Sum " + HOSTILE
    assert (
        ld["contentLocation"]["name"] == "Loc " + HOSTILE and ld["publisher"]["name"] == SITE_TITLE
    )
    assert HOSTILE in ld["keywords"] and COUNTRY in ld["keywords"]


def test_markup_in_text_fields_reads_as_written_in_lists_and_term_pages(hostile_site) -> None:
    _, out = hostile_site
    home = read_page(out / "index.html")
    assert HOSTILE in [t.strip() for t in home.texts["a"]]
    assert "Sum " + HOSTILE in [t.strip() for t in home.texts["p"]]
    assert DESCRIPTION in [t.strip() for t in home.texts["p"]]
    country = read_page(out / "countries/kyrgyzstan/index.html")
    assert country.texts["h1"] == [COUNTRY]
    assert any(
        COUNTRY in t for t in country.texts.get("title", [])
    )  # the page's and the chart's <title>
    tag = next(
        p for p in (out / "tags").iterdir() if p.is_dir() and p.name.startswith("script-alert")
    )
    assert read_page(tag / "index.html").texts["h1"] == [HOSTILE]


def test_markup_in_text_fields_reads_as_written_in_the_feeds_and_sitemap(hostile_site) -> None:
    _, out = hostile_site
    rss = ET.fromstring((out / "feed.xml").read_bytes())
    assert (
        rss.findtext("channel/title") == SITE_TITLE
        and rss.findtext("channel/description") == DESCRIPTION
    )
    item = rss.find("channel/item")
    assert item.findtext("title") == HOSTILE and item.findtext("description") == "Sum " + HOSTILE
    assert {c.text for c in item.iter("category")} == {COUNTRY, HOSTILE, "training"}
    atom = ET.fromstring((out / "atom.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert (
        atom.findtext("a:title", namespaces=ns) == SITE_TITLE
        and atom.findtext("a:subtitle", namespaces=ns) == DESCRIPTION
    )
    entry = atom.find("a:entry", ns)
    assert (
        entry.findtext("a:title", namespaces=ns) == HOSTILE
        and entry.findtext("a:summary", namespaces=ns) == "Sum " + HOSTILE
    )
    assert {c.get("label") for c in entry.iter("{http://www.w3.org/2005/Atom}category")} == {
        COUNTRY,
        HOSTILE,
        "training",
    }
    for feed in out.rglob("*.xml"):
        ET.fromstring(feed.read_bytes())  # every feed and the sitemap is well-formed XML


def test_markup_in_text_fields_reads_as_written_in_the_search_index(hostile_site) -> None:
    _, out = hostile_site
    fragments = (
        sorted((out / "pagefind" / "fragment").glob("*")) if (out / "pagefind").is_dir() else []
    )
    if not fragments:
        pytest.skip("Pagefind is not installed: no search index was made")
    records = [
        json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd")) for f in fragments
    ]
    (record,) = [r for r in records if r["url"].endswith("/news/2017/hostile/")]
    assert record["meta"]["title"] == HOSTILE  # data the search page shows as text
    assert record["content"].startswith(HOSTILE)


def test_markup_in_an_error_is_inert_on_the_serve_error_page(make_site) -> None:
    from builder.preview.serve import make_server
    from test_serve import fetch

    root = make_site({REL: post(countries=json.dumps([COUNTRY.replace('"', "")]))})
    server, preview = make_server(root, "127.0.0.1", 0, lambda _: None)
    try:
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        status, _, text = fetch(preview.base_url)
    finally:
        server.shutdown()
        server.server_close()
    assert status == 500 and "<script>alert" not in text
    page = Page()
    page.feed(text)
    assert not [n for _, n, _ in page.attributes if n.lower().startswith("on")]
    inline = [t for attrs, t in page.scripts if not attrs.get("src")]
    assert len(inline) == 1 and "alert" not in inline[0]  # only the reload script
    assert f"{REL}:4: unknown country '{COUNTRY.replace(chr(34), '')}'" in page.texts["code"][0]


# --- Raw HTML in a body: the editor's by default, off for untrusted contributors ---------------

ATTACKS = """\
<script>alert(1)</script>

<img src=x onerror=alert(2)>

[a](javascript:alert(3)) [b](JaVaScRiPt:alert(4)) [c](&#106;avascript:alert(5)) \
[d](java&#x09;script:alert(6))
[e](vbscript:msgbox(7)) [f](data:text/html;base64,PHNjcmlwdD4=) ![g](javascript:alert(8)) [h](https://example.org/ok)

A paragraph with a handler.
{: onclick="alert(9)" style="position:fixed" }

<a href="javascript:alert(10)" onmouseover="alert(11)">raw link</a>
"""


def render(body: str, *, raw_html: bool) -> str:
    renderer = MarkdownRenderer(base_path="/", pages={}, files=frozenset(), raw_html=raw_html)
    return str(renderer.render(body, source="x.md", content_rel="news/x.md", line=1).html)


def test_raw_html_is_kept_by_default_for_trusted_editors() -> None:
    html = render("<b>bold</b> and <script>trusted()</script>\n", raw_html=True)
    assert "<b>bold</b>" in html and "<script" not in html  # kept, but never a script (sanitise)


def assert_no_active_content(html: str) -> Page:
    """No script element, event handler, style or javascript:/vbscript:/data: URL in `html`."""
    page = Page()
    page.feed(html)
    assert [
        attrs
        for attrs, _ in page.scripts
        if attrs.get("type") != "application/ld+json" and not attrs.get("src")
    ] == []
    assert not [n for _, n, _ in page.attributes if n.startswith("on") or n == "style"]
    for _, name, value in page.attributes:
        assert (
            not re.sub(r"[\x00-\x20]", "", value)
            .lower()
            .startswith(("javascript:", "vbscript:", "data:"))
        ), (name, value)
    return page


def test_with_raw_html_off_no_script_handler_or_script_url_reaches_the_html() -> None:
    html = render(ATTACKS, raw_html=False)
    page = assert_no_active_content(html)
    assert "<script" not in html and "<img src=x" not in html
    assert page.attribute("a", "href") == [
        "https://example.org/ok"
    ]  # the one safe link keeps its target
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, readable
    assert "raw link" in html and "A paragraph with a handler." in html


def test_raw_html_is_a_site_toml_switch(make_site) -> None:
    root = make_site({}, config=MINI_CONFIG + "\n[content]\nraw_html = false\n")
    assert load_config(root).raw_html is False
    assert load_config(make_site({}, name="other")).raw_html is True


def test_raw_html_switch_must_be_true_or_false(runner, make_site, tmp_path) -> None:
    refused(
        runner,
        make_site,
        tmp_path,
        {},
        f"site.toml:{MINI_CONFIG.count(chr(10)) + 3}",
        "[content] raw_html",
        "true or false",
        config=MINI_CONFIG + '\n[content]\nraw_html = "no"\n',
    )


def test_with_raw_html_off_in_site_toml_the_built_pages_and_feeds_carry_no_script(
    make_site, tmp_path
) -> None:
    root = make_site(
        {REL: post(body=ATTACKS)}, config=MINI_CONFIG + "\n[content]\nraw_html = false\n"
    )
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    page = assert_no_active_content((out / PAGE).read_text("utf-8"))
    assert "raw link" in "".join(page.texts["p"])
    for feed in ("feed.xml", "atom.xml"):
        for element in ET.fromstring((out / feed).read_bytes()).iter():
            if element.tag.endswith(("encoded", "content")) and element.text:
                assert_no_active_content(element.text)  # the post's HTML, as feed readers show it


# --- Links leaving the site -------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel, is_dir",
    [
        ("content/news/2017/stolen.md", False),
        ("content/news/2017/stolen.jpg", False),
        ("content/news/stolen", True),
        ("templates/post.html", False),
        ("templates/partials", True),
        ("templates/static/stolen.css", False),
        ("templates/strings/en.toml", False),
    ],
)
def test_a_symbolic_link_leaving_the_site_is_refused(
    runner, make_site, tmp_path, rel, is_dir
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / ("folder" if is_dir else "secret.txt")
    if is_dir:
        secret.mkdir()
        (secret / "x.md").write_text(post(title="SECRET OUTSIDE"), encoding="utf-8")
    else:
        secret.write_text("SECRET OUTSIDE {{ page.title }}", encoding="utf-8")
    root = make_site({REL: post()})
    out = tmp_path / "out"
    assert build(runner, root, out).exit_code == 0
    before = tree(out)
    link = root / rel
    if link.exists():
        link.unlink()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret, target_is_directory=is_dir)
    result = build(runner, root, out)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"{rel}: is a symbolic link" in result.stderr
    assert tree(out) == before
    assert b"SECRET OUTSIDE" not in b"".join(tree(out).values())


def test_a_symbolic_link_inside_the_site_still_works(runner, make_site, tmp_path) -> None:
    root = make_site(
        {
            REL: post(body="![A photo](photo.jpg)\n"),
            "content/shared/photo.jpg": b"\xff\xd8\xff\xe0jpeg",
        }
    )
    (root / "content/news/2017/photo.jpg").symlink_to(root / "content/shared/photo.jpg")
    out = tmp_path / "out"
    assert build(runner, root, out).exit_code == 0
    assert (out / "news/2017/photo.jpg").read_bytes() == b"\xff\xd8\xff\xe0jpeg"


# --- Huge and deeply nested files -------------------------------------------------------------


def test_a_10_mb_post_is_refused_quickly_in_bounded_memory(make_site, tmp_path) -> None:
    root = make_site({REL: post(body="word " * (2 * 1024 * 1024))})  # 10 MB
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(BuildError) as caught:
            build_site(root, output_dir=tmp_path / "out", jobs=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 5
    assert peak < 32 * 1024 * 1024, (
        f"{peak / 2**20:.0f} MB"
    )  # reads at most the limit, not the file
    assert [str(p) for p in caught.value.problems] == [
        f"{REL}: is 10 MB: larger than the 5 MB a post may be"
    ]


def test_a_post_is_read_whole_up_to_the_limit_and_refused_past_it(tmp_path) -> None:
    from builder.pipeline.sources import MAX_SOURCE_BYTES, read_capped

    for size in (0, 1, 4095, 4096, 4097, MAX_SOURCE_BYTES):
        path = tmp_path / f"{size}.md"
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        assert read_capped(path) == (path.read_bytes(), size)
    path.write_bytes(b"x" * (MAX_SOURCE_BYTES + 2))
    data, size = read_capped(path)
    assert (len(data), size) == (
        MAX_SOURCE_BYTES + 1,
        MAX_SOURCE_BYTES + 2,
    )  # enough to know it is too large


NESTED = {
    "indented lists": "".join(
        "    " * i + "- item\n" for i in range(1_500)
    ),  # 4.5 MB: 10,000 levels would pass the size limit
    "quotes": ">" * 10_000 + " deep\n",
    "spaced quotes": "> " * 10_000 + "deep\n",
    "list markers": "- " * 10_000 + "deep\n",
    "quoted lists": "> - " * 5_000 + "deep\n",
}


@pytest.mark.parametrize("shape", sorted(NESTED))
def test_thousands_of_levels_of_nesting_are_refused_quickly(
    runner, make_site, tmp_path, shape
) -> None:
    line = refused(
        runner,
        make_site,
        tmp_path,
        {REL: post(body=NESTED[shape])},
        REL,
        "nest",
        "at most 50",
        seconds=10,
    )
    assert re.match(rf"{re.escape(REL)}:\d+: lists or quotes nest \d+ levels deep here", line)


def test_nesting_a_reader_could_follow_still_builds(runner, make_site, tmp_path) -> None:
    body = (
        "".join("    " * i + f"- level {i}\n" for i in range(12))
        + "\n"
        + "> " * 12
        + "a deep quote\n"
    )
    root = make_site({REL: post(body=body)})
    result = build(runner, root, tmp_path / "out")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / PAGE).read_text("utf-8")
    assert "level 11</li>" in html and html.count("<blockquote>") == 12


PATHOLOGICAL = {  # Python-Markdown's time grows with the square (or worse) of these
    "unclosed image brackets": "![" * 20_000,
    "unclosed brackets": "[" * 20_000,
    "nested brackets": "[" * 10_000 + "x" + "]" * 10_000,
    "unclosed link targets": "[a](" * 10_000,
    "unclosed autolinks": "<http://" * 10_000,
    "unclosed tags": "<a " * 10_000,
    "footnote starts": "[^" * 10_000,
    "one bracket per line": "[\n" * 10_000,
    "setext headings": "a\n=\n" * 10_000,
    "rules": "- - -\n" * 10_000,
    "definition lists": "a\n: b\n" * 10_000,
    "table rows": "|a|b|\n|-|-|\n" + "|x|y|\n" * 20_000,
    "html in markdown": '<div markdown="1">\n' * 5_000 + "x\n" + "</div>\n" * 5_000,
}


@pytest.mark.parametrize("shape", sorted(PATHOLOGICAL))
def test_markdown_that_would_take_minutes_is_built_or_refused_in_seconds(
    runner, make_site, tmp_path, shape
) -> None:
    root = make_site({REL: post(body=PATHOLOGICAL[shape])})
    started = time.perf_counter()
    result = build(runner, root, tmp_path / "out")
    assert time.perf_counter() - started < 15, f"{shape}: {time.perf_counter() - started:.1f} s"
    assert result.exit_code in (0, 1) and isinstance(result.exception, (SystemExit, type(None))), (
        result.output
    )
    if result.exit_code == 1:
        assert re.search(
            rf"(?m)^{re.escape(REL)}:\d+: "
            r"(this text would take Markdown too long|lists or quotes nest|the text nests)",
            result.stderr,
        ), result.stderr


def test_a_long_but_ordinary_post_builds(runner, make_site, tmp_path) -> None:
    paragraph = (
        "Border guards from [Kyrgyzstan](/countries/kyrgyzstan/) met (again) in Osh; <b>all</b> "
        "went well.\n" * 6
    )
    root = make_site(
        {REL: post(body="\n".join([paragraph] * 2000))}
    )  # 1.2 MB, 2,000 paragraphs with links
    result = build(runner, root, tmp_path / "out")
    assert result.exit_code == 0, result.output
