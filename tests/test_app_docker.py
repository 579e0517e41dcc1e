"""The app's Docker keys, driven with Pilot against real peers.

The `docker`-marked tests run the real app against a private `dockerd`
(DOCKER_HOST points at it, as a user would set it), a local ECR endpoint and
the demo's real registry behind it: log in, push an offline image, pull it
back, retag in ECR, and the refusals of an immutable repository. If the stack
cannot start they fail with the reason; they never skip. The other tests need
no Docker at all: copying image references, storing a login for the docker
CLI, and an app that keeps browsing when Docker is missing.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import re
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from ecr_tui.core.docker.local_docker import LocalDocker
from ecr_tui.core.docker.login import credentials_from_token
from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.demo.launcher import spawn_demo_endpoint, start_demo_endpoint
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.dialogs.confirm import ConfirmScreen
from ecr_tui.ui.dialogs.push import LocalImagePickerScreen, PushTargetScreen
from ecr_tui.ui.dialogs.text import TextInputScreen
from ecr_tui.ui.dialogs.transfer import TransferScreen
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.status_bar import StatusBar
from tests.docker_stack import EcrDockerStack, StackError, ecr_docker_stack, import_image
from tests.test_app import open_repository

ACCOUNT_ID = "444455556666"
WEB = "apps/web"
LOCKED = "apps/locked"

# Pushes and pulls of a few hundred kilobytes take well under a second here;
# this leaves room for a slow CI machine without hiding a hang.
TRANSFER_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def stack() -> Iterator[EcrDockerStack]:
    """dockerd + local ECR + registry, started once for this module."""
    with ExitStack() as running:
        try:
            started = running.enter_context(
                ecr_docker_stack(ACCOUNT_ID, {WEB: "MUTABLE", LOCKED: "IMMUTABLE"})
            )
        except StackError as error:
            pytest.fail(f"the docker test stack did not start: {error}", pytrace=False)
        yield started


@pytest.fixture
def docker_env(stack: EcrDockerStack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the app's Docker at the private daemon and its CLI config at a fresh folder."""
    monkeypatch.setenv("DOCKER_HOST", stack.daemon_url)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    for name in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)


def settings_for(stack: EcrDockerStack) -> ConnectionSettings:
    """How the app reaches the stack's endpoint."""
    return ConnectionSettings(
        endpoint_url=stack.endpoint_url,
        region="us-east-1",
        demo=True,
        sts_endpoint_url=stack.endpoint_url,
    )


def docker_status(app: EcrApp) -> str:
    """The `docker: …` part of the status line, as drawn (at the right end)."""
    line = str(app.query_one(StatusBar).render())
    return line[line.index("docker: ") :] if "docker: " in line else ""


