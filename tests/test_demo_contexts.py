"""The demo's second account and extra regions, through the AWS config it writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from ecr_tui.core.contexts import CredentialKind, list_profiles
from ecr_tui.demo.contexts import PROD_ACCOUNT_ID, extra_contexts
from ecr_tui.demo.launcher import DEFAULT_ACCOUNT_ID, DemoLaunch, spawn_demo_endpoint


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoLaunch]:
    launch = spawn_demo_endpoint(repositories=6, big_images=50, registry=False, extra_contexts=True)
    launch.wait_ready()
    yield launch
    launch.close()


@pytest.fixture()
def demo_config(demo: DemoLaunch, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(demo.aws_config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(demo.aws_credentials_path))
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    return demo.aws_config_path


def repositories(profile: str, region: str) -> list[tuple[str, str]]:
    ecr = boto3.Session(profile_name=profile, region_name=region).client("ecr")
    found = ecr.describe_repositories(maxResults=1000)["repositories"]
    return sorted((r["repositoryName"], r["registryId"]) for r in found)


def test_two_profiles_two_accounts_three_regions(demo_config: Path) -> None:
    kinds = {profile.name: profile.kind for profile in list_profiles()}
    assert kinds == {
        "dev": CredentialKind.STATIC,
        "prod": CredentialKind.ASSUME_ROLE,
        "prod-admin": CredentialKind.ASSUME_ROLE,
    }
    seen: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for profile in ("dev", "prod"):
        sts = boto3.Session(profile_name=profile).client("sts")
        account = sts.get_caller_identity()["Account"]
        assert account == (DEFAULT_ACCOUNT_ID if profile == "dev" else PROD_ACCOUNT_ID)
        for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
            listed = repositories(profile, region)
            # Every repository is the account's own.
            assert {registry for _, registry in listed} <= {account}
            seen[(profile, region)] = listed
    served = {extra.region for extra in extra_contexts(DEFAULT_ACCOUNT_ID)}
    assert served == {"us-east-1", "eu-west-1", "ap-southeast-2"}
    # Each context served has data of its own; prod has no ap-southeast-2 registry.
    filled = {key: value for key, value in seen.items() if value}
    assert set(filled) == {
        ("dev", "us-east-1"),
        ("dev", "eu-west-1"),
        ("dev", "ap-southeast-2"),
        ("prod", "us-east-1"),
        ("prod", "eu-west-1"),
    }
    assert len({tuple(listing) for listing in filled.values()}) == len(filled)
    # The images are there too (a region's own digests, not the default registry's).
    ecr = boto3.Session(profile_name="prod", region_name="eu-west-1").client("ecr")
    name = filled[("prod", "eu-west-1")][0][0]
    images = ecr.describe_images(repositoryName=name)["imageDetails"]
    assert images and all(image["registryId"] == PROD_ACCOUNT_ID for image in images)
    home = boto3.Session(profile_name="dev", region_name="us-east-1").client("ecr")
    if name in {n for n, _ in filled[("dev", "us-east-1")]}:
        listed = home.describe_images(repositoryName=name)["imageDetails"]
        theirs = {image["imageDigest"] for image in listed}
        assert not theirs & {image["imageDigest"] for image in images}


async def test_the_app_switches_between_the_demos_accounts_and_regions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ecr_tui.core.ecr import ConnectionSettings
    from ecr_tui.ui.app import EcrApp
    from ecr_tui.ui.driving import wait_until
    from ecr_tui.ui.panes.repositories import RepositoriesPane

    # As `ecr-tui --demo` starts it (see cli.main).
    launch = spawn_demo_endpoint(repositories=6, big_images=50, registry=False, extra_contexts=True)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(launch.aws_config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(launch.aws_credentials_path))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    app = EcrApp(
        ConnectionSettings(profile="dev", region="us-east-1", demo=True), demo_launch=launch
    )
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(RepositoriesPane).table

        def shown() -> set[str]:
            return {repository.registry_id for repository in table.rows}

        await wait_until(pilot, lambda: shown() == {DEFAULT_ACCOUNT_ID}, timeout=30)
        assert app.profile_names() == ["dev", "prod", "prod-admin"]
        home = [repository.name for repository in table.rows]
        app.switch_context(profile="prod", region="eu-west-1")
        await wait_until(pilot, lambda: shown() == {PROD_ACCOUNT_ID})
        await wait_until(pilot, lambda: app.account is not None and bool(app.account.account_id))
        assert app.account.account_id == PROD_ACCOUNT_ID and app.account.region == "eu-west-1"
        assert all(".dkr.ecr.eu-west-1." in r.uri for r in table.rows)
        app.switch_context(profile="dev", region="ap-southeast-2")
        await wait_until(pilot, lambda: shown() == {DEFAULT_ACCOUNT_ID} and bool(table.rows))
        assert [repository.name for repository in table.rows] != home


async def test_an_mfa_profile_asks_for_the_code_and_explains_a_wrong_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ecr_tui.core.ecr import ConnectionSettings
    from ecr_tui.ui.app import EcrApp
    from ecr_tui.ui.dialogs.text import TextInputScreen
    from ecr_tui.ui.driving import wait_until
    from ecr_tui.ui.panes.repositories import RepositoriesPane

    launch = spawn_demo_endpoint(repositories=4, big_images=20, registry=False, extra_contexts=True)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(launch.aws_config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(launch.aws_credentials_path))
    app = EcrApp(
        ConnectionSettings(profile="dev", region="us-east-1", demo=True), demo_launch=launch
    )
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(RepositoriesPane).table
        await wait_until(pilot, lambda: bool(table.rows), timeout=30)
        home = [repository.name for repository in table.rows]

        app.switch_context(profile="prod-admin")
        await wait_until(pilot, lambda: isinstance(app.screen, TextInputScreen))
        assert "MFA code for profile prod-admin" in app.screen.title_text
        assert "arn:aws:iam::123456789012:mfa/demo-user" in app.screen.label
        first = app.screen
        await pilot.press(*"000000", "enter")
        # Asked again at once: the field empty, why under it; nothing else changed.
        await wait_until(
            pilot, lambda: isinstance(app.screen, TextInputScreen) and app.screen is not first
        )
        message = str(app.screen.query_one("#text-message").render())
        assert "MFA code not accepted" in message
        assert "invalid MFA one time pass code" in message
        assert "type the one your device shows now" in message
        assert app.screen.query_one("#text-input").value == ""
        assert app.contexts.generation == 0 and app.settings.profile == "dev"
        assert [repository.name for repository in table.rows] == home

        await pilot.press(*"123456", "enter")
        await wait_until(
            pilot, lambda: bool(table.rows) and table.rows[0].registry_id == PROD_ACCOUNT_ID
        )
        await wait_until(pilot, lambda: app.account is not None and bool(app.account.account_id))
        assert app.account.account_id == PROD_ACCOUNT_ID
        assert app.settings.credentials is not None  # the role's, assumed with the code
        assert "credentials" not in repr(app.settings).split("read_timeout")[1]


def noticed(app: Any, title: str) -> bool:
    """Whether a notification titled `title` was shown."""
    return any(notification.title == title for notification in app._notifications)


def test_replication_as_ecr_reports_it(demo_config: Path, demo: DemoLaunch) -> None:
    from ecr_tui.core.ecr import ConnectionSettings, EcrService
    from ecr_tui.core.replication import read_replication
    from tests.api_contract import RawAnswers, answer_violations

    service = EcrService(ConnectionSettings(profile="dev", region="us-east-1", demo=True))
    raw = RawAnswers()
    raw.attach(service.ecr)
    digest = service.ecr.describe_images(repositoryName="payments/api")["imageDetails"][0][
        "imageDigest"
    ]
    replication = read_replication(service, "payments/api", digest)
    assert replication.destinations == (
        ("eu-west-1", DEFAULT_ACCOUNT_ID),
        ("ap-southeast-2", DEFAULT_ACCOUNT_ID),
    )
    # The copies are there (same digest), so ECR says COMPLETE for both.
    assert {(s.region, s.status) for s in replication.statuses} == {
        ("eu-west-1", "COMPLETE"),
        ("ap-southeast-2", "COMPLETE"),
    }
    copy = boto3.Session(profile_name="dev", region_name="eu-west-1").client("ecr")
    assert copy.describe_images(repositoryName="payments/api", imageIds=[{"imageDigest": digest}])
    # A repository no rule covers: no destinations, no statuses.
    other = service.ecr.describe_images(repositoryName="web/storefront")["imageDetails"][0]
    none = read_replication(service, "web/storefront", other["imageDigest"])
    assert none.destinations == () and none.statuses == ()
    answers = raw.take()
    assert {a.operation for a in answers} >= {"DescribeRegistry", "DescribeImageReplicationStatus"}
    assert [v for a in answers for v in answer_violations(a)] == []
    # STS's AssumeRole answer (the MFA role, the right code) is one STS can send.
    sts = boto3.Session(profile_name="dev").client("sts")
    raw.attach(sts)
    sts.assume_role(
        RoleArn="arn:aws:iam::210987654321:role/ecr-demo-admin",
        RoleSessionName="check",
        SerialNumber="arn:aws:iam::123456789012:mfa/demo-user",
        TokenCode="123456",
    )
    assert [v for a in raw.take() for v in answer_violations(a)] == []


async def test_r_lists_the_images_replicas_and_opens_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.command import CommandPalette

    from ecr_tui.core.ecr import ConnectionSettings
    from ecr_tui.ui.app import EcrApp
    from ecr_tui.ui.driving import wait_until
    from ecr_tui.ui.panes.images import ImagesPane
    from tests.test_app import open_repository

    launch = spawn_demo_endpoint(repositories=4, big_images=20, registry=False, extra_contexts=True)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(launch.aws_config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(launch.aws_credentials_path))
    app = EcrApp(
        ConnectionSettings(profile="dev", region="us-east-1", demo=True), demo_launch=launch
    )
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "payments/api")
        await pilot.press("down")
        digest = images.table.current_row.digest
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), timeout=10)
        await pilot.press(*"ap-southeast")
        await pilot.pause(0.5)
        await pilot.press("enter")
        pane = app.query_one(ImagesPane)
        await wait_until(
            pilot,
            lambda: (
                app.settings.region == "ap-southeast-2"
                and pane.repository is not None
                and pane.repository.name == "payments/api"
                and pane.table.current_row is not None
                and pane.table.current_row.digest == digest
            ),
            timeout=20,
        )


async def test_each_context_keeps_its_findings_filters_and_sort(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ecr_tui.core.ecr import ConnectionSettings
    from ecr_tui.core.models import Severity
    from ecr_tui.ui.app import EcrApp
    from ecr_tui.ui.driving import wait_until
    from ecr_tui.ui.panes.findings import FindingsFilters
    from tests.test_app import open_repository, panes

    launch = spawn_demo_endpoint(repositories=6, big_images=50, registry=False, extra_contexts=True)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(launch.aws_config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(launch.aws_credentials_path))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    app = EcrApp(
        ConnectionSettings(profile="dev", region="us-east-1", demo=True), demo_launch=launch
    )
    async with app.run_test(size=(120, 36)) as pilot:
        _, images, findings = panes(app)
        await open_repository(app, pilot, "payments/api")
        image = images.table.current_row
        # Enter drills into the findings of the image under the cursor.
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: findings.image == image and bool(findings.report and findings.table.rows)
        )
        # HIGH and worse, fixable only, fix first, and a text filter: as a user sets them.
        await pilot.press("m", "m", "m", "f", "s", "slash", *"CVE-", "enter")
        chosen = FindingsFilters(Severity.HIGH, False, True, 1, "CVE-")
        assert findings.filters == chosen
        before = [finding.name for finding in findings.table.rows]

        app.switch_context(region="eu-west-1")
        await wait_until(
            pilot, lambda: app.contexts.generation == 1 and bool(panes(app)[0].table.rows)
        )
        # A context of its own: nothing filtered yet, and it says so.
        assert findings.filters == FindingsFilters()
        assert "fixable only" not in str(findings.border_subtitle)
        findings.table.focus()
        await pilot.pause()
        await pilot.press("u")
        assert findings.filters == FindingsFilters(hide_unrated=True)

        app.switch_context(region="us-east-1")
        await wait_until(
            pilot,
            lambda: (
                findings.image is not None
                and findings.image.digest == image.digest
                and findings.report is not None
            ),
            timeout=30,
        )
        assert findings.filters == chosen
        shown = list(findings.table.rows)
        assert shown, "payments/api's first image has fixable HIGH or CRITICAL findings"
        # (`m` leaves the unrated in: `u` hides them.)
        assert all(f.fix.fixable and "CVE-" in f.name for f in shown)
        assert all(f.severity >= Severity.HIGH for f in shown if f.severity.rated)
        assert [finding.name for finding in shown] == before
        subtitle = str(findings.border_subtitle)
        assert "≥ high" in subtitle and "fixable only" in subtitle and "fix first" in subtitle
        assert "filter: CVE-" in subtitle

        app.switch_context(region="eu-west-1")
        await wait_until(pilot, lambda: app.contexts.generation == 3)
        assert findings.filters == FindingsFilters(hide_unrated=True)
    launch.close()


async def test_expired_mfa_credentials_ask_for_a_new_code_and_keep_the_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import timedelta

    from ecr_tui.core.ecr import ConnectionSettings
    from ecr_tui.demo.moto_patches.mfa import DEMO_MFA_CODE
    from ecr_tui.ui.app import EcrApp
    from ecr_tui.ui.dialogs.text import TextInputScreen
    from ecr_tui.ui.driving import wait_until
    from tests.test_app import open_repository, panes

    launch = spawn_demo_endpoint(repositories=4, big_images=20, registry=False, extra_contexts=True)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(launch.aws_config_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(launch.aws_credentials_path))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    app = EcrApp(
        ConnectionSettings(profile="dev", region="us-east-1", demo=True), demo_launch=launch
    )
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, images, _ = panes(app)
        await wait_until(pilot, lambda: bool(repositories.table.rows), timeout=30)
        app.switch_context(profile="prod-admin")
        await wait_until(pilot, lambda: isinstance(app.screen, TextInputScreen))
        await pilot.press(*DEMO_MFA_CODE, "enter")
        await wait_until(
            pilot,
            lambda: (
                bool(repositories.table.rows)
                and repositories.table.rows[0].registry_id == PROD_ACCOUNT_ID
            ),
        )
        renewal = app.contexts.renewal
        first = app.settings.credentials
        # STS's own expiry (an hour, moto as AWS), kept with the credentials.
        assert renewal.expiration is not None and first is not None
        assert timedelta(minutes=50) < renewal.expiration - renewal.now() <= timedelta(hours=1)
        name = repositories.table.rows[-1].name
        await open_repository(app, pilot, name)
        image = images.table.current_row
        generation = app.contexts.generation

        # An hour later (the clock moved on, not waited for): the dialog asks for a code.
        expired_at = renewal.expiration
        renewal.now = lambda: expired_at + timedelta(seconds=1)
        await wait_until(pilot, lambda: isinstance(app.screen, TextInputScreen))
        assert app.screen.title_text == "MFA code for profile prod-admin"
        assert f"expired at {expired_at:%H:%M} UTC" in app.screen.label
        await pilot.press(*DEMO_MFA_CODE, "enter")
        # The same context again, with the role's new credentials, and the same place.
        await wait_until(
            pilot,
            lambda: (
                app.contexts.generation == generation + 1
                and images.repository is not None
                and images.repository.name == name
                and images.table.current_row is not None
                and images.table.current_row.digest == image.digest
            ),
        )
        assert app.settings.profile == "prod-admin"
        assert app.settings.credentials is not None and app.settings.credentials != first
        assert renewal.expiration is not None and renewal.expiration > renewal.now()
        assert not renewal.expired and not isinstance(app.screen, TextInputScreen)

        # Expired again, and the dialog cancelled: said once, nothing else changes...
        expired_at = renewal.expiration
        renewal.now = lambda: expired_at + timedelta(seconds=1)
        await wait_until(pilot, lambda: isinstance(app.screen, TextInputScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: noticed(app, "MFA code not given"))
        notice = next(n for n in app._notifications if n.title == "MFA code not given")
        assert "`:profile prod-admin` asks for a code again" in notice.message
        await pilot.pause(0.5)
        assert not isinstance(app.screen, TextInputScreen), "asked once, not again and again"
        assert app.contexts.generation == generation + 1
        # ... until the user asks for it.
        app.switch_context(profile="prod-admin")
        await wait_until(pilot, lambda: isinstance(app.screen, TextInputScreen))
        assert "expired at" in app.screen.label
    launch.close()
