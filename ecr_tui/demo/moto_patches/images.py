"""DescribeImages and ListImages, in push order and a page at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ecr_tui.demo.moto_patches.ecr_image import EcrImage, find_image
from ecr_tui.demo.moto_patches.paging import (
    decode_token,
    encode_token,
    image_filter,
    not_with_paging,
    page_size,
    resume_at,
)
from ecr_tui.demo.moto_patches.protocol import Json
from ecr_tui.demo.moto_patches.shapes import image_json
from ecr_tui.demo.moto_patches.state import EcrState


def describe_images(ecr: EcrState, backend: Any, params: Json, now: float) -> Json:
    """Images in push order, a page at a time, with ECR's details."""
    repository = ecr.repository(backend, params.get("repositoryName"), params.get("registryId"))
    image_ids = params.get("imageIds")
    wanted = image_filter(params, now, by_id=bool(image_ids))
    if image_ids:
        not_with_paging(params, "imageIds")
        found: dict[int, EcrImage] = {}
        for image_id in image_ids:
            image = find_image(repository, image_id)
            found.setdefault(id(image), image)
        return {
            "imageDetails": [
                image_json(repository, image, now) for image in found.values() if wanted(image)
            ]
        }
    limit = page_size(params)
    scope = _listing_scope(repository, params)
    images = repository.images
    index, _ = resume_at(images, decode_token(params, "DescribeImages", scope))
    page: list[EcrImage] = []
    while index < len(images) and len(page) < limit:
        if wanted(images[index]):
            page.append(images[index])
        index += 1
    result: Json = {"imageDetails": [image_json(repository, i, now) for i in page]}
    if any(wanted(image) for image in _iter_from(images, index)):
        result["nextToken"] = encode_token(
            op="DescribeImages", scope=scope, i=index, d=images[index].image_digest
        )
    return result


def list_images(ecr: EcrState, backend: Any, params: Json, now: float) -> Json:
    """One entry per tag (one for an untagged image), a page at a time."""
    repository = ecr.repository(backend, params.get("repositoryName"), params.get("registryId"))
    wanted = image_filter(params, now)
    limit = page_size(params)
    scope = _listing_scope(repository, params)
    images = repository.images
    index, skip = resume_at(images, decode_token(params, "ListImages", scope))
    entries: list[Json] = []
    while index < len(images) and len(entries) < limit:
        image = images[index]
        if wanted(image):
            tags: list[str | None] = list(image.image_tags) or [None]
            taken = tags[skip : skip + limit - len(entries)]
            for tag in taken:
                entry = {"imageDigest": image.image_digest}
                if tag is not None:
                    entry["imageTag"] = tag
                entries.append(entry)
            skip += len(taken)
            if skip < len(tags):
                break  # the page is full in the middle of this image's tags
        index += 1
        skip = 0
    result: Json = {"imageIds": entries}
    if skip or any(wanted(image) for image in _iter_from(images, index)):
        result["nextToken"] = encode_token(
            op="ListImages", scope=scope, i=index, d=images[index].image_digest, t=skip
        )
    return result


def _listing_scope(repository: Any, params: Json) -> str:
    """What a listing's `nextToken` is good for: this repository, with these filters."""
    given = params.get("filter") or {}
    return f"{repository.name}|{given.get('tagStatus', 'ANY')}|{given.get('imageStatus', 'ACTIVE')}"


def _iter_from(items: list[Any], start: int) -> Iterator[Any]:
    return (items[i] for i in range(start, len(items)))
