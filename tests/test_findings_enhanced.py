"""Findings as real ECR sends them: UNTRIAGED, every enhanced field, fixes, multi-platform images.

The shapes are put into moto's ECR endpoint with its hook for custom scan
findings (see tests/moto_findings.py), validated against botocore's model, and
read by the app over HTTP; the images pane's counts come from the demo endpoint.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Static

from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.models import (
    FIX_NOT_AVAILABLE,
    SEVERITIES_WORST_FIRST,
    FixAvailable,
    Image,
    ScanState,
    Severity,
    SeverityCounts,
    severity_row,
)
from ecr_tui.ui.app import EcrApp
from ecr_tui.ui.driving import wait_until
from ecr_tui.ui.panes.findings import PLATFORMS_COLUMN, FindingsPane
from ecr_tui.ui.panes.image_rows import scan_cell
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.screens import FindingScreen
from tests.moto_findings import (
    ACCOUNT,
    REPOSITORY,
    T0,
    MotoFindings,
    digest_of,
    enhanced_finding,
    enhanced_findings,
    package,
)
from tests.test_app import open_repository

LAYER = "sha256:" + "ab" * 32


@dataclass(frozen=True)
class Pushed:
    """The images the tests read, by what they hold."""

    enhanced: str
    basic: str
    index: str
    platforms: tuple[tuple[str, str], ...]  # (label, digest), from the index manifest


def _enhanced_image() -> dict[str, Any]:
    return enhanced_findings(
        # A critical with a fix for one of its three packages, an exploit, and a score
        # Inspector lowered from NVD's 9.8.
        enhanced_finding(
            "CVE-2026-0001",
            "CRITICAL",
            [
                package("openssl", "3.0.2", "3.0.15", release="0ubuntu1.10"),
                package(
                    "libssl3",
                    "3.0.2",
                    FIX_NOT_AVAILABLE,
                    epoch=1,
                    release="0ubuntu1.10",
                    arch="AARCH64",
                    filePath="/usr/lib/x86_64-linux-gnu/libssl.so.3",
                    sourceLayerHash=LAYER,
                ),
                package(
                    "cryptography",
                    "41.0.0",
                    "42.0.4",
                    packageManager="PYTHONPKG",
                    filePath="/app/venv/lib/python3.11/site-packages/cryptography",
                ),
            ],
            score=7.5,
            fix="PARTIAL",
            exploit="YES",
            adjustments=[{"metric": "AV", "reason": "the package is not reachable by network"}],
        ),
        # A critical without a fix, scored higher: "fix first" puts it after the one above.
        enhanced_finding(
            "CVE-2026-0002",
            "CRITICAL",
            [package("zlib1g", "1.2.13", FIX_NOT_AVAILABLE)],
            score=9.8,
            fix="NO",
        ),
        enhanced_finding(
            "CVE-2026-0003",
            "HIGH",
            [package("curl", "7.88.1", "7.88.2")],
            score=8.1,
            fix="YES",
        ),
        enhanced_finding(
            "CVE-2026-0004", "UNTRIAGED", [package("tar", "1.34", FIX_NOT_AVAILABLE)], fix="NO"
        ),
        enhanced_finding(
            "CVE-2026-0005", "LOW", [package("less", "590", "590-2.1")], score=3.3, fix="YES"
        ),
    )


def _basic_image() -> dict[str, Any]:
    attributes = [
        {"key": "package_version", "value": "2.36-9+deb12u1"},
        {"key": "package_name", "value": "glibc"},
        {"key": "CVSS2_VECTOR", "value": "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
        {"key": "CVSS2_SCORE", "value": "7.5"},
    ]
    return {
        "imageScanCompletedAt": T0,
        "vulnerabilitySourceUpdatedAt": T0,
        "findingSeverityCounts": {"HIGH": 1, "UNDEFINED": 1},
        "findings": [
            {
                "name": "CVE-2026-1001",
                "description": "glibc does harm.",
                "uri": "https://security-tracker.debian.org/tracker/CVE-2026-1001",
                "severity": "HIGH",
                "attributes": attributes,
            },
            {
                "name": "CVE-2026-1002",
                "uri": "https://security-tracker.debian.org/tracker/CVE-2026-1002",
                "severity": "UNDEFINED",
                "attributes": attributes[:2],
            },
        ],
    }


def _platform_image(arch: str, only_here: str) -> dict[str, Any]:
    """A platform's findings: one shared with the other platform, one of its own."""
    shared = enhanced_finding(
        "CVE-2026-2000",
        "HIGH",
        [package("busybox", "1.36.1", "1.36.1-r5", sourceLayerHash=f"sha256:{arch * 16}")],
        score=7.8,
        arch=arch,
    )
    own = enhanced_finding(
        only_here, "MEDIUM", [package(f"lib-{arch}", "1.0", FIX_NOT_AVAILABLE)], score=5.0, fix="NO"
    )
    return enhanced_findings(shared, own)


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoFindings]:
    endpoint = MotoFindings()
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="module")
def pushed(moto: MotoFindings) -> Pushed:
    enhanced = moto.push_scanned("enhanced", _enhanced_image())
    basic = moto.push_scanned("basic", _basic_image())
    amd64 = moto.push_scanned("amd64", _platform_image("amd64", "CVE-2026-2001"))
    arm64 = moto.push_scanned("arm64", _platform_image("arm64", "CVE-2026-2002"))
    armv7 = moto.push_scanned("armv7", None, status="IN_PROGRESS")
    # The index, as `docker buildx build --push` makes it (without attestations).
    index_manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": digest,
                    "size": 500,
                    "platform": platform,
                }
                for digest, platform in (
                    (amd64, {"os": "linux", "architecture": "amd64"}),
                    (arm64, {"os": "linux", "architecture": "arm64"}),
                    (armv7, {"os": "linux", "architecture": "arm", "variant": "v7"}),
                )
            ],
        }
    )
    index = digest_of(index_manifest)
    moto.client.put_image(
        repositoryName=REPOSITORY,
        imageManifest=index_manifest,
        imageManifestMediaType="application/vnd.oci.image.index.v1+json",
        imageTag="2026.11.4",
        imageDigest=index,
    )
    # The platforms as the app learns them: from the index manifest ECR returns.
    answer = moto.client.batch_get_image(
        repositoryName=REPOSITORY,
        imageIds=[{"imageDigest": index}],
        acceptedMediaTypes=["application/vnd.oci.image.index.v1+json"],
    )
    manifests = json.loads(answer["images"][0]["imageManifest"])["manifests"]
    platforms = tuple(
        (
            "/".join(
                part
                for part in (
                    m["platform"]["os"],
                    m["platform"]["architecture"],
                    m["platform"].get("variant"),
                )
                if part
            ),
            m["digest"],
        )
        for m in manifests
    )
    return Pushed(enhanced, basic, index, platforms)


