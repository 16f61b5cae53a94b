"""Read `site.toml` once, check every key, and return an immutable SiteConfig.

The checks of its tables are in config_checks.py, those of its countries in config_countries.py.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from builder.digest import digest_bytes
from builder.errors import ConfigError, Problem
from builder.pipeline.characters import unshowable_message
from builder.pipeline.config_checks import (
    CONFIG_NAME,
    check_base_url,
    check_characters,
    check_import,
    check_tables,
    find_key_line,
    logo_output_path,
    logo_problem,
)
from builder.pipeline.config_countries import Country, check_countries

__all__ = [
    "CONFIG_NAME",
    "Country",
    "SiteConfig",
    "find_key_line",
    "load_config",
    "nesting_problem",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    """Everything `site.toml` and the command line decide, checked."""

    root: Path
    title: str
    description: str
    base_url: str  # absolute, ends with "/"
    language: str
    timezone: ZoneInfo
    per_page: int
    feed_items: int
    feed_content: str  # "full" or "summary"
    countries: tuple[Country, ...]
    output_dir: Path
    import_tags: tuple[
        tuple[str, tuple[str, ...]], ...
    ] = ()  # [import.tags]: (tag, keywords) for `newsroom import`
    # [content] raw_html: HTML written in a post is kept (trusted editors) or shown as text
    raw_html: bool = True
    search: bool = True  # [search] enabled: a /search/ page and Pagefind's index of the posts
    # [site] logo: an image's path in the site folder; "": the title is the wordmark
    logo: str = ""
    digest: str = (
        ""  # of site.toml's bytes: what was parsed under one config is valid under the same
    )

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. "/bomca/" (always starts and ends with "/")."""
        return urlsplit(self.base_url).path

    @property
    def logo_path(self) -> str:
        """Where the logo is published in the output ("" without a logo)."""
        return logo_output_path(self.logo) if self.logo else ""

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"


def load_config(
    root: Path, *, base_url: str | None = None, output_dir: Path | None = None
) -> SiteConfig:
    """Read and check `root/site.toml`; command-line values override the file's."""
    root = Path(root).resolve()
    raw, text, data = read_toml(root)
    problems: list[Problem] = []
    if base_url is not None:
        why = check_base_url(base_url)
        if why:  # blame the option, not the line of site.toml it replaces
            problems.append(Problem("--base-url", None, why))
        elif isinstance(data.get("site", {}), dict):
            data.setdefault("site", {})["base_url"] = base_url
    check_characters(data, text, problems)
    values = check_tables(data, text, problems)
    countries = check_countries(data.get("countries", {}), text, problems)
    import_tags = check_import(data.get("import", {}), text, problems)
    out = Path(output_dir).resolve() if output_dir else root / "output"
    logo = checked_logo(values["site"]["logo"], root, out, text, problems)
    if problems:
        raise ConfigError(problems)
    url = values["site"]["base_url"]
    return SiteConfig(
        root=root,
        title=values["site"]["title"].strip(),
        description=values["site"]["description"].strip(),
        base_url=url if url.endswith("/") else url + "/",
        language=values["site"]["language"],
        timezone=ZoneInfo(values["site"]["timezone"]),
        per_page=values["site"]["per_page"],
        feed_items=values["feeds"]["items"],
        feed_content=values["feeds"]["content"],
        raw_html=values["content"]["raw_html"],
        search=values["search"]["enabled"],
        countries=countries,
        import_tags=import_tags,
        output_dir=out,
        logo=logo,
        digest=digest_bytes(raw).hex(),
    )


def checked_logo(logo: Any, root: Path, out: Path, text: str, problems: list[Problem]) -> str:
    """[site] logo, stripped, once its file is known to be publishable (problems otherwise)."""
    if not isinstance(logo, str) or not logo.strip() or unshowable_message(logo):
        return ""  # no logo, or one check_tables or check_characters already refuses
    logo = logo.strip()
    why = logo_problem(logo, root, out)
    if why:
        line = find_key_line(text, "site", "logo")
        problems.append(Problem(CONFIG_NAME, line, f"[site] logo: {why}"))
    return PurePosixPath(logo).as_posix()  # "./static//logo.svg" is "static/logo.svg"


def read_toml(root: Path) -> tuple[bytes, str, dict[str, Any]]:
    """`root/site.toml`'s bytes, its text and its parsed tables; ConfigError when unreadable."""
    path = root / CONFIG_NAME
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            [Problem(CONFIG_NAME, None, f"not found in {root} (is --root the site folder?)")]
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [Problem(CONFIG_NAME, None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")]
        ) from None
    too_deep = nesting_problem(text, CONFIG_NAME)
    if too_deep:
        raise ConfigError([too_deep])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(
            [
                Problem(
                    CONFIG_NAME,
                    int(found.group(1)) if found else None,
                    f"not valid TOML: {message}",
                )
            ]
        ) from None
    return raw, text, data


MAX_NESTING = 100  # levels of arrays and inline tables; a real site.toml uses two or three

# What the nesting count reads: strings (basic, literal, multi-line; a basic one's escapes
# included) and comments, where a bracket is only a character, then brackets and line ends.
NESTING_TOKENS = re.compile(
    r'"""(?:\\.|[^\\])*?"""|\'\'\'.*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'|#[^\n]*'
    r"|[\[\]{}\n]",
    re.DOTALL,
)


def nesting_problem(text: str, rel: str) -> Problem | None:
    """A Problem when the TOML `text` nests too deep to read: tomllib recurses per level and
    would die of a RecursionError, a traceback instead of a line."""
    line = line_nested_too_deep(text)
    if line is None:
        return None
    return Problem(
        rel, line, f"arrays or inline tables nested more than {MAX_NESTING} deep; never needed"
    )


def line_nested_too_deep(text: str) -> int | None:
    """The line where arrays or inline tables first nest deeper than MAX_NESTING, else None.

    Table headers (`[site]`, `[[x]]`) close on their own line and never add up.
    """
    depth = 0
    line = 1
    for found in NESTING_TOKENS.finditer(text):
        token = found.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
        else:  # a line end, a string or a comment
            line += token.count("\n")
    return None
