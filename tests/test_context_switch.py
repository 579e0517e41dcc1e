"""Switching profile and region at runtime, against the local ECR endpoint over HTTP."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.core.remote_reader import ContextSwitched, RemoteReader
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from tests.fault_proxy import FaultProxy
from tests.test_app import open_repository, panes, repositories_loaded, status_text

OTHER_REGION = "eu-west-1"
OTHER_REPOSITORY = "eu-only/payments"
SECOND_ACCOUNT = "210987654321"


def client(endpoint: str, region: str, **credentials: str) -> Any:
    return boto3.client(
        "ecr",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=credentials.get("key", "test"),
        aws_secret_access_key="test",
        aws_session_token=credentials.get("token"),
    )


@pytest.fixture(scope="module")
def other_region(local_ecr: LocalEcr) -> Iterator[str]:
    """One repository in another region of the same account (moto keeps regions apart)."""
    ecr = client(local_ecr.url, OTHER_REGION)
    ecr.create_repository(repositoryName=OTHER_REPOSITORY)
    yield OTHER_REPOSITORY
    ecr.delete_repository(repositoryName=OTHER_REPOSITORY, force=True)


@pytest.fixture()
def proxy(local_ecr: LocalEcr) -> Iterator[FaultProxy]:
    proxy = FaultProxy(local_ecr.url).start()
    yield proxy
    proxy.stop()


def identified(app: EcrApp) -> bool:
    return app.account is not None and bool(app.account.account_id)


def names(app: EcrApp) -> list[str]:
    return [repository.name for repository in panes(app)[0].table.rows]


async def test_a_region_switch_shows_the_new_regions_data_and_comes_back(
    ecr_settings: ConnectionSettings, other_region: str
) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories, images, findings = panes(app)
        await wait_until(pilot, lambda: app.account is not None and app.account.account_id != "")
        images = await open_repository(app, pilot, "platform/nginx-base")
        # (open_repository filtered the repositories down to it: that filter is kept too.)
        await pilot.press("down", "down")
        image = images.table.current_row
        await pilot.pause(0.3)
        home = sorted(names(app))
        reader_process = app.reader._process

        app.switch_context(region=OTHER_REGION)
        # At once: nothing of us-east-1 stays on screen while eu-west-1 loads.
        assert not repositories.table.total_rows and images.repository is None
        assert findings.image is None
        await wait_until(pilot, lambda: names(app) == [other_region])
        assert app.reader._process is reader_process, "the same reader child, not a new one"
        await wait_until(pilot, lambda: app.account is not None and app.account.region != "")
        assert f"· {OTHER_REGION}" in status_text(app)
        assert repositories.filter_box.value == ""  # a context of its own: no filter yet

        app.switch_context(region="us-east-1")
        await wait_until(
            pilot,
            lambda: (
                images.repository is not None
                and images.repository.name == "platform/nginx-base"
                and images.table.current_row is not None
                and images.table.current_row.digest == image.digest
            ),
        )
        # The filter, repository and image of us-east-1 are back.
        assert repositories.filter_box.value == "platform/nginx-base"
        assert sorted(names(app)) == home
        assert repositories.table.current_row.name == "platform/nginx-base"


async def test_bad_names_are_explained_and_change_nothing(ecr_settings: ConnectionSettings) -> None:
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        before = names(app)
        app.switch_context(region="eu-wset-1")
        app.switch_context(region="cn-north-1")  # another partition's
        app.switch_context(profile="no-such-profile")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("No region 'eu-wset-1'" in m and "mean eu-west-1?" in m for m in messages)
        assert any("No region 'cn-north-1' in the aws partition" in m for m in messages)
        assert any("No profile 'no-such-profile'" in m for m in messages)
        assert app.contexts.generation == 0 and names(app) == before
        assert app.settings.region == "us-east-1"
        assert "eu-west-1" in app.region_names() and "cn-north-1" not in app.region_names()


async def test_a_late_answer_of_the_previous_region_is_never_shown(
    proxy: FaultProxy, other_region: str
) -> None:
    # us-east-1's repositories hang; eu-west-1's come at once.
    proxy.inject("hang", "DescribeRepositories", times=1)
    settings = ConnectionSettings(
        endpoint_url=proxy.url, region="us-east-1", demo=True, read_timeout=2.0
    )
    app = EcrApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = panes(app)[0]
        await wait_until(pilot, lambda: bool(proxy.requests("DescribeRepositories")))
        app.switch_context(region=OTHER_REGION)
        await wait_until(pilot, lambda: names(app) == [other_region])
        # The hung us-east-1 request answers late (botocore retries it once released).
        proxy.clear()
        await wait_until(pilot, lambda: len(proxy.requests("DescribeRepositories")) >= 3)
        await pilot.pause(1.0)
        assert names(app) == [other_region]
        assert not repositories.is_loading
        assert not any(n.severity == "error" for n in app._notifications)


def test_the_reader_drops_the_previous_contexts_question(
    proxy: FaultProxy, other_region: str
) -> None:
    proxy.inject("hang", "DescribeRepositories", times=1)
    reader = RemoteReader()
    try:
        reader.connect(ConnectionSettings(endpoint_url=proxy.url, region="us-east-1", demo=True))
        failures: list[BaseException] = []

        def list_hung() -> None:
            try:
                list(reader.repository_pages())
            except BaseException as error:
                failures.append(error)

        waiting = threading.Thread(target=list_hung)
        waiting.start()
        while not proxy.requests("DescribeRepositories"):
            threading.Event().wait(0.02)
        reader.connect(ConnectionSettings(endpoint_url=proxy.url, region=OTHER_REGION, demo=True))
        waiting.join(timeout=5)
        assert failures and isinstance(failures[0], ContextSwitched)
        pages = list(reader.repository_pages())
        assert [r.name for page in pages for r in page] == [other_region]
    finally:
        proxy.clear()
        reader.close()


def test_a_question_asked_ahead_follows_the_context(proxy: FaultProxy, other_region: str) -> None:
    """Asked ahead (as a switch does, before the panes ask), taken by the next listing;
    asked ahead for a context left before anyone took it, dropped with it."""
    reader = RemoteReader()
    try:
        reader.connect(ConnectionSettings(endpoint_url=proxy.url, region="us-east-1", demo=True))
        reader.prefetch("repositories")
        reader.connect(ConnectionSettings(endpoint_url=proxy.url, region=OTHER_REGION, demo=True))
        reader.prefetch("repositories")
        pages = list(reader.repository_pages())
        assert [r.name for page in pages for r in page] == [other_region]
        # The listing took the question asked ahead: no third call (the first context's
        # may have gone out before its cancel came); nothing is left waiting.
        assert 1 <= len(proxy.requests("DescribeRepositories")) <= 2
        assert reader._answers == {} and reader._prefetched == {}
    finally:
        reader.close()


# -- profiles from an AWS config ----------------------------------------------------


@pytest.fixture()
def aws_config(tmp_path: Path, local_ecr: LocalEcr, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two profiles on the local endpoint (set in the profile), two accounts: `prod`
    assumes a role in another account, as a cross-account setup does."""
    config = tmp_path / "config"
    config.write_text(
        f"""\
[profile dev]
region = us-east-1
endpoint_url = {local_ecr.url}
aws_access_key_id = dev
aws_secret_access_key = dev

[profile prod]
region = us-east-1
endpoint_url = {local_ecr.url}
role_arn = arn:aws:iam::{SECOND_ACCOUNT}:role/ecr-reader
source_profile = dev
"""
    )
    (tmp_path / "ecr-tui.toml").write_text("[profiles.prod]\nread_only = true\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("ECR_TUI_CONFIG", str(tmp_path / "ecr-tui.toml"))
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    return config


async def test_a_profile_switch_changes_account_data_and_read_only(
    aws_config: Path, local_ecr: LocalEcr
) -> None:
    # The second account's one repository, made with that account's role credentials.
    sts = boto3.client(
        "sts",
        endpoint_url=local_ecr.url,
        region_name="us-east-1",
        aws_access_key_id="dev",
        aws_secret_access_key="dev",
    )
    role = sts.assume_role(
        RoleArn=f"arn:aws:iam::{SECOND_ACCOUNT}:role/ecr-reader", RoleSessionName="seed"
    )["Credentials"]
    prod_ecr = client(
        local_ecr.url, "us-east-1", key=role["AccessKeyId"], token=role["SessionToken"]
    )
    prod_ecr.create_repository(repositoryName="prod-only/api")
    prod_iam = boto3.client(
        "iam",
        endpoint_url=local_ecr.url,
        region_name="us-east-1",
        aws_access_key_id=role["AccessKeyId"],
        aws_secret_access_key=role["SecretAccessKey"],
        aws_session_token=role["SessionToken"],
    )
    prod_iam.create_account_alias(AccountAlias="acme-prod")
    try:
        app = EcrApp(ConnectionSettings(profile="dev", region="us-east-1"))
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: identified(app))
            assert app.profile_names() == ["dev", "prod"]
            assert "prod-only/api" not in names(app) and not app.read_only
            # The profile's own endpoint_url, said in the status line.
            assert local_ecr.url.partition("://")[2] in status_text(app)
            app.switch_context(profile="prod")
            await wait_until(pilot, lambda: names(app) == ["prod-only/api"])
            await wait_until(pilot, lambda: identified(app))
            assert app.account.account_id == SECOND_ACCOUNT
            # IAM's alias for the account, beside it (moto's IAM answers ListAccountAliases).
            assert app.account.alias == "acme-prod"
            assert app.read_only, "read_only = true for prod in the config file"
            shown = status_text(app)
            assert "READ-ONLY" in shown and SECOND_ACCOUNT in shown and "profile prod" in shown
            app.switch_context(profile="dev")
            await wait_until(pilot, lambda: "platform/nginx-base" in names(app))
            assert not app.read_only and "READ-ONLY" not in status_text(app)
    finally:
        prod_ecr.delete_repository(repositoryName="prod-only/api", force=True)
        prod_iam.delete_account_alias(AccountAlias="acme-prod")