def scanned(digest: str, tags: tuple[str, ...] = ()) -> Image:
    """The image as real ECR's DescribeImages lists it once scanned (moto leaves the
    scan status out of its listing, so the tests hand the pane the image themselves)."""
    return Image(REPOSITORY, digest, tags, float(T0), 1000, ScanState.COMPLETE.name)


async def show_findings(
    app: EcrApp,
    pilot: Any,
    image: Image,
    platforms: tuple[tuple[str, str], ...] = (),
) -> FindingsPane:
    """Put `image`'s findings in the findings pane, focused, once the app has settled."""
    findings = app.query_one(FindingsPane)
    images = app.query_one(ImagesPane)
    # The panes follow the first repository and image at start: let them, then choose.
    await wait_until(pilot, lambda: findings.image is not None and not images.is_loading)
    findings.show(app.reader, image, platforms=platforms)
    findings.table.focus()
    await wait_until(pilot, lambda: findings.image == image and findings.report is not None)
    return findings


def plain_cells(findings: FindingsPane, row: Any) -> list[str]:
    """A finding row's cells as the table draws them, as plain text."""
    cells = findings.table._render_cells(row, findings.table.palette)
    return [cell.plain if hasattr(cell, "plain") else str(cell) for cell in cells]


def screen_text(app: EcrApp) -> str:
    """Everything the finding's details screen shows, as plain text."""
    console = Console(width=200, record=True, file=io.StringIO())
    for static in app.screen.query(Static):
        console.print(static.content)
    return console.export_text()


# -- UNTRIAGED ------------------------------------------------------------------------


