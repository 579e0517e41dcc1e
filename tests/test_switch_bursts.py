"""A switch typed while a profile is being prepared lands on that profile, as typed slowly.

Against the demo's endpoint and the AWS config it writes (`dev`, and `prod` a role
in another account), with two profiles added that cannot be entered: one with no
credentials, one whose SSO session expired.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.demo.contexts import PROD_ACCOUNT_ID
from ecr_tui.demo.launcher import DEFAULT_ACCOUNT_ID, DemoLaunch, spawn_demo_endpoint
from ecr_tui.state import StateStore
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.command_bar import CommandBarScreen
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane
from ecr_tui.ui.status_bar import StatusBar
from tests.test_key_bursts import press, send_burst, settled, typed, until

CANNOT_ENTER = """
[profile empty]
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile sso-dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer
region = us-east-1
"""


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoLaunch]:
    launch = spawn_demo_endpoint(repositories=6, big_images=50, registry=False, extra_contexts=True)
    launch.wait_ready()
    yield launch
    launch.close()


@pytest.fixture()
def demo_app(demo: DemoLaunch, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[EcrApp]:
    """The app on the demo's dev profile; the demo's AWS config and two more profiles."""
    config = tmp_path / "aws-config"
    config.write_text(demo.aws_config_path.read_text() + CANNOT_ENTER)
    home = tmp_path / "home"
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    expired = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (cache / (hashlib.sha1(b"corp").hexdigest() + ".json")).write_text(
        json.dumps({"accessToken": "old", "expiresAt": expired, "region": "us-east-1"})
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role to find
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(demo.aws_credentials_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("ECR_TUI_CONFIG", raising=False)
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = ConnectionSettings(profile="dev", region="us-east-1", demo=True)
    settings = settings.at_demo_endpoint(demo.wait_ready().url)
    yield EcrApp(settings, state=StateStore(tmp_path / "state.json"))


def rows(app: EcrApp) -> list[Any]:
    """The repositories listed (under a dialog too: the panes' screen is the first)."""
    return list(app.screen_stack[0].query_one(RepositoriesPane).table.rows)


def listed_account(app: EcrApp) -> set[str]:
    return {repository.registry_id for repository in rows(app)}


def where(app: EcrApp) -> tuple[str | None, str | None]:
    return app.settings.profile, app.settings.region


def in_context(app: EcrApp, profile: str, region: str, account: str) -> bool:
    """Connected to `profile` in `region`, its rows listed (and only its own)."""
    listed = rows(app)
    return (
        where(app) == (profile, region)
        and bool(listed)
        and {row.registry_id for row in listed} == {account}
        and all(f".dkr.ecr.{region}." in row.uri for row in listed)
    )


def status_line(app: EcrApp) -> str:
    """The status line as drawn (under a dialog too)."""
    return str(app.screen_stack[0].query_one(StatusBar).render())


def notices(app: EcrApp, title: str) -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


async def started(app: EcrApp, pilot: Any) -> None:
    await until(
        pilot, lambda: in_context(app, "dev", "us-east-1", DEFAULT_ACCOUNT_ID), "dev", timeout=30
    )
    await settled(pilot)


async def test_a_region_typed_in_the_same_burst_as_a_profile_lands_on_that_profile(
    demo_app: EcrApp,
) -> None:
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        send_burst(
            app, typed(":profile prod"), press("enter"), typed(":region eu-west-1"), press("enter")
        )
        await until(
            pilot,
            lambda: in_context(app, "prod", "eu-west-1", PROD_ACCOUNT_ID),
            "prod's rows in eu-west-1",
            timeout=15,
        )
        await settled(pilot)
        assert where(app) == ("prod", "eu-west-1")
        assert app.contexts.queue.pending is None
        assert "switching" not in status_line(app)
        assert not notices(app, "Not switched")


async def test_typed_slowly_the_same_keys_land_on_the_same_context(demo_app: EcrApp) -> None:
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        send_burst(app, typed(":profile prod"), press("enter"))
        await until(
            pilot, lambda: in_context(app, "prod", "us-east-1", PROD_ACCOUNT_ID), "prod", timeout=15
        )
        send_burst(app, typed(":region eu-west-1"), press("enter"))
        await until(
            pilot,
            lambda: in_context(app, "prod", "eu-west-1", PROD_ACCOUNT_ID),
            "prod's rows in eu-west-1",
            timeout=15,
        )
        assert app.contexts.generation == 2


async def test_a_profile_prepared_while_a_command_is_typed_waits_for_that_command(
    demo_app: EcrApp,
) -> None:
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        send_burst(app, typed(":profile prod"), press("enter"), typed(":region eu-w"))
        queue = app.contexts.queue
        await until(
            pilot,
            lambda: queue.pending is not None and queue.pending.outcome is not None,
            "prod prepared, waiting for the command bar",
        )
        await settled(pilot)
        # The command being typed stays open, and the screen still says where it is.
        assert isinstance(app.screen, CommandBarScreen)
        assert app.screen.query_one("#command-input").value == "region eu-w"
        assert where(app) == ("dev", "us-east-1") and app.contexts.generation == 0
        assert "switching to prod" in status_line(app)
        assert "profile dev" in status_line(app)
        send_burst(app, typed("est-1"), press("enter"))
        await until(
            pilot,
            lambda: in_context(app, "prod", "eu-west-1", PROD_ACCOUNT_ID),
            "prod's rows in eu-west-1",
            timeout=15,
        )
        assert "switching" not in status_line(app)


async def test_a_profile_without_credentials_applies_nothing_typed_after_it(
    demo_app: EcrApp,
) -> None:
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        send_burst(
            app, typed(":profile empty"), press("enter"), typed(":region eu-west-1"), press("enter")
        )
        await until(pilot, lambda: bool(notices(app, "Not switched")), "why nothing changed")
        await settled(pilot)
        assert notices(app, "Not switched") == [
            "Not switched to empty: it has no credentials; :region eu-west-1 not applied. "
            "Still browsing dev · us-east-1."
        ]
        assert notices(app, "No credentials")[0].startswith("profile empty has no credentials")
        assert where(app) == ("dev", "us-east-1") and app.contexts.generation == 0
        assert listed_account(app) == {DEFAULT_ACCOUNT_ID}
        assert "switching" not in status_line(app)


async def test_a_failed_sso_login_applies_nothing_typed_while_it_ran(demo_app: EcrApp) -> None:
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        send_burst(app, typed(":profile sso-dev"), press("enter"))
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the SSO login offered")
        # Pending: the panes are still dev's, and the status line says so and where to.
        assert "profile dev" in status_line(app) and "switching to sso-dev" in status_line(app)
        # Log in (the test's terminal cannot be handed over), and switch region meanwhile.
        send_burst(app, typed("y:region eu-west-1"), press("enter"))
        await until(pilot, lambda: bool(notices(app, "Not switched")), "why nothing changed")
        await settled(pilot)
        (said,) = notices(app, "Not switched")
        assert said.startswith("Not switched to sso-dev: the SSO login could not run")
        assert said.endswith("; :region eu-west-1 not applied. Still browsing dev · us-east-1.")
        assert where(app) == ("dev", "us-east-1") and app.contexts.generation == 0
        assert listed_account(app) == {DEFAULT_ACCOUNT_ID}
        assert "switching" not in status_line(app)


async def test_a_go_to_in_another_region_asked_meanwhile_lands_in_the_profile_prepared(
    demo_app: EcrApp,
) -> None:
    import boto3

    ecr = boto3.Session(profile_name="prod", region_name="eu-west-1").client("ecr")
    wanted = sorted(r["repositoryName"] for r in ecr.describe_repositories()["repositories"])[-1]
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        # (As a replica's enter does, in the same moment as the profile's switch.)
        app.switch_context(profile="prod")
        app.contexts.go_to_in_region("eu-west-1", wanted, None, None)
        assert where(app) == ("dev", "us-east-1")  # prod is being prepared: nothing moved yet
        images = app.screen_stack[0].query_one(ImagesPane)
        await until(
            pilot,
            lambda: (
                in_context(app, "prod", "eu-west-1", PROD_ACCOUNT_ID)
                and images.repository is not None
                and images.repository.name == wanted
            ),
            f"prod's {wanted} open in eu-west-1",
            timeout=15,
        )


async def test_an_mfa_code_and_a_region_in_one_burst_land_on_the_role_in_that_region(
    demo_app: EcrApp,
) -> None:
    app = demo_app
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        # The dialog takes the code; what follows waits for the role (as typed slowly).
        send_burst(
            app,
            typed(":profile prod-admin"),
            press("enter"),
            typed("123456"),
            press("enter"),
            typed(":region eu-west-1"),
            press("enter"),
        )
        await until(
            pilot,
            lambda: in_context(app, "prod-admin", "eu-west-1", PROD_ACCOUNT_ID),
            "prod-admin's rows in eu-west-1",
            timeout=15,
        )
        assert app.settings.credentials is not None  # the role's, assumed with the code
        assert app.contexts.queue.pending is None and not notices(app, "Not switched")
