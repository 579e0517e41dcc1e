"""A real registry behind the demo's ECR endpoint, so `docker push` and `pull` work offline.

`RegistryServer` runs Docker Distribution (Debian's `docker-registry`) in a
temporary folder on a loopback port, with basic auth for the user `AWS`, as
ECR logins use. `RegistryFront` is a small threaded reverse proxy in front of
it that passes every request through unchanged but asks the local ECR
endpoint before a repository gets blobs or a manifest (so a missing repository
or an immutable tag is refused with ECR's own error), and tells it about every
manifest pushed or pulled (so DescribeImages shows what Docker pushed).

Docker treats 127.0.0.0/8 as a plain-HTTP registry, so no TLS is needed. The
password lives in memory and in a bcrypt htpasswd file; it reaches `htpasswd`
on stdin, never argv.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import http.client
import json
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from werkzeug.datastructures import EnvironHeaders
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wsgi import get_input_stream

from ecr_tui.demo.child_process import stop_process

# The user name every ECR login has.
ECR_USERNAME = "AWS"

REGISTRY_BINARY = "docker-registry"
HTPASSWD_BINARY = "htpasswd"

# ECR refuses manifests over 4 MiB; reading one whole into memory is safe below that.
MAX_MANIFEST_BYTES = 4 * 1024 * 1024

# Large enough that a 50 MB layer crosses the proxy in few system calls.
_RELAY_CHUNK = 1024 * 1024

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",  # set again from what is actually sent
    }
)

_MANIFEST_PATH = re.compile(r"^/v2/(?P<name>.+)/manifests/(?P<reference>[^/]+)$")
_UPLOAD_START_PATH = re.compile(r"^/v2/(?P<name>.+)/blobs/uploads/?$")


class RegistryError(Exception):
    """The demo registry could not start; the message says why."""


class RegistryHooks(Protocol):
    """What the front asks of the local ECR endpoint (`LocalEcr` provides it)."""

    def check_push_allowed(self, repository: str, tag: str | None) -> str | None:
        """None when the push may go on, else ECR's reason for refusing it."""

    def record_push(
        self, repository: str, tag: str | None, manifest_bytes: bytes, media_type: str
    ) -> str:
        """Make the pushed manifest an ECR image; returns its digest."""

    def record_pull(self, repository: str, reference: str) -> object:
        """Note that a manifest was pulled (what it returns is not used)."""


class AttachableEcr(RegistryHooks, Protocol):
    """A local ECR endpoint that can hand out logins to a registry."""

    def attach_registry(self, host: str, password: str) -> None:
        """Make repository URIs and authorization tokens point at `host`."""


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
        self._password = password
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
        htpasswd_file.write_text(_htpasswd_line(ECR_USERNAME, self._password))
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


# -- the front ---------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without its access log, which would land on the TUI's screen."""

    def log(self, type: str, message: str, *args: Any) -> None:
        """Drop every log line."""


def _error_response(
    status: int, code: str, message: str
) -> tuple[str, list[tuple[str, str]], bytes]:
    """A Docker-registry JSON error, which Docker shows as "<code words>: <message>"."""
    body = json.dumps({"errors": [{"code": code, "message": message, "detail": None}]}).encode()
    reason = http.client.responses.get(status, "Error")
    headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Docker-Distribution-Api-Version", "registry/2.0"),
    ]
    return f"{status} {reason}", headers, body


