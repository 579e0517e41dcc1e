"""The AWS CLI timed on the same endpoint, for comparison."""

from __future__ import annotations

import subprocess
import time

from .common import REGION, BenchmarkError, log
from .launch import app_environment


def aws_cli_version(aws: str, env: dict[str, str]) -> str:
    """`aws --version`, e.g. aws-cli/1.45.11 Python/3.11.7 ..."""
    answer = subprocess.run([aws, "--version"], capture_output=True, env=env, timeout=60)
    return (answer.stdout or answer.stderr).decode(errors="replace").strip()


def run_cli(aws: str, version: str, arguments: list[str], endpoint: str, timeout: float) -> float:
    """Seconds until `aws <arguments>` has written all its output (to /dev/null)."""
    command = [aws, *arguments, "--endpoint-url", endpoint, "--region", REGION, "--output", "json"]
    if not version.startswith("aws-cli/1."):  # v1 has no pager (and no such option)
        command.append("--no-cli-pager")
    log(f"cli: {' '.join(command)}")
    started = time.monotonic()
    answer = subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=app_environment(),
        timeout=timeout,
    )
    elapsed = time.monotonic() - started
    if answer.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(command)} failed ({answer.returncode}): {answer.stderr.decode()[-2000:]}"
        )
    return elapsed
