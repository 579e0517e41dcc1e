"""Ask before something that cannot be undone: the confirmation dialog."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from ecr_tui.ui.dialogs.shared import dialog_css, show_message
from ecr_tui.ui.dialogs.tick_box import TickBox


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something that cannot be undone; True to go ahead.

    `typed_confirmation` makes the user type that exact text (say, the repository
    name) first; `require_force`, the number of images a delete would take with
    it, adds a "force" box that must be ticked. Until both are satisfied the
    confirm button stays disabled and y/enter only say what is missing.
    """

    DEFAULT_CSS = dialog_css(
        "ConfirmScreen",
        """
        ConfirmScreen .body { height: auto; margin-bottom: 1; }
        ConfirmScreen Input { margin-bottom: 1; }
        """,
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "confirm", "Confirm", id="confirm.yes"),
        Binding("n,escape", "cancel", "Cancel", id="confirm.no"),
    ]

    def __init__(
        self,
        title: str,
        body: str,
        confirm_label: str = "Delete",
        typed_confirmation: str | None = None,
        require_force: int | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm_label = confirm_label
        self.typed_confirmation = typed_confirmation
        self.require_force = require_force or None  # zero images need no force

    def compose(self) -> ComposeResult:
        """Body, the gates that apply, the buttons, the keys."""
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Static(self.body, classes="body", markup=False)
            if self.typed_confirmation is not None:
                yield Label(f"Type {self.typed_confirmation} to confirm:", markup=False)
                yield Input(placeholder=self.typed_confirmation, id="confirm-typed", compact=True)
            if self.require_force is not None:
                noun = "image" if self.require_force == 1 else "images"
                yield TickBox(
                    f"force: also delete {self.require_force:,} {noun}",
                    id="confirm-force",
                    compact=True,
                )
            yield Static(classes="message", id="confirm-message")
            with Horizontal(classes="buttons"):
                yield Button(self.confirm_label, variant="error", id="confirm-yes", compact=True)
                yield Button("Cancel", id="confirm-no", compact=True)
            keys = "y/enter confirms · n/esc cancels"
            if self.require_force is not None:
                keys = "space ticks force · " + keys
            yield Static(keys, classes="hint")

    def on_mount(self) -> None:
        """Start where the user has something to do: the text box, the box to tick."""
        self._update_gate()
        for selector in ("#confirm-typed", "#confirm-force", "#confirm-yes"):
            widgets = self.query(selector)
            if widgets:
                widgets.first().focus()
                return

    def _missing(self) -> str | None:
        """What still stands between the user and confirming, or None."""
        if self.typed_confirmation is not None:
            typed = self.query_one("#confirm-typed", Input).value
            if typed != self.typed_confirmation:
                return f"Type {self.typed_confirmation} exactly to confirm."
        if self.require_force is not None and not self.query_one(Checkbox).value:
            return f"Tick force: the {self.require_force:,} images would be deleted too."
        return None

    def _update_gate(self) -> None:
        self.query_one("#confirm-yes", Button).disabled = self._missing() is not None

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _gate_changed(self) -> None:
        self._update_gate()
        show_message(self.query_one("#confirm-message", Static), None)

    @on(Input.Submitted)
    def _typed_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#confirm-yes")
    def _yes_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#confirm-no")
    def _no_pressed(self) -> None:
        self.action_cancel()

    def action_confirm(self) -> None:
        """Go ahead, unless something is still missing."""
        missing = self._missing()
        if missing:
            show_message(self.query_one("#confirm-message", Static), missing)
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Do nothing."""
        self.dismiss(False)
