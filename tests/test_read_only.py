"""Read-only mode sends nothing but reads: every key and every palette command, counted on the wire.

The app runs against the local ECR endpoint through a counting proxy; every
request's operation is checked against IAM's access levels, written down here
independently of the app's own list.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.command import CommandInput, CommandList, CommandPalette
from textual.widgets import Input

from ecr_tui.core.admin.repositories import set_scan_on_push
from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.errors import explain_error
from ecr_tui.core.read_only import READ_OPERATIONS, ReadOnlyRefusal
from ecr_tui.demo.data.dataset import build_dataset
from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.create_repository import CreateRepositoryScreen
from ecr_tui.ui.dialogs.text import PolicyEditorScreen, TextInputScreen
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.findings import FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from tests.conftest import plain_ecr_client
from tests.counting_proxy import CountingProxy
from tests.test_app import images_loaded, repositories_loaded

ACCOUNT = "555566667777"
REPOSITORY = "data/etl-runner"

# The ECR actions IAM's Service Authorization Reference ("Actions defined by Amazon
# Elastic Container Registry") classes as Read or List: what a read-only identity
# (e.g. the managed policy AmazonEC2ContainerRegistryReadOnly) may call. Write,
# Permissions management and Tagging actions, StartLifecyclePolicyPreview and
# StartImageScan among them, are not here. STS GetCallerIdentity needs no permission.
# The vulnerabilities view of an enhanced registry reads Amazon Inspector: IAM's List level.
INSPECTOR_LISTS = {
    "inspector2:ListCoverage",
    "inspector2:ListFindingAggregations",
    "inspector2:ListFindings",
}
IAM_READ_AND_LIST = {
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:BatchGetRepositoryScanningConfiguration",
    "ecr:DescribeImageReplicationStatus",
    "ecr:DescribeImageScanFindings",
    "ecr:DescribeImages",
    "ecr:DescribePullThroughCacheRules",
    "ecr:DescribeRegistry",
    "ecr:DescribeRepositories",
    "ecr:GetAuthorizationToken",
    "ecr:GetDownloadUrlForLayer",
    "ecr:GetLifecyclePolicy",
    "ecr:GetLifecyclePolicyPreview",
    "ecr:GetRegistryScanningConfiguration",
    "ecr:GetRepositoryPolicy",
    "ecr:ListImageReferrers",
    "ecr:ListImages",
    "ecr:ListTagsForResource",
    "sts:GetCallerIdentity",
}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[LocalEcr]:
    server = LocalEcr(account_id=ACCOUNT, scan_seconds=0.2)
    server.start()
    server.seed(build_dataset(repositories=6, big_repository_images=0))
    yield server
    server.stop()


@pytest.fixture()
def proxy(endpoint: LocalEcr) -> Iterator[CountingProxy]:
    with CountingProxy(endpoint.url) as proxy:
        yield proxy


@pytest.fixture()
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Files the app may write (a docker login, a screenshot) land in a scratch home."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / ".docker"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def writes(proxy: CountingProxy) -> list[str]:
    reads = IAM_READ_AND_LIST | INSPECTOR_LISTS
    return [operation for operation in proxy.seen() if operation not in reads]


async def settle(pilot: Any, app: EcrApp) -> None:
    """Wait for the background calls a key started (and the dialogs they open)."""
    await pilot.pause(0.05)
    await wait_until(pilot, lambda: all(worker.is_finished for worker in app.workers))
    await pilot.pause(0.05)


async def go_through_dialogs(pilot: Any, app: EcrApp) -> None:
    """Answer whatever dialog a key opened as a user bent on changing something would."""
    for _ in range(6):
        await settle(pilot, app)
        screen = app.screen
        if screen is app.screen_stack[0]:
            return
        if isinstance(screen, ConfirmScreen):
            if screen.typed_confirmation is not None:
                screen.query_one("#confirm-typed", Input).value = screen.typed_confirmation
            if screen.require_force is not None:
                screen.query_one("#confirm-force").focus()
                await pilot.press("space")
            await pilot.press("y")
        elif isinstance(screen, CreateRepositoryScreen):
            screen.query_one("#create-name", Input).value = "read-only/must-not-exist"
            await pilot.press("ctrl+s")
        elif isinstance(screen, PolicyEditorScreen):
            await pilot.press("ctrl+s")  # the text shown is valid: the template or ECR's
        elif isinstance(screen, TextInputScreen):
            screen.query_one(Input).value = "read-only-tag"
            await pilot.press("enter")
        else:
            await pilot.press("escape")  # viewers, help, the theme picker
    while app.screen is not app.screen_stack[0]:
        await pilot.press("escape")
        await settle(pilot, app)


async def run_palette_command(pilot: Any, app: EcrApp, title: str, help_text: str) -> None:
    """Open the command palette, type `title` and run the command with that title and help."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    app.screen.query_one(CommandInput).value = title

    def index() -> int | None:
        options = app.screen.query_one(CommandList).options
        for number, option in enumerate(options):
            hit = getattr(option, "hit", None)
            if hit is not None and hit.text == title and hit.help == help_text:
                return number
        return None

    await wait_until(pilot, lambda: index() is not None)
    app.screen.query_one(CommandList).highlighted = index()
    await pilot.press("enter")


