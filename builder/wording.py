"""How the messages of every command word a count: `1 post`, `2 posts`, `0 warnings`."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and `noun`, singular for exactly one; `plural` for a noun that adds more than s.

    `noun` may be several words, the last one counted: counted(2, "draft post") is
    "2 draft posts".
    """
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