def _ecr_refusal(
    reason: str, otherwise: tuple[int, str] = (403, "DENIED")
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Answer a refused push the way ECR does for the same reason."""
    lowered = reason.lower()
    if "does not exist" in lowered:
        return _error_response(404, "NAME_UNKNOWN", reason)
    if "immutable" in lowered or "already exists" in lowered:
        return _error_response(400, "TAG_INVALID", reason)
    return _error_response(*otherwise, reason)


class RegistryFront:
    """A threaded reverse proxy that streams to the registry and keeps ECR informed."""

    def __init__(
        self,
        backend: str,
        hooks: RegistryHooks,
        password: str,
        username: str = ECR_USERNAME,
    ) -> None:
        self.backend = backend
        self.host = ""  # host:port once started
        self._hooks = hooks
        expected = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._expected_authorization = f"Basic {expected}"
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Serve on a free loopback port in a background thread; returns host:port."""
        self._server = make_server(
            "127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler
        )
        self.host = f"127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="registry-front", daemon=True
        )
        self._thread.start()
        return self.host

    def close(self) -> None:
        """Stop serving; requests in flight finish on their own threads."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _is_authorized(self, environ: dict[str, Any]) -> bool:
        # Only a logged-in client reaches ECR's checks; the registry answers the rest,
        # so a missing login fails with the registry's 401 first, as on ECR.
        given = str(environ.get("HTTP_AUTHORIZATION", ""))
        return hmac.compare_digest(given.encode(), self._expected_authorization.encode())

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        if not self._is_authorized(environ):
            return self._relay(environ, start_response)
        upload = _UPLOAD_START_PATH.match(path)
        if method == "POST" and upload:
            reason = self._hooks.check_push_allowed(upload["name"], None)
            if reason:
                return _respond(start_response, _ecr_refusal(reason))
        manifest = _MANIFEST_PATH.match(path)
        if manifest and method == "PUT":
            return self._put_manifest(
                environ, start_response, manifest["name"], manifest["reference"]
            )
        if manifest and method == "GET":
            return self._relay(
                environ,
                start_response,
                on_success=lambda: self._hooks.record_pull(manifest["name"], manifest["reference"]),
            )
        return self._relay(environ, start_response)

    def _put_manifest(
        self, environ: dict[str, Any], start_response: Any, name: str, reference: str
    ) -> Iterable[bytes]:
        body = get_input_stream(environ, max_content_length=MAX_MANIFEST_BYTES).read()
        tag = None if reference.startswith("sha256:") else reference
        reason = self._hooks.check_push_allowed(name, tag)
        if reason:
            return _respond(start_response, _ecr_refusal(reason))
        media_type = str(environ.get("CONTENT_TYPE", ""))
        return self._relay(
            environ,
            start_response,
            body=body,
            on_success=lambda: self._hooks.record_push(name, tag, body, media_type),
        )

    def _relay(
        self,
        environ: dict[str, Any],
        start_response: Any,
        body: bytes | None = None,
        on_success: Callable[[], object] | None = None,
    ) -> Iterable[bytes]:
        """Send the request on to the registry and stream its answer back unchanged."""
        address, port = self.backend.rsplit(":", 1)
        connection = http.client.HTTPConnection(address, int(port), blocksize=_RELAY_CHUNK)
        try:
            response = _forward(connection, environ, body)
            if on_success is not None and response.status in (200, 201):
                try:
                    on_success()
                except Exception as error:  # the registry has it, but ECR would not show it
                    response.read()
                    connection.close()
                    # EcrError carries ECR's own words; they map to the registry's error codes.
                    reason = str(getattr(error, "message", "") or error)
                    return _respond(start_response, _ecr_refusal(reason, (500, "UNKNOWN")))
        except OSError as error:
            connection.close()
            return _respond(
                start_response,
                _error_response(502, "UNAVAILABLE", f"the demo registry is not answering: {error}"),
            )
        headers = [
            (name, self._rewrite_location(value) if name.lower() == "location" else value)
            for name, value in response.getheaders()
            if name.lower() not in _HOP_BY_HOP
        ]
        # Kept for HEAD too: Docker reads a blob's size from it.
        length = response.getheader("Content-Length")
        if length is not None:
            headers.append(("Content-Length", length))
        start_response(f"{response.status} {response.reason}", headers)
        return _stream_body(connection, response)

    def _rewrite_location(self, value: str) -> str:
        # The registry builds absolute URLs from the Host header, which is already
        # ours; this covers a registry told its own address by configuration.
        return value.replace(f"//{self.backend}/", f"//{self.host}/", 1)


def _forward(
    connection: http.client.HTTPConnection, environ: dict[str, Any], body: bytes | None
) -> http.client.HTTPResponse:
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
    headers = {
        name: value
        for name, value in EnvironHeaders(environ).items()
        if name.lower() not in _HOP_BY_HOP
    }
    payload: bytes | IO[bytes] | None = body
    if body is not None:
        headers["Content-Length"] = str(len(body))
    elif environ.get("wsgi.input_terminated"):
        # A chunked upload: http.client re-chunks a stream of unknown length.
        payload = get_input_stream(environ)
    elif environ.get("CONTENT_LENGTH"):
        headers["Content-Length"] = environ["CONTENT_LENGTH"]
        payload = get_input_stream(environ)
    connection.request(environ["REQUEST_METHOD"], uri, body=payload, headers=headers)
    return connection.getresponse()


def _stream_body(
    connection: http.client.HTTPConnection, response: http.client.HTTPResponse
) -> Iterator[bytes]:
    try:
        while chunk := response.read1(_RELAY_CHUNK):
            yield chunk
    finally:
        connection.close()


def _respond(
    start_response: Any, answer: tuple[str, list[tuple[str, str]], bytes]
) -> Iterable[bytes]:
    status, headers, body = answer
    start_response(status, headers)
    return [body]


# -- the demo's registry -----------------------------------------------------------


@dataclass
class DemoRegistry:
    """The registry and its front, as the local ECR endpoint hands them out."""

    server: RegistryServer
    front: RegistryFront
    password: str = field(repr=False)

    @property
    def host(self) -> str:
        """Where Docker pushes and pulls: the front's 127.0.0.1:PORT."""
        return self.front.host

    def close(self) -> None:
        """Stop the front, then the registry."""
        self.front.close()
        self.server.close()

    def __enter__(self) -> DemoRegistry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def attach_demo_registry(local_ecr: AttachableEcr, workdir: Path | None = None) -> DemoRegistry:
    """Start a registry and its front with a fresh password, and attach them to `local_ecr`."""
    password = secrets.token_urlsafe(24)
    server = RegistryServer(password, workdir)
    server.start()
    front = RegistryFront(server.host, local_ecr, password)
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(server.close)
        front.start()
        cleanup.callback(front.close)
        local_ecr.attach_registry(front.host, password)
        cleanup.pop_all()
    return DemoRegistry(server, front, password)
