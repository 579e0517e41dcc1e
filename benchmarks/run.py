"""Benchmark ecr-tui at ECR's real limits, measured against the AWS CLI.

    python benchmarks/run.py                 # the full run, about 1.5 minutes
    python benchmarks/run.py --skip-cli      # the app alone
    python benchmarks/run.py --py-spy out.txt  # also profile the app (raw collapsed stacks)

What it does, all on one local endpoint (`python -m ecr_tui.demo.serve`, 2,000
repositories, `platform/build-cache` with 100,000 images), started as its own
process as if AWS were already there:

1. A tiny counting HTTP proxy (a child process: this file with `--proxy`) sits in
   front of the endpoint. Every client goes through it, so API calls are counted
   from the outside, by `X-Amz-Target`, for the app and the CLI alike.
2. The real `ecr-tui` runs in a 120x36 pseudo-terminal; `pyte` reads its screen.
   Keys are sent as bytes, as a user's terminal sends them, and every time is
   taken when the bytes that change the screen arrive.
3. `aws ecr describe-repositories` and `aws ecr describe-images` run on the same
   endpoint for comparison (the CLI prints nothing before its last page).

It prints a table, writes `benchmarks/results/latest.json` (every number, the
targets and pass/fail) and the screens it waited on to `benchmarks/results/`.
The exit code is 0 even when targets are missed; 2 when the run itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import http.client
import json
import math
import os
import platform
import pty
import queue
import re
import selectors
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psutil  # type: ignore[import-untyped,unused-ignore]
import pyte

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
COLUMNS, LINES = 120, 36
BIG_REPOSITORY = "platform/build-cache"
PAGE_SIZE = 1000  # ECR's largest page
TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
REGION = "us-east-1"
KEY_TIMEOUT = 2.0  # seconds a key press may take before it counts as unanswered

# The targets of the issue "Benchmarks: fast at ECR's real limits".
TARGETS = {
    "first_frame_s": 0.5,
    "first_repository_row_s": 1.0,
    "first_image_row_over_first_page_s": 0.1,
    "first_image_row_vs_cli": 0.5,
    "key_p99_ms": 50.0,
    "filter_ms": 100.0,
    "peak_rss_mb": 300.0,
    "api_calls_vs_minimum": 1.0,
}


class BenchmarkError(RuntimeError):
    """The run could not measure what it set out to (not a missed target)."""


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds the table alone."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the counting proxy (runs in its own process) ----------------------------------------------

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "server",
    "date",
}


def _client_kind(user_agent: str) -> str:
    if "ecr-tui" in user_agent:
        return "app"
    if "aws-cli/" in user_agent:
        return "cli"
    return "probe"


def _describe_call(headers: Any, body: bytes) -> dict[str, Any]:
    """Operation and the parameters that decide what a minimum session needs."""
    target = str(headers.get("X-Amz-Target") or "")
    call: dict[str, Any] = {"op": "", "repo": "", "key": "", "max": None, "token_in": False}
    if target:
        call["op"] = target.removeprefix(TARGET_PREFIX).rsplit(".", 1)[-1]
        with contextlib.suppress(ValueError):
            params = json.loads(body or b"{}")
            if isinstance(params, dict):
                call["repo"] = str(params.get("repositoryName") or "")
                call["max"] = params.get("maxResults")
                call["token_in"] = bool(params.get("nextToken"))
                image = params.get("imageId") or {}
                names = params.get("repositoryNames") or params.get("imageIds") or ""
                call["key"] = str(image.get("imageDigest") or image.get("imageTag") or names)
    else:
        action = parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
        call["op"] = f"sts:{action}" if action else "other"
    return call


def _count_items(op: str, payload: bytes) -> int:
    marker = {
        "DescribeImages": b'"imageDigest":',
        "DescribeRepositories": b'"repositoryArn":',
        "ListImages": b'"imageDigest":',
    }.get(op)
    return payload.count(marker) if marker else 0


def run_proxy(upstream: str) -> int:
    """Forward every request to `upstream`, keeping a record of each; `GET /__calls` lists them.

    Prints `READY <url>` once listening; stops when stdin closes (the parent went away).
    """
    parts = urlsplit(upstream)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    calls: list[dict[str, Any]] = []
    lock = threading.Lock()
    local = threading.local()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/__calls":
                with lock:
                    payload = json.dumps(calls).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            self._forward(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._forward(self.rfile.read(length) if length else b"")

        def _upstream(self) -> http.client.HTTPConnection:
            connection: http.client.HTTPConnection | None = getattr(local, "connection", None)
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=120)
                local.connection = connection
            return connection

        def _forward(self, body: bytes) -> None:
            started = time.monotonic()
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            headers["Content-Length"] = str(len(body))
            status, reason, answer_headers, payload = 502, "Bad Gateway", [], b"proxy: no answer"
            for attempt in range(2):
                connection = self._upstream()
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    status, reason = response.status, response.reason
                    answer_headers = response.getheaders()
                    break
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    local.connection = None
                    payload = f"proxy: {error}".encode()
                    if attempt:
                        break
            answered = time.monotonic()
            self.send_response(status, reason)
            for key, value in answer_headers:
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
            call = _describe_call(self.headers, body)
            call.update(
                kind=_client_kind(str(self.headers.get("User-Agent") or "")),
                start=started,
                answered=answered,
                end=time.monotonic(),
                status=status,
                bytes=len(payload),
                items=_count_items(call["op"], payload),
                token_out=b'"nextToken":' in payload,
            )
            with lock:
                calls.append(call)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="proxy", daemon=True).start()
    print(f"READY http://127.0.0.1:{server.server_address[1]}", flush=True)
    while os.read(0, 4096):
        pass
    server.shutdown()
    return 0


# -- child processes -----------------------------------------------------------------------------


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


def fetch_calls(proxy: Service) -> list[dict[str, Any]]:
    """Every call the proxy forwarded so far."""
    parts = urlsplit(proxy.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("GET", "/__calls")
        calls: list[dict[str, Any]] = json.loads(connection.getresponse().read())
        return calls
    finally:
        connection.close()


# -- the app in a pseudo-terminal ---------------------------------------------------------------


@dataclass
class Box:
    """A bordered pane found on the screen by its title."""

    title: str
    subtitle: str
    rows: list[str]  # inner lines, borders cut off
    top: int = 0  # the screen line of the top border
    left: int = 0  # the screen column of the left border


_NO = Box("", "", [])
PANES = ("Repositories", "Images", "Findings")
_BORDER = "─╰╯╭╮ "


def find_box(lines: Sequence[str], title: str) -> Box | None:
    """The pane whose top border starts with `╭─ <title>`."""
    for top, line in enumerate(lines):
        left = line.find(f"╭─ {title}")
        if left < 0:
            continue
        right = line.find("╮", left)
        if right < 0:
            return None
        for bottom in range(top + 1, len(lines)):
            if lines[bottom][left : left + 1] == "╰":
                inner = [row[left + 1 : right] for row in lines[top + 1 : bottom]]
                return Box(
                    title=line[left + 1 : right].strip(_BORDER),
                    subtitle=lines[bottom][left + 1 : right].strip(_BORDER),
                    rows=inner,
                    top=top,
                    left=left,
                )
        return None
    return None


_REPO_ROW = re.compile(r"\b(?:IM)?MUTABLE\b")
_IMAGE_ROW = re.compile(r"\b[0-9a-f]{12}\b")
_DIGEST = re.compile(r"sha256:[0-9a-f]{16,}")
_SUBTITLE = re.compile(r"^([\d,]+)(?: of ([\d,]+))? (\w+)(.*)$")


def image_rows(lines: Sequence[str], repository: str, digests: set[str]) -> int:
    """How many rows of `repository`'s images the images pane shows (known by short digest)."""
    box = find_box(lines, "Images")
    if box is None or repository not in box.title:
        return 0
    return sum(
        1
        for row in box.rows
        if "sha256:" not in row and any(m in digests for m in _IMAGE_ROW.findall(row))
    )


