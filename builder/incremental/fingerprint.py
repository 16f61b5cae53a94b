"""Fingerprints of what a page shows: equal ones under the same templates mean equal bytes."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from builder.model import Doc, Post, Taxonomy, Term, TermRef
from builder.outputs import Feed, Page, Planned, Robots, Sitemap
from builder.pipeline.contexts import FeedLink, TermHead

SHARED = (
    Post,
    Term,
    Taxonomy,
    Doc,
    TermRef,
    FeedLink,
    TermHead,
)  # objects many pages show: hashed once per build
FIELDS: dict[type, tuple[str, ...]] = {}


class Fingerprinter:
    """Hashes template contexts made of strings, numbers, dates, tuples, dicts and dataclasses."""

    def __init__(self) -> None:
        self.memo: dict[int, bytes] = {}
        self.keep: list[object] = []  # keeps memoised objects alive so their ids stay theirs

    def of(self, value: Any) -> bytes:
        """A 16-byte digest of `value`."""
        h = hashlib.blake2b(digest_size=16)
        self.feed(h, value)
        return h.digest()

    def feed(self, h: Any, value: Any) -> None:
        """Add `value` to the running hash `h`, unambiguously."""
        kind = type(value)
        if (
            kind is str or kind is Markup or isinstance(value, str)
        ):  # the commonest (by exact type), first
            data = value.encode("utf-8", "surrogatepass")
            h.update((b"m" if isinstance(value, Markup) else b"s") + b"%d:" % len(data) + data)
        elif kind is bytes:
            h.update(b"b%d:" % len(value) + value)
        elif isinstance(value, SHARED):
            key = id(value)
            if key not in self.memo:
                self.memo[key] = self.of_fields(value)
                self.keep.append(value)
            h.update(b"o" + self.memo[key])
        elif value is None or isinstance(value, (bool, int, float)):
            h.update(f"{type(value).__name__}:{value!r};".encode())
        elif isinstance(value, (datetime, date)):
            h.update(f"d{value.isoformat()}|{getattr(value, 'tzinfo', '')};".encode())
        elif isinstance(value, (tuple, list)):
            h.update(b"[%d" % len(value))
            for item in value:
                self.feed(h, item)
            h.update(b"]")
        elif isinstance(value, dict):
            h.update(b"{%d" % len(value))
            for key in sorted(value):
                self.feed(h, key)
                self.feed(h, value[key])
            h.update(b"}")
        elif dataclasses.is_dataclass(value):
            h.update(b"(" + self.of_fields(value))
        else:
            raise TypeError(f"cannot fingerprint a {type(value).__name__}")

    def of_fields(self, value: Any) -> bytes:
        """The digest of a dataclass: its type and every field."""
        kind = type(value)
        names = FIELDS.get(kind)
        if names is None:
            names = FIELDS[kind] = tuple(item.name for item in dataclasses.fields(value))
        h = hashlib.blake2b(digest_size=16)
        h.update(kind.__name__.encode() + b"(")
        for name in names:
            self.feed(h, getattr(value, name))
        return h.digest()


def value_of(output: Planned) -> tuple:
    """What an output's bytes depend on under given templates and settings: its fingerprint is
    taken of this."""
    match output:
        case Page():
            return ("page", output.template, output.path, output.context)
        case Feed():
            return ("feed", output.format, output.path, output.title, output.home, output.posts)
        case Sitemap():
            return ("sitemap", output.pages)
        case Robots():
            return ("robots",)
    raise TypeError(output)
