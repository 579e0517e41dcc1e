"""The AWS CLI the SSO login runs: where it is, and whether it can `sso login`.

`aws sso login` is AWS CLI version 2's (version 1 has `aws sso` without `login`
and answers "Invalid choice"): the version is asked before the app hands the
terminal over, so that the user is told what to install rather than shown a
usage error. Calls block (a version 1 CLI takes a second to start): run them
in workers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

_VERSION = re.compile(r"aws-cli/(\d+)\.(\d+)\.(\d+)")
INSTALL_V2 = "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"


@dataclass(frozen=True, slots=True)
class AwsCli:
    """The `aws` found on PATH, and its version as it says it (None: it said none)."""

    path: str
    version: str | None

    @property
    def major(self) -> int | None:
        """1 or 2 (None: unknown)."""
        match = _VERSION.search(self.version or "")
        return int(match.group(1)) if match else None


def find_aws_cli() -> AwsCli | None:
    """The AWS CLI on PATH and its version; None when there is none."""
    path = shutil.which("aws")
    if path is None:
        return None
    try:
        # (Version 1 printed its version on stderr, version 2 prints it on stdout.)
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return AwsCli(path, None)
    match = _VERSION.search(done.stdout + done.stderr)
    return AwsCli(path, match.group(0) if match else None)


def sso_login_problem(cli: AwsCli | None, command: str) -> str | None:
    """Why `command` (`aws sso login ...`) cannot run here, in words; None if it can."""
    if cli is None:
        return (
            f"The AWS CLI (aws) is not installed here: install AWS CLI v2 ({INSTALL_V2}), "
            f"or run `{command}` where it is, then switch again."
        )
    if cli.major == 1:
        return (
            f"The AWS CLI here ({cli.path}) is {cli.version}: version 1 has no `sso login`. "
            f"Install AWS CLI v2 ({INSTALL_V2}), or run `{command}` where it is, then "
            "switch again."
        )
    return None
