"""Each context shows its own data: favourites, places, focus (the demo's two accounts)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.demo.contexts import PROD_ACCOUNT_ID
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.demo.launcher import DEFAULT_ACCOUNT_ID, DemoLaunch, spawn_demo_endpoint
from ecr_tui.state import StateStore
from ecr_tui.ui.app import EcrApp
from tests.fault_proxy import FaultProxy
from tests.test_app import panes, repositories_loaded, status_text
from tests.test_key_bursts import send_burst, settled, typed, until


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoLaunch]:
    launch = spawn_demo_endpoint(repositories=6, big_images=50, registry=False, extra_contexts=True)
    launch.wait_ready()
    yield launch
    launch.close()


@pytest.fixture()
def demo_app(demo: DemoLaunch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[EcrApp]:
    """The app on the demo's dev profile, as `ecr-tui --demo` starts it, its state in tmp."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(demo.aws_config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(demo.aws_credentials_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("ECR_TUI_CONFIG", raising=False)
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = ConnectionSettings(profile="dev", region="us-east-1", demo=True)
    settings = settings.at_demo_endpoint(demo.wait_ready().url)  # (STS and IAM there too)
    yield EcrApp(settings, state=StateStore(tmp_path / "state.json"))


def listed_account(app: EcrApp) -> set[str]:
    return {repository.registry_id for repository in panes(app)[0].table.rows}


async def in_account(app: EcrApp, pilot: Any, account: str) -> None:
    await until(pilot, lambda: listed_account(app) == {account}, f"{account}'s rows", timeout=30)
    await settled(pilot)


async def test_each_profile_shows_its_own_favourites_and_favourites_only(
    demo_app: EcrApp, tmp_path: Path
) -> None:
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, _, _ = panes(app)
        await in_account(app, pilot, DEFAULT_ACCOUNT_ID)
        send_burst(app, typed("G*F"))
        await until(pilot, lambda: len(repositories.table.rows) == 1, "dev's favourite alone")
        (dev_favourite,) = repositories.favourites
        assert "1 repository · favourites" in str(repositories.border_subtitle)

        app.switch_context(profile="prod")
        await in_account(app, pilot, PROD_ACCOUNT_ID)
        # prod has no favourites yet: none marked, every repository shown.
        assert repositories.favourites == frozenset()
        assert not repositories.favourites_only
        assert "favourites" not in str(repositories.border_subtitle)
        prod_names = {repository.name for repository in repositories.table.rows}
        assert len(prod_names) > 1
        send_burst(app, typed("j*"))
        await until(pilot, lambda: len(repositories.favourites) == 1, "prod's favourite")
        (prod_favourite,) = repositories.favourites
        assert prod_favourite in prod_names
        saved = StateStore(tmp_path / "state.json")
        assert saved.favourites("dev") == {dev_favourite}
        assert saved.favourites("prod") == {prod_favourite}

        app.switch_context(profile="dev")
        await in_account(app, pilot, DEFAULT_ACCOUNT_ID)
        # dev's own favourite, and its favourites-only view, as they were left.
        await until(pilot, lambda: repositories.favourites == {dev_favourite}, "dev's favourite")
        assert repositories.favourites_only
        assert [repository.name for repository in repositories.table.rows] == [dev_favourite]


@pytest.fixture()
def proxy(local_ecr: LocalEcr) -> Iterator[FaultProxy]:
    proxy = FaultProxy(local_ecr.url).start()
    yield proxy
    proxy.stop()


async def open_half_listed(app: EcrApp, pilot: Any, name: str) -> None:
    """Open repository `name`: its first page of images shown, the next still coming."""
    await repositories_loaded(app, pilot)
    await pilot.press("slash", *name, "enter", "enter")
    images = panes(app)[1]
    await until(pilot, lambda: bool(images.table.rows), f"{name}'s first page")


async def test_a_place_left_mid_load_keeps_no_image_the_user_never_chose(
    proxy: FaultProxy,
) -> None:
    # build-cache's first page of images comes; the second hangs: the listing is half there.
    big = "platform/build-cache"
    proxy.inject("hang", "DescribeImages", repository=big, skip=1, times=1)
    settings = ConnectionSettings(
        endpoint_url=proxy.url, region="us-east-1", demo=True, sts_endpoint_url=proxy.url
    )
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, _ = panes(app)
        await open_half_listed(app, pilot, big)
        await until(pilot, lambda: len(proxy.requests("DescribeImages", big)) >= 2, "page two")
        assert images.is_loading and images.table.rows
        first_arrived = images.table.current_row

        app.switch_context(region="eu-west-1")
        await until(pilot, lambda: app.contexts.generation == 1, "the switch")
        proxy.clear()
        app.switch_context(region="us-east-1")
        await until(
            pilot,
            lambda: (
                images.repository is not None
                and images.repository.name == big
                and not images.is_loading
                and len(images.table.rows) > 1000
            ),
            "build-cache listed whole",
            timeout=30,
        )
        await settled(pilot)
        # The images' default: the newest first, not the row that happened to come first.
        newest = images.table.rows[0]
        assert images.table.current_row == newest and images.table.cursor_row == 0
        assert newest != first_arrived


