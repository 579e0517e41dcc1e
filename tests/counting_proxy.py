"""A small HTTP proxy that forwards to an endpoint and records the AWS operation of each request.

Tests put it between the app and the local ECR endpoint to see exactly which calls
went out: an ECR request names its operation in `X-Amz-Target`
(`AmazonEC2ContainerRegistry_V20150921.DescribeImages`), an STS request in its
form body (`Action=GetCallerIdentity`).
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

ECR_TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."

# Headers that belong to one connection, not to the request forwarded.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}
)


def operation_of(headers: Any, body: bytes, path: str = "") -> str:
    """`ecr:DescribeImages`, `sts:GetCallerIdentity`, or `other:METHOD PATH`-like text."""
    if path in INSPECTOR_PATHS:  # Amazon Inspector's REST JSON: the path names it
        return INSPECTOR_PATHS[path]
    target = str(headers.get("X-Amz-Target") or "")
    if target.startswith(ECR_TARGET_PREFIX):
        return "ecr:" + target.removeprefix(ECR_TARGET_PREFIX)
    action = parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
    return f"sts:{action}" if action else f"other:{target or '?'}"


# Amazon Inspector's REST paths (botocore's requestUri) and their IAM actions.
INSPECTOR_PATHS = {
    "/findings/list": "inspector2:ListFindings",
    "/findings/aggregation/list": "inspector2:ListFindingAggregations",
    "/coverage/list": "inspector2:ListCoverage",
}


class CountingProxy:
    """Forward every request to `upstream`, keeping each one's operation in `operations`."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.operations: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where clients should send their requests."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def seen(self) -> list[str]:
        """The operations forwarded so far, in order."""
        with self._lock:
            return list(self.operations)

    def _record(self, operation: str) -> None:
        with self._lock:
            self.operations.append(operation)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # nothing may reach the test's terminal

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                # Recorded before forwarding: a request counts even if the endpoint fails it.
                proxy._record(operation_of(self.headers, body, self.path))
                headers = {
                    key: value
                    for key, value in self.headers.items()
                    if key.lower() not in _HOP_BY_HOP
                }
                connection = http.client.HTTPConnection(*proxy._upstream, timeout=60)
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    self.send_response(response.status, response.reason)
                    for key, value in response.getheaders():
                        if key.lower() not in _HOP_BY_HOP | {"content-length", "server", "date"}:
                            self.send_header(key, value)
                finally:
                    connection.close()
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

        return Handler

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
