"""Columns and their widths: which columns a table shows, whole, in the width it has.

A value cut to fit lies: "14h" and "14d" both read "14", "never" reads "ne". So a
column is drawn whole or not at all (the keys `h` and `l` scroll to the others, a
column at a time), and when the width is short the flexible columns (names, tags)
give up their spare room first, down to their minimum, where an ellipsis shows the
cut. No Textual here: pure arithmetic, for the table widget to call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal


@dataclass(frozen=True, slots=True)
class Column:
    """A table column, followed on screen by one space.

    A fixed column is `width` wide. A flexible one is at least `width` and at most
    `max_width` (None: no limit); the flexible columns take what the others leave,
    those of a lower `grow_order` first (the value a user most needs whole), those of
    the same order evenly.
    """

    label: str
    width: int
    align: Literal["left", "right"] = "left"
    flexible: bool = False
    max_width: int | None = None
    grow_order: int = 0


def column_widths(
    columns: Sequence[Column], width: int, natural: Sequence[int] | None = None
) -> list[int]:
    """Each column's width in a table `width` cells wide.

    When every column fits at its least width, the flexible ones share the rest. When
    they do not, the columns up to the first that does not fit whole are shown, and
    the flexible ones among them grow into the room that column leaves empty.
    `natural`, each column's longest value when known, bounds the flexible columns:
    one whose values are all short leaves the room to the others.
    """
    if natural is not None:
        columns = [_bounded(c, longest) for c, longest in zip(columns, natural, strict=True)]
    widths = [column.width for column in columns]
    total = sum(w + 1 for w in widths)
    if total <= width:
        growing = [i for i, column in enumerate(columns) if column.flexible]
        _share(widths, columns, growing, width - total)
        return widths
    end = 0
    shown = 0
    for w in widths:
        if end + w > width:
            break
        end += w + 1
        shown += 1
    growing = [i for i in range(shown) if columns[i].flexible]
    # The last column shown needs no space after it: that one is room too.
    _share(widths, columns, growing, max(width - end + 1, 0) if shown else 0)
    return widths


def _bounded(column: Column, longest: int) -> Column:
    """A flexible `column` no wider than its longest value."""
    if not column.flexible:
        return column
    limit = longest if column.max_width is None else min(column.max_width, longest)
    return replace(column, width=min(column.width, limit), max_width=limit)


def _share(widths: list[int], columns: Sequence[Column], growing: list[int], spare: int) -> int:
    """Give `spare` cells to the columns `growing`, by grow_order, each up to its max_width."""
    for order in sorted({columns[i].grow_order for i in growing}):
        spare = _share_evenly(
            widths, columns, [i for i in growing if columns[i].grow_order == order], spare
        )
    return spare


def _share_evenly(
    widths: list[int], columns: Sequence[Column], growing: list[int], spare: int
) -> int:
    """Give `spare` cells to the columns `growing`, evenly, each up to its max_width;
    what is left over."""
    while spare > 0 and growing:
        share, extra = divmod(spare, len(growing))
        still_growing = []
        for n, index in enumerate(growing):
            limit = columns[index].max_width
            room = spare if limit is None else max(limit - widths[index], 0)
            given = min(share + (1 if n < extra else 0), room)
            widths[index] += given
            spare -= given
            if limit is None or widths[index] < limit:
                still_growing.append(index)
        # Either all of `spare` was given, or a column reached its limit and leaves.
        growing = still_growing
    return spare


def column_starts(widths: Sequence[int]) -> list[int]:
    """Where each column starts (each is followed by one space)."""
    starts = []
    start = 0
    for w in widths:
        starts.append(start)
        start += w + 1
    return starts


def whole_columns_end(widths: Sequence[int], scroll_x: int, width: int) -> int:
    """Where the view from `scroll_x` stops showing: after its last whole column.

    A column cut by the right edge is left blank rather than cut. When not even the
    first column in view fits (a long URI in a narrow pane), it is cut at the edge.
    """
    window_end = scroll_x + width
    end = scroll_x
    start = 0
    for w in widths:
        if start >= scroll_x and start + w <= window_end:
            end = min(start + w + 1, window_end)
        start += w + 1
    return end if end > scroll_x else window_end
