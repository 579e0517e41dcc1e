"""Amazon Inspector answering "the newest N per repository" and "tagged only" (demo endpoint).

The expectations come from the fan-out of DescribeImageScanFindings over the
same repositories (tests/test_inspector.py's `fan_out`), never from the code
under test: both sources must give the same answer, coverage and images.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

import pytest

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.fleet.fanout import FleetScan
from ecr_tui.core.fleet.inspector import InspectorScan
from ecr_tui.core.fleet.inspector_images import BATCH, InspectorImagesScan
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.fleet.source import SourcedScan
from ecr_tui.core.models import Image, ScanReport, Severity
from ecr_tui.demo.data.dataset import build_dataset
from ecr_tui.demo.endpoint import LocalEcr
from tests.api_contract import RawAnswers, answer_violations
from tests.test_inspector import (
    HOME,
    MEMBER,
    NOW,
    _fields,
    answer,
    enhanced,
    fan_out,
    groups,
    inspector_client,
)

STOREFRONT = "web/storefront"  # enhanced, 55 images with many findings each
ADMIN = "535353535353"  # Inspector's delegated administrator here (not test_inspector's)
ORGANISATION_REGION = "ap-southeast-4"  # moto's state is per process: a region of its own


@pytest.fixture(scope="module")
def organisation() -> Iterator[LocalEcr]:
    """An administrator account whose Inspector sees a member's registry (small ones)."""
    server = LocalEcr(account_id=ADMIN, region=ORGANISATION_REGION)
    server.start()
    home = build_dataset(12, big_repository_images=0, seed=31, now=NOW)
    member = build_dataset(12, big_repository_images=0, seed=42, now=NOW)
    assert enhanced(home) and enhanced(member)
    server.seed(home)
    server.seed_contexts([(MEMBER, ORGANISATION_REGION, member)])
    server.administer_inspector([MEMBER])
    yield server
    server.stop()


def scanned_repositories(settings: ConnectionSettings) -> set[str]:
    scan = InspectorScan(EcrService(settings, read_only=True), Scope(), now=NOW, home_account=HOME)
    scan._read_coverage(scan.service.client("inspector2"))
    return set(scan.coverage.scanned_repositories)


def coverage_counts(scan_coverage: object) -> tuple[object, ...]:
    """What the coverage line counts, source aside."""
    coverage = scan_coverage
    return (
        coverage.in_scope,  # type: ignore[attr-defined]
        coverage.with_findings,  # type: ignore[attr-defined]
        dict(coverage.without_findings),  # type: ignore[attr-defined]
        coverage.pending,  # type: ignore[attr-defined]
    )


def fan_out_coverage(settings: ConnectionSettings, scope: Scope, names: set[str]) -> Counter[str]:
    """The fan-out's coverage counts summed over these repositories."""
    total: Counter[str] = Counter()
    for name in sorted(names):
        one = Scope(**{**_fields(scope), "repository": name})
        coverage = FleetScan(EcrService(settings, read_only=True), one, now=NOW).run().coverage
        total["in scope"] += coverage.in_scope
        total["with findings"] += coverage.with_findings
        for words, count in coverage.without_findings.items():
            total[words] += count
    return total


def as_counter(scan: InspectorScan) -> Counter[str]:
    coverage = scan.coverage
    total: Counter[str] = Counter(
        {"in scope": coverage.in_scope, "with findings": coverage.with_findings}
    )
    total.update(coverage.without_findings)
    return total


@pytest.mark.parametrize(
    "scope",
    [
        Scope(newest_per_repository=3),
        Scope(newest_per_repository=2, tagged_only=True),
        Scope(newest_per_repository=5, min_severity=Severity.HIGH, fixable=True),
    ],
    ids=["newest-3", "newest-2-tagged", "newest-5-high-fixable"],
)
def test_newest_n_by_inspector_is_the_fan_outs_answer(
    ecr_settings: ConnectionSettings, scope: Scope
) -> None:
    service = EcrService(ecr_settings, read_only=True)
    scan = InspectorImagesScan(service, scope, now=NOW, home_account=HOME)
    result = scan.run()
    assert result.problems == [] and scan.coverage.complete
    names = scan.coverage.scanned_repositories
    assert {"payments/api", STOREFRONT} <= names
    expected = fan_out(ecr_settings, scope, names)
    assert answer(result.findings) and answer(result.findings) == answer(expected)
    assert groups(result.findings) == groups(expected)
    # Each image in scope counted once, as the fan-out counts it.
    assert as_counter(scan) == fan_out_coverage(ecr_settings, scope, names)
    # ECR listed, Inspector answered: no findings call of ECR's.
    assert service.call_count("DescribeImageScanFindings") == 0
    images = scan.coverage.in_scope
    assert service.call_count("DescribeImages") >= len(names)
    # One paged ListCoverage of the repositories, then one per batch of 10 images.
    batches = math.ceil(images / BATCH)
    assert service.call_count("ListCoverage") == 1 + batches
    # Findings asked 10 images a query, paged by 100: a page not full at most per query.
    found = result.findings.finding_count
    read = len({(a.image.repository, a.image.digest) for a in result.findings.all_findings()})
    least = max(math.ceil(found / 100), math.ceil(read / BATCH))
    most = math.ceil(found / 100) + math.ceil(scan.coverage.with_findings / BATCH) + 1
    assert least <= service.call_count("ListFindings") <= most
    progress = result.progress
    assert progress is not None and progress.finished
    assert progress.reports_done == progress.reports == images
    assert progress.line().startswith("Amazon Inspector: reports ")


