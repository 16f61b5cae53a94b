"""Templates render the same with builder/speedups/jinja.py as with Jinja's own context and escape.

Its context (quick_context) calls macros and the url helpers without Context.call's questions,
and its templates escape through quick_escape; these tests render with it and with the
speed-ups off (NEWSROOM_SPEEDUPS=0: jinja2.runtime.Context and markupsafe.escape), and compare.
Every speed-up at once: a whole site built both ways is byte-identical.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import markupsafe
import pytest
from conftest import REPO, tree

from builder.build import build_site
from builder.pipeline.config import load_config
from builder.pipeline.templates import make_environment
from builder.pipeline.theme import load_theme
from builder.speedups import SWITCH
from markupsafe import Markup

TRICKY = """\
{%- macro item(x, sep=", ") -%}[{{ x }}{{ sep }}{{ varargs|join("+") }}\
{{ kwargs|dictsort|join }}]{%- endmacro -%}
{%- macro box(x) -%}({{ x }} {{ caller() }}){%- endmacro -%}
{%- macro wrap() -%}<{{ caller("in") }}>{%- endmacro -%}
{%- set ns = namespace(n=0) -%}
{%- for x in range(3) -%}
{%- set ns.n = ns.n + x -%}
{{ item(x) }}{{ item(x, "; ", 7, 8, k=x) }}{{ url("news/" ~ x) }} {{ abs_url() }} \
{{ loop.cycle("odd", "even") }}
{%- call(word) wrap() %}{{ word }} {{ url(loop.index) }}{% endcall -%}
{%- endfor -%}
{{ ns.n }} {{ url() }} {{ m.date_short(post) }} {{ m.chips(post.countries, "Countries", "c") }}
{%- call box("c") %}called {{ url("x/") }} & <b>{% endcall -%}
{% autoescape false %}{{ item("<i>")|e }}{% call box("<u>") %}<s>{% endcall %}{% endautoescape %}
{{ t.page_of.format(number=1, total=2) }} {{ "%s"|format(url("a")) }} {{ dict(a=1) }} \
{{ lipsum(1, html=False)[:0] }}
"""


def environments(site: Path) -> tuple[jinja2.Environment, jinja2.Environment]:
    config = load_config(site)
    quick = make_environment(config, load_theme(config), ())
    os.environ[SWITCH] = "0"
    try:
        plain = make_environment(config, load_theme(config), ())
    finally:
        del os.environ[SWITCH]
    assert plain.context_class is jinja2.runtime.Context and plain.template_class is jinja2.Template
    return quick, plain


def test_the_quick_context_is_in_use(fixture_site: Path) -> None:
    quick, plain = environments(fixture_site)
    assert quick.context_class is not jinja2.runtime.Context and issubclass(
        quick.context_class, jinja2.runtime.Context
    )


def test_every_kind_of_call_renders_the_same() -> None:
    from builder.build import check_site

    post = check_site(REPO).site.posts[0]
    found = []
    for env in environments(REPO):
        template = env.from_string('{% import "macros.html" as m with context %}' + TRICKY)
        found.append(template.render(post=post))
    assert found[0] == found[1]
    assert (
        "[1; 7+8(&#39;k&#39;, 1)]" in found[0]
        and "<in /1>" in found[0]
        and "odd" in found[0]
        and "called" in found[0]
        and "[&amp;lt;i&amp;gt;, ]" in found[0]
    )


def test_an_undefined_macro_argument_fails_the_same(fixture_site: Path) -> None:
    errors = []
    for env in environments(fixture_site):
        template = env.from_string("{% macro f(x) %}{{ x.missing }}{% endmacro %}{{ f(1) }}")
        with pytest.raises(jinja2.UndefinedError) as caught:
            template.render()
        errors.append(str(caught.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("which", ["real", "fixture"])
def test_a_site_built_with_and_without_the_speedups_is_byte_identical(
    fixture_site: Path, tmp_path: Path, monkeypatch, which: str
) -> None:
    site = REPO if which == "real" else fixture_site
    build_site(site, output_dir=tmp_path / "quick")
    monkeypatch.setenv(SWITCH, "0")
    build_site(site, output_dir=tmp_path / "plain", clean=True)
    assert tree(tmp_path / "quick") == tree(tmp_path / "plain")


class Shown:
    def __html__(self) -> str:
        return "<em>shown</em>"


VALUES = [
    "",
    "plain",
    "<a href=\"x\">Tom & 'Jerry'</a>",
    "\u00e9\u0436\U0001f600 <",
    Markup("<b>kept</b>"),
    Markup(""),
    0,
    12.5,
    None,
    True,
    Shown(),
    type("Sub", (str,), {})("<sub>"),
]


def test_templates_escape_through_the_quick_escape_and_it_gives_what_markupsafe_gives(
    fixture_site: Path,
) -> None:
    quick, _ = environments(fixture_site)
    escape = quick.from_string("{{ x }}").root_render_func.__globals__["escape"]
    assert escape is not markupsafe.escape
    for value in VALUES:
        made, expected = escape(value), markupsafe.escape(value)
        assert type(made) is Markup and made == expected, value


def test_a_template_renders_every_kind_of_value_as_jinja_does(fixture_site: Path) -> None:
    quick, plain = environments(fixture_site)
    plain.template_class = jinja2.Template
    source = "{% for v in values %}[{{ v }}|{{ v|e }}|{{ v ~ '<' }}|{{ v|string }}]{% endfor %}"
    found = [env.from_string(source).render(values=VALUES) for env in (quick, plain)]
    assert (
        found[0] == found[1]
        and "&lt;a href=&#34;x&#34;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;" in found[0]
        and "<b>kept</b>" in found[0]
    )


def test_the_strings_and_site_tables_read_as_the_dicts_they_were() -> None:
    quick, _ = environments(REPO)
    config = load_config(REPO)
    strings = load_theme(config).strings
    assert isinstance(quick.globals["t"], dict) and dict(quick.globals["t"]) == strings
    source = (
        "{{ t.read_more }}|{{ t['read_more'] }}|{{ t.get('read_more') }}|{{ 'read_more' in t }}|"
        "{{ t|length }}|{{ t.months[0] }}|{{ site.title }}|{{ site['title'] }}|"
        "{{ (t|dictsort)[0][0] }}"
    )
    assert quick.from_string(source).render() == "|".join(
        [strings["read_more"]] * 3
        + [
            "True",
            str(len(strings)),
            strings["months"][0],
            config.title,
            config.title,
            min(strings),
        ]
    )
    with pytest.raises(jinja2.UndefinedError):
        quick.from_string("{{ t.no_such_string }}").render()
