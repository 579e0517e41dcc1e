"""`RegistryFront`: a threaded reverse proxy in front of the registry that keeps ECR informed.

It passes every request through unchanged but asks the local ECR endpoint
before a repository gets blobs or a manifest (so a missing repository or an
immutable tag is refused with ECR's own error), and tells it about every
manifest pushed or pulled (so DescribeImages shows what Docker pushed).
"""

from __future__ import annotations

import base64
import hmac
import http.client
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Protocol

from werkzeug.datastructures import EnvironHeaders
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wsgi import get_input_stream

from ecr_tui.demo.registry.server import ECR_USERNAME

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


class RegistryHooks(Protocol):
    """What the front asks of the local ECR endpoint (`LocalEcr` provides it)."""

    def check_push_allowed(self, repository: str, tag: str | None) -> str | None:
        """None when the push may go on, else ECR's reason for refusing it."""

    def record_push(
        self, repository: str, tag: str | None, manifest_bytes: bytes, media_type: str
    ) -> str:
        """Make the pushed manifest an ECR image; returns its digest."""

    def check_pull_allowed(self, repository: str, reference: str) -> str | None:
        """None when the manifest may be served, else why not (an archived image)."""

    def record_pull(self, repository: str, reference: str) -> object:
        """Note that a manifest was pulled (what it returns is not used)."""


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
        if manifest and method in ("GET", "HEAD"):
            refused = self._hooks.check_pull_allowed(manifest["name"], manifest["reference"])
            if refused:  # ECR answers 404 for an archived image
                return _respond(start_response, _error_response(404, "MANIFEST_UNKNOWN", refused))
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
