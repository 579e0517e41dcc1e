"""The archive storage class: an image's status, UpdateImageStorageClass, and pulls refused.

An archived image is listed (when asked for) but cannot be pulled; a restore
takes `restore_seconds` (ECR: up to 20 minutes), ACTIVATING meanwhile, and
then the image is scanned again as a newly pushed one would be.
"""

from __future__ import annotations

from typing import Any

from ecr_tui.demo.moto_patches.ecr_image import EcrImage, find_image, image_id_as_asked
from ecr_tui.demo.moto_patches.protocol import EcrError, Json
from ecr_tui.demo.moto_patches.scanning import begin_scan
from ecr_tui.demo.moto_patches.state import EcrState

STORAGE_CLASSES = ("STANDARD", "ARCHIVE")


def pull_refusal(image: EcrImage, now: float) -> str | None:
    """None when the image can be pulled, else why not (an archived image cannot)."""
    status = image.status_at(now)[0]
    if status == "ACTIVE":
        return None
    return (
        f"The image {image.image_digest} is {status.lower()}: archived images cannot be "
        "pulled until a restore to the standard storage class is complete."
    )


def update_image_storage_class(ecr: EcrState, backend: Any, params: Json, now: float) -> Json:
    """Archive an image, or restore one (ACTIVATING for `restore_seconds`)."""
    repository = ecr.repository(backend, params.get("repositoryName"), params.get("registryId"))
    image = find_image(repository, params.get("imageId"))
    target = params.get("targetStorageClass")
    if target not in STORAGE_CLASSES:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'targetStorageClass' failed to satisfy constraint: "
            "'Member must satisfy enum value set: [STANDARD, ARCHIVE]'",
        )
    status, _, activated_at = image.status_at(now)
    if target == "ARCHIVE" and status == "ACTIVE":
        image.storage_status, image.archived_at = "ARCHIVED", now
        image.activated_at, image.restore_done_at = activated_at, None
    elif target == "ARCHIVE" and status == "ACTIVATING":
        raise EcrError(
            "InvalidParameterException",
            f"The image {image.image_digest} is being restored and cannot be archived "
            "until the restore is complete.",
        )
    elif target == "STANDARD" and status == "ARCHIVED":
        done = now + ecr.restore_seconds
        image.storage_status, image.restore_done_at = "ACTIVATING", done
        if image.scan is not None or _scans_on_push(ecr, repository):
            # A restored image is scanned like a new push; the old results are gone.
            begin_scan(ecr, repository, image, done)
    return {
        "registryId": repository.registry_id,
        "repositoryName": repository.name,
        "imageId": image_id_as_asked(params, image),
        "imageStatus": image.status_at(now)[0],
    }


def _scans_on_push(ecr: EcrState, repository: Any) -> bool:
    return (
        bool(repository.image_scanning_configuration.get("scanOnPush"))
        or ecr.profile(repository).enhanced
    )
