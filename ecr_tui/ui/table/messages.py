"""What a table says about its rows: the cursor moved to one, or one was opened.

Named in the table's namespace, so that handlers read
`on_virtual_table_row_highlighted` and `on_virtual_table_row_selected`.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message
from textual.widget import Widget


class _RowMessage(Message):
    """A message about one row of a table."""

    def __init__(self, table: Widget, row: Any) -> None:
        super().__init__()
        self.table = table
        self.row = row

    @property
    def control(self) -> Widget:
        """The table the row is in."""
        return self.table


class RowHighlighted(_RowMessage, namespace="virtual_table"):
    """The cursor moved to another row."""


class RowSelected(_RowMessage, namespace="virtual_table"):
    """The user pressed enter (or double-clicked) on a row."""