def info_digest(lines: Sequence[str]) -> str | None:
    """The digest the images pane's info line shows (the highlighted image)."""
    box = find_box(lines, "Images")
    if box is None:
        return None
    for row in box.rows:
        match = _DIGEST.search(row)
        if match:
            return match.group(0)
    return None


def filter_box_open(lines: Sequence[str], title: str) -> bool:
    """True when a pane shows its (empty) filter box."""
    return any("filter (esc clears)" in row for row in (find_box(lines, title) or _NO).rows)


def repositories_filtered(lines: Sequence[str]) -> bool:
    """True once the repositories pane shows the big repository's row alone."""
    box = find_box(lines, "Repositories") or _NO
    rows = [row for row in box.rows if _REPO_ROW.search(row)]
    typed = any(row.strip() == BIG_REPOSITORY for row in box.rows)
    return typed and bool(rows) and all(BIG_REPOSITORY in row for row in rows)


def filtered_by(typed: str) -> Callable[[list[str]], bool]:
    """A screen test: the images pane says it is filtered by exactly `typed`."""
    return lambda lines: subtitle_of(lines, "Images").endswith(f"filter: {typed}")


def subtitle_of(lines: Sequence[str], title: str) -> str:
    """A pane's border subtitle ("" when the pane is not on screen)."""
    box = find_box(lines, title)
    return box.subtitle if box else ""


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
            if _IMAGE_ROW.search(row) or _REPO_ROW.search(row)
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


# -- measuring ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


