"""PutImage and pushes through the demo's registry: ECR's digests, sizes and tag rules."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from typing import Any

from ecr_tui.demo.data.images import INDEX_MEDIA_TYPES
from ecr_tui.demo.moto_patches.ecr_image import EcrImage
from ecr_tui.demo.moto_patches.protocol import EcrError, Json
from ecr_tui.demo.moto_patches.scanning import begin_scan
from ecr_tui.demo.moto_patches.state import EcrState


def put_image(ecr: EcrState, backend: Any, params: Json, now: float) -> Json:
    """PutImage with ECR's digests and tag rules."""
    repository = ecr.repository(backend, params.get("repositoryName"), params.get("registryId"))
    manifest = params.get("imageManifest")
    if not isinstance(manifest, str):
        raise EcrError("InvalidParameterException", "Invalid parameter at 'imageManifest'")
    parsed, _, _ = _manifest_facts(manifest)
    media_type = params.get("imageManifestMediaType") or parsed.get("mediaType")
    if not media_type:
        raise EcrError(
            "InvalidParameterException",
            "image manifest mediatype not provided in manifest or parameter",
        )
    tag = params.get("imageTag") or None
    image = store_image(
        ecr, repository, manifest, str(media_type), tag, params.get("imageDigest"), now, False
    )
    image_id = {"imageDigest": image.image_digest}
    if tag:
        image_id["imageTag"] = tag
    return {
        "image": {
            "registryId": repository.registry_id,
            "repositoryName": repository.name,
            "imageId": image_id,
            "imageManifest": manifest,
            "imageManifestMediaType": media_type,
        }
    }


def store_image(
    ecr: EcrState,
    repository: Any,
    manifest: str,
    media_type: str,
    tag: str | None,
    digest: str | None,
    now: float,
    repeat_ok: bool,
) -> EcrImage:
    """Record a pushed manifest as ECR does; `repeat_ok` accepts a push seen before."""
    digest = digest or "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    existing: EcrImage | None = None
    holder: EcrImage | None = None
    for image in repository.images:
        if image.image_digest == digest:
            existing = image
        if tag is not None and tag in image.image_tags:
            holder = image
    if existing is not None and existing.status_at(now)[0] != "ACTIVE":
        # Pushing an archived image again restores it at once (ECR's documented shortcut).
        existing.storage_status, existing.activated_at = "ACTIVE", now
        existing.restore_done_at = None
        if tag is None or holder is existing:
            return existing
    if existing is not None and (tag is None or holder is existing):
        if repeat_ok:
            return existing
        raise EcrError(
            "ImageAlreadyExistsException",
            f"Image with digest '{digest}' and tag '{tag or 'null'}' already exists in the "
            f"repository with name '{repository.name}' in registry with id "
            f"'{repository.registry_id}'",
        )
    if tag is not None and holder is not None:
        if tag_is_immutable(repository, tag):
            raise EcrError("ImageTagAlreadyExistsException", immutable_message(repository, tag))
        holder.drop_tag(tag)  # real ECR keeps the old image, untagged if that was its last
    if existing is not None and tag is not None:
        existing.add_tag(tag)
        return existing
    parsed, size, artifact = _manifest_facts(manifest)
    # A registry may forward a push without Content-Type: the manifest names its type.
    media_type = media_type or str(parsed.get("mediaType", ""))
    image = EcrImage.make(
        repository, digest, [tag] if tag else [], media_type, manifest_text=manifest
    )
    image.size_bytes = size
    image.pushed_at = now
    image.artifact_media_type = artifact
    subject = parsed.get("subject")
    if isinstance(subject, dict) and subject.get("digest"):
        image.subject_digest = str(subject["digest"])  # an OCI 1.1 referrer
    repository.images.append(image)
    scan_on_push = repository.image_scanning_configuration.get("scanOnPush")
    # An index lists other manifests: they are scanned, it is not.
    if media_type not in INDEX_MEDIA_TYPES and (scan_on_push or ecr.profile(repository).enhanced):
        begin_scan(ecr, repository, image, now)
    return image


def tag_is_immutable(repository: Any, tag: str) -> bool:
    """Whether the repository forbids moving `tag` (exclusion filters included)."""
    # moto keeps a str Enum for the *_WITH_EXCLUSION settings: its value, not its repr.
    mutability = str(
        getattr(repository.image_tag_mutability, "value", repository.image_tag_mutability)
    )
    filters = repository.image_tag_mutability_exclusion_filters or []
    excluded = any(fnmatch.fnmatchcase(tag, str(f.get("filter", ""))) for f in filters)
    if mutability == "IMMUTABLE":
        return True
    if mutability == "IMMUTABLE_WITH_EXCLUSION":
        return not excluded
    return mutability == "MUTABLE_WITH_EXCLUSION" and excluded


def immutable_message(repository: Any, tag: str) -> str:
    """ECR's words for a push that would move a tag the repository keeps fixed."""
    return (
        f"The image tag '{tag}' already exists in the '{repository.name}' repository and "
        "cannot be overwritten because the repository is immutable."
    )


def _manifest_facts(manifest: str) -> tuple[dict[str, Any], int, str]:
    """The parsed manifest, its compressed size and its artifact media type."""
    try:
        parsed = json.loads(manifest)
    except ValueError:
        raise EcrError(
            "InvalidParameterException",
            "Invalid parameter at 'ImageManifest' failed to satisfy constraint: "
            "'Invalid JSON syntax'",
        ) from None
    if not isinstance(parsed, dict):
        raise EcrError("InvalidParameterException", "Invalid parameter at 'ImageManifest'")
    layers = parsed.get("layers") or []
    size = sum(int(layer.get("size", 0)) for layer in layers if isinstance(layer, dict))
    if not layers:  # an index or a manifest list: ECR counts the document itself
        size = len(manifest.encode())
    config = parsed.get("config")
    artifact = str(config.get("mediaType", "")) if isinstance(config, dict) else ""
    # An OCI 1.1 artifact names its type; its config is often the empty descriptor.
    artifact = str(parsed.get("artifactType") or artifact)
    return parsed, size, artifact
