"""ECR's API items as the app's records: what each answer becomes, field by field.

Pure conversions of plain-JSON answers (epoch-second timestamps, see
`answers.plain_json_factory`) into `core.models` records and image rows; apart from
`ecr`, which makes the calls, so that the reader child and the administration
modules can build records without the client.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ecr_tui.core.models import (
    Image,
    IndexManifest,
    Referrer,
    Repository,
    ScanState,
    index_entries,
    severity_row,
)


def timestamp(value: object) -> datetime | None:
    """An ECR timestamp (epoch seconds in plain JSON) as an aware datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromtimestamp(float(value), UTC)  # type: ignore[arg-type]


def repository_from_api(item: Mapping[str, Any]) -> Repository:
    """Build a Repository from a DescribeRepositories item."""
    encryption = item.get("encryptionConfiguration", {})
    kms_key = encryption.get("kmsKey")
    return Repository(
        name=item["repositoryName"],
        uri=item.get("repositoryUri", ""),
        arn=item.get("repositoryArn", ""),
        registry_id=item.get("registryId", ""),
        created_at=timestamp(item.get("createdAt")),
        tag_mutability=item.get("imageTagMutability", "MUTABLE"),
        scan_on_push=bool(item.get("imageScanningConfiguration", {}).get("scanOnPush")),
        encryption=encryption.get("encryptionType", "AES256"),
        kms_key=kms_key,
        tag_mutability_exclusions=tuple(
            str(f.get("filter", "")) for f in item.get("imageTagMutabilityExclusionFilters") or ()
        ),
    )


# An image as built-in values only, in Image's field order without the repository:
# digest, tags, pushed (epoch seconds), size, scan state name (or an unknown status),
# scan description, `severity_row` counts, last pulled (epoch seconds), media type,
# artifact type, subject digest, image status, archived and activated (epoch seconds).
# The reader child sends these (marshal loads them in C); a 100,000-image
# listing is built from them in the UI process, so `image_from_row` is lean.
ImageRow = tuple[Any, ...]


def image_row_from_api(item: Mapping[str, Any]) -> ImageRow:
    """A DescribeImages item as an image row."""
    status = item.get("imageScanStatus") or {}
    summary = item.get("imageScanFindingsSummary") or {}
    # Interned: marshal then sends each of these strings once a page, not per image.
    return (
        item["imageDigest"],
        tuple(item.get("imageTags", ())),
        epoch_seconds(item.get("imagePushedAt")),
        item.get("imageSizeInBytes"),
        sys.intern(ScanState.status_name(status.get("status"))),
        sys.intern(status.get("description", "")),
        severity_row(summary.get("findingSeverityCounts")),
        epoch_seconds(item.get("lastRecordedPullTime")),
        sys.intern(item.get("imageManifestMediaType", "")),
        sys.intern(item.get("artifactMediaType", "")),
        item.get("subjectManifestDigest", ""),
        sys.intern(item.get("imageStatus", "")),
        epoch_seconds(item.get("lastArchivedAt")),
        epoch_seconds(item.get("lastActivatedAt")),
    )


def image_from_row(repository: str, row: ImageRow) -> Image:
    """Build an Image from an image row (Image is the row with its repository first)."""
    return Image._make((repository, *row))


def epoch_seconds(value: object) -> float | None:
    """An ECR timestamp, or a datetime, as epoch seconds (plain JSON gives numbers)."""
    if value is None or isinstance(value, float | int):
        return value
    moment = timestamp(value)
    return None if moment is None else moment.timestamp()


def index_manifest_from_api(
    repository: str, digest: str, image: Mapping[str, Any]
) -> IndexManifest:
    """A BatchGetImage `images` item as an IndexManifest (a plain manifest lists nothing)."""
    text = str(image.get("imageManifest", ""))
    problem = ""
    try:
        parsed = json.loads(text) if text else {}
    except ValueError:
        parsed, problem = {}, "the manifest ECR returned is not JSON"
    if not isinstance(parsed, dict):
        parsed, problem = {}, "the manifest ECR returned is not a JSON object"
    media_type = str(image.get("imageManifestMediaType") or parsed.get("mediaType", ""))
    return IndexManifest(repository, digest, media_type, index_entries(parsed), text, problem)


def referrer_from_api(item: Mapping[str, Any]) -> Referrer:
    """A ListImageReferrers item."""
    size = item.get("size")
    return Referrer(
        digest=str(item.get("digest", "")),
        artifact_type=str(item.get("artifactType", "")),
        media_type=str(item.get("mediaType", "")),
        size=size if isinstance(size, int) else None,
        status=str(item.get("artifactStatus", "")),
        annotations=tuple(
            sorted((str(k), str(v)) for k, v in (item.get("annotations") or {}).items())
        ),
    )
