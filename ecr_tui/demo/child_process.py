"""Child processes that say `READY <url> [fields]` on stdout once they serve, and how to stop them.

The demo endpoint (`python -m ecr_tui.demo.serve`) works this way, for the
app's launcher and for the benchmark alike: `spawn_ready_child` starts one,
`wait_for_ready` reads its READY line, `log_tail` quotes its log when it fails,
and `stop_process` ends it (or any other child, such as the demo's registry).

Only the standard library is used: the UI process imports this before it even
imports Textual.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import time
from pathlib import Path

import ecr_tui


class ChildNotReadyError(RuntimeError):
    """The child exited, stayed silent or said something else instead of READY."""


def spawn_ready_child(
    command: list[str],
    log_path: Path,
    *,
    cwd: Path | None = None,
    niceness: int = 0,
    own_session: bool = True,
) -> subprocess.Popen[bytes]:
    """Start `command` with stdin and stdout as pipes and stderr to `log_path`.

    The child leads its own process group, so a Ctrl-C meant for the terminal
    does not reach it and the group can be ended as one; `niceness` lowers its
    priority. With `own_session` it also runs in a session of its own, which
    Linux schedules as a group of its own (autogroup) beside ours: the
    benchmark's services must not take from the app they measure. Without it,
    its `nice` counts against ours (the demo's endpoint lowers its own while it
    loads: see demo.serve). It imports this very copy of ecr_tui, installed or not.
    """
    package_root = str(Path(ecr_tui.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    lower_priority = (lambda: os.nice(niceness)) if niceness else None
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            cwd=cwd,
            start_new_session=own_session,
            process_group=None if own_session else 0,
            preexec_fn=lower_priority,
        )


def wait_for_ready(process: subprocess.Popen[bytes], timeout: float, name: str) -> tuple[str, str]:
    """Block until the child's first line, `READY <url> [fields]`; the URL and the fields.

    `name` (e.g. "the demo endpoint") starts the ChildNotReadyError's message.
    """
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    received = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in received:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChildNotReadyError(f"{name} was not ready after {timeout:g} s")
            if not selector.select(remaining):
                continue
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                code = process.wait()
                raise ChildNotReadyError(f"{name} exited (code {code}) before it was ready")
            received += chunk
    line = received.split(b"\n", 1)[0].decode(errors="replace").strip()
    word, _, rest = line.partition(" ")
    url, _, fields = rest.partition(" ")
    if word != "READY" or not url.startswith("http"):
        raise ChildNotReadyError(f"{name} said {line!r} instead of READY")
    return url, fields


def log_tail(path: Path, size: int = 4000) -> str:
    """The last `size` bytes of a child's log, as text."""
    try:
        data = path.read_bytes()
    except OSError:
        return "(no log)"
    return data[-size:].decode(errors="replace") or "(empty log)"


def stop_process(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL if the process is still there after `grace` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
