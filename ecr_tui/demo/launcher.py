"""Start the demo's local ECR endpoint in a child process.

The UI process never imports moto (it costs most of a second): the endpoint
runs as `python -m ecr_tui.demo.serve`, which prints
`READY <url> registry=<host:port>|none:<reason>` once it is seeded and, when
it can, has a real registry for Docker behind it. The child's stderr goes to a
log file in a temporary folder; when the child fails to start, the error
carries the end of that log.

The child runs in its own session, so its registry process shares its process
group: stopping the demo ends that group, and nothing it started outlives it.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import ecr_tui

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
_LOG_TAIL_BYTES = 4000


class DemoEndpointError(RuntimeError):
    """The demo endpoint did not start; the message says why, with its log's tail."""


class DemoEndpoint:
    """A running demo endpoint: where it is, and how to stop it."""

    def __init__(
        self,
        url: str,
        account_id: str,
        region: str,
        process: subprocess.Popen[bytes],
        workdir: tempfile.TemporaryDirectory[str],
        registry_host: str | None = None,
        registry_problem: str | None = None,
    ) -> None:
        self.url = url
        self.account_id = account_id
        self.region = region
        self.process = process
        self._workdir = workdir
        # Where Docker pushes and pulls (repository URIs point there), or why it cannot.
        self.registry_host = registry_host
        self.registry_problem = registry_problem

    @property
    def log_path(self) -> Path:
        """The child's stderr."""
        return Path(self._workdir.name) / "local-ecr.log"

    def close(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL after 5 s) and remove its folder."""
        _terminate(self.process)
        self._workdir.cleanup()

    def __enter__(self) -> DemoEndpoint:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class DemoLaunch:
    """A demo endpoint that was spawned and may not be ready yet.

    The app spawns the child before it even imports Textual, then waits for
    READY in a worker: the endpoint's start-up overlaps the app's.
    """

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        workdir: tempfile.TemporaryDirectory[str],
        account_id: str,
        region: str,
    ) -> None:
        self.process = process
        self._workdir = workdir
        self._account_id, self._region = account_id, region

    def wait_ready(self, timeout: float = 20.0) -> DemoEndpoint:
        """Block until the child says READY; stop it and raise if it cannot."""
        log_path = Path(self._workdir.name) / "local-ecr.log"
        try:
            url, registry_host, registry_problem = _read_ready(self.process, timeout)
        except DemoEndpointError as error:
            self.close()
            message = f"{error}\n--- end of {log_path.name} ---\n{_tail(log_path)}"
            raise DemoEndpointError(message) from None
        except BaseException:
            self.close()
            raise
        return DemoEndpoint(
            url,
            self._account_id,
            self._region,
            self.process,
            self._workdir,
            registry_host,
            registry_problem,
        )

    def close(self) -> None:
        """Stop the child, ready or not, and remove its folder."""
        _terminate(self.process)
        self._workdir.cleanup()


def spawn_demo_endpoint(
    repositories: int = 36,
    big_images: int = 5000,
    *,
    seed: int = 7,
    scan_seconds: float = 3.0,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    registry: bool = True,
) -> DemoLaunch:
    """Start the endpoint's process without waiting for it.

    `registry=False` leaves out the registry for Docker: browsing only.
    """
    workdir = tempfile.TemporaryDirectory(prefix="ecr-tui-demo-")
    log_path = Path(workdir.name) / "local-ecr.log"
    command = [
        sys.executable,
        "-m",
        "ecr_tui.demo.serve",
        "--port=0",
        f"--repositories={repositories}",
        f"--big-images={big_images}",
        f"--seed={seed}",
        f"--scan-seconds={scan_seconds}",
        f"--account-id={account_id}",
        f"--region={region}",
    ]
    if not registry:
        command.append("--no-registry")
    # The child must import this very copy of ecr_tui, installed or not.
    package_root = str(Path(ecr_tui.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            # Its own session: a Ctrl-C meant for the terminal app must not reach it.
            start_new_session=True,
        )
    return DemoLaunch(process, workdir, account_id, region)


def start_demo_endpoint(
    repositories: int = 36,
    big_images: int = 5000,
    timeout: float = 20.0,
    *,
    seed: int = 7,
    scan_seconds: float = 3.0,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    registry: bool = True,
) -> DemoEndpoint:
    """Spawn the endpoint and wait (at most `timeout` seconds) until it is ready."""
    launch = spawn_demo_endpoint(
        repositories,
        big_images,
        seed=seed,
        scan_seconds=scan_seconds,
        account_id=account_id,
        region=region,
        registry=registry,
    )
    return launch.wait_ready(timeout)


def _read_ready(
    process: subprocess.Popen[bytes], timeout: float
) -> tuple[str, str | None, str | None]:
    """The URL, registry host and registry problem from the child's READY line."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    received = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in received:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DemoEndpointError(f"the demo endpoint was not ready after {timeout:g} s")
            if not selector.select(remaining):
                continue
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                code = process.wait()
                raise DemoEndpointError(
                    f"the demo endpoint exited (code {code}) before it was ready"
                )
            received += chunk
    # Nothing else ever comes on stdout; closing it frees the pipe.
    process.stdout.close()
    line = received.split(b"\n", 1)[0].decode(errors="replace").strip()
    word, _, rest = line.partition(" ")
    url, _, registry_field = rest.partition(" ")
    if word != "READY" or not url.startswith("http"):
        raise DemoEndpointError(f"the demo endpoint said {line!r} instead of READY")
    host, problem = parse_registry_field(registry_field)
    return url, host, problem


def parse_registry_field(field: str) -> tuple[str | None, str | None]:
    """`registry=HOST` or `registry=none:REASON` as (host, None) or (None, reason)."""
    value = field.removeprefix("registry=") if field.startswith("registry=") else ""
    if value.startswith("none:"):
        return None, value.removeprefix("none:") or "the demo has no registry"
    if not value:
        return None, "the demo endpoint did not say where its registry is"
    return value, None


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # The child stops its registry on the way out; a child that had to be killed
    # could not, and its registry is still in the child's process group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    for stream in (process.stdin, process.stdout):
        if stream is not None and not stream.closed:
            stream.close()


def _tail(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return "(no log)"
    return data[-_LOG_TAIL_BYTES:].decode(errors="replace") or "(empty log)"
