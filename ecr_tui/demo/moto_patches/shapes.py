"""The JSON ECR returns for an image and a scan's status and summary (a repository: see
`repository_shape`)."""

from __future__ import annotations

from typing import Any

from ecr_tui.demo.data.scans import SCAN_ARCHIVED, ScanSpec
from ecr_tui.demo.moto_patches.ecr_image import EcrImage
from ecr_tui.demo.moto_patches.protocol import Json


def scan_status(scan: ScanSpec, now: float) -> str:
    """The scan's status at `now`: IN_PROGRESS until it completes."""
    if scan.completed_at is not None and now < scan.completed_at:
        return "IN_PROGRESS"
    return scan.status


def scan_status_json(scan: ScanSpec, status: str) -> Json:
    """`imageScanStatus`: a running scan has no description yet."""
    if status == "IN_PROGRESS":
        return {"status": status}
    return {"status": status, "description": scan.description}


# What ECR says of the scan of an image in the archive (or on its way out of it).
ARCHIVED_SCAN_STATUS = {"status": "IMAGE_ARCHIVED", "description": SCAN_ARCHIVED}


def summary_json(scan: ScanSpec) -> Json:
    """`imageScanFindingsSummary`: when the scan ended and its findings per severity."""
    summary: Json = {"imageScanCompletedAt": scan.completed_at}
    if scan.source_updated_at is not None:
        summary["vulnerabilitySourceUpdatedAt"] = scan.source_updated_at
    summary["findingSeverityCounts"] = dict(scan.severity_counts)
    return summary


def image_json(repository: Any, image: EcrImage, now: float) -> Json:
    """An image as DescribeImages returns it."""
    shape: Json = {
        "registryId": repository.registry_id,
        "repositoryName": repository.name,
        "imageDigest": image.image_digest,
    }
    if image.image_tags:
        shape["imageTags"] = list(image.image_tags)
    shape["imageSizeInBytes"] = image.size_bytes
    shape["imagePushedAt"] = image.pushed_at
    shape["imageManifestMediaType"] = image.image_manifest_media_type
    if image.artifact_media_type:
        shape["artifactMediaType"] = image.artifact_media_type
    if image.last_pulled_at is not None:
        shape["lastRecordedPullTime"] = image.last_pulled_at
    if image.subject_digest is not None:
        shape["subjectManifestDigest"] = image.subject_digest
    status, archived_at, activated_at = image.status_at(now)
    shape["imageStatus"] = status
    if archived_at is not None:
        shape["lastArchivedAt"] = archived_at
    if activated_at is not None:
        shape["lastActivatedAt"] = activated_at
    scan = image.scan
    if scan is not None and status != "ACTIVE":
        shape["imageScanStatus"] = dict(ARCHIVED_SCAN_STATUS)
    elif scan is not None:
        scan_state = scan_status(scan, now)
        shape["imageScanStatus"] = scan_status_json(scan, scan_state)
        if scan_state in ("COMPLETE", "ACTIVE"):
            shape["imageScanFindingsSummary"] = summary_json(scan)
    return shape
