"""ECR's JSON protocol as the operations here see it: JSON objects in and out, and errors."""

from __future__ import annotations

import json
from typing import Any

# A request's parameters or an answer, as ECR's JSON 1.1 protocol carries them.
Json = dict[str, Any]


class EcrError(Exception):
    """An error as ECR reports it: the `__type` code and the message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def error_body(code: str, message: str) -> bytes:
    """The body of an error answer, which botocore turns into a ClientError."""
    return json.dumps({"__type": code, "message": message}).encode()
