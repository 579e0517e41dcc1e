"""The demo endpoint answers only what real ECR (and STS) can answer.

Every answer the app's operations get from the demo is taken as the raw JSON
the endpoint sent and walked against botocore's service model (see
`tests/api_contract.py`): unknown keys, wrong types, missing required members
and enum values ECR cannot send all fail. The tour covers every repository,
every page of images (active and archived), every findings report, every
index and every referrer of the demo's registry.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ecr_tui.core.answers import plain_json_factory
from ecr_tui.core.models import ScanState
from ecr_tui.demo.data.dataset import Dataset, build_dataset
from ecr_tui.demo.endpoint import LocalEcr
from tests.api_contract import (
    ALLOWED_BEYOND_ENUM,
    Answer,
    RawAnswers,
    answer_violations,
    service_model,
    shape_violations,
)

ACCOUNT_ID = "222233334444"
NOW = 1_795_000_000.0  # a fixed "now": the clock stands still unless a test moves it
# The values of ECR's enums as of botocore 1.44.8 (../shared/notes/real-ecr.md):
# the demo sends each. Written out, not read from the installed botocore, so that
# a value AWS adds tomorrow does not fail CI: the app shows unknown values verbatim.
REAL_ECR_ENUMS = {
    "ScanStatus": {
        "IN_PROGRESS", "COMPLETE", "FAILED", "UNSUPPORTED_IMAGE", "ACTIVE", "PENDING",
        "SCAN_ELIGIBILITY_EXPIRED", "FINDINGS_UNAVAILABLE", "LIMIT_EXCEEDED",
        "IMAGE_ARCHIVED", "IMAGE_SIZE_EXCEEDED",
    },
    "ImageStatus": {"ACTIVE", "ARCHIVED", "ACTIVATING"},
    "ImageTagMutability": {
        "MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION",
    },
    "EncryptionType": {"AES256", "KMS", "KMS_DSSE"},
}  # fmt: skip
BIG_IMAGES = 150  # platform/build-cache: two pages of 100
INDEX_TYPES = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
]
ALL_MANIFEST_TYPES = [
    *INDEX_TYPES,
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
]
# What the demo cannot serve (moto has no lifecycle policy previews): the app
# tells the user "this endpoint cannot preview"; real ECR can.
NOT_SERVED_BY_THE_DEMO = frozenset({"StartLifecyclePolicyPreview", "GetLifecyclePolicyPreview"})


class Clock:
    """The endpoint's "now", moved by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Tour:
    """Everything the endpoint answered while every repository, image and report was read."""

    answers: list[Answer]
    repositories: list[dict[str, Any]]
    images: dict[str, list[dict[str, Any]]]  # by repository, every status
    reports: list[dict[str, Any]] = field(default_factory=list)  # findings pages
    manifests: dict[str, dict[str, Any]] = field(default_factory=dict)  # by digest
    referrers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by subject


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return build_dataset(big_repository_images=BIG_IMAGES, now=NOW)


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture(scope="module")
def endpoint(dataset: Dataset, clock: Clock) -> Iterator[LocalEcr]:
    server = LocalEcr(account_id=ACCOUNT_ID, clock=clock, scan_seconds=5, restore_seconds=60)
    server.start()
    server.seed(dataset)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def raw() -> RawAnswers:
    return RawAnswers()


