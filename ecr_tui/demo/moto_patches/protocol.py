"""ECR's JSON protocol as the operations here see it: JSON in and out, errors, and what
a request says of itself (its operation, its signing key and region)."""

from __future__ import annotations

import json
from typing import Any

# A request's parameters or an answer, as ECR's JSON 1.1 protocol carries them.
Json = dict[str, Any]

# What ECR's operations are named by, in the X-Amz-Target header.
TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."


class EcrError(Exception):
    """An error as ECR reports it: the `__type` code and the message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def error_body(code: str, message: str) -> bytes:
    """The body of an error answer, which botocore turns into a ClientError."""
    return json.dumps({"__type": code, "message": message}).encode()


def credential_scope(environ: dict[str, Any]) -> list[str]:
    """A SigV4 request's credential: access key id, date, region, service, "aws4_request"."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    _, found, rest = authorization.partition("Credential=")
    parts = rest.split(",", 1)[0].split("/")
    return parts if found and len(parts) >= 4 else []


def region_of(environ: dict[str, Any]) -> str | None:
    """The region a SigV4 request was signed for."""
    scope = credential_scope(environ)
    return scope[2] if scope else None
