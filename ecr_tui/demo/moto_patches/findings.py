"""A finding as ECR reports it: basic scanning's shape, or Amazon Inspector's for enhanced."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ecr_tui.demo.data.findings import Vulnerability
from ecr_tui.demo.data.packages import BINARY_SIBLINGS
from ecr_tui.demo.data.scans import ScanSpec
from ecr_tui.demo.moto_patches.ecr_image import EcrImage
from ecr_tui.demo.moto_patches.protocol import Json

_PLATFORMS = {"debian": "DEBIAN_12", "ubuntu": "UBUNTU_22_04", "alpine": "ALPINE_LINUX_3_18"}
_INSPECTOR_SOURCE = {
    ("OS", "debian"): "DEBIAN_CVE",
    ("OS", "ubuntu"): "UBUNTU_CVE",
    ("OS", "alpine"): "ALPINE_SEC_DB",
}
# An image platform's architecture as Inspector names a package's and an image's.
_ARCHITECTURES = {"amd64": ("X86_64", "amd64"), "arm64": ("ARM64", "arm64"), "arm": ("ARM", "arm")}
# Where an Inspector score may sit below NVD's and keep the finding's severity.
_SEVERITY_FLOOR = {"CRITICAL": 9.0, "HIGH": 7.0, "MEDIUM": 4.0, "LOW": 0.1}
# Inspector adjusts a base score for the image it is in (illustrative wording).
_ADJUSTMENT = {
    "metric": "Attack Vector",
    "reason": "No service in this image exposes the vulnerable code to the network: the "
    "attack vector is adjacent rather than network.",
}


def layer_digests(manifest: str) -> tuple[str, ...]:
    """The layer digests of an image manifest, base layers first (none for other documents)."""
    try:
        parsed = json.loads(manifest)
    except ValueError:
        return ()
    layers = parsed.get("layers") if isinstance(parsed, dict) else None
    if not isinstance(layers, list):
        return ()
    return tuple(
        str(layer["digest"]) for layer in layers if isinstance(layer, dict) and layer.get("digest")
    )


def basic_finding(v: Vulnerability) -> Json:
    """A finding as basic scanning reports it: package and CVSS in `attributes`."""
    attributes = [
        {"key": "package_version", "value": v.version},
        {"key": "package_name", "value": v.package},
    ]
    if v.score is not None:
        prefix = "CVSS2" if v.cvss_version == "2.0" else "CVSS3"
        attributes.append({"key": f"{prefix}_VECTOR", "value": v.vector})
        attributes.append({"key": f"{prefix}_SCORE", "value": str(v.score)})
    return {
        "name": v.cve,
        "description": v.description,
        "uri": v.uri,
        "severity": v.severity,
        "attributes": attributes,
    }


def architectures(image: EcrImage) -> tuple[str, str]:
    """The image's architecture as Inspector names a package's and the image's."""
    architecture = image.platform.split("/")[1] if image.platform.count("/") >= 1 else "amd64"
    return _ARCHITECTURES.get(architecture, _ARCHITECTURES["amd64"])


