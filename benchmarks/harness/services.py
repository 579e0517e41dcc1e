"""Child processes that print `READY <url>` when they serve (the endpoint, the proxy).

They run at a lower priority and stop when their stdin closes; a failed start
raises with the end of the child's log.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

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
    if process.stdin is not None and not process.stdin.closed:
        with contextlib.suppress(OSError):
            process.stdin.close()
    if process.poll() is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=1.0)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None and not process.stdout.closed:
        process.stdout.close()


def _tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_bytes()[-size:].decode(errors="replace") or "(empty)"
    except OSError:
        return "(no log)"


# The endpoint and the proxy stand in for AWS, whose servers do not share the
# user's CPUs. On this machine they must: at a lower priority they take the CPU
# the app and the CLI leave, instead of taking turns with them.
SERVICE_NICENESS = 10


def start_service(name: str, command: list[str], log_path: Path, timeout: float) -> Service:
    """Spawn `command` (at SERVICE_NICENESS) and wait for its `READY <url>` line."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log_file,
            env=env,
            cwd=ROOT,
            start_new_session=True,
            preexec_fn=lambda: os.nice(SERVICE_NICENESS),
        )
    assert process.stdout is not None
    received = b""
    deadline = time.monotonic() + timeout
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while b"\n" not in received:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BenchmarkError(f"{name} was not ready after {timeout:g} s")
                if not selector.select(remaining):
                    continue
                chunk = os.read(process.stdout.fileno(), 4096)
                if not chunk:
                    raise BenchmarkError(f"{name} exited (code {process.wait()}) before READY")
                received += chunk
        # `READY <url>`, possibly followed by more `key=value` fields.
        words = received.split(b"\n", 1)[0].decode(errors="replace").split()
        url = words[1] if len(words) > 1 and words[0] == "READY" else ""
        if not url.startswith("http"):
            raise BenchmarkError(f"{name} said {received[:200]!r} instead of READY <url>")
    except BaseException as error:
        _stop_process(process)
        if isinstance(error, BenchmarkError):
            raise BenchmarkError(f"{error}\n--- end of {log_path} ---\n{_tail(log_path)}") from None
        raise
    return Service(name, process, url, log_path)
