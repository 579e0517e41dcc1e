"""Fleet triage's core against the demo endpoint: scope, fan-out, groupings, coverage.

Every expectation is computed independently, from the demo's own API answers
read image by image with a plain boto3 client, never from the code under test.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.fleet.fanout import FleetScan, Progress
from ecr_tui.core.fleet.scope import Scope, parse_severity
from ecr_tui.core.media_types import ImageKind, image_kind
from ecr_tui.core.models import FixAvailable, Severity
from ecr_tui.demo.data.dataset import Dataset
from ecr_tui.demo.endpoint import LocalEcr
from tests.conftest import FIXED_NOW
from tests.fault_proxy import FaultProxy

NOW = FIXED_NOW.timestamp()
CURL = "CVE-2023-38545"


def newest_tagged(client: Any, repository: str, count: int) -> list[dict[str, Any]]:
    """The newest `count` tagged single-platform images of a repository, from the API."""
    details = [
        item
        for page in client.get_paginator("describe_images").paginate(repositoryName=repository)
        for item in page["imageDetails"]
        if item.get("imageTags")
        and image_kind(
            item.get("imageManifestMediaType", ""),
            item.get("artifactMediaType", ""),
            item.get("subjectManifestDigest", ""),
        )
        is ImageKind.IMAGE
    ]
    details.sort(key=lambda item: item["imagePushedAt"], reverse=True)
    return details[:count]


def findings_of(client: Any, repository: str, digest: str) -> list[dict[str, Any]]:
    """Every finding of an image, basic and enhanced, read page by page."""
    found: list[dict[str, Any]] = []
    try:
        for page in client.get_paginator("describe_image_scan_findings").paginate(
            repositoryName=repository, imageId={"imageDigest": digest}
        ):
            scan = page.get("imageScanFindings", {})
            found.extend(scan.get("findings", []))
            found.extend(scan.get("enhancedFindings", []))
    except client.exceptions.ScanNotFoundException:
        pass
    return found


def cve_of(item: dict[str, Any]) -> str:
    return str(item.get("name") or item["packageVulnerabilityDetails"]["vulnerabilityId"])


@pytest.fixture(scope="module")
def tagged_scope_truth(local_ecr: LocalEcr, dataset: Dataset) -> dict[str, set[tuple[str, str]]]:
    """CVE -> (repository, digest) over the newest 2 tagged images of every repository."""
    from tests.conftest import plain_ecr_client

    client = plain_ecr_client(local_ecr)
    truth: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for spec in dataset.repositories:
        for item in newest_tagged(client, spec.name, 2):
            for finding in findings_of(client, spec.name, item["imageDigest"]):
                truth[cve_of(finding)].add((spec.name, item["imageDigest"]))
    return truth


def scan(settings: ConnectionSettings, scope: Scope, **kwargs: Any) -> tuple[FleetScan, EcrService]:
    service = EcrService(settings)
    return FleetScan(service, scope, now=NOW, **kwargs), service


TAGGED_2 = Scope(tagged_only=True, newest_per_repository=2)


def test_every_vulnerability_lists_the_images_the_api_reports(
    ecr_settings: ConnectionSettings, tagged_scope_truth: dict[str, set[tuple[str, str]]]
) -> None:
    fleet, service = scan(ecr_settings, TAGGED_2)
    result = fleet.run()
    groups = {g.cve: g for g in result.findings.by_vulnerability()}
    assert set(groups) == set(tagged_scope_truth)
    for cve, images in tagged_scope_truth.items():
        assert groups[cve].images == len(images)
        assert groups[cve].repositories == len({repository for repository, _ in images})
    affected = {(a.image.repository, a.image.digest) for a in result.findings.affected_images(CURL)}
    assert affected == tagged_scope_truth[CURL]
    assert groups[CURL].repositories >= 5  # the demo spreads it across the registry
    assert result.coverage.complete
    # One findings call per image with findings to read (each report is one page here).
    assert service.call_count("DescribeImageScanFindings") == fleet.progress().reports


def test_a_known_cve_shows_fixable_and_unfixable_images(ecr_settings: ConnectionSettings) -> None:
    fleet, _ = scan(ecr_settings, Scope(cve=CURL.lower(), newest_per_repository=10))
    findings = fleet.run().findings
    group = findings.vulnerability(CURL)
    assert group is not None and group.severity is Severity.CRITICAL and group.exploit == "YES"
    fixes = {a.finding.fix for a in findings.affected_images(CURL)}
    # Enhanced scanning says whether a fix exists; basic scanning never does.
    assert FixAvailable.YES in fixes and FixAvailable.UNKNOWN in fixes
    assert group.fix is FixAvailable.PARTIAL
    assert all(v == CURL for v in (g.cve for g in findings.by_vulnerability()))


def test_findings_filters_keep_only_what_they_name(ecr_settings: ConnectionSettings) -> None:
    scope = Scope(
        tagged_only=True,
        newest_per_repository=2,
        min_severity=Severity.HIGH,
        keep_unrated=False,
        fixable=True,
    )
    fleet, _ = scan(ecr_settings, scope)
    result = fleet.run()
    kept = list(result.findings.all_findings())
    assert kept
    for pair in kept:
        assert pair.finding.severity >= Severity.HIGH and pair.finding.fix.fixable
    for group in result.findings.by_repository():
        assert group.fixable == group.total  # every finding kept has a fix
        assert (group.worst_fixable is not None) == (group.total > 0)
    exploitable = scan(ecr_settings, Scope(exploitable=True, newest_per_repository=1))[0].run()
    assert all(p.finding.exploit == "YES" for p in exploitable.findings.all_findings())


def test_image_filters_choose_the_images_read(
    ecr_settings: ConnectionSettings, local_ecr: LocalEcr
) -> None:
    from tests.conftest import plain_ecr_client

    client = plain_ecr_client(local_ecr)
    fleet, service = scan(
        ecr_settings, Scope(repository_pattern="platform/*", pulled_within_days=7)
    )
    result = fleet.run()
    repositories = {
        r["repositoryName"]
        for page in client.get_paginator("describe_repositories").paginate()
        for r in page["repositories"]
    }
    platform = {name for name in repositories if name.startswith("platform/")}
    listed = {about for (operation, about) in service.calls if operation == "DescribeImages"}
    assert listed == platform
    for pair in result.findings.all_findings():
        pulled = pair.image.last_pulled_seconds
        assert pulled is not None and pulled >= NOW - 7 * 86_400


def test_the_minimum_severity_skips_images_whose_summary_has_nothing(
    ecr_settings: ConnectionSettings,
) -> None:
    everything, all_calls = scan(ecr_settings, Scope(newest_per_repository=3))
    everything.run()
    critical, critical_calls = scan(
        ecr_settings,
        Scope(newest_per_repository=3, min_severity=Severity.CRITICAL, keep_unrated=False),
    )
    result = critical.run()
    assert critical_calls.call_count("DescribeImageScanFindings") < all_calls.call_count(
        "DescribeImageScanFindings"
    )
    # Skipped images are covered all the same: their summaries say "nothing critical".
    assert result.coverage.in_scope == everything.result.coverage.in_scope
    assert result.coverage.line().startswith(
        f"findings for {everything.result.coverage.with_findings:,} of"
    )


def test_coverage_counts_every_image_once(ecr_settings: ConnectionSettings) -> None:
    result = scan(ecr_settings, Scope(newest_per_repository=4))[0].run()
    coverage = result.coverage
    counted = coverage.with_findings + sum(coverage.without_findings.values())
    assert counted == coverage.in_scope and coverage.pending == 0
    assert coverage.without_findings["never scanned"] > 0
    assert "never scanned" in coverage.line()


@pytest.fixture()
def proxy(local_ecr: LocalEcr) -> Iterator[FaultProxy]:
    running = FaultProxy(local_ecr.url).start()
    yield running
    running.stop()


def through(proxy: FaultProxy) -> ConnectionSettings:
    return ConnectionSettings(endpoint_url=proxy.url, region="us-east-1", demo=True)


def test_throttling_slows_the_fan_out_and_loses_nothing(
    ecr_settings: ConnectionSettings, proxy: FaultProxy
) -> None:
    calm = scan(ecr_settings, TAGGED_2)[0].run()
    proxy.inject("throttle", "DescribeImageScanFindings", skip=5, times=20)
    throttled_scan, _ = scan(through(proxy), TAGGED_2, concurrency=8)
    throttled = throttled_scan.run()
    progress = throttled_scan.progress()
    assert progress.throttled > 0 and progress.finished
    assert throttled_scan.limit.limit <= 8
    assert throttled.coverage.complete
    assert [(g.cve, g.images) for g in throttled.findings.by_vulnerability()] == [
        (g.cve, g.images) for g in calm.findings.by_vulnerability()
    ]
    assert throttled.findings.finding_count == calm.findings.finding_count


def test_a_cancel_stops_at_once_and_says_what_was_not_read(
    ecr_settings: ConnectionSettings,
) -> None:
    seen: list[Progress] = []
    fleet: FleetScan | None = None

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        if progress.reports_done >= 10 and fleet is not None:
            fleet.cancel()

    fleet, service = scan(ecr_settings, Scope(), concurrency=2, on_progress=on_progress)
    worker = threading.Thread(target=fleet.run)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()
    progress = fleet.progress()
    assert progress.cancelled and progress.reports_done < 100
    coverage = fleet.result.coverage
    assert "cancelled" in coverage.line() or coverage.failed_repositories or coverage.pending >= 0
    assert not coverage.complete
    # Nothing read after the cancel: the calls stop with the last report in flight.
    assert service.call_count("DescribeImageScanFindings") <= progress.reports_done + 2


def test_progress_tells_time_left_once_listed() -> None:
    progress = Progress(10, 10, 51, 201, 60, 0, 16, 9.0, False, False, reading=5.0)
    assert progress.seconds_left == pytest.approx(15.0)  # 0.1 s a report since the first
    assert "51/201" in progress.line() and "~15 s left" in progress.line()
    listing = Progress(3, None, 5, 40, 9, 0, 16, 1.0, False, False)
    assert listing.seconds_left is None and "listing repositories 3/?" in listing.line()


def test_bad_scopes_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="newest N"):
        Scope(newest_per_repository=0)
    with pytest.raises(ValueError, match="needs its repository"):
        Scope(image="latest")
    with pytest.raises(ValueError, match="one of critical"):
        parse_severity("severe")
    assert parse_severity("high") is Severity.HIGH


def test_the_demo_spreads_known_cves_fixable_and_not(ecr_settings: ConnectionSettings) -> None:
    """The demo's registry answers the fleet question: one CVE in many repositories,
    fixable in some images (enhanced scanning says so), not in others, unknown in
    the basic-scanned ones."""
    findings = (
        scan(ecr_settings, Scope(tagged_only=True, newest_per_repository=3))[0].run().findings
    )
    spread = {g.cve: g for g in findings.by_vulnerability()}
    widespread = [g for g in spread.values() if g.repositories >= 5]
    assert len(widespread) >= 5
    fixes = {a.finding.fix for group in widespread for a in findings.affected_images(group.cve)}
    assert {FixAvailable.YES, FixAvailable.NO, FixAvailable.UNKNOWN} <= fixes
    assert any(g.fix is FixAvailable.PARTIAL for g in widespread)
