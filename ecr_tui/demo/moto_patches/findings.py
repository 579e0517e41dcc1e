"""A finding as ECR reports it: basic scanning's shape, or Amazon Inspector's for enhanced."""

from __future__ import annotations

import hashlib
from typing import Any

from ecr_tui.demo.data.findings import Vulnerability
from ecr_tui.demo.data.scans import ScanSpec
from ecr_tui.demo.moto_patches.ecr_image import EcrImage
from ecr_tui.demo.moto_patches.protocol import Json

_PLATFORMS = {"debian": "DEBIAN_12", "ubuntu": "UBUNTU_22_04", "alpine": "ALPINE_LINUX_3_18"}
_INSPECTOR_SOURCE = {
    ("OS", "debian"): "DEBIAN_CVE",
    ("OS", "ubuntu"): "UBUNTU_CVE",
    ("OS", "alpine"): "ALPINE_SEC_DB",
}


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


def enhanced_finding(
    backend: Any, repository: Any, image: EcrImage, scan: ScanSpec, v: Vulnerability
) -> Json:
    """A finding in Amazon Inspector's format, as enhanced scanning reports it."""
    region, account = backend.region_name, repository.registry_id
    severity = "UNTRIAGED" if v.severity == "UNDEFINED" else v.severity
    finding_id = hashlib.md5(
        f"{image.image_digest}{v.cve}{v.package}".encode(), usedforsecurity=False
    ).hexdigest()
    package: Json = {
        "arch": "X86_64",
        "epoch": 0,
        "name": v.package,
        "packageManager": v.package_manager,
        "version": v.version,
        "fixedInVersion": v.fixed_in or "NotAvailable",
    }
    if v.file_path:
        package["filePath"] = v.file_path
    details: Json = {
        "cvss": [],
        "referenceUrls": [v.uri],
        "relatedVulnerabilities": [],
        "source": _INSPECTOR_SOURCE.get((v.package_manager, scan.profile.family), "NVD"),
        "sourceUrl": v.uri,
        "vendorCreatedAt": v.published_at,
        "vendorSeverity": severity,
        "vendorUpdatedAt": v.published_at + 14 * 86_400,
        "vulnerabilityId": v.cve,
        "vulnerablePackages": [package],
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
                        "architecture": "amd64",
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
        "fixAvailable": "YES" if v.fixed_in else "NO",
        "exploitAvailable": "YES" if v.exploit_available else "NO",
    }
    if v.score is not None:
        cvss = {"baseScore": v.score, "scoringVector": v.vector, "version": v.cvss_version}
        details["cvss"] = [{**cvss, "source": "NVD"}]
        finding["score"] = v.score
        finding["scoreDetails"] = {
            "cvss": {
                "adjustments": [],
                "score": v.score,
                "scoreSource": "NVD",
                "scoringVector": v.vector,
                "version": v.cvss_version,
            }
        }
    return finding