async def test_a_place_keeps_the_image_the_user_moved_to_mid_load(proxy: FaultProxy) -> None:
    big = "platform/build-cache"
    proxy.inject("hang", "DescribeImages", repository=big, skip=1, times=1)
    settings = ConnectionSettings(
        endpoint_url=proxy.url, region="us-east-1", demo=True, sts_endpoint_url=proxy.url
    )
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, _ = panes(app)
        await open_half_listed(app, pilot, big)
        await until(pilot, lambda: len(proxy.requests("DescribeImages", big)) >= 2, "page two")
        images.table.focus()
        await pilot.press("down", "down")
        chosen = images.table.current_row
        assert images.is_loading

        app.switch_context(region="eu-west-1")
        await until(pilot, lambda: app.contexts.generation == 1, "the switch")
        proxy.clear()
        app.switch_context(region="us-east-1")
        await until(
            pilot,
            lambda: (
                images.table.current_row is not None
                and images.table.current_row.digest == chosen.digest
            ),
            "the image the user chose",
            timeout=30,
        )


async def test_the_breadcrumb_shows_at_120_columns_and_never_the_place_left(
    demo_app: EcrApp,
) -> None:
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, _ = panes(app)
        await in_account(app, pilot, DEFAULT_ACCOUNT_ID)
        await until(pilot, lambda: images.repository is not None, "the first repository open")
        name = images.repository.name
        # The demo's endpoint in full (and the app's name) give way to the repository.
        await until(pilot, lambda: f"  {name}" in status_text(app), "the repository shown")

        app.switch_context(profile="prod")
        # While connecting to prod (its role assumed first): no place of dev's is shown.
        seen: list[str] = []
        while listed_account(app) != {PROD_ACCOUNT_ID}:
            seen.append(status_text(app))
            await pilot.pause(0.01)
            assert len(seen) < 3000, "prod's repositories never came"
        connecting = [line for line in seen if "connecting to prod" in line]
        assert connecting, "the status line said it was connecting"
        assert not [line for line in connecting if name in line]


def key_bar(app: EcrApp) -> str:
    from ecr_tui.ui.key_bar import KeyBar

    return str(app.screen_stack[0].query_one(KeyBar).render())


async def test_an_account_told_as_the_app_closes_changes_nothing(demo_app: EcrApp) -> None:
    """A context's account (or Docker's state) that arrives once the status line is
    gone, as the app closes, has nothing to update: no error (CI once saw one)."""
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        await in_account(app, pilot, DEFAULT_ACCOUNT_ID)
        status = app.status_bar()
        assert status is not None
        await status.remove()
        assert app.status_bar() is None
        app.refresh_status()  # AccountKnown's handler, after the line is gone
        app.docker._refresh_login()
        await pilot.pause()


async def test_a_read_only_profile_says_which_line_and_what_to_do(
    demo_app: EcrApp, tmp_path: Path
) -> None:
    config = tmp_path / "ecr-tui" / "config.toml"
    config.parent.mkdir(exist_ok=True)
    config.write_text("[profiles.prod]\nread_only = true\n")
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, _, _ = panes(app)
        await in_account(app, pilot, DEFAULT_ACCOUNT_ID)
        repositories.table.focus()
        await pilot.pause()
        assert "New repo" in key_bar(app)

        app.switch_context(profile="prod")
        await in_account(app, pilot, PROD_ACCOUNT_ID)
        assert app.read_only
        repositories.table.focus()
        await pilot.pause()
        assert "New repo" not in key_bar(app)
        app.clear_notifications()
        send_burst(app, typed("n"))
        await until(pilot, lambda: bool(app._notifications), "the refusal")
        (refusal,) = [n.message for n in app._notifications]
        assert f"([profiles.prod] read_only = true in {config})" in refusal
        assert "Switch to another profile" in refusal and "change that line" in refusal
        assert "Start ecr-tui without it" not in refusal

        app.switch_context(profile="dev")
        await in_account(app, pilot, DEFAULT_ACCOUNT_ID)
        assert not app.read_only
        repositories.table.focus()
        await pilot.pause()
        assert "New repo" in key_bar(app)


