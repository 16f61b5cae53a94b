"""How the library reports progress: through an object it is handed, never by printing."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Told when a stage starts (with how many steps it has) and as steps are done."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


class NoProgress:
    """A Progress that ignores everything: the default."""

    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass
