"""The filter box over a table: typing filters its rows, enter and escape return to it."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

from ecr_tui.ui.key_order import wait_for_messages_of
from ecr_tui.ui.table.widget import VirtualTable


class FilterBox(Input):
    """A table's filter: enter keeps it, escape clears it, and both go back to the table.

    Priority bindings, run as the key arrives: Textual routes each key to whatever
    has focus when it arrives, so keys sent in the same burst (a paste, a slow
    link) after enter or escape must find the table focused already.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "keep_filter", "Keep filter", show=False, priority=True),
        Binding("escape", "clear_filter", "Clear filter", show=False, priority=True),
    ]

    def __init__(self, table: VirtualTable[Any]) -> None:
        super().__init__(placeholder="filter (esc clears)", classes="filter", compact=True)
        self.table = table

    def action_keep_filter(self) -> None:
        """Back to the table with the filter on (an empty box closes)."""
        if not self.value:
            self.display = False
        self.screen.set_focus(self.table)

    def action_clear_filter(self) -> None:
        """Show every row again."""
        self.value = ""
        self.action_keep_filter()
        # The next key (j) moves through every row, not through those the filter left.
        wait_for_messages_of(self)
