"""The demo endpoint's HTTP server, listening before moto is imported.

`python -m ecr_tui.demo.serve` starts it first and says READY, then imports
moto (half a second or more) and seeds it. Meanwhile `EndpointServer` answers
DescribeRepositories from an `EarlyListing` and holds every other request;
once `LocalEcr.take_over` hands it the endpoint's gateway, every request,
held or new, goes there. Towards the registry behind the demo it stands in for
the endpoint: it takes the registry's host at once (the early answers' URIs
point there) and passes the registry's checks on once the endpoint is there.
"""

from __future__ import annotations

import io
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ecr_tui.demo.early_listing import EarlyListing
from ecr_tui.demo.moto_patches.protocol import TARGET_PREFIX, region_of

_StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], _StartResponse], Iterable[bytes]]


class Endpoint(Protocol):
    """The `LocalEcr` that takes over: what the registry's front asks of it."""

    def attach_registry(self, host: str, password: str) -> None: ...

    def check_push_allowed(self, repository: str, tag: str | None) -> str | None: ...

    def record_push(
        self, repository: str, tag: str | None, manifest_bytes: bytes, media_type: str
    ) -> str: ...

    def check_pull_allowed(self, repository: str, reference: str) -> str | None: ...

    def record_pull(self, repository: str, reference: str) -> bool: ...


class _QuietHandler(WSGIRequestHandler):
    """werkzeug's handler, without its log of every request (nothing may reach a terminal)."""

    def log(self, type: str, message: str, *args: Any) -> None:
        pass


class EndpointServer:
    """A threaded HTTP server on `host:port` now; the endpoint's gateway behind it later."""

    def __init__(self, host: str, port: int, listing: EarlyListing | None) -> None:
        self._listing = listing
        self._gateway: WsgiApp | None = None
        self._endpoint: Endpoint | None = None
        self._taken_over = threading.Event()
        self._registry: tuple[str, str] | None = None
        self._lock = threading.Lock()
        # Set once a DescribeRepositories was answered here (the endpoint seeds its
        # images after the first listing: see LocalEcr.seed_images).
        self.listed = threading.Event()
        self.server: BaseWSGIServer = make_server(
            host, port, self, threaded=True, request_handler=_QuietHandler
        )
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="local-ecr", daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.server.server_port}"

    def take_over(
        self, gateway: WsgiApp, endpoint: Endpoint, handler: type[WSGIRequestHandler]
    ) -> None:
        """From now on `gateway` answers every request (held ones too); `endpoint` gets
        the registry attached here. `handler` serves new connections."""
        with self._lock:  # a registry attached meanwhile goes to the endpoint, too
            if self._registry is not None:
                endpoint.attach_registry(*self._registry)
            self.server.RequestHandlerClass = handler
            self._gateway, self._endpoint = gateway, endpoint
            self._taken_over.set()

    def __call__(self, environ: dict[str, Any], start_response: _StartResponse) -> Iterable[bytes]:
        if not self._taken_over.is_set():
            early = self._early_answer(environ)
            if early is not None:
                start_response(
                    "200 OK",
                    [
                        ("Content-Type", "application/x-amz-json-1.1"),
                        ("Content-Length", str(len(early))),
                        ("x-amzn-RequestId", str(uuid.uuid4())),
                    ],
                )
                self.listed.set()
                return [early]
            self._taken_over.wait()
        assert self._gateway is not None  # set before _taken_over
        return self._gateway(environ, start_response)

    def _early_answer(self, environ: dict[str, Any]) -> bytes | None:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if self._listing is None or target != TARGET_PREFIX + "DescribeRepositories":
            return None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        # Read once: the gateway may still need it.
        environ["wsgi.input"] = io.BytesIO(body)
        return self._listing.answer("DescribeRepositories", region_of(environ), body)

    # -- the endpoint, as the registry's front sees it ----------------------------------------

    def attach_registry(self, host: str, password: str) -> None:
        """Repository URIs at `host` now; the endpoint gets the registry when it takes over."""
        with self._lock:
            self._registry = (host, password)
            if self._endpoint is not None:
                self._endpoint.attach_registry(host, password)
            elif self._listing is not None:
                self._listing.point_at_registry(host)

    def _taken(self) -> Endpoint:
        self._taken_over.wait()
        assert self._endpoint is not None
        return self._endpoint

    def check_push_allowed(self, repository: str, tag: str | None) -> str | None:
        return self._taken().check_push_allowed(repository, tag)

    def record_push(
        self, repository: str, tag: str | None, manifest_bytes: bytes, media_type: str
    ) -> str:
        return self._taken().record_push(repository, tag, manifest_bytes, media_type)

    def check_pull_allowed(self, repository: str, reference: str) -> str | None:
        return self._taken().check_pull_allowed(repository, reference)

    def record_pull(self, repository: str, reference: str) -> bool:
        return self._taken().record_pull(repository, reference)
