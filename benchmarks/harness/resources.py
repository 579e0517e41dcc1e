"""The machine's resources watched while the app runs: CPU (ours and other
processes') and the app's resident memory."""

from __future__ import annotations

import contextlib
import os
import threading
import time

import psutil  # type: ignore[import-untyped,unused-ignore]


class CpuWatch:
    """CPU used on the machine meanwhile: by this benchmark's processes, and by others.

    Another process busy on a 2-core machine slows the app down: the report says so.
    """

    def __init__(self, pids: list[int]) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]
        self.started = time.monotonic()
        self.load = os.getloadavg()[0]
        self.busy = self._busy()
        self.ours = self._ours()

    @staticmethod
    def _busy() -> float:
        times = psutil.cpu_times()
        # guest time is already counted in user time; idle and iowait are not busy.
        fields = ("user", "nice", "system", "irq", "softirq", "steal")
        return sum(float(getattr(times, name, 0.0)) for name in fields)

    def _ours(self) -> float:
        processes = {process.pid: process for process in self.processes}
        for process in self.processes:
            with contextlib.suppress(psutil.Error):
                processes.update((child.pid, child) for child in process.children(True))
        total = 0.0
        for process in processes.values():
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()  # all threads, and the children waited for
                total += float(times.user + times.system)
                total += float(times.children_user + times.children_system)
        return total

    def stop(self) -> dict[str, float]:
        """CPU-seconds used since the start: everything, ours, others'."""
        elapsed = time.monotonic() - self.started
        busy, ours = self._busy() - self.busy, self._ours() - self.ours
        others = max(busy - ours, 0.0)
        return {
            "seconds": round(elapsed, 1),
            "load_average_at_start": round(self.load, 2),
            "busy_cpu_s": round(busy, 1),
            "benchmark_cpu_s": round(ours, 1),
            "other_processes_cpu_s": round(others, 1),
            "other_processes_pct_of_a_core": round(100 * others / elapsed, 1) if elapsed else 0.0,
        }


class RssSampler:
    """Samples one process's resident memory until stopped."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                rss = int(self.process.memory_info().rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                return
            self.peak = max(self.peak, rss)
            self.samples.append((time.monotonic(), rss))
            self._stop.wait(self.interval)

    def peak_between(self, start: float, end: float) -> int:
        """The largest sample taken between two times."""
        return max((rss for t, rss in self.samples if start <= t <= end), default=0)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join(timeout=2)