def enhanced_finding(
    backend: Any,
    repository: Any,
    image: EcrImage,
    scan: ScanSpec,
    v: Vulnerability,
    layers: tuple[str, ...] = (),
) -> Json:
    """A finding in Amazon Inspector's format, as enhanced scanning reports it.

    `layers` are the image's layer digests: an OS package comes from the base
    layer, a language package from the image's own last layer.
    """
    region, account = backend.region_name, repository.registry_id
    severity = "UNTRIAGED" if v.severity == "UNDEFINED" else v.severity
    finding_id = hashlib.md5(
        f"{image.image_digest}{v.cve}{v.package}".encode(), usedforsecurity=False
    ).hexdigest()
    package_arch, image_arch = architectures(image)
    layer = (layers[0] if v.package_manager == "OS" else layers[-1]) if layers else ""
    # A CVE in a source package is reported against each binary package built from it.
    siblings = BINARY_SIBLINGS.get((scan.profile.family, v.package), ())
    if v.package_manager != "OS":
        siblings = ()
    fixes = [v.fixed_in, *(fixed for _, _, fixed in siblings)]
    packages = [_package(v, v.package, v.version, v.fixed_in, package_arch, layer)]
    packages.extend(
        _package(v, name, version, fixed, package_arch, layer) for name, version, fixed in siblings
    )
    details: Json = {
        "cvss": [],
        "referenceUrls": [v.uri],
        "relatedVulnerabilities": [],
        "source": _INSPECTOR_SOURCE.get((v.package_manager, scan.profile.family), "NVD"),
        "sourceUrl": v.uri,
        "vendorCreatedAt": v.published_at,
        # Inspector passes on the distribution's own words for an unrated flaw.
        "vendorSeverity": "not yet assigned" if severity == "UNTRIAGED" else severity,
        "vendorUpdatedAt": v.published_at + 14 * 86_400,
        "vulnerabilityId": v.cve,
        "vulnerablePackages": packages,
    }
    observed = scan.completed_at or scan.started_at
    finding: Json = {
        "awsAccountId": account,
        "description": v.description,
        "findingArn": f"arn:aws:inspector2:{region}:{account}:finding/{finding_id}",
        "firstObservedAt": scan.started_at,
        "lastObservedAt": observed,
        "updatedAt": observed,
        "packageVulnerabilityDetails": details,
        "remediation": {
            "recommendation": {
                "text": f"Upgrade {v.package} to version {v.fixed_in} or later."
                if v.fixed_in
                else "None Provided"
            }
        },
        "resources": [
            {
                "type": "AWS_ECR_CONTAINER_IMAGE",
                "id": f"arn:aws:ecr:{region}:{account}:repository/{repository.name}/"
                f"{image.image_digest}",
                "details": {
                    "awsEcrContainerImage": {
                        "architecture": image_arch,
                        "imageHash": image.image_digest,
                        "imageTags": list(image.image_tags),
                        "platform": _PLATFORMS.get(scan.profile.family, "UNKNOWN"),
                        "pushedAt": image.pushed_at,
                        "registry": account,
                        "repositoryName": repository.name,
                    }
                },
            }
        ],
        "severity": severity,
        "status": "ACTIVE",
        "title": f"{v.cve} - {v.package}",
        "type": "PACKAGE_VULNERABILITY",
        "fixAvailable": "YES" if all(fixes) else ("PARTIAL" if any(fixes) else "NO"),
        "exploitAvailable": "YES" if v.exploit_available else "NO",
    }
    if v.score is not None:
        _score(finding, details, v, severity, finding_id, scan.profile.inspector_scores)
    return finding


def _package(
    v: Vulnerability, name: str, version: str, fixed_in: str, arch: str, layer: str
) -> Json:
    package: Json = {
        "arch": arch,
        "epoch": 0,
        "name": name,
        "packageManager": v.package_manager,
        "version": version,
        "fixedInVersion": fixed_in or "NotAvailable",
    }
    if v.file_path:
        package["filePath"] = v.file_path
    if layer:
        package["sourceLayerHash"] = layer
    return package


def _score(
    finding: Json, details: Json, v: Vulnerability, severity: str, finding_id: str, adjust: bool
) -> None:
    """NVD's CVSS, and Inspector's score: NVD's, or (`adjust`) lowered for some findings."""
    assert v.score is not None
    nvd = {"baseScore": v.score, "scoringVector": v.vector, "version": v.cvss_version}
    details["cvss"] = [{**nvd, "source": "NVD"}]
    score, vector, adjustments = v.score, v.vector, []
    if (
        adjust
        and v.cvss_version == "3.1"
        and "AV:N" in v.vector
        and int(finding_id[:2], 16) % 3 == 0
    ):
        lowered = round(v.score - 0.3 - int(finding_id[2], 16) / 16, 1)
        score = max(_SEVERITY_FLOOR.get(severity, 0.1), lowered)
        vector, adjustments = v.vector.replace("AV:N", "AV:A"), [dict(_ADJUSTMENT)]
    finding["score"] = score
    finding["scoreDetails"] = {
        "cvss": {
            "adjustments": adjustments,
            "score": score,
            "scoreSource": "NVD",
            "scoringVector": vector,
            "version": v.cvss_version,
        }
    }
