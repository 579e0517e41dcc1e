"""The command bar against the demo endpoint: keys in one burst, as a paste or a slow link."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.state import StateStore
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.command_bar import CommandBarScreen
from ecr_tui.ui.fleet.affected import AffectedScreen
from ecr_tui.ui.screens import HelpScreen
from tests.test_app import open_repository, panes, repositories_loaded
from tests.test_key_bursts import (
    on_screen,
    press,
    send_burst,
    settled,
    typed,
    typed_into,
    until,
)


def bar(app: EcrApp) -> CommandBarScreen:
    """The command bar in front."""
    assert isinstance(app.screen, CommandBarScreen), app.screen
    return app.screen


def bar_says(app: EcrApp) -> str:
    """The line above the command (candidates, or what is wrong); "" while the bar is not
    in front."""
    if not (isinstance(app.screen, CommandBarScreen) and app.screen.query("#command-input")):
        return ""
    return str(app.screen.query_one("#command-candidates").render())


def bar_value(app: EcrApp) -> str | None:
    """What is typed in the bar; None while it is not in front."""
    if not isinstance(app.screen, CommandBarScreen):
        return None
    fields = app.screen.query("#command-input")  # (none until the bar is composed)
    return app.screen.value if fields else None


async def test_repo_jumps_to_the_best_match_and_opens_its_images(
    ecr_settings: ConnectionSettings, tmp_path: Path
) -> None:
    state = StateStore(tmp_path / "state.json")
    app = EcrApp(ecr_settings, state=state)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, images, _ = panes(app)
        await repositories_loaded(app, pilot)
        send_burst(app, typed(":repo nginx-bas"), press("enter"), typed("j"))
        await until(
            pilot,
            lambda: images.repository is not None and not images.is_loading,
            "the images of the repository asked for",
        )
        await settled(pilot)
        assert images.repository is not None
        assert images.repository.name == "platform/nginx-base"
        assert repositories.table.current_row.name == "platform/nginx-base"
        assert app.focused is images.table
        # The j typed after enter moved in the images, as it would typed slowly.
        assert images.table.cursor_row == 1
        assert state.command_history() == ["repo nginx-bas"]
        assert StateStore(tmp_path / "state.json").command_history() == ["repo nginx-bas"]


async def test_unknown_commands_and_names_say_the_closest_and_change_nothing(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, images, _ = panes(app)
        await repositories_loaded(app, pilot)
        before = repositories.table.current_row
        send_burst(app, typed(":rgeion us-east-1"), press("enter"))
        await until(pilot, lambda: "did you mean" in bar_says(app), "the closest command")
        assert bar_says(app) == "unknown command :rgeion; did you mean :region?"
        assert bar(app).value == "rgeion us-east-1"  # left to be fixed

        send_burst(app, press("ctrl+u"), typed("repo zzzqqq"), press("enter"))
        await until(pilot, lambda: "no repository" in bar_says(app), "no such repository")
        send_burst(app, press("ctrl+u"), typed("region eu-wset-1"), press("enter"))
        await until(pilot, lambda: "no region" in bar_says(app), "no such region")
        assert bar_says(app) == "no region eu-wset-1; did you mean eu-west-1?"
        send_burst(app, press("ctrl+u"), typed("region eu-w"), press("enter"))
        await until(pilot, lambda: "no region eu-w;" in bar_says(app), "a prefix of several")
        assert bar_says(app) == "no region eu-w; eu-west-1, eu-west-2 or eu-west-3?"
        assert app.contexts.generation == 0  # nothing switched
        first = repositories.table.rows[0].name
        await until(pilot, lambda: images.repository is not None and not images.is_loading, "")
        send_burst(app, press("ctrl+u"), typed("image no-such-tag"), press("enter"))
        await until(pilot, lambda: "no image" in bar_says(app), "no such image")
        assert bar_says(app) == f"no image tagged no-such-tag in {first}"
        send_burst(app, press("ctrl+u"), typed("image 671d9"), press("enter"))
        await until(pilot, lambda: "671d9" in bar_says(app), "a short hex")
        assert bar_says(app) == (
            f"no image tagged 671d9 (a digest prefix needs 6 or more hex digits) in {first}"
        )
        for typed_image, said in (("sha256:", "an empty digest"), ("ünï", "not a valid tag: ünï")):
            send_burst(app, press("ctrl+u"), typed(f"image {typed_image}"), press("enter"))
            await until(pilot, lambda said=said: bar_says(app).startswith(said), said)

        send_burst(app, press("escape"), typed("j"))
        await until(pilot, lambda: not on_screen(app, CommandBarScreen), "the bar closed")
        await settled(pilot)
        assert repositories.table.current_row is not before  # j reached the pane
        assert repositories.table.cursor_row == 1


async def test_tab_completes_then_cycles_and_lists_the_candidates(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        send_burst(app, typed(":rep"), press("tab"), typed("platform/ngi"), press("tab"))
        await until(
            pilot,
            lambda: bar_value(app) == "repo platform/nginx-base",
            "the repository completed",
        )
        send_burst(app, press("ctrl+u"), typed("re"), press("tab"))
        await until(pilot, lambda: bar_value(app) == "repo ", "the first of repo and region")
        assert "repo" in bar_says(app) and "region" in bar_says(app)
        send_burst(app, press("tab"))
        await until(pilot, lambda: bar_value(app) == "region ", "the next candidate")
        send_burst(app, press("shift+tab"))
        await until(pilot, lambda: bar_value(app) == "repo ", "back to the first")
        send_burst(app, typed("platform/"))
        await until(pilot, lambda: "platform/build-cache" in bar_says(app), "the candidates")
        assert "data/airflow" not in bar_says(app)
        # Tabs in one burst cycle as far as they would pressed one by one.
        third = sorted(repo.name for repo in repositories.table.all_rows)[2]
        send_burst(app, press("ctrl+u"), typed("repo "), press("tab", "tab", "tab"))
        await until(pilot, lambda: bar_value(app) == f"repo {third}", "the third repository")


async def test_image_goes_to_a_tag_or_digest_of_the_open_repository(
    ecr_settings: ConnectionSettings,
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "platform/nginx-base")
        oldest = images.table.rows[-1]
        tagged = next(image for image in reversed(images.table.rows) if image.tags)
        send_burst(app, typed(f":image {tagged.tags[0]}"), press("enter"))
        await until(pilot, lambda: images.table.current_row is tagged, "the tagged image")
        digest = oldest.digest.removeprefix("sha256:")[:10]
        send_burst(app, typed(f":image {digest}"), press("enter"))
        await until(pilot, lambda: images.table.current_row is oldest, "the image by digest")
        typo = tagged.tags[0][:-1] + "Z"
        send_burst(app, typed(f":image {typo}"), press("enter"))
        await until(pilot, lambda: "did you mean" in bar_says(app), "the closest tag")
        assert bar_says(app).startswith(f"no image tagged {typo}; did you mean ")
        assert images.table.current_row is oldest


async def test_history_help_and_quit(ecr_settings: ConnectionSettings, tmp_path: Path) -> None:
    state = StateStore(tmp_path / "state.json")
    state.add_command("repo data/airflow")  # from an earlier run
    app = EcrApp(ecr_settings, state=state)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, _ = panes(app)
        await repositories_loaded(app, pilot)
        send_burst(app, typed(":help"), press("enter"))
        await until(pilot, lambda: on_screen(app, HelpScreen), "the help")
        assert isinstance(app.screen, HelpScreen)
        assert (":", "Command") in app.screen.key_rows()
        assert (":quit, :q", "quit ecr-tui") in app.screen.commands
        send_burst(app, press("escape"), typed(":"), press("up"))
        await until(
            pilot,
            lambda: bar_value(app) == "help",
            "the last command",
        )
        send_burst(app, press("up"))
        await until(pilot, lambda: bar_value(app) == "repo data/airflow", "the one before")
        send_burst(app, press("down", "down"))
        await until(pilot, lambda: bar_value(app) == "", "back to what was typed")
        send_burst(app, press("up", "up", "enter"))
        await until(
            pilot,
            lambda: images.repository is not None and images.repository.name == "data/airflow",
            "the command from the history run again",
        )
        assert state.command_history() == ["help", "repo data/airflow"]
        send_burst(app, typed(":q"), press("enter"))
        await until(pilot, lambda: not app.is_running, "the app quit")


async def test_every_command_is_in_the_palette(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        # :repo, :image, :profile, :region open the bar; :uri, :help and :q have their own.
        expected = {"Open repository", "Go to image", "Switch profile", "Switch region"}
        assert expected | {"Command bar", "Go to URI", "Keys", "Quit"} <= titles
        send_burst(app, press("ctrl+p"), typed("Switch region"))
        await until(
            pilot,
            lambda: typed_into(app, CommandPalette) == "Switch region",
            "the palette's search",
        )
        await settled(pilot)
        send_burst(app, press("enter"))
        await until(pilot, lambda: bar_value(app) == "region ", "the bar, with :region typed")
        send_burst(app, press("enter"))
        await until(pilot, lambda: "which region" in bar_says(app), "what is missing")


async def test_cve_lands_on_one_vulnerability_and_refuses_what_is_not_an_id(
    ecr_settings: ConnectionSettings,
) -> None:
    cve = "CVE-2023-38545"  # curl's SOCKS5 overflow: in most of the demo's repositories
    app = EcrApp(ecr_settings)
    app.fleet_scope = Scope(tagged_only=True, newest_per_repository=2)  # a quick read
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        send_burst(app, typed(":cve 38545"), press("enter"))
        await until(pilot, lambda: "not a vulnerability id" in bar_says(app), "the refusal")
        assert bar_says(app).startswith("not a vulnerability id: 38545; one such as CVE-2023-")
        assert len(app.screen_stack) == 2  # the bar, in front of the panes: nothing opened
        send_burst(app, press("ctrl+u"), typed("cve CVE-1"), press("enter"))
        await until(pilot, lambda: "not a CVE id" in bar_says(app), "the malformed CVE id")
        assert bar_says(app) == "not a CVE id: CVE-1; the form is CVE-YYYY-NNNN (4 or more digits)"
        assert len(app.screen_stack) == 2  # nothing opened

        send_burst(app, press("ctrl+u"), typed(f"cve {cve.lower()}"), press("enter"))
        await until(pilot, lambda: isinstance(app.screen, AffectedScreen), "the affected images")
        affected = app.screen
        assert isinstance(affected, AffectedScreen)
        await until(
            pilot,
            lambda: bool(affected.session.progress.finished and affected.table.rows),
            "every image read",
            timeout=60,
        )
        assert {row.finding.name for row in affected.table.rows} == {cve}
        # After the account and region the list is about.
        assert f" │ Images with {cve}" in str(affected.query_one("#affected-title").render())