def test_untriaged_is_its_own_severity_in_ecr_order() -> None:
    assert [s.name for s in SEVERITIES_WORST_FIRST] == [
        "CRITICAL",
        "HIGH",
        "MEDIUM",
        "LOW",
        "INFORMATIONAL",
        "UNTRIAGED",
        "UNDEFINED",
    ]
    assert Severity.parse("UNTRIAGED") is Severity.UNTRIAGED
    assert severity_row({"UNTRIAGED": 3, "UNDEFINED": 1, "LOW": 2}) == (0, 0, 0, 2, 0, 3, 1)
    counts = SeverityCounts.from_mapping({"UNTRIAGED": 3, "CRITICAL": 1})
    assert counts.get(Severity.UNTRIAGED) == 3 and counts.get(Severity.UNDEFINED) == 0
    assert not Severity.UNTRIAGED.rated and not Severity.UNDEFINED.rated
    assert Severity.INFORMATIONAL.rated


async def test_untriaged_is_counted_in_the_images_column_and_the_summary(
    ecr_settings: ConnectionSettings, ecr_client: Any
) -> None:
    details = ecr_client.describe_images(repositoryName="payments/api", maxResults=1000)
    untriaged = {
        d["imageDigest"]: d["imageScanFindingsSummary"]["findingSeverityCounts"]["UNTRIAGED"]
        for d in details["imageDetails"]
        if d.get("imageScanFindingsSummary", {}).get("findingSeverityCounts", {}).get("UNTRIAGED")
    }
    assert untriaged, "the demo's enhanced repository has untriaged findings"
    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, "payments/api")
        target = next(i for i in images.table.rows if i.digest in untriaged)
        count = untriaged[target.digest]
        cell = scan_cell(target, images.table.palette).plain
        assert f"U{count}" in cell.split()
        findings = app.query_one(FindingsPane)
        images.table.move_to(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: findings.report is not None)
        summary = findings.summary.text.plain
        assert f"{count} untriaged" in summary and "undefined" not in summary
        rows = [f for f in findings.table.rows if f.severity is Severity.UNTRIAGED]
        assert len(rows) == count
        assert all(plain_cells(findings, f)[0] == "Untriaged" for f in rows)
        # ECR's order: untriaged after informational, last.
        assert findings.table.rows[-count:] == rows


# -- every field of an enhanced finding -------------------------------------------------


def test_enhanced_findings_keep_every_field_ecr_sends(moto: MotoFindings, pushed: Pushed) -> None:
    report = EcrService(moto.settings).scan_report(scanned(pushed.enhanced))
    assert report.state is ScanState.COMPLETE
    assert report.summary.get(Severity.UNTRIAGED) == 1
    assert report.summary.get(Severity.UNDEFINED) == 0
    names = [f.name for f in report.findings]
    assert names == [
        "CVE-2026-0002",
        "CVE-2026-0001",
        "CVE-2026-0003",
        "CVE-2026-0005",
        "CVE-2026-0004",
    ], "worst first, then by score; untriaged last"
    partial = report.findings[1]
    assert partial.fix is FixAvailable.PARTIAL and partial.exploit == "YES"
    assert partial.score == 7.5 and partial.score_source == "NVD"
    assert [(a.metric, a.reason) for a in partial.adjustments] == [
        ("AV", "the package is not reachable by network")
    ]
    assert [(c.score, c.source, c.version) for c in partial.cvss] == [(9.8, "NVD", "3.1")]
    assert [p.name for p in partial.packages] == ["openssl", "libssl3", "cryptography"]
    libssl = partial.packages[1]
    assert libssl.fixed_in == FIX_NOT_AVAILABLE and libssl.epoch == 1
    assert libssl.release == "0ubuntu1.10" and libssl.arch == "AARCH64"
    assert libssl.file_path == "/usr/lib/x86_64-linux-gnu/libssl.so.3"
    assert libssl.source_layer_hash == LAYER
    assert partial.packages[2].package_manager == "PYTHONPKG"
    assert partial.fixed_in == "3.0.15", "the first fixed version, never NotAvailable"
    assert partial.status == "ACTIVE" and partial.type == "PACKAGE_VULNERABILITY"
    assert partial.first_observed is not None and partial.first_observed.timestamp() == T0
    assert partial.last_observed is not None and partial.last_observed.timestamp() == T0 + 3600
    assert partial.remediation == "None Provided"
    assert partial.reference_urls == ("https://nvd.nist.gov/vuln/detail/CVE-2026-0001",)
    assert partial.vulnerability_source == "NVD" and partial.vendor_severity == "CRITICAL"
    assert partial.finding_arns == (
        f"arn:aws:inspector2:us-east-1:{ACCOUNT}:finding/cve-2026-0001-amd64",
    )
    untriaged = report.findings[-1]
    assert untriaged.severity is Severity.UNTRIAGED and untriaged.fix is FixAvailable.NO


