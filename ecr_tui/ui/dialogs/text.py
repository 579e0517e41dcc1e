"""Dialogs over text: edit a JSON policy, type one line, read a text."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from ecr_tui.core.errors import Problem, explain_error
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.shared import dialog_css, show_message

T = TypeVar("T")


class PolicyEditorScreen(ModalScreen[str | None], Generic[T]):
    """Edit a JSON policy; the text once `validate` accepts it (and `submit` succeeds), or None.

    ctrl+s checks the text with `validate` and shows its message, if any. With
    `submit` (the ECR call, run in a thread), the editor stays open until ECR has
    answered: when ECR refuses, its reason is shown and the draft stays, to be
    fixed and sent again; when it accepts, the editor closes and `done` gets
    `submit`'s result. Escape leaves, asking first when there are unsaved edits.
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

    HINT = "ctrl+s saves · esc cancels"

    def __init__(
        self,
        title: str,
        text: str,
        validate: Callable[[str], str | None],
        submit: Callable[[str], T] | None = None,
        done: Callable[[T], None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.original = text
        self.validate = validate
        self.submit = submit
        self.done = done
        self.sending = False

    def compose(self) -> ComposeResult:
        """The editor, its message line and the keys."""
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield TextArea.code_editor(self.original, language="json", id="policy-text")
            yield Static(classes="message", id="policy-message")
            yield Static(self.HINT, classes="hint", id="policy-hint")

    @property
    def text(self) -> str:
        """The text as edited so far."""
        return self.query_one("#policy-text", TextArea).text

    def _show(self, problem: str | None) -> None:
        show_message(self.query_one("#policy-message", Static), problem)

    @on(TextArea.Changed)
    def _edited(self) -> None:
        # A message about text that has since changed would mislead.
        if not self.sending:
            self._show(None)

    def action_save(self) -> None:
        """Send the text if it is valid (or hand it back); else say what is wrong."""
        if self.sending:
            return
        text = self.text
        problem = self.validate(text)
        if problem:
            self._show(problem)
            return
        if self.submit is None:
            self.dismiss(text)
            return
        self.sending = True
        self._show(None)
        self.query_one("#policy-hint", Static).update("sending to ECR… the editor stays open")
        self.run_worker(
            functools.partial(self._send, self.submit, text),
            thread=True,
            exclusive=True,
            group="policy-send",
            exit_on_error=False,
        )

    def _send(self, submit: Callable[[str], T], text: str) -> None:
        """In a thread: make the call; report back on the UI thread."""
        try:
            result = submit(text)
        except Exception as error:  # every failure is explained on the message line
            self.app.call_from_thread(self._refused, explain_error(error))
            return
        self.app.call_from_thread(self._accepted, text, result)

    def _refused(self, problem: Problem) -> None:
        self.sending = False
        self.query_one("#policy-hint", Static).update(self.HINT)
        self._show(
            f"{problem.title}: {problem.detail}\n"
            "Your draft is kept: fix it and press ctrl+s again, or esc to leave."
        )

    def _accepted(self, text: str, result: T) -> None:
        self.sending = False
        self.dismiss(text)
        if self.done is not None:
            self.done(result)

    def action_cancel(self) -> None:
        """Leave without saving; edits are only dropped once the user agrees."""
        if self.sending:
            self._show("Waiting for ECR's answer: it keeps this editor open or closes it.")
            return
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
    (if given) returns None; its message is shown as the user types. A text that
    `warn` (if given) has something to say about is valid but doubtful: enter
    shows the warning first, and a second enter takes the text anyway.
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
        warn: Callable[[str], str | None] | None = None,
        message: str = "",
    ) -> None:
        """`message`: shown under the field at first (why the last text was refused)."""
        super().__init__()
        self.message = message
        self.title_text = title
        self.label = label
        self.initial = initial
        self.validate = validate
        self.warn = warn
        # The text whose warning enter has shown: a second enter takes it.
        self._warned: str | None = None

    def compose(self) -> ComposeResult:
        """Label, field, message, keys."""
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Label(self.label, markup=False)
            yield Input(self.initial, id="text-input", compact=True)
            yield Static(classes="message", id="text-message")
            yield Static("enter accepts · esc cancels", classes="hint")

    def on_mount(self) -> None:
        """Say why the last text was refused, if it was."""
        if self.message:
            show_message(self.query_one("#text-message", Static), self.message)

    def _problem(self, value: str) -> str | None:
        return self.validate(value.strip()) if self.validate else None

    def _warning(self, value: str) -> str | None:
        return self.warn(value.strip()) if self.warn else None

    def _say(self, value: str) -> None:
        """The problem with `value`, else its warning, else nothing, on the message line."""
        message = self.query_one("#text-message", Static)
        problem = self._problem(value)
        if problem:
            show_message(message, problem)
            return
        warning = self._warning(value)
        show_message(message, f"Warning: {warning}." if warning else None, warning=True)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._say(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if self._problem(value):
            self._say(value)
            return
        warning = self._warning(value)
        if warning and self._warned != value:
            self._warned = value
            show_message(
                self.query_one("#text-message", Static),
                f"Warning: {warning}. Press enter again to use it anyway.",
                warning=True,
            )
            return
        self.dismiss(value)

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
