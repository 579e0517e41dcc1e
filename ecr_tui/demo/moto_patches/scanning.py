"""Scans: StartImageScan, the scan itself, and DescribeImageScanFindings.

A scan's results are decided when it starts and shown once it is done,
`scan_seconds` later; basic scanning allows one scan per image per 24 hours.
"""

from __future__ import annotations

from typing import Any

from ecr_tui.demo.data.findings import vulnerabilities
from ecr_tui.demo.data.images import DOCKER_CONFIG, INDEX_MEDIA_TYPES, OCI_CONFIG
from ecr_tui.demo.moto_patches.ecr_image import EcrImage, find_image, image_id_as_asked
from ecr_tui.demo.moto_patches.findings import basic_finding, enhanced_finding, layer_digests
from ecr_tui.demo.moto_patches.paging import decode_token, encode_token, page_size
from ecr_tui.demo.moto_patches.protocol import EcrError, Json
from ecr_tui.demo.moto_patches.shapes import (
    ARCHIVED_SCAN_STATUS,
    scan_status,
    scan_status_json,
    summary_json,
)
from ecr_tui.demo.moto_patches.state import EcrState

SCAN_QUOTA_SECONDS = 24 * 3600.0  # one basic scan per image per 24 hours
# The config media types of container images: what a scanner can read.
IMAGE_CONFIGS = frozenset({DOCKER_CONFIG, OCI_CONFIG})


def describe_image_scan_findings(ecr: EcrState, backend: Any, params: Json, now: float) -> Json:
    """A scan's status and, once it is done, its findings a page at a time."""
    repository = ecr.repository(backend, params.get("repositoryName"), params.get("registryId"))
    requested = params.get("imageId") or {}
    image = find_image(repository, requested)
    limit = page_size(params)
    scan = image.scan
    if scan is None:
        raise EcrError(
            "ScanNotFoundException",
            f"Image scan does not exist for the image with '{{imageDigest:"
            f"'{requested.get('imageDigest') or 'null'}', imageTag:"
            f"'{requested.get('imageTag') or 'null'}'}}' in the repository with name "
            f"'{repository.name}' in the registry with id '{repository.registry_id}'",
        )
    image_id = {"imageDigest": image.image_digest}
    if requested.get("imageTag"):
        image_id["imageTag"] = requested["imageTag"]
    status = scan_status(scan, now)
    result: Json = {
        "registryId": repository.registry_id,
        "repositoryName": repository.name,
        "imageId": image_id,
        "imageScanStatus": scan_status_json(scan, status),
    }
    if image.status_at(now)[0] != "ACTIVE":
        result["imageScanStatus"] = dict(ARCHIVED_SCAN_STATUS)
        return result
    if status not in ("COMPLETE", "ACTIVE"):
        return result
    scope = f"{repository.name}|{image.image_digest}|{scan.started_at}"
    state = decode_token(params, "DescribeImageScanFindings", scope)
    start = int(state["offset"]) if state else 0
    found = vulnerabilities(scan)
    chunk = found[start : start + limit]
    findings = summary_json(scan)
    if scan.profile.enhanced:
        layers = layer_digests(image.image_manifest)
        findings["enhancedFindings"] = [
            enhanced_finding(backend, repository, image, scan, v, layers) for v in chunk
        ]
    else:
        findings["findings"] = [basic_finding(v) for v in chunk]
    result["imageScanFindings"] = findings
    if start + limit < len(found):
        result["nextToken"] = encode_token(
            op="DescribeImageScanFindings", scope=scope, offset=start + limit
        )
    return result


def start_image_scan(ecr: EcrState, backend: Any, params: Json, now: float) -> Json:
    """Start a basic scan: IN_PROGRESS now, done `scan_seconds` later."""
    repository = ecr.repository(backend, params.get("repositoryName"), params.get("registryId"))
    image = find_image(repository, params.get("imageId"))
    profile = ecr.profile(repository)
    if profile.enhanced:
        # Continuous (enhanced) scanning leaves no manual scans to start.
        raise EcrError("ValidationException", "This feature is disabled")
    if image.status_at(now)[0] != "ACTIVE":
        raise EcrError(
            "ImageArchivedException",
            f"The image {image.image_digest} is archived: restore it before scanning it.",
        )
    if image.image_manifest_media_type in INDEX_MEDIA_TYPES:
        raise EcrError(
            "UnsupportedImageTypeException",
            "The image is of a type that cannot be scanned: scan the images its index lists.",
        )
    if image.scan is not None and now - image.scan.started_at < SCAN_QUOTA_SECONDS:
        raise EcrError(
            "LimitExceededException",
            "The scan quota per image has been exceeded. Wait and try again.",
        )
    begin_scan(ecr, repository, image, now)
    return {
        "registryId": repository.registry_id,
        "repositoryName": repository.name,
        "imageId": image_id_as_asked(params, image),
        "imageScanStatus": {"status": "IN_PROGRESS"},
    }


def begin_scan(ecr: EcrState, repository: Any, image: EcrImage, now: float) -> None:
    """Scan the image: its results are decided now and shown once the scan is done.

    What is not an image (a chart, a signature, an SBOM) has no packages to read.
    """
    profile = ecr.profile(repository)
    seed = _image_seed(image.image_digest)
    readable = image.artifact_media_type in IMAGE_CONFIGS and image.subject_digest is None
    image.scan = profile.scan(seed, now, now + ecr.scan_seconds, readable)


def _image_seed(digest: str) -> int:
    return int(digest.removeprefix("sha256:")[:16], 16)
