"""`LocalDocker`, the daemon as the app uses it: log in, list and tag local images, push, pull.

Finding and connecting to the daemon is daemon.py, pushing and pulling is
transfers.py; this adds the registry logins and the local images. The password
of a login only travels to the daemon, in the login request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from docker import errors as docker_errors

from ecr_tui.core.docker.errors import DockerActionError
from ecr_tui.core.docker.login import LoginState, registry_host
from ecr_tui.core.docker.registry_errors import api_error_text, translate_daemon_message
from ecr_tui.core.docker.transfers import ImageTransfers


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


class LocalDocker(ImageTransfers):
    """One Docker daemon (found and connected by `DockerDaemon`) and what the app asks of it.

    Push and pull come from `ImageTransfers`. Safe to share between worker threads.
    """

    def __init__(self, base_url: str | None = None) -> None:
        super().__init__(base_url)
        self._logins: dict[str, LoginState] = {}

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
            raise translate_daemon_message(
                api_error_text(error), "login", registry, registry
            ) from None
        except requests.exceptions.RequestException as error:
            raise self._unreachable(error) from None
        state = LoginState(registry_host(registry), expires_at)
        with self._lock:
            self._logins[state.registry] = state
        return state

    def _forget_client(self) -> None:
        # The SDK client holds the logins (and sends them with each push and pull):
        # a new client, as after the daemon went away, has none of them.
        super()._forget_client()
        self._logins.clear()

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
            raise DockerActionError("Cannot list images", api_error_text(error)) from None
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
            raise translate_daemon_message(
                api_error_text(error), "tag", target_repo, target_repo
            ) from None
        except requests.exceptions.RequestException as error:
            raise self._unreachable(error) from None
