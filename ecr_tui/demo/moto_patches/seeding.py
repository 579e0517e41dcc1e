"""A dataset loaded straight into moto's backend (no HTTP: 100,000 images in seconds)."""

from __future__ import annotations

from typing import Any

from ecr_tui.demo.data.archive import RESTORE_SECONDS
from ecr_tui.demo.data.images import ImageSpec
from ecr_tui.demo.data.repositories import RepositorySpec
from ecr_tui.demo.moto_patches.ecr_image import EcrImage
from ecr_tui.demo.moto_patches.repository_shape import (
    naive_utc,
    seeded_encryption,
    seeded_exclusions,
)
from ecr_tui.demo.moto_patches.state import EcrState


def create_seeded_repository(ecr: EcrState, backend: Any, spec: RepositorySpec) -> Any:
    """Create the repository as the dataset describes it, without its images."""
    repository = backend.create_repository(
        repository_name=spec.name,
        registry_id=None,
        encryption_config=seeded_encryption(spec, backend.region_name, ecr.account_id),
        image_scan_config={"scanOnPush": spec.scan_on_push},
        image_tag_mutability=spec.tag_mutability,
        image_tag_mutability_exclusion_filters=seeded_exclusions(spec),
        tags=[{"Key": "team", "Value": spec.name.split("/", 1)[0]}],
    )
    repository.created_at = naive_utc(spec.created_at)
    repository.scan_profile = spec.profile
    ecr.adopt_repository(repository)
    return repository


def seeded_image(repository: Any, spec: ImageSpec) -> EcrImage:
    """The image as the dataset describes it; its manifest is rendered when asked for."""
    image = EcrImage.make(repository, spec.digest, spec.tags, spec.manifest_media_type, spec=spec)
    image.size_bytes = spec.size_bytes
    image.pushed_at = spec.pushed_at
    image.last_pulled_at = spec.last_pulled_at
    image.artifact_media_type = spec.artifact_media_type
    image.scan = spec.scan
    extra = spec.extra
    if extra is not None:
        image.subject_digest = extra.subject
        image.platform = extra.platform
        image.storage_status = extra.status
        image.archived_at = extra.archived_at
        image.activated_at = extra.activated_at
        if extra.restore_started_at is not None:
            image.restore_done_at = extra.restore_started_at + RESTORE_SECONDS
    return image


def seed_registry_scanning(backend: Any, rules: list[dict[str, object]]) -> None:
    """Enhanced scanning for the registry, by these rules (before its repositories exist)."""
    if rules:
        backend.put_registry_scanning_configuration("ENHANCED", rules)
