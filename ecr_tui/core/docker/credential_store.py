"""Keep an ECR login for the docker CLI, the way `docker login` does: `store_cli_login`.

The password goes to a credential helper's stdin or into config.json, exactly
where `docker login` puts it; it never reaches argv, a log or an exception message.
"""

from __future__ import annotations

import base64
import enum
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ecr_tui.core.docker.cli_config import docker_config_path, read_cli_config, write_cli_config
from ecr_tui.core.docker.daemon import REQUEST_TIMEOUT_SECONDS
from ecr_tui.core.docker.errors import DockerActionError, short_text
from ecr_tui.core.docker.login import registry_host

# amazon-ecr-credential-helper's name in config.json; it mints ECR logins itself.
ECR_CREDENTIAL_HELPER = "ecr-login"


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
    config = read_cli_config(path)
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
        write_cli_config(path, config)
        return CliLoginResult(
            host,
            CliLoginMethod.CREDENTIAL_HELPER,
            path,
            f"Saved the login for {host} with docker-credential-{helper}.",
        )
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    entry = auths.get(host)
    auths[host] = {**(entry if isinstance(entry, dict) else {}), "auth": token}
    write_cli_config(path, config)
    return CliLoginResult(
        host, CliLoginMethod.CONFIG_FILE, path, f"Saved the login for {host} in {path}."
    )


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
            "Credential helper failed", f"{program} could not store the login: {short_text(said)}"
        )
