"""Lists of posts as pages: paginated lists, and the archive's years and months."""

from __future__ import annotations

from typing import Callable

from builder.model import Post
from builder.pipeline.contexts import MonthGroup, Pagination, YearGroup

Chunk = tuple[str, tuple[Post, ...], Pagination]


def paginate(
    posts: tuple[Post, ...],
    per_page: int,
    base: str,
    wanted: Callable[[tuple[Post, ...]], bool] | None = None,
) -> list[Chunk]:
    """Split posts into pages at `base`, `base`page/2/, …; an empty list still gets one page.

    `wanted`: only the pages whose posts it accepts (the others are not made at all).
    """
    chunks = [posts[i : i + per_page] for i in range(0, len(posts), per_page)] or [()]
    total = len(chunks)

    def path(n: int) -> str:
        return base if n == 1 else f"{base}page/{n}/"

    return [
        (
            path(n),
            chunk,
            Pagination(
                number=n,
                total=total,
                prev_path=path(n - 1) if n > 1 else None,
                next_path=path(n + 1) if n < total else None,
            ),
        )
        for n, chunk in enumerate(chunks, start=1)
        if wanted is None or wanted(chunk)
    ]


def group_by_year(posts: tuple[Post, ...]) -> tuple[YearGroup, ...]:
    """Newest year first; within a year, months newest first."""
    years: dict[int, dict[int, list[Post]]] = {}
    for post in posts:
        years.setdefault(post.date.year, {}).setdefault(post.date.month, []).append(post)
    return tuple(
        YearGroup(
            year=y,
            months=tuple(
                MonthGroup(month=m, posts=tuple(ps))
                for m, ps in sorted(months.items(), reverse=True)
            ),
        )
        for y, months in sorted(years.items(), reverse=True)
    )