@dataclass
class KeyStats:
    """Latencies of single key presses, in milliseconds: to the cursor, to the info line."""

    cursor: list[float] = field(default_factory=list)
    info: list[float] = field(default_factory=list)
    sent: list[float] = field(default_factory=list)  # seconds after the final enter
    timeouts: int = 0

    def add(self, latencies: tuple[float | None, ...], timeout: float, sent: float) -> None:
        """One press; an unanswered one counts as the whole timeout."""
        cursor, info = latencies
        if cursor is None or info is None:
            self.timeouts += 1
        self.cursor.append(timeout * 1000 if cursor is None else cursor)
        self.info.append(timeout * 1000 if info is None else info)
        self.sent.append(sent)

    def summary(self) -> dict[str, Any]:
        """Count, then p50, p99 and max of both; every press for a closer look."""
        out: dict[str, Any] = {"count": len(self.cursor), "timeouts": self.timeouts}
        for name, samples in (("cursor", self.cursor), ("info", self.info)):
            out[f"{name}_p50_ms"] = _round(percentile(samples, 0.50))
            out[f"{name}_p99_ms"] = _round(percentile(samples, 0.99))
            out[f"{name}_max_ms"] = _round(max(samples, default=0.0))
        out["presses"] = [
            [round(at, 3), _round(cursor), _round(info)]
            for at, cursor, info in zip(self.sent, self.cursor, self.info, strict=True)
        ]
        return out


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def press_and_time(term: Terminal, key: bytes, timeout: float) -> tuple[float | None, ...]:
    """Press `key` in the images table; ms until the cursor and the info line show the move.

    The cursor is the images row drawn in the cursor colour; the info line is the
    highlighted image's digest under the table. None: not within `timeout`.
    """
    # Take in what the app drew before the key first: a chunk left unread would
    # otherwise count as the key's answer (or hide it).
    while term.pump(0) is not None:
        pass
    cursor_before = term.highlighted_row("Images")
    info_before = info_digest(term.lines)
    sent = term.send(key)
    cursor_at: float | None = None
    info_at: float | None = None
    deadline = sent + timeout
    while cursor_at is None or info_at is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        arrived = term.pump(min(remaining, 0.25))
        if arrived is None or arrived < sent:
            continue
        if cursor_at is None and term.highlighted_row("Images") not in (None, cursor_before):
            cursor_at = arrived
        if info_at is None and info_digest(term.lines) not in (None, info_before):
            info_at = arrived
    return tuple(None if t is None else (t - sent) * 1000 for t in (cursor_at, info_at))


def app_environment() -> dict[str, str]:
    """The user's environment minus what would change the app's looks or size."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TEXTUAL", "COLUMNS", "LINES", "NO_COLOR", "AWS_"))
        and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        # Compiled once, as an installed package is (pip compiles on install): without
        # it every launch would compile the app's sources again (about 0.1 s here).
        PYTHONPYCACHEPREFIX=str(RESULTS / "pycache"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        AWS_ACCESS_KEY_ID="benchmark",
        AWS_SECRET_ACCESS_KEY="benchmark",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def _find_script(name: str) -> str | None:
    """The real script next to this Python (a pyenv shim would add its own start-up)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def _console_script(name: str) -> str:
    found = _find_script(name)
    if not found:
        raise BenchmarkError(f"`{name}` is not installed (pip install -e .)")
    return found


@dataclass
class AppRun:
    """Everything measured on the app, in seconds from the event named."""

    spawned: float = 0.0
    numbers: dict[str, Any] = field(default_factory=dict)
    keys_loading: KeyStats = field(default_factory=KeyStats)
    keys_loaded: KeyStats = field(default_factory=KeyStats)
    filter_ms: list[dict[str, Any]] = field(default_factory=list)
    enter_at: float = 0.0
    images_loaded_at: float | None = None
    finished: float = 0.0
    rss: dict[str, float] = field(default_factory=dict)
    window: tuple[float, float] = (0.0, 0.0)
    cpu: dict[str, float] = field(default_factory=dict)


def app_code() -> dict[str, Any]:
    """Which ecr_tui the app ran (PYTHONPATH may point elsewhere) and at what commit."""
    where = (
        subprocess.run(
            [sys.executable, "-P", "-c", "import ecr_tui; print(ecr_tui.__file__)"],
            capture_output=True,
            env=app_environment(),
            timeout=60,
        )
        .stdout.decode()
        .strip()
    )
    package = Path(where).parent if where else None
    info: dict[str, Any] = {"ecr_tui": str(package) if package else None}
    if package is not None and shutil.which("git"):
        read = [shutil.which("git") or "git", "-C", str(package)]
        head = subprocess.run([*read, "rev-parse", "--short", "HEAD"], capture_output=True)
        changed = subprocess.run([*read, "status", "--porcelain", "."], capture_output=True)
        if head.returncode == 0:
            info["git_head"] = head.stdout.decode().strip()
            info["uncommitted_changes"] = bool(changed.stdout.strip())
    return info


def compile_app() -> None:
    """Bytecode for the ecr_tui the app will import, in the results folder's cache."""
    code = (
        "import compileall, os, ecr_tui; "
        "compileall.compile_dir(os.path.dirname(ecr_tui.__file__), quiet=1)"
    )
    subprocess.run(
        [sys.executable, "-P", "-c", code], env=app_environment(), check=True, timeout=120
    )


def measure_startup(args: argparse.Namespace, endpoint: str, run_dir: Path) -> dict[str, float]:
    """One launch: spawn → first frame → first repository row → all repositories; then quit."""
    repositories = f"{args.repositories:,}"
    argv = [_console_script("ecr-tui"), "--endpoint-url", endpoint, "--region", REGION]
    term = Terminal(argv, app_environment(), run_dir / "screens.txt")
    try:
        term.watch("first_frame", lambda lines: any(line.strip() for line in lines))
        term.watch("first_full_frame", lambda lines: find_box(lines, "Repositories") is not None)
        term.watch(
            "first_repository_row",
            lambda lines: any(
                _REPO_ROW.search(row) for row in (find_box(lines, "Repositories") or _NO).rows
            ),
        )
        term.seen["repositories_loaded"] = term.wait_until(
            lambda lines: subtitle_of(lines, "Repositories") == f"{repositories} repositories",
            60,
            "all repositories",
        )
        # Let the cursor-follow of the first repository finish before quitting.
        term.settle(quiet=0.3, timeout=3)
    finally:
        term.close(b"q" if term.alive else b"")
    return {
        name: round(term.seen[name] - term.spawned, 3)
        for name in (
            "first_frame",
            "first_full_frame",
            "first_repository_row",
            "repositories_loaded",
        )
        if name in term.seen
    }


