"""Repository administration through the app's keys and dialogs, against the endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from textual.widgets import Input, Static, TextArea

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.demo.data.dataset import build_dataset
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.create_repository import CreateRepositoryScreen
from ecr_tui.ui.dialogs.text import PolicyEditorScreen, TextInputScreen, TextViewScreen
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.images import ImagesPane
from tests.conftest import plain_ecr_client
from tests.test_app import repositories_loaded

ACCOUNT = "444455556666"


@pytest.fixture(scope="module")
def admin_endpoint() -> Iterator[LocalEcr]:
    """An endpoint of its own: these tests change what they browse."""
    server = LocalEcr(account_id=ACCOUNT)
    server.start()
    server.seed(build_dataset(repositories=8, big_repository_images=0))
    yield server
    server.stop()


@pytest.fixture()
def settings(admin_endpoint: LocalEcr) -> ConnectionSettings:
    return ConnectionSettings(endpoint_url=admin_endpoint.url, region="us-east-1", demo=True)


@pytest.fixture()
def ecr(admin_endpoint: LocalEcr) -> Any:
    return plain_ecr_client(admin_endpoint)


async def select_repository(app: EcrApp, pilot: Any, name: str) -> None:
    repositories = await repositories_loaded(app, pilot)
    assert repositories.table.move_to_first(lambda repo: repo.name == name)
    await pilot.press("enter")
    images = app.query_one(ImagesPane)
    await wait_until(
        pilot, lambda: images.repository is not None and images.repository.name == name
    )
    await wait_until(pilot, lambda: not images.is_loading)
    app.query_one("#repositories-table").focus()


async def test_create_then_delete_a_repository(settings: ConnectionSettings, ecr: Any) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        await pilot.press("n")
        assert isinstance(app.screen, CreateRepositoryScreen)
        await pilot.press(*"Bad_Name")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, CreateRepositoryScreen), "invalid names are not sent"
        app.screen.query_one("#create-name", Input).value = "team/created-here"
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: (
                repositories.table.current_row is not None
                and repositories.table.current_row.name == "team/created-here"
            ),
        )
        described = ecr.describe_repositories(repositoryNames=["team/created-here"])
        assert described["repositories"][0]["imageTagMutability"] == "MUTABLE"

        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # the name is not typed yet: nothing happens
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press(*"team/created-here", "enter")
        await wait_until(
            pilot,
            lambda: (
                not any(r.name == "team/created-here" for r in repositories.table.rows)
                and not repositories.is_loading
            ),
        )
        names = [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]
        assert "team/created-here" not in names


async def test_mutability_scan_on_push_and_iam_policies(
    settings: ConnectionSettings, ecr: Any
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_repository(app, pilot, "platform/nginx-base")
        before = ecr.describe_repositories(repositoryNames=["platform/nginx-base"])
        was_scanning = before["repositories"][0]["imageScanningConfiguration"]["scanOnPush"]
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await pilot.press("S")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")

        def described() -> dict[str, Any]:
            answer = ecr.describe_repositories(repositoryNames=["platform/nginx-base"])
            return answer["repositories"][0]  # type: ignore[no-any-return]

        await wait_until(
            pilot,
            lambda: (
                described()["imageTagMutability"] == "IMMUTABLE"
                and described()["imageScanningConfiguration"]["scanOnPush"] is not was_scanning
            ),
        )
        await pilot.press("i")
        assert isinstance(app.screen, TextViewScreen)
        text = app.screen.query_one(TextArea).text
        assert "ecr:GetAuthorizationToken" in text and "ecr:PutImage" in text
        assert described()["repositoryArn"] in text


async def test_mutability_keeps_exclusion_filters_and_both_toggles_ask(
    settings: ConnectionSettings, ecr: Any
) -> None:
    name = "team/with-exclusions"
    filters = [
        {"filterType": "WILDCARD", "filter": "latest"},
        {"filterType": "WILDCARD", "filter": "dev-*"},
    ]
    ecr.create_repository(
        repositoryName=name,
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=filters,
    )

    def described() -> dict[str, Any]:
        return ecr.describe_repositories(repositoryNames=[name])["repositories"][0]  # type: ignore[no-any-return]

    app = EcrApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_repository(app, pilot, name)
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = app.screen.body
        assert f"{name}: IMMUTABLE_WITH_EXCLUSION → MUTABLE_WITH_EXCLUSION." in body
        assert "except tags matching latest, dev-*, which stay fixed" in body
        assert "The exclusion filters stay: latest, dev-*." in body
        await pilot.press("y")
        await wait_until(
            pilot, lambda: described()["imageTagMutability"] == "MUTABLE_WITH_EXCLUSION"
        )
        assert described()["imageTagMutabilityExclusionFilters"] == filters
        await wait_until(
            pilot,
            lambda: any(
                n.title == "Tag mutability"
                and n.message == f"{name} is now MUTABLE_WITH_EXCLUSION (latest, dev-*)."
                for n in app._notifications
            ),
        )

        scanning = described()["imageScanningConfiguration"]["scanOnPush"]
        now, then = ("on", "off") if scanning else ("off", "on")
        await pilot.press("S")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert f"{name}: scan on push {now} → {then}." in app.screen.body
        await pilot.press("n")
        await pilot.pause(0.3)
        assert described()["imageScanningConfiguration"]["scanOnPush"] is scanning, "no: unchanged"
        await pilot.press("S")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(
            pilot, lambda: described()["imageScanningConfiguration"]["scanOnPush"] is not scanning
        )
        await wait_until(
            pilot,
            lambda: any(
                n.title == "Scan on push" and n.message == f"Scan on push is {then} for {name}."
                for n in app._notifications
            ),
        )


async def test_repository_policy_is_validated_before_it_is_sent(
    settings: ConnectionSettings, ecr: Any
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_repository(app, pilot, "data/etl-runner")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, PolicyEditorScreen))
        editor = app.screen.query_one(TextArea)
        editor.text = '{"Version": "2012-10-17", "Statement": ['
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PolicyEditorScreen), "broken JSON is not sent"
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Pull",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": ["ecr:BatchGetImage"],
                }
            ],
        }
        editor.text = json.dumps(policy)
        await pilot.press("ctrl+s")

        def stored() -> Any:
            try:
                return json.loads(
                    ecr.get_repository_policy(repositoryName="data/etl-runner")["policyText"]
                )
            except ecr.exceptions.RepositoryPolicyNotFoundException:
                return None

        await wait_until(pilot, lambda: stored() == policy)


async def test_a_refused_policy_keeps_the_editor_and_the_draft(
    settings: ConnectionSettings, ecr: Any
) -> None:
    # Valid to our checks; ECR refuses it (an unknown condition operator).
    refused = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": ["ecr:BatchGetImage"],
                "Condition": {"StringEqualsSometimes": {"aws:PrincipalTag/team": "data"}},
            }
        ],
    }
    app = EcrApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_repository(app, pilot, "web/storefront")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, PolicyEditorScreen))
        editor = app.screen
        assert isinstance(editor, PolicyEditorScreen)
        draft = json.dumps(refused, indent=2)
        editor.query_one(TextArea).text = draft
        await pilot.press("ctrl+s")

        def said() -> str:
            return str(editor.query_one("#policy-message", Static).render())

        await wait_until(pilot, lambda: app.screen is not editor or "Rejected by ECR" in said())
        assert app.screen is editor, "the editor stays open"
        assert editor.query_one(TextArea).text == draft, "with the draft"
        assert "Your draft is kept" in said()
        with pytest.raises(ecr.exceptions.RepositoryPolicyNotFoundException):
            ecr.get_repository_policy(repositoryName="web/storefront")

        fixed = {**refused, "Statement": [{**refused["Statement"][0], "Condition": {}}]}
        del fixed["Statement"][0]["Condition"]
        editor.query_one(TextArea).text = json.dumps(fixed)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, PolicyEditorScreen))
        stored = ecr.get_repository_policy(repositoryName="web/storefront")["policyText"]
        assert json.loads(stored) == fixed
        assert any("Saved the repository policy" in n.message for n in app._notifications)


async def test_marked_images_are_deleted_after_a_confirmation(
    settings: ConnectionSettings, ecr: Any
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_repository(app, pilot, "web/storefront")
        images = app.query_one(ImagesPane)
        total = images.table.total_rows
        doomed = {image.digest for image in images.table.rows[:2]}
        images.table.focus()
        await pilot.press("space", "space")
        assert "2 marked" in str(images.border_subtitle)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_until(
            pilot, lambda: not images.is_loading and images.table.total_rows == total - 2
        )
        left = ecr.describe_images(repositoryName="web/storefront", maxResults=1000)
        assert doomed.isdisjoint(d["imageDigest"] for d in left["imageDetails"])


async def test_retag_warns_about_a_tag_docker_cannot_use(
    settings: ConnectionSettings, ecr: Any
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_repository(app, pilot, "web/storefront")
        images = app.query_one(ImagesPane)
        images.table.focus()
        image = images.table.current_row
        long_tag = "release-" + "x" * 121  # 129 characters: ECR takes it, docker does not
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TextInputScreen))
        app.screen.query_one(Input).value = long_tag
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextInputScreen), "the first enter warns"
        said = str(app.screen.query_one("#text-message", Static).render())
        assert "refuse tags over 128" in said and "Press enter again" in said
        await pilot.press("enter")
        await wait_until(pilot, lambda: any(n.title == "Tagged" for n in app._notifications))
        described = ecr.describe_images(
            repositoryName="web/storefront", imageIds=[{"imageTag": long_tag}]
        )
        assert described["imageDetails"][0]["imageDigest"] == image.digest


async def test_go_to_uri_lands_on_the_tag_or_says_what_is_wrong(
    settings: ConnectionSettings,
) -> None:
    app = EcrApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await repositories_loaded(app, pilot)
        await select_repository(app, pilot, "data/etl-runner")  # images loaded once
        images = app.query_one(ImagesPane)
        target = images.table.rows[-1]
        tag = target.tags[0] if target.tags else None
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, TextInputScreen)
        box = app.screen.query_one(Input)
        box.value = f"12345.dkr.ecr.us-east-1.amazonaws.com/data/etl-runner:{tag}"
        await pilot.press("enter")
        assert isinstance(app.screen, TextInputScreen), "a bad account is refused"
        message = str(app.screen.query_one("#text-message", Static).render())
        assert "has 5 digits, needs 12" in message
        box.value = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/data/etl-runner@{target.digest}"
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                images.table.current_row is not None
                and images.table.current_row.digest == target.digest
            ),
        )


async def test_read_only_mode_refuses_changes(settings: ConnectionSettings, ecr: Any) -> None:
    app = EcrApp(settings, read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_repository(app, pilot, "data/etl-runner")
        assert "READ-ONLY" in str(app.query_one("#status").render())
        count = len(ecr.describe_repositories()["repositories"])
        for key in ("n", "D", "M", "S"):
            await pilot.press(key)
            assert not isinstance(app.screen, ConfirmScreen | CreateRepositoryScreen)
        messages = [n.message for n in app._notifications]
        assert sum("read-only mode" in message for message in messages) >= 4
        assert len(ecr.describe_repositories()["repositories"]) == count
        await pilot.press("e")  # policies can still be read
        await wait_until(pilot, lambda: isinstance(app.screen, TextViewScreen))
        await pilot.press("escape")
        with pytest.raises(ecr.exceptions.LifecyclePolicyNotFoundException):
            ecr.get_lifecycle_policy(repositoryName="data/etl-runner")
        await pilot.press("E")  # none set: said so, rather than a template passing for it
        await wait_until(pilot, lambda: isinstance(app.screen, TextViewScreen))
        shown = app.screen.query_one(TextArea).text
        assert shown == "data/etl-runner has no lifecycle policy."


async def test_keys_follow_the_config_keymap(settings: ConnectionSettings) -> None:
    app = EcrApp(settings, keymap={"repositories.create": "N", "no.such.binding": "x"})
    async with app.run_test(size=(100, 30)) as pilot:
        await repositories_loaded(app, pilot)
        await pilot.press("n")
        assert not isinstance(app.screen, CreateRepositoryScreen)
        await pilot.press("N")
        assert isinstance(app.screen, CreateRepositoryScreen)
        assert any("no.such.binding" in n.message for n in app._notifications)


async def test_keys_the_config_makes_clash_are_reported(settings: ConnectionSettings) -> None:
    # README's own example once did this: "S" hides the images pane's scan key.
    keymap = {"images.sort": "S", "findings.min_severity": "?", "repositories.create": "N"}
    app = EcrApp(settings, keymap=keymap)
    async with app.run_test(size=(100, 30)) as pilot:
        await repositories_loaded(app, pilot)
        clashes = [n.message for n in app._notifications if "clash" in n.message]
        assert len(clashes) == 1
        assert "S: images.scan, images.sort (the images pane)" in clashes[0]
        assert "?: app.help, findings.min_severity (the findings pane)" in clashes[0]
        assert "repositories.create" not in clashes[0], "N clashes with nothing"


async def test_a_keymap_without_clashes_is_quiet(settings: ConnectionSettings) -> None:
    app = EcrApp(settings, keymap={"images.sort": "ctrl+o", "table.down": "j,down,ctrl+n"})
    async with app.run_test(size=(100, 30)) as pilot:
        await repositories_loaded(app, pilot)
        assert not [n for n in app._notifications if n.title == "Config"]