def test_findings_queries_of_10_images_page_past_100_findings(
    ecr_settings: ConnectionSettings,
) -> None:
    """25 images of one repository, each with tens of findings: queries of 10 images (those
    whose ECR summary has findings), each paged by 100 findings; coverage queries of 10."""
    scope = Scope(repository=STOREFRONT, newest_per_repository=25)
    listed = FleetScan(EcrService(ecr_settings, read_only=True), scope, now=NOW)
    chosen = [image for image, _ in listed._choose_images(STOREFRONT) or []]
    counts = [
        scope.findings_in_summary(image) for image in chosen if scope.may_have_findings(image)
    ]
    assert len(chosen) == 25 and sum(counts) > 300, "the data must need several pages"
    pages = sum(
        max(1, math.ceil(sum(counts[start : start + BATCH]) / 100))
        for start in range(0, len(counts), BATCH)
    )
    assert pages > math.ceil(len(counts) / BATCH)

    service = EcrService(ecr_settings, read_only=True)
    scan = InspectorImagesScan(service, scope, now=NOW, home_account=HOME, concurrency=2)
    result = scan.run()
    assert answer(result.findings) == answer(fan_out(ecr_settings, scope, {STOREFRONT}))
    assert service.call_count("ListFindings") == pages
    assert service.call_count("ListCoverage") == 1 + math.ceil(25 / BATCH)


def test_tagged_only_by_inspector_counts_a_tagged_indexs_platforms_as_ecr_does(
    ecr_settings: ConnectionSettings,
) -> None:
    scope = Scope(tagged_only=True)
    service = EcrService(ecr_settings, read_only=True)
    scan = SourcedScan(service, scope, now=NOW)
    result = scan.run()
    assert scan.answered_by().startswith("source: Amazon Inspector")
    expected = SourcedScan(EcrService(ecr_settings), scope, source="scan-findings", now=NOW).run()
    assert answer(result.findings) and answer(result.findings) == answer(expected.findings)
    assert all(a.image.tags for a in result.findings.all_findings())
    # The platform images of a tagged index are in, with its tags and their platform,
    # though Inspector's coverage lists them untagged.
    multiarch = [
        a for a in result.findings.all_findings() if a.image.repository == "platform/multiarch-base"
    ]
    assert multiarch and all(result.findings.platform_of(a.image) for a in multiarch)
    client = service.client("inspector2")
    untagged = client.list_coverage(
        filterCriteria={"resourceId": [
            {"comparison": "EQUALS", "value": f"arn:aws:ecr:us-east-1:{HOME}:repository/"
             f"platform/multiarch-base/{multiarch[0].image.digest}"}
        ]}
    )["coveredResources"]  # fmt: skip
    assert [r["resourceMetadata"]["ecrImage"]["tags"] for r in untagged] == [[]]


def test_cancel_mid_way_keeps_whole_images_and_counts_each_image_once(
    ecr_settings: ConnectionSettings,
) -> None:
    scope = Scope(newest_per_repository=5)
    service = EcrService(ecr_settings, read_only=True)
    reports: list[tuple[Image, ScanReport | None]] = []
    scan: InspectorImagesScan

    def on_report(image: Image, report: ScanReport | None) -> None:
        reports.append((image, report))
        scan.cancel()  # the first image is whole: cancel

    scan = InspectorImagesScan(
        service, scope, now=NOW, home_account=HOME, on_report=on_report, concurrency=2
    )
    result = scan.run()
    coverage = scan.coverage
    assert coverage.cancelled and not coverage.complete
    progress = result.progress
    assert progress is not None and progress.cancelled and "cancelled" in progress.line()
    # Stopped early: far from every repository's newest 5 read.
    assert 1 <= len(reports) <= 2 * BATCH < len(coverage.scanned_repositories) * 5
    counted = coverage.with_findings + sum(coverage.without_findings.values()) + coverage.pending
    assert counted == coverage.in_scope
    if coverage.pending:
        assert "not read (cancelled)" in coverage.line()
    # What was handed over is whole: each image's findings are all of its report's.
    names = {image.repository for image, _ in reports}
    whole = fan_out(ecr_settings, scope, names)
    for image, report in reports:
        assert report is not None
        expected = {
            a.finding.name
            for a in whole.all_findings()
            if (a.image.repository, a.image.digest) == (image.repository, image.digest)
        }
        assert {f.name for f in report.findings} == expected