async def test_the_palette_picks_a_region_and_ctrl_g_offers_to_switch(
    ecr_settings: ConnectionSettings, other_region: str, local_ecr: LocalEcr
) -> None:
    other = client(local_ecr.url, OTHER_REGION)
    other.put_image(
        repositoryName=other_region,
        imageManifest='{"schemaVersion": 2, "mediaType": '
        '"application/vnd.docker.distribution.manifest.v2+json", "config": {"mediaType": '
        '"application/vnd.docker.container.image.v1+json", "size": 2, "digest": '
        '"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}, '
        '"layers": []}',
        imageTag="v7",
    )
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        await wait_until(pilot, lambda: identified(app))
        # The picker: a filterable list of the partition's regions.
        app.action_switch_region()
        await pilot.pause(0.3)
        await pilot.press(*"eu-west-1")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: names(app) == [other_region])
        assert app.settings.region == OTHER_REGION

        app.switch_context(region="us-east-1")
        await wait_until(pilot, lambda: "platform/nginx-base" in names(app))
        await wait_until(pilot, lambda: identified(app) and app.account.region == "us-east-1")
        # ctrl+g to a URI of eu-west-1: asked, then there, on the image of the tag.
        uri = f"123456789012.dkr.ecr.{OTHER_REGION}.amazonaws.com/{other_region}:v7"
        await pilot.press("ctrl+g", *uri, "enter")
        await pilot.pause(0.3)
        assert "Switch to eu-west-1?" in str(app.screen.query_one(".dialog").border_title)
        await pilot.press("y")
        images = panes(app)[1]
        await wait_until(
            pilot,
            lambda: (
                images.repository is not None
                and images.repository.name == other_region
                and images.table.current_row is not None
                and "v7" in images.table.current_row.tags
            ),
        )
        assert app.settings.region == OTHER_REGION


