"""STS AssumeRole with an MFA code, as AWS answers it (moto accepts any code).

The demo's MFA device takes one code, `DEMO_MFA_CODE` (a real device's change
every 30 seconds): any other code gets AWS's own refusal, a 403 AccessDenied,
so that a wrong code can be tried without AWS.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

DEMO_MFA_CODE = "123456"
# STS's message for a wrong or reused code.
INVALID_CODE_MESSAGE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "


def mfa_refusal(environ: dict[str, Any]) -> bytes | None:
    """STS's 403 error body for an AssumeRole whose MFA code is wrong; None otherwise.

    Reads the form body and puts it back for moto.
    """
    if environ.get("REQUEST_METHOD") != "POST" or "HTTP_X_AMZ_TARGET" in environ:
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    form = parse_qs(body.decode("utf-8", "replace"))
    if form.get("Action") != ["AssumeRole"] or "SerialNumber" not in form:
        return None
    if form.get("TokenCode") == [DEMO_MFA_CODE]:
        return None
    return (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
        "<Type>Sender</Type><Code>AccessDenied</Code>"
        f"<Message>{escape(INVALID_CODE_MESSAGE)}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    ).encode()
