"""A fault-injecting HTTP proxy between the app and the local ECR endpoint.

It forwards every request to the real endpoint (moto over HTTP) unless a fault
set with `inject` matches it: by operation (ECR's `X-Amz-Target`, or STS's
`Action`), by repository, after letting the first `skip` matching requests
through, for `times` requests or for good. The faults are the ways AWS, a
network or a proxy fail in the field:

- "throttle": 400 ThrottlingException (STS: Throttling), as ECR answers over its rate.
- "500": HTTP 500 with an empty body; "503": the HTML page AWS's front doors send.
- "hang": never answer (until `release_hangs` or `stop`).
- "cut": the connection closes half-way through the body of the real answer.
- "truncate": the real answer cut in half, as a complete HTTP message (a proxy
  that shortened it): the JSON breaks off.
- "expired", "invalid", "denied": the 400s (STS: 403s) of expired credentials,
  credentials AWS does not know, and an identity without the permission.

The proxy runs on a thread of the test process; the app's reader child reaches
it over HTTP like any endpoint. `log` records each request and the fault it got.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
FAULTS = ("throttle", "500", "503", "hang", "cut", "truncate", "expired", "invalid", "denied")
ACCOUNT_ID = "123456789012"

# What AWS's load balancers answer when the service behind them is unavailable.
SERVICE_UNAVAILABLE_PAGE = b"<html><body><b>Http/1.1 Service Unavailable</b></body> </html>"

# ECR's error codes and messages for the faults that are answers (JSON protocol).
_ECR_ERRORS = {
    "throttle": ("ThrottlingException", "Rate exceeded"),
    "expired": ("ExpiredTokenException", "The security token included in the request is expired"),
    "invalid": (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    ),
    "denied": ("AccessDeniedException", ""),  # the message names the action: see _denied
}
# STS answers in XML, with codes of its own.
_STS_ERRORS = {
    "throttle": (400, "Throttling", "Rate exceeded"),
    "expired": (403, "ExpiredToken", _ECR_ERRORS["expired"][1]),
    "invalid": (403, "InvalidClientTokenId", _ECR_ERRORS["invalid"][1]),
    "denied": (403, "AccessDenied", "not authorized to perform: sts:GetCallerIdentity"),
}


def _denied(operation: str, repository: str) -> str:
    resource = f"arn:aws:ecr:us-east-1:{ACCOUNT_ID}:repository/{repository or '*'}"
    return (
        f"User: arn:aws:iam::{ACCOUNT_ID}:user/dev is not authorized to perform: "
        f"ecr:{operation} on resource: {resource} "
        f"because no identity-based policy allows the ecr:{operation} action"
    )


@dataclass
class Fault:
    """One fault to inject, and which requests it applies to."""

    kind: str
    operation: str | None = None  # None: any operation
    repository: str | None = None  # None: any repository (or none)
    skip: int = 0  # matching requests (retries included) let by before the fault starts
    times: int | None = None  # requests that get the fault; None: every one after `skip`
    seen: int = 0
    applied: int = 0

    def matches(self, operation: str, repository: str) -> bool:
        """Whether the fault is about this request (each one it is about is counted)."""
        if self.operation not in (None, operation) or self.repository not in (None, repository):
            return False
        self.seen += 1
        return True

    @property
    def due(self) -> bool:
        """Whether the request just counted gets the fault."""
        return self.seen > self.skip and (self.times is None or self.applied < self.times)


@dataclass(frozen=True)
class Request:
    """A request the proxy saw: what it asked, and the fault it got (None: forwarded)."""

    operation: str
    repository: str
    fault: str | None


class FaultProxy:
    """Forward to `upstream`, failing the requests the injected faults match."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.log: list[Request] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._hung = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fault-proxy", daemon=True
        )

    @property
    def url(self) -> str:
        """Where clients reach the proxy."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        """Start serving; returns itself."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Let hung requests go and stop serving."""
        self._hung.set()
        self._server.shutdown()
        self._server.server_close()

    def inject(
        self,
        kind: str,
        operation: str | None = None,
        *,
        repository: str | None = None,
        skip: int = 0,
        times: int | None = None,
    ) -> Fault:
        """Fail matching requests with `kind` (one of FAULTS) from now on."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}: one of {', '.join(FAULTS)}")
        fault = Fault(kind, operation, repository, skip, times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forward everything again (and let hung requests fail)."""
        with self._lock:
            self._faults.clear()
        self._hung.set()
        self._hung = threading.Event()

    def requests(self, operation: str, repository: str | None = None) -> list[Request]:
        """The requests seen for `operation` (and `repository`), in order."""
        with self._lock:
            return [
                r
                for r in self.log
                if r.operation == operation and repository in (None, r.repository)
            ]

    def _fault_for(self, operation: str, repository: str) -> str | None:
        with self._lock:
            # Every fault counts the requests it is about (retries too), so that `skip`
            # means "this many went through"; the first one due answers.
            matching = [f for f in self._faults if f.matches(operation, repository)]
            fault = next((f for f in matching if f.due), None)
            if fault is not None:
                fault.applied += 1
            kind = fault.kind if fault else None
            self.log.append(Request(operation, repository, kind))
            return kind

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = str(self.headers.get("X-Amz-Target") or "")
                ecr = target.startswith(TARGET_PREFIX)
                operation, repository = _describe(target, body)
                fault = proxy._fault_for(operation, repository)
                if fault == "hang":
                    proxy._hung.wait()
                    self.close_connection = True
                    return
                if fault in ("500", "503"):
                    payload = SERVICE_UNAVAILABLE_PAGE if fault == "503" else b""
                    self._answer(int(fault), "text/html", payload)
                    return
                if fault in _ECR_ERRORS:
                    self._error(fault, ecr, operation, repository)
                    return
                status, headers, payload = self._forward(body)
                if fault == "truncate":
                    payload = payload[: len(payload) // 2]
                if fault == "cut":
                    # The real length announced, half the body sent, then the line goes.
                    self.send_response(status)
                    self.send_header("Content-Type", headers.get("content-type", ""))
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(2)
                    return
                self._answer(status, headers.get("content-type", ""), payload)

            def _forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
                connection = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                try:
                    skipped = {"host", "content-length", "connection"}
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in skipped}
                    headers["Content-Length"] = str(len(body))
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    answer_headers = {k.lower(): v for k, v in response.getheaders()}
                    return response.status, answer_headers, payload
                finally:
                    connection.close()

            def _error(self, fault: str, ecr: bool, operation: str, repository: str) -> None:
                if ecr:
                    code, message = _ECR_ERRORS[fault]
                    if fault == "denied":
                        message = _denied(operation, repository)
                    payload = json.dumps({"__type": code, "message": message}).encode()
                    self._answer(400, "application/x-amz-json-1.1", payload)
                    return
                status, code, message = _STS_ERRORS[fault]
                payload = (
                    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                    f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                    "</Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
                ).encode()
                self._answer(status, "text/xml", payload)

            def _answer(self, status: int, content_type: str, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()

        return Handler


def _describe(target: str, body: bytes) -> tuple[str, str]:
    """The operation (DescribeImages, GetCallerIdentity...) and repository of a request."""
    if target.startswith(TARGET_PREFIX):
        repository = ""
        with contextlib.suppress(ValueError, AttributeError):
            repository = str(json.loads(body or b"{}").get("repositoryName") or "")
        return target.removeprefix(TARGET_PREFIX), repository
    action = parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
    return action or "other", ""
