"""The table widget: draws only the visible lines of its rows, and moves the cursor.

Its rows are held, sorted and filtered by a `rows.RowStore`; this module adds what
Textual shows and drives: the header and row lines, the cursor and its keys, and
merging pages in steps between the keys pressed while a listing loads.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from operator import is_not
from typing import Any, ClassVar, Generic, TypeAlias

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

from ecr_tui.ui.format import Palette
from ecr_tui.ui.key_order import HOLD_AT_MOST, keys_may_flow, wait_for_messages_of
from ecr_tui.ui.table import messages
from ecr_tui.ui.table.bindings import TABLE_BINDINGS
from ecr_tui.ui.table.cells import (
    NATURAL_WIDTH_ROWS,
    Cell,
    cells_strip,
    natural_widths,
    no_style,
    wrapped_lines,
)
from ecr_tui.ui.table.columns import Column, column_starts, column_widths, whole_columns_end
from ecr_tui.ui.table.line_cache import LineCache
from ecr_tui.ui.table.pacing import (
    KEY_FRAME_SECONDS,
    KEYS_PAUSE_SECONDS,
    MERGE_STEP_PAUSE,
    STEPPED_MERGE_ROWS,
)
from ecr_tui.ui.table.rows import RowStore, RowT
from ecr_tui.ui.table.scrollbar import ThumbScrollBar
from ecr_tui.ui.table.styles import TABLE_COMPONENTS, TABLE_CSS, component_style


class VirtualTable(ScrollView, Generic[RowT], can_focus=True):
    """A keyboard-driven table over a list of rows, rendered line by line."""

    BINDINGS: ClassVar[list[BindingType]] = TABLE_BINDINGS

    COMPONENT_CLASSES: ClassVar[set[str]] = TABLE_COMPONENTS

    DEFAULT_CSS = TABLE_CSS

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    # Defined in messages.py; handlers are on_virtual_table_row_highlighted/_selected.
    RowHighlighted: TypeAlias = messages.RowHighlighted
    RowSelected: TypeAlias = messages.RowSelected

    def __init__(
        self,
        columns: Sequence[Column],
        render_cells: Callable[[RowT, Palette], Sequence[Cell]],
        search_text: Callable[[RowT], str],
        *,
        empty_text: str = "Nothing here.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self._render_cells = render_cells
        self._empty_text = empty_text
        self._store: RowStore[RowT] = RowStore(search_text)
        self._view: list[RowT] = []  # `_store.shown.rows` in display order
        self._widths: list[int] = []
        self._width = 0  # of the content region, when `_widths` were worked out
        # The longest value of each column, and the rows it was measured over.
        self._natural: list[int] | None = None
        self._natural_of: object = None
        self._last_highlighted: RowT | None = None
        # When the user last moved the cursor (time.monotonic()): a loading pane holds
        # its next pages back while keys keep coming.
        self.moved_at = 0.0
        self._moved = asyncio.Event()
        # Called with the highlighted row in the same frame as the cursor move.
        self.highlight_hook: Callable[[Any], None] | None = None
        # The widget that opening a row moves the focus to, focused as enter is
        # pressed: keys typed after enter in one burst (a paste, a slow link) then go
        # there, not to this table, where j would move on to another row.
        self.opens_into: Callable[[], Widget | None] | None = None
        # Since when new rows are on their way to replace what is shown (see `expect_rows`).
        self._rows_expected_since: float | None = None
        self._line_cache = LineCache()
        # Rows the user marked for a bulk action, by identity (rows are unhashable).
        self._marked: dict[int, RowT] = {}
        # Rich styles by name, read once per style change rather than once per line:
        # Textual works `rich_style` out through every ancestor on each call, and on a
        # frame that scrolls that cost more than drawing the lines.
        self._styles: dict[str, Style] = {}

    @property
    def empty_text(self) -> str:
        """What the table says while it has no row."""
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            if not self._view:
                self.refresh()  # every line: the text may wrap over fewer or more

    # -- data: held, sorted and filtered by `_store` (see rows.py); shown here, with
    # the cursor kept on its row through every change.

    @property
    def rows(self) -> list[RowT]:
        """The rows shown, after filtering and sorting (do not modify)."""
        return self._view

    @property
    def all_rows(self) -> list[RowT]:
        """Every row held, filtered out or not, in sort order (do not modify)."""
        return self._store.all.rows

    @property
    def total_rows(self) -> int:
        """All rows, filtered or not."""
        return len(self._store.all.rows)

    @property
    def current_row(self) -> RowT | None:
        """The row under the cursor."""
        if 0 <= self.cursor_row < len(self._view):
            return self._view[self.cursor_row]
        return None

    def expect_rows(self, expected: bool) -> None:
        """Say that new rows are on their way (a listing started), or here (or not coming).

        Meanwhile the keys typed before, in the same burst, wait for them: typed
        slowly, they would have found the rows there (`holds_keys_typed_before`).
        """
        if expected:
            self._rows_expected_since = time.monotonic()
        elif self._rows_expected_since is not None:
            self._rows_expected_since = None
            keys_may_flow(self)

    @property
    def holds_keys_typed_before(self) -> float | None:
        """Keys typed before new rows were asked for wait for them (see `key_order`),
        HOLD_AT_MOST at most: when they were asked for, or None."""
        since = self._rows_expected_since
        if since is None or time.monotonic() - since >= HOLD_AT_MOST:
            return None
        return since

    def clear(self) -> None:
        """Drop every row."""
        self._store.clear()
        self._marked = {}
        self._last_highlighted = None
        self._update_view(None)

    @property
    def marked_rows(self) -> list[RowT]:
        """The marked rows, in the order they were marked."""
        return list(self._marked.values())

    def toggle_mark(self, row: RowT) -> None:
        """Mark `row` for a bulk action, or unmark it."""
        if self._marked.pop(id(row), None) is None:
            self._marked[id(row)] = row
        self.refresh()

    def set_rows(self, rows: Iterable[RowT], texts: list[str] | None = None) -> None:
        """Replace all rows (`texts`: their `search_texts`, if a worker made them); the
        cursor keeps its row where it still exists."""
        kept = self.current_row
        self._marked = {}
        self._store.replace(list(rows), texts)
        self._update_view(self._store.locate(kept))

    def search_texts(self, rows: Iterable[RowT]) -> list[str]:
        """The rows' lower-cased search texts (pure: a loading worker may call it)."""
        return self._store.search_texts(rows)

    def find_row(self, wanted: Callable[[RowT], bool]) -> RowT | None:
        """The first row `wanted` accepts, shown or filtered out."""
        return next((row for row in self._store.all.rows if wanted(row)), None)

    def replace_row(self, old: RowT, new: RowT) -> bool:
        """Show `new` instead of `old` (a newer record of it): the cursor stays on the
        row it was on, `new` if that was `old`, and a mark on `old` moves to `new`."""
        current = self.current_row
        if not self._store.replace_row(old, new):
            return False
        if self._marked.pop(id(old), None) is not None:
            self._marked[id(new)] = new
        self._update_view(self._store.locate(new if current is old else current))
        return True

    def extend(
        self, rows: Iterable[RowT], texts: list[str] | None = None, *, stay_at_top: bool = False
    ) -> None:
        """Add a page of rows (with their `search_texts`, if worked out already).

        The cursor stays on its row, or, with `stay_at_top`, on the first row if it is
        there (a list loading newest first keeps showing the newest).
        """
        for _ in self._merge_steps(list(rows), texts, stay_at_top):
            pass

    async def extend_in_steps(
        self, rows: Iterable[RowT], texts: list[str] | None = None, *, stay_at_top: bool = False
    ) -> None:
        """`extend`, letting the event loop run between the steps of a big merge.

        A merge into 100,000 rows is some 10 ms of list work. Done in one piece, a key
        pressed meanwhile waited for all of it, then for the frame that showed the
        merge, and only then got its own (50-80 ms in all). Between steps of a few
        milliseconds the key is answered first. If the rows are dropped meanwhile
        (`clear`, `set_rows`) so is the page; any other change merges it again.
        """
        rows = list(rows)
        stepped = len(self._store.all.rows) + len(rows) >= STEPPED_MERGE_ROWS
        for ready in self._merge_steps(rows, texts, stay_at_top):
            if ready:
                # Merged, not shown yet. While keys come, it is shown in the next key's
                # frame: drawn in a frame of its own (15-20 ms), it held up that key.
                if stepped:
                    await self._next_move_or_pause()
            elif stepped:
                key_just_pressed = time.monotonic() - self.moved_at < KEY_FRAME_SECONDS
                await asyncio.sleep(KEY_FRAME_SECONDS if key_just_pressed else MERGE_STEP_PAUSE)

    def keys_pause_in(self, pause: float | None = None) -> float:
        """Seconds until the cursor has rested `pause` (KEYS_PAUSE_SECONDS when None)
        since the keys last moved it (0 or less: it has)."""
        rest = KEYS_PAUSE_SECONDS if pause is None else pause
        return self.moved_at + rest - time.monotonic()

    async def _next_move_or_pause(self) -> None:
        """Return as the cursor next moves, or once the keys have paused."""
        while (pause_in := self.keys_pause_in()) > 0:
            self._moved.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait(), pause_in)
                return

    def _merge_steps(
        self, rows: list[RowT], texts: list[str] | None, stay_at_top: bool
    ) -> Iterator[bool]:
        """Steps (False) of a merge, then True when it is ready to show, then showing it."""
        at = yield from self._store.merge_steps(rows, texts)
        if at is None:
            return  # dropped: this page belonged to them
        if stay_at_top and self.cursor_row == 0:
            self._update_view(None)
            return
        kept = None if self.current_row is None else self._shown_index(self.cursor_row)
        # The cursor row moves down by the rows inserted before it.
        self._update_view(None if kept is None else kept + bisect_right(at, kept))

    def set_filter(self, text: str) -> None:
        """Show only rows whose search text holds every word of `text`."""
        terms = tuple(text.lower().split())
        if terms == self._store.filter_terms:
            return
        kept = self._kept()
        self._store.set_filter(terms)
        self._update_view(None if kept is None else self._store.shown.index(*kept))

    def set_hidden(self, key: Callable[[RowT], Hashable], values: Iterable[Hashable]) -> None:
        """Fold away the rows whose `key` is one of `values`; the cursor keeps its row
        when that stays shown."""
        kept = self._kept()
        self._store.set_hidden(key, values)
        self._update_view(None if kept is None else self._store.shown.index(*kept))

    @property
    def hidden_rows(self) -> int:
        """How many rows are folded away by `set_hidden`."""
        return self._store.hidden_rows

    def redraw_rows(self) -> None:
        """Draw every row again: what the renderer says of them has changed."""
        self._natural_of = None  # (their widths too)
        self._widths = []
        self._line_cache.clear()
        self._refresh_size()
        self.refresh()

    def set_sort(self, key: Callable[[RowT], Any] | None, reverse: bool = False) -> None:
        """Order rows by `key` (None keeps arrival order, and ignores `reverse`)."""
        kept = self.current_row
        self._store.set_sort(key, reverse)
        self._update_view(self._store.locate(kept))

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Show these columns from now on (a pane whose rows gain or lose a column)."""
        if list(columns) == self.columns:
            return
        self.columns = list(columns)
        self._widths = []
        self._natural_of = None  # the natural widths were of the old columns
        self._line_cache.clear()
        self._refresh_size()
        self.refresh()

    def move_to(self, row: RowT) -> bool:
        """Put the cursor on `row` if it is shown."""
        index = self._store.locate(row)
        if index is None:
            return False
        self.cursor_row = self._shown_index(index)
        return True

    def move_to_first(self, wanted: Callable[[RowT], bool]) -> bool:
        """Put the cursor on the first shown row that `wanted` accepts."""
        row = next((row for row in self._view if wanted(row)), None)
        return row is not None and self.move_to(row)

    def _shown_index(self, index: int) -> int:
        """A display index as an index into `_store.shown`, and back."""
        return len(self._view) - 1 - index if self._store.sort_reverse else index

    def _kept(self) -> tuple[Any, RowT] | None:
        """The sort key and row under the cursor, to find the row again after a change."""
        if self.current_row is None:
            return None
        index = self._shown_index(self.cursor_row)
        shown = self._store.shown
        return shown.keys[index], shown.rows[index]

    def _update_view(self, kept: int | None) -> None:
        """Show `_store.shown`, with the cursor on its row `kept` (or where it was)."""
        top, bottom = int(self.scroll_y), int(self.scroll_y) + self._data_height
        was_shown = self._view[top:bottom]
        rows = self._store.shown.rows
        self._view = rows[::-1] if self._store.sort_reverse else rows
        if len(rows) >= STEPPED_MERGE_ROWS:
            # The lists just built each hold a reference to every row. While they are
            # young, each young collection walks them, touching every row: 30 ms at
            # 100,000 rows, in the middle of a key's frame. Out of the collector's sight
            # at once (O(1)); a refcount still frees them when they are replaced.
            gc.freeze()
        self._widths = []
        self._refresh_size()
        if kept is not None:
            self.cursor_row = self._shown_index(kept)
        else:
            self.cursor_row = min(self.cursor_row, self._last_index)
        # Pages mostly land outside the visible rows: then only the scrollbar moved,
        # and repainting every line would hold up the keys pressed meanwhile.
        shown = self._view[top:bottom]
        if (
            int(self.scroll_y) != top
            or len(shown) != len(was_shown)
            or any(map(is_not, shown, was_shown))
        ):
            self.refresh()

    @property
    def _last_index(self) -> int:
        return max(len(self._view) - 1, 0)

    # -- geometry ---------------------------------------------------------------

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's scrollbar, repainted only when its thumb moves (see `ThumbScrollBar`)."""
        if self._vertical_scrollbar is None:
            bar = ThumbScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            )
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    def _column_widths(self) -> list[int]:
        if self._widths:
            return self._widths
        # Kept with the widths: Textual works the region out afresh on every call.
        self._width = self.scrollable_content_region.width
        self._widths = column_widths(self.columns, self._width, self._natural_widths())
        self._line_cache.at_widths(self._widths)
        return self._widths

    def _natural_widths(self) -> list[int] | None:
        """The longest value in each column (its label included), for a small table."""
        rows = self._store.all
        if self._natural_of is not rows:
            self._natural_of = rows
            self._natural = None
            if 0 < len(rows.rows) <= NATURAL_WIDTH_ROWS:
                measured = (self._render_cells(row, no_style) for row in rows.rows)
                self._natural = natural_widths(self.columns, measured)
        return self._natural

    def _refresh_size(self) -> None:
        widths = self._column_widths()
        # Room to scroll any column to the left edge (`h` and `l` go a column at a time).
        width = max(sum(w + 1 for w in widths), column_starts(widths)[-1] + self._width)
        size = Size(width, len(self._view) + 1)
        old = self.virtual_size
        if size == old:
            return
        if old.width == width and old.height and self.styles.overflow_y == "scroll":
            # The same scrollbar, only a longer or shorter list: repaint this table and
            # its bar, without the layout pass of the whole screen the reactive asks for.
            self.set_reactive(VirtualTable.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size
            # Scrolling now would clamp to the old size: once the new one is laid out.
            self.call_after_refresh(self._scroll_cursor_into_view)

    def on_resize(self, _: events.Resize) -> None:
        """Flexible columns follow the width of the pane."""
        self._widths = []
        self._refresh_size()
        self._scroll_cursor_into_view()
        self.refresh()

    # -- cursor -----------------------------------------------------------------

    @property
    def _data_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def validate_cursor_row(self, row: int) -> int:
        """Keep the cursor on a real row."""
        return max(0, min(row, self._last_index))

    def watch_cursor_row(self, old: int, new: int) -> None:
        """Follow the cursor and say which row it is on now."""
        top = self.scroll_y
        self._scroll_cursor_into_view()
        if self.scroll_y == top:
            # Repaint the two rows that changed, not the whole table: Textual would
            # run every visible line through its style cache again (half a key's cost).
            self.refresh_line(old + 1)  # line 0 is the header
            self.refresh_line(new + 1)
        else:
            self.refresh()
        row = self.current_row
        if row is not self._last_highlighted:
            self._last_highlighted = row
            if self.highlight_hook is not None:
                self.highlight_hook(row)
            self.post_message(self.RowHighlighted(self, row))

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._data_height:
            self.scroll_to(y=self.cursor_row - self._data_height + 1, animate=False, immediate=True)

    def _move(self, row: int) -> None:
        self.moved_at = time.monotonic()
        self.cursor_row = row
        self._moved.set()

    def action_cursor_up(self) -> None:
        """Move up one row."""
        self._move(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        """Move down one row."""
        self._move(self.cursor_row + 1)

    def action_page_up(self) -> None:
        """Move up one screen."""
        self._move(self.cursor_row - self._data_height)

    def action_page_down(self) -> None:
        """Move down one screen."""
        self._move(self.cursor_row + self._data_height)

    def action_first(self) -> None:
        """Go to the first row."""
        self._move(0)

    def action_last(self) -> None:
        """Go to the last row."""
        self._move(self._last_index)

    def action_scroll_columns(self, columns: int) -> None:
        """Scroll sideways by `columns` whole columns, to those a narrow pane leaves out."""
        starts = column_starts(self._column_widths())
        now = int(self.scroll_x)
        at = max((i for i, start in enumerate(starts) if start <= now), default=0)
        target = starts[max(0, min(at + columns, len(starts) - 1))]
        self.scroll_to(x=target, animate=False, immediate=True)

    def action_select(self) -> None:
        """Open the row under the cursor."""
        row = self.current_row
        if row is None:
            return
        target = self.opens_into() if self.opens_into is not None else None
        if target is not None:
            self.screen.set_focus(target)
        self.post_message(self.RowSelected(self, row))
        # What opening the row starts (another pane's rows, a finding's details) is
        # done before the next key: enter is a priority binding, followed by nothing.
        wait_for_messages_of(self)

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor; a double click opens the row."""
        if event.y == 0:
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < len(self._view):
            self._move(index)
            if event.chain > 1:
                self.action_select()

    # -- rendering --------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Textual calls this whenever CSS, the theme or focus change our styles."""
        self._styles.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        """Our own style ("") or a component's, combined or partial (see `palette`)."""
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = component_style(self, name)
        return style

    def render_line(self, y: int) -> Strip:
        """Draw the header on line 0 and a data row on every other line."""
        self._column_widths()
        width = self._width
        scroll_x = int(self.scroll_x)
        if y == 0:
            style = self._style("virtual-table--header")
            cells: Sequence[Cell] = [c.label for c in self.columns]
            return self._strip(cells, style, scroll_x, width)
        index = int(self.scroll_y) + y - 1
        if index >= len(self._view):
            if not self._view:
                # Why the table is empty, wrapped: cut, "findings appear here when"
                # would leave the sentence unsaid.
                lines = self._empty_lines(width)
                if y - 1 < len(lines):
                    style = self._style("virtual-table--empty")
                    # The padding gets the style too: a segment without one breaks
                    # Textual's NO_COLOR (monochrome) filter.
                    segment = Segment(f" {lines[y - 1]}", style)
                    return Strip([segment]).crop_extend(0, width, style)
            return Strip.blank(width, self._style(""))
        row = self._view[index]
        style = self._style("")
        if self._marked and id(row) in self._marked:
            style = style + self._style("virtual-table--marked")
        if index == self.cursor_row:
            cursor = "virtual-table--cursor" if self.has_focus else "virtual-table--cursor-blurred"
            style = style + self._style(cursor)
        look = (style, scroll_x, width)
        cached = self._line_cache.get(row, look)
        if cached is not None:
            return cached
        strip = self._strip(self._render_cells(row, self.palette), style, scroll_x, width)
        self._line_cache.put(row, look, strip)
        return strip

    def _empty_lines(self, width: int) -> list[str]:
        """What an empty table says, wrapped to `width` (less the margin)."""
        text = "Nothing matches the filter." if self.total_rows else self.empty_text
        return wrapped_lines(self.app.console, text, max(width - 2, 1))

    def palette(self, name: str) -> Style:
        """The theme's style for a semantic cell colour such as 'critical' or 'muted'."""
        return self._style(f"partial:virtual-table--{name}")

    def _strip(self, cells: Sequence[Cell], style: Style, scroll_x: int, width: int) -> Strip:
        widths = self._column_widths()
        strip = cells_strip(self.app.console, self.columns, widths, cells, style)
        # Whole columns only: one cut by the edge is left blank (see columns.py).
        end = whole_columns_end(widths, scroll_x, width)
        return strip.crop_extend(scroll_x, end, style).extend_cell_length(width, style)