@pytest.fixture()
def expired_sso(aws_config: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An SSO profile whose cached token expired an hour ago, and a profile with nothing."""
    with aws_config.open("a") as config:
        config.write(
            "\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
            "sso_region = us-east-1\n\n[profile sso-dev]\nsso_session = corp\n"
            "sso_account_id = 111111111111\nsso_role_name = Developer\nregion = us-east-1\n"
            "\n[profile empty]\nregion = us-east-1\n"
        )
    home = aws_config.parent / "home"
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    expired = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (cache / (hashlib.sha1(b"corp").hexdigest() + ".json")).write_text(
        json.dumps({"accessToken": "old", "expiresAt": expired, "region": "us-east-1"})
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role to find
    return home


async def test_an_expired_sso_session_offers_to_log_in_and_no_credentials_are_named(
    expired_sso: Path,
) -> None:
    from ecr_tui.ui.dialogs.confirm import ConfirmScreen

    app = EcrApp(ConnectionSettings(profile="dev", region="us-east-1"))
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        before = names(app)
        app.switch_context(profile="sso-dev")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = app.screen.body
        assert "Profile sso-dev signs in with SSO (https://corp.awsapps.com/start)" in body
        assert "session expired at " in body and "aws sso login --profile sso-dev" in body
        # The test's terminal cannot be handed over: said so, and nothing changed.
        await pilot.press("y")
        await wait_until(pilot, lambda: noticed(app, "SSO login"))
        notice = next(n for n in app._notifications if n.title == "SSO login")
        assert "aws sso login --profile sso-dev" in notice.message
        assert "Nothing changed" in notice.message
        assert app.settings.profile == "dev" and names(app) == before

        app.switch_context(profile="empty")
        await wait_until(
            pilot, lambda: any(n.title == "No credentials" for n in app._notifications)
        )
        notice = next(n for n in app._notifications if n.title == "No credentials")
        assert notice.message.startswith("profile empty has no credentials")
        assert "aws configure --profile empty" in notice.message
        assert app.settings.profile == "dev" and app.contexts.generation == 0


def noticed(app: Any, title: str) -> bool:
    """Whether a notification titled `title` was shown."""
    return any(notification.title == title for notification in app._notifications)


async def test_the_command_bar_switches_region_and_back(
    ecr_settings: ConnectionSettings, other_region: str
) -> None:
    from tests.test_key_bursts import press, send_burst, typed

    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        send_burst(app, typed(f":region {OTHER_REGION}"), press("enter"))
        await wait_until(pilot, lambda: names(app) == [other_region])
        assert app.settings.region == OTHER_REGION and app.contexts.generation == 1
        send_burst(app, typed(":region us-east-1"), press("enter"))
        await wait_until(pilot, lambda: "platform/nginx-base" in names(app))
        assert app.settings.region == "us-east-1"


async def test_a_token_aws_calls_expired_asks_for_a_new_mfa_code(
    aws_config: Path, proxy: FaultProxy
) -> None:
    """AWS's clock, not ours: the first ExpiredTokenException brings the MFA dialog."""
    from ecr_tui.demo.moto_patches.mfa import DEMO_MFA_CODE
    from ecr_tui.ui.dialogs.text import TextInputScreen

    with aws_config.open("a") as config:
        config.write(
            f"\n[profile mfa-prod]\nregion = us-east-1\nendpoint_url = {proxy.url}\n"
            f"role_arn = arn:aws:iam::{SECOND_ACCOUNT}:role/ecr-admin\nsource_profile = dev\n"
            "mfa_serial = arn:aws:iam::123456789012:mfa/tester\n"
        )
    app = EcrApp(ConnectionSettings(profile="dev", region="us-east-1"))
    async with app.run_test(size=(120, 36)) as pilot:
        await repositories_loaded(app, pilot)
        app.switch_context(profile="mfa-prod")
        await wait_until(pilot, lambda: isinstance(app.screen, TextInputScreen))
        await pilot.press(*DEMO_MFA_CODE, "enter")
        await wait_until(pilot, lambda: app.settings.profile == "mfa-prod" and identified(app))
        first = app.settings.credentials
        assert not app.contexts.renewal.expired  # an hour to go, by our clock

        proxy.inject("expired", "DescribeRepositories", times=1)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, TextInputScreen))
        assert "MFA code for profile mfa-prod" in app.screen.title_text
        assert "were refused as expired" in app.screen.label
        assert noticed(app, "Credentials expired")  # what failed is said as well
        await pilot.press(*DEMO_MFA_CODE, "enter")
        await wait_until(
            pilot, lambda: app.settings.credentials not in (None, first) and identified(app)
        )
        assert app.settings.profile == "mfa-prod" and app.account.account_id == SECOND_ACCOUNT
        assert not isinstance(app.screen, TextInputScreen)