def run_app(
    args: argparse.Namespace,
    endpoint: str,
    run_dir: Path,
    first_page: set[str],
    helper_pids: list[int],
) -> AppRun:
    """Drive the app like a user and time what the screen shows."""
    images = f"{args.big_images:,}"
    repositories = f"{args.repositories:,}"
    argv = [_console_script("ecr-tui"), "--endpoint-url", endpoint, "--region", REGION]
    screens = run_dir / "screens.txt"
    screens.write_text("")
    result = AppRun()
    log(f"app: {' '.join(argv)} in a {COLUMNS}x{LINES} pty")
    term = Terminal(argv, app_environment(), screens)
    result.spawned = t0 = term.spawned
    sampler: RssSampler | None = None
    profiler: Profiler | None = None
    try:
        sampler = RssSampler(term.pid)
        cpu = CpuWatch([os.getpid(), term.pid, *helper_pids])
        profiler = Profiler(args.py_spy, args.py_spy_phase, term.pid)
        term.watch("first_frame", lambda lines: any(line.strip() for line in lines))
        term.watch("first_full_frame", lambda lines: find_box(lines, "Repositories") is not None)
        term.watch(
            "first_repository_row",
            lambda lines: any(
                _REPO_ROW.search(row) for row in (find_box(lines, "Repositories") or _NO).rows
            ),
        )
        term.watch(
            "repositories_loaded",
            lambda lines: subtitle_of(lines, "Repositories") == f"{repositories} repositories",
        )
        term.watch("connected", lambda lines: "account " in lines[0])
        term.wait_until(lambda _: "first_frame" in term.seen, 30, "a first frame")
        profiler.enter("all")
        term.wait_until(lambda _: "repositories_loaded" in term.seen, 60, "all repositories")
        term.dump("repositories loaded")
        # What the app does on its own at start (the first repository's images and
        # findings follow the cursor) is over before the user starts typing.
        term.settle(quiet=0.4, timeout=5)

        # Watched from now on: the cursor-follow may start the load before the final
        # enter. A row counts if it is from the first page (the images shown before
        # may still be on screen).
        term.watch(
            "first_image_row", lambda lines: image_rows(lines, BIG_REPOSITORY, first_page) > 0
        )
        term.watch(
            "images_loaded",
            lambda lines: (
                BIG_REPOSITORY in (find_box(lines, "Images") or _NO).title
                and subtitle_of(lines, "Images") == f"{images} images"
            ),
        )
        # `/platform/build-cache`, enter (back to the table), enter (drill in).
        term.send(b"/")
        term.wait_until(
            lambda lines: filter_box_open(lines, "Repositories"),
            5,
            "the repositories filter box",
        )
        term.send(BIG_REPOSITORY.encode())
        term.wait_until(
            repositories_filtered,
            10,
            "the repositories filtered",
        )
        # Enter leaves the filter box for the table: the key bar changes with the focus.
        typing_keys = term.lines[-1]
        term.send(b"\r")
        term.wait_until(lambda lines: lines[-1] != typing_keys, 5, "the table focused again")
        profiler.enter("loading")
        result.enter_at = term.send(b"\r")
        term.wait_until(lambda _: term.focused_pane() == "Images", 10, "the images focused")
        term.wait_until(lambda _: "first_image_row" in term.seen, 60, "a first image row")
        term.wait_until(lambda lines: info_digest(lines) is not None, 10, "an image info line")
        term.dump("first image row")

        # Key presses while the pages arrive, then after the last one.
        log("app: pressing j while the images load")
        deadline = time.monotonic() + args.load_timeout
        while "images_loaded" not in term.seen:
            if time.monotonic() > deadline:
                raise BenchmarkError(f"{BIG_REPOSITORY} did not load within {args.load_timeout} s")
            sent_at = time.monotonic()
            latencies = press_and_time(term, b"j", KEY_TIMEOUT)
            stats = result.keys_loading
            if "images_loaded" in term.seen and term.seen["images_loaded"] < sent_at:
                stats = result.keys_loaded
            stats.add(latencies, KEY_TIMEOUT, sent_at - result.enter_at)
            term.pump(args.key_gap)
        result.images_loaded_at = term.seen["images_loaded"]
        profiler.leave("loading")
        term.dump("images loaded")
        log(f"app: pressing j, G, k {args.keys} times after loading")
        term.settle(quiet=0.3, timeout=3)
        profiler.enter("keys")
        # Down, then from the bottom up: every image under the cursor is a new one, so
        # the findings the cursor asks for are never asked for twice.
        for index in range(args.keys):
            half = args.keys // 2
            key = b"j" if index < half else b"G" if index == half else b"k"
            sent_at = time.monotonic()
            latencies = press_and_time(term, key, KEY_TIMEOUT)
            result.keys_loaded.add(latencies, KEY_TIMEOUT, sent_at - result.enter_at)
            term.pump(args.key_gap)

        profiler.leave("keys")

        # A filter over every image, one typed character at a time.
        log(f"app: filtering {images} images with {args.filter!r}")
        term.settle(quiet=0.3, timeout=3)
        profiler.enter("filter")
        term.send(b"/")
        term.wait_until(
            lambda lines: filter_box_open(lines, "Images"),
            5,
            "the images filter box",
        )
        for end in range(1, len(args.filter) + 1):
            typed = args.filter[:end]
            sent = term.send(typed[-1].encode())
            arrived = term.wait_until(filtered_by(typed), 10, f"the images filtered by {typed!r}")
            result.filter_ms.append(
                {
                    "typed": typed,
                    "ms": round((arrived - sent) * 1000, 1),
                    "subtitle": subtitle_of(term.lines, "Images"),
                }
            )
            term.pump(args.key_gap)
        term.dump("filtered")
        sent = term.send(b"\x1b")
        arrived = term.wait_until(
            lambda lines: subtitle_of(lines, "Images") == f"{images} images", 10, "filter cleared"
        )
        result.numbers["filter_clear_esc_ms"] = round((arrived - sent) * 1000, 1)
        profiler.leave("filter")
        result.finished = time.monotonic()
        result.cpu = cpu.stop()
        result.window = (t0, result.finished)
    finally:
        if sampler is not None:
            sampler.stop()
        term.dump("last screen")
        term.close(b"\x1bq" if term.alive else b"")
        if profiler is not None:
            profiler.stop()
    seen = term.seen
    result.numbers.update(
        first_frame_s=_since(seen, "first_frame", t0),
        first_full_frame_s=_since(seen, "first_full_frame", t0),
        connected_s=_since(seen, "connected", t0),
        first_repository_row_s=_since(seen, "first_repository_row", t0),
        repositories_loaded_s=_since(seen, "repositories_loaded", t0),
        first_image_row_from_enter_s=_since(seen, "first_image_row", result.enter_at),
        images_loaded_from_enter_s=_since(seen, "images_loaded", result.enter_at),
        screen_bytes=term.bytes_read,
        screen_reads=term.reads,
        exit_status=term.exit_status,
    )
    if sampler is not None:
        result.rss = {
            "peak_mb": round(sampler.peak / 2**20, 1),
            "after_repositories_mb": round(
                sampler.peak_between(t0, seen.get("repositories_loaded", t0)) / 2**20, 1
            ),
            "samples": len(sampler.samples),
        }
    return result


