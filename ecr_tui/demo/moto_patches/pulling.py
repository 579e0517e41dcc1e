"""BatchGetImage: the manifests a client may have, in a media type it accepts.

ECR answers an index (OCI image index, Docker manifest list) only to a client
that accepts index media types; to any other it answers the first platform's
manifest the index lists, as users of the API report. An archived image cannot
be pulled: it is a failure, as a pull of it is a 404.
"""

from __future__ import annotations

import json
from typing import Any

from ecr_tui.demo.data.images import DOCKER_MANIFEST, INDEX_MEDIA_TYPES, OCI_MANIFEST
from ecr_tui.demo.moto_patches.ecr_image import EcrImage, find_image
from ecr_tui.demo.moto_patches.protocol import EcrError, Json
from ecr_tui.demo.moto_patches.state import EcrState

# ECR's answer when a client names no media types: single-platform manifests.
DEFAULT_ACCEPTED = (
    "application/vnd.docker.distribution.manifest.v1+json",
    DOCKER_MANIFEST,
    OCI_MANIFEST,
)
MAX_IMAGE_IDS = 100


def batch_get_image(ecr: EcrState, backend: Any, params: Json, now: float) -> Json:
    """Each asked-for image's manifest, or a failure that says why not."""
    repository = ecr.repository(backend, params.get("repositoryName"), params.get("registryId"))
    image_ids = params.get("imageIds") or []
    if len(image_ids) > MAX_IMAGE_IDS:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'imageIds' failed to satisfy constraint: "
            f"'Member must have length less than or equal to {MAX_IMAGE_IDS}'",
        )
    accepted = tuple(params.get("acceptedMediaTypes") or DEFAULT_ACCEPTED)
    images: list[Json] = []
    failures: list[Json] = []
    for image_id in image_ids:
        asked = {k: v for k, v in (image_id or {}).items() if k in ("imageDigest", "imageTag")}
        if not asked:
            failures.append(_failure(asked, "MissingDigestAndTag", "Missing digest and tag"))
            continue
        try:
            image = find_image(repository, asked)
        except EcrError:
            failures.append(_failure(asked, "ImageNotFound", "Requested image not found"))
            continue
        if image.status_at(now)[0] != "ACTIVE":  # archived images cannot be pulled
            failures.append(_failure(asked, "ImageNotFound", "Requested image not found"))
            continue
        served = _served(repository, image, accepted)
        image_json: Json = {
            "registryId": repository.registry_id,
            "repositoryName": repository.name,
            "imageId": {**asked, "imageDigest": served.image_digest},
            "imageManifest": served.image_manifest,
            "imageManifestMediaType": served.image_manifest_media_type,
        }
        images.append(image_json)
    return {"images": images, "failures": failures}


def _served(repository: Any, image: EcrImage, accepted: tuple[str, ...]) -> EcrImage:
    """The manifest to answer with: the image's, or its index's first acceptable platform."""
    if image.image_manifest_media_type not in INDEX_MEDIA_TYPES:
        return image
    if image.image_manifest_media_type in accepted:
        return image
    listed = json.loads(image.image_manifest).get("manifests") or []
    for entry in listed:
        platform = entry.get("platform") or {}
        if entry.get("mediaType") in accepted and platform.get("os") != "unknown":
            try:
                return find_image(repository, {"imageDigest": entry.get("digest")})
            except EcrError:
                continue
    return image


def _failure(image_id: Json, code: str, reason: str) -> Json:
    return {"imageId": image_id, "failureCode": code, "failureReason": reason}
