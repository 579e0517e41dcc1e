"""A plain moto ECR endpoint over HTTP whose scan findings each test chooses.

moto's supported hook for custom findings (`POST /moto-api/static/ecr/
scan-finding-results`) makes DescribeImageScanFindings answer, for an image it
has scanned, exactly what a test posts: any shape real ECR sends, such as
Inspector's `enhancedFindings`, which moto never makes up. Every answer posted
here is first validated against botocore's service model for the operation, so
a test cannot rely on a shape ECR could not send.

No demo layer is in front (the demo answers DescribeImageScanFindings itself),
and the endpoint serves an account of its own: moto's state is per process and
account, and the session's demo endpoint resets its own account.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

import boto3
from botocore.config import Config
from botocore.stub import Stubber
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from ecr_tui.core.ecr import ConnectionSettings

ACCOUNT = "210987654321"
REGION = "us-east-1"
REPOSITORY = "team/multiarch"

_WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _for_account(app: _WsgiApp, account: str) -> _WsgiApp:
    """moto's app, answering every request for `account` (moto's own header for it)."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = account
        return app(environ, start_response)

    return serve


def digest_of(text: str) -> str:
    """A sha256 digest, as ECR names images."""
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


class MotoFindings:
    """moto's ECR on a local port, with images whose findings a test sets."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        app = _for_account(DomainDispatcherApplication(create_backend_app), ACCOUNT)
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.client = boto3.client(
            "ecr",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )
        self.settings = ConnectionSettings(endpoint_url=self.url, region=REGION, demo=True)
        self.client.create_repository(repositoryName=REPOSITORY)

    def stop(self) -> None:
        """Stop serving (moto's state for the account stays until the process ends)."""
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()

    def push_scanned(self, name: str, findings: dict[str, Any], status: str = "COMPLETE") -> str:
        """Push an image named `name`, scan it, and make ECR report `findings`; its digest.

        `findings` is DescribeImageScanFindings' `imageScanFindings` (None: the scan
        has no results, as while IN_PROGRESS).
        """
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": digest_of(f"config {name}"),
                    "size": 100,
                },
                "layers": [],
            }
        )
        digest = digest_of(manifest)
        self.client.put_image(
            repositoryName=REPOSITORY,
            imageManifest=manifest,
            imageManifestMediaType="application/vnd.oci.image.manifest.v1+json",
            imageDigest=digest,
        )
        self.client.start_image_scan(repositoryName=REPOSITORY, imageId={"imageDigest": digest})
        answer: dict[str, Any] = {
            "registryId": ACCOUNT,
            "repositoryName": REPOSITORY,
            "imageId": {"imageDigest": digest},
            "imageScanStatus": {"status": status, "description": f"{name}: {status}"},
        }
        if findings is not None:
            answer["imageScanFindings"] = findings
        # What ECR could send, or the test is wrong: botocore checks it against the model.
        Stubber(self.client).add_response("describe_image_scan_findings", answer)
        body = json.dumps({"results": [answer], "region": REGION, "account_id": ACCOUNT})
        request = urllib.request.Request(
            f"{self.url}/moto-api/static/ecr/scan-finding-results",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
        # moto hands a posted answer to the first scanned image asked about whose tag
        # matches, and an untagged one's (None) matches any: ask now, so that it is
        # this image's, for the question the app asks (by digest) from now on.
        asked = self.client.describe_image_scan_findings(
            repositoryName=REPOSITORY, imageId={"imageDigest": digest}
        )
        assert asked["imageScanStatus"] == answer["imageScanStatus"]
        return digest


# -- findings as real ECR sends them ----------------------------------------------

T0 = 1_790_000_000  # epoch seconds: ECR's JSON sends timestamps as numbers


def enhanced_finding(
    cve: str,
    severity: str,
    packages: list[dict[str, Any]],
    *,
    score: float | None = None,
    fix: str = "YES",
    exploit: str = "NO",
    adjustments: list[dict[str, str]] | None = None,
    arch: str = "amd64",
) -> dict[str, Any]:
    """An `enhancedFindings` item with every field ECR's model has."""
    item: dict[str, Any] = {
        "awsAccountId": ACCOUNT,
        "description": f"{cve} lets an attacker do harm.",
        "findingArn": f"arn:aws:inspector2:{REGION}:{ACCOUNT}:finding/{cve.lower()}-{arch}",
        "firstObservedAt": T0,
        "lastObservedAt": T0 + 3600,
        "updatedAt": T0 + 7200,
        "packageVulnerabilityDetails": {
            "cvss": [],
            "referenceUrls": [f"https://nvd.nist.gov/vuln/detail/{cve}"],
            "relatedVulnerabilities": [],
            "source": "NVD",
            "sourceUrl": f"https://security-tracker.debian.org/tracker/{cve}",
            "vendorCreatedAt": T0 - 86_400 * 30,
            "vendorSeverity": severity,
            "vendorUpdatedAt": T0 - 86_400,
            "vulnerabilityId": cve,
            "vulnerablePackages": packages,
        },
        "remediation": {"recommendation": {"text": "None Provided"}},
        "resources": [
            {
                "type": "AWS_ECR_CONTAINER_IMAGE",
                "id": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{REPOSITORY}/sha256:0",
                "details": {"awsEcrContainerImage": {"architecture": arch}},
            }
        ],
        "severity": severity,
        "status": "ACTIVE",
        "title": f"{cve} - {packages[0]['name']}",
        "type": "PACKAGE_VULNERABILITY",
        "fixAvailable": fix,
        "exploitAvailable": exploit,
    }
    if score is not None:
        vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        item["score"] = score
        item["scoreDetails"] = {
            "cvss": {
                "adjustments": adjustments or [],
                "score": score,
                "scoreSource": "NVD",
                "scoringVector": vector,
                "version": "3.1",
            }
        }
        item["packageVulnerabilityDetails"]["cvss"] = [
            {"baseScore": 9.8, "scoringVector": vector, "source": "NVD", "version": "3.1"}
        ]
    return item


def package(name: str, version: str, fixed: str, **more: Any) -> dict[str, Any]:
    """A `vulnerablePackages` item."""
    return {
        "name": name,
        "version": version,
        "epoch": 0,
        "release": "",
        "arch": "X86_64",
        "packageManager": "OS",
        "fixedInVersion": fixed,
        **more,
    }


def enhanced_findings(*items: dict[str, Any]) -> dict[str, Any]:
    """`imageScanFindings` of an enhanced scan, with ECR's counts (UNTRIAGED too)."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item["severity"]] = counts.get(item["severity"], 0) + 1
    return {
        "imageScanCompletedAt": T0 + 3600,
        "vulnerabilitySourceUpdatedAt": T0,
        "findingSeverityCounts": counts,
        "enhancedFindings": list(items),
    }