async def test_r_opens_the_replication_list_at_once_and_fills_it_when_read(
    demo: DemoLaunch, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.command import CommandPalette
    from textual.widgets import Input

    monkeypatch.setenv("AWS_CONFIG_FILE", str(demo.aws_config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(demo.aws_credentials_path))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    proxy = FaultProxy(demo.wait_ready().url).start()
    try:
        settings = ConnectionSettings(
            profile="dev",
            region="us-east-1",
            endpoint_url=proxy.url,
            sts_endpoint_url=proxy.url,
            demo=True,
        )
        app = EcrApp(settings)
        async with app.run_test(size=(120, 36)) as pilot:
            _, images, _ = panes(app)
            await repositories_loaded(app, pilot)
            await pilot.press("slash", *"payments/api", "enter", "enter")
            await until(pilot, lambda: bool(images.table.rows), "payments/api's images")
            # The registry's replication rules take their time to come.
            proxy.inject("hang", "DescribeRegistry", times=1)
            await pilot.press("R")
            # On the key: the list, saying it is reading (not 2 s of nothing).
            assert isinstance(app.screen, CommandPalette)
            field = app.screen.query_one(Input)
            assert "reading replication…" in field.placeholder
            proxy.clear()
            await until(pilot, lambda: "reading" not in field.placeholder, "the rules read", 20)
            await pilot.press(*"eu-west")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await until(pilot, lambda: app.settings.region == "eu-west-1", "eu-west-1", 20)
    finally:
        proxy.stop()


async def test_coming_back_to_a_context_gives_the_focus_back_to_its_pane(
    demo_app: EcrApp,
) -> None:
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, findings = panes(app)
        await in_account(app, pilot, DEFAULT_ACCOUNT_ID)
        await pilot.press("slash", *"payments/api", "enter", "enter")
        await until(pilot, lambda: bool(images.table.rows), "payments/api's images")
        await until(pilot, lambda: not images.is_loading, "every image")
        await pilot.press("enter")  # into the findings of the image under the cursor
        await until(pilot, lambda: app.focused is findings.table, "the findings pane focused")
        image = findings.image

        app.switch_context(region="eu-west-1")
        await until(pilot, lambda: app.contexts.generation == 1, "the switch")
        await settled(pilot)
        assert app.focused is panes(app)[0].table  # a new context starts at its repositories
        app.switch_context(region="us-east-1")
        await until(
            pilot,
            lambda: findings.image is not None and findings.image.digest == image.digest,
            "the findings of the same image",
            timeout=30,
        )
        assert app.focused is findings.table


async def test_the_demo_names_its_account_and_has_a_read_only_profile(demo_app: EcrApp) -> None:
    from ecr_tui.demo.moto_patches.account_alias import DEMO_ACCOUNT_ALIAS

    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        await in_account(app, pilot, DEFAULT_ACCOUNT_ID)
        await until(pilot, lambda: app.account is not None and bool(app.account.alias), "alias")
        assert app.account.alias == DEMO_ACCOUNT_ALIAS
        assert f"{DEFAULT_ACCOUNT_ID} ({DEMO_ACCOUNT_ALIAS})" in status_text(app)
        assert not app.read_only and "READ-ONLY" not in status_text(app)

        app.switch_context(profile="prod")
        await in_account(app, pilot, PROD_ACCOUNT_ID)
        await until(pilot, lambda: app.account is not None and bool(app.account.account_id), "id")
        # The other account's role may not read the alias (AccessDenied): none shown.
        assert app.account.alias == "" and DEMO_ACCOUNT_ALIAS not in status_text(app)
        assert app.read_only and "READ-ONLY" in status_text(app)
        panes(app)[0].table.focus()
        await pilot.pause()
        app.clear_notifications()
        send_burst(app, typed("n"))
        await until(pilot, lambda: bool(app._notifications), "the refusal")
        (refusal,) = [n.message for n in app._notifications]
        assert "the demo's profile prod is read-only" in refusal and ":profile dev" in refusal


def test_history_passes_over_the_places_of_other_contexts() -> None:
    from ecr_tui.ui.history import History, Place

    here, there = ("dev", "us-east-1", ""), ("dev", "eu-west-1", "")
    history = History()
    for name, context in (("a", here), ("b", there), ("c", there), ("d", here)):
        history.opened(Place("images", name, context=context))
    # Back from d: over c and b (eu-west-1's), to a; forward from a: to d.
    assert history.nearest(-1, here) == -3
    history.go(-3)
    assert history.current is not None and history.current.repository == "a"
    assert history.nearest(1, here) == 3
    assert history.nearest(-1, here) is None
    # In eu-west-1 (at c): back to b, and nothing ahead there.
    history.go(2)
    assert history.nearest(-1, there) == -1 and history.nearest(1, there) is None
