"""Docker workflows end to end: ECR token, login, tag, push, pull, cancel, CLI logins.

The `docker`-marked tests run our code against real peers started here: a
private `dockerd`, the local ECR endpoint (moto) in a thread, and a real Docker
Distribution registry behind the front that keeps ECR informed. If the stack
cannot start, they fail with the reason; they never skip.
"""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecr_tui.core.docker.credential_store import CliLoginMethod, store_cli_login
from ecr_tui.core.docker.errors import DockerActionError
from ecr_tui.core.docker.local_docker import LocalDocker
from ecr_tui.core.docker.login import LoginState, RegistryCredentials, credentials_from_token
from ecr_tui.core.docker.progress import TransferProgress
from tests.docker_stack import EcrDockerStack, StackError, ecr_docker_stack, import_image

ACCOUNT_ID = "111122223333"
MUTABLE_REPOSITORY = "workflows/app"
IMMUTABLE_REPOSITORY = "workflows/locked"


Stack = EcrDockerStack


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """dockerd + local ECR + registry and front, started once for this module."""
    repositories = {MUTABLE_REPOSITORY: "MUTABLE", IMMUTABLE_REPOSITORY: "IMMUTABLE"}
    with ExitStack() as running:
        try:
            started = running.enter_context(ecr_docker_stack(ACCOUNT_ID, repositories))
        except StackError as error:
            pytest.fail(f"the docker test stack did not start: {error}", pytrace=False)
        yield started


@pytest.fixture
def workbench(stack: Stack) -> Iterator[LocalDocker]:
    """Our Docker wrapper on the private daemon, with no login yet."""
    local = LocalDocker(stack.daemon_url)
    yield local
    local.close()


def ecr_credentials(stack: Stack) -> RegistryCredentials:
    """What the app does first: GetAuthorizationToken, decoded."""
    data = stack.ecr.get_authorization_token()["authorizationData"][0]
    return credentials_from_token(
        data["authorizationToken"], data["proxyEndpoint"], data.get("expiresAt")
    )


def repository_uri(stack: Stack, name: str) -> str:
    """The push target exactly as DescribeRepositories reports it."""
    repository = stack.ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    return str(repository["repositoryUri"])


def logged_in(stack: Stack, workbench: LocalDocker) -> LocalDocker:
    """Log the workbench in with the ECR token, as the app does before a push."""
    credentials = ecr_credentials(stack)
    workbench.login(
        credentials.registry,
        credentials.username,
        credentials.password,
        credentials.expires_at,
    )
    return workbench


def fresh_image(stack: Stack, size: int = 4096) -> str:
    """A new one-layer image with random (incompressible, unique) content."""
    reference = f"scratch/{uuid.uuid4().hex[:12]}"
    content = random.randbytes(size)
    import_image(stack.sdk, reference, "src", {"payload.bin": content})
    return f"{reference}:src"


def ecr_digest_of(stack: Stack, repository: str, tag: str) -> str:
    images = stack.ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
    return str(images["imageDetails"][0]["imageDigest"])


# -- the docker stack ----------------------------------------------------------------


@pytest.mark.docker
def test_login_with_the_ecr_token(stack: Stack, workbench: LocalDocker) -> None:
    credentials = ecr_credentials(stack)
    assert credentials.username == "AWS"
    assert credentials.registry == f"http://{stack.registry.host}"

    state = workbench.login(credentials.registry, credentials.username, credentials.password)

    assert state.registry == stack.registry.host
    assert workbench.login_state(credentials.registry) == state


@pytest.mark.docker
def test_wrong_password_is_refused_plainly(stack: Stack, workbench: LocalDocker) -> None:
    wrong = "not-the-token-" + uuid.uuid4().hex
    with pytest.raises(DockerActionError) as raised:
        workbench.login(f"http://{stack.registry.host}", "AWS", wrong)

    assert raised.value.title == "Login refused"
    assert stack.registry.host in str(raised.value)
    assert wrong not in str(raised.value)


@pytest.mark.docker
def test_push_without_login_says_to_log_in(stack: Stack, workbench: LocalDocker) -> None:
    target = repository_uri(stack, MUTABLE_REPOSITORY)
    workbench.tag(fresh_image(stack), target, "nologin")

    with pytest.raises(DockerActionError) as raised:
        workbench.push(target, "nologin")

    assert raised.value.title == "Not logged in"
    assert "log in" in raised.value.detail


