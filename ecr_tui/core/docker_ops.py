"""The Docker side of the app: log in, list, tag, push and pull through the docker SDK.

Nothing here knows about Textual. Calls block and are meant to run in worker
threads; pushes and pulls report progress through a callback as frozen records
and check a cancel callback between the daemon's progress messages, so the UI
never sees a docker-py object or a traceback. Every failure becomes a
`DockerActionError` whose message says what went wrong and what to do next.

Passwords only travel to the daemon (in the login request and the
`X-Registry-Auth` header), to a credential helper's stdin, or into the Docker
config file, exactly where `docker login` puts them; they never reach argv, a
log or an exception message.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import enum
import errno
import json
import os
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import docker
import requests
from docker import auth as docker_auth
from docker import errors as docker_errors
from docker.context import ContextAPI
from docker.utils import parse_repository_tag

DEFAULT_SOCKET = "/var/run/docker.sock"

# Long enough for a login the daemon forwards to a distant registry; streams
# (push, pull) have no read limit at all because layers can take minutes.
REQUEST_TIMEOUT_SECONDS = 30

# Log in again when the registry token has less than this left, so that a push
# started now does not die half-way (ECR tokens last 12 hours).
RELOGIN_MARGIN = timedelta(minutes=5)

# amazon-ecr-credential-helper's name in config.json; it mints ECR logins itself.
ECR_CREDENTIAL_HELPER = "ecr-login"

# Statuses after which a layer has no more bytes to move.
_LAYER_DONE_STATUSES = (
    "pushed",
    "layer already exists",
    "mounted from",
    "already exists",
    "download complete",
    "pull complete",
)


def _is_done(status: str) -> bool:
    return status.lower().startswith(_LAYER_DONE_STATUSES)


class DockerActionError(Exception):
    """A Docker operation failed; `str()` is a message fit to show the user."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(f"{title}: {detail}")
        self.title = title
        self.detail = detail


# -- records that cross to the UI --------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocalImage:
    """One `repository:tag` of an image held by the Docker daemon."""

    repository: str  # "<none>" for an untagged image, as `docker images` shows it
    tag: str
    image_id: str  # the first 12 hex digits of the image id
    size_bytes: int
    created_at: datetime | None

    @property
    def reference(self) -> str:
        """What `docker tag` or `docker push` would take."""
        return f"{self.repository}:{self.tag}"


@dataclass(frozen=True, slots=True)
class LayerProgress:
    """Where one layer of a push or pull stands, in the daemon's own words."""

    layer_id: str
    status: str  # "Pushing", "Downloading", "Extracting", "Pull complete"...
    current: int  # bytes of the current step (download, upload or extraction)
    total: int | None  # None while the daemon has not said

    @property
    def done(self) -> bool:
        """True once the layer needs nothing more (moved, already there, or extracted)."""
        return _is_done(self.status)

    @property
    def fraction(self) -> float | None:
        """How far the current step is, from 0 to 1, when the total is known."""
        if not self.total:
            return None
        return min(1.0, self.current / self.total)


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """A snapshot of a whole push or pull, sent after each daemon message."""

    action: str  # "push" or "pull"
    reference: str
    layers: tuple[LayerProgress, ...]
    bytes_done: int  # bytes moved over the network, over the layers whose size is known
    bytes_total: int
    message: str = ""  # the latest line that is not about one layer
    finished: bool = False


@dataclass(frozen=True, slots=True)
class TransferResult:
    """How a push or pull ended."""

    action: str
    reference: str
    digest: str | None  # the manifest digest the registry reported
    bytes_total: int
    layer_count: int
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class RegistryCredentials:
    """A registry login decoded from an ECR authorization token."""

    registry: str  # the token's proxyEndpoint, e.g. https://123.dkr.ecr.eu-west-1.amazonaws.com
    username: str
    password: str = field(repr=False)
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LoginState:
    """When the daemon's login to one registry runs out."""

    registry: str  # host[:port], as Docker keys its logins
    expires_at: datetime | None  # None: unknown, so treated as already expired

    def needs_login(self, now: datetime | None = None) -> bool:
        """True when the login is unknown or has less than five minutes left."""
        if self.expires_at is None:
            return True
        now = now or datetime.now(UTC)
        return self.expires_at - now <= RELOGIN_MARGIN