def _client(url: str, raw: RawAnswers, service: str = "ecr", plain: bool = False) -> Any:
    """A client whose raw answers `raw` records; `plain` parses JSON as the app does
    (no datetimes), which makes reading thousands of findings reports much faster."""
    session: Any = boto3.Session(  # `Any`: the stubs overload on the literal service name
        region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    if plain:
        session._session.register_component("response_parser_factory", plain_json_factory())
    client = session.client(service, endpoint_url=url, config=Config(retries={"max_attempts": 1}))
    return raw.attach(client)


@pytest.fixture(scope="module")
def ecr(endpoint: LocalEcr, raw: RawAnswers) -> Any:
    return _client(endpoint.url, raw)


def _pages(ecr: Any, operation: str, page_size: int, **params: Any) -> list[dict[str, Any]]:
    if not ecr.can_paginate(operation):  # botocore has no paginator for ListImageReferrers
        pages = [getattr(ecr, operation)(**params, maxResults=page_size)]
        while pages[-1].get("nextToken"):
            pages.append(
                getattr(ecr, operation)(
                    **params, maxResults=page_size, nextToken=pages[-1]["nextToken"]
                )
            )
        return pages
    paginator = ecr.get_paginator(operation)
    return list(paginator.paginate(**params, PaginationConfig={"PageSize": page_size}))


@pytest.fixture(scope="module")
def tour(endpoint: LocalEcr, raw: RawAnswers) -> Tour:
    """Read the whole registry as the app and a curious user would."""
    ecr = _client(endpoint.url, raw, plain=True)
    raw.take()
    pages = _pages(ecr, "describe_repositories", 10)
    repositories = [r for page in pages for r in page["repositories"]]
    names = [r["repositoryName"] for r in repositories]
    for start in range(0, len(names), 25):
        ecr.describe_repositories(repositoryNames=names[start : start + 25])
    found = Tour([], repositories, {})
    for name in names:
        # As the app lists them (ACTIVE only, 100 a page), and everything.
        _pages(ecr, "describe_images", 100, repositoryName=name)
        _pages(ecr, "list_images", 100, repositoryName=name)
        _pages(ecr, "list_images", 1000, repositoryName=name, filter={"imageStatus": "ANY"})
        every = _pages(
            ecr, "describe_images", 1000, repositoryName=name, filter={"imageStatus": "ANY"}
        )
        images = [d for page in every for d in page["imageDetails"]]
        found.images[name] = images
        _read_reports(ecr, found, name, images)
        _read_manifests(ecr, found, name, images)
        for subject in {d["subjectManifestDigest"] for d in images if "subjectManifestDigest" in d}:
            listed = _pages(
                ecr,
                "list_image_referrers",
                50,
                repositoryName=name,
                subjectId={"imageDigest": subject},
            )
            found.referrers[subject] = [r for page in listed for r in page["referrers"]]
    found.answers = raw.take()
    return found


def _read_reports(ecr: Any, tour: Tour, name: str, images: list[dict[str, Any]]) -> None:
    for detail in images:
        if "imageScanStatus" not in detail:
            continue
        image_id = {"imageDigest": detail["imageDigest"]}
        tour.reports += _pages(
            ecr, "describe_image_scan_findings", 1000, repositoryName=name, imageId=image_id
        )


def _read_manifests(ecr: Any, tour: Tour, name: str, images: list[dict[str, Any]]) -> None:
    active = [d for d in images if d["imageStatus"] == "ACTIVE"]
    for start in range(0, len(active), 100):
        ids = [{"imageDigest": d["imageDigest"]} for d in active[start : start + 100]]
        answer = ecr.batch_get_image(
            repositoryName=name, imageIds=ids, acceptedMediaTypes=ALL_MANIFEST_TYPES
        )
        assert not answer["failures"]
        for image in answer["images"]:
            tour.manifests[image["imageId"]["imageDigest"]] = image


def _violations(answers: list[Answer]) -> list[str]:
    return [problem for answer in answers for problem in answer_violations(answer)]


# -- the contract ---------------------------------------------------------------------------------


def test_every_answer_of_the_tour_is_one_real_ecr_can_send(tour: Tour) -> None:
    operations = Counter(a.operation for a in tour.answers)
    assert set(operations) == {
        "DescribeRepositories", "DescribeImages", "ListImages", "DescribeImageScanFindings",
        "BatchGetImage", "ListImageReferrers",
    }  # fmt: skip
    assert operations["DescribeImageScanFindings"] > 1000  # every report of every image
    assert all(a.status == 200 for a in tour.answers)
    assert _violations(tour.answers) == []


def test_the_demo_holds_every_shape_real_ecr_has(tour: Tour) -> None:
    model = service_model("ecr")
    images = [d for listed in tour.images.values() for d in listed]
    sent = {
        "ScanStatus": {d["imageScanStatus"]["status"] for d in images if "imageScanStatus" in d},
        "ImageStatus": {d["imageStatus"] for d in images},
        "ImageTagMutability": {r["imageTagMutability"] for r in tour.repositories},
        "EncryptionType": {
            r["encryptionConfiguration"]["encryptionType"] for r in tour.repositories
        },
    }
    for enum, values in REAL_ECR_ENUMS.items():
        # Every value real ECR sends today, each one a value botocore's model allows.
        assert sent[enum] == values, enum
        assert values <= set(model.shape_for(enum).enum), enum
    # The app names every status ECR sends: none of them reads "unknown".
    assert all(ScanState.parse(s) is not ScanState.UNKNOWN for s in REAL_ECR_ENUMS["ScanStatus"])
    media_types = {d["imageManifestMediaType"] for d in images}
    assert set(ALL_MANIFEST_TYPES) <= media_types
    artifacts = {d.get("artifactMediaType") for d in images}
    assert {
        "application/vnd.cncf.notary.signature",
        "application/vnd.dev.cosign.artifact.sig.v1+json",
        "application/spdx+json",
        "application/vnd.cyclonedx+json",
        "application/vnd.in-toto+json",
        "application/vnd.cncf.helm.config.v1+json",
        "application/vnd.cncf.flux.config.v1+json",
    } <= artifacts
    archived = [d for d in images if d["imageStatus"] != "ACTIVE"]
    assert all("lastArchivedAt" in d for d in archived)
    assert any("lastActivatedAt" in d and d["imageStatus"] == "ACTIVE" for d in images)


def test_enhanced_findings_carry_what_inspector_reports(tour: Tour) -> None:
    findings = [
        f
        for page in tour.reports
        for f in page.get("imageScanFindings", {}).get("enhancedFindings", [])
    ]
    assert {f["fixAvailable"] for f in findings} == {"YES", "NO", "PARTIAL"}
    assert {f["exploitAvailable"] for f in findings} == {"YES", "NO"}
    assert "UNTRIAGED" in {f["severity"] for f in findings}
    packages = [p for f in findings for p in f["packageVulnerabilityDetails"]["vulnerablePackages"]]
    assert any(len(f["packageVulnerabilityDetails"]["vulnerablePackages"]) > 1 for f in findings)
    assert "NotAvailable" in {p["fixedInVersion"] for p in packages}
    layers = [p["sourceLayerHash"] for p in packages if "sourceLayerHash" in p]
    assert layers and all(layer.startswith("sha256:") for layer in layers)
    assert any("filePath" in p for p in packages)
    adjusted = [f for f in findings if f.get("scoreDetails", {}).get("cvss", {}).get("adjustments")]
    assert adjusted and all(
        f["score"] < f["packageVulnerabilityDetails"]["cvss"][0]["baseScore"] for f in adjusted
    )
    counts = [
        page["imageScanFindings"]["findingSeverityCounts"]
        for page in tour.reports
        if "imageScanFindings" in page
    ]
    assert any("UNTRIAGED" in c for c in counts)
    # ECR sends UNTRIAGED as a severity count although the model's enum lacks it:
    # the only value the contract lets past an enum.
    assert {("FindingSeverity", "UNTRIAGED")} == ALLOWED_BEYOND_ENUM


# -- images that are not one image -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("repository", "index_type", "platforms"),
    [
        ("platform/multiarch-base", INDEX_TYPES[0], {"linux/amd64", "linux/arm64", "linux/arm/v7"}),
        ("apps/web-frontend", INDEX_TYPES[0], {"linux/amd64", "linux/arm64"}),
        ("infra/log-forwarder", INDEX_TYPES[1], {"linux/amd64", "linux/arm64"}),
    ],
)
def test_an_index_and_its_images_are_listed_as_ecr_lists_them(
    tour: Tour, repository: str, index_type: str, platforms: set[str]
) -> None:
    images = {d["imageDigest"]: d for d in tour.images[repository]}
    indexes = [d for d in images.values() if d["imageManifestMediaType"] == index_type]
    assert indexes and any("imageTags" in d for d in indexes)
    listed_children: set[str] = set()
    for index in indexes:
        manifest = tour.manifests[index["imageDigest"]]["imageManifest"]
        # A small document, no config of its own, never scanned.
        assert index["imageSizeInBytes"] == len(manifest.encode())
        assert "artifactMediaType" not in index and "imageScanStatus" not in index
        entries = json.loads(manifest)["manifests"]
        found_platforms = set()
        for entry in entries:
            child = images[entry["digest"]]  # every child is an image of its own
            listed_children.add(entry["digest"])
            platform = entry["platform"]
            if platform["os"] == "unknown":  # buildx's attestation manifest
                annotations = entry["annotations"]
                assert annotations["vnd.docker.reference.type"] == "attestation-manifest"
                assert annotations["vnd.docker.reference.digest"] in images
                assert child["imageScanStatus"]["status"] == "UNSUPPORTED_IMAGE"
                continue
            found_platforms.add(
                "/".join(
                    filter(
                        None, (platform["os"], platform["architecture"], platform.get("variant"))
                    )
                )
            )
            assert entry["size"] == len(tour.manifests[entry["digest"]]["imageManifest"].encode())
            assert "imageScanStatus" in child and child["imageSizeInBytes"] > 1_000_000
            if index_type == INDEX_TYPES[0]:
                assert "imageTags" not in child  # buildx tags the index only
        assert found_platforms == platforms
    assert listed_children  # and no image is the child of nothing
    assert all(
        d["imageDigest"] in listed_children
        for d in images.values()
        if d["imageManifestMediaType"] not in INDEX_TYPES
    )


