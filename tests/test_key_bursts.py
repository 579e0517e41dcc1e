"""Keys sent in one burst land where they would land typed slowly.

Over SSH (or in a paste, or from `tmux send-keys`) the keys after the one that
opens a dialog arrive in the same read. Each test here posts every key of a
burst at once, without waiting between them, as the driver does for one read,
and checks that they reached the dialog, the pane or the row they would have
reached one by one: typed into the dialog's field, not lost or sent to the pane
behind it; acting on the row that was highlighted when they were pressed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual import events
from textual.command import CommandPalette
from textual.keys import _character_to_key
from textual.screen import Screen
from textual.widgets import Input, TextArea

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.core.models import ScanState
from ecr_tui.demo.data.dataset import build_dataset
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.create_repository import CreateRepositoryScreen
from ecr_tui.ui.dialogs.push import PushTargetScreen
from ecr_tui.ui.dialogs.text import PolicyEditorScreen, TextInputScreen, TextViewScreen
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.screens import FindingScreen, HelpScreen
from tests.conftest import plain_ecr_client
from tests.docker_stack import EcrDockerStack
from tests.test_app import open_repository, repositories_loaded
from tests.test_app_docker import (  # the Docker stack's fixtures, and how the app reaches it
    LOCKED,
    WEB,
    docker_checked,
    docker_env,  # noqa: F401
    offline_image,
    settings_for,
    stack,  # noqa: F401
)

# What a burst is given as: a key's name ("ctrl+g", "escape"), or text to type.
Keys = list[events.Key]


def press(*names: str) -> Keys:
    """Keys by name, as the driver reports keys that are not text."""
    return [events.Key(name, None) for name in names]


def typed(text: str) -> Keys:
    """One key per character, as the driver reports typed text."""
    return [events.Key(_character_to_key(char), char) for char in text]


def send_burst(app: EcrApp, *parts: Keys) -> None:
    """Queue every key at once, as the driver does for what one read brought.

    `pilot.press` waits for the app to go idle after each key, which is typing
    at human pace: it cannot show what happens to keys queued behind another.
    """
    for part in parts:
        for key in part:
            app.post_message(key)


async def until(pilot: Any, condition: Callable[[], bool], what: str, timeout: float = 5) -> None:
    """Wait for `condition`; fail with `what` was expected when it never holds."""
    try:
        await wait_until(pilot, condition, timeout=timeout)
    except TimeoutError:
        pytest.fail(f"expected {what}", pytrace=False)


async def settled(pilot: Any) -> None:
    """Give keys that might still be on their way the time to arrive."""
    for _ in range(5):
        await pilot.pause(0.05)


def on_screen(app: EcrApp, kind: type[Screen[Any]]) -> bool:
    return isinstance(app.screen, kind)


def screen_input(app: EcrApp, selector: str = "Input") -> Input:
    return app.screen.query_one(selector, Input)


def editor_text(app: EcrApp) -> str | None:
    """The text in the policy editor in front, once it is mounted."""
    if not isinstance(app.screen, PolicyEditorScreen):
        return None
    editors = app.screen.query(TextArea)
    return editors.first().text if editors else None


def typed_into(app: EcrApp, kind: type[Screen[Any]], selector: str = "Input") -> str | None:
    """The text in the field of the screen in front if it is a `kind`, once it is mounted."""
    if not isinstance(app.screen, kind):
        return None
    fields = app.screen.query(selector)
    return fields.first(Input).value if fields else None


@pytest.fixture(scope="module")
def own_endpoint() -> Iterator[LocalEcr]:
    """An endpoint of its own for the tests that change what they browse."""
    server = LocalEcr(account_id="777788889999")
    server.start()
    server.seed(build_dataset(repositories=8, big_repository_images=0))
    yield server
    server.stop()


@pytest.fixture()
def own_settings(own_endpoint: LocalEcr) -> ConnectionSettings:
    return ConnectionSettings(endpoint_url=own_endpoint.url, region="us-east-1", demo=True)


# -- dialogs opened from the repositories pane ---------------------------------------


async def test_text_after_n_is_the_new_repository_name(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)

        # A slash in the name is text in the dialog, not the pane's filter key.
        send_burst(app, press("n"), typed("ab/cd"))
        await until(
            pilot,
            lambda: typed_into(app, CreateRepositoryScreen, "#create-name") == "ab/cd",
            "ab/cd typed into the repository name",
        )
        await settled(pilot)
        assert screen_input(app, "#create-name").value == "ab/cd"
        assert not repositories.filter_box.display
        assert repositories.filter_box.value == ""


async def test_text_after_ctrl_g_is_the_uri_then_escape_and_j_reach_the_pane(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        send_burst(app, press("ctrl+g"), typed("data/airflow:latest"))
        await until(
            pilot,
            lambda: typed_into(app, TextInputScreen) == "data/airflow:latest",
            "the URI typed into the go-to dialog",
        )
        await app.pop_screen()
        await settled(pilot)

        # The j typed in the dialog is text; escape closes it; the next j moves the cursor.
        before = repositories.table.cursor_row
        send_burst(app, press("ctrl+g"), typed("j"), press("escape"), typed("j"))
        await until(
            pilot,
            lambda: (
                not on_screen(app, TextInputScreen) and repositories.table.cursor_row == before + 1
            ),
            "the dialog closed and the cursor one row down",
        )
        await settled(pilot)
        assert repositories.table.cursor_row == before + 1
        assert app.focused is repositories.table


async def test_escape_closes_help_and_iam_before_the_next_key(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        for opener, screen in (("question_mark", HelpScreen), ("i", TextViewScreen)):
            before = repositories.table.cursor_row
            # The first j is pressed on the screen the opener shows: it must not move the
            # cursor of the pane underneath. The second comes after escape: it must.
            send_burst(app, press(opener), typed("j"), press("escape"), typed("j"))
            await until(
                pilot,
                lambda screen=screen, before=before: (
                    not on_screen(app, screen)  # type: ignore[misc]
                    and repositories.table.cursor_row == before + 1
                ),
                f"{screen.__name__} closed and the cursor one row down",
            )
            await settled(pilot)
            assert repositories.table.cursor_row == before + 1, screen.__name__
            assert app.focused is repositories.table


async def test_text_after_d_is_the_typed_confirmation(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        chosen = repositories.table.current_row
        assert chosen is not None
        # D counts the repository's images before it asks: the keys wait for the dialog.
        send_burst(app, press("D"), typed(chosen.name))
        await until(
            pilot,
            lambda: typed_into(app, ConfirmScreen, "#confirm-typed") == chosen.name,
            f"{chosen.name} typed into the confirmation",
        )
        assert repositories.table.current_row is chosen
        assert not repositories.filter_box.display


async def test_policy_editors_get_the_keys_typed_after_e_and_E(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        chosen = repositories.table.current_row
        for opener in ("e", "E"):
            # Typed into the editor, then escape asks before dropping the edit.
            send_burst(app, press(opener), typed("x"), press("escape"))
            await until(
                pilot,
                lambda: (
                    on_screen(app, ConfirmScreen)
                    and isinstance(app.screen_stack[-2], PolicyEditorScreen)
                ),
                f"{opener}: the edited policy, and the question whether to drop the edit",
            )
            editor = app.screen_stack[-2]
            assert editor.query_one(TextArea).text.startswith("x")
            send_burst(app, typed("y"), typed("j"))
            await until(
                pilot,
                lambda: len(app.screen_stack) == 1 and repositories.table.cursor_row == 1,
                f"{opener}: the editor closed and the cursor one row down",
            )
            assert repositories.table.current_row is not chosen
            await pilot.press("k")


async def test_command_palette_gets_the_text_after_ctrl_p(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        send_burst(app, press("ctrl+p"), typed("refresh"))
        await until(
            pilot,
            lambda: typed_into(app, CommandPalette) == "refresh",
            "refresh typed into the command palette",
        )


async def test_confirmation_is_about_the_row_highlighted_when_the_key_was_pressed(
    own_settings: ConnectionSettings, own_endpoint: LocalEcr
) -> None:
    ecr = plain_ecr_client(own_endpoint)

    def mutability(name: str) -> str:
        found = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
        return str(found["imageTagMutability"])

    app = EcrApp(own_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        first, second = repositories.table.rows[:2]
        was = {repo.name: mutability(repo.name) for repo in (first, second)}
        # M asks about the highlighted repository; j lands in the question, y answers it.
        send_burst(app, press("M"), typed("j"), typed("y"))
        await until(
            pilot,
            lambda: mutability(first.name) != was[first.name],
            f"the mutability of {first.name} switched",
        )
        await settled(pilot)
        assert mutability(second.name) == was[second.name]
        assert len(app.screen_stack) == 1


# -- the images and findings panes ---------------------------------------------------


async def test_enter_enter_y_after_a_filter_copies_the_newest_image(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        images = app.query_one(ImagesPane)
        # Filter, keep the filter, open the repository, copy the pull command of its
        # newest image (the first row): all in one burst.
        send_burst(app, typed("/nginx-base"), press("enter", "enter"), typed("y"))
        await until(
            pilot,
            lambda: app.clipboard.startswith("docker pull "),
            "a pull command copied",
        )
        assert images.repository is not None
        assert images.repository.name == "platform/nginx-base"
        newest = images.table.rows[0]
        assert app.clipboard == f"docker pull {images.repository.uri}:{newest.tags[0]}"
        assert repositories.filter_box.value == "nginx-base"
        assert not any("Choose an image first" in n.message for n in app._notifications)


async def test_text_after_t_is_the_new_tag(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "platform/nginx-base")
        send_burst(app, press("t"), typed("v9.9-rc/x"))
        await until(
            pilot,
            lambda: typed_into(app, TextInputScreen) == "v9.9-rc/x",
            "the tag typed into the retag dialog",
        )
        assert app.focused is screen_input(app)
        assert not images.filter_box.display


async def test_marked_keys_delete_the_image_highlighted_when_d_was_pressed(
    own_settings: ConnectionSettings, own_endpoint: LocalEcr
) -> None:
    ecr = plain_ecr_client(own_endpoint)
    app = EcrApp(own_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "web/storefront")
        doomed, spared = images.table.rows[:2]

        def left() -> set[str]:
            found = ecr.describe_images(repositoryName="web/storefront", maxResults=1000)
            return {d["imageDigest"] for d in found["imageDetails"]}

        # d asks about the highlighted image; j lands in the question, y answers it.
        send_burst(app, typed("d"), typed("j"), typed("y"))
        await until(pilot, lambda: doomed.digest not in left(), "the highlighted image deleted")
        await settled(pilot)
        assert spared.digest in left()


async def test_escape_closes_finding_details_before_the_next_key(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "platform/nginx-base")
        findings = app.query_one(FindingsPane)
        target = next(
            i
            for i in images.table.rows
            if i.scan_state is ScanState.COMPLETE and i.severity_counts.total > 2
        )
        images.table.move_to(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: findings.report is not None and not findings.is_loading)
        assert app.focused is findings.table and findings.table.cursor_row == 0

        # enter opens the details; j there does not move the findings; escape closes.
        send_burst(app, press("enter"), typed("j"), press("escape"), typed("j"))
        await until(
            pilot,
            lambda: not on_screen(app, FindingScreen) and findings.table.cursor_row == 1,
            "the details closed and the cursor on the second finding",
        )
        await settled(pilot)
        assert findings.table.cursor_row == 1
        assert app.focused is findings.table


async def test_repositories_pane_keys_wait_for_the_dialog_opened(
    ecr_settings: ConnectionSettings,
) -> None:
    """Keys reach the dialog even when opening it first asks ECR (e reads the policy)."""
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        chosen = repositories.table.current_row
        send_burst(app, press("e"), typed("jj"))
        await until(
            pilot,
            lambda: (editor_text(app) or "").startswith("jj"),
            "jj typed into the policy editor",
        )
        assert repositories.table.current_row is chosen
        original = app.screen.query_one(TextArea).text.removeprefix("jj")
        assert json.loads(original)  # the template or the policy, with jj before it


# -- pushing (a real dockerd, registry and endpoint: see test_app_docker) --------------


@pytest.mark.docker
@pytest.mark.usefixtures("docker_env")
async def test_push_dialogs_get_the_keys_typed_after_p(stack: EcrDockerStack) -> None:  # noqa: F811
    source = offline_image(stack)
    unique = source.removeprefix("local/").removesuffix(":1.0")
    app = EcrApp(settings_for(stack))
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, WEB)
        await docker_checked(app, pilot)

        # P, then / and the image's name before Docker has listed its images; enter
        # keeps the filter, enter picks the one image left.
        send_burst(app, typed("P/"), typed(unique), press("enter", "enter"))
        await until(
            pilot,
            lambda: typed_into(app, PushTargetScreen, "#push-tag") == "1.0",
            "the push target dialog for the image typed",
        )
        target = app.screen
        assert isinstance(target, PushTargetScreen) and target.source.reference == source
        assert images.filter_box.value == ""

        # The tag has the focus: back to the repository, clear it, type another.
        send_burst(app, press("shift+tab", "ctrl+u"), typed(LOCKED))
        await until(
            pilot,
            lambda: typed_into(app, PushTargetScreen, "#push-repository") == LOCKED,
            f"{LOCKED} typed into the repository",
        )
        assert typed_into(app, PushTargetScreen, "#push-tag") == "1.0"
        await pilot.press("escape")