def notices(app: EcrApp) -> list[str]:
    """Every notification so far, as `title: message`."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def docker_checked(app: EcrApp, pilot: Any) -> None:
    """Wait until the app knows whether Docker answers."""
    await wait_until(pilot, lambda: "checking" not in docker_status(app))


def offline_image(stack: EcrDockerStack, size: int = 64 * 1024) -> str:
    """A new one-layer local image with unique content; its `repo:tag`."""
    repository = f"local/{uuid.uuid4().hex[:6]}"
    import_image(stack.sdk, repository, "1.0", {"payload.bin": random.randbytes(size)})
    return f"{repository}:1.0"


def repository_uri(stack: EcrDockerStack, name: str) -> str:
    """The repository's URI as DescribeRepositories gives it (the registry's host)."""
    found = stack.ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    return str(found["repositoryUri"])


def digest_of(stack: EcrDockerStack, repository: str, tag: str) -> str:
    """The digest ECR has for `repository:tag`."""
    answer = stack.ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
    return str(answer["imageDetails"][0]["imageDigest"])


def push_directly(stack: EcrDockerStack, repository: str, tag: str) -> str:
    """Set-up without the app: push a new image as `repository:tag` with the core; its digest."""
    data = stack.ecr.get_authorization_token()["authorizationData"][0]
    credentials = credentials_from_token(data["authorizationToken"], data["proxyEndpoint"])
    docker_side = LocalDocker(stack.daemon_url)
    try:
        docker_side.login(credentials.registry, credentials.username, credentials.password)
        uri = repository_uri(stack, repository)
        docker_side.tag(offline_image(stack), uri, tag)
        result = docker_side.push(uri, tag)
    finally:
        docker_side.close()
    assert result.digest is not None
    return result.digest


def local_references(stack: EcrDockerStack) -> set[str]:
    """Every `repo:tag` the daemon holds."""
    return {tag for image in stack.sdk.images.list() for tag in image.tags}


async def push_through_the_app(
    app: EcrApp, pilot: Any, source: str, repository: str, tag: str
) -> None:
    """P, pick `source` by filtering on its unique part, target `repository:tag`, enter."""
    await pilot.press("P")
    await wait_until(pilot, lambda: isinstance(app.screen, LocalImagePickerScreen))
    picker = app.screen
    assert isinstance(picker, LocalImagePickerScreen)
    await wait_until(pilot, lambda: picker.table.total_rows > 0)
    # Pilot types a key every ~80 ms: the unique part of the name is filter enough.
    await pilot.press("slash", *source.removeprefix("local/").removesuffix(":1.0"), "enter")
    assert picker.table.current_row is not None
    assert picker.table.current_row.reference == source
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, PushTargetScreen))
    target = app.screen
    repository_input = target.query_one("#push-repository", Input)
    assert repository_input.value == repository, "the open repository is the default"
    assert target.query_one("#push-tag", Input).value == "1.0", "the local tag is the default"
    await pilot.press("ctrl+a", "ctrl+k", *tag)
    await pilot.press("enter")


async def cursor_on_tag(pilot: Any, images: ImagesPane, tag: str) -> None:
    """Wait until the images pane is reloaded with the cursor on `tag`."""
    await wait_until(
        pilot,
        lambda: (
            not images.is_loading
            and images.table.current_row is not None
            and tag in images.table.current_row.tags
        ),
    )


async def transfer_done(app: EcrApp, pilot: Any, outcome: str, about: str = "") -> str:
    """Wait until the transfer screen is gone and a notice `outcome: …about…` is up; it.

    Over loopback a small push can start and end between two looks at the
    screen, so the notice that ends every transfer is what is waited for.
    """

    def notice() -> str | None:
        return next((n for n in notices(app) if n.startswith(f"{outcome}:") and about in n), None)

    try:
        await wait_until(
            pilot,
            lambda: notice() is not None and not isinstance(app.screen, TransferScreen),
            timeout=TRANSFER_TIMEOUT,
        )
    except TimeoutError:
        pytest.fail(f"no {outcome!r} notice about {about!r}; the app said {notices(app)}")
    return notice() or ""


# -- with Docker ---------------------------------------------------------------------


@pytest.mark.docker
@pytest.mark.usefixtures("docker_env")
async def test_login_shows_how_long_it_lasts(stack: EcrDockerStack) -> None:
    app = EcrApp(settings_for(stack))
    async with app.run_test(size=(120, 36)) as pilot:
        await docker_checked(app, pilot)
        assert docker_status(app) == "docker: not logged in"

        await pilot.press("L")

        await wait_until(pilot, lambda: "logged in," in docker_status(app))
        # ECR tokens last 12 hours; the countdown is in whole minutes.
        assert re.fullmatch(r"docker: logged in, expires in 11h 5\dm", docker_status(app))
        assert any(stack.registry.host in notice for notice in notices(app))


@pytest.mark.docker
@pytest.mark.usefixtures("docker_env")
async def test_push_a_local_image_then_pull_it_back(stack: EcrDockerStack) -> None:
    source = offline_image(stack, size=256 * 1024)
    tag = f"pushed-{uuid.uuid4().hex[:4]}"
    target = f"{repository_uri(stack, WEB)}:{tag}"
    app = EcrApp(settings_for(stack))
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, WEB)
        await docker_checked(app, pilot)

        await push_through_the_app(app, pilot, source, WEB, tag)
        pushed_notice = await transfer_done(app, pilot, "Pushed", target)

        # The push logged in by itself, and the pane shows the tag ECR now has.
        assert "logged in," in docker_status(app)
        await cursor_on_tag(pilot, images, tag)
        pushed = images.table.current_row
        assert pushed is not None
        assert pushed.digest == digest_of(stack, WEB, tag)
        assert pushed.digest in pushed_notice

        stack.sdk.images.remove(target)
        stack.sdk.images.remove(source)
        assert target not in local_references(stack)
        assert app.focused is images.table
        await pilot.press("p")
        pulled_notice = await transfer_done(app, pilot, "Pulled", target)

        assert target in local_references(stack)
        assert pushed.digest in pulled_notice


@pytest.mark.docker
@pytest.mark.usefixtures("docker_env")
async def test_escape_cancels_a_pull(stack: EcrDockerStack) -> None:
    source = offline_image(stack, size=8 * 1024 * 1024)
    tag = f"cancel-{uuid.uuid4().hex[:4]}"
    app = EcrApp(settings_for(stack))
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, WEB)
        await docker_checked(app, pilot)
        await push_through_the_app(app, pilot, source, WEB, tag)
        await transfer_done(app, pilot, "Pushed", tag)
        await cursor_on_tag(pilot, images, tag)
        target = f"{repository_uri(stack, WEB)}:{tag}"
        stack.sdk.images.remove(target)
        stack.sdk.images.remove(source)

        # Pilot waits for the app to go idle after a key, and a pull over loopback may be
        # over by then: start it as `p` does and press escape the moment it shows.
        images.action_image_action("pull")
        while not isinstance(app.screen, TransferScreen):
            await asyncio.sleep(0.005)
        await pilot.press("escape")
        await transfer_done(app, pilot, "Pull cancelled", target)

        assert not any(notice.startswith("Pulled:") for notice in notices(app))
        assert target not in local_references(stack)


@pytest.mark.docker
@pytest.mark.usefixtures("docker_env")
async def test_retag_adds_a_tag_to_the_same_digest(stack: EcrDockerStack) -> None:
    first, second = f"first-{uuid.uuid4().hex[:4]}", f"second-{uuid.uuid4().hex[:4]}"
    pushed_digest = push_directly(stack, WEB, first)
    app = EcrApp(settings_for(stack))
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, WEB)
        pushed = next(image for image in images.table.rows if first in image.tags)
        assert pushed.digest == pushed_digest
        images.table.move_to(pushed)

        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TextInputScreen))
        await pilot.press(*"bad tag")
        assert "spaces are not allowed" in str(app.screen.query_one("#text-message").render())
        await pilot.press(*["backspace"] * 7, *second, "enter")

        await cursor_on_tag(pilot, images, second)
        assert images.table.current_row is not None
        assert images.table.current_row.digest == pushed.digest
        assert digest_of(stack, WEB, second) == pushed.digest == digest_of(stack, WEB, first)


@pytest.mark.docker
@pytest.mark.usefixtures("docker_env")
async def test_immutable_overwrite_warns_then_is_refused_plainly(stack: EcrDockerStack) -> None:
    tag, other = f"fixed-{uuid.uuid4().hex[:4]}", f"other-{uuid.uuid4().hex[:4]}"
    first_digest = push_directly(stack, LOCKED, tag)
    push_directly(stack, LOCKED, other)
    app = EcrApp(settings_for(stack))
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, LOCKED)
        await docker_checked(app, pilot)

        await push_through_the_app(app, pilot, offline_image(stack), LOCKED, tag)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "immutable" in str(app.screen.query_one(".body").render())
        await pilot.press("n")
        assert not isinstance(app.screen, TransferScreen)

        await push_through_the_app(app, pilot, offline_image(stack), LOCKED, tag)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        refusal = await transfer_done(app, pilot, "Tag cannot be overwritten")

        assert "immutable" in refusal and "new tag" in refusal
        assert not any("Traceback" in notice for notice in notices(app))
        assert digest_of(stack, LOCKED, tag) == first_digest

        # Giving another image the taken tag in ECR is refused as plainly.
        images.table.move_to(next(i for i in images.table.rows if other in i.tags))
        await pilot.press("t", *tag, "enter")
        await wait_until(pilot, lambda: any("Tag already exists" in n for n in notices(app)))
        assert digest_of(stack, LOCKED, tag) == first_digest


@pytest.mark.docker
@pytest.mark.usefixtures("docker_env")
async def test_demo_attaches_a_registry_docker_can_log_in_to() -> None:
    # As the CLI does: it starts the demo and hands the app the launch.
    app = EcrApp(
        ConnectionSettings(region="us-east-1", demo=True), demo_launch=spawn_demo_endpoint()
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.service is not None, timeout=30)
        demo = app.demo_endpoint
        assert demo is not None and demo.registry_host is not None, (
            demo.registry_problem if demo else "no demo endpoint"
        )
        await docker_checked(app, pilot)
        await pilot.press("L")
        # The demo's status line is long (its endpoint, the repository): Docker's state
        # may be shown in its short form, "logged in 11h 59m".
        await wait_until(pilot, lambda: docker_status(app).startswith("docker: logged in"))
        assert any(demo.registry_host in notice for notice in notices(app))


@pytest.mark.docker
def test_the_demo_registry_dies_with_the_demo() -> None:
    demo = start_demo_endpoint(repositories=2, big_images=10)
    registry_folders: list[Path] = []
    try:
        assert demo.registry_host is not None, demo.registry_problem
        group = _process_group(demo.process.pid)
        assert len(group) >= 2, "the endpoint and its docker-registry"
        # Its folder is the registry's to remove, and a killed endpoint cannot ask it to.
        registry_folders = [
            Path(os.fsdecode(argument)).parent
            for pid in group
            for argument in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if argument.endswith(b"config.yml")
        ]
        assert registry_folders
        # Killed outright, the endpoint cannot stop its registry itself.
        os.kill(demo.process.pid, signal.SIGKILL)
        demo.process.wait()
        assert _process_group(demo.process.pid), "the registry outlives a killed endpoint"
    finally:
        demo.close()
        for folder in registry_folders:
            shutil.rmtree(folder, ignore_errors=True)
    deadline = time.monotonic() + 5
    while _process_group(demo.process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _process_group(demo.process.pid)


def _process_group(group_id: int) -> list[int]:
    """The live (not zombie) processes of a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == group_id and state != "Z":
            members.append(int(entry.name))
    return members