def test_an_index_is_only_served_to_who_accepts_it(ecr: Any, tour: Tour) -> None:
    repository = "platform/multiarch-base"
    index = next(d for d in tour.images[repository] if "latest" in d.get("imageTags", []))
    as_index = ecr.batch_get_image(
        repositoryName=repository, imageIds=[{"imageTag": "latest"}], acceptedMediaTypes=INDEX_TYPES
    )["images"][0]
    assert as_index["imageId"] == {"imageTag": "latest", "imageDigest": index["imageDigest"]}
    first = json.loads(as_index["imageManifest"])["manifests"][0]
    assert first["platform"] == {"architecture": "amd64", "os": "linux"}
    plain = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": "latest"}])
    served = plain["images"][0]
    assert served["imageId"]["imageDigest"] == first["digest"]
    assert served["imageManifestMediaType"] == "application/vnd.oci.image.manifest.v1+json"
    with pytest.raises(ClientError) as error:
        ecr.batch_get_image(
            repositoryName=repository, imageIds=[{"imageTag": f"t{i}"} for i in range(101)]
        )
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"


def test_referrers_are_listed_for_their_subject(ecr: Any, tour: Tour, raw: RawAnswers) -> None:
    repository = "security/signed-api"
    images = {d["imageDigest"]: d for d in tour.images[repository]}
    referring = [d for d in images.values() if "subjectManifestDigest" in d]
    assert referring
    for subject, referrers in tour.referrers.items():
        expected = {d["imageDigest"] for d in referring if d["subjectManifestDigest"] == subject}
        assert {r["digest"] for r in referrers} == expected
        for found in referrers:
            detail = images[found["digest"]]
            assert found["artifactType"] == detail["artifactMediaType"]
            assert found["artifactStatus"] == "ACTIVE"
            manifest = json.loads(tour.manifests[found["digest"]]["imageManifest"])
            assert manifest["subject"]["digest"] == subject
            assert found["size"] == len(tour.manifests[found["digest"]]["imageManifest"].encode())
            assert "org.opencontainers.image.created" in found["annotations"]
    # Cosign's older signatures are tagged images, not referrers.
    assert any(t.endswith(".sig") for d in images.values() for t in d.get("imageTags", []))
    subject = next(s for s, r in tour.referrers.items() if len(r) > 2)
    raw.take()
    only = ecr.list_image_referrers(
        repositoryName=repository,
        subjectId={"imageDigest": subject},
        filter={"artifactTypes": ["application/vnd.cncf.notary.signature"]},
        maxResults=1,
    )["referrers"]
    assert [r["artifactType"] for r in only] == ["application/vnd.cncf.notary.signature"]
    nothing = ecr.list_image_referrers(
        repositoryName=repository, subjectId={"imageDigest": "sha256:" + "0" * 64}
    )
    assert nothing["referrers"] == []
    with pytest.raises(ClientError) as error:
        ecr.list_image_referrers(
            repositoryName=repository, subjectId={"imageDigest": subject}, maxResults=51
        )
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"
    assert _violations(raw.take()) == []


