"""`RegistryServer`: Docker Distribution (Debian's `docker-registry`) on a loopback port.

It runs in a temporary folder with basic auth for the user `AWS`, as ECR
logins use. Docker treats 127.0.0.0/8 as a plain-HTTP registry, so no TLS is
needed. The password lives in memory and in a bcrypt htpasswd file; it
reaches `htpasswd` on stdin, never argv.
"""

from __future__ import annotations

import http.client
import json
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from typing import Any

from ecr_tui.demo.child_process import stop_process

# The user name every ECR login has.
ECR_USERNAME = "AWS"

REGISTRY_BINARY = "docker-registry"
HTPASSWD_BINARY = "htpasswd"


class RegistryError(Exception):
    """The demo registry could not start; the message says why."""


def registry_available() -> str | None:
    """None when the demo registry can run here, else what to install."""
    if shutil.which(REGISTRY_BINARY) is None:
        return (
            "the Docker registry is not installed (`docker-registry`): "
            "run `apt-get install docker-registry`."
        )
    if shutil.which(HTPASSWD_BINARY) is None:
        return "htpasswd is not installed: run `apt-get install apache2-utils`."
    return None


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop_registry(process: subprocess.Popen[bytes], folder: Path | None) -> None:
    """Stop the registry and remove its folder; also run at exit if nobody closed it."""
    stop_process(process)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


class RegistryServer:
    """Docker Distribution on a loopback port, with htpasswd basic auth for `AWS`."""

    def __init__(self, password: str, workdir: Path | None = None) -> None:
        self.password = password
        self._given_workdir = workdir
        self.workdir: Path | None = None
        self.host = ""  # host:port once started
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[Any, RegistryServer] | None = None

    def start(self, timeout: float = 15.0) -> str:
        """Start the registry and wait until it answers `/v2/`; returns its host:port."""
        problem = registry_available()
        if problem:
            raise RegistryError(problem)
        owned = self._given_workdir is None
        self.workdir = self._given_workdir or Path(tempfile.mkdtemp(prefix="ecr-tui-registry-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        htpasswd_file = self.workdir / "htpasswd"
        htpasswd_file.write_text(_htpasswd_line(ECR_USERNAME, self.password))
        htpasswd_file.chmod(0o600)
        port = _free_loopback_port()
        self.host = f"127.0.0.1:{port}"
        config = self.workdir / "config.yml"
        config.write_text(_registry_config(self.workdir, self.host, htpasswd_file))
        log_path = self.workdir / "registry.log"
        with log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [REGISTRY_BINARY, "serve", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._finalizer = weakref.finalize(
            self, _stop_registry, self._process, self.workdir if owned else None
        )
        try:
            _wait_for_registry(self.host, self._process, log_path, timeout)
        except RegistryError:
            self.close()
            raise
        return self.host

    def close(self) -> None:
        """Stop the registry and remove its temporary folder."""
        if self._finalizer is not None:
            self._finalizer()


def _htpasswd_line(username: str, password: str) -> str:
    # -i reads the password from stdin, so it never shows in `ps`; -B is bcrypt,
    # the only hash Distribution accepts.
    try:
        completed = subprocess.run(
            [HTPASSWD_BINARY, "-niB", username],
            input=password.encode(),
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RegistryError(f"htpasswd could not run: {error}") from None
    line = completed.stdout.decode().strip()
    if completed.returncode != 0 or not line.startswith(f"{username}:"):
        raise RegistryError(f"htpasswd failed: {completed.stderr.decode().strip()}")
    return line + "\n"


def _registry_config(workdir: Path, host: str, htpasswd_file: Path) -> str:
    # JSON strings are valid YAML scalars, so json.dumps quotes paths safely.
    return f"""\
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {json.dumps(str(workdir / "data"))}
http:
  addr: {json.dumps(host)}
  secret: {json.dumps(secrets.token_hex(16))}
auth:
  htpasswd:
    realm: "ecr-tui demo"
    path: {json.dumps(str(htpasswd_file))}
"""


def _wait_for_registry(
    host: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float
) -> None:
    """Poll `/v2/` until the registry answers (401 counts: it is up and wants a login)."""
    address, port = host.rsplit(":", 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log_path.read_text(errors="replace").strip().splitlines()[-3:]
            raise RegistryError(
                f"docker-registry stopped at start (exit {process.returncode}): "
                + (" ".join(said) or "no output")
            )
        connection = http.client.HTTPConnection(address, int(port), timeout=1)
        try:
            connection.request("GET", "/v2/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.05)
        finally:
            connection.close()
    raise RegistryError(f"docker-registry did not answer on {host} within {timeout:.0f} s")
