"""A checkbox that says its state in characters, `[x]` or `[ ]`, not in colour alone.

Textual's Checkbox draws the same X ticked or not (only its colour changes) and its
Switch a slider whose side is a colour: without colour (NO_COLOR, a monochrome
terminal, a colour-blind user) both read the same either way.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Checkbox


class TickBox(Checkbox, inherit_bindings=False):
    """`[x] label` or `[ ] label`; space ticks it (enter stays free for the dialog)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Toggle", show=False),
    ]

    DEFAULT_CSS = """
    TickBox > .toggle--button, TickBox:ansi > .toggle--button {
        color: $text-muted;
        background: transparent;
        text-style: none;
    }
    TickBox.-on > .toggle--button, TickBox:ansi.-on > .toggle--button {
        color: $text-success;
        background: transparent;
        text-style: bold;
    }
    """

    @property
    def _button(self) -> Content:
        """The box, ticked or not."""
        return Content.assemble(
            ("[x]" if self.value else "[ ]", self.get_visual_style("toggle--button"))
        )