# -- scanning configuration -----------------------------------------------------------------------


def test_registry_and_repository_scanning_configurations_agree(
    ecr: Any, tour: Tour, raw: RawAnswers
) -> None:
    raw.take()
    registry = ecr.get_registry_scanning_configuration()["scanningConfiguration"]
    assert registry["scanType"] == "ENHANCED"
    by_rule = {rule["scanFrequency"]: rule["repositoryFilters"] for rule in registry["rules"]}
    assert set(by_rule) == {"CONTINUOUS_SCAN", "SCAN_ON_PUSH"}
    named = {f["filter"]: frequency for frequency, filters in by_rule.items() for f in filters}
    names = [r["repositoryName"] for r in tour.repositories]
    configurations = []
    for start in range(0, len(names), 25):
        answer = ecr.batch_get_repository_scanning_configuration(
            repositoryNames=names[start : start + 25]
        )
        assert answer["failures"] == []
        configurations += answer["scanningConfigurations"]
    assert [c["repositoryName"] for c in configurations] == names
    for configuration in configurations:
        frequency = named.get(configuration["repositoryName"], "MANUAL")
        assert configuration["scanFrequency"] == frequency
        assert configuration["scanOnPush"] == (frequency != "MANUAL")
        filters = [f["filter"] for f in configuration["appliedScanFilters"]]
        assert filters == ([configuration["repositoryName"]] if frequency != "MANUAL" else [])
    # A CONTINUOUS_SCAN rule's images are scanned continuously (ACTIVE), a SCAN_ON_PUSH
    # rule's once, when pushed.
    for name, frequency in named.items():
        statuses = {
            d["imageScanStatus"]["status"] for d in tour.images[name] if "imageScanStatus" in d
        }
        assert statuses and ("ACTIVE" in statuses) == (frequency == "CONTINUOUS_SCAN")
    missing = ecr.batch_get_repository_scanning_configuration(repositoryNames=["no/such-repo"])
    assert missing["failures"][0]["failureCode"] == "REPOSITORY_NOT_FOUND"
    with pytest.raises(ClientError) as error:
        ecr.batch_get_repository_scanning_configuration(repositoryNames=names[:26])
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"
    assert _violations(raw.take()) == []


