"""Child processes that print `READY <url>` when they serve (the endpoint, the proxy).

They run at a lower priority and stop when their stdin closes; a failed start
raises with the end of the child's log.
"""

from __future__ import annotations

import contextlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ecr_tui.demo.child_process import (
    ChildNotReadyError,
    log_tail,
    spawn_ready_child,
    stop_process,
    wait_for_ready,
)

from .common import ROOT, BenchmarkError


@dataclass
class Service:
    """A child process that printed `READY <url>`; it stops when its stdin closes."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def stop(self) -> None:
        """Close its stdin, then SIGTERM, then SIGKILL."""
        _stop_process(self.process)


def _stop_process(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """Close its stdin (it stops by itself then), then SIGTERM, then SIGKILL."""
    if process.stdin is not None and not process.stdin.closed:
        with contextlib.suppress(OSError):
            process.stdin.close()
    if process.poll() is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=1.0)
    stop_process(process, grace)
    if process.stdout is not None and not process.stdout.closed:
        process.stdout.close()


# The endpoint and the proxy stand in for AWS, whose servers do not share the
# user's CPUs. On this machine they must: at a lower priority they take the CPU
# the app and the CLI leave, instead of taking turns with them.
SERVICE_NICENESS = 10


def start_service(name: str, command: list[str], log_path: Path, timeout: float) -> Service:
    """Spawn `command` (at SERVICE_NICENESS) and wait for its `READY <url>` line."""
    process = spawn_ready_child(command, log_path, cwd=ROOT, niceness=SERVICE_NICENESS)
    try:
        url, _fields = wait_for_ready(process, timeout, name)
    except BaseException as error:
        _stop_process(process)
        if isinstance(error, ChildNotReadyError):
            tail = log_tail(log_path, 3000)
            raise BenchmarkError(f"{error}\n--- end of {log_path} ---\n{tail}") from None
        raise
    return Service(name, process, url, log_path)