async def test_finding_details_show_every_package_and_score(
    moto: MotoFindings, pushed: Pushed
) -> None:
    app = EcrApp(moto.settings)
    async with app.run_test(size=(120, 36)) as pilot:
        findings = await show_findings(app, pilot, scanned(pushed.enhanced, ("v1",)))
        partial = next(f for f in findings.table.rows if f.name == "CVE-2026-0001")
        cells = plain_cells(findings, partial)
        assert cells[:6] == [
            "Critical",
            "7.5",
            "CVE-2026-0001",
            "partial 3.0.15",
            "yes",
            "openssl +2",
        ]
        findings.table.move_to(partial)
        await pilot.press("enter")
        assert isinstance(app.screen, FindingScreen)
        text = screen_text(app)
        for expected in (
            "7.5 (CVSS 3.1 from NVD)",
            "AV: the package is not reachable by network",
            "CVSS 3.1 (NVD)",
            "9.8 CVSS:3.1/AV:N",
            "partial: some vulnerable packages have a fixed version",
            "Exploit available  yes",
            "Packages (3)",
            "openssl 3.0.2-0ubuntu1.10 X86_64 (OS)",
            "fixed in: 3.0.15",
            "libssl3 1:3.0.2-0ubuntu1.10 AARCH64 (OS)",
            "fixed in: not available",
            "file: /usr/lib/x86_64-linux-gnu/libssl.so.3",
            f"layer: {LAYER}",
            "cryptography 41.0.0 X86_64 (PYTHONPKG)",
            "enhanced (active)",
            "PACKAGE_VULNERABILITY",
            "First observed",
            "Last observed",
            "https://nvd.nist.gov/vuln/detail/CVE-2026-0001",
            "Remediation: None Provided",
        ):
            assert expected in text, expected
        await pilot.press("escape")


async def test_basic_findings_say_the_fix_is_unknown(moto: MotoFindings, pushed: Pushed) -> None:
    app = EcrApp(moto.settings)
    async with app.run_test(size=(120, 36)) as pilot:
        findings = await show_findings(app, pilot, scanned(pushed.basic, ("basic",)))
        rows = findings.table.rows
        assert [f.fix for f in rows] == [FixAvailable.UNKNOWN, FixAvailable.UNKNOWN]
        high = rows[0]
        assert plain_cells(findings, high)[:5] == ["High", "7.5", "CVE-2026-1001", "—", "—"]
        await pilot.press("enter")
        text = screen_text(app)
        assert "unknown: basic scanning does not report fixes" in text
        assert "no fix published" not in text and "none" not in text
        assert "fixed in: unknown (basic scanning does not report it)" in text
        await pilot.press("escape")
        # Nothing is known to be fixable: the filter says why it shows nothing.
        await pilot.press("f")
        assert not findings.table.rows
        assert "basic scanning does not report fixes" in findings.table.empty_text


# -- filters and sorts -------------------------------------------------------------------


async def test_min_severity_keeps_unrated_findings_until_asked(
    moto: MotoFindings, pushed: Pushed
) -> None:
    app = EcrApp(moto.settings)
    async with app.run_test(size=(120, 36)) as pilot:
        findings = await show_findings(app, pilot, scanned(pushed.enhanced))
        await pilot.press("m", "m", "m", "m")  # low, medium, high, critical
        assert findings.min_severity is Severity.CRITICAL
        shown = {f.name: f.severity for f in findings.table.rows}
        assert shown == {
            "CVE-2026-0001": Severity.CRITICAL,
            "CVE-2026-0002": Severity.CRITICAL,
            "CVE-2026-0004": Severity.UNTRIAGED,
        }
        assert "≥ critical + unrated" in str(findings.border_subtitle)
        await pilot.press("u")
        assert {f.severity for f in findings.table.rows} == {Severity.CRITICAL}
        assert "2 hidden" not in str(findings.border_subtitle)
        assert "3 hidden" in str(findings.border_subtitle)
        await pilot.press("m", "u")  # all again, unrated back
        assert len(findings.table.rows) == 5