# -- what the app changes -------------------------------------------------------------------------


def _manifest(seed: str) -> str:
    def digest(text: str) -> str:
        import hashlib

        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1234,
                "digest": digest(seed + "config"),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 2_000_000,
                    "digest": digest(seed + "layer"),
                }
            ],
        }
    )


def test_every_change_the_app_makes_is_answered_as_ecr_would(
    endpoint: LocalEcr, ecr: Any, raw: RawAnswers
) -> None:
    raw.take()
    sts = _client(endpoint.url, raw, "sts")
    sts.get_caller_identity()
    ecr.get_authorization_token()
    ecr.describe_registry()
    name = "contract/scratch"
    ecr.create_repository(
        repositoryName=name,
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "latest"}],
        encryptionConfiguration={"encryptionType": "KMS_DSSE"},
    )
    digest = ecr.put_image(repositoryName=name, imageManifest=_manifest("a"), imageTag="1.0.0")[
        "image"
    ]["imageId"]["imageDigest"]
    ecr.put_image(repositoryName=name, imageManifest=_manifest("a"), imageTag="latest")
    with pytest.raises(ClientError):  # 1.0.0 is not excluded: it cannot move
        ecr.put_image(repositoryName=name, imageManifest=_manifest("b"), imageTag="1.0.0")
    ecr.put_image_tag_mutability(repositoryName=name, imageTagMutability="MUTABLE")
    ecr.put_image_scanning_configuration(
        repositoryName=name, imageScanningConfiguration={"scanOnPush": True}
    )
    ecr.start_image_scan(repositoryName=name, imageId={"imageDigest": digest})
    for read in (ecr.get_repository_policy, ecr.get_lifecycle_policy):
        with pytest.raises(ClientError):  # none yet: ECR's own not-found errors
            read(repositoryName=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}
        ],
    }
    ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(policy))
    ecr.get_repository_policy(repositoryName=name)
    rule = {
        "rulePriority": 1,
        "action": {"type": "expire"},
        "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5},
    }
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps({"rules": [rule]}))
    ecr.get_lifecycle_policy(repositoryName=name)
    ecr.delete_lifecycle_policy(repositoryName=name)
    ecr.delete_repository_policy(repositoryName=name)
    ecr.batch_delete_image(repositoryName=name, imageIds=[{"imageTag": "latest"}])
    ecr.delete_repository(repositoryName=name, force=True)
    answers = raw.take()
    assert {a.status for a in answers} == {200, 400}
    assert _violations(answers) == []