async def test_read_only_sends_only_reads(
    endpoint: LocalEcr, proxy: CountingProxy, private_home: Path
) -> None:
    settings = ConnectionSettings(endpoint_url=proxy.url, region="us-east-1", demo=True)
    app = EcrApp(settings, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        repositories = await repositories_loaded(app, pilot)
        panes = {
            "Repositories pane": repositories,
            "Images pane": app.query_one(ImagesPane),
            "Findings pane": app.query_one(FindingsPane),
        }
        sections = dict(app._key_sections())

        refusals: list[str] = []

        def note_refusals() -> None:
            refusals.extend(n.message for n in app._notifications if n.title == "Read-only")

        async def open_repository() -> None:
            note_refusals()
            while app.screen is not app.screen_stack[0]:
                await pilot.press("escape")
            images = app.query_one(ImagesPane)
            if images.repository is not None and images.repository.name == REPOSITORY:
                return
            repositories.table.focus()
            assert repositories.table.move_to_first(lambda repo: repo.name == REPOSITORY)
            await pilot.press("enter")
            await images_loaded(app, pilot, REPOSITORY)

        # Every key of every pane, and every key that works anywhere.
        tried: list[str] = []
        for section, pane in panes.items():
            bindings = [*sections["Any pane"], *sections[section]]
            if section == "Repositories pane":
                bindings += sections["Everywhere"]
            for binding in bindings:
                assert isinstance(binding, Binding)
                if binding.id in ("app.quit", "app.palette"):
                    continue
                await open_repository()
                pane.table.focus()
                await pilot.press(binding.key.split(",")[0])
                await go_through_dialogs(pilot, app)
                tried.append(f"{section}: {binding.key}")
                assert not writes(proxy), f"{tried[-1]} sent {writes(proxy)}"

        # Every command of the palette, but Quit.
        await open_repository()
        commands = [
            (command.title, command.help)
            for command in app.get_system_commands(app.screen)
            if command.title != "Quit"
        ]
        assert any(title == "Preview lifecycle policy" for title, _ in commands)
        for title, help_text in commands:
            await open_repository()
            app.query_one(ImagesPane).table.focus()
            await run_palette_command(pilot, app, title, help_text)
            await go_through_dialogs(pilot, app)
            assert not writes(proxy), f"palette {title!r} sent {writes(proxy)}"

        note_refusals()
        assert any("StartLifecyclePolicyPreview" in message for message in refusals)
        assert all("read-only mode" in message for message in refusals)
    assert "ecr:DescribeRepositories" in proxy.seen(), "the proxy saw the app's calls"
    assert not writes(proxy)


def test_the_service_refuses_changes_before_sending(
    endpoint: LocalEcr, proxy: CountingProxy
) -> None:
    settings = ConnectionSettings(endpoint_url=proxy.url, region="us-east-1", demo=True)
    service = EcrService(settings, read_only=True)
    before = plain_ecr_client(endpoint).describe_repositories(repositoryNames=[REPOSITORY])
    was = before["repositories"][0]["imageScanningConfiguration"]["scanOnPush"]
    with pytest.raises(ReadOnlyRefusal) as raised:
        set_scan_on_push(service, REPOSITORY, not was)
    said = explain_error(raised.value)
    assert said.title == "Read-only"
    assert "PutImageScanningConfiguration" in said.detail and "nothing was sent" in said.detail
    assert proxy.seen() == []
    service.repository(REPOSITORY)  # reads go through
    assert proxy.seen() == ["ecr:DescribeRepositories"]


def test_the_read_list_is_iams_read_and_list_levels() -> None:
    import botocore.session

    operations = set(botocore.session.get_session().get_service_model("ecr").operation_names)
    assert operations >= READ_OPERATIONS, "every listed read is a real ECR operation"
    ours = {f"ecr:{name}" for name in READ_OPERATIONS}
    checked_here = IAM_READ_AND_LIST - {"sts:GetCallerIdentity"}
    assert checked_here <= ours
    for write in ("StartLifecyclePolicyPreview", "StartImageScan", "PutImage", "TagResource"):
        assert write not in READ_OPERATIONS
