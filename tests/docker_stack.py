"""A throwaway Docker daemon for the tests, and offline images to push through it.

The daemon runs from Debian's `dockerd` with every bit of state in one
temporary folder (its own socket, data, exec root and config), without
iptables, a bridge or overlayfs, so the tests never touch the machine's own
Docker and need no network. Images are made with `docker import` from tar
files built here, since nothing can be pulled from the internet.

`ecr_docker_stack` puts every peer of a Docker test together: that daemon, a
local ECR endpoint on an account of its own, and the demo's real registry
behind the endpoint, so repository URIs and ECR logins point at the registry.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import docker

from ecr_tui.demo.endpoint import LocalEcr
from ecr_tui.demo.registry.demo_registry import DemoRegistry, attach_demo_registry
from ecr_tui.demo.registry.server import RegistryError

# dockerd is up in about 2 s on a small machine; allow for a busy CI runner.
DAEMON_START_TIMEOUT = 30.0


class StackError(Exception):
    """The test stack could not start; the message says why."""


class DockerDaemon:
    """A private dockerd on a unix socket in a temporary folder."""

    def __init__(self) -> None:
        # A short folder: unix socket paths are limited to about 100 bytes.
        self.folder = Path(tempfile.mkdtemp(prefix="ecrtui-dockerd-", dir="/tmp"))
        self.socket_path = self.folder / "docker.sock"
        self.url = f"unix://{self.socket_path}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = DAEMON_START_TIMEOUT) -> str:
        """Start dockerd and wait until it answers `/_ping`; returns its URL."""
        if shutil.which("dockerd") is None:
            raise StackError("dockerd is not installed: run `apt-get install docker.io`")
        if os.geteuid() != 0:
            raise StackError("dockerd needs root to start; run the docker tests as root")
        config = self.folder / "daemon.json"
        config.write_text("{}\n")  # ignore the machine's /etc/docker/daemon.json
        log_path = self.folder / "dockerd.log"
        command = [
            "dockerd",
            "--config-file", str(config),
            "--data-root", str(self.folder / "data"),
            "--exec-root", str(self.folder / "exec"),
            "--pidfile", str(self.folder / "docker.pid"),
            "-H", self.url,
            "--iptables=false",
            "--ip-forward=false",
            "--bridge=none",
            "--storage-driver=vfs",
        ]  # fmt: skip
        with log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise StackError(
                    f"dockerd exited at start (code {self._process.returncode}): " + _tail(log_path)
                )
            if _pings(self.socket_path):
                return self.url
            time.sleep(0.1)
        self.close()
        raise StackError(f"dockerd did not answer within {timeout:.0f} s: {_tail(log_path)}")

    def close(self) -> None:
        """Stop dockerd (which stops its containerd) and remove the folder."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        shutil.rmtree(self.folder, ignore_errors=True)


def _pings(socket_path: Path) -> bool:
    """True when a daemon answers `GET /_ping` on the socket."""
    if not socket_path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(2)
        try:
            connection.connect(str(socket_path))
            connection.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return connection.recv(64).startswith(b"HTTP/1.0 200")
        except OSError:
            return False


def _tail(log_path: Path, lines: int = 5) -> str:
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return "no log"
    return " | ".join(text.strip().splitlines()[-lines:]) or "no log"


def rootfs_tar(files: dict[str, bytes]) -> bytes:
    """A tar of a root filesystem holding just these files."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mtime = int(time.time())
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def import_image(
    client: docker.DockerClient, repository: str, tag: str, files: dict[str, bytes]
) -> str:
    """Make a one-layer image offline (`docker import`); returns its id."""
    client.api.import_image_from_data(rootfs_tar(files), repository=repository, tag=tag)
    return str(client.images.get(f"{repository}:{tag}").id)


@dataclass(frozen=True)
class EcrDockerStack:
    """Everything a docker test talks to."""

    daemon_url: str
    endpoint_url: str  # the local ECR endpoint
    ecr: Any  # a boto3 ECR client on the local endpoint
    registry: DemoRegistry
    sdk: docker.DockerClient  # for test set-up only; the code under test is LocalDocker
    daemon: DockerDaemon  # to stop it under the app's feet


@contextmanager
def ecr_docker_stack(account_id: str, repositories: Mapping[str, str]) -> Iterator[EcrDockerStack]:
    """dockerd, a local ECR endpoint for `account_id` and the registry behind it.

    `repositories` maps the names to create to their tag mutability. Raises
    StackError with the reason when a peer does not start; stops them all on exit.
    """
    with ExitStack() as cleanup:
        daemon = DockerDaemon()
        cleanup.callback(daemon.close)
        # An account of its own: moto's state is per account, and other modules have theirs.
        local_ecr = LocalEcr(port=0, account_id=account_id)
        try:
            daemon_url = daemon.start()
            endpoint_url = local_ecr.start()
            cleanup.callback(local_ecr.stop)
            registry = attach_demo_registry(local_ecr)
        except (RegistryError, OSError, RuntimeError) as error:
            raise StackError(str(error)) from error
        cleanup.callback(registry.close)
        ecr = boto3.client(
            "ecr",
            endpoint_url=endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="demo",
            aws_secret_access_key="demo",
        )
        for name, mutability in repositories.items():
            ecr.create_repository(repositoryName=name, imageTagMutability=mutability)
        sdk = docker.DockerClient(base_url=daemon_url)
        cleanup.callback(sdk.close)
        yield EcrDockerStack(daemon_url, endpoint_url, ecr, registry, sdk, daemon)
