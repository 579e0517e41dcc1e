"""Each context shows its own data: favourites, places, focus (the demo's two accounts)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.demo.contexts import PROD_ACCOUNT_ID
from ecr_tui.demo.launcher import DEFAULT_ACCOUNT_ID, DemoLaunch, spawn_demo_endpoint
from ecr_tui.state import StateStore
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from tests.test_app import panes
from tests.test_key_bursts import send_burst, settled, typed, until


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoLaunch]:
    launch = spawn_demo_endpoint(repositories=6, big_images=50, registry=False, extra_contexts=True)
    launch.wait_ready()
    yield launch
    launch.close()


@pytest.fixture()
def demo_app(
    demo: DemoLaunch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[EcrApp]:
    """The app on the demo's dev profile, as `ecr-tui --demo` starts it, its state in tmp."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(demo.aws_config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(demo.aws_credentials_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("ECR_TUI_CONFIG", raising=False)
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = ConnectionSettings(profile="dev", region="us-east-1", demo=True)
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
