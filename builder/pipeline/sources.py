"""Read the site's files: find them in sorted order, decode strictly, split front matter."""

from __future__ import annotations

import errno
import os
from stat import S_ISDIR, S_ISREG
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Iterable

from builder.pipeline.characters import find_unshowable, unshowable_message
from builder.digest import digest_bytes
from builder.pipeline.config import CONFIG_NAME, SiteConfig
from builder.errors import ContentError, Problem
from builder.model import SourceFile

MARKDOWN_SUFFIXES = {".md", ".markdown"}
MARKDOWN_ENDINGS = tuple(MARKDOWN_SUFFIXES)
MAX_SOURCE_BYTES = 5 * 1024 * 1024
PAGES_FOLDER = "pages"
# The theme's favicon.ico is also published at the root, where browsers ask for it.
THEME_FAVICON, ROOT_FAVICON = "static/favicon.ico", "favicon.ico"


IGNORED_STARTS, IGNORED_ENDS = (".", "#", "~"), ("~", ".swp", ".swx", ".tmp")
NAME = attrgetter("name")


def is_ignored(name: str) -> bool:
    """Hidden files and editors' temporary files are not part of the site."""
    return name.startswith(IGNORED_STARTS) or name.endswith(IGNORED_ENDS)


Stat = tuple[int, int]  # (mtime_ns, size)


def walk_files(top: Path, root: Path, problems: list[Problem]) -> list[tuple[os.DirEntry, Stat]]:
    """The directory entry and stat of every file below `top` in sorted order (a folder's files
    before its subfolders'); links that leave the site, pipes and devices are refused."""
    found: list[tuple[os.DirEntry, Stat]] = []
    if not top.is_dir():
        return found

    def visit(folder: str) -> None:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=NAME)
        folders = []
        for entry in entries:
            name = entry.name
            if name.startswith(IGNORED_STARTS) or name.endswith(
                IGNORED_ENDS
            ):  # is_ignored, inline: 10,000 calls
                continue
            if entry.is_file(follow_symlinks=False) or usable(entry, root, folders, problems):
                try:
                    stat = entry.stat()
                except OSError as exc:
                    problems.append(
                        Problem(
                            rel_path(Path(entry.path), root),
                            None,
                            f"cannot be read: {exc.strerror or exc}",
                        )
                    )
                    continue
                found.append((entry, (stat.st_mtime_ns, stat.st_size)))
        for sub in folders:
            visit(sub)

    visit(str(top))
    return found


def usable(entry: os.DirEntry, root: Path, folders: list[str], problems: list[Problem]) -> bool:
    """Whether an entry that is not a regular file is a file to read: a link to a file of the
    site is; a folder is added to `folders` to visit; anything else is refused."""
    path = Path(entry.path)
    if entry.is_dir():
        if entry.is_symlink():
            problems.append(
                Problem(
                    rel_path(path, root),
                    None,
                    "is a symbolic link to a folder: links to folders are not followed; copy the "
                    "folder in instead",
                )
            )
        else:
            folders.append(entry.path)
        return False
    if entry.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            problems.append(
                Problem(
                    rel_path(path, root),
                    None,
                    f"is a symbolic link to {target}, outside the site: refused",
                )
            )
            return False
        if not target.is_file():
            problems.append(Problem(rel_path(path, root), None, "is a symbolic link to nothing"))
            return False
        return True
    # reading a named pipe or a device would never end
    problems.append(
        Problem(
            rel_path(path, root),
            None,
            "is not a regular file (a named pipe, socket or device): remove it",
        )
    )
    return False


def rel_path(path: Path, root: Path) -> str:
    """The path as shown in messages: relative to the site root, with '/'."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


class NotRegularFile(OSError):
    """The path names a named pipe, socket or device: reading it could block or never end."""


def read_capped(path: Path, cap: int = MAX_SOURCE_BYTES) -> tuple[bytes, int]:
    """A file's first `cap` + 1 bytes (enough to know it is too large: memory stays bounded)
    and its size; raises OSError, NotRegularFile for anything but a regular file.

    Opened without blocking (a named pipe with no writer would wait for ever) and refused
    unless regular, as opened, so a file swapped for a pipe after a check is refused too.
    Read as the file's size says, not into a buffer of the cap: a buffered read of 5 MB
    took 25-50 µs a post, this about 9 (a file that grew since its size was taken is read on).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        status = os.fstat(fd)
        if S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not S_ISREG(status.st_mode):
            raise NotRegularFile("not a regular file (a named pipe, socket or device)")
        data = os.read(fd, min(status.st_size, cap) + 1)
        while len(data) <= cap and (more := os.read(fd, cap + 1 - len(data))):
            data += more
        return data, max(len(data), status.st_size)
    finally:
        os.close(fd)