class CliLoginMethod(enum.StrEnum):
    """How `store_cli_login` kept the login."""

    CONFIG_FILE = "config file"
    CREDENTIAL_HELPER = "credential helper"
    ECR_HELPER = "ecr-login helper"


@dataclass(frozen=True, slots=True)
class CliLoginResult:
    """What `store_cli_login` did, in words the UI can show as they are."""

    registry: str
    method: CliLoginMethod
    config_path: Path
    message: str


def credentials_from_token(
    authorization_token: str, proxy_endpoint: str, expires_at: datetime | None = None
) -> RegistryCredentials:
    """Decode GetAuthorizationToken's base64 `user:password` into a registry login."""
    try:
        decoded = base64.b64decode(authorization_token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise DockerActionError(
            "Unreadable ECR token", "the authorization token is not base64 text: ask for a new one."
        ) from None
    username, separator, password = decoded.partition(":")
    if not separator or not username:
        raise DockerActionError(
            "Unreadable ECR token",
            "the authorization token has no user name: ask for a new one.",
        )
    return RegistryCredentials(proxy_endpoint, username, password, expires_at)


def registry_host(registry: str) -> str:
    """The `host[:port]` Docker keys logins by, from a URL or a bare host."""
    return docker_auth.convert_to_hostname(registry.strip())


# -- the daemon ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Endpoint:
    """Where the daemon is, and how to name that place in a message."""

    base_url: str | None  # None: the SDK's default socket
    origin: str  # "DOCKER_HOST", "context NAME" or "default"
    tls: Any = None  # a docker.tls.TLSConfig, when the context asks for one

    @property
    def label(self) -> str:
        if self.base_url is None:
            return DEFAULT_SOCKET
        # Contexts store unix sockets as http+unix://.
        return self.base_url.removeprefix("http+").removeprefix("unix://")


class LocalDocker:
    """One Docker daemon, found like the docker CLI finds it, connected on first use.

    The daemon is chosen by `base_url`, else `DOCKER_HOST` (unix, tcp or ssh
    with the TLS variables), else the current docker context
    (`DOCKER_CONTEXT` or `currentContext` in config.json), else the default
    socket. Safe to share between worker threads.
    """

    def __init__(self, base_url: str | None = None) -> None:
        self._base_url = base_url
        self._lock = threading.Lock()
        self._client: docker.DockerClient | None = None
        self._logins: dict[str, LoginState] = {}

    # -- connection ----------------------------------------------------------------

    def _endpoint(self) -> _Endpoint:
        if self._base_url:
            return _Endpoint(self._base_url, "given")
        host = os.environ.get("DOCKER_HOST")
        if host:
            return _Endpoint(host, "DOCKER_HOST")
        context_name = os.environ.get("DOCKER_CONTEXT") or _current_context_name()
        if context_name and context_name != "default":
            context = ContextAPI.get_context(context_name)
            if context is None:
                raise DockerActionError(
                    "Unknown docker context",
                    f"context {context_name!r} (DOCKER_CONTEXT or config.json) does not exist: "
                    "pick another with `docker context use`.",
                )
            return _Endpoint(context.Host, f"context {context_name}", context.TLSConfig)
        return _Endpoint(None, "default")

    def _connect(self) -> docker.DockerClient:
        endpoint = self._endpoint()
        if endpoint.origin == "DOCKER_HOST":
            # from_env also applies DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
            return docker.DockerClient.from_env(timeout=REQUEST_TIMEOUT_SECONDS)
        kwargs: dict[str, Any] = {"timeout": REQUEST_TIMEOUT_SECONDS}
        if endpoint.base_url is not None:
            kwargs["base_url"] = endpoint.base_url
        if endpoint.tls is not None:
            kwargs["tls"] = endpoint.tls
        return docker.DockerClient(**kwargs)

    def client(self) -> docker.DockerClient:
        """The SDK client, connected on first use; raises DockerActionError if unreachable."""
        with self._lock:
            if self._client is None:
                try:
                    self._client = self._connect()
                except DockerActionError:
                    raise
                except Exception as error:  # the SDK raises many types; all mean "unreachable"
                    raise self._unreachable(error) from None
            return self._client

    def availability(self) -> str | None:
        """None when the daemon answers, else a plain sentence saying what is missing."""
        try:
            self.client().ping()
        except DockerActionError as error:
            return error.detail
        except Exception as error:  # a daemon that went away after the first contact
            with self._lock:
                self._client = None
            return self._explain_unreachable(error)
        return None

    def ping(self) -> bool:
        """True when the daemon answers."""
        return self.availability() is None

    def close(self) -> None:
        """Drop the connection pool; the next call connects again."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _explain_unreachable(self, error: BaseException) -> str:
        endpoint = self._endpoint_or_default()
        where = endpoint.label
        named = f" ({endpoint.origin})" if endpoint.origin not in ("default", "given") else ""
        if endpoint.origin == "DOCKER_HOST":
            fix = "fix DOCKER_HOST"
        elif endpoint.origin.startswith("context "):
            fix = "switch with `docker context use`"
        else:
            fix = "set DOCKER_HOST"
        is_ssh = (endpoint.base_url or "").startswith("ssh://")
        text = str(error)
        if is_ssh and "paramiko" in text:
            return (
                f"{where}{named} uses SSH, which needs the paramiko package: "
                "run `pip install paramiko` (or docker[ssh])."
            )
        if isinstance(error, docker_errors.TLSParameterError):
            return f"Docker's TLS settings are wrong: {error}: check DOCKER_CERT_PATH."
        cause = _first_os_error(error)
        if is_ssh:
            if type(error).__name__ == "AuthenticationException":
                return (
                    f"the SSH server of {where} refused the login: check your SSH key "
                    "or agent (`ssh` to it by hand once)."
                )
            reason = _os_error_text(cause) if cause else text
            return (
                f"cannot reach the Docker host {where} over SSH ({reason}): "
                f"check the host name, the network and your SSH access, or {fix}."
            )
        if isinstance(cause, PermissionError) or (cause and cause.errno == errno.EACCES):
            return (
                f"permission denied on {where}: add your user to the docker group "
                "(`sudo usermod -aG docker $USER`), then log out and in again."
            )
        if isinstance(cause, FileNotFoundError) or endpoint.base_url is None:
            return (
                f"Docker is not running or {where}{named} is not reachable: start Docker or {fix}."
            )
        if isinstance(cause, ConnectionRefusedError):
            return f"Docker at {where}{named} refused the connection: start it there or {fix}."
        if isinstance(cause, socket.gaierror):
            return f"cannot resolve the Docker host in {where}{named}: {fix}."
        if isinstance(cause, TimeoutError) or "timed out" in text.lower():
            return f"Docker at {where}{named} did not answer in time: check the network or {fix}."
        reason = _os_error_text(cause) if cause else _short(text)
        return f"Docker at {where}{named} is not reachable ({reason}): start Docker or {fix}."

    def _unreachable(self, error: BaseException) -> DockerActionError:
        return DockerActionError("Docker unavailable", self._explain_unreachable(error))

    def _endpoint_or_default(self) -> _Endpoint:
        try:
            return self._endpoint()
        except Exception:  # a broken context: name the default socket instead
            return _Endpoint(None, "default")

    # -- login -------------------------------------------------------------------

    def login(
        self,
        registry: str,
        username: str,
        password: str,
        expires_at: datetime | None = None,
    ) -> LoginState:
        """Log the daemon in to a registry (ECR: the token's proxyEndpoint), replacing any login.

        The SDK keeps the login in memory and sends it with every later push
        and pull to that registry; the daemon checks it against the registry now.
        """
        client = self.client()
        try:
            client.login(username=username, password=password, registry=registry, reauth=True)
        except docker_errors.APIError as error:
            raise _translate(_api_error_text(error), "login", registry, registry) from None
        except requests.exceptions.RequestException as error:
            raise self._unreachable(error) from None
        state = LoginState(registry_host(registry), expires_at)
        with self._lock:
            self._logins[state.registry] = state
        return state

    def login_state(self, registry: str) -> LoginState | None:
        """The login this object made to a registry, if any."""
        with self._lock:
            return self._logins.get(registry_host(registry))

    def needs_login(self, registry: str, now: datetime | None = None) -> bool:
        """True when there is no login to this registry or it expires within five minutes."""
        state = self.login_state(registry)
        return state is None or state.needs_login(now)

    # -- images ------------------------------------------------------------------

    def list_local_images(self) -> list[LocalImage]:
        """Every tag of every image in the daemon, newest first, untagged ones as <none>."""
        try:
            rows: list[dict[str, Any]] = self.client().api.images()
        except docker_errors.APIError as error:
            raise DockerActionError("Cannot list images", _api_error_text(error)) from None
        except requests.exceptions.RequestException as error:
            raise self._unreachable(error) from None
        images: list[LocalImage] = []
        for row in sorted(rows, key=lambda r: int(r.get("Created") or 0), reverse=True):
            created = row.get("Created")
            created_at = datetime.fromtimestamp(int(created), UTC) if created else None
            short_id = str(row.get("Id", "")).removeprefix("sha256:")[:12]
            size = int(row.get("Size") or 0)
            for reference in row.get("RepoTags") or ["<none>:<none>"]:
                repository, _, tag = str(reference).rpartition(":")
                images.append(LocalImage(repository, tag, short_id, size, created_at))
        return images

    def tag(self, source: str, target_repo: str, tag: str) -> None:
        """Give a local image (id or reference) a new name, like `docker tag`."""
        try:
            self.client().api.tag(source, target_repo, tag)
        except docker_errors.ImageNotFound:
            raise DockerActionError(
                "No such local image", f"Docker has no image {source}: pull or build it first."
            ) from None
        except docker_errors.APIError as error:
            raise _translate(_api_error_text(error), "tag", target_repo, target_repo) from None
        except requests.exceptions.RequestException as error:
            raise self._unreachable(error) from None

    def push(
        self,
        repository_uri: str,
        tag: str,
        on_progress: Callable[[TransferProgress], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
    ) -> TransferResult:
        """Push `repository_uri:tag` with the login made for its registry."""
        registry, _ = docker_auth.resolve_repository_name(repository_uri)
        path = f"/images/{quote_plus(repository_uri, safe='/:')}/push"
        return self._transfer(
            "push",
            f"{repository_uri}:{tag}",
            registry,
            path,
            params={"tag": tag},
            body=b"{}",
            on_progress=on_progress,
            is_cancelled=is_cancelled,
        )

    def pull(
        self,
        reference: str,
        on_progress: Callable[[TransferProgress], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
    ) -> TransferResult:
        """Pull `repo:tag` or `repo@sha256:...` (tag `latest` when none is given)."""
        repository, tag_or_digest = parse_repository_tag(reference)
        registry, _ = docker_auth.resolve_repository_name(repository)
        params = {"fromImage": repository, "tag": tag_or_digest or "latest"}
        return self._transfer(
            "pull",
            reference,
            registry,
            "/images/create",
            params=params,
            body=None,
            on_progress=on_progress,
            is_cancelled=is_cancelled,
        )

    def _transfer(
        self,
        action: str,
        reference: str,
        registry: str,
        path: str,
        *,
        params: dict[str, str],
        body: bytes | None,
        on_progress: Callable[[TransferProgress], None] | None,
        is_cancelled: Callable[[], bool] | None,
    ) -> TransferResult:
        # The request is made here rather than through api.push/api.pull so that we
        # hold the response: closing it is what makes the daemon abandon a transfer.
        api = self.client().api
        headers = {"Content-Type": "application/json"}
        auth_header = docker_auth.get_config_header(api, registry)
        if auth_header:
            headers["X-Registry-Auth"] = auth_header.decode("ascii")
        tracker = _ProgressTracker(action, reference)
        try:
            response = api.post(
                f"{api.base_url}/v{api.api_version}{path}",
                params=params,
                data=body,
                headers=headers,
                stream=True,
                timeout=(REQUEST_TIMEOUT_SECONDS, None),
            )
        except requests.exceptions.RequestException as error:
            raise self._unreachable(error) from None
        with contextlib.closing(response):
            if response.status_code >= 400:
                raise _translate(_response_message(response), action, registry, reference)
            try:
                for event in _json_events(response):
                    error_text = event.get("error") or (event.get("errorDetail") or {}).get(
                        "message"
                    )
                    if error_text:
                        raise _translate(str(error_text), action, registry, reference)
                    snapshot = tracker.update(event)
                    if on_progress is not None:
                        on_progress(snapshot)
                    if is_cancelled is not None and is_cancelled():
                        return tracker.result(cancelled=True)
            except requests.exceptions.RequestException:
                raise DockerActionError(
                    "Lost Docker",
                    f"the connection to the Docker daemon broke during the {action}: "
                    "check that Docker is still running, then try again.",
                ) from None
        final = tracker.finish()
        if on_progress is not None:
            on_progress(final)
        return tracker.result(cancelled=False)


def _current_context_name() -> str | None:
    config_path = docker_config_path()
    try:
        name = json.loads(config_path.read_text()).get("currentContext")
    except (OSError, ValueError, AttributeError):
        return None
    return str(name) if name else None


def _json_events(response: requests.Response) -> Iterator[dict[str, Any]]:
    """The daemon's progress messages, one dict each, as soon as each arrives."""
    decoder = json.JSONDecoder()
    # Incremental, so a character split between two chunks survives.
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buffer = ""
    # chunk_size=None yields each HTTP chunk as it comes; the daemon flushes one per message.
    for chunk in response.iter_content(chunk_size=None):
        buffer += text.decode(chunk)
        while True:
            buffer = buffer.lstrip()
            if not buffer:
                break
            try:
                event, end = decoder.raw_decode(buffer)
            except ValueError:
                break  # an incomplete message: wait for the rest
            buffer = buffer[end:]
            if isinstance(event, dict):
                yield event


class _ProgressTracker:
    """Folds the daemon's messages into per-layer state and byte totals."""

    def __init__(self, action: str, reference: str) -> None:
        self.action = action
        self.reference = reference
        self.layers: dict[str, LayerProgress] = {}
        # Network bytes per layer, apart from `layers` because extraction restarts the counts.
        self.sizes: dict[str, int] = {}
        self.moved: dict[str, int] = {}
        self.message = ""
        self.digest: str | None = None

    def update(self, event: dict[str, Any]) -> TransferProgress:
        status = str(event.get("status") or "")
        layer_id = event.get("id")
        aux = event.get("aux")
        if isinstance(aux, dict) and aux.get("Digest"):
            self.digest = str(aux["Digest"])
        if status.startswith("Digest: "):
            self.digest = status.removeprefix("Digest: ").strip()
        detail = event.get("progressDetail") or {}
        # Pull names the image itself in "Pulling from repo": that id is not a layer.
        if layer_id and not status.startswith("Pulling from"):
            self._update_layer(str(layer_id), status, detail)
        elif status:
            self.message = status
        return self.snapshot(finished=False)

    def _update_layer(self, layer_id: str, status: str, detail: dict[str, Any]) -> None:
        current = int(detail.get("current") or 0)
        total = int(detail["total"]) if detail.get("total") else None
        if status.lower() in ("pushing", "downloading") and total:
            self.sizes[layer_id] = total
            # Push counts compressed bytes against the uncompressed size: cap it.
            self.moved[layer_id] = min(max(current, self.moved.get(layer_id, 0)), total)
        elif _is_done(status) and layer_id in self.sizes:
            # The daemon sends no byte counts with "Pushed" or "Pull complete": show it full.
            current = total = self.moved[layer_id] = self.sizes[layer_id]
        self.layers[layer_id] = LayerProgress(layer_id, status, current, total)

    def snapshot(self, finished: bool) -> TransferProgress:
        return TransferProgress(
            self.action,
            self.reference,
            tuple(self.layers.values()),
            sum(self.moved.values()),
            sum(self.sizes.values()),
            self.message,
            finished,
        )

    def finish(self) -> TransferProgress:
        # A finished transfer moved every byte, whatever the last messages counted.
        self.moved = dict(self.sizes)
        return self.snapshot(finished=True)

    def result(self, cancelled: bool) -> TransferResult:
        return TransferResult(
            self.action,
            self.reference,
            self.digest,
            sum(self.sizes.values()),
            len(self.layers),
            cancelled,
        )


# -- errors ------------------------------------------------------------------------


def _api_error_text(error: docker_errors.APIError) -> str:
    return str(error.explanation or error)


def _response_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip() or f"HTTP {response.status_code}"
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return f"HTTP {response.status_code}"


def _after(text: str, marker: str) -> str:
    """The daemon's words after `marker` (which registries put before their reason)."""
    index = text.lower().find(marker)
    return text[index + len(marker) :].strip() if index >= 0 else text.strip()


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _translate(message: str, action: str, registry: str, target: str) -> DockerActionError:
    """Turn the daemon's (or the registry's) words into a title and a next step."""
    host = registry_host(registry) or registry
    lowered = message.lower()
    if "no basic auth credentials" in lowered:
        return DockerActionError(
            "Not logged in", f"Docker has no login for {host}: log in to the registry first."
        )
    if "authorization token has expired" in lowered:
        return DockerActionError(
            "Login expired", f"the ECR token for {host} has expired: log in again."
        )
    if "denied:" in lowered or lowered.startswith("denied"):
        reason = _after(message, "denied:")
        permissions = (
            "ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage"
            if action == "push"
            else "ecr:BatchGetImage and ecr:GetDownloadUrlForLayer"
        )
        return DockerActionError(
            "Access denied",
            f"{host} refused the {action}: {_short(reason)} "
            f"(a {action} to ECR needs {permissions} on the repository).",
        )
    if "unauthorized" in lowered:
        return DockerActionError(
            "Login refused",
            f"{host} did not accept the user name or password: log in again "
            "with a fresh token (ECR tokens last 12 hours).",
        )
    if "tag invalid" in lowered:
        reason = _after(message, "tag invalid:")
        return DockerActionError("Tag cannot be overwritten", f"{reason} Push under a new tag.")
    if "name unknown" in lowered:
        reason = _after(message, "name unknown:")
        return DockerActionError(
            "Repository not found",
            f"{_short(reason)}: create the repository first, or check the name.",
        )
    if "manifest unknown" in lowered:
        return DockerActionError(
            "Image not found",
            f"{target} has no such tag or digest in the registry: check the reference.",
        )
    if "does not exist locally" in lowered or "no such image" in lowered:
        return DockerActionError(
            "No such local image", f"Docker has no image {target}: tag or pull one first."
        )
    if "connection refused" in lowered:
        return DockerActionError(
            "Registry unreachable",
            f"{host} refused the connection: check that the registry runs and the address "
            "is right.",
        )
    if "no such host" in lowered:
        return DockerActionError(
            "Registry unknown", f"cannot resolve {host}: check the name, DNS and VPN."
        )
    if "server gave http response to https client" in lowered:
        return DockerActionError(
            "Registry is plain HTTP",
            f"{host} does not speak HTTPS: add it to the daemon's insecure-registries.",
        )
    if "toomanyrequests" in lowered or "too many requests" in lowered:
        return DockerActionError(
            "Registry is throttling", f"{host} asks to slow down: retry later."
        )
    if "timeout" in lowered or "timed out" in lowered:
        return DockerActionError(
            "Registry timed out", f"{host} did not answer in time: check the network and retry."
        )
    return DockerActionError(f"Docker {action} failed", _short(message))


def _exception_chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what caused it, and the errors the HTTP stack wrapped inside it."""
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        nested.extend(current.args)
        pending.extend(item for item in nested if isinstance(item, BaseException))


def _first_os_error(error: BaseException) -> OSError | None:
    """The socket-level failure inside the HTTP stack's wrappers, errno-bearing first."""
    candidates = [
        item
        for item in _exception_chain(error)
        # requests' errors are OSErrors too, but they only wrap the real one.
        if isinstance(item, OSError) and not isinstance(item, requests.RequestException)
    ]
    with_errno = [item for item in candidates if item.errno is not None]
    found = with_errno or candidates
    return found[0] if found else None


def _os_error_text(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


# -- the docker CLI's login store --------------------------------------------------


def docker_config_path() -> Path:
    """Where the docker CLI keeps config.json: $DOCKER_CONFIG, else ~/.docker."""
    folder = os.environ.get("DOCKER_CONFIG")
    return Path(folder) / "config.json" if folder else Path.home() / ".docker" / "config.json"


def store_cli_login(
    registry: str,
    username: str,
    password: str,
    config_path: Path | None = None,
) -> CliLoginResult:
    """Keep a login for the docker CLI the way `docker login` does.

    A credential helper named for the registry in `credHelpers`, else the
    `credsStore` one, receives the login on stdin; amazon-ecr-credential-helper
    (`ecr-login`) mints its own logins, so nothing is stored for it. Without a
    helper the login goes, base64-encoded, into `auths` of config.json.
    """
    path = config_path or docker_config_path()
    host = registry_host(registry)
    config = _read_config(path)
    helpers = config.get("credHelpers") or {}
    helper = helpers.get(host) if isinstance(helpers, dict) else None
    helper = helper or config.get("credsStore")
    if helper == ECR_CREDENTIAL_HELPER:
        return CliLoginResult(
            host,
            CliLoginMethod.ECR_HELPER,
            path,
            f"amazon-ecr-credential-helper (ecr-login) already logs the docker CLI in to "
            f"{host}: nothing to store.",
        )
    auths = config.setdefault("auths", {})
    if not isinstance(auths, dict):
        raise DockerActionError(
            "Unreadable Docker config", f"`auths` in {path} is not an object: fix the file."
        )
    if helper:
        _run_credential_helper(str(helper), host, username, password)
        # `docker login` leaves an empty entry so the CLI knows the registry has a login.
        auths[host] = {}
        _write_config(path, config)
        return CliLoginResult(
            host,
            CliLoginMethod.CREDENTIAL_HELPER,
            path,
            f"Saved the login for {host} with docker-credential-{helper}.",
        )
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    entry = auths.get(host)
    auths[host] = {**(entry if isinstance(entry, dict) else {}), "auth": token}
    _write_config(path, config)
    return CliLoginResult(
        host, CliLoginMethod.CONFIG_FILE, path, f"Saved the login for {host} in {path}."
    )


def _read_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise DockerActionError(
            "Cannot read Docker config", f"{path}: {_os_error_text(error)}."
        ) from None
    try:
        config = json.loads(text) if text.strip() else {}
    except ValueError:
        # Never overwrite a file we cannot read: it may hold other logins.
        raise DockerActionError(
            "Unreadable Docker config", f"{path} is not valid JSON: fix or move it, then retry."
        ) from None
    if not isinstance(config, dict):
        raise DockerActionError(
            "Unreadable Docker config", f"{path} is not a JSON object: fix or move it."
        )
    return config


def _write_config(path: Path, config: dict[str, Any]) -> None:
    """Replace config.json in one step, readable by its owner only, as the CLI does."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".config-", dir=path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(config, handle, indent="\t")
                handle.write("\n")
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise DockerActionError(
            "Cannot write Docker config", f"{path}: {_os_error_text(error)}."
        ) from None


def _run_credential_helper(helper: str, host: str, username: str, password: str) -> None:
    program = f"docker-credential-{helper}"
    payload = json.dumps({"ServerURL": host, "Username": username, "Secret": password})
    try:
        completed = subprocess.run(
            [program, "store"],
            input=payload.encode(),
            capture_output=True,
            timeout=REQUEST_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise DockerActionError(
            "Credential helper missing",
            f"config.json names {program}, which is not installed: install it, "
            "or remove it from credsStore / credHelpers.",
        ) from None
    except subprocess.TimeoutExpired:
        raise DockerActionError(
            "Credential helper stuck", f"{program} did not finish: is a keychain prompt open?"
        ) from None
    if completed.returncode != 0:
        said = (completed.stdout or completed.stderr).decode("utf-8", errors="replace")
        raise DockerActionError(
            "Credential helper failed", f"{program} could not store the login: {_short(said)}"
        )
