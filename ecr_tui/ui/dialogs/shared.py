"""What every dialog shares: the look, the error line, and closing on a failed worker.

Each dialog is a `ModalScreen` that hands its answer back through `dismiss`, so
a caller writes `self.app.push_screen(ConfirmScreen(...), callback)`. They are
keyboard-first (every dialog says its keys on its last line), fit an 80x24
terminal, and check input with the same validators the core applies before
calling AWS, so what a dialog accepts is what the core will send.
"""

from __future__ import annotations

from typing import Any

from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker

# Shared look: a bordered box in the middle, an error line, a muted key hint.
_DIALOG_CSS = """
{screen} {
    align: center middle;
}
{screen} > .dialog {
    width: {width};
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: round $accent;
    border-title-color: $text;
    border-title-style: bold;
    background: $surface;
    padding: 0 1;
}
{screen} .message {
    color: $text-error;
    height: auto;
    display: none;
}
{screen} .message.-shown {
    display: block;
}
{screen} .message.-warning {
    color: $text-warning;
}
{screen} .hint {
    color: $text-muted;
    height: 1;
    margin-top: 1;
}
{screen} .buttons {
    height: auto;
    align-horizontal: right;
    margin-top: 1;
}
{screen} .buttons Button {
    margin-left: 2;
}
"""


def dialog_css(screen: str, extra: str = "", width: int = 76) -> str:
    """The shared dialog look for `screen` (a box `width` columns wide), then `extra`."""
    return _DIALOG_CSS.replace("{screen}", screen).replace("{width}", str(width)) + extra


def show_message(widget: Static, text: str | None, *, warning: bool = False) -> None:
    """Show `text` in an error line (a warning's colour with `warning`), or hide the line."""
    widget.update(text or "")
    widget.set_class(bool(text), "-shown")
    widget.set_class(bool(text) and warning, "-warning")


def close_on_failure(screen: ModalScreen[Any], event: Worker.StateChanged) -> None:
    """Close `screen` with None, and pass its failed worker to the app to be explained."""
    # Worker state changes do not bubble: hand the failure to the app, which
    # explains every failed worker in one place.
    screen.app.post_message(Worker.StateChanged(event.worker, event.state))
    screen.dismiss(None)
