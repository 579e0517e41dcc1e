"""The app in a pseudo-terminal, its output read through the `pyte` terminal emulator.

A reader thread stamps every chunk of output when it arrives, so the emulator's
own work never counts against the app; keys are written as bytes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import queue
import signal
import struct
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyte

from .common import COLUMNS, LINES, BenchmarkError
from .screen import IMAGE_ROW, PANES, REPO_ROW, find_box


class ScreenTimeout(BenchmarkError):
    """The screen did not show what was awaited."""


class Terminal:
    """A command in a pseudo-terminal, read through a terminal emulator."""

    def __init__(self, argv: list[str], env: dict[str, str], screens_path: Path) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self.screens_path = screens_path
        self.lines: list[str] = list(self.screen.display)
        self.bytes_read = 0
        self.reads = 0
        self.exit_status: int | None = None
        self.watchers: dict[str, Callable[[list[str]], bool]] = {}
        self.seen: dict[str, float] = {}
        self.spawned = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, become the app
            try:
                size = struct.pack("HHHH", LINES, COLUMNS, 0, 0)
                fcntl.ioctl(0, termios.TIOCSWINSZ, size)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        # A thread reads the terminal and stamps each chunk as it arrives, so the
        # time spent here emulating the terminal never counts against the app.
        self._chunks: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()
        self._eof = False
        threading.Thread(target=self._read, name="pty-reader", daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:  # EIO: the app closed the terminal
                data = b""
            self._chunks.put((time.monotonic(), data))
            if not data:
                return

    @property
    def alive(self) -> bool:
        """True until the app has exited."""
        if self.exit_status is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.exit_status = os.waitstatus_to_exitcode(status)
        return self.exit_status is None

    def send(self, data: bytes) -> float:
        """Type `data`; the time it was sent."""
        sent = time.monotonic()
        os.write(self.fd, data)
        return sent

    def pump(self, timeout: float) -> float | None:
        """Take in one chunk the app wrote (waiting up to `timeout`); when it arrived, or None."""
        if self._eof:
            if self.alive:
                time.sleep(min(max(timeout, 0.0), 0.05))
                return None
            raise BenchmarkError(f"the app exited (status {self.exit_status})")
        try:
            arrived, data = self._chunks.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None
        if not data:
            self._eof = True
            return None
        self.bytes_read += len(data)
        self.reads += 1
        self.stream.feed(data)
        self.lines = list(self.screen.display)
        for name, predicate in list(self.watchers.items()):
            if predicate(self.lines):
                self.seen[name] = arrived
                del self.watchers[name]
        return arrived

    def highlighted_row(self, title: str) -> str | None:
        """The text of the table row drawn in the cursor colour in a pane (None: no cursor)."""
        box = find_box(self.lines, title)
        if box is None:
            return None
        rows = [
            (self.screen.buffer[box.top + 1 + i][box.left + 2].bg, row)
            for i, row in enumerate(box.rows)
            if IMAGE_ROW.search(row) or REPO_ROW.search(row)
        ]
        colours = [bg for bg, _ in rows]
        odd = [row for bg, row in rows if colours.count(bg) == 1]
        return odd[0] if len(rows) > 1 and len(odd) == 1 else None

    def focused_pane(self) -> str | None:
        """The pane drawn in the focus colour: the one border colour unlike the others."""
        colours: dict[str, str] = {}
        for title in PANES:
            for y, line in enumerate(self.lines):
                x = line.find(f"╭─ {title}")
                if x >= 0:
                    colours[title] = str(self.screen.buffer[y][x].fg)
                    break
        odd = [t for t, c in colours.items() if list(colours.values()).count(c) == 1]
        return odd[0] if len(colours) > 2 and len(odd) == 1 else None

    def watch(self, name: str, predicate: Callable[[list[str]], bool]) -> None:
        """Note when `predicate` first holds for the screen, while other waits go on."""
        if predicate(self.lines):
            self.seen[name] = time.monotonic()
        else:
            self.watchers[name] = predicate

    def wait_until(
        self, predicate: Callable[[list[str]], bool], timeout: float, what: str
    ) -> float:
        """Pump until `predicate(screen lines)` holds; the time of the read that made it hold."""
        if predicate(self.lines):
            return time.monotonic()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.dump(f"TIMEOUT waiting for {what}")
                raise ScreenTimeout(
                    f"the screen did not show {what} within {timeout:g} s "
                    f"(screens in {self.screens_path})"
                )
            arrived = self.pump(min(remaining, 0.25))
            if arrived is not None and predicate(self.lines):
                return arrived

    def settle(self, quiet: float, timeout: float) -> None:
        """Pump until nothing was drawn for `quiet` seconds (or `timeout` passed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pump(quiet) is None:
                return

    def dump(self, label: str) -> None:
        """Append the current screen to the screens file."""
        with self.screens_path.open("a", encoding="utf-8") as out:
            out.write(f"===== {label} (t={time.monotonic() - self.spawned:.3f} s)\n")
            out.write("\n".join(self.lines) + "\n")

    def close(self, keys: bytes = b"") -> None:
        """Ask the app to quit with `keys`; SIGTERM, then SIGKILL, if it does not."""
        if keys and self.alive:
            with contextlib.suppress(OSError):
                self.send(keys)
            deadline = time.monotonic() + 5
            while self.alive and time.monotonic() < deadline:
                with contextlib.suppress(BenchmarkError):
                    self.pump(0.05)
        for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
            if not self.alive:
                break
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)
            deadline = time.monotonic() + wait
            while self.alive and time.monotonic() < deadline:
                time.sleep(0.02)
        with contextlib.suppress(OSError):
            os.close(self.fd)
