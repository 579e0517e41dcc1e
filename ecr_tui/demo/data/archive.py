"""The archive storage class: old releases a lifecycle policy moved to ECR's archive.

An archived image is still listed (`imageStatus` ARCHIVED, `lastArchivedAt`)
but cannot be pulled. A restore (UpdateImageStorageClass to STANDARD) takes
up to 20 minutes, ACTIVATING meanwhile; a restored image is scanned again, as
a newly pushed one, and keeps `lastArchivedAt` next to its `lastActivatedAt`.
"""

from __future__ import annotations

import dataclasses
import random

from ecr_tui.demo.data.images import ImageExtra, ImageSpec
from ecr_tui.demo.data.units import DAY

# The lifecycle rule: archive what nobody pushed or pulled for 90 days.
ARCHIVE_AFTER_DAYS = 90
# ECR restores an archived image within 20 minutes.
RESTORE_SECONDS = 20 * 60.0
# Deployed tags are in use: no lifecycle rule archives them.
_IN_USE = frozenset({"latest", "staging", "prod"})


def archive_old_releases(
    images: list[ImageSpec], now: float, rng: random.Random
) -> list[ImageSpec]:
    """`images` after the lifecycle rule ran: old ones archived, the newest of those
    being restored (ACTIVATING), the one before it restored already."""
    candidates = [
        index
        for index, image in enumerate(images)
        if not _IN_USE & set(image.tags) and now - _last_use(image) > (ARCHIVE_AFTER_DAYS + 5) * DAY
    ]
    archived = list(images)
    for rank, index in enumerate(reversed(candidates)):
        image = images[index]
        archived_at = _last_use(image) + ARCHIVE_AFTER_DAYS * DAY + rng.uniform(0, 2 * DAY)
        if rank == 0:  # someone asked for it back a few minutes ago
            extra = ImageExtra(
                status="ACTIVATING",
                archived_at=archived_at,
                restore_started_at=now - rng.uniform(120, 900),
            )
            archived[index] = dataclasses.replace(image, extra=extra)
        elif rank == 1:  # restored last week, and scanned again as a new push would be
            activated_at = archived_at + (now - archived_at) * rng.uniform(0.3, 0.8)
            scan = image.scan
            if scan is not None:
                scan = scan.profile.scan(image.seed, activated_at + 10, activated_at + 80)
            extra = ImageExtra(archived_at=archived_at, activated_at=activated_at)
            archived[index] = dataclasses.replace(image, extra=extra, scan=scan)
        else:
            extra = ImageExtra(status="ARCHIVED", archived_at=archived_at)
            archived[index] = dataclasses.replace(image, extra=extra)
    return archived


def _last_use(image: ImageSpec) -> float:
    return max(image.pushed_at, image.last_pulled_at or 0.0)