def _median(values: Iterator[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(statistics.median(known), 3) if known else None


def _since(seen: dict[str, float], name: str, start: float) -> float | None:
    return round(seen[name] - start, 3) if name in seen else None


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


# -- API calls ------------------------------------------------------------------------------------

_LISTINGS = {"DescribeRepositories", "DescribeImages", "ListImages", "DescribeImageScanFindings"}


def call_summary(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Calls by operation, and the fewest calls that fetch the same data at 1,000 a page.

    A listing (no `repositoryNames`/`imageIds`) needs ceil(items / 1,000) pages, at
    least one, once per repository (or image, for findings); any other call is
    needed once per distinct operation and key.
    """
    by_op: Counter[str] = Counter(call["op"] for call in calls)
    listings: dict[tuple[str, str], list[int]] = defaultdict(list)
    singles: set[tuple[str, str, str]] = set()
    page_sizes: Counter[str] = Counter()
    for call in calls:
        op = call["op"]
        listing = op in _LISTINGS and not (op != "DescribeImageScanFindings" and call["key"])
        if not listing:
            singles.add((op, call["repo"], call["key"]))
            continue
        page_sizes[str(call["max"])] += 1
        scope = (op, f"{call['repo']}|{call['key']}")
        if not call["token_in"] or not listings[scope]:
            listings[scope].append(0)
        listings[scope][-1] += int(call["items"])
    minimum = len(singles) + sum(
        max(math.ceil(max(totals) / PAGE_SIZE), 1) for totals in listings.values()
    )
    return {
        "total": len(calls),
        "minimum": minimum,
        "ratio": round(len(calls) / minimum, 3) if minimum else None,
        "by_operation": dict(sorted(by_op.items())),
        "page_sizes_requested": dict(page_sizes),
        "listings_started": sum(len(totals) for totals in listings.values()),
        "bytes": sum(int(call["bytes"]) for call in calls),
        "errors": sum(1 for call in calls if int(call["status"]) >= 400),
    }


# -- the AWS CLI --------------------------------------------------------------------------------


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


# -- the reference call ------------------------------------------------------------------------


def probe(endpoint: str, repository: str, repetitions: int) -> dict[str, Any]:
    """Check the endpoint answers; time one 1,000-image DescribeImages page (median)."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "ecr",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="benchmark",
        aws_secret_access_key="benchmark",
        config=Config(retries={"max_attempts": 1}, read_timeout=60),
    )
    try:
        client.describe_repositories(maxResults=1)
    except Exception as error:
        raise BenchmarkError(f"the endpoint {endpoint} does not answer: {error}") from error
    times = []
    items = 0
    digests: list[str] = []
    for _ in range(repetitions):
        started = time.monotonic()
        page = client.describe_images(repositoryName=repository, maxResults=PAGE_SIZE)
        times.append(time.monotonic() - started)
        items = len(page["imageDetails"])
        digests = [d["imageDigest"].removeprefix("sha256:")[:12] for d in page["imageDetails"]]
    return {
        "first_page_s": round(statistics.median(times), 3),
        "first_page_runs_s": [round(t, 3) for t in times],
        "first_page_items": items,
        "first_page_short_digests": digests,
    }


# -- report --------------------------------------------------------------------------------------


def evaluate(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target: what was measured, the limit and pass/fail."""
    app, cli, calls = report["app"], report.get("cli") or {}, report["api_calls"]["app"]
    ref = report["reference"]["first_page_s"]
    rows: list[dict[str, Any]] = []

    def add(
        name: str, value: float | None, limit: float | None, unit: str, note: str, strict: bool
    ) -> None:
        passed = None
        if value is not None and limit is not None:
            passed = value < limit if strict else value <= limit
        row = {"target": name, "value": value, "limit": limit, "unit": unit, "note": note}
        rows.append({**row, "pass": passed})

    launches = app["launches"]
    spread = {
        name: ", ".join(_fmt(launch.get(name)) for launch in launches)
        for name in ("first_frame", "first_repository_row")
    }
    note = (
        f"from spawn, median of {len(launches)} launches: {spread['first_frame']}; "
        f"the panes at {_fmt(app.get('first_full_frame_median_s'))}"
    )
    add("first frame", app["first_frame_median_s"], TARGETS["first_frame_s"], "s", note, False)
    add(
        "first repository row",
        app["first_repository_row_median_s"],
        TARGETS["first_repository_row_s"],
        "s",
        f"from spawn, median of {len(launches)} launches: {spread['first_repository_row']}",
        False,
    )
    first_row = app["first_image_row_s"]
    add(
        "first image row",
        first_row,
        round(ref + TARGETS["first_image_row_over_first_page_s"], 3),
        "s",
        f"from load start; limit = one 1,000-image page ({ref:.3f} s) + 100 ms",
        False,
    )
    cli_images = cli.get("describe_images_s")
    add(
        "first image row vs CLI",
        first_row,
        round(cli_images * TARGETS["first_image_row_vs_cli"], 3) if cli_images else None,
        "s",
        "limit = half of `aws ecr describe-images`",
        False,
    )
    for when, stats in (
        ("while loading", app["keys_during_loading"]),
        ("after loading", app["keys_after_loading"]),
    ):
        note = f"{stats['count']} presses, {stats['timeouts']} unanswered in {KEY_TIMEOUT:g} s"
        for part, what in (("cursor", "cursor"), ("info", "info line")):
            label = f"key p99 {when} ({what})"
            add(label, stats[f"{part}_p99_ms"], TARGETS["key_p99_ms"], "ms", note, True)
    worst = max((f["ms"] for f in app["filter"]), default=None)
    note = "slowest typed character"
    add("filter 100,000 rows", worst, TARGETS["filter_ms"], "ms", note, True)
    peak = app["rss"].get("peak_mb")
    add("peak RSS", peak, TARGETS["peak_rss_mb"], "MB", "the app process", True)
    note = f"{calls['total']} calls, minimum {calls['minimum']}"
    add("API calls vs minimum", calls["ratio"], TARGETS["api_calls_vs_minimum"], "x", note, False)
    return rows


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"
    return str(value)


def _ms(value: float | None) -> str:
    """Milliseconds to a tenth, whatever their size (`_fmt` is for seconds)."""
    return "-" if value is None else f"{value:.1f}"


def render_table(report: dict[str, Any]) -> str:
    """The printed summary."""
    out: list[str] = []
    out.append(
        f"ecr-tui benchmark · {report['dataset']['repositories']:,} repositories · "
        f"{report['dataset']['big_images']:,} images in {BIG_REPOSITORY} · "
        f"{COLUMNS}x{LINES} pty · {report['machine']['cpus']} CPUs"
    )
    code = report.get("app_code") or {}
    version = code.get("git_head", "?") + (
        " + uncommitted" if code.get("uncommitted_changes") else ""
    )
    out.append(f"app: {code.get('ecr_tui')} at {version}")
    out.append("")
    out.append(f"{'target':<34} {'measured':>10} {'limit':>10}  {'':4}  note")
    out.append("-" * 100)
    for row in report["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[row["pass"]]
        value = f"{_fmt(row['value'])} {row['unit']}"
        limit = f"{_fmt(row['limit'])} {row['unit']}" if row["limit"] is not None else "-"
        out.append(f"{row['target']:<34} {value:>10} {limit:>10}  {verdict:4}  {row['note']}")
    app, cli = report["app"], report.get("cli") or {}
    out.append("")
    out.append(f"{'app vs aws cli':<36} {'app':>9} {'cli':>9} {'app/cli':>8}")
    out.append("-" * 66)
    for label, mine, theirs in (
        ("first repository row (from spawn)", app["first_repository_row_median_s"],
         cli.get("describe_repositories_s")),
        ("all repositories (from spawn)", app["repositories_loaded_median_s"],
         cli.get("describe_repositories_s")),
        ("first image row", app["first_image_row_s"], cli.get("describe_images_s")),
        ("all images", app["images_loaded_s"], cli.get("describe_images_s")),
    ):  # fmt: skip
        ratio = f"{mine / theirs:.3f}" if mine is not None and theirs else "-"
        out.append(f"{label:<36} {_fmt(mine):>9} {_fmt(theirs):>9} {ratio:>8}")
    calls = report["api_calls"]
    out.append(
        f"{'API calls':<36} {calls['app']['total']:>9} "
        f"{_fmt((calls.get('cli') or {}).get('total')):>9}"
    )
    out.append("")
    out.append("details")
    out.append("-" * 66)
    details = [
        ("first full frame: panes drawn (median)", app.get("first_full_frame_median_s"), "s"),
        ("first API call (from spawn)", app["first_call_s"], "s"),
        ("first repositories page answered", app["first_repositories_page_answered_s"], "s"),
        ("first image row from the final enter", app["first_image_row_from_enter_s"], "s"),
        ("load started after the final enter", app["load_started_from_enter_s"], "s"),
        ("all images from the final enter", app["images_loaded_from_enter_s"], "s"),
        ("first page answered after load start", app["first_page_answered_s"], "s"),
        ("last page answered after load start", app["last_page_answered_s"], "s"),
        ("one 1,000-image page (probe, median)", report["reference"]["first_page_s"], "s"),
        ("peak RSS after the repositories", app["rss"].get("after_repositories_mb"), "MB"),
    ]
    for label, value, unit in details:
        out.append(f"{label:<38}{_fmt(value)} {unit}")
    for stats, when in (
        (app["keys_during_loading"], "while loading"),
        (app["keys_after_loading"], "after loading"),
    ):
        for part in ("cursor", "info"):
            out.append(
                f"{f'keys {when}, {part}':<38}p50 {_ms(stats[f'{part}_p50_ms'])} ms  "
                f"p99 {_ms(stats[f'{part}_p99_ms'])} ms  "
                f"max {_ms(stats[f'{part}_max_ms'])} ms  n={stats['count']}"
            )
    typed = ", ".join(f"{f['typed']!r} {f['ms']:.0f}" for f in app["filter"])
    out.append(f"filter per character (ms)             {typed}")
    out.append(f"filter cleared with esc               {_fmt(app['filter_clear_esc_ms'])} ms")
    out.append(f"app calls by operation                {calls['app']['by_operation']}")
    if calls.get("cli"):
        out.append(f"cli calls by operation                {calls['cli']['by_operation']}")
    cpu = app.get("cpu") or {}
    if cpu:
        out.append(
            f"{'other processes during the app run':<38}{cpu['other_processes_pct_of_a_core']}% "
            f"of a core (load average {cpu['load_average_at_start']} at start)"
        )
        if cpu["other_processes_pct_of_a_core"] > 10:
            out.append("WARNING: the machine was busy with other work: times are inflated")
    out.append(f"benchmark run time                    {report['run_seconds']:.1f} s")
    return "\n".join(out)


# -- main ----------------------------------------------------------------------------------------


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repositories", type=int, default=2000)
    parser.add_argument("--big-images", type=int, default=100_000)
    parser.add_argument("--filter", default="main-4f", help="typed into the images filter")
    parser.add_argument("--keys", type=int, default=100, help="key presses after loading")
    parser.add_argument(
        "--startup-runs", type=int, default=4, help="extra launches timed for start-up alone"
    )
    parser.add_argument("--key-gap", type=float, default=0.03, help="pause after each answer (s)")
    parser.add_argument("--load-timeout", type=float, default=150.0)
    parser.add_argument("--skip-cli", action="store_true", help="do not run the AWS CLI")
    parser.add_argument("--py-spy", metavar="FILE", help="profile the app with py-spy")
    parser.add_argument(
        "--py-spy-phase", choices=PHASES, default="all", help="what to profile (default: all)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--proxy", metavar="UPSTREAM", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def endpoint_command(args: argparse.Namespace) -> list[str]:
    """`python -m ecr_tui.demo.serve ...`, without a Docker registry when it can go without."""
    command = [sys.executable, "-m", "ecr_tui.demo.serve", "--port=0"]
    command += [f"--repositories={args.repositories}", f"--big-images={args.big_images}"]
    usage = subprocess.run(
        [*command[:3], "--help"], capture_output=True, cwd=ROOT, timeout=60
    ).stdout.decode(errors="replace")
    if "--no-registry" in usage:  # browsing needs no registry; it would only cost start-up
        command.append("--no-registry")
    return command


def benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Run everything; the report."""
    started = time.monotonic()
    run_dir = args.output.parent
    run_dir.mkdir(parents=True, exist_ok=True)
    services: list[Service] = []
    try:
        log(f"endpoint: {args.repositories} repositories, {args.big_images} images (seeding)")
        endpoint = start_service(
            "the ECR endpoint",
            endpoint_command(args),
            run_dir / "endpoint.log",
            timeout=120,
        )  # fmt: skip
        services.append(endpoint)
        proxy = start_service(
            "the counting proxy",
            [sys.executable, str(Path(__file__).resolve()), "--proxy", endpoint.url],
            run_dir / "proxy.log",
            timeout=30,
        )
        services.append(proxy)
        log(f"endpoint {endpoint.url}, counted through {proxy.url}")
        reference = probe(proxy.url, BIG_REPOSITORY, repetitions=3)
        log(f"one 1,000-image page: {reference['first_page_s']} s")

        first_page = set(reference.pop("first_page_short_digests"))
        compile_app()
        launches = []
        for number in range(args.startup_runs):
            log(f"app: start-up alone, launch {number + 1} of {args.startup_runs}")
            launches.append(measure_startup(args, proxy.url, run_dir))
        helpers = [endpoint.process.pid, proxy.process.pid]
        app = run_app(args, proxy.url, run_dir, first_page, helpers)
        launches.append(
            {
                "first_frame": app.numbers["first_frame_s"],
                "first_full_frame": app.numbers["first_full_frame_s"],
                "first_repository_row": app.numbers["first_repository_row_s"],
                "repositories_loaded": app.numbers["repositories_loaded_s"],
            }
        )
        calls = fetch_calls(proxy)
        # The start-up launches made calls too: only the measured session's count.
        app_calls = [c for c in calls if c["kind"] == "app" and c["start"] >= app.spawned]
        big_pages = sorted(
            (c for c in app_calls if c["op"] == "DescribeImages" and c["repo"] == BIG_REPOSITORY),
            key=lambda c: float(c["start"]),
        )
        app_calls.sort(key=lambda c: float(c["start"]))
        repo_pages = [c for c in app_calls if c["op"] == "DescribeRepositories"]
        load_start = app.enter_at
        if big_pages:
            load_start = min(app.enter_at, float(big_pages[0]["start"]))
        first_row_at = (app.numbers["first_image_row_from_enter_s"] or 0) + app.enter_at
        loaded_at = app.images_loaded_at
        app_numbers: dict[str, Any] = dict(app.numbers)
        app_numbers.update(
            first_image_row_s=round(first_row_at - load_start, 3),
            images_loaded_s=round(loaded_at - load_start, 3) if loaded_at else None,
            load_started_from_enter_s=round(load_start - app.enter_at, 3),
            first_page_answered_s=(
                round(float(big_pages[0]["end"]) - load_start, 3) if big_pages else None
            ),
            last_page_answered_s=(
                round(float(big_pages[-1]["end"]) - load_start, 3) if big_pages else None
            ),
            big_repository_pages=len(big_pages),
            first_call_s=round(float(app_calls[0]["start"]) - app.spawned, 3)
            if app_calls
            else None,
            first_repositories_page_answered_s=(
                round(float(repo_pages[0]["end"]) - app.spawned, 3) if repo_pages else None
            ),
            keys_during_loading=app.keys_loading.summary(),
            keys_after_loading=app.keys_loaded.summary(),
            filter=app.filter_ms,
            rss=app.rss,
            cpu=app.cpu,
            launches=launches,
            first_frame_median_s=_median(launch.get("first_frame") for launch in launches),
            first_full_frame_median_s=_median(
                launch.get("first_full_frame") for launch in launches
            ),
            first_repository_row_median_s=_median(
                launch.get("first_repository_row") for launch in launches
            ),
            repositories_loaded_median_s=_median(
                launch.get("repositories_loaded") for launch in launches
            ),
        )

        cli: dict[str, Any] | None = None
        cli_calls: list[dict[str, Any]] = []
        aws = None if args.skip_cli else _find_script("aws")
        if aws is None and not args.skip_cli:
            log("the AWS CLI is not installed (pip install awscli): no comparison")
        if aws is not None:
            version = aws_cli_version(aws, app_environment())
            before = len(calls)
            cli = {"version": version}
            cli["describe_repositories_s"] = round(
                run_cli(aws, version, ["ecr", "describe-repositories"], proxy.url, 120), 3
            )
            repo_calls = len(fetch_calls(proxy)) - before
            cli["describe_images_s"] = round(
                run_cli(
                    aws,
                    version,
                    ["ecr", "describe-images", "--repository-name", BIG_REPOSITORY],
                    proxy.url,
                    240,
                ),
                3,
            )
            calls = fetch_calls(proxy)
            cli_calls = [c for c in calls if c["kind"] == "cli"]
            cli["describe_repositories_calls"] = repo_calls
            cli["describe_images_calls"] = len(cli_calls) - repo_calls
            log(f"cli: {cli['describe_repositories_s']} s and {cli['describe_images_s']} s")
        # Every call as the proxy saw it (monotonic times), for a closer look.
        (run_dir / "calls.json").write_text(json.dumps(calls))
    finally:
        for service in reversed(services):
            service.stop()

    report: dict[str, Any] = {
        "command": "python benchmarks/run.py " + " ".join(sys.argv[1:]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "dataset": {
            "repositories": args.repositories,
            "big_images": args.big_images,
            "big_repository": BIG_REPOSITORY,
        },
        "terminal": f"{COLUMNS}x{LINES}",
        "app_code": app_code(),
        "reference": reference,
        "app": app_numbers,
        "cli": cli,
        "api_calls": {
            "app": call_summary(app_calls),
            "cli": call_summary(cli_calls) if cli_calls else None,
        },
        "targets_defined": TARGETS,
    }
    report["targets"] = evaluate(report)
    report["run_seconds"] = round(time.monotonic() - started, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when it ran (targets may still fail), 2 when it could not."""
    args = arguments(argv)
    if args.proxy:
        return run_proxy(args.proxy)
    # The pty reader thread stamps arrivals: let it take the GIL quickly from the emulator.
    sys.setswitchinterval(0.0005)
    # SIGTERM unwinds like Ctrl-C, so that every child is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        report = benchmark(args)
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 2
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(render_table(report))
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
