"""What the repository and lifecycle policy validators share: the error that carries
the first problem found, loading the JSON document strictly (with where each key
is), checking an object's property names, and naming a JSON value's type."""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeGuard

# A path into a document: object keys and list indexes, e.g. ("rules", 0, "selection").
JsonPath = tuple[str | int, ...]

# Python's json module takes these, JSON (RFC 8259) does not, and neither does ECR.
_NOT_JSON_NUMBERS = ("NaN", "Infinity", "-Infinity")

# The tokens of a document Python's json module has already read: strings, punctuation,
# and the rest (numbers, true, false, null, NaN, Infinity), each with its offset.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


class PolicyError(ValueError):
    """The first problem found in a policy document."""


@dataclass(frozen=True, slots=True)
class JsonDocument:
    """A JSON object as loaded, and where each key of it (at any depth) begins in the text."""

    value: dict[str, Any]
    text: str
    key_offsets: dict[JsonPath, int]

    def where(self, path: JsonPath) -> str:
        """The place of the key at `path` as a message prefix ("line 3, column 5: "), or ""."""
        offset = self.key_offsets.get(path)
        return "" if offset is None else f"{line_and_column(self.text, offset)}: "


def line_and_column(text: str, offset: int) -> str:
    """Where `offset` is in `text`, as editors count (from 1): "line 3, column 5"."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def load_json_object(text: str, what: str, limit: int) -> JsonDocument:
    """`text` as a JSON object of at most `limit` characters, or a `PolicyError`.

    Stricter than `json.loads`, as ECR is: NaN, Infinity and numbers too large to
    be anything but infinity are refused, and so is a key given twice in one object
    (a parser would silently keep only one of them).
    """
    if not text.strip():
        raise PolicyError(f"the {what} is empty")
    if len(text) > limit:
        raise PolicyError(f"too long: {len(text):,} characters, ECR allows {limit:,}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyError(
            f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(document, dict):
        raise PolicyError(f"the {what} must be a JSON object ({{...}}), not {json_kind(document)}")
    return JsonDocument(document, text, _strict_key_offsets(text))


@dataclass(slots=True)
class _Container:
    """An object or list being read: its path, and what comes next inside it."""

    path: JsonPath
    is_object: bool
    keys: dict[str, int]  # key -> offset, objects only
    index: int = 0  # lists only: the index of the current item
    key: str | None = None  # objects only: the key whose value is being read
    expects_key: bool = True

    def child_path(self) -> JsonPath:
        return (*self.path, self.key if self.is_object and self.key is not None else self.index)


def _strict_key_offsets(text: str) -> dict[JsonPath, int]:
    """Where each key begins, by path; a `PolicyError` for NaN, Infinity or a repeated key.

    Runs on text `json.loads` accepted, so the tokens are known to be well formed.
    """
    offsets: dict[JsonPath, int] = {}
    stack: list[_Container] = []
    for match in _TOKEN.finditer(text):
        token, offset = match.group(), match.start()
        top = stack[-1] if stack else None
        if token in "{[":
            path = top.child_path() if top else ()
            stack.append(_Container(path, token == "{", {}))
        elif token in "}]":
            stack.pop()
        elif token == ",":
            if top is not None and top.is_object:
                top.expects_key = True
            elif top is not None:
                top.index += 1
        elif token == ":":
            if top is not None:
                top.expects_key = False
        elif token.startswith('"'):
            if top is not None and top.is_object and top.expects_key:
                key = json.loads(token)
                if key in top.keys:
                    raise PolicyError(
                        f"{line_and_column(text, offset)}: the key {token} is given twice in "
                        f"one object (first at {line_and_column(text, top.keys[key])}); JSON "
                        "keeps only one of them: remove or merge the other"
                    )
                top.keys[key] = offset
                top.key = key
                offsets[(*top.path, key)] = offset
        elif token in _NOT_JSON_NUMBERS:
            raise PolicyError(
                f"{line_and_column(text, offset)}: {token} is not a JSON value: "
                "use a number or a string"
            )
        elif token[0] in "-0123456789" and math.isinf(float(token)):
            raise PolicyError(
                f"{line_and_column(text, offset)}: {token} is too large for a number "
                "(it would be read as infinity): use a smaller one or a string"
            )
    return offsets


def check_properties(
    document: JsonDocument,
    path: JsonPath,
    value: dict[str, Any],
    known: Collection[str],
    where: str,
) -> None:
    """A `PolicyError` naming the first property of `value` (at `path`) not in `known`.

    `where` names the place in messages ("rule 2: selection"); `known` is listed in
    its order, and a near miss of one of them is suggested.
    """
    for name in value:
        if name in known:
            continue
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise PolicyError(
            f"{document.where((*path, name))}{where}: unknown property {name!r}; "
            f"{hint}it takes {', '.join(known)}"
        )


def json_kind(value: object) -> str:
    """How messages name a JSON value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "a number"


def is_int(value: object) -> TypeGuard[int]:
    """True for a JSON whole number (not true/false)."""
    # JSON true/false load as bool, which Python counts as int.
    return isinstance(value, int) and not isinstance(value, bool)
