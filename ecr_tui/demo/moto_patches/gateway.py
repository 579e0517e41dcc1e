"""The WSGI app in front of moto: ECR operations that need real behaviour here, the rest to moto."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from ecr_tui.demo.moto_patches.account_alias import alias_refusal
from ecr_tui.demo.moto_patches.inspector import INSPECTOR_PATHS, handle_inspector
from ecr_tui.demo.moto_patches.mfa import mfa_refusal
from ecr_tui.demo.moto_patches.operations import HANDLERS, handle
from ecr_tui.demo.moto_patches.protocol import TARGET_PREFIX, credential_scope, region_of
from ecr_tui.demo.moto_patches.state import REQUEST_ACCOUNT, EcrState

# What may be answered while images are still being seeded: the repositories are
# all there already, and the answer does not depend on their images.
ANSWERED_WHILE_SEEDING = frozenset({"DescribeRepositories"})

_StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_WsgiApp = Callable[[dict[str, Any], _StartResponse], Iterable[bytes]]


def account_of_key(access_key: str) -> str | None:
    """The account moto issued `access_key` in (an assumed role's keys belong to the
    role's account, as AWS's do); None for a key moto never issued (the demo's own)."""
    from moto.iam.models import iam_backends

    for account_id, account in list(iam_backends.items()):
        for partition in list(account.keys()):
            if access_key in account[partition].access_keys:
                return str(account_id)
    return None


def _is_inspector_query(environ: dict[str, Any]) -> bool:
    """An inspector2 call answered from the demo's registries (see moto_patches.inspector)."""
    scope = credential_scope(environ)
    return (
        len(scope) >= 4
        and scope[3] == "inspector2"
        and environ.get("REQUEST_METHOD") == "POST"
        and str(environ.get("PATH_INFO", "")) in INSPECTOR_PATHS
    )


class Gateway:
    """The WSGI app: ECR operations that need real behaviour here, the rest to moto."""

    def __init__(self, ecr: EcrState, moto_app: _WsgiApp) -> None:
        self.ecr = ecr
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: _StartResponse) -> Iterable[bytes]:
        # Any key moto did not issue answers for our account; a role's keys (AssumeRole
        # into another account) for the role's account, as AWS would.
        scope = credential_scope(environ)
        account = (account_of_key(scope[0]) if scope else None) or self.ecr.home_account_id
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = account
        token = REQUEST_ACCOUNT.set(account)
        try:
            return self._answer(environ, start_response)
        finally:
            REQUEST_ACCOUNT.reset(token)

    def _answer(self, environ: dict[str, Any], start_response: _StartResponse) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if _is_inspector_query(environ):
            return self._inspector(environ, start_response)
        if not target.startswith(TARGET_PREFIX):
            account = str(environ["HTTP_X_MOTO_ACCOUNT_ID"])
            refusal = mfa_refusal(environ) or alias_refusal(environ, account)
            if refusal is not None:
                start_response(
                    "403 Forbidden",
                    [("Content-Type", "text/xml"), ("Content-Length", str(len(refusal)))],
                )
                return [refusal]
            return self.moto_app(environ, start_response)
        operation = target.removeprefix(TARGET_PREFIX)
        context = (self.ecr.account_id, region_of(environ) or self.ecr.region)
        if context in self.ecr.seeding_contexts:
            self.ecr.contexts_seeded.wait()  # never an empty answer that means "not yet"
        elif operation not in ANSWERED_WHILE_SEEDING:
            self.ecr.images_seeded.wait()
        if operation not in HANDLERS:
            with self.ecr.lock:  # moto changes its ECR models while it answers
                answer = self._from_moto(environ, start_response)
            if operation == "DescribeRepositories":
                self.ecr.repositories_listed.set()
            return answer
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        region = region_of(environ) or self.ecr.region
        status, payload = handle(self.ecr, operation, region, body)
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", str(uuid.uuid4())),
            ],
        )
        if operation == "DescribeRepositories":
            self.ecr.repositories_listed.set()
        return [payload]

    def _inspector(self, environ: dict[str, Any], start_response: _StartResponse) -> list[bytes]:
        """Inspector's findings and coverage of the demo's registries (REST JSON)."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        region = region_of(environ) or self.ecr.region
        path = str(environ.get("PATH_INFO", ""))
        status, answer, error = handle_inspector(self.ecr, path, region, body)
        payload = json.dumps(answer, separators=(",", ":")).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ]
        if error:
            headers.append(("x-amzn-ErrorType", error))
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [payload]

    def _from_moto(self, environ: dict[str, Any], start_response: _StartResponse) -> list[bytes]:
        """moto's answer, with its JSON errors in ECR's shape (`__type` and `message`)."""
        answered: list[tuple[str, list[tuple[str, str]]]] = []

        def keep(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
            answered.append((status, headers))
            return lambda data: None  # moto never writes through it

        response = self.moto_app(environ, keep)
        try:
            body = b"".join(response)
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()
        status, headers = answered[-1]
        if int(status.split(" ", 1)[0]) >= 400:
            body = ecr_error_body(body)
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]


def ecr_error_body(body: bytes) -> bytes:
    """moto's JSON error as ECR sends it; anything else unchanged.

    moto repeats the message as `Message`, which ECR's errors do not carry.
    """
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    if not isinstance(parsed, dict) or "__type" not in parsed:
        return body
    message = parsed.get("message", parsed.get("Message", ""))
    return json.dumps({"__type": parsed["__type"], "message": message}).encode()
