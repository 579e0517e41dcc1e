"""How ECR's answers are read: as plain JSON, and never when something cut them short.

An answer cut off by a proxy, a link or a dying endpoint must never be read as a
complete (often empty) one: `refuse_short_answers` and the plain JSON parser
raise `CutOffAnswer`, and listings ask again (`ask_again_when_cut_off`) before
`explain_error` words it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

# How often a listing asks for a page whose answer came back cut off (see `pages`).
CUT_OFF_ATTEMPTS = 3


class CutOffAnswer(Exception):
    """ECR's answer arrived whole as HTTP, but its JSON breaks off: something cut it.

    botocore retries what fails before its parser runs, not this: listings ask
    for such a page again themselves (`EcrService.pages`). `explain_error` words it.
    """

    def __init__(self, operation: str, attempts: int = 1) -> None:
        super().__init__(f"the answer to {operation} was cut off ({attempts} attempts)")
        self.operation = operation
        self.attempts = attempts


class ConnectionCut(CutOffAnswer):
    """The connection closed before the answer's announced Content-Length arrived.

    botocore (1.44 and later) no longer refuses a short body itself: it would
    parse half an answer, or an empty one, as a complete and empty result.
    `refuse_short_answers` stops that before any parser runs.
    """


def refuse_short_answers(operation_model: Any, response_dict: dict[str, Any], **_: object) -> None:
    """botocore hook: an answer shorter than its Content-Length is not an answer."""
    headers = response_dict.get("headers") or {}
    announced = headers.get("content-length") or headers.get("Content-Length")
    body = response_dict.get("body")
    if announced is None or not isinstance(body, bytes | bytearray):
        return  # chunked, or streamed to the caller: nothing to hold it to
    try:
        expected = int(announced)
    except ValueError:
        return
    if len(body) < expected:
        raise ConnectionCut(str(getattr(operation_model, "name", "")) or "the call")


def ask_again_when_cut_off(call: Callable[..., Any], params: dict[str, Any]) -> dict[str, Any]:
    for attempt in range(1, CUT_OFF_ATTEMPTS + 1):
        try:
            page: dict[str, Any] = call(**params)
            return page
        except CutOffAnswer as error:
            if attempt == CUT_OFF_ATTEMPTS:
                raise type(error)(error.operation, attempt) from None
            time.sleep(0.1 * attempt)  # a moment for whatever cut it to pass
    raise AssertionError("unreachable")


def plain_json_factory() -> Any:
    """A botocore parser factory that reads JSON answers as they come.

    botocore's walk over the output shape (turning every timestamp into a
    datetime above all) cost 185 ms of a 225 ms DescribeImages page of 1,000
    images here, time the UI thread waits for the GIL. Plain JSON costs 40 ms;
    `api_items.timestamp` converts what we use. Error bodies are still parsed by
    botocore, so exceptions are unchanged. An answer whose JSON breaks off
    raises `CutOffAnswer`. Built on first use: importing botocore's parsers is
    slow, and the first frame should not wait for it.
    """
    from botocore.parsers import JSONParser, ResponseParserFactory

    class PlainJsonParser(JSONParser):
        def _handle_json_body(self, raw_body: bytes, shape: Any) -> Any:
            if not raw_body:
                return {}
            try:
                return json.loads(raw_body)
            except ValueError:  # a proxy or a link shortened it
                operation = str(getattr(shape, "name", "")).removesuffix("Response")
                raise CutOffAnswer(operation or "the call") from None

    class PlainJsonFactory(ResponseParserFactory):
        def create_parser(self, protocol_name: str) -> Any:
            if protocol_name == "json":
                return PlainJsonParser()
            return super().create_parser(protocol_name)

    return PlainJsonFactory()
