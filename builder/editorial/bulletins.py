"""Import a plain-text bulletin: read it, draft its items, write the new ones as draft posts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from builder.pipeline.config import SiteConfig
from builder.errors import ContentError, Problem
from builder.editorial.gazetteer import load_gazetteer
from builder.editorial.importer import DANGLING, DraftItem, NotNews, draft_items, fingerprint
from builder.progress import NoProgress, Progress
from builder.editorial.scaffold import unique_slug, used_slugs, write_new_file
from builder.pipeline.slugs import slug_of_file, slugify
from builder.pipeline.sources import (
    MARKDOWN_SUFFIXES,
    NotRegularFile,
    is_ignored,
    read_capped,
    rel_path,
)

MARKER_RE = re.compile(r"^# imported from .*\bsha1 ([0-9a-f]{40})\s*$", re.MULTILINE)
BODY_RE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n(.*)\Z", re.DOTALL)
DATE_LINE_RE = re.compile(r"^date:\s*['\"]?(\d{4}-\d{2}-\d{2})", re.MULTILINE)
SIMILAR = 0.8  # share of distinct words two texts must have in common to be the same news
MAX_BULLETIN_BYTES = 5 * 1024 * 1024
FILE_SLUG_LIMIT = 40


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedPost:
    """One drafted item and the file it went to, or the post that already holds it and why."""

    item: DraftItem
    path: str  # relative to the site root
    skipped: str | None = None  # None: written now


@dataclass(frozen=True, slots=True, kw_only=True)
class KnownPosts:
    """What the site already has: import marks and body texts, and each post's date and words."""

    marks: dict[str, tuple[str, str]]  # fingerprint → (post, how we know it is there)
    posts: tuple[tuple[str, str, frozenset[str]], ...]  # (post, YYYY-MM-DD or "", its body's words)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportReport:
    """What one import did: posts written or found already there, paragraphs that are not news."""

    bulletin: str  # as given, for messages
    posts: tuple[ImportedPost, ...]
    not_news: tuple[NotNews, ...]

    @property
    def written(self) -> tuple[ImportedPost, ...]:
        return tuple(p for p in self.posts if p.skipped is None)


