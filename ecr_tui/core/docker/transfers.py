"""Push and pull images through the daemon, with progress and a way to cancel.

`ImageTransfers` holds the request and reads the daemon's progress messages as
they stream in, folding them into records (progress.py) for a callback and
checking a cancel callback between two messages: closing the response is what
makes the daemon abandon a transfer. The registry login travels in the
`X-Registry-Auth` header, from the one the SDK keeps after `LocalDocker.login`.
"""

from __future__ import annotations

import codecs
import contextlib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus

import requests
from docker import auth as docker_auth
from docker.utils import parse_repository_tag

from ecr_tui.core.docker.daemon import REQUEST_TIMEOUT_SECONDS, DockerDaemon
from ecr_tui.core.docker.errors import DockerUnavailable
from ecr_tui.core.docker.progress import (
    CancelCheck,
    ProgressCallback,
    ProgressTracker,
    TransferResult,
)
from ecr_tui.core.docker.registry_errors import response_message, translate_daemon_message


class ImageTransfers(DockerDaemon):
    """Pushes and pulls on one daemon; `LocalDocker` adds logins and local images."""

    def push(
        self,
        repository_uri: str,
        tag: str,
        on_progress: ProgressCallback | None = None,
        is_cancelled: CancelCheck | None = None,
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
        on_progress: ProgressCallback | None = None,
        is_cancelled: CancelCheck | None = None,
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
        on_progress: ProgressCallback | None,
        is_cancelled: CancelCheck | None,
    ) -> TransferResult:
        # The request is made here rather than through api.push/api.pull so that we
        # hold the response: closing it is what makes the daemon abandon a transfer.
        api = self.client().api
        headers = {"Content-Type": "application/json"}
        auth_header = docker_auth.get_config_header(api, registry)
        if auth_header:
            headers["X-Registry-Auth"] = auth_header.decode("ascii")
        tracker = ProgressTracker(action, reference)
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
                raise translate_daemon_message(
                    response_message(response), action, registry, reference
                )
            try:
                for event in _json_events(response):
                    error_text = event.get("error") or (event.get("errorDetail") or {}).get(
                        "message"
                    )
                    if error_text:
                        raise translate_daemon_message(str(error_text), action, registry, reference)
                    snapshot = tracker.update(event)
                    if on_progress is not None:
                        on_progress(snapshot)
                    if is_cancelled is not None and is_cancelled():
                        return tracker.result(cancelled=True)
            except requests.exceptions.RequestException:
                raise DockerUnavailable(
                    "Lost Docker",
                    f"the connection to the Docker daemon broke during the {action}: "
                    "check that Docker is still running, then try again.",
                ) from None
        final = tracker.finish()
        if on_progress is not None:
            on_progress(final)
        return tracker.result(cancelled=False)


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
