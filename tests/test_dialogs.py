"""The administration dialogs, driven by keys in an 80x24 terminal."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static, TextArea

from ecr_tui.core.admin.repositories import NewRepository
from ecr_tui.core.admin.repository_policy import repository_policy_problem
from ecr_tui.core.docker.local_docker import LocalImage
from ecr_tui.core.names import docker_tag_problem, image_tag_problem
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.create_repository import CreateRepositoryScreen
from ecr_tui.ui.dialogs.push import PushTarget, PushTargetScreen
from ecr_tui.ui.dialogs.text import PolicyEditorScreen, TextInputScreen, TextViewScreen
from ecr_tui.ui.dialogs.tick_box import TickBox

SIZE = (80, 24)


class Host(App[None]):
    """Shows one dialog and records what it dismisses with."""

    def __init__(self, dialog: ModalScreen[Any]) -> None:
        super().__init__()
        self.dialog = dialog
        self.results: list[Any] = []

    def on_mount(self) -> None:
        """Open the dialog at once."""
        self.push_screen(self.dialog, callback=self.results.append)


@asynccontextmanager
async def hosting(dialog: ModalScreen[Any]) -> AsyncIterator[tuple[Host, Pilot[None]]]:
    """Run a Host for `dialog` at 80x24, settled and ready for keys."""
    app = Host(dialog)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        yield app, pilot


def message(app: Host, selector: str) -> str:
    """The text of an error line, or "" when it is hidden."""
    line = app.screen.query_one(selector, Static)
    return str(line.render()) if line.has_class("-shown") else ""


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type `text` key by key, as a user would (short texts: each key costs a frame)."""
    await pilot.press(*("space" if c == " " else c for c in text))


async def paste(pilot: Pilot[None], text: str) -> None:
    """Paste `text` into the focused widget, as a terminal delivers a paste."""
    # The app forwards a paste to the focused widget, as it does the driver's.
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


def fits_the_terminal(app: Host) -> bool:
    """Every widget the dialog shows lies wholly inside the 80x24 screen."""
    screen = app.screen.region
    shown = [w for w in app.screen.query("*") if w.display and w.visible and w.is_on_screen]
    hidden = [w for w in app.screen.query("Button, .hint, .message.-shown") if w not in shown]
    return not hidden and all(screen.contains_region(widget.region) for widget in shown)


# -- ConfirmScreen ------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "result"), [("y", True), ("enter", True), ("n", False)])
async def test_confirm_keys(key: str, result: bool) -> None:
    async with hosting(ConfirmScreen("Delete image", "Delete v1 from team/app?")) as (app, pilot):
        assert fits_the_terminal(app)
        await pilot.press(key)
        await pilot.pause()
        assert app.results == [result]


async def test_confirm_escape_cancels() -> None:
    async with hosting(ConfirmScreen("Delete image", "Delete v1?")) as (app, pilot):
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [False]


async def test_typed_confirmation_gates_confirm() -> None:
    dialog = ConfirmScreen("Delete repository", "Delete team/app?", typed_confirmation="team/app")
    async with hosting(dialog) as (app, pilot):
        confirm = app.screen.query_one("#confirm-yes", Button)
        assert confirm.disabled
        await type_text(pilot, "team/ap")  # 'y' and 'n' go into the box, not to the dialog
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        assert "Type team/app exactly" in message(app, "#confirm-message")
        await pilot.press("p")
        await pilot.pause()
        assert not confirm.disabled
        assert message(app, "#confirm-message") == ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [True]


async def test_force_box_gates_confirm() -> None:
    dialog = ConfirmScreen("Delete repository", "Delete team/app?", require_force=3)
    async with hosting(dialog) as (app, pilot):
        assert "also delete 3 images" in str(app.screen.query_one("#confirm-force").render())
        await pilot.press("y")
        await pilot.pause()
        assert app.results == []
        assert "Tick force" in message(app, "#confirm-message")
        await pilot.press("space")  # the force box has the focus
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [True]


async def test_typed_name_and_force_together() -> None:
    dialog = ConfirmScreen(
        "Delete repository", "Delete ml/any?", typed_confirmation="ml/any", require_force=1
    )
    async with hosting(dialog) as (app, pilot):
        assert "also delete 1 image" in str(app.screen.query_one("#confirm-force").render())
        await type_text(pilot, "ml/any")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        assert "Tick force" in message(app, "#confirm-message")
        await pilot.press("tab", "space", "y")
        await pilot.pause()
        assert app.results == [True]
        assert fits_the_terminal(app)


