"""The first stage: everything a build reads before the content, read once into frozen values.

site.toml (checked), the theme (templates and strings), which posts the build takes, and
whether it makes a search index. Nothing later in the build reads these files again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from builder import __version__
from builder.errors import Problem
from builder.pipeline.config import SiteConfig, load_config
from builder.pipeline.sanitise import POLICY_KEY
from builder.digest import digest
from builder.pipeline.theme import Theme, load_theme


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """Which posts a build takes: drafts and posts dated after `now` only when asked."""

    drafts: bool = False
    future: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    preview: bool = False  # `newsroom serve`: everything, marked as such

    def takes(self, status: str) -> bool:
        return (
            self.preview
            or status == "published"
            or (status == "draft" and self.drafts)
            or (status == "scheduled" and self.future)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Inputs:
    """What the build was asked and what it read before the content."""

    config: SiteConfig
    theme: Theme
    select: Selection
    search: (
        bool  # make the search index (the site has search on and the build was not told otherwise)
    )
    settings_key: (
        str  # what every parsed post depends on: newsroom's version, site.toml, the base URL, the
        # sanitiser's allow-list
    )
    started: int  # wall-clock ns before anything was read (never written to the output)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """What is wrong in these inputs but does not stop the content being read (the strings)."""
        return self.theme.problems


def load_inputs(
    root: Path,
    *,
    base_url: str | None = None,
    output_dir: Path | None = None,
    select: Selection | None = None,
    search: bool = True,
) -> Inputs:
    """Read and check site.toml and the theme; raise ConfigError if site.toml is wrong."""
    started = time.time_ns()
    config = load_config(root, base_url=base_url, output_dir=output_dir)
    return Inputs(
        config=config,
        theme=load_theme(config),
        select=select or Selection(),
        search=search and config.search,
        settings_key=digest(__version__, config.digest, config.base_url, POLICY_KEY),
        started=started,
    )
