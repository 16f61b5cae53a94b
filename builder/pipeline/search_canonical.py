"""A Pagefind bundle's filter index in one fixed order, so that the same pages make the same bytes.

Pagefind 1.5 writes each filter's values (`filter/<hash>.pf_filter`) and the list of filters in
its metadata (`pagefind.<hash>.pf_meta`) in the order of a hash map, which changes from run to
run; each file is named after a hash of what it holds, so the names change too, and with them
`pagefind-entry.json`. Every other file of the bundle is the same for the same pages.

So each filter file is rewritten with its values sorted, and each metadata file with its filters
and sorts sorted by name and the new filter files' names; the metadata files get new names in
turn, and the table of contents names them. Pagefind's scripts read these lists into maps by
name and fetch the files by the names the metadata gives, so the index answers as before.

The files are gzip'd: the mark `pagefind_dcd`, then one CBOR value (arrays, text, unsigned
integers). A bundle whose files are not what this module knows (another Pagefind) is left as
Pagefind made it: a working index, though maybe not the same bytes every time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from typing import Any, Mapping

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
FILTERS = "filter/"
FILTERS_AT, SORTS_AT = 3, 4  # where a metadata file's filters and sorts are (Pagefind 1.5)


class UnknownFormat(ValueError):
    """A file that is not the gzip'd CBOR of the arrays, texts and numbers expected."""


def canonical_bundle(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bundle (its files by their path in it) with its filter index in a fixed order; the
    bundle unchanged if it has no filters or its files are not in the format known here."""
    if not any(path.startswith(FILTERS) for path in files):
        return dict(files)
    try:
        return canonical_filters(files)
    except (UnknownFormat, KeyError, TypeError, ValueError, OSError, zlib.error, EOFError):
        return dict(files)


def canonical_filters(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bundle with sorted filter files and metadata, each under its new name."""
    entry = json.loads(files[ENTRY])
    renamed: dict[str, str] = {}  # old filter file name (hash) → new
    out = {path: data for path, data in files.items() if not path.startswith(FILTERS)}
    for path, data in files.items():
        if path.startswith(FILTERS):
            old = path[len(FILTERS) :].removesuffix(".pf_filter")
            name, values = read(data)
            text = write([name, sorted(values, key=lambda value: value[0])])
            new = renamed[old] = hash_name(old, text, 7)
            out[f"{FILTERS}{new}.pf_filter"] = pack(text)
    for language in entry["languages"].values():
        old = language["hash"]
        meta = read(out.pop(f"pagefind.{old}.pf_meta"))
        meta[FILTERS_AT] = sorted([name, renamed[file]] for name, file in meta[FILTERS_AT])
        meta[SORTS_AT] = sorted(meta[SORTS_AT], key=lambda sort: sort[0])
        text = write(meta)
        language["hash"] = hash_name(old, text, 10)
        out[f"pagefind.{language['hash']}.pf_meta"] = pack(text)
    out[ENTRY] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    return dict(sorted(out.items()))


def hash_name(old: str, text: bytes, digits: int) -> str:
    """A file's new name: its old one's language prefix (`en_`) and a hash of what it holds."""
    prefix = old.rsplit("_", 1)[0] + "_" if "_" in old else ""
    return prefix + hashlib.sha256(text).hexdigest()[:digits]


def read(data: bytes) -> Any:
    """The CBOR value of one of Pagefind's gzip'd files."""
    text = gzip.decompress(data)
    if not text.startswith(SIGNATURE):
        raise UnknownFormat("no Pagefind signature")
    value, end = decode(text, len(SIGNATURE))
    if end != len(text) or write(value) != text:
        raise UnknownFormat("not read back to the same bytes")
    return value


def write(value: Any) -> bytes:
    """The signature and the CBOR of `value`, as Pagefind writes them (before gzip)."""
    return SIGNATURE + encode(value)


def pack(text: bytes) -> bytes:
    """Gzip'd with no time or name in its header: the same bytes for the same text."""
    return gzip.compress(text, compresslevel=9, mtime=0)


def decode(data: bytes, at: int) -> tuple[Any, int]:
    """The CBOR value at `at` and where it ends (unsigned integers, byte and text strings and
    arrays of them)."""
    kind, extra = data[at] >> 5, data[at] & 31
    at += 1
    if extra < 24:
        number = extra
    elif extra <= 27:
        width = 1 << (extra - 24)
        if at + width > len(data):
            raise UnknownFormat("cut short")
        number, at = int.from_bytes(data[at : at + width], "big"), at + width
    else:
        raise UnknownFormat(f"CBOR item of unknown length ({extra})")
    if kind == 0:
        return number, at
    if kind in (2, 3):
        if at + number > len(data):
            raise UnknownFormat("cut short")
        chunk = data[at : at + number]
        return (chunk if kind == 2 else chunk.decode("utf-8")), at + number
    if kind == 4:
        items = []
        for _ in range(number):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    raise UnknownFormat(f"CBOR major type {kind}")


def encode(value: Any) -> bytes:
    """The shortest CBOR of an unsigned integer, a byte or text string, or an array of them."""
    if isinstance(value, bool) or not isinstance(value, (int, bytes, str, list)):
        raise UnknownFormat(f"cannot write {type(value).__name__}")
    if isinstance(value, int):
        return head(0, value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return head(3, len(raw)) + raw
    return head(4, len(value)) + b"".join(encode(item) for item in value)


def head(kind: int, number: int) -> bytes:
    """A CBOR item's first bytes: its major type and a number, in as few bytes as it fits."""
    if number < 0:
        raise UnknownFormat("negative number")
    if number < 24:
        return bytes([kind << 5 | number])
    for extra, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * width):
            return bytes([kind << 5 | extra]) + number.to_bytes(width, "big")
    raise UnknownFormat("number too large")