def read_bulletin(path: Path) -> str:
    """The bulletin's text: strict UTF-8 (a BOM and any newline style are fine)."""
    shown = str(path)
    try:
        data, _size = read_capped(path, MAX_BULLETIN_BYTES)
    except FileNotFoundError:
        why = "is a symbolic link to nothing" if path.is_symlink() else "not found"
        raise ContentError(
            [Problem(shown, None, f"{why}: give the path of a plain-text bulletin")]
        ) from None
    except NotRegularFile:
        raise ContentError(
            [
                Problem(
                    shown,
                    None,
                    "is not a regular file (a named pipe, socket or device):"
                    " give the path of a plain-text bulletin",
                )
            ]
        ) from None
    except IsADirectoryError:
        raise ContentError(
            [Problem(shown, None, "is a folder: give the path of a plain-text bulletin")]
        ) from None
    except OSError as exc:
        raise ContentError(
            [Problem(shown, None, f"cannot be read: {exc.strerror or exc}")]
        ) from None
    if len(data) > MAX_BULLETIN_BYTES:
        raise ContentError(
            [
                Problem(
                    shown,
                    None,
                    f"is larger than {MAX_BULLETIN_BYTES // (1024 * 1024)} MB: is it really a "
                    "text bulletin?",
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            [
                Problem(
                    shown,
                    line,
                    f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read): save the "
                    "bulletin as UTF-8",
                )
            ]
        ) from None
    if "\x00" in text:
        raise ContentError(
            [
                Problem(
                    shown,
                    text[: text.index("\x00")].count("\n") + 1,
                    "contains a NUL character: is it really a text file?",
                )
            ]
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def import_bulletin(
    config: SiteConfig,
    path: Path,
    *,
    year: int | None = None,
    lang: str = "en",
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Write each news item of the bulletin as a draft post; never overwrite, never import twice."""
    progress = progress or NoProgress()
    text = read_bulletin(path)
    drafts = draft_items(
        text,
        config=config,
        gazetteer=load_gazetteer(config),
        year=year,
        lang=lang,
        today=today or datetime.now(config.timezone).date(),
    )
    known = known_posts(config, progress)
    used = used_slugs(config)
    posts = []
    progress.stage("import", len(drafts.items))
    for item in drafts.items:
        found = find_existing(item, known)
        if found:
            posts.append(ImportedPost(item=item, path=found[0], skipped=found[1]))
        else:
            written = write_draft(config, item, path.name, used)
            known.marks[item.fingerprint] = (
                written,
                f"the same as paragraph {item.paragraph.number}: skipped",
            )
            posts.append(ImportedPost(item=item, path=written))
        progress.advance()
    return ImportReport(bulletin=str(path), posts=tuple(posts), not_news=drafts.not_news)


def known_posts(config: SiteConfig, progress: Progress) -> KnownPosts:
    """Every post's `# imported from … sha1` mark, its body's fingerprint, date and words."""
    files = (
        sorted(
            p
            for p in config.content_dir.rglob("*")
            if p.suffix.lower() in MARKDOWN_SUFFIXES and not is_ignored(p.name)
        )
        if config.content_dir.is_dir()
        else []
    )
    progress.stage("scan", len(files))
    marks: dict[str, tuple[str, str]] = {}
    posts = []
    for file in files:
        try:  # a pipe, device or dangling link is not a post (the build says so, not import)
            text = read_capped(file)[0].decode("utf-8", errors="replace")
        except OSError:
            progress.advance()
            continue
        rel = rel_path(file, config.root)
        for mark in MARKER_RE.findall(text):
            marks[mark] = (rel, "already imported: skipped")  # a mark beats a text match
        split = BODY_RE.match(text)
        if split and split.group(2).strip():
            marks.setdefault(
                fingerprint(split.group(2)), (rel, "a post has the same text: skipped")
            )
            day = DATE_LINE_RE.search(split.group(1))
            posts.append((rel, day.group(1) if day else "", words_of(split.group(2))))
        progress.advance()
    return KnownPosts(marks=marks, posts=tuple(posts))


def words_of(text: str) -> frozenset[str]:
    """The distinct words of a text, lowercased."""
    return frozenset(re.findall(r"\w+", text.casefold()))


def find_existing(item: DraftItem, known: KnownPosts) -> tuple[str, str] | None:
    """The post that already holds this paragraph, and how we know; None if there is none."""
    if item.fingerprint in known.marks:
        return known.marks[item.fingerprint]
    words = words_of(item.paragraph.text)
    for rel, day, other in known.posts:
        if day == item.date.isoformat() and len(words & other) >= SIMILAR * len(words | other):
            return rel, "a post of the same date has nearly the same text: skipped"
    return None


def write_draft(config: SiteConfig, item: DraftItem, bulletin_name: str, used: set[str]) -> str:
    """Write one item to content/news/YYYY/YYYY-MM-DD-<slug>.md; return its root-relative path."""
    slug = unique_slug(file_slug(slugify(item.title) or "news"), used)  # the file name is the URL
    folder = config.content_dir / "news" / str(item.date.year)
    path, n = folder / f"{item.date.isoformat()}-{slug}.md", 2
    while path.exists():
        path, n = folder / f"{item.date.isoformat()}-{slug}-{n}.md", n + 1
    write_new_file(path, draft_text(item, bulletin_name))
    used.add(slug_of_file(path.stem))
    return rel_path(path, config.root)


def file_slug(slug: str) -> str:
    """A slug cut at a word to at most FILE_SLUG_LIMIT characters, for the file name."""
    if len(slug) <= FILE_SLUG_LIMIT:
        return slug
    words = slug[: FILE_SLUG_LIMIT + 1].split("-")[:-1]
    while len(words) > 1 and words[-1] in DANGLING:
        words.pop()
    return "-".join(words)


def draft_text(item: DraftItem, bulletin_name: str) -> str:
    """The post file: front matter with `# review:` on each uncertain field, then the paragraph."""
    fields: list[tuple[str, object]] = [("title", item.title), ("date", item.date)]
    if item.end_date:
        fields.append(("end_date", item.end_date))
    fields += [("countries", list(item.countries))]
    if item.location:
        fields.append(("location", item.location))
    fields += [("tags", list(item.tags))]
    fields.append(("draft", True))
    paragraph = item.paragraph
    lines = [
        "---",
        f"# imported from {bulletin_name}, paragraph {paragraph.number} (line {paragraph.line}), "
        f"sha1 {item.fingerprint}",
        "# check each line marked 'review', then delete 'draft: true' to publish",
    ]
    for name, value in fields:
        flow = None if isinstance(value, list) else False  # lists as [a, b], everything else plain
        line = yaml.safe_dump(
            {name: value}, allow_unicode=True, default_flow_style=flow, width=10000
        ).rstrip("\n")
        note = item.review_of(name)
        lines.append(f"{line}  # review: {note}" if note else line)
    return "\n".join(lines) + "\n---\n" + paragraph.text + "\n"
