"""Dialogs over text: edit a JSON policy, type one line, read a text."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.shared import dialog_css, show_message


class PolicyEditorScreen(ModalScreen[str | None]):
    """Edit a JSON policy; the new text once `validate` accepts it, or None.

    ctrl+s saves only when `validate(text)` returns None, and shows its message
    otherwise; escape leaves, asking first when there are unsaved edits.
    """

    DEFAULT_CSS = dialog_css(
        "PolicyEditorScreen",
        """
        PolicyEditorScreen > .dialog { width: 100%; height: 100%; }
        PolicyEditorScreen TextArea { height: 1fr; }
        """,
    )

    # Priority: the editor would take escape (to leave the text area) otherwise.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True, id="policy.save"),
        Binding("escape", "cancel", "Cancel", priority=True, id="policy.cancel"),
    ]

    def __init__(self, title: str, text: str, validate: Callable[[str], str | None]) -> None:
        super().__init__()
        self.title_text = title
        self.original = text
        self.validate = validate

    def compose(self) -> ComposeResult:
        """The editor, its message line and the keys."""
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield TextArea.code_editor(self.original, language="json", id="policy-text")
            yield Static(classes="message", id="policy-message")
            yield Static("ctrl+s saves · esc cancels", classes="hint")

    @property
    def text(self) -> str:
        """The text as edited so far."""
        return self.query_one("#policy-text", TextArea).text

    @on(TextArea.Changed)
    def _edited(self) -> None:
        # A message about text that has since changed would mislead.
        show_message(self.query_one("#policy-message", Static), None)

    def action_save(self) -> None:
        """Hand the text back if it is valid; else say what is wrong."""
        problem = self.validate(self.text)
        if problem:
            show_message(self.query_one("#policy-message", Static), problem)
            return
        self.dismiss(self.text)

    def action_cancel(self) -> None:
        """Leave without saving; edits are only dropped once the user agrees."""
        if self.text == self.original:
            self.dismiss(None)
            return

        def discard(confirmed: bool | None) -> None:
            if confirmed:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Discard changes?",
                "The edited policy has not been saved.",
                confirm_label="Discard",
            ),
            discard,
        )


class TextInputScreen(ModalScreen[str | None]):
    """Ask for one line of text (a new tag, an image URI); the text, or None.

    The text is stripped: surrounding spaces are never meaningful in a tag or a
    URI, and pasted text often carries them. Enter submits only once `validate`
    (if given) returns None; its message is shown as the user types.
    """

    DEFAULT_CSS = dialog_css("TextInputScreen")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="input.cancel"),
    ]

    def __init__(
        self,
        title: str,
        label: str,
        initial: str = "",
        validate: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.label = label
        self.initial = initial
        self.validate = validate

    def compose(self) -> ComposeResult:
        """Label, field, message, keys."""
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Label(self.label, markup=False)
            yield Input(self.initial, id="text-input", compact=True)
            yield Static(classes="message", id="text-message")
            yield Static("enter accepts · esc cancels", classes="hint")

    def _problem(self, value: str) -> str | None:
        return self.validate(value.strip()) if self.validate else None

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        show_message(self.query_one("#text-message", Static), self._problem(event.value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self._problem(event.value)
        if problem:
            show_message(self.query_one("#text-message", Static), problem)
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Answer nothing."""
        self.dismiss(None)


class TextViewScreen(ModalScreen[None]):
    """Show a text read-only (a policy, generated IAM JSON), scrollable and selectable."""

    DEFAULT_CSS = dialog_css(
        "TextViewScreen",
        """
        TextViewScreen > .dialog { width: 100%; height: 100%; }
        TextViewScreen TextArea { height: 1fr; }
        """,
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="view.close"),
    ]

    def __init__(
        self, title: str, text: str, language: str | None = "json", *, prose: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.language = language
        # Prose (a log of messages) wraps its long lines and has no line numbers.
        self.prose = prose

    def compose(self) -> ComposeResult:
        """The text and the keys."""
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield TextArea.code_editor(
                self.text,
                language=self.language,
                read_only=True,
                tab_behavior="focus",
                soft_wrap=self.prose,
                show_line_numbers=not self.prose,
                id="view-text",
            )
            yield Static("esc or q closes", classes="hint")

    def action_close(self) -> None:
        """Close the viewer."""
        self.dismiss(None)
