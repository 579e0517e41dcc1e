"""What the repository and lifecycle policy validators share: the error that carries
the first problem found, loading the JSON document, and naming a JSON value's type."""

from __future__ import annotations

import json
from typing import Any, TypeGuard


class PolicyError(ValueError):
    """The first problem found in a policy document."""


def load_json_object(text: str, what: str, limit: int) -> dict[str, Any]:
    """`text` as a JSON object of at most `limit` characters, or a `PolicyError`."""
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
    return document


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