async def test_no_force_box_for_an_empty_repository() -> None:
    async with hosting(ConfirmScreen("Delete", "Delete it?", require_force=0)) as (app, pilot):
        assert not app.screen.query("#confirm-force")
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [True]


# -- CreateRepositoryScreen ---------------------------------------------------------------


async def choose(pilot: Pilot[None], app: Host, select_id: str, value: str) -> None:
    """Pick a Select option with the keyboard: open it, move down to `value`, enter."""
    select: Select[str] = app.screen.query_one(select_id, Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    while select.value != value:
        await pilot.press("down", "enter")
        await pilot.pause()
        if select.value != value:
            await pilot.press("enter")


async def test_create_with_every_option() -> None:
    async with hosting(CreateRepositoryScreen()) as (app, pilot):
        screen = app.screen
        assert not screen.query_one("#create-filters-row").display
        assert not screen.query_one("#create-kms-row").display
        await type_text(pilot, "Team/App")
        assert message(app, "#create-name-message") == (
            "uppercase letters are not allowed: use 'team/app'"
        )
        screen.query_one("#create-name", Input).value = ""
        await paste(pilot, "team/app")
        await pilot.pause()
        assert message(app, "#create-name-message") == ""

        await choose(pilot, app, "#create-mutability", "IMMUTABLE_WITH_EXCLUSION")
        assert screen.query_one("#create-filters-row").display
        screen.query_one("#create-filters", Input).focus()
        await paste(pilot, "latest, dev *")
        assert "filter 'dev *'" in message(app, "#create-filters-message")
        await pilot.press("backspace", "backspace", "minus", "asterisk")

        screen.query_one("#create-scan", TickBox).focus()
        await pilot.press("space")
        await choose(pilot, app, "#create-encryption", "KMS")
        assert screen.query_one("#create-kms-row").display
        screen.query_one("#create-kms", Input).focus()
        await paste(pilot, "alias/team-key")

        screen.query_one("#create-tags", Input).focus()
        await paste(pilot, "team=platform, owner")
        assert "'owner' needs a value" in message(app, "#create-tags-message")
        await pilot.press("enter")  # the last field submits, but the form has a problem
        await pilot.pause()
        assert app.results == []
        assert fits_the_terminal(app)
        await type_text(pilot, "=ana")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [
            NewRepository(
                name="team/app",
                tag_mutability="IMMUTABLE_WITH_EXCLUSION",
                exclusion_filters=("latest", "dev-*"),
                scan_on_push=True,
                encryption="KMS",
                kms_key="alias/team-key",
                tags=(("team", "platform"), ("owner", "ana")),
            )
        ]


async def test_create_submit_shows_every_problem() -> None:
    async with hosting(CreateRepositoryScreen()) as (app, pilot):
        screen = app.screen
        assert message(app, "#create-name-message") == ""  # nothing shouted before typing
        screen.query_one("#create-mutability", Select).value = "MUTABLE_WITH_EXCLUSION"
        screen.query_one("#create-encryption", Select).value = "KMS"
        await pilot.pause()
        screen.query_one("#create-kms", Input).value = "my key"
        screen.query_one("#create-tags", Input).value = "aws:team=x"
        screen.query_one("#create-tags", Input).focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == []
        assert message(app, "#create-name-message") == "a repository name is required"
        assert "at least one tag filter" in message(app, "#create-filters-message")
        assert "expected a key ID" in message(app, "#create-kms-message")
        assert "reserved for AWS" in message(app, "#create-tags-message")
        assert app.focused is screen.query_one("#create-name", Input)
        assert fits_the_terminal(app)  # every optional row and message at once


async def test_create_enter_moves_to_the_next_field_and_defaults_apply() -> None:
    async with hosting(CreateRepositoryScreen()) as (app, pilot):
        await type_text(pilot, "plain")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        assert app.focused is not app.screen.query_one("#create-name", Input)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == [NewRepository("plain")]


async def test_hidden_fields_do_not_block() -> None:
    async with hosting(CreateRepositoryScreen()) as (app, pilot):
        await type_text(pilot, "team/app")
        app.screen.query_one("#create-filters", Input).value = "bad filter"
        app.screen.query_one("#create-kms", Input).value = "not a key"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == [NewRepository("team/app")]


async def test_create_escape_cancels() -> None:
    async with hosting(CreateRepositoryScreen()) as (app, pilot):
        await type_text(pilot, "team/app")
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


# -- PolicyEditorScreen -------------------------------------------------------------------

EMPTY_POLICY = '{\n  "Version": "2012-10-17",\n  "Statement": []\n}'
STATEMENT = {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}


def editor() -> PolicyEditorScreen:
    """An editor for an invalid (empty) repository policy."""
    return PolicyEditorScreen("Policy: team/app", EMPTY_POLICY, repository_policy_problem)


async def test_policy_editor_saves_only_valid_text() -> None:
    async with hosting(editor()) as (app, pilot):
        text_area = app.screen.query_one(TextArea)
        assert app.focused is text_area
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == []
        assert "'Statement' is empty" in message(app, "#policy-message")

        await pilot.press("down", "down", "end", "left")  # inside the brackets of []
        await paste(pilot, json.dumps(STATEMENT))
        assert message(app, "#policy-message") == ""  # an edit clears the old message
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(app.results) == 1
        assert json.loads(app.results[0])["Statement"] == [STATEMENT]


async def test_policy_editor_reports_json_errors_with_position() -> None:
    async with hosting(editor()) as (app, pilot):
        await pilot.press("down", "end", "backspace")  # drop the comma after the version
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert message(app, "#policy-message").startswith("not valid JSON at line 3, column 3")
        assert app.results == []


async def test_policy_editor_escape_without_changes_closes() -> None:
    async with hosting(editor()) as (app, pilot):
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_policy_editor_asks_before_discarding() -> None:
    async with hosting(editor()) as (app, pilot):
        await pilot.press("x")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PolicyEditorScreen)
        assert app.results == []
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [None]


