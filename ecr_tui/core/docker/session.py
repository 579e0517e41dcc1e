"""Docker actions against one ECR registry: log in with ECR's token, then push and pull.

`DockerSession` joins the two halves of the core: `EcrService` asks ECR for an
authorization token, `LocalDocker` hands the login to the Docker daemon and
moves images. It logs in again by itself before a push or pull when the login
is missing or about to expire, so a user who left the app open overnight can
still push. Nothing here knows about Textual; calls block and are meant to run
in worker threads.

The password decoded from the token only lives for the duration of a call: it
goes to the daemon (or the docker CLI's store) and is dropped.
"""

from __future__ import annotations

from ecr_tui.core.docker.credential_store import (
    CliLoginPlan,
    CliLoginResult,
    plan_cli_login,
    store_cli_login,
)
from ecr_tui.core.docker.errors import DockerActionError
from ecr_tui.core.docker.local_docker import LocalDocker, LocalImage
from ecr_tui.core.docker.login import (
    LoginState,
    RegistryCredentials,
    credentials_from_token,
    registry_host,
)
from ecr_tui.core.docker.progress import CancelCheck, ProgressCallback, TransferResult
from ecr_tui.core.ecr import EcrService
from ecr_tui.core.names import docker_tag_problem, image_tag_problem


def source_reference(image: LocalImage) -> str:
    """What `docker tag` takes for a local image: `repo:tag`, or its id when it has none."""
    if image.repository == "<none>" or image.tag == "<none>":
        return image.image_id
    return image.reference


class DockerSession:
    """The Docker daemon logged in to the registry of one ECR account and region."""

    def __init__(self, service: EcrService, docker: LocalDocker) -> None:
        self.service = service
        self.docker = docker
        # Where GetAuthorizationToken's logins go (host[:port]), once known.
        self._registry: str | None = None

    def credentials(self) -> RegistryCredentials:
        """A fresh registry login from GetAuthorizationToken."""
        authorization = self.service.authorization()
        credentials = credentials_from_token(
            authorization.token, authorization.proxy_endpoint, authorization.expires_at
        )
        self._registry = registry_host(credentials.registry)
        return credentials

    def login(self) -> LoginState:
        """Log the daemon in to the account's registry with a new token."""
        credentials = self.credentials()
        return self.docker.login(
            credentials.registry,
            credentials.username,
            credentials.password,
            credentials.expires_at,
        )

    def login_state(self) -> LoginState | None:
        """The daemon's login to the account's registry, if this session made one."""
        return self.docker.login_state(self._registry) if self._registry else None

    def ensure_login(self, image_reference: str) -> LoginState | None:
        """Log in when the registry of `image_reference` has no login or it is expiring."""
        if self.docker.needs_login(registry_host(image_reference)):
            return self.login()
        return None

    def cli_login_plan(self) -> CliLoginPlan:
        """Where `store_cli_login` would keep the login; stores nothing.

        The registry is the one a login was made for; without one yet, a token is
        asked for only to learn it (its password is dropped at once).
        """
        registry = self._registry or registry_host(self.credentials().registry)
        return plan_cli_login(registry)

    def store_cli_login(self) -> CliLoginResult:
        """Keep a fresh login for the docker CLI (config file or credential helper)."""
        credentials = self.credentials()
        return store_cli_login(credentials.registry, credentials.username, credentials.password)

    def pull(
        self,
        reference: str,
        on_progress: ProgressCallback | None = None,
        is_cancelled: CancelCheck | None = None,
    ) -> TransferResult:
        """Pull `repository_uri:tag` or `repository_uri@digest`, logging in first if needed."""
        self.ensure_login(reference)
        return self.docker.pull(reference, on_progress, is_cancelled)

    def push(
        self,
        source: LocalImage,
        repository_uri: str,
        tag: str,
        on_progress: ProgressCallback | None = None,
        is_cancelled: CancelCheck | None = None,
    ) -> TransferResult:
        """Tag a local image as `repository_uri:tag` and push it, logging in first if needed."""
        problem = image_tag_problem(tag) or docker_tag_problem(tag)
        if problem:
            raise DockerActionError("Invalid tag", f"{tag!r}: {problem}")
        self.ensure_login(repository_uri)
        self.docker.tag(source_reference(source), repository_uri, tag)
        return self.docker.push(repository_uri, tag, on_progress, is_cancelled)
