"""What Amazon Inspector knows of the demo's registries: findings and coverage records.

Made from the same scans DescribeImageScanFindings answers from (one
`enhanced_finding` per vulnerability of an image's scan), in Inspector's own
shape: `inspectorScore` and `inspectorScoreDetails.adjustedCvss` where ECR says
`score` and `scoreDetails.cvss`, the resource's partition and region, EPSS.
Inspector covers what the registry's enhanced-scanning rules name: a
repository they do not name is listed as not scanned (SCAN_FREQUENCY_MANUAL),
as Inspector's coverage lists it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ecr_tui.demo.data.findings import vulnerabilities
from ecr_tui.demo.data.images import INDEX_MEDIA_TYPES
from ecr_tui.demo.moto_patches.ecr_image import EcrImage
from ecr_tui.demo.moto_patches.findings import architectures, enhanced_finding, layer_digests
from ecr_tui.demo.moto_patches.protocol import Json
from ecr_tui.demo.moto_patches.scanning import IMAGE_CONFIGS
from ecr_tui.demo.moto_patches.shapes import scan_status

# An ECR scan status as Inspector's coverage reports the image: (statusCode, reason).
_COVERAGE_STATUS = {
    "ACTIVE": ("ACTIVE", "SUCCESSFUL"),
    "COMPLETE": ("ACTIVE", "SUCCESSFUL"),
    "IN_PROGRESS": ("ACTIVE", "SCAN_IN_PROGRESS"),
    "PENDING": ("ACTIVE", "PENDING_INITIAL_SCAN"),
    "SCAN_ELIGIBILITY_EXPIRED": ("INACTIVE", "SCAN_ELIGIBILITY_EXPIRED"),
    "IMAGE_SIZE_EXCEEDED": ("INACTIVE", "IMAGE_SIZE_EXCEEDED"),
    "FINDINGS_UNAVAILABLE": ("INACTIVE", "STALE_INVENTORY"),
    "LIMIT_EXCEEDED": ("INACTIVE", "INTERNAL_ERROR"),
    "FAILED": ("INACTIVE", "INTERNAL_ERROR"),
}
_DAY = 86_400.0

# Findings of one image's scan, made once: (account, repository, digest, scan start, region).
_CACHE: dict[tuple[str, str, str, float, str], list[Json]] = {}


def covered_frequency(backend: Any, repository: Any) -> str:
    """The repository's scan frequency under Inspector; "" when the registry is not enhanced."""
    registry = backend.registry_scanning_configuration
    if registry.get("scanType") != "ENHANCED":
        return ""
    return str(repository.scanning_config.get("scanFrequency") or "MANUAL")


def is_container_image(image: EcrImage) -> bool:
    """What Inspector scans or lists: an image manifest (an index is its platforms')."""
    return image.image_manifest_media_type not in INDEX_MEDIA_TYPES


def registry_findings(backend: Any, now: float, wanted: Wanted | None = None) -> list[Json]:
    """Every active Inspector finding of one account's registry in one region (of the
    repositories and images `wanted` names, when it names some)."""
    found: list[Json] = []
    for repository in _repositories(backend, wanted):
        if covered_frequency(backend, repository) in ("", "MANUAL"):
            continue
        for image in _images(repository, wanted):
            found.extend(image_findings(backend, repository, image, now))
    return found


@dataclass(frozen=True, slots=True)
class Wanted:
    """The repositories and image digests a query's EQUALS filters name (None: any).

    A query for 10 images of 10 repositories (ecrImageHash, ecrImageRepositoryName,
    resourceId) then reads those, not every finding of a 100,000-image registry.
    """

    repositories: frozenset[str] | None = None
    digests: frozenset[str] | None = None


def _repositories(backend: Any, wanted: Wanted | None) -> list[Any]:
    if wanted is None or wanted.repositories is None:
        return list(backend.repositories.values())
    return [
        backend.repositories[n] for n in sorted(wanted.repositories) if n in backend.repositories
    ]


def _images(repository: Any, wanted: Wanted | None) -> list[EcrImage]:
    if wanted is None or wanted.digests is None:
        return list(repository.images)
    return [i for i in list(repository.images) if i.image_digest in wanted.digests]


def has_findings(image: EcrImage, now: float) -> bool:
    """Whether Inspector lists findings of the image: its latest scan's, when finished."""
    scan = image.scan
    if scan is None or not scan.profile.enhanced or not is_container_image(image):
        return False
    if image.status_at(now)[0] != "ACTIVE":  # archived: no longer scanned, findings closed
        return False
    return scan_status(scan, now) in ("ACTIVE", "COMPLETE")


def image_counts(backend: Any, account: str, now: float) -> list[Json]:
    """ListFindingAggregations' AWS_ECR_CONTAINER responses of one account's registry, in
    `registry_findings`' order, counted from the scans without making each finding."""
    responses: list[Json] = []
    region = backend.region_name
    for repository in list(backend.repositories.values()):
        if covered_frequency(backend, repository) in ("", "MANUAL"):
            continue
        for image in list(repository.images):
            if image.scan is None or not has_findings(image, now):
                continue
            found = vulnerabilities(image.scan)
            if not found:
                continue
            counts = {"all": len(found), **{s.lower(): 0 for s in _SEVERITIES}}
            for v in found:
                counts["untriaged" if v.severity == "UNDEFINED" else v.severity.lower()] += 1
            responses.append(
                {
                    "accountId": account,
                    "severityCounts": counts,
                    "resourceId": f"arn:aws:ecr:{region}:{account}:repository/"
                    f"{repository.name}/{image.image_digest}",
                    "imageSha": image.image_digest,
                    "repository": repository.name,
                    "architecture": architectures(image)[1],
                    "imageTags": list(image.image_tags),
                }
            )
    return responses


_SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED")


def image_findings(backend: Any, repository: Any, image: EcrImage, now: float) -> list[Json]:
    """An image's findings as Inspector lists them: those of its latest finished scan."""
    scan = image.scan
    if scan is None or not has_findings(image, now):
        return []
    key = (repository.registry_id, repository.name, image.image_digest, scan.started_at,
           backend.region_name)  # fmt: skip
    cached = _CACHE.get(key)
    if cached is None:
        layers = layer_digests(image.image_manifest)
        cached = [
            inspector_finding(enhanced_finding(backend, repository, image, scan, v, layers))
            for v in vulnerabilities(scan)
        ]
        for finding in cached:
            finding["resources"][0]["region"] = backend.region_name
        _CACHE[key] = cached
    return cached


def inspector_finding(ecr_finding: Json) -> Json:
    """ECR's enhanced finding in Inspector's ListFindings shape (same facts)."""
    finding = dict(ecr_finding)
    score = finding.pop("score", None)
    details = finding.pop("scoreDetails", None)
    if score is not None and details:
        cvss = dict(details["cvss"])
        finding["inspectorScore"] = score
        finding["inspectorScoreDetails"] = {
            "adjustedCvss": {**cvss, "cvssSource": cvss.get("scoreSource", "NVD")}
        }
    resource = dict(finding["resources"][0])
    resource["partition"] = "aws"
    finding["resources"] = [resource]
    vulnerability = finding["packageVulnerabilityDetails"]["vulnerabilityId"]
    epss = epss_score(vulnerability, finding.get("exploitAvailable") == "YES")
    if epss is not None:
        finding["epss"] = {"score": epss}
    if finding.get("exploitAvailable") == "YES":
        published = finding["packageVulnerabilityDetails"].get("vendorCreatedAt") or 0.0
        finding["exploitabilityDetails"] = {"lastKnownExploitAt": published + 30 * _DAY}
    return finding


def epss_score(vulnerability: str, exploited: bool) -> float | None:
    """FIRST's EPSS for a CVE (a stable stand-in); only CVEs have one."""
    if not vulnerability.startswith("CVE-"):
        return None
    digest = hashlib.sha256(vulnerability.encode()).digest()
    base = int.from_bytes(digest[:2], "big") / 65_535
    # Most CVEs are unlikely to be exploited soon; a known exploit makes it likely.
    score = 0.5 + base / 2 if exploited else base**4 * 0.3
    return round(max(score, 0.0004), 5)


def registry_coverage(
    backend: Any, account: str, now: float, wanted: Wanted | None = None
) -> list[Json]:
    """ListCoverage's records of one account's registry: repositories, then images (of
    the repositories and images `wanted` names, when it names some)."""
    covered: list[Json] = []
    region = backend.region_name
    for repository in _repositories(backend, wanted):
        frequency = covered_frequency(backend, repository)
        if not frequency:
            continue
        active = frequency != "MANUAL"
        reason = "SUCCESSFUL" if frequency == "CONTINUOUS_SCAN" else f"SCAN_FREQUENCY_{frequency}"
        covered.append(
            {
                "accountId": account,
                "resourceId": repository.arn,
                "resourceType": "AWS_ECR_REPOSITORY",
                "scanType": "PACKAGE",
                "scanStatus": {
                    "statusCode": "ACTIVE" if active else "INACTIVE",
                    "reason": reason,
                },
                "resourceMetadata": {
                    "ecrRepository": {"name": repository.name, "scanFrequency": frequency}
                },
            }
        )
        if not active:
            continue
        for image in _images(repository, wanted):
            if is_container_image(image):
                covered.append(_image_coverage(repository, image, account, region, now))
    return covered


def _image_coverage(
    repository: Any, image: EcrImage, account: str, region: str, now: float
) -> Json:
    scan = image.scan
    if image.status_at(now)[0] != "ACTIVE":
        code, reason = "INACTIVE", "IMAGE_ARCHIVED"
    elif image.artifact_media_type not in IMAGE_CONFIGS or image.subject_digest is not None:
        code, reason = "INACTIVE", "UNSUPPORTED_MEDIA_TYPE"
    elif scan is None:
        code, reason = "ACTIVE", "PENDING_INITIAL_SCAN"
    elif scan.status == "UNSUPPORTED_IMAGE" or not scan.profile.supported:
        code, reason = "INACTIVE", "UNSUPPORTED_OS"
    else:
        code, reason = _COVERAGE_STATUS.get(scan_status(scan, now), ("INACTIVE", "INTERNAL_ERROR"))
    metadata: Json = {"tags": list(image.image_tags)}
    if image.last_pulled_at is not None:
        metadata["imagePulledAt"] = image.last_pulled_at
    record: Json = {
        "accountId": account,
        "resourceId": f"arn:aws:ecr:{region}:{account}:repository/{repository.name}/"
        f"{image.image_digest}",
        "resourceType": "AWS_ECR_CONTAINER_IMAGE",
        "scanType": "PACKAGE",
        "scanStatus": {"statusCode": code, "reason": reason},
        "resourceMetadata": {
            "ecrRepository": {
                "name": repository.name,
                "scanFrequency": repository.scanning_config.get("scanFrequency", "MANUAL"),
            },
            "ecrImage": metadata,
        },
    }
    if scan is not None and scan.completed_at is not None and scan.completed_at <= now:
        record["lastScannedAt"] = scan.completed_at
    return record
