"""Modal dialogs for repository administration: confirm, create, edit, ask, view.

Each is a `ModalScreen` that hands its answer back through `dismiss`, so a
caller writes `self.app.push_screen(ConfirmScreen(...), callback)` or awaits
`push_screen_wait` in a worker. They are keyboard-first (every dialog says its
keys on its last line), fit an 80x24 terminal, and check input with the same
validators the core applies before calling AWS, so what a dialog accepts is
what the core will send.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, Switch, TextArea

from ecr_tui.core.admin.repositories import (
    ENCRYPTIONS,
    TAG_MUTABILITIES,
    Encryption,
    NewRepository,
    TagMutability,
    new_repository_problems,
    parse_resource_tags,
    split_list,
)

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


def _show_message(widget: Static, text: str | None) -> None:
    """Show `text` in an error line, or hide the line when there is nothing to say."""
    widget.update(text or "")
    widget.set_class(bool(text), "-shown")


class _SpaceCheckbox(Checkbox, inherit_bindings=False):
    """A checkbox that only space ticks, so enter stays free to confirm the dialog."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Toggle", show=False),
    ]


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
                yield _SpaceCheckbox(
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
        _show_message(self.query_one("#confirm-message", Static), None)

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
            _show_message(self.query_one("#confirm-message", Static), missing)
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Do nothing."""
        self.dismiss(False)


_MUTABILITY_LABELS: dict[TagMutability, str] = {
    "MUTABLE": "Mutable: tags can move",
    "IMMUTABLE": "Immutable: tags never move",
    "MUTABLE_WITH_EXCLUSION": "Mutable, except tags matching filters",
    "IMMUTABLE_WITH_EXCLUSION": "Immutable, except tags matching filters",
}
_ENCRYPTION_LABELS: dict[Encryption, str] = {
    "AES256": "AES-256 (managed by ECR)",
    "KMS": "AWS KMS key",
}
# Form fields in order: the NewRepository field each input fills, and its widget id.
_FIELD_INPUTS: dict[str, str] = {
    "name": "create-name",
    "exclusion_filters": "create-filters",
    "kms_key": "create-kms",
    "tags": "create-tags",
}


class CreateRepositoryScreen(ModalScreen[NewRepository | None]):
    """The create-repository form; the NewRepository to create, or None.

    Each text field is checked as it is typed (its message appears under it once
    it has been edited); ctrl+s, or enter in the last field, submits, and a form
    with problems shows them all instead of closing.
    """

    DEFAULT_CSS = dialog_css(
        "CreateRepositoryScreen",
        """
        CreateRepositoryScreen .row { height: auto; }
        CreateRepositoryScreen .row > Label { width: 16; color: $text-muted; }
        CreateRepositoryScreen .row > Input, CreateRepositoryScreen .row > Select {
            width: 1fr;
        }
        CreateRepositoryScreen .message { margin-left: 16; }
        CreateRepositoryScreen Switch { border: none; padding: 0; height: 1; }
        CreateRepositoryScreen Switch:focus { background: $accent 30%; }
        """,
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Create", id="create.submit"),
        Binding("escape", "cancel", "Cancel", id="create.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._touched: set[str] = set()

    def compose(self) -> ComposeResult:
        """One labelled row per setting, each text field with its message line."""
        with Vertical(classes="dialog") as box:
            box.border_title = "Create repository"
            with Horizontal(classes="row"):
                yield Label("Name")
                yield Input(placeholder="team/app", id="create-name", compact=True)
            yield Static(classes="message", id="create-name-message")
            with Horizontal(classes="row"):
                yield Label("Mutability")
                yield Select(
                    [(label, value) for value, label in _MUTABILITY_LABELS.items()],
                    value="MUTABLE",
                    allow_blank=False,
                    id="create-mutability",
                    compact=True,
                )
            with Horizontal(classes="row", id="create-filters-row"):
                yield Label("Except tags")
                yield Input(placeholder="latest, dev-*", id="create-filters", compact=True)
            yield Static(classes="message", id="create-filters-message")
            with Horizontal(classes="row"):
                yield Label("Scan on push")
                yield Switch(id="create-scan")
            with Horizontal(classes="row"):
                yield Label("Encryption")
                yield Select(
                    [(label, value) for value, label in _ENCRYPTION_LABELS.items()],
                    value="AES256",
                    allow_blank=False,
                    id="create-encryption",
                    compact=True,
                )
            with Horizontal(classes="row", id="create-kms-row"):
                yield Label("KMS key")
                yield Input(
                    placeholder="empty: the AWS managed key aws/ecr", id="create-kms", compact=True
                )
            yield Static(classes="message", id="create-kms-message")
            with Horizontal(classes="row"):
                yield Label("Resource tags")
                yield Input(placeholder="team=platform, env=prod", id="create-tags", compact=True)
            yield Static(classes="message", id="create-tags-message")
            with Horizontal(classes="buttons"):
                yield Button("Create", variant="primary", id="create-submit", compact=True)
                yield Button("Cancel", id="create-cancel", compact=True)
            yield Static(
                "enter next field · ctrl+s or enter on the last creates · esc cancels",
                classes="hint",
            )

    def on_mount(self) -> None:
        """Hide the rows that only some choices need; start at the name."""
        self._show_optional_rows()
        self.query_one("#create-name", Input).focus()

    # -- reading the form ---------------------------------------------------------

    def _mutability(self) -> TagMutability:
        value = self.query_one("#create-mutability", Select).value
        return next((m for m in TAG_MUTABILITIES if m == value), "MUTABLE")

    def _encryption(self) -> Encryption:
        value = self.query_one("#create-encryption", Select).value
        return next((e for e in ENCRYPTIONS if e == value), "AES256")

    def _text(self, field: str) -> str:
        return self.query_one(f"#{_FIELD_INPUTS[field]}", Input).value.strip()

    def _collect(self) -> tuple[NewRepository, dict[str, str]]:
        """The form as a NewRepository, and its problems by field."""
        mutability = self._mutability()
        encryption = self._encryption()
        tags: tuple[tuple[str, str], ...] = ()
        tags_problem: str | None = None
        try:
            tags = parse_resource_tags(self._text("tags"))
        except ValueError as error:
            tags_problem = str(error)
        # Hidden fields count as empty, so leftovers of another choice never block.
        with_exclusion = mutability.endswith("_WITH_EXCLUSION")
        spec = NewRepository(
            name=self._text("name"),
            tag_mutability=mutability,
            exclusion_filters=split_list(self._text("exclusion_filters")) if with_exclusion else (),
            scan_on_push=self.query_one("#create-scan", Switch).value,
            encryption=encryption,
            kms_key=(self._text("kms_key") or None) if encryption == "KMS" else None,
            tags=tags,
        )
        problems = new_repository_problems(spec)
        if tags_problem:
            problems["tags"] = tags_problem
        return spec, problems

    def _show_problems(self, problems: dict[str, str]) -> None:
        for field, input_id in _FIELD_INPUTS.items():
            problem = problems.get(field) if field in self._touched else None
            _show_message(self.query_one(f"#{input_id}-message", Static), problem)
            self.query_one(f"#{input_id}", Input).set_class(bool(problem), "-invalid")

    def _show_optional_rows(self) -> None:
        self.query_one("#create-filters-row").display = self._mutability().endswith(
            "_WITH_EXCLUSION"
        )
        self.query_one("#create-kms-row").display = self._encryption() == "KMS"
        self._show_problems(self._collect()[1])

    # -- events -------------------------------------------------------------------

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        field = next(f for f, input_id in _FIELD_INPUTS.items() if input_id == event.input.id)
        self._touched.add(field)
        self._show_problems(self._collect()[1])

    @on(Select.Changed)
    def _choice_changed(self) -> None:
        self._show_optional_rows()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "create-tags":
            self.action_submit()
        else:
            self.focus_next()

    @on(Button.Pressed, "#create-submit")
    def _create_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#create-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_submit(self) -> None:
        """Create, or show every problem and go to the first."""
        spec, problems = self._collect()
        if not problems:
            self.dismiss(spec)
            return
        self._touched.update(_FIELD_INPUTS)
        self._show_problems(problems)
        first = next(field for field in _FIELD_INPUTS if field in problems)
        self.query_one(f"#{_FIELD_INPUTS[first]}", Input).focus()

    def action_cancel(self) -> None:
        """Create nothing."""
        self.dismiss(None)


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
        _show_message(self.query_one("#policy-message", Static), None)

    def action_save(self) -> None:
        """Hand the text back if it is valid; else say what is wrong."""
        problem = self.validate(self.text)
        if problem:
            _show_message(self.query_one("#policy-message", Static), problem)
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
        _show_message(self.query_one("#text-message", Static), self._problem(event.value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self._problem(event.value)
        if problem:
            _show_message(self.query_one("#text-message", Static), problem)
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

    def __init__(self, title: str, text: str, language: str | None = "json") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.language = language

    def compose(self) -> ComposeResult:
        """The text and the keys."""
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield TextArea.code_editor(
                self.text,
                language=self.language,
                read_only=True,
                tab_behavior="focus",
                id="view-text",
            )
            yield Static("esc or q closes", classes="hint")

    def action_close(self) -> None:
        """Close the viewer."""
        self.dismiss(None)
