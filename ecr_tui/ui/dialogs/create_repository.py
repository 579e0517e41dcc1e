"""The create-repository form: name, tag mutability, scanning, encryption, resource tags."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

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
from ecr_tui.ui.dialogs.shared import dialog_css, show_message
from ecr_tui.ui.dialogs.tick_box import TickBox

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
        """,
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Create", id="create.submit"),
        Binding("escape", "cancel", "Cancel", id="create.cancel"),
        # Where the focused field does not take enter itself (the scan box): next field.
        Binding("enter", "app.focus_next", "Next field", show=False, id="create.next"),
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
                yield TickBox("scan each image as it is pushed", id="create-scan", compact=True)
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
            scan_on_push=self.query_one("#create-scan", TickBox).value,
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
            show_message(self.query_one(f"#{input_id}-message", Static), problem)
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