@pytest.mark.docker
def test_push_reaches_ecr_with_the_registry_digest(stack: Stack, workbench: LocalDocker) -> None:
    docker_side = logged_in(stack, workbench)
    target = repository_uri(stack, MUTABLE_REPOSITORY)
    assert target == f"{stack.registry.host}/{MUTABLE_REPOSITORY}"
    docker_side.tag(fresh_image(stack, size=256 * 1024), target, "v1")
    events: list[TransferProgress] = []

    result = docker_side.push(target, "v1", on_progress=events.append)

    assert not result.cancelled
    assert result.digest is not None and result.digest.startswith("sha256:")
    assert ecr_digest_of(stack, MUTABLE_REPOSITORY, "v1") == result.digest
    layer_ids = {layer.layer_id for event in events for layer in event.layers}
    assert len(layer_ids) == 1
    assert any(layer.status == "Pushing" for event in events for layer in event.layers)
    final = events[-1]
    assert final.finished and final.action == "push"
    assert final.bytes_total >= 256 * 1024
    assert final.bytes_done == final.bytes_total
    assert all(layer.done for layer in final.layers)


@pytest.mark.docker
def test_immutable_repository_refuses_to_overwrite_a_tag(
    stack: Stack, workbench: LocalDocker
) -> None:
    docker_side = logged_in(stack, workbench)
    target = repository_uri(stack, IMMUTABLE_REPOSITORY)
    docker_side.tag(fresh_image(stack), target, "1.0")
    first = docker_side.push(target, "1.0")
    docker_side.tag(fresh_image(stack), target, "1.0")

    with pytest.raises(DockerActionError) as raised:
        docker_side.push(target, "1.0")

    assert raised.value.title == "Tag cannot be overwritten"
    assert "immutable" in raised.value.detail
    assert "new tag" in raised.value.detail
    assert ecr_digest_of(stack, IMMUTABLE_REPOSITORY, "1.0") == first.digest


@pytest.mark.docker
def test_push_to_a_missing_repository_says_to_create_it(
    stack: Stack, workbench: LocalDocker
) -> None:
    docker_side = logged_in(stack, workbench)
    target = f"{stack.registry.host}/workflows/never-created"
    docker_side.tag(fresh_image(stack), target, "1")

    with pytest.raises(DockerActionError) as raised:
        docker_side.push(target, "1")

    assert raised.value.title == "Repository not found"
    assert "create the repository" in raised.value.detail


@pytest.mark.docker
def test_pull_back_into_a_daemon_without_the_image(stack: Stack, workbench: LocalDocker) -> None:
    docker_side = logged_in(stack, workbench)
    target = repository_uri(stack, MUTABLE_REPOSITORY)
    source = fresh_image(stack, size=512 * 1024)
    docker_side.tag(source, target, "pull-me")
    pushed = docker_side.push(target, "pull-me")
    stack.sdk.images.remove(f"{target}:pull-me")
    stack.sdk.images.remove(source)
    assert f"{target}:pull-me" not in {i.reference for i in docker_side.list_local_images()}
    events: list[TransferProgress] = []

    result = docker_side.pull(f"{target}:pull-me", on_progress=events.append)

    assert result.digest == pushed.digest
    local = [i for i in docker_side.list_local_images() if i.reference == f"{target}:pull-me"]
    assert len(local) == 1 and local[0].size_bytes >= 512 * 1024
    assert any(layer.status == "Downloading" for event in events for layer in event.layers)
    assert events[-1].finished and events[-1].bytes_done == events[-1].bytes_total > 0


@pytest.mark.docker
def test_pull_of_an_unknown_tag_says_so(stack: Stack, workbench: LocalDocker) -> None:
    docker_side = logged_in(stack, workbench)
    target = repository_uri(stack, MUTABLE_REPOSITORY)

    with pytest.raises(DockerActionError) as raised:
        docker_side.pull(f"{target}:no-such-tag")

    assert raised.value.title == "Image not found"


@pytest.mark.docker
def test_cancel_stops_a_pull(stack: Stack, workbench: LocalDocker) -> None:
    docker_side = logged_in(stack, workbench)
    target = repository_uri(stack, MUTABLE_REPOSITORY)
    source = fresh_image(stack, size=16 * 1024 * 1024)
    docker_side.tag(source, target, "cancel-me")
    docker_side.push(target, "cancel-me")
    stack.sdk.images.remove(f"{target}:cancel-me")
    stack.sdk.images.remove(source)
    seen: list[TransferProgress] = []

    def downloading() -> bool:
        return any(layer.status == "Downloading" for layer in seen[-1].layers)

    result = docker_side.pull(
        f"{target}:cancel-me", on_progress=seen.append, is_cancelled=downloading
    )

    assert result.cancelled
    assert not seen[-1].finished
    assert seen[-1].bytes_done < seen[-1].bytes_total
    # Had the daemon gone on, 16 MB over loopback would land well within this watch.
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        references = {image.reference for image in docker_side.list_local_images()}
        assert f"{target}:cancel-me" not in references
        time.sleep(0.1)


