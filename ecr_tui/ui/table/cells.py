"""A row's cells drawn into one strip: each cut to its column's width, padded, aligned.

Pure drawing, called for the rows on screen only (and cached by the table).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from ecr_tui.ui.table.columns import Column

Cell = str | Text

# Up to this many rows, flexible columns are no wider than their longest value, so
# that a column of short values ("none") leaves its room to the others. Measuring
# renders every row once per change of the rows: 3 ms at this size, on the UI
# thread. At 1,000 rows it was 30 ms, and an images page of 1,000 came 0.1 s late.
NATURAL_WIDTH_ROWS = 100


def no_style(_: str) -> Style:
    """A palette for measuring cells, where styles do not matter."""
    return Style.null()


def natural_widths(columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> list[int]:
    """The longest value in each column, its label included."""
    widths = [len(column.label) for column in columns]
    for cells in rows:
        for index, cell in enumerate(cells):
            length = cell_len(cell) if isinstance(cell, str) else cell.cell_len
            widths[index] = max(widths[index], length)
    return widths


def cells_strip(
    console: Console,
    columns: Sequence[Column],
    widths: Sequence[int],
    cells: Sequence[Cell],
    style: Style,
) -> Strip:
    """The cells side by side, each in its column's width and followed by a space."""
    segments: list[Segment] = []
    for column, column_width, cell in zip(columns, widths, cells, strict=False):
        text = cell.copy() if isinstance(cell, Text) else Text(cell)
        text.no_wrap = True
        text.truncate(column_width, overflow="ellipsis")
        padding = column_width - text.cell_len
        if column.align == "right":
            text.pad_left(padding)
        else:
            text.pad_right(padding)
        text.append(" ")
        rendered = text.render(console, end="")
        if text.style:
            # Text.render leaves the text's own style to its caller: without
            # this a cell such as Text("High", style) would lose its colour.
            base = console.get_style(text.style) if isinstance(text.style, str) else text.style
            rendered = Segment.apply_style(rendered, base)
        segments.extend(rendered)
    return Strip(segments).apply_style(style)


@lru_cache(maxsize=16)
def wrapped_lines(console: Console, text: str, width: int) -> list[str]:
    """`text` wrapped to `width` (cached: an empty table asks for each of its lines)."""
    return [line.plain.rstrip() for line in Text(text).wrap(console, width)]