def test_sourced_scan_answers_newest_n_from_inspector(ecr_settings: ConnectionSettings) -> None:
    scope = Scope(newest_per_repository=2, tagged_only=True)
    service = EcrService(ecr_settings, read_only=True)
    scan = SourcedScan(service, scope, now=NOW)
    result = scan.run()
    assert scan.answered_by().startswith("source: Amazon Inspector, and DescribeImageScanFindings")
    by_fan_out = SourcedScan(EcrService(ecr_settings), scope, source="scan-findings", now=NOW)
    expected = by_fan_out.run()
    assert answer(result.findings) == answer(expected.findings)
    assert groups(result.findings) == groups(expected.findings)
    assert result.coverage.in_scope == expected.coverage.in_scope
    assert result.coverage.with_findings == expected.coverage.with_findings


def test_newest_n_under_a_delegated_administrator_is_this_accounts_repositories(
    organisation: LocalEcr,
) -> None:
    settings = ConnectionSettings(
        endpoint_url=organisation.url,
        region=ORGANISATION_REGION,
        demo=True,
        sts_endpoint_url=organisation.url,
    )
    scan = SourcedScan(
        EcrService(settings, read_only=True), Scope(newest_per_repository=3), now=NOW
    )
    result = scan.run()
    assert scan.answered_by().startswith("source: Amazon Inspector")
    repositories = {g.repository for g in result.findings.by_repository()}
    assert repositories and not any(r.startswith(f"{MEMBER}:") for r in repositories)
    assert (
        "newest 3 per repository: this account's repositories only (1 member account left out)"
        in (result.coverage.line())
    )


def test_the_demo_answers_queries_for_named_images_as_its_whole_answer_says(
    local_ecr: LocalEcr,
) -> None:
    """Filters naming images (the demo reads only those) keep what the unfiltered answer has."""
    raw = RawAnswers()
    client = inspector_client(local_ecr.url, raw)
    coverage = [
        r
        for page in client.get_paginator("list_coverage").paginate()
        for r in page["coveredResources"]
        if r["resourceType"] == "AWS_ECR_CONTAINER_IMAGE"
    ]
    chosen = coverage[:: max(1, len(coverage) // BATCH)][:BATCH]
    assert len(chosen) == BATCH and all(
        re.fullmatch(
            rf"arn:aws:ecr:us-east-1:{HOME}:repository/[a-z0-9./_-]+/sha256:[0-9a-f]{{64}}",
            r["resourceId"],
        )
        for r in chosen
    )
    ids = [{"comparison": "EQUALS", "value": r["resourceId"]} for r in chosen]
    named = client.list_coverage(filterCriteria={"resourceId": ids})["coveredResources"]
    assert sorted(r["resourceId"] for r in named) == sorted(r["resourceId"] for r in chosen)
    everything = [
        f for page in client.get_paginator("list_findings").paginate() for f in page["findings"]
    ]
    images = {(r["resourceMetadata"]["ecrRepository"]["name"], r["resourceId"].rsplit("/", 1)[1])
              for r in chosen}  # fmt: skip
    criteria = {
        "ecrImageHash": [{"comparison": "EQUALS", "value": d} for _, d in sorted(images)],
        "ecrImageRepositoryName": [{"comparison": "EQUALS", "value": n} for n, _ in sorted(images)],
    }
    found = [
        f
        for page in client.get_paginator("list_findings").paginate(filterCriteria=criteria)
        for f in page["findings"]
    ]

    def image_of(finding: dict[str, object]) -> tuple[str, str]:
        details = finding["resources"][0]["details"]["awsEcrContainerImage"]  # type: ignore[index]
        return details["repositoryName"], details["imageHash"]

    names, digests = {n for n, _ in images}, {d for _, d in images}
    expected = {
        f["findingArn"] for f in everything if image_of(f)[0] in names and image_of(f)[1] in digests
    }
    assert found and {f["findingArn"] for f in found} == expected
    assert [p for a in raw.take() for p in answer_violations(a)] == []


def test_the_demos_image_counts_are_those_of_its_findings(local_ecr: LocalEcr) -> None:
    """ListFindingAggregations by image is counted from the scans (fast): as its findings say."""
    client = inspector_client(local_ecr.url)
    counted = [
        r["awsEcrContainerAggregation"]
        for page in client.get_paginator("list_finding_aggregations").paginate(
            aggregationType="AWS_ECR_CONTAINER"
        )
        for r in page["responses"]
    ]
    findings = [
        f for page in client.get_paginator("list_findings").paginate() for f in page["findings"]
    ]
    by_image = Counter(f["resources"][0]["id"] for f in findings)
    by_severity = Counter((f["resources"][0]["id"], f["severity"].lower()) for f in findings)
    assert counted and {c["resourceId"]: c["severityCounts"]["all"] for c in counted} == by_image
    for body in counted:
        counts = body["severityCounts"]
        assert all(counts[s] == by_severity[(body["resourceId"], s)] for s in counts if s != "all")
    assert [c["severityCounts"]["all"] for c in counted] == sorted(by_image.values(), reverse=True)