async def test_fixable_only_and_fix_first_order(moto: MotoFindings, pushed: Pushed) -> None:
    app = EcrApp(moto.settings)
    async with app.run_test(size=(120, 36)) as pilot:
        findings = await show_findings(app, pilot, scanned(pushed.enhanced))
        assert [f.name for f in findings.table.rows][:2] == ["CVE-2026-0002", "CVE-2026-0001"]
        await pilot.press("s")  # severity, then fix available, then score
        assert [f.name for f in findings.table.rows] == [
            "CVE-2026-0001",  # critical, partial fix
            "CVE-2026-0002",  # critical, no fix (higher score)
            "CVE-2026-0003",
            "CVE-2026-0005",
            "CVE-2026-0004",
        ]
        assert "fix first" in str(findings.border_subtitle)
        await pilot.press("f")
        assert [f.name for f in findings.table.rows] == [
            "CVE-2026-0001",
            "CVE-2026-0003",
            "CVE-2026-0005",
        ]
        assert "fixable only" in str(findings.border_subtitle)
        await pilot.press("f", "s")
        assert len(findings.table.rows) == 5
        assert findings.table.rows[0].name == "CVE-2026-0002"


# -- an image index: its platforms' findings ---------------------------------------------


async def test_index_findings_merged_and_per_platform(moto: MotoFindings, pushed: Pushed) -> None:
    labels = [label for label, _ in pushed.platforms]
    assert labels == ["linux/amd64", "linux/arm64", "linux/arm/v7"]
    index = Image(REPOSITORY, pushed.index, ("2026.11.4",), float(T0), 1600, "NOT_SCANNED")
    app = EcrApp(moto.settings)
    async with app.run_test(size=(120, 36)) as pilot:
        findings = await show_findings(app, pilot, index, pushed.platforms)
        # Merged: each finding once, with the platforms it is on.
        rows = {f.name: f for f in findings.table.rows}
        assert set(rows) == {"CVE-2026-2000", "CVE-2026-2001", "CVE-2026-2002"}
        assert rows["CVE-2026-2000"].platforms == ("linux/amd64", "linux/arm64")
        assert rows["CVE-2026-2001"].platforms == ("linux/amd64",)
        assert rows["CVE-2026-2002"].platforms == ("linux/arm64",)
        layers = {p.platform: p.source_layer_hash for p in rows["CVE-2026-2000"].packages}
        assert layers == {
            "linux/amd64": "sha256:" + "amd64" * 16,
            "linux/arm64": "sha256:" + "arm64" * 16,
        }
        assert findings.table.columns[3] == PLATFORMS_COLUMN
        assert plain_cells(findings, rows["CVE-2026-2001"])[3] == "amd64"
        # Not "all": linux/arm/v7 has no results yet.
        assert plain_cells(findings, rows["CVE-2026-2000"])[3] == "amd64, arm64"
        summary = findings.summary.text.plain
        assert summary.startswith("2 of 3 platforms (linux/arm/v7: scanning)")
        assert "1 high · 2 medium" in summary
        assert "all 3 platforms" in str(findings.border_title)
        assert findings.report is not None and findings.report.digest == pushed.index
        # Its details: each platform's package (layers differ) and Inspector finding.
        findings.table.move_to(rows["CVE-2026-2000"])
        await pilot.press("enter")
        text = screen_text(app)
        assert "Platforms          linux/amd64, linux/arm64" in text
        assert "[linux/amd64] busybox 1.36.1" in text and "[linux/arm64] busybox 1.36.1" in text
        assert "Finding ARNs" in text
        assert "cve-2026-2000-amd64" in text and "cve-2026-2000-arm64" in text
        await pilot.press("escape")

        await pilot.press("p")  # linux/amd64 alone
        assert findings.platform == "linux/amd64"
        assert {f.name for f in findings.table.rows} == {"CVE-2026-2000", "CVE-2026-2001"}
        assert PLATFORMS_COLUMN not in findings.table.columns
        assert "linux/amd64" in str(findings.border_title)
        assert findings.summary.text.plain.startswith("linux/amd64 (1 of 3) · 1 high · 1 medium")
        shared = next(f for f in findings.table.rows if f.name == "CVE-2026-2000")
        assert [p.platform for p in shared.packages] == ["linux/amd64"]

        await pilot.press("p", "p")  # linux/arm64, then linux/arm/v7 (still scanning)
        assert findings.platform == "linux/arm/v7"
        assert not findings.table.rows
        assert "Scan in progress" in findings.table.empty_text
        await pilot.press("p")  # merged again
        assert findings.platform is None and len(findings.table.rows) == 3