# -- TextInputScreen and TextViewScreen ---------------------------------------------------


async def test_text_input_validates_before_accepting() -> None:
    dialog = TextInputScreen("Retag", "New tag:", validate=image_tag_problem)
    async with hosting(dialog) as (app, pilot):
        await type_text(pilot, "v 2")
        assert message(app, "#text-message") == "spaces are not allowed"
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        await pilot.press("left", "backspace", "end", "space")  # "v2 ": the space is trimmed
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == ["v2"]
        assert fits_the_terminal(app)


async def test_a_tag_docker_cannot_use_is_warned_about_then_taken() -> None:
    dialog = TextInputScreen(
        "Retag", "New tag:", validate=image_tag_problem, warn=docker_tag_problem
    )
    long_tag = "v" * 129
    async with hosting(dialog) as (app, pilot):
        await paste(pilot, long_tag)
        warning = (
            "Warning: 129 characters: ECR takes up to 300, but docker (and podman) refuse "
            "tags over 128, so it cannot be pushed or pulled by this tag."
        )
        assert message(app, "#text-message") == warning
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [], "the first enter only warns"
        assert message(app, "#text-message").endswith("Press enter again to use it anyway.")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [long_tag]


async def test_a_128_character_tag_is_taken_at_once() -> None:
    dialog = TextInputScreen(
        "Retag", "New tag:", validate=image_tag_problem, warn=docker_tag_problem
    )
    async with hosting(dialog) as (app, pilot):
        await paste(pilot, "v" * 128)
        assert message(app, "#text-message") == ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == ["v" * 128]


async def test_push_refuses_a_tag_docker_cannot_push() -> None:
    source = LocalImage("app", "v1", "0123456789ab", 1000, None)
    async with hosting(PushTargetScreen(source, "team/app", ["team/app"])) as (app, pilot):
        field = app.screen.query_one("#push-tag", Input)
        field.value = "v" * 129
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == []
        assert "docker (and podman) refuse tags over 128" in message(app, "#push-tag-message")
        field.value = "v" * 128
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [PushTarget("team/app", "v" * 128)]


async def test_text_input_initial_value_and_escape() -> None:
    async with hosting(TextInputScreen("Go to", "Image URI:", initial="team/app:v1")) as (
        app,
        pilot,
    ):
        assert app.screen.query_one(Input).value == "team/app:v1"
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_text_input_without_validator_accepts_anything() -> None:
    async with hosting(TextInputScreen("Go to", "Image URI:")) as (app, pilot):
        await paste(pilot, "anything at all")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == ["anything at all"]


@pytest.mark.parametrize("key", ["escape", "q"])
async def test_text_view_is_read_only_and_closes(key: str) -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [STATEMENT]}, indent=2)
    async with hosting(TextViewScreen("IAM policy", text)) as (app, pilot):
        text_area = app.screen.query_one(TextArea)
        assert text_area.read_only and text_area.text == text
        await pilot.press("x")
        assert text_area.text == text
        await pilot.press(key)
        await pilot.pause()
        assert app.results == [None]
