"""The table's vertical scrollbar, which repaints only when its thumb moves."""

from __future__ import annotations

from math import ceil

from textual.reactive import Reactive
from textual.scrollbar import ScrollBar


class ThumbScrollBar(ScrollBar):
    """Textual's scrollbar, repainted when its thumb moves on screen, not on every scroll.

    Over 100,000 rows a line of scrolling moves the thumb by a 6,000th of a cell;
    the stock bar repainted all its lines each time, a quarter of the cost of a
    frame that scrolls.
    """

    position: Reactive[float] = Reactive(0, repaint=False)

    def watch_position(self, old: float, new: float) -> None:
        """Repaint if the thumb's drawn cells changed."""
        if self._thumb(old) != self._thumb(new):
            self.refresh()

    def _thumb(self, position: float) -> tuple[int, int]:
        """The thumb's ends in eighths of a cell, as ScrollBarRender works them out."""
        size = self.size.height if self.vertical else self.size.width
        virtual = ceil(self.window_virtual_size)
        window = ceil(self.window_size if self.window_size < self.window_virtual_size else 0)
        if not (window and size and virtual) or size == virtual:
            return 0, 0
        thumb = max(1, window / (virtual / size))
        start = int((size - thumb) * position / (virtual - window) * 8)
        return start, start + ceil(thumb * 8)
