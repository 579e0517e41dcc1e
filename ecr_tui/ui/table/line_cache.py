"""The table's drawn lines, kept so that moving the cursor redraws two lines, not all."""

from __future__ import annotations

import time
from collections.abc import Hashable

from textual.cache import LRUCache
from textual.strip import Strip

# Relative times ("5m") age: a drawn line lasts a minute at most.
_LIFETIME_SECONDS = 60


class LineCache:
    """Drawn lines by row and look, all drawn at one set of column widths."""

    def __init__(self, size: int = 512) -> None:
        self._lines: LRUCache[tuple[Hashable, ...], tuple[object, Strip]] = LRUCache(size)
        self._widths: list[int] = []

    def at_widths(self, widths: list[int]) -> None:
        """Lines are drawn at `widths` from now on: any drawn at others would stand out of
        line (rows that arrive can change the widths: a longer repository name, say)."""
        if widths != self._widths:
            self._lines.clear()
            self._widths = widths

    def get(self, row: object, look: tuple[Hashable, ...]) -> Strip | None:
        """The line drawn for `row` with `look` (style, scroll, width), if still good."""
        cached = self._lines.get(self._key(row, look))
        # By identity: a row freed and another made at its address is not the same row.
        return cached[1] if cached is not None and cached[0] is row else None

    def put(self, row: object, look: tuple[Hashable, ...], strip: Strip) -> None:
        self._lines[self._key(row, look)] = (row, strip)

    def clear(self) -> None:
        """Forget every line: what the rows say has changed."""
        self._lines.clear()

    @staticmethod
    def _key(row: object, look: tuple[Hashable, ...]) -> tuple[Hashable, ...]:
        return (id(row), *look, int(time.time() // _LIFETIME_SECONDS))