# -- without a daemon -------------------------------------------------------------------


def test_availability_names_a_missing_socket(tmp_path: Path) -> None:
    socket_path = tmp_path / "docker.sock"

    message = LocalDocker(f"unix://{socket_path}").availability()

    assert message == (
        f"Docker is not running or {socket_path} is not reachable: start Docker or set DOCKER_HOST."
    )


def test_availability_names_docker_host_when_it_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")

    message = LocalDocker().availability()

    assert message == (
        "Docker at tcp://127.0.0.1:1 (DOCKER_HOST) refused the connection: "
        "start it there or fix DOCKER_HOST."
    )


def test_availability_explains_the_default_socket(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    if Path("/var/run/docker.sock").exists():
        pytest.fail("this machine has a Docker daemon on the default socket: the case cannot run")

    message = LocalDocker().availability()

    assert message == (
        "Docker is not running or /var/run/docker.sock is not reachable: "
        "start Docker or set DOCKER_HOST."
    )


def test_login_state_asks_again_five_minutes_before_expiry() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    assert LoginState("r", None).needs_login(now)
    assert LoginState("r", now + timedelta(minutes=5)).needs_login(now)
    assert not LoginState("r", now + timedelta(minutes=6)).needs_login(now)
    assert not LoginState("r", now + timedelta(hours=12)).needs_login(now)


def test_ecr_token_decodes_without_showing_the_password() -> None:
    token = base64.b64encode(b"AWS:s3cr3t-token").decode()

    credentials = credentials_from_token(token, "https://1.dkr.ecr.eu-west-1.amazonaws.com")

    assert (credentials.username, credentials.password) == ("AWS", "s3cr3t-token")
    assert "s3cr3t" not in repr(credentials)
    with pytest.raises(DockerActionError):
        credentials_from_token("not base64!", "https://x")


def test_store_cli_login_writes_auths_like_docker_login(tmp_path: Path) -> None:
    config_path = tmp_path / ".docker" / "config.json"
    config_path.parent.mkdir()
    config_path.write_text(json.dumps({"auths": {"other.example": {"auth": "eDp5"}}, "x": 1}))

    result = store_cli_login(
        "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", "AWS", "pw:with:colons", config_path
    )

    assert result.method is CliLoginMethod.CONFIG_FILE
    assert result.registry == "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    config = json.loads(config_path.read_text())
    assert config["x"] == 1 and config["auths"]["other.example"] == {"auth": "eDp5"}
    stored = config["auths"]["123456789012.dkr.ecr.eu-west-1.amazonaws.com"]["auth"]
    assert base64.b64decode(stored) == b"AWS:pw:with:colons"
    assert config_path.stat().st_mode & 0o777 == 0o600
    assert "pw:with" not in result.message


def test_store_cli_login_creates_the_config_under_docker_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "dockercfg"))

    result = store_cli_login("http://127.0.0.1:5000", "AWS", "pw")

    assert result.config_path == tmp_path / "dockercfg" / "config.json"
    config = json.loads(result.config_path.read_text())
    assert base64.b64decode(config["auths"]["127.0.0.1:5000"]["auth"]) == b"AWS:pw"


@pytest.mark.parametrize(
    "config",
    [
        {"credHelpers": {"123456789012.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"}},
        {"credsStore": "ecr-login"},
    ],
)
def test_store_cli_login_leaves_ecr_logins_to_the_ecr_helper(
    tmp_path: Path, config: dict[str, Any]
) -> None:
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))

    result = store_cli_login(
        "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", "AWS", "pw", config_path
    )

    assert result.method is CliLoginMethod.ECR_HELPER
    assert "ecr-login" in result.message
    assert json.loads(config_path.read_text()) == config


def test_store_cli_login_never_overwrites_a_broken_config(tmp_path: Path) -> None:
    config_path = tmp_path / "config.json"
    config_path.write_text("{not json")

    with pytest.raises(DockerActionError) as raised:
        store_cli_login("127.0.0.1:5000", "AWS", "pw", config_path)

    assert "not valid JSON" in raised.value.detail
    assert config_path.read_text() == "{not json"
