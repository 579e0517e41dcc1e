"""The table's keys: moving, paging, scrolling sideways and opening a row.

Each has an id (`table.down`, ...) so that the config file can remap it.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

# Moving keys are priority bindings: the app runs them as the key arrives. A plain
# binding waits for the key to be forwarded to the table's own message queue, a
# second trip through the event loop, behind whatever was queued meanwhile (a page
# of rows, a frame); while a listing loads, that trip was most of a key's latency.
TABLE_BINDINGS: list[BindingType] = [
    Binding("up,k", "cursor_up", "Up", show=False, id="table.up", priority=True),
    Binding("down,j", "cursor_down", "Down", show=False, id="table.down", priority=True),
    Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table.page_up", priority=True),
    Binding(
        "pagedown,ctrl+f",
        "page_down",
        "Page down",
        show=False,
        id="table.page_down",
        priority=True,
    ),
    Binding("home,g", "first", "First", show=False, id="table.first", priority=True),
    Binding("end,G", "last", "Last", show=False, id="table.last", priority=True),
    Binding("left,h", "scroll_columns(-1)", "Scroll left", show=False, id="table.left"),
    Binding("right,l", "scroll_columns(1)", "Scroll right", show=False, id="table.right"),
    # Priority too: opening a row may move the focus (see `opens_into`).
    Binding("enter", "select", "Open", id="table.select", priority=True),
]
