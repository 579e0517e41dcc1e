"""The counting HTTP proxy between the clients (the app, the CLI) and the endpoint.

`run_proxy` is the proxy itself, run in its own process (`benchmarks/run.py
--proxy URL`): it forwards every request and records each call, told apart by
`X-Amz-Target` and User-Agent. `start_proxy` and `fetch_calls` are the
benchmark's side: start it, and read the calls it recorded.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .common import ROOT
from .services import Service, start_service

TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."

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


# Amazon Inspector's REST paths (botocore's requestUri) and their operations.
INSPECTOR_PATHS = {
    "/findings/list": "inspector2:ListFindings",
    "/findings/aggregation/list": "inspector2:ListFindingAggregations",
    "/coverage/list": "inspector2:ListCoverage",
}


def _describe_call(headers: Any, body: bytes, path: str = "") -> dict[str, Any]:
    """Operation and the parameters that decide what a minimum session needs."""
    target = str(headers.get("X-Amz-Target") or "")
    call: dict[str, Any] = {"op": "", "repo": "", "key": "", "max": None, "token_in": False}
    if path in INSPECTOR_PATHS:
        call["op"] = INSPECTOR_PATHS[path]
        call["token_in"] = b'"nextToken"' in body
    elif target:
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


def run_proxy(upstream: str, latency_ms: float = 0.0) -> int:
    """Forward every request to `upstream`, keeping a record of each; `GET /__calls` lists them.

    `latency_ms` is added to every call before it is forwarded (a network to AWS,
    not a loopback). Prints `READY <url>` once listening; stops when stdin closes.
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
            if latency_ms and self.path != "/__calls":
                time.sleep(latency_ms / 1000)
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
            call = _describe_call(self.headers, body, self.path)
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


def start_proxy(upstream: str, run_dir: Path, latency_ms: float = 0.0) -> Service:
    """The proxy in front of `upstream`; its stderr goes to `run_dir/proxy.log`."""
    command = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--proxy", upstream]
    if latency_ms:
        command.append(f"--proxy-latency-ms={latency_ms}")
    return start_service(
        "the counting proxy",
        command,
        run_dir / "proxy.log",
        timeout=30,
    )


def fetch_calls(proxy: Service) -> list[dict[str, Any]]:
    """Every call the proxy forwarded so far."""
    return calls_at(proxy.url)


def calls_at(proxy_url: str) -> list[dict[str, Any]]:
    """Every call the proxy at `proxy_url` forwarded so far."""
    parts = urlsplit(proxy_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("GET", "/__calls")
        calls: list[dict[str, Any]] = json.loads(connection.getresponse().read())
        return calls
    finally:
        connection.close()


def first_app_call(proxy_url: str, since: float) -> float | None:
    """When the app's first call after `since` (a monotonic time) reached the proxy."""
    starts = [
        float(call["start"])
        for call in calls_at(proxy_url)
        if call["kind"] == "app" and float(call["start"]) >= since
    ]
    return min(starts, default=None)