# -- without Docker --------------------------------------------------------------------


async def test_without_docker_browsing_works_and_docker_keys_say_why(
    ecr_settings: ConnectionSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "platform/nginx-base")
        assert images.table.rows
        await docker_checked(app, pilot)
        # The line has room for the state; the reason is in the help and the tooltip.
        assert docker_status(app) == "docker: unavailable"
        assert app.query_one(StatusBar).docker_text.startswith(
            "docker: unavailable (Docker is not running"
        )

        await pilot.press("p")

        expected = (
            "Docker unavailable: Docker is not running or /nonexistent.sock (DOCKER_HOST) "
            "is not reachable: start Docker or fix DOCKER_HOST."
        )
        await wait_until(pilot, lambda: expected in notices(app))
        assert not isinstance(app.screen, TransferScreen)
        for key in ("P", "L"):
            app.clear_notifications()
            await pilot.press(key)
            assert notices(app) == [expected]
        # Browsing goes on.
        await pilot.press("j", "enter")
        assert app.query_one(ImagesPane).table.rows


async def test_copy_keys_send_osc52_with_the_image_references(
    ecr_settings: ConnectionSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "platform/nginx-base")
        assert app.service is not None
        repository = app.service.repository("platform/nginx-base")
        image = next(i for i in images.table.rows if i.tags)
        images.table.move_to(image)
        assert app._driver is not None
        written: list[str] = []
        monkeypatch.setattr(app._driver, "write", written.append)
        image_uri = f"{repository.uri}:{image.tags[0]}"
        digest_uri = f"{repository.uri}@{image.digest}"

        for key, label, text in (
            ("c", "image URI", image_uri),
            ("C", "digest URI", digest_uri),
            ("y", "pull command", f"docker pull {image_uri}"),
        ):
            await pilot.press(key)
            osc52 = f"\x1b]52;c;{base64.b64encode(text.encode()).decode()}\x07"
            assert osc52 in written, f"{key} wrote no OSC 52 sequence for {text}"
            assert app.clipboard == text
            assert f": Copied {label}: {text}" in notices(app)

        # An untagged image's URI is its digest URI.
        untagged = next((i for i in images.table.rows if not i.tags), None)
        if untagged is not None:
            images.table.move_to(untagged)
            await pilot.press("c")
            assert app.clipboard == f"{repository.uri}@{untagged.digest}"


