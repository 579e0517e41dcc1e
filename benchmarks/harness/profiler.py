"""py-spy attached to the app for one phase of the run (`--py-spy`, `--py-spy-phase`)."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

from .common import log

PHASES = ("all", "loading", "keys", "filter")


class Profiler:
    """py-spy attached to the app during one phase of the run (or all of it).

    The output's suffix picks the format: .svg a flame graph, .json speedscope,
    anything else py-spy's raw collapsed stacks (one line per stack, easy to grep).
    """

    def __init__(self, output: str | None, phase: str, pid: int) -> None:
        self.output = Path(output) if output else None
        self.phase = phase
        self.pid = pid
        self.process: subprocess.Popen[bytes] | None = None

    def enter(self, phase: str) -> None:
        """A phase begins: attach if it is the one to profile."""
        if self.output is None or phase != self.phase or self.process is not None:
            return
        py_spy = shutil.which("py-spy")
        if py_spy is None:
            log("py-spy is not installed (pip install py-spy): no profile")
            self.output = None
            return
        fmt = {".svg": "flamegraph", ".json": "speedscope"}.get(self.output.suffix, "raw")
        command = [py_spy, "record", "--pid", str(self.pid), "--rate", "200", "--nonblocking"]
        command += ["--threads", "--format", fmt, "--output", str(self.output)]
        log(f"profiling the app ({phase}): {' '.join(command)}")
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def leave(self, phase: str) -> None:
        """A phase ends: detach (py-spy writes its output on SIGINT)."""
        if self.process is not None and phase == self.phase:
            self.stop()

    def stop(self) -> None:
        """Detach now."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            _, errors = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            _, errors = process.communicate()
        if self.output is not None and not self.output.exists():
            log(f"py-spy wrote no profile: {errors.decode(errors='replace')[-500:]}")
