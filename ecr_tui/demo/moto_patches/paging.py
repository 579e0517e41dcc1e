"""Paging as real ECR does it: `maxResults` limits, opaque `nextToken`s, the tag filter."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from ecr_tui.demo.moto_patches.protocol import EcrError, Json

DEFAULT_PAGE = 100
MAX_PAGE = 1000


def page_size(params: Json) -> int:
    """`maxResults`, checked the way ECR checks it."""
    value = params.get("maxResults")
    if value is None:
        return DEFAULT_PAGE
    if isinstance(value, bool) or not isinstance(value, int):
        raise EcrError("InvalidParameterException", "Invalid parameter at 'maxResults'")
    if value > MAX_PAGE:
        bound = f"less than or equal to {MAX_PAGE}"
    elif value < 1:
        bound = "greater than or equal to 1"
    else:
        return value
    raise EcrError(
        "InvalidParameterException",
        f"Invalid parameter at 'maxResults' failed to satisfy constraint: "
        f"'Member must have value {bound}'",
    )


def encode_token(**state: Any) -> str:
    """An opaque `nextToken` carrying where the next page starts."""
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def decode_token(params: Json, operation: str, scope: str) -> dict[str, Any] | None:
    """The state in `nextToken`, checked to belong to this very listing."""
    token = params.get("nextToken")
    if token is None:
        return None
    try:
        state = json.loads(base64.urlsafe_b64decode(str(token).encode()))
    except (ValueError, binascii.Error):
        state = None
    if not isinstance(state, dict) or state.get("op") != operation or state.get("scope") != scope:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'nextToken' failed to satisfy constraint: "
            "'Invalid pagination token'",
        )
    return state


def not_with_paging(params: Json, selector: str) -> None:
    """Refuse `maxResults` and `nextToken` next to `selector` (names or ids), as ECR does."""
    if params.get("maxResults") is not None or params.get("nextToken") is not None:
        raise EcrError(
            "InvalidParameterException",
            f"Invalid parameter: maxResults and nextToken cannot be used with {selector}",
        )


def resume_at(images: list[Any], state: dict[str, Any] | None) -> tuple[int, int]:
    """Where a listing of `images` goes on: the image index and how many of its tags
    were already returned."""
    if state is None:
        return 0, 0
    index, digest, skip = int(state.get("i", 0)), state.get("d"), int(state.get("t", 0))
    if 0 <= index < len(images) and images[index].image_digest == digest:
        return index, skip
    # The list changed under the reader (a delete): find the image again.
    for position, image in enumerate(images):
        if image.image_digest == digest:
            return position, skip
    return min(index, len(images)), 0


IMAGE_STATUSES = ("ACTIVE", "ARCHIVED", "ACTIVATING")


def tag_filter(params: Json) -> Callable[[Any], bool]:
    """Which images `filter.tagStatus` (TAGGED, UNTAGGED or ANY) lets through."""
    status = (params.get("filter") or {}).get("tagStatus") or "ANY"
    if status == "TAGGED":
        return lambda image: bool(image.image_tags)
    if status == "UNTAGGED":
        return lambda image: not image.image_tags
    if status != "ANY":
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'filter.tagStatus' failed to satisfy constraint: "
            "'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'",
        )
    return lambda image: True


def image_filter(params: Json, now: float, by_id: bool = False) -> Callable[[Any], bool]:
    """Which images `filter` lets through: `tagStatus`, and `imageStatus`.

    Without an `imageStatus`, a listing shows ACTIVE images only, as ECR does;
    images asked for by id (`by_id`) are shown whatever their status.
    """
    tagged = tag_filter(params)
    wanted = (params.get("filter") or {}).get("imageStatus") or ("ANY" if by_id else "ACTIVE")
    if wanted == "ANY":
        return tagged
    if wanted not in IMAGE_STATUSES:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'filter.imageStatus' failed to satisfy constraint: "
            "'Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]'",
        )
    if wanted == "ACTIVE":  # the common case, kept cheap: a listing may hold 100,000 images
        return lambda image: (
            (image.storage_status == "ACTIVE" or image.status_at(now)[0] == "ACTIVE")
            and tagged(image)
        )
    return lambda image: image.status_at(now)[0] == wanted and tagged(image)