async def test_platform_key_on_a_single_platform_image_says_so(
    moto: MotoFindings, pushed: Pushed
) -> None:
    app = EcrApp(moto.settings)
    async with app.run_test(size=(120, 36)) as pilot:
        findings = await show_findings(app, pilot, scanned(pushed.enhanced))
        await pilot.press("p")
        assert findings.platform is None and len(findings.table.rows) == 5
        assert PLATFORMS_COLUMN not in findings.table.columns


async def test_demo_index_findings_match_each_platforms_scan(
    ecr_settings: ConnectionSettings, ecr_client: Any
) -> None:
    """The demo's buildx-style index: its platforms from the index manifest
    (attestation manifests left out), each platform's findings as ECR reports them."""
    repository = "platform/multiarch-base"
    details = ecr_client.describe_images(repositoryName=repository, maxResults=1000)
    indexes = [
        d
        for d in details["imageDetails"]
        if d.get("imageTags") and d.get("imageManifestMediaType", "").endswith("index.v1+json")
    ]
    # The newest index whose platforms' scans found something.
    for index in sorted(indexes, key=lambda d: d["imagePushedAt"], reverse=True):
        platforms, found = _platform_findings(ecr_client, repository, index)
        if any(found.values()):
            break
    else:
        pytest.fail(f"no index in {repository} has findings")
    assert len(platforms) >= 2

    app = EcrApp(ecr_settings)
    async with app.run_test(size=(120, 36)) as pilot:
        images = await open_repository(app, pilot, repository)
        image = next(i for i in images.table.rows if i.digest == index["imageDigest"])
        findings = await show_findings(app, pilot, image, platforms)
        merged = findings.table.rows
        assert {f.name for f in merged} == set().union(*found.values())
        for finding in merged:
            assert finding.platforms
            assert all(finding.name in found[label] for label in finding.platforms)
        for label, _ in platforms:
            await pilot.press("p")
            assert findings.platform == label
            assert {f.name for f in findings.table.rows} == found[label]
            assert all(f.platforms == (label,) for f in findings.table.rows)


def _platform_findings(
    ecr_client: Any, repository: str, index: dict[str, Any]
) -> tuple[tuple[tuple[str, str], ...], dict[str, set[str]]]:
    """An index's platforms (from its manifest, attestations left out) and the
    vulnerability ids each platform's own scan reports."""
    answer = ecr_client.batch_get_image(
        repositoryName=repository,
        imageIds=[{"imageDigest": index["imageDigest"]}],
        acceptedMediaTypes=[index["imageManifestMediaType"]],
    )
    manifests = json.loads(answer["images"][0]["imageManifest"])["manifests"]
    platforms = tuple(
        ("/".join(filter(None, (p["os"], p["architecture"], p.get("variant")))), m["digest"])
        for m in manifests
        if (p := m["platform"])["os"] != "unknown"  # attestation manifests
    )
    found: dict[str, set[str]] = {}
    for label, digest in platforms:
        found[label] = set()
        pages = ecr_client.get_paginator("describe_image_scan_findings").paginate(
            repositoryName=repository, imageId={"imageDigest": digest}
        )
        try:
            for page in pages:
                scan = page.get("imageScanFindings", {})
                found[label].update(f["name"] for f in scan.get("findings", []))
                found[label].update(
                    f["packageVulnerabilityDetails"]["vulnerabilityId"]
                    for f in scan.get("enhancedFindings", [])
                )
        except ecr_client.exceptions.ScanNotFoundException:
            pass  # never scanned: nothing found
    return platforms, found
