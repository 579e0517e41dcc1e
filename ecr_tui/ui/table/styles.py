"""The table's own stylesheet: its parts, and the cell colours renderers pick by name.

Written against the theme's variables; the ANSI themes (16-colour terminals) get
colours of the terminal's own.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


def component_style(widget: Widget, name: str) -> Style:
    """The widget's own style (""), a component's, or a component's "partial:" one.

    A partial style is a cell's colour and text style without a background: it
    goes over the row's (the cursor's). Not Textual's partial style: it leaves a
    colour such as $text-muted ("auto 60%") unblended, and muted text came out
    white, brighter than the rest.
    """
    if not name:
        return widget.rich_style
    if name.startswith("partial:"):
        full = widget.get_component_rich_style(name.removeprefix("partial:"))
        return full.without_color + Style.from_color(full.color)
    return widget.get_component_rich_style(name)


# The parts of a table its stylesheet can style.
TABLE_COMPONENTS = {
    "virtual-table--header",
    "virtual-table--cursor",
    "virtual-table--cursor-blurred",
    "virtual-table--empty",
    "virtual-table--marked",
    # The cell palette renderers pick from by name (see `palette`).
    "virtual-table--critical",
    "virtual-table--high",
    "virtual-table--medium",
    "virtual-table--low",
    "virtual-table--muted",
    "virtual-table--ok",
}

TABLE_CSS = """
    VirtualTable {
        height: 1fr;
        /* Always there, so that a longer or shorter list never changes the width
           and never costs a layout of the whole screen (see _refresh_size). */
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        /* Rows are precious at 24 lines: h/l scroll sideways instead of a bar. */
        scrollbar-size-horizontal: 0;
    }
    VirtualTable > .virtual-table--header { text-style: bold; color: $text-accent; }
    VirtualTable > .virtual-table--cursor { background: $block-cursor-background; }
    VirtualTable > .virtual-table--cursor-blurred { background: $block-cursor-blurred-background; }
    VirtualTable > .virtual-table--empty { color: $text-muted; text-style: italic; }
    VirtualTable > .virtual-table--marked { background: $secondary 40%; text-style: bold; }
    VirtualTable > .virtual-table--critical { color: $text-error; text-style: bold; }
    VirtualTable > .virtual-table--high { color: $text-error; }
    VirtualTable > .virtual-table--medium { color: $text-warning; }
    VirtualTable > .virtual-table--low { color: $text-primary; }
    VirtualTable > .virtual-table--muted { color: $text-muted; }
    VirtualTable > .virtual-table--ok { color: $text-success; }
    /* The ANSI themes (16-colour terminals, see app.py): four severities in four of
       the terminal's own colours, and the cursor in reverse video, which any terminal
       draws and which keeps a coloured cell readable on it. */
    VirtualTable:ansi {
        & > .virtual-table--cursor { background: ansi_default; text-style: reverse; }
        & > .virtual-table--cursor-blurred { background: ansi_bright_black; }
        & > .virtual-table--marked { background: ansi_default; text-style: bold underline; }
        & > .virtual-table--critical { color: ansi_bright_magenta; text-style: bold; }
        & > .virtual-table--high { color: ansi_bright_red; }
        & > .virtual-table--medium { color: ansi_yellow; }
        & > .virtual-table--low { color: ansi_cyan; }
    }
"""
