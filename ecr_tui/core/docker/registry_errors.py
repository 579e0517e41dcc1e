"""What the daemon and registries say when they refuse a login, tag, push or pull.

`translate_daemon_message` turns their words ("denied:", "manifest unknown",
"no basic auth credentials"...) into a `DockerActionError` with a title and a
next step; the other helpers dig those words out of an SDK error or a response.
"""

from __future__ import annotations

import requests
from docker import errors as docker_errors

from ecr_tui.core.docker.errors import DockerActionError, short_text
from ecr_tui.core.docker.login import registry_host


def api_error_text(error: docker_errors.APIError) -> str:
    """What the daemon said, from an SDK error."""
    return str(error.explanation or error)


def response_message(response: requests.Response) -> str:
    """What the daemon said in a refused streaming request (its JSON `message`)."""
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


def translate_daemon_message(
    message: str, action: str, registry: str, target: str
) -> DockerActionError:
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
            f"{host} refused the {action}: {short_text(reason)} "
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
            f"{short_text(reason)}: create the repository first, or check the name.",
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
    return DockerActionError(f"Docker {action} failed", short_text(message))
