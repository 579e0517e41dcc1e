"""IAM ListAccountAliases, as the demo's two accounts answer it.

The demo's own account has an alias (the status line shows it beside the account
number); the other account's role may not read it, and gets IAM's own refusal, a
403 AccessDenied, as a role without `iam:ListAccountAliases` does on AWS.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

DEMO_ACCOUNT_ALIAS = "acme-dev"
# The accounts whose callers may not read the alias (`ecr-tui --demo`'s other account;
# an endpoint started otherwise, the tests', answers every account as moto does).
_REFUSING_ACCOUNTS: set[str] = set()


def refuse_alias_reads(account_id: str) -> None:
    """From now on, callers in `account_id` get AccessDenied for ListAccountAliases."""
    _REFUSING_ACCOUNTS.add(account_id)


def give_alias(account_id: str, alias: str = DEMO_ACCOUNT_ALIAS) -> None:
    """Name `account_id` (moto's IAM keeps one alias an account, as AWS does)."""
    from moto.iam.models import iam_backends

    iam_backends[account_id]["aws"].create_account_alias(alias)


def alias_refusal(environ: dict[str, Any], account_id: str) -> bytes | None:
    """IAM's 403 error body for ListAccountAliases from an account that refuses it;
    None for any other request. Reads the form body and puts it back for moto."""
    if environ.get("REQUEST_METHOD") != "POST" or account_id not in _REFUSING_ACCOUNTS:
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    if parse_qs(body.decode("utf-8", "replace")).get("Action") != ["ListAccountAliases"]:
        return None
    caller = f"arn:aws:sts::{account_id}:assumed-role/ecr-demo-reader/ecr-tui-demo"
    message = f"User: {caller} is not authorized to perform: iam:ListAccountAliases on resource: *"
    return (
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
        "<Type>Sender</Type><Code>AccessDenied</Code>"
        f"<Message>{escape(message)}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    ).encode()