def test_archive_and_restore_as_ecr_does(
    endpoint: LocalEcr, ecr: Any, raw: RawAnswers, clock: Clock, tour: Tour
) -> None:
    repository = "payments/settlement-batch"
    detail = next(
        d
        for d in reversed(tour.images[repository])
        if d["imageStatus"] == "ACTIVE" and "imageScanStatus" in d and d.get("imageTags")
    )
    digest, tag = detail["imageDigest"], detail["imageTags"][0]
    image_id = {"imageDigest": digest}

    def listed(status: str = "ACTIVE") -> dict[str, Any]:
        pages = _pages(
            ecr, "describe_images", 1000, repositoryName=repository, filter={"imageStatus": status}
        )
        return {d["imageDigest"]: d for page in pages for d in page["imageDetails"]}

    raw.take()
    archived = ecr.update_image_storage_class(
        repositoryName=repository, imageId=image_id, targetStorageClass="ARCHIVE"
    )
    assert archived["imageStatus"] == "ARCHIVED"
    assert digest not in listed()  # ECR lists ACTIVE images unless asked
    shown = listed("ARCHIVED")[digest]
    assert shown["lastArchivedAt"].timestamp() == NOW and shown["imageTags"] == detail["imageTags"]
    assert shown["imageScanStatus"]["status"] == "IMAGE_ARCHIVED"
    assert "imageScanFindingsSummary" not in shown
    failed = ecr.batch_get_image(repositoryName=repository, imageIds=[image_id])
    assert failed["images"] == [] and failed["failures"][0]["failureCode"] == "ImageNotFound"
    assert endpoint.check_pull_allowed(repository, tag)  # the registry answers 404
    with pytest.raises(ClientError) as error:
        ecr.start_image_scan(repositoryName=repository, imageId=image_id)
    assert error.value.response["Error"]["Code"] == "ImageArchivedException"

    restoring = ecr.update_image_storage_class(
        repositoryName=repository, imageId=image_id, targetStorageClass="STANDARD"
    )
    assert restoring["imageStatus"] == "ACTIVATING"
    assert listed("ACTIVATING")[digest]["imageScanStatus"]["status"] == "IMAGE_ARCHIVED"
    try:
        clock.now = NOW + 61  # the restore is over; the image is scanned as a new push
        restored = listed()[digest]
        assert restored["imageStatus"] == "ACTIVE"
        assert restored["lastActivatedAt"].timestamp() == NOW + 60
        assert restored["lastArchivedAt"].timestamp() == NOW
        assert restored["imageScanStatus"] == {"status": "IN_PROGRESS"}
        assert endpoint.check_pull_allowed(repository, tag) is None
        assert ecr.batch_get_image(repositoryName=repository, imageIds=[image_id])["images"]
    finally:
        clock.now = NOW
    assert _violations(raw.take()) == []


