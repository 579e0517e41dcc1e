"""Start the demo's local ECR endpoint in a child process.

The UI process never imports moto (it costs most of a second): the endpoint
runs as `python -m ecr_tui.demo.serve`, which prints
`READY <url> registry=<host:port>|none:<reason>` once it is seeded and, when
it can, has a real registry for Docker behind it. The child's stderr goes to a
log file in a temporary folder; when the child fails to start, the error
carries the end of that log.

The child leads its own process group, which its registry process joins:
stopping the demo ends that group, and nothing it started outlives it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import TracebackType

from ecr_tui.demo.child_process import (
    ChildNotReadyError,
    log_tail,
    spawn_ready_child,
    stop_process,
    wait_for_ready,
)
from ecr_tui.demo.contexts import write_aws_config
from ecr_tui.demo.data.workloads import DEMO_REPOSITORIES

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


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
        # READY is read once; every later wait gets what it said (or why it failed).
        self._lock = threading.Lock()
        self._outcome: DemoEndpoint | BaseException | None = None

    @property
    def aws_config_path(self) -> Path:
        """The AWS config the demo's profiles are in (written once the endpoint is ready)."""
        return Path(self._workdir.name) / "aws-config"

    @property
    def aws_credentials_path(self) -> Path:
        """An empty credentials file: the user's own profiles stay out of the demo."""
        return Path(self._workdir.name) / "aws-credentials"

    def wait_ready(self, timeout: float = 20.0) -> DemoEndpoint:
        """Block until the child says READY; stop it and raise if it cannot.

        Safe from several threads: the CLI connects the reader at READY, the app
        its own client.
        """
        with self._lock:
            if self._outcome is None:
                try:
                    self._outcome = self._read_ready(timeout)
                except BaseException as error:
                    self._outcome = error
            if isinstance(self._outcome, BaseException):
                raise self._outcome
            return self._outcome

    def _read_ready(self, timeout: float) -> DemoEndpoint:
        log_path = Path(self._workdir.name) / "local-ecr.log"
        try:
            url, registry_host, registry_problem = _read_ready(self.process, timeout)
        except DemoEndpointError as error:
            _terminate(self.process)
            # Read before close(), which removes the folder the log is in.
            message = f"{error}\n--- end of {log_path.name} ---\n{log_tail(log_path)}"
            self.close()
            raise DemoEndpointError(message) from None
        except BaseException:
            self.close()
            raise
        write_aws_config(Path(self._workdir.name), url, self._region)
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
    repositories: int = DEMO_REPOSITORIES,
    big_images: int = 5000,
    *,
    seed: int = 7,
    scan_seconds: float = 3.0,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    registry: bool = True,
    extra_contexts: bool = False,
) -> DemoLaunch:
    """Start the endpoint's process without waiting for it.

    `registry=False` leaves out the registry for Docker: browsing only.
    `extra_contexts` serves a second account and more regions too (see demo.contexts),
    and the AWS config naming them is written to `aws_config_path` once it is ready.
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
        # The app lists repositories first: they are served while images are seeded.
        "--ready-before-images",
    ]
    if not registry:
        command.append("--no-registry")
    if extra_contexts:
        command.append("--extra-contexts")
    # In the app's session: the endpoint's lowered priority while it loads moto counts
    # against the app's, and the first frames are drawn first.
    process = spawn_ready_child(command, log_path, own_session=False)
    return DemoLaunch(process, workdir, account_id, region)


def start_demo_endpoint(
    repositories: int = DEMO_REPOSITORIES,
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
    try:
        url, registry_field = wait_for_ready(process, timeout, "the demo endpoint")
    except ChildNotReadyError as error:
        raise DemoEndpointError(str(error)) from None
    # Nothing else ever comes on stdout; closing it frees the pipe.
    assert process.stdout is not None
    process.stdout.close()
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
    stop_process(process)
    # The child stops its registry on the way out; a child that had to be killed
    # could not, and its registry is still in the child's process group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    for stream in (process.stdin, process.stdout):
        if stream is not None and not stream.closed:
            stream.close()
