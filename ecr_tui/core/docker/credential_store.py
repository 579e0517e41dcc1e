"""Keep an ECR login for the docker CLI, the way `docker login` does: `store_cli_login`,
after `plan_cli_login` has said where it would go (the app asks first).

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
class CliLoginPlan:
    """Where `store_cli_login` would keep a login for `registry`, worked out before it does."""

    registry: str  # host[:port]
    method: CliLoginMethod
    config_path: Path
    helper: str | None  # the credential helper's name (docker-credential-NAME), if any

    @property
    def destination(self) -> str:
        """Where the login goes, in words a confirmation can show as they are."""
        if self.method is CliLoginMethod.ECR_HELPER:
            return (
                f"nowhere: amazon-ecr-credential-helper (ecr-login, named in "
                f"{self.config_path}) already logs the docker CLI in to {self.registry}"
            )
        if self.method is CliLoginMethod.CREDENTIAL_HELPER:
            return (
                f"the credential helper docker-credential-{self.helper} (named in "
                f"{self.config_path}, which gets an empty entry for {self.registry} under "
                "auths, as `docker login` leaves)"
            )
        return (
            f"{self.config_path}, under auths for {self.registry}, as base64 of the user "
            "name and password (no credential helper is configured; the file is kept "
            "readable by its owner only)"
        )


@dataclass(frozen=True, slots=True)
class CliLoginResult:
    """What `store_cli_login` did, in words the UI can show as they are."""

    registry: str
    method: CliLoginMethod
    config_path: Path
    message: str


def plan_cli_login(registry: str, config_path: Path | None = None) -> CliLoginPlan:
    """Where a login for `registry` would go, the way `docker login` decides it.

    A credential helper named for the registry in `credHelpers`, else the
    `credsStore` one; amazon-ecr-credential-helper (`ecr-login`) mints its own
    logins, so nothing would be stored for it. Without a helper, `auths` of
    config.json. Reads config.json; writes nothing.
    """
    path = config_path or docker_config_path()
    host = registry_host(registry)
    config = read_cli_config(path)
    helpers = config.get("credHelpers") or {}
    helper = helpers.get(host) if isinstance(helpers, dict) else None
    helper = helper or config.get("credsStore")
    if helper == ECR_CREDENTIAL_HELPER:
        return CliLoginPlan(host, CliLoginMethod.ECR_HELPER, path, str(helper))
    if helper:
        return CliLoginPlan(host, CliLoginMethod.CREDENTIAL_HELPER, path, str(helper))
    return CliLoginPlan(host, CliLoginMethod.CONFIG_FILE, path, None)


def store_cli_login(
    registry: str,
    username: str,
    password: str,
    config_path: Path | None = None,
) -> CliLoginResult:
    """Keep a login for the docker CLI where `plan_cli_login` says, as `docker login` does.

    A credential helper receives the login on stdin; with `ecr-login` nothing is
    stored; without a helper the login goes, base64-encoded, into `auths` of config.json.
    """
    plan = plan_cli_login(registry, config_path)
    host, path = plan.registry, plan.config_path
    if plan.method is CliLoginMethod.ECR_HELPER:
        return CliLoginResult(
            host,
            plan.method,
            path,
            f"amazon-ecr-credential-helper (ecr-login) already logs the docker CLI in to "
            f"{host}: nothing to store.",
        )
    config = read_cli_config(path)
    auths = config.setdefault("auths", {})
    if not isinstance(auths, dict):
        raise DockerActionError(
            "Unreadable Docker config", f"`auths` in {path} is not an object: fix the file."
        )
    if plan.helper:
        _run_credential_helper(plan.helper, host, username, password)
        # `docker login` leaves an empty entry so the CLI knows the registry has a login.
        auths[host] = {}
        write_cli_config(path, config)
        return CliLoginResult(
            host,
            plan.method,
            path,
            f"Saved the login for {host} with docker-credential-{plan.helper}.",
        )
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    entry = auths.get(host)
    auths[host] = {**(entry if isinstance(entry, dict) else {}), "auth": token}
    write_cli_config(path, config)
    return CliLoginResult(host, plan.method, path, f"Saved the login for {host} in {path}.")


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