def read_source(path: Path, root: Path) -> SourceFile:
    """Read one Markdown file: strict UTF-8 (BOM allowed), any newline style; raise ContentError."""
    rel = rel_path(path, root)
    try:
        data, size = read_capped(path)
    except OSError as exc:
        raise refused(Problem(rel, None, f"cannot be read: {exc.strerror or exc}")) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise refused(
            Problem(
                rel,
                None,
                f"is {size // (1024 * 1024)} MB: larger than the "
                f"{MAX_SOURCE_BYTES // (1024 * 1024)} MB a post may be",
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise refused(
            Problem(
                rel,
                line,
                f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read): save the file "
                "as UTF-8",
            )
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise refused(Problem(rel, line, "contains a NUL character: is it really a text file?"))
    if bad := find_unshowable(text):
        line = text[: bad.start()].count("\n") + 1
        raise refused(Problem(rel, line, unshowable_message(bad.group())))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    from builder.pipeline.front_matter import (
        split_front_matter,
    )  # YAML: only a build with posts to read imports it

    from builder.pipeline.unfinished import review_notes

    fields, body, body_line = split_front_matter(text, rel)
    return SourceFile(
        path=path,
        rel=rel,
        fields=fields,
        body=body,
        body_line=body_line,
        digest=digest_bytes(data),
        review_notes=review_notes(text, body_line),
    )


def refused(problem: Problem) -> ContentError:
    return ContentError([problem])


def file_digest(path: Path) -> bytes | None:
    """The digest of the bytes read_source would read from a file (None if it cannot be read)."""
    try:
        return digest_bytes(read_capped(path)[0])
    except OSError:
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Sources:
    """The site's files found, not yet read: posts (as 'content/…' paths) with their
    (mtime_ns, size), pages, assets, and every input file of the build with its stat."""

    posts: tuple[tuple[str, tuple[int, int]], ...]
    docs: tuple[Path, ...]
    assets: tuple[tuple[str, Path], ...]  # (output path, file to copy)
    problems: tuple[Problem, ...]  # files refused (links leaving the site, pipes, …)
    stats: tuple[
        tuple[str, int, int], ...
    ]  # (path, mtime_ns, size) of content/, templates/, site.toml


def find_sources(config: SiteConfig) -> Sources:
    """Find every file of content/ and templates/ in sorted order, and stat each once."""
    content = config.content_dir
    if not content.is_dir():
        raise ContentError(
            [Problem("content", None, f"the content folder is missing: expected {content}")]
        )
    problems: list[Problem] = []
    stats: list[tuple[str, int, int]] = []
    posts, docs, assets = [], [], []
    prefix, shown = len(str(content)) + 1, rel_path(content, config.root) + "/"
    for entry, stat in walk_files(content, config.root, problems):
        stats.append((entry.path, *stat))
        rel = entry.path[prefix:].replace(os.sep, "/")
        if not entry.name.lower().endswith(MARKDOWN_ENDINGS):
            assets.append((rel, Path(entry.path)))
        elif rel.startswith(PAGES_FOLDER + "/") and rel.count("/") == 1:
            docs.append(Path(entry.path))
        else:
            posts.append((shown + rel, stat))
    templates = (
        config.templates_dir
    )  # walked whole so that a link leaving the site is refused here too
    prefix = len(str(templates)) + 1
    for entry, stat in walk_files(templates, config.root, problems):
        stats.append((entry.path, *stat))
        rel = entry.path[prefix:].replace(os.sep, "/")
        if rel.startswith("static/"):
            assets.append((rel, Path(entry.path)))
        if rel == THEME_FAVICON and not any(out == ROOT_FAVICON for out, _ in assets):
            assets.append((ROOT_FAVICON, Path(entry.path)))  # content's own favicon.ico wins
    settings = config.root / CONFIG_NAME
    found = settings.stat()
    stats.append((str(settings), found.st_mtime_ns, found.st_size))
    if config.logo and config.logo_path == config.logo:  # outside content/ and templates/
        add_logo(config, assets, stats, problems)
    return Sources(
        posts=tuple(posts),
        docs=tuple(docs),
        assets=tuple(assets),
        problems=tuple(problems),
        stats=tuple(stats),
    )


def add_logo(
    config: SiteConfig,
    assets: list[tuple[str, Path]],
    stats: list[tuple[str, int, int]],
    problems: list[Problem],
) -> None:
    """Publish `[site] logo` at its own path, and watch it like the other sources."""
    path = config.root / config.logo
    try:
        found = path.stat()
    except OSError as exc:  # gone since site.toml was checked
        problems.append(Problem(config.logo, None, f"cannot be read: {exc.strerror or exc}"))
        return
    stats.append((str(path), found.st_mtime_ns, found.st_size))
    assets.append((config.logo, path))


def read_all(paths: Iterable[Path], root: Path, problems: list[Problem]) -> list[SourceFile]:
    """Read each path; the ones that cannot be read become problems."""
    found = []
    for path in paths:
        try:
            found.append(read_source(path, root))
        except ContentError as exc:
            problems.extend(exc.problems)
    return found
