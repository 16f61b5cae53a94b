"""site.toml: a good one loads; each bad one is a ConfigError naming `site.toml:<line>`."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.cli import cli
from builder.pipeline.config import load_config
from builder.errors import ConfigError
from conftest import MINI_CONFIG, post


def write_config(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "site"
    root.mkdir(exist_ok=True)
    (root / "site.toml").write_text(text, encoding="utf-8")
    return root


def config_error(tmp_path: Path, text: str, **overrides) -> str:
    """Load `text` as site.toml; it must fail; return the error's text."""
    root = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(root, **overrides)
    return str(caught.value)


def line_of(text: str, start: str) -> int:
    """The 1-based number of the first line of `text` starting with `start`."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def test_good_config_loads(tmp_path):
    root = write_config(tmp_path, MINI_CONFIG)
    config = load_config(root)
    assert config.title == "Mini News"
    assert config.description == "A tiny test site."
    assert config.base_url == "https://example.org/"
    assert config.base_path == "/"
    assert config.language == "en"
    assert config.timezone.key == "Asia/Bishkek"
    assert config.per_page == 2
    assert config.feed_items == 3
    assert config.feed_content == "full"  # the default
    assert [(c.key, c.name, c.iso, c.aliases) for c in config.countries] == [
        ("kyrgyzstan", "Kyrgyzstan", "KG", ("Kyrgyz Republic",)),
        ("tajikistan", "Tajikistan", "TJ", ()),
    ]
    assert config.root == root.resolve()
    assert config.output_dir == root.resolve() / "output"
    assert config.content_dir == root.resolve() / "content"


def test_the_repository_config_loads():
    from conftest import REPO

    config = load_config(REPO)
    assert config.title == "BOMCA News"
    assert {c.iso for c in config.countries} == {"KZ", "KG", "TJ", "TM", "UZ"}


def test_base_url_gets_a_trailing_slash_and_keeps_its_path(tmp_path):
    root = write_config(
        tmp_path, MINI_CONFIG.replace('"https://example.org/"', '"https://example.org/bomca"')
    )
    config = load_config(root)
    assert config.base_url == "https://example.org/bomca/"
    assert config.base_path == "/bomca/"


def test_bom_is_accepted(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "site.toml").write_bytes(b"\xef\xbb\xbf" + MINI_CONFIG.encode("utf-8"))
    assert load_config(root).title == "Mini News"


def test_missing_config(tmp_path):
    (tmp_path / "site").mkdir()
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "site")
    assert str(caught.value).startswith("site.toml: not found")


def test_unknown_key_in_site(tmp_path):
    text = MINI_CONFIG.replace("per_page = 2\n", 'per_page = 2\ncolour = "red"\n')
    error = config_error(tmp_path, text)
    assert f"site.toml:{line_of(text, 'colour')}: [site] unknown key 'colour'" in error


def test_unknown_table(tmp_path):
    text = MINI_CONFIG + '\n[theme]\nname = "dark"\n'
    error = config_error(tmp_path, text)
    assert f"site.toml:{line_of(text, '[theme]')}: unknown table [theme]" in error


def test_unknown_array_of_tables_names_its_line(tmp_path):
    text = MINI_CONFIG + '\n[[links]]\nurl = "https://example.org/"\n'
    error = config_error(tmp_path, text)
    assert f"site.toml:{line_of(text, '[[links]]')}: unknown table [links]" in error


def test_per_page_a_string(tmp_path):
    text = MINI_CONFIG.replace("per_page = 2", 'per_page = "2"')
    error = config_error(tmp_path, text)
    assert (
        f"site.toml:{line_of(text, 'per_page')}: [site] per_page: expected a whole number" in error
    )


def test_per_page_zero(tmp_path):
    text = MINI_CONFIG.replace("per_page = 2", "per_page = 0")
    error = config_error(tmp_path, text)
    assert (
        f"site.toml:{line_of(text, 'per_page')}: [site] per_page: expected a number from 1 to"
        in error
    )


def test_per_page_a_bool_is_not_a_number(tmp_path):
    text = MINI_CONFIG.replace("per_page = 2", "per_page = true")
    assert f"site.toml:{line_of(text, 'per_page')}: [site] per_page" in config_error(tmp_path, text)


def test_relative_base_url(tmp_path):
    text = MINI_CONFIG.replace('"https://example.org/"', '"/bomca/"')
    error = config_error(tmp_path, text)
    assert (
        f"site.toml:{line_of(text, 'base_url')}: [site] base_url: expected an absolute http(s) URL"
        in error
    )
    assert "'/bomca/'" in error


def test_base_url_with_a_query(tmp_path):
    text = MINI_CONFIG.replace('"https://example.org/"', '"https://example.org/?x=1"')
    assert (
        f"site.toml:{line_of(text, 'base_url')}: [site] base_url: a base URL cannot have a query"
        in config_error(tmp_path, text)
    )


@pytest.mark.parametrize("zone", ["Asia/Bishkekk", "Mars/Olympus_Mons", "../../etc/passwd", ""])
def test_bad_timezone_is_named(tmp_path, zone):
    text = MINI_CONFIG.replace('"Asia/Bishkek"', f'"{zone}"')
    error = config_error(tmp_path, text)
    assert (
        f"site.toml:{line_of(text, 'timezone')}: [site] timezone: unknown time zone '{zone}'"
        in error
    )


def test_missing_title(tmp_path):
    text = MINI_CONFIG.replace('title = "Mini News"\n', "")
    error = config_error(tmp_path, text)
    assert f"site.toml:{line_of(text, '[site]')}: [site] 'title' is required" in error


def test_country_with_a_bad_iso_code(tmp_path):
    text = MINI_CONFIG.replace('iso = "KG"', 'iso = "KGZ"')
    error = config_error(tmp_path, text)
    line = line_of(text, 'iso = "KGZ"')
    assert (
        f"site.toml:{line}: [countries.kyrgyzstan] iso: expected a two-letter ISO 3166 code"
        in error
    )


def test_unknown_key_in_a_country(tmp_path):
    text = MINI_CONFIG.replace('iso = "TJ"', 'iso = "TJ"\ncapital = "Dushanbe"')
    error = config_error(tmp_path, text)
    assert (
        f"site.toml:{line_of(text, 'capital')}: [countries.tajikistan] unknown key 'capital'"
        in error
    )


def test_country_key_that_is_not_a_slug(tmp_path):
    text = MINI_CONFIG.replace("[countries.tajikistan]", "[countries.Tajikistan]")
    error = config_error(tmp_path, text)
    assert f"site.toml:{line_of(text, '[countries.Tajikistan]')}: [countries.Tajikistan]" in error


def test_two_countries_sharing_a_name(tmp_path):
    text = MINI_CONFIG.replace('iso = "TJ"', 'iso = "TJ"\naliases = ["Kyrgyz Republic"]')
    error = config_error(tmp_path, text)
    assert "'Kyrgyz Republic' also names" in error


def test_invalid_toml_names_the_line(tmp_path):
    text = MINI_CONFIG.replace("per_page = 2", "per_page = = 2")
    error = config_error(tmp_path, text)
    assert error.startswith(f"site.toml:{line_of(text, 'per_page')}: not valid TOML")


def test_unclosed_string_names_the_line(tmp_path):
    text = MINI_CONFIG.replace(
        'description = "A tiny test site."', 'description = "A tiny test site.'
    )
    assert config_error(tmp_path, text).startswith(
        f"site.toml:{line_of(text, 'description')}: not valid TOML"
    )


def test_config_not_utf8(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "site.toml").write_bytes(
        MINI_CONFIG.replace("Mini News", "Mini Nouvelles \u00e9t\u00e9").encode("latin-1")
    )
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert str(caught.value).startswith("site.toml: not valid UTF-8")


def test_all_config_problems_are_reported_together(tmp_path):
    text = MINI_CONFIG.replace("per_page = 2", "per_page = 0\ncolour = 1").replace(
        '"Asia/Bishkek"', '"Nowhere"'
    )
    root = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert len(caught.value.problems) == 3
    assert {p.line for p in caught.value.problems} == {
        line_of(text, "per_page"),
        line_of(text, "colour"),
        line_of(text, "timezone"),
    }


def test_bad_base_url_option_is_blamed_on_the_option(tmp_path):
    error = config_error(tmp_path, MINI_CONFIG, base_url="example.org/news")
    assert error.startswith("--base-url: expected an absolute http(s) URL")
    assert "site.toml" not in error


def test_base_url_option_overrides_site_toml(make_site, runner, tmp_path):
    root = make_site({"content/news/2017/a-workshop-in-bishkek.md": post()})
    out = tmp_path / "out"
    result = runner.invoke(
        cli,
        [
            "build",
            "--root",
            str(root),
            "--output",
            str(out),
            "--base-url",
            "https://news.example.net/bomca",
        ],
    )
    assert result.exit_code == 0, result.output
    page = (out / "news/2017/a-workshop-in-bishkek/index.html").read_text("utf-8")
    assert (
        '<link rel="canonical" href="https://news.example.net/bomca/news/2017/a-workshop-in-bishkek/">'
        in page
    )
    assert 'href="/bomca/static/style.css"' in page
    assert "https://example.org/" not in page
    assert "Sitemap: https://news.example.net/bomca/sitemap.xml" in (out / "robots.txt").read_text(
        "utf-8"
    )


def test_base_url_option_overrides_a_bad_one_in_site_toml(tmp_path):
    root = write_config(tmp_path, MINI_CONFIG.replace('"https://example.org/"', '"not a url"'))
    assert load_config(root, base_url="https://example.net/").base_url == "https://example.net/"


def test_base_url_option_with_a_site_that_is_not_a_table(tmp_path):
    text = 'site = "Mini News"\n'
    error = config_error(tmp_path, text, base_url="https://example.net/")
    assert "site must be a table [site]" in error  # a ConfigError, not a crash


@pytest.mark.parametrize("depth", [340, 1000, 20_000])
@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a = ", "}")])
def test_deeply_nested_arrays_name_their_line(tmp_path, depth, opening, closing):
    value = opening * depth + closing * depth
    text = MINI_CONFIG.replace("items = 3", f"items = 3\nnested = {value}")
    error = config_error(tmp_path, text)
    assert error.startswith(f"site.toml:{line_of(text, 'nested')}: arrays or inline tables")
    assert "nested more than 100 deep" in error


def test_nesting_spread_over_lines_names_the_line_where_it_gets_too_deep(tmp_path):
    text = MINI_CONFIG.replace("items = 3", "items = 3\nnested = " + "[\n" * 400 + "]" * 400)
    error = config_error(tmp_path, text)
    assert error.startswith(f"site.toml:{line_of(text, 'nested') + 100}: arrays or inline")


def test_brackets_in_strings_and_comments_are_not_nesting(tmp_path):
    many = "[" * 500
    text = MINI_CONFIG.replace(
        'description = "A tiny test site."',
        f'description = "{many} \\" {many}" # {many}\n'
        f"[feeds.x]\na = '{many}'\nb = '''{many}'''\nc = \"\"\"{many}\"\"\"\nd = [[[1]]]",
    ).replace("[feeds]\n", "")
    error = config_error(tmp_path, text)
    assert "nested" not in error and "[feeds] unknown key" in error


def test_deep_nesting_is_a_message_on_the_command_line(make_site, runner):
    text = MINI_CONFIG + "deep = " + "[" * 5000 + "]" * 5000 + "\n"
    root = make_site({}, config=text)
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 1
    assert "RecursionError" not in result.output and "Traceback" not in result.output
    line = line_of(text, "deep")
    assert f"site.toml:{line}: arrays or inline tables nested more than 100 deep" in result.output
