"""Short stable hashes: of a file's bytes, and of a list of parts (bytes and strings)."""

from __future__ import annotations

import hashlib


def digest(*parts: bytes | str) -> str:
    """A short stable hash of some bytes and strings, each part kept apart from the next."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def digest_bytes(data: bytes) -> bytes:
    """What tells a file's bytes from any other's (16 bytes of BLAKE2b)."""
    return hashlib.blake2b(data, digest_size=16).digest()
