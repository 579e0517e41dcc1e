"""What an export is made of: `Export`, the rows and the words that say what they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ecr_tui.core.fleet.groups import AffectedImage


@dataclass(frozen=True, slots=True)
class Export:
    """What is exported: rows, and the words that say what they are."""

    title: str
    rows: tuple[AffectedImage, ...]
    scope: tuple[str, ...] = ()  # the filters in force, in words
    coverage: str = ""  # which images the rows speak for, and which they do not
    complete: bool = True  # False: partial (cancelled, failures): say so everywhere
    generated_at: datetime | None = None

    @property
    def when(self) -> datetime:
        return self.generated_at or datetime.now(UTC)
