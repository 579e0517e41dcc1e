"""Keys typed while the app starts, in a real pseudo-terminal: they land, Enter included,
and the terminal is given back as it was found."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

# The app's entry point between two readings of the terminal's attributes.
WRAPPED = """
import json, sys, termios
before = termios.tcgetattr(0)
from ecr_tui.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
after = termios.tcgetattr(0)
with open(sys.argv[1], "w") as out:
    json.dump({"same": before == after, "code": code}, out)
"""


class PtyRun:
    """`ecr-tui ARGS` in a pseudo-terminal of 120x36; its output collected."""

    def __init__(self, args: list[str], tmp_path: Path) -> None:
        self.result = tmp_path / "result.json"
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(tmp_path),
            "TERM": "xterm-256color",
            "PYTHONPATH": os.pathsep.join(sys.path),
        }
        env.pop("ECR_TUI_CONFIG", None)
        argv = [sys.executable, "-c", WRAPPED, str(self.result), *args]
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = bytearray()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output.extend(chunk)

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"expected {what}; the terminal showed {bytes(self.output)[-400:]!r}")
            time.sleep(0.02)

    def finish(self, timeout: float = 30) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(self.pid, 9)
                pytest.fail("the app did not exit")
            time.sleep(0.05)
        os.close(self.fd)
        result: dict[str, object] = json.loads(self.result.read_text())
        return result


def history(tmp_path: Path) -> list[str]:
    path = tmp_path / "ecr-tui" / "state.json"
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return list(saved.get("command_history", []))


def test_a_command_typed_before_the_first_frame_runs_and_the_terminal_is_restored(
    tmp_path: Path,
) -> None:
    run = PtyRun(["--demo"], tmp_path)
    # The start screen is up: Python runs, Textual is still loading.
    run.wait(lambda: b"starting" in run.output, "the start screen")
    os.write(run.fd, b":region eu-west-1\r")
    run.wait(lambda: any("eu-west-1" in line for line in history(tmp_path)), "the command run")
    shown = bytes(run.output)
    # Not echoed over the start screen by the terminal itself.
    assert b":region eu-west-1\r\n" not in shown
    os.write(run.fd, b"q")
    result = run.finish()
    assert result == {"same": True, "code": 0}


def test_help_gives_the_terminal_back_as_it_was(tmp_path: Path) -> None:
    run = PtyRun(["--help"], tmp_path)
    result = run.finish()
    assert result == {"same": True, "code": 0}
    assert b"--read-only" in bytes(run.output)
