"""Manifests shaped as buildx, Docker, Helm, Notation and syft push them, put through PutImage.

Everything goes over HTTP to the test endpoint with a plain boto3 client, so the
app reads them back exactly as it would read a registry that was pushed to.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ecr_tui.core.ecr import ConnectionSettings
from ecr_tui.demo.endpoint import LocalEcr
from tests.conftest import plain_ecr_client

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
NOTATION = "application/vnd.cncf.notary.signature"
SPDX = "application/spdx+json"
EMPTY = "application/vnd.oci.empty.v1+json"


def digest_of(text: str) -> str:
    """What ECR names a manifest: sha256 of its bytes."""
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _blob(seed: str) -> str:
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def image_manifest(
    seed: str, *, docker: bool = False, config: str = "", size: int = 5_000_000
) -> str:
    """A single-platform image manifest (OCI, or Docker's v2 schema 2)."""
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
            "config": {
                "mediaType": config or (DOCKER_CONFIG if docker else OCI_CONFIG),
                "digest": _blob(f"{seed}-config"),
                "size": 1469,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": _blob(f"{seed}-layer"),
                    "size": size,
                }
            ],
        }
    )


def attestation_manifest(seed: str) -> str:
    """buildx's provenance manifest: an OCI image manifest of in-toto layers."""
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": _blob(f"{seed}-att"), "size": 167},
            "layers": [
                {
                    "mediaType": "application/vnd.in-toto+json",
                    "digest": _blob(f"{seed}-provenance"),
                    "size": 4711,
                    "annotations": {
                        "in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"
                    },
                }
            ],
        }
    )


def referrer_manifest(seed: str, subject: str, artifact_type: str) -> str:
    """An OCI 1.1 referrer (a Notation signature, an SBOM) about `subject`."""
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": artifact_type,
            "config": {"mediaType": EMPTY, "digest": _blob("empty"), "size": 2},
            "layers": [{"mediaType": artifact_type, "digest": _blob(f"{seed}-ref"), "size": 1834}],
            "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": 1234},
            "annotations": {"org.opencontainers.image.created": "2026-11-20T11:00:00Z"},
        }
    )


@dataclass(frozen=True, slots=True)
class PushedIndex:
    """A multi-platform image as pushed: its index and the manifests it lists."""

    digest: str
    text: str
    platforms: dict[str, str]  # os/architecture[/variant] -> digest
    attestations: dict[str, str]  # attestation digest -> the platform digest it describes


def put(ecr: Any, repository: str, text: str, tag: str | None = None) -> str:
    """PutImage; the digest."""
    params: dict[str, Any] = {"repositoryName": repository, "imageManifest": text}
    if tag:
        params["imageTag"] = tag
    ecr.put_image(**params)
    return digest_of(text)


def push_index(
    ecr: Any,
    repository: str,
    seed: str,
    tags: list[str],
    platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64/v8"),
    *,
    docker: bool = False,
    attestations: bool = True,
) -> PushedIndex:
    """Push each platform's image (untagged), buildx's attestations, then the tagged index."""
    entries: list[dict[str, Any]] = []
    pushed: dict[str, str] = {}
    attested: dict[str, str] = {}
    for platform in platforms:
        os_name, architecture, *variant = platform.split("/")
        text = image_manifest(f"{seed}-{platform}", docker=docker)
        digest = put(ecr, repository, text)
        pushed[platform] = digest
        described: dict[str, Any] = {"os": os_name, "architecture": architecture}
        if variant:
            described["variant"] = variant[0]
        entries.append(
            {
                "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
                "digest": digest,
                "size": len(text),
                "platform": described,
            }
        )
    if attestations and not docker:
        for platform, digest in list(pushed.items()):
            text = attestation_manifest(f"{seed}-{platform}")
            attestation = put(ecr, repository, text)
            attested[attestation] = digest
            entries.append(
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": attestation,
                    "size": len(text),
                    "platform": {"os": "unknown", "architecture": "unknown"},
                    "annotations": {
                        "vnd.docker.reference.type": "attestation-manifest",
                        "vnd.docker.reference.digest": digest,
                    },
                }
            )
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": DOCKER_LIST if docker else OCI_INDEX,
            "manifests": entries,
        }
    )
    digest = put(ecr, repository, index, tags[0])
    for tag in tags[1:]:
        put(ecr, repository, index, tag)
    return PushedIndex(digest, index, pushed, attested)


# An account of its own: these repositories never show in the other tests' registry.
ACCOUNT = "333344445555"
REPOSITORY = "kinds/multi-arch"


@dataclass(frozen=True, slots=True)
class Pushed:
    """What a registry of every kind of manifest holds."""

    endpoint: LocalEcr
    settings: ConnectionSettings
    release: PushedIndex
    older: PushedIndex
    manifest_list: PushedIndex
    single: str
    chart: str
    signature: str  # a Notation signature of `release`
    sbom: str  # an SPDX SBOM of `release`


@contextmanager
def registry_of_every_kind() -> Iterator[Pushed]:
    """A local endpoint of its own account: three indexes (one a Docker manifest list,
    the newest signed and with an SBOM), a plain image and a Helm chart in REPOSITORY
    (scanned on push), and `kinds/plain` with one plain image."""
    endpoint = LocalEcr(account_id=ACCOUNT, scan_seconds=0.2)
    endpoint.start()
    try:
        ecr = plain_ecr_client(endpoint)
        ecr.create_repository(
            repositoryName=REPOSITORY, imageScanningConfiguration={"scanOnPush": True}
        )
        ecr.create_repository(repositoryName="kinds/plain")
        put(ecr, "kinds/plain", image_manifest("plain-1"), "1.0")
        older = push_index(ecr, REPOSITORY, "older", ["2026.10.1"])
        manifest_list = push_index(
            ecr, REPOSITORY, "legacy", ["legacy"], ("linux/amd64", "linux/arm/v7"), docker=True
        )
        single = put(ecr, REPOSITORY, image_manifest("single"), "single")
        chart = put(
            ecr, REPOSITORY, image_manifest("chart", config=HELM_CONFIG, size=30_000), "1.2.3"
        )
        release = push_index(ecr, REPOSITORY, "release", ["2026.11.4", "latest"])
        signature = put(ecr, REPOSITORY, referrer_manifest("sig", release.digest, NOTATION))
        sbom = put(ecr, REPOSITORY, referrer_manifest("sbom", release.digest, SPDX))
        _wait_for_scans(ecr, list(release.platforms.values()))
        settings = ConnectionSettings(
            endpoint_url=endpoint.url, region="us-east-1", demo=True, sts_endpoint_url=endpoint.url
        )
        yield Pushed(
            endpoint, settings, release, older, manifest_list, single, chart, signature, sbom
        )
    finally:
        endpoint.stop()


def _wait_for_scans(ecr: Any, digests: list[str], timeout: float = 10.0) -> None:
    """Until the scans that pushing started have completed (the endpoint's scans take 0.2 s)."""
    deadline = time.monotonic() + timeout
    while True:
        details = ecr.describe_images(
            repositoryName=REPOSITORY, imageIds=[{"imageDigest": d} for d in digests]
        )["imageDetails"]
        if all(d.get("imageScanStatus", {}).get("status") == "COMPLETE" for d in details):
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the pushed images' scans did not complete")
        time.sleep(0.1)
