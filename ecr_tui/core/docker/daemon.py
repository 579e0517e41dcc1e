"""Find the Docker daemon the way the docker CLI does, connect to it, say why it is unreachable.

`DockerDaemon` is the connection only; what the app does with the daemon (log
in, list, tag, push, pull) is `LocalDocker` in local_docker.py.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docker
import requests
from docker import errors as docker_errors
from docker.context import ContextAPI

from ecr_tui.core.docker.cli_config import docker_config_path
from ecr_tui.core.docker.errors import (
    DockerActionError,
    DockerUnavailable,
    os_error_text,
    short_text,
)

DEFAULT_SOCKET = "/var/run/docker.sock"

# Long enough for a login the daemon forwards to a distant registry; streams
# (push, pull) have no read limit at all because layers can take minutes.
REQUEST_TIMEOUT_SECONDS = 30


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


class DockerDaemon:
    """One Docker daemon, found like the docker CLI finds it, connected on first use.

    The daemon is chosen by `base_url`, else `DOCKER_HOST` (unix, tcp or ssh
    with the TLS variables), else the current docker context
    (`DOCKER_CONTEXT` or `currentContext` in config.json), else the default
    socket. Safe to share between worker threads.
    """

    def __init__(self, base_url: str | None = None) -> None:
        self._base_url = base_url
        # Guards the client here, and what subclasses keep per daemon (LocalDocker's logins).
        self._lock = threading.Lock()
        self._client: docker.DockerClient | None = None

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
                self._forget_client()
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
            self._forget_client()

    def _forget_client(self) -> None:
        """Drop the SDK client (the lock held): the next call connects afresh."""
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
            reason = os_error_text(cause) if cause else text
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
        reason = os_error_text(cause) if cause else short_text(text)
        return f"Docker at {where}{named} is not reachable ({reason}): start Docker or {fix}."

    def _unreachable(self, error: BaseException) -> DockerUnavailable:
        return DockerUnavailable("Docker unavailable", self._explain_unreachable(error))

    def _endpoint_or_default(self) -> _Endpoint:
        try:
            return self._endpoint()
        except Exception:  # a broken context: name the default socket instead
            return _Endpoint(None, "default")


def _current_context_name() -> str | None:
    """The context config.json makes current, if any; an unreadable file names none."""
    config_path = docker_config_path()
    try:
        name = json.loads(config_path.read_text()).get("currentContext")
    except (OSError, ValueError, AttributeError):
        return None
    return str(name) if name else None


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
