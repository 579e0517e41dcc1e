"""The WSGI app in front of moto: ECR operations that need real behaviour here, the rest to moto."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from ecr_tui.demo.moto_patches.operations import HANDLERS, handle
from ecr_tui.demo.moto_patches.state import EcrState

TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
# What may be answered while images are still being seeded: the repositories are
# all there already, and the answer does not depend on their images.
ANSWERED_WHILE_SEEDING = frozenset({"DescribeRepositories"})

_StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_WsgiApp = Callable[[dict[str, Any], _StartResponse], Iterable[bytes]]


def _region_of(environ: dict[str, Any]) -> str | None:
    """The region a SigV4 request was signed for."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    _, found, rest = authorization.partition("Credential=")
    parts = rest.split(",", 1)[0].split("/")
    return parts[2] if found and len(parts) >= 4 else None


class Gateway:
    """The WSGI app: ECR operations that need real behaviour here, the rest to moto."""

    def __init__(self, ecr: EcrState, moto_app: _WsgiApp) -> None:
        self.ecr = ecr
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: _StartResponse) -> Iterable[bytes]:
        # Whatever key the client signs with, moto answers for our account.
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = self.ecr.account_id
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if not target.startswith(TARGET_PREFIX):
            return self.moto_app(environ, start_response)
        operation = target.removeprefix(TARGET_PREFIX)
        if operation not in ANSWERED_WHILE_SEEDING:
            self.ecr.images_seeded.wait()
        if operation not in HANDLERS:
            with self.ecr.lock:  # moto changes its ECR models while it answers
                response = self.moto_app(environ, start_response)
                try:
                    return list(response)
                finally:
                    close = getattr(response, "close", None)
                    if close is not None:
                        close()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        region = _region_of(environ) or self.ecr.region
        status, payload = handle(self.ecr, operation, region, body)
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", str(uuid.uuid4())),
            ],
        )
        return [payload]
