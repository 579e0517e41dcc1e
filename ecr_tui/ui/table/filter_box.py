"""The filter box over a table: typing filters its rows, enter and escape return to it.

`FilterKeys` is the other half, mixed into whatever holds the table and its box
(a pane, a screen): `/` opens the box, and what is typed there filters the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual.binding import Binding, BindingType
from textual.widgets import Input

from ecr_tui.ui.key_order import wait_for_messages_of
from ecr_tui.ui.table.widget import VirtualTable

if TYPE_CHECKING:
    from textual.screen import Screen


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


class _FilteredTable(Protocol):
    """What `FilterKeys` needs of the class it is mixed into."""

    @property
    def table(self) -> VirtualTable[Any]: ...

    @property
    def filter_box(self) -> FilterBox: ...

    @property
    def screen(self) -> Screen[object]: ...

    def filter_changed(self) -> None: ...


class FilterKeys:
    """`/` opens the filter box; what is typed there filters the table.

    Mixed (first) into a pane or a screen with a `table` and its `filter_box`, and
    `filter_binding` in its BINDINGS. `filter_changed` is where it shows the filter
    elsewhere (a title, a count).
    """

    @staticmethod
    def filter_binding(binding_id: str) -> Binding:
        """The `/` binding, under the holder's own id (see keymap)."""
        # Priority: the app runs it as `/` arrives, before it routes the next key. A
        # plain binding runs only once `/` has bubbled up from the table, and keys
        # sent in the same burst (a paste, a slow link) have gone to the table by then.
        return Binding("slash", "open_filter", "Filter", id=binding_id, priority=True)

    def check_action(
        self: _FilteredTable, action: str, parameters: tuple[object, ...]
    ) -> bool | None:
        """In the filter box `/` is typed, not bound (Textual does not see it as text).

        Asks the screen, not `has_focus`: that flag follows only once the box has
        handled its Focus event, after the rest of a burst has been routed.
        """
        return not (action == "open_filter" and self.screen.focused is self.filter_box)

    def action_open_filter(self: _FilteredTable) -> None:
        """Show the filter box and type into it."""
        self.filter_box.display = True
        # Focus at once, not on the next loop turn (as `focus()` does): keys pasted
        # or sent in one burst after `/` must land in the box, not in the table.
        self.screen.set_focus(self.filter_box)

    # A handler by name, not `@on`: Textual collects `@on` handlers only from classes
    # built by its own metaclass, and this mixin is plain Python.
    def on_input_changed(self: _FilteredTable, event: Input.Changed) -> None:
        if isinstance(event.input, FilterBox):
            event.stop()
            self.table.set_filter(event.value)
            self.filter_changed()

    def filter_changed(self) -> None:
        """The filter's text changed (and the table shows its rows)."""
