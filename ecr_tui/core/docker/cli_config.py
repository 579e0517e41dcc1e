"""The docker CLI's config.json: where it lives, read strictly, replaced in one step.

Shared by daemon discovery (its `currentContext`) and the credential store
(its `auths`, `credsStore` and `credHelpers`).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ecr_tui.core.docker.errors import DockerActionError, os_error_text


def docker_config_path() -> Path:
    """Where the docker CLI keeps config.json: $DOCKER_CONFIG, else ~/.docker."""
    folder = os.environ.get("DOCKER_CONFIG")
    return Path(folder) / "config.json" if folder else Path.home() / ".docker" / "config.json"


def read_cli_config(path: Path) -> dict[str, Any]:
    """config.json as a dict, `{}` when absent; an unreadable file is an error, never `{}`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise DockerActionError(
            "Cannot read Docker config", f"{path}: {os_error_text(error)}."
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


def write_cli_config(path: Path, config: dict[str, Any]) -> None:
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
            "Cannot write Docker config", f"{path}: {os_error_text(error)}."
        ) from None