async def test_a_region_switch_keeps_the_profiles_session_no_new_assume_role(
    aws_config: Path, proxy: FaultProxy, other_region: str
) -> None:
    """Only the region changes: the role assumed for the profile is not assumed again
    (a round trip to STS on every switch's key path, with real AWS)."""
    with aws_config.open("a") as config:
        config.write(
            f"\n[profile role-via-proxy]\nregion = us-east-1\nendpoint_url = {proxy.url}\n"
            f"role_arn = arn:aws:iam::123456789012:role/ecr-reader\nsource_profile = dev\n"
        )
    app = EcrApp(ConnectionSettings(profile="role-via-proxy", region="us-east-1"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: "platform/nginx-base" in names(app), timeout=30)
        assert len(proxy.requests("AssumeRole")) == 1
        app.switch_context(region=OTHER_REGION)
        await wait_until(pilot, lambda: names(app) == [other_region])
        app.switch_context(region="us-east-1")
        await wait_until(pilot, lambda: "platform/nginx-base" in names(app))
        assert len(proxy.requests("DescribeRepositories")) >= 3  # each region listed
        assert len(proxy.requests("AssumeRole")) == 1, "the role's credentials are reused"
        # A profile switch is a new identity: a session of its own.
        app.switch_context(profile="dev")
        await wait_until(pilot, lambda: app.settings.profile == "dev" and bool(names(app)))
