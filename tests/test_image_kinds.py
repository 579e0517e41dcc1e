"""What an image is, read from a local endpoint that was pushed real manifest shapes.

Multi-platform indexes (buildx's, with attestation manifests, and Docker manifest
lists), Helm charts, every scan status of botocore's model, repository settings
with exclusion filters and dual-layer KMS, the registry's scanning rules, and STS
at its own endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import botocore.session
import pytest

from ecr_tui.core.api_items import image_from_row, image_row_from_api
from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.media_types import ImageKind, ReferrerKind, image_kind, referrer_kind
from ecr_tui.core.models import ScanState
from ecr_tui.ui.panes.image_tree import ImageTree, page_texts
from tests.conftest import plain_ecr_client
from tests.pushed_manifests import ACCOUNT, REPOSITORY, Pushed, registry_of_every_kind


@pytest.fixture(scope="module")
def pushed() -> Iterator[Pushed]:
    """Every kind of manifest, pushed to an endpoint of its own."""
    with registry_of_every_kind() as registry:
        yield registry


def listed(service: EcrService, repository: str = REPOSITORY) -> dict[str, Any]:
    return {image.digest: image for page in service.image_pages(repository) for image in page}


def test_describe_images_tells_indexes_images_and_artifacts_apart(pushed: Pushed) -> None:
    images = listed(EcrService(pushed.settings))
    assert images[pushed.release.digest].kind is ImageKind.INDEX
    assert images[pushed.manifest_list.digest].kind is ImageKind.INDEX
    assert images[pushed.single].kind is ImageKind.IMAGE
    assert images[pushed.chart].kind is ImageKind.ARTIFACT
    # The children are listed by ECR as untagged images of their own.
    for digest in pushed.release.platforms.values():
        assert images[digest].tags == () and images[digest].kind is ImageKind.IMAGE


def test_platforms_come_from_the_index_manifests_in_one_batched_call(pushed: Pushed) -> None:
    service = EcrService(pushed.settings)
    asked = [pushed.release.digest, pushed.manifest_list.digest, "sha256:" + "0" * 64]
    manifests = {m.digest: m for m in service.index_manifests(REPOSITORY, asked)}
    assert service.call_count("BatchGetImage", REPOSITORY) == 1

    release = manifests[pushed.release.digest]
    assert release.repository == REPOSITORY
    assert [(e.platform, e.digest) for e in release.platforms] == list(
        pushed.release.platforms.items()
    )
    assert [e.architecture for e in release.platforms] == ["amd64", "arm64"]
    assert {e.digest: e.attests for e in release.attestations} == pushed.release.attestations
    assert release.text == pushed.release.text

    legacy = manifests[pushed.manifest_list.digest]
    assert [e.platform for e in legacy.platforms] == ["linux/amd64", "linux/arm/v7"]
    assert not legacy.attestations
    # A digest ECR does not have is answered too, with the reason.
    assert manifests["sha256:" + "0" * 64].problem and not manifests["sha256:" + "0" * 64].entries


def test_the_tree_folds_children_and_reports_the_worst_platform(pushed: Pushed) -> None:
    service = EcrService(pushed.settings)
    images = list(listed(service).values())
    tree = ImageTree(REPOSITORY)
    tree.add(images)
    indexes = [pushed.release.digest, pushed.older.digest, pushed.manifest_list.digest]
    assert set(tree.still_unread()) == set(tree.unread) == set(indexes)
    tree.add_manifests(service.index_manifests(REPOSITORY, indexes))
    assert not tree.unread and not tree.still_unread()
    children = {
        *pushed.release.platforms.values(),
        *pushed.release.attestations,
        *pushed.older.platforms.values(),
        *pushed.older.attestations,
        *pushed.manifest_list.platforms.values(),
    }
    assert tree.hidden() == children | {pushed.signature, pushed.sbom}
    # The index's scan is its worst platform's.
    by_digest = listed(service)
    platforms = [by_digest[d] for d in pushed.release.platforms.values()]
    scan = tree.index_scan(by_digest[pushed.release.digest])
    assert all(image.scan_state is ScanState.COMPLETE for image in platforms)
    assert scan.state is ScanState.COMPLETE and scan.scanned == scan.platforms == 2
    assert scan.severity_row == max(image.severity_row for image in platforms)
    # An answer about another repository changes nothing.
    other = service.index_manifests(REPOSITORY, [pushed.release.digest])[0]
    assert not tree.add_manifests([replace(other, repository="elsewhere")])


def test_untagged_images_are_provisional_until_every_index_is_read(pushed: Pushed) -> None:
    service = EcrService(pushed.settings)
    images = list(listed(service).values())
    tree = ImageTree(REPOSITORY)
    tree.add(images)
    release = pushed.release
    children = [listed(service)[d] for d in release.platforms.values()]
    # DescribeImages lists a platform's image as a plain untagged image: until its
    # index is read, it may be a platform or a lone untagged image, and says so.
    for child in children:
        assert tree.provisional(child)
        assert tree.type_label(child) == "? reading…"
        assert "maybe a platform of an index not read yet" in tree.describe(child)
    tree.asked.add(release.digest)  # asked for: not to be asked again
    assert release.digest not in tree.still_unread()
    assert tree.still_unread([release.digest, pushed.older.digest]) == [pushed.older.digest]
    tree.add_manifests(service.index_manifests(REPOSITORY, [release.digest]))
    assert release.digest not in tree.unread and not tree.asked
    for child in children:  # known now: a platform, whatever else is unread
        assert not tree.provisional(child) and tree.type_label(child) == "platform"
    others = [pushed.older.digest, pushed.manifest_list.digest]
    older_child = listed(service)[next(iter(pushed.older.platforms.values()))]
    assert tree.provisional(older_child)
    tree.add_manifests(service.index_manifests(REPOSITORY, others))
    assert not tree.unread
    tagged_or_known = [image for image in images if tree.provisional(image)]
    assert tagged_or_known == []  # nothing is provisional once every index is read


@pytest.mark.parametrize(
    "status",
    botocore.session.get_session().get_service_model("ecr").shape_for("ScanStatus").enum,
)
def test_every_scan_status_of_botocores_model_is_known(status: str) -> None:
    row = image_row_from_api(
        {"imageDigest": "sha256:" + "1" * 64, "imageScanStatus": {"status": status}}
    )
    image = image_from_row("r", row)
    assert image.scan_state is not ScanState.UNKNOWN
    assert image.scan_state is not ScanState.NOT_SCANNED


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("IMAGE_SIZE_EXCEEDED", "too large"),
        ("LIMIT_EXCEEDED", "limit exceeded"),
        ("IMAGE_ARCHIVED", "archived"),
        ("SCAN_ELIGIBILITY_EXPIRED", "scan expired"),
        ("SOME_STATUS_FROM_2027", "SOME_STATUS_FROM_2027"),  # verbatim, never "not scanned"
    ],
)
def test_scan_statuses_read_as_what_they_are(status: str, label: str) -> None:
    row = image_row_from_api(
        {"imageDigest": "sha256:" + "1" * 64, "imageScanStatus": {"status": status}}
    )
    assert image_from_row("r", row).scan_label == label


def test_media_types_name_referrers_and_artifacts() -> None:
    assert (
        image_kind("application/vnd.oci.image.manifest.v1+json", "x", "sha256:1")
        is ImageKind.REFERRER
    )
    assert referrer_kind("application/vnd.cncf.notary.signature") is ReferrerKind.SIGNATURE
    assert (
        referrer_kind("application/vnd.dev.cosign.artifact.sig.v1+json") is ReferrerKind.SIGNATURE
    )
    assert referrer_kind("application/spdx+json") is ReferrerKind.SBOM
    assert referrer_kind("application/vnd.cyclonedx+json") is ReferrerKind.SBOM
    assert referrer_kind("application/vnd.in-toto+json") is ReferrerKind.ATTESTATION
    assert referrer_kind("application/vnd.example.thing") is ReferrerKind.OTHER
    wasm = image_kind(
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.wasm.config.v0+json", ""
    )
    assert wasm is ImageKind.ARTIFACT


def test_repository_settings_keep_exclusion_filters_and_dual_layer_kms(pushed: Pushed) -> None:
    ecr = plain_ecr_client(pushed.endpoint)
    ecr.create_repository(
        repositoryName="kinds/excluded",
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[
            {"filterType": "WILDCARD", "filter": "latest"},
            {"filterType": "WILDCARD", "filter": "dev-*"},
        ],
        encryptionConfiguration={
            "encryptionType": "KMS_DSSE",
            "kmsKey": "arn:aws:kms:us-east-1:210987654321:key/k",
        },
    )
    repository = EcrService(pushed.settings).repository("kinds/excluded")
    assert repository.tag_mutability == "IMMUTABLE_WITH_EXCLUSION"
    assert repository.tag_mutability_exclusions == ("latest", "dev-*")
    assert repository.encryption == "KMS_DSSE"
    assert repository.account_id == ACCOUNT


def test_registry_scanning_applies_per_repository(pushed: Pushed) -> None:
    ecr = plain_ecr_client(pushed.endpoint)
    ecr.put_registry_scanning_configuration(
        scanType="ENHANCED",
        rules=[
            {
                "scanFrequency": "CONTINUOUS_SCAN",
                "repositoryFilters": [{"filter": "kinds/multi*", "filterType": "WILDCARD"}],
            }
        ],
    )
    try:
        service = EcrService(pushed.settings)
        registry = service.registry_scanning()
        assert registry.scan_type == "ENHANCED"
        assert registry.rules[0].filters == ("kinds/multi*",)
        scanning = {
            s.repository: s
            for s in service.repository_scanning([REPOSITORY, "kinds/plain"], registry.scan_type)
        }
        assert scanning[REPOSITORY].label == "enhanced · continuous"
        assert scanning[REPOSITORY].filters == ("kinds/multi*",)
        assert scanning["kinds/plain"].label == "not scanned"
    finally:
        ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[])


def test_sts_goes_to_its_own_endpoint_never_to_ecrs(pushed: Pushed) -> None:
    private_ecr = ConnectionSettings(endpoint_url=pushed.endpoint.url, region="eu-west-1")
    sts = EcrService(private_ecr)._client("sts")
    assert sts.meta.endpoint_url != pushed.endpoint.url
    assert "sts" in sts.meta.endpoint_url and "amazonaws.com" in sts.meta.endpoint_url
    # The demo names the endpoint that serves its STS explicitly.
    assert EcrService(pushed.settings)._client("sts").meta.endpoint_url == pushed.endpoint.url


def test_without_sts_the_account_comes_from_ecr(pushed: Pushed) -> None:
    unreachable_sts = ConnectionSettings(
        endpoint_url=pushed.endpoint.url,
        region="us-east-1",
        demo=True,
        sts_endpoint_url="http://127.0.0.1:9",
    )
    account = EcrService(unreachable_sts).account_info()
    assert account.account_id == ACCOUNT
    assert account.identity_problem == "EndpointConnectionError"


def test_page_texts_keep_plain_rows_as_they_were_and_single_out_the_rest() -> None:
    digest = "sha256:" + "a" * 64
    items = [
        {
            "imageDigest": "sha256:" + "1" * 64,
            "imageTags": ["Main-1"],
            "imageStatus": "ACTIVE",
            "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactMediaType": "application/vnd.oci.image.config.v1+json",
        },
        {
            "imageDigest": digest,
            "imageTags": ["v1"],
            "imageManifestMediaType": "application/vnd.oci.image.index.v1+json",
        },
        {
            "imageDigest": "sha256:" + "2" * 64,
            "subjectManifestDigest": digest,
            "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactMediaType": "application/vnd.cncf.notary.signature",
        },
        {
            "imageDigest": "sha256:" + "3" * 64,
            "imageTags": ["old"],
            "imageStatus": "ARCHIVED",
            "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
        },
        {
            "imageDigest": "sha256:" + "4" * 64,
            "imageTags": ["0.1.0"],
            "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactMediaType": "application/vnd.cncf.helm.config.v1+json",
        },
        {
            "imageDigest": "sha256:" + "5" * 64,
            "imageTags": [f"sha256-{'a' * 64}.sig"],
            "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactMediaType": "application/vnd.oci.image.config.v1+json",
        },
    ]
    rows = [image_from_row("r", image_row_from_api(item)) for item in items]
    texts, notable = page_texts(rows)
    assert texts[0] == "main-1 " + "sha256:" + "1" * 64  # as the pane always searched
    assert notable == rows[1:]
    assert "is:index" in texts[1]
    assert "is:referrer" in texts[2] and "is:signature" in texts[2]
    assert "is:archived" in texts[3]
    assert "is:helm-chart" in texts[4]
    tree = ImageTree("r")
    tree.add(rows, notable)
    assert tree.archived == 1
    # Both the OCI 1.1 signature and cosign's tag-scheme one sign the index.
    assert [kind for _, kind in tree.referrers[digest]] == [ReferrerKind.SIGNATURE] * 2
    assert tree.badges(rows[1]) == "S"
    assert tree.hidden() == {rows[2].digest, rows[5].digest}
    assert tree.type_label(rows[3]) == "archived"
    assert tree.type_label(rows[4]) == "Helm chart"
    assert tree.kind(rows[5]) is ImageKind.REFERRER