# -- the contract's own checks --------------------------------------------------------------------


def test_the_check_catches_what_real_ecr_cannot_send(tour: Tour) -> None:
    """Break a real answer in each way the contract forbids: every break is caught."""
    output = service_model("ecr").operation_model("DescribeImages").output_shape
    page = next(
        a.json()
        for a in tour.answers
        if a.operation == "DescribeImages"
        and any("imageScanFindingsSummary" in d for d in a.json()["imageDetails"])
    )
    assert shape_violations(page, output) == []
    detail = next(d for d in page["imageDetails"] if "imageScanFindingsSummary" in d)

    def broken(change: Any) -> list[str]:
        copy = json.loads(json.dumps(page))
        target = next(d for d in copy["imageDetails"] if d["imageDigest"] == detail["imageDigest"])
        change(target)
        return shape_violations(copy, output)

    assert broken(lambda d: d.update(imageIndexDigest="sha256:0"))  # not a member
    assert broken(lambda d: d["imageScanStatus"].update(status="SKIPPED"))  # not in the enum
    assert broken(lambda d: d.update(imageStatus="DELETED"))
    assert broken(lambda d: d["imageScanStatus"].update(status="UNTRIAGED"))  # allowed elsewhere
    assert broken(lambda d: d.update(imagePushedAt="2026-01-01T00:00:00Z"))  # text timestamp
    assert broken(lambda d: d.update(imageSizeInBytes=1.5))
    assert broken(lambda d: d.update(imageTags="latest"))
    assert broken(lambda d: d["imageScanFindingsSummary"]["findingSeverityCounts"].update(SEVERE=1))
    assert broken(lambda d: d.update(lastRecordedPullTime=None))
    filters = service_model("ecr").operation_model("DescribeRepositories").output_shape
    missing = {
        "repositories": [
            {"repositoryName": "x", "imageTagMutabilityExclusionFilters": [{"filter": "latest"}]}
        ]
    }
    assert shape_violations(missing, filters) == [
        "$.repositories[0].imageTagMutabilityExclusionFilters[0]: required 'filterType' of "
        "ImageTagMutabilityExclusionFilter is missing"
    ]
    error = Answer(
        "ecr", "DescribeImages", 400, b'{"__type":"ScanNotFoundException","message":"x"}'
    )
    assert list(answer_violations(error))  # not an error DescribeImages can raise


def test_every_operation_the_app_calls_is_checked() -> None:
    """A new ECR call in the app fails here until this module checks its answers."""
    core = Path(__file__).parent.parent / "ecr_tui" / "core"
    source = "\n".join(path.read_text() for path in core.rglob("*.py"))
    called = set(re.findall(r"\.ecr\.([a-z_]+)\(", source))
    called |= set(re.findall(r"get_paginator\(\"([a-z_]+)\"\)", source))
    called |= {f"sts.{name}" for name in re.findall(r"\bsts\.([a-z_]+)\(", source)}
    called -= {"get_paginator"}
    checked = {
        # the tour
        "describe_repositories", "describe_images", "list_images", "describe_image_scan_findings",
        "batch_get_image", "list_image_referrers",
        # the scanning configuration
        "get_registry_scanning_configuration", "batch_get_repository_scanning_configuration",
        # what the app changes
        "sts.get_caller_identity", "get_authorization_token", "describe_registry",
        "create_repository", "put_image", "put_image_tag_mutability",
        "put_image_scanning_configuration", "start_image_scan", "get_repository_policy",
        "set_repository_policy", "delete_repository_policy", "get_lifecycle_policy",
        "put_lifecycle_policy", "delete_lifecycle_policy", "batch_delete_image",
        "delete_repository", "update_image_storage_class",
        # contexts and replication (tests/test_demo_contexts.py)
        "sts.assume_role", "describe_image_replication_status",
    }  # fmt: skip
    not_served = {re.sub(r"(?<!^)([A-Z])", r"_\1", op).lower() for op in NOT_SERVED_BY_THE_DEMO}
    assert called - checked - not_served == set()