async def test_store_login_for_the_docker_cli(
    ecr_settings: ConnectionSettings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await docker_checked(app, pilot)
        assert app.service is not None
        authorization = app.service.authorization()
        host = authorization.proxy_endpoint.removeprefix("https://").removeprefix("http://")

        config = tmp_path / "config.json"

        # ctrl+l, which many press to redraw, writes nothing.
        await pilot.press("ctrl+l")
        await pilot.pause(0.5)
        assert not config.exists()
        assert not isinstance(app.screen, ConfirmScreen)

        # W says where the login would go, and asks first.
        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = app.screen.body
        assert f"login to {host}" in body and f"kept in {config}, under auths" in body
        assert "the demo's own registry" in body
        await pilot.press("n")
        await pilot.pause(0.3)
        assert not config.exists(), "no means nothing is written"

        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: config.exists())
        stored = json.loads(config.read_text())["auths"][host]["auth"]
        assert base64.b64decode(stored) == base64.b64decode(authorization.token)
        await wait_until(pilot, lambda: any("Saved the login" in n for n in notices(app)))
        password = base64.b64decode(authorization.token).decode().partition(":")[2]
        assert not any(password in notice for notice in notices(app))
        assert password not in body

        # A credential helper is named before anything goes to it.
        helper_config = {"credsStore": "no-such-store"}
        config.write_text(json.dumps(helper_config))
        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "the credential helper docker-credential-no-such-store" in app.screen.body
        await pilot.press("n")
        await pilot.pause(0.3)
        assert json.loads(config.read_text()) == helper_config

        # With amazon-ecr-credential-helper configured, the app says so and stores nothing.
        helper_config = {"credHelpers": {host: "ecr-login"}}
        config.write_text(json.dumps(helper_config))
        await pilot.press("W")
        await wait_until(pilot, lambda: any("ecr-login" in n for n in notices(app)))
        assert not isinstance(app.screen, ConfirmScreen)
        assert json.loads(config.read_text()) == helper_config
