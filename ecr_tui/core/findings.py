"""Scan findings: ECR's two shapes read into `Finding`s, and several platforms' reports merged.

Basic scanning sends a name, a severity and loose `attributes` (package, CVSS);
it never says whether a fix exists. Enhanced scanning (Amazon Inspector) sends
everything in `enhancedFindings`: every vulnerable package with its layer and
fixed version, fix and exploit availability, Inspector's score with its CVSS
adjustments, and more. Everything ECR sends is kept; what it does not send is
left unknown, never guessed.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ecr_tui.core.models import (
    FIX_NOT_AVAILABLE,
    CvssScore,
    Finding,
    FixAvailable,
    PlatformReport,
    ScanReport,
    ScanState,
    ScoreAdjustment,
    Severity,
    SeverityCounts,
    VulnerablePackage,
)

# -- ECR's items to records ------------------------------------------------------


def basic_finding_from_api(item: Mapping[str, Any]) -> Finding:
    """Build a Finding from a basic-scanning `findings` item."""
    attributes = tuple(
        (_shared(str(a.get("key", ""))), _shared(str(a.get("value", ""))))
        for a in item.get("attributes") or ()
    )
    values = {key: value for key, value in attributes if value}
    score_key = "CVSS3_SCORE" if "CVSS3_SCORE" in values else "CVSS2_SCORE"
    vector_key = "CVSS3_VECTOR" if "CVSS3_VECTOR" in values else "CVSS2_VECTOR"
    score = _to_float(values.get(score_key))
    # Basic scanning does not report a fixed version; should an attribute carry
    # one, it is shown, and only then is a fix known to exist.
    fixed_in = values.get("fixed_in_version") or values.get("package_fixed_version", "")
    packages: tuple[VulnerablePackage, ...] = ()
    if values.get("package_name"):
        packages = (
            VulnerablePackage(
                name=values["package_name"],
                version=values.get("package_version", ""),
                fixed_in=fixed_in,
            ),
        )
    cvss: tuple[CvssScore, ...] = ()
    if score is not None or values.get(vector_key):
        version = "3" if score_key == "CVSS3_SCORE" else "2"
        cvss = (CvssScore(score, values.get(vector_key, ""), version),)
    return Finding(
        name=_shared(item.get("name", "")),
        severity=Severity.parse(item.get("severity")),
        packages=packages,
        score=score,
        description=_shared(item.get("description", "")),
        uri=_shared(item.get("uri", "")),
        cvss_vector=values.get(vector_key, ""),
        source="basic",
        fix=FixAvailable.YES if fixed_in else FixAvailable.UNKNOWN,
        cvss=cvss,
        attributes=attributes,
    )


def enhanced_finding_from_api(item: Mapping[str, Any]) -> Finding:
    """Build a Finding from an enhanced-scanning (Inspector) `enhancedFindings` item."""
    details = item.get("packageVulnerabilityDetails") or {}
    packages = _shared(tuple(_package(p) for p in details.get("vulnerablePackages") or ()))
    score_details = (item.get("scoreDetails") or {}).get("cvss") or {}
    cvss = _shared(
        tuple(
            CvssScore(
                _to_float(c.get("baseScore")),
                _shared(c.get("scoringVector", "")),
                _shared(c.get("version", "")),
                _shared(c.get("source", "")),
            )
            for c in details.get("cvss") or ()
        )
    )
    vector = score_details.get("scoringVector", "") or (cvss[0].vector if cvss else "")
    score = item.get("score")
    if score is None:
        score = score_details.get("score")
    recommendation = (item.get("remediation") or {}).get("recommendation") or {}
    return Finding(
        name=_shared(details.get("vulnerabilityId") or item.get("title", "")),
        severity=Severity.parse(item.get("severity")),
        packages=packages,
        score=_to_float(score),
        description=_shared(item.get("description", "")),
        uri=_shared(details.get("sourceUrl", "")),
        cvss_vector=_shared(vector),
        remediation=_shared(recommendation.get("text", "")),
        source="enhanced",
        status=_shared(item.get("status", "")),
        fix=_fix_available(item.get("fixAvailable"), packages),
        exploit=_shared(str(item.get("exploitAvailable") or "").upper()),
        title=_shared(item.get("title", "")),
        type=_shared(item.get("type", "")),
        first_observed=_moment(item.get("firstObservedAt")),
        last_observed=_moment(item.get("lastObservedAt")),
        updated_at=_moment(item.get("updatedAt")),
        score_source=_shared(score_details.get("scoreSource", "")),
        score_version=_shared(score_details.get("version", "")),
        adjustments=_shared(
            tuple(
                ScoreAdjustment(_shared(a.get("metric", "")), _shared(a.get("reason", "")))
                for a in score_details.get("adjustments") or ()
            )
        ),
        cvss=cvss,
        vulnerability_source=_shared(details.get("source", "")),
        vendor_severity=_shared(details.get("vendorSeverity", "")),
        vendor_created_at=_moment(details.get("vendorCreatedAt")),
        vendor_updated_at=_moment(details.get("vendorUpdatedAt")),
        reference_urls=_shared(tuple(map(_shared, details.get("referenceUrls") or ()))),
        related=_shared(tuple(map(_shared, details.get("relatedVulnerabilities") or ()))),
        remediation_url=_shared(recommendation.get("url", "")),
        finding_arns=(item["findingArn"],) if item.get("findingArn") else (),
    )


def _package(item: Mapping[str, Any]) -> VulnerablePackage:
    epoch = item.get("epoch")
    package = VulnerablePackage(
        name=_shared(item.get("name", "")),
        version=_shared(item.get("version", "")),
        epoch=int(epoch) if isinstance(epoch, int | float) else None,
        release=_shared(item.get("release", "")),
        arch=_shared(item.get("arch", "")),
        package_manager=_shared(item.get("packageManager", "")),
        file_path=_shared(item.get("filePath", "")),
        source_layer_hash=_shared(item.get("sourceLayerHash", "")),
        fixed_in=_shared(item.get("fixedInVersion", "")),
    )
    return _shared(package)  # type: ignore[no-any-return]


def _shared(value: Any) -> Any:
    """One copy of a value many findings repeat (a vulnerability's description, a package,
    its CVSS scores, a scan's time): a fleet read keeps 100,000 findings or more, each
    of which would otherwise hold its own copy of everything in its answer. Python frees
    an interned string once nothing else refers to it; the other values are kept by a
    bounded cache of the most recent ones."""
    return sys.intern(value) if type(value) is str else _recent(value)


@functools.lru_cache(maxsize=1 << 16, typed=True)
def _recent(value: Any) -> Any:
    return value  # the first of the values equal to it that is still cached


def _fix_available(value: object, packages: Sequence[VulnerablePackage]) -> FixAvailable:
    """ECR's `fixAvailable`; without it, what the packages' fixed versions say, if they do."""
    if isinstance(value, str) and value:
        return FixAvailable.parse(value)
    reported = [p.fixed_in for p in packages if p.fixed_in]
    if not reported or len(reported) < len(packages):
        return FixAvailable.UNKNOWN
    fixed = sum(version != FIX_NOT_AVAILABLE for version in reported)
    if fixed == len(reported):
        return FixAvailable.YES
    return FixAvailable.PARTIAL if fixed else FixAvailable.NO


def _moment(value: object) -> datetime | None:
    """A timestamp as plain JSON gives it (epoch seconds), or a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        return _shared(datetime.fromtimestamp(float(value), UTC))  # type: ignore[arg-type,no-any-return]
    except (TypeError, ValueError):
        return None


def _to_float(value: object) -> float | None:
    try:
        return float(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def count_severities(findings: Iterable[Finding]) -> SeverityCounts:
    """The findings per severity (when ECR sent no counts, or for a merged report)."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.severity.name] = counts.get(finding.severity.name, 0) + 1
    return SeverityCounts.from_mapping(counts)


# -- the minimum-severity filter ---------------------------------------------------

# What `m` steps through, in the findings pane and the vulnerabilities view
# (UNDEFINED, the lowest, shows all). The threshold applies to rated findings: an
# unrated one (UNTRIAGED, UNDEFINED) is not known to be below it and stays.
MIN_SEVERITIES = (
    Severity.UNDEFINED,
    Severity.LOW,
    Severity.MEDIUM,
    Severity.HIGH,
    Severity.CRITICAL,
)


def next_min_severity(current: Severity) -> Severity:
    """The minimum severity after `current`; after CRITICAL, all again."""
    return MIN_SEVERITIES[(MIN_SEVERITIES.index(current) + 1) % len(MIN_SEVERITIES)]


# -- ordering ---------------------------------------------------------------------

_FIX_RANK = {
    FixAvailable.YES: 0,
    FixAvailable.PARTIAL: 1,
    FixAvailable.NO: 2,
    FixAvailable.UNKNOWN: 3,
}


def by_severity(finding: Finding) -> tuple[Any, ...]:
    """Worst first (in ECR's order, unrated last), then the highest score."""
    return (-finding.severity, -(finding.score or 0.0), finding.name, finding.package)


def by_severity_then_fix(finding: Finding) -> tuple[Any, ...]:
    """Worst first; within a severity, those with a fix first; then the highest score."""
    return (
        -finding.severity,
        _FIX_RANK[finding.fix],
        -(finding.score or 0.0),
        finding.name,
        finding.package,
    )


# -- several platforms --------------------------------------------------------------


def label_platform(report: ScanReport, platform: str) -> ScanReport:
    """`report` with each finding, and each of its packages, labelled with `platform`."""
    findings = tuple(
        replace(
            finding,
            platforms=(platform,),
            packages=tuple(replace(p, platform=platform) for p in finding.packages),
        )
        for finding in report.findings
    )
    return replace(report, findings=findings)


# Which scan state stands for several platforms that have no complete scan:
# one in progress is watched until it completes, a failure is told before a gap.
_STATE_PRECEDENCE = (
    ScanState.IN_PROGRESS,
    ScanState.FAILED,
    ScanState.FINDINGS_UNAVAILABLE,
    ScanState.UNSUPPORTED,
    ScanState.NOT_SCANNED,
)


def merge_platform_reports(digest: str, reports: Sequence[PlatformReport]) -> ScanReport:
    """One report for an image index: each distinct finding once, with its platforms.

    Findings of several platforms are one row when they are the same vulnerability
    rated the same way in the same package versions; their packages (whose layers
    and paths differ by platform) are kept, each labelled with its platform. The
    state is COMPLETE when any platform's scan is: the caller tells which are not.
    """
    merged: dict[tuple[Any, ...], Finding] = {}
    for platform_report in reports:
        labelled = label_platform(platform_report.report, platform_report.platform)
        for finding in labelled.findings:
            key = _same_finding(finding)
            known = merged.get(key)
            merged[key] = finding if known is None else _combine(known, finding)
    findings = sorted(merged.values(), key=by_severity)
    states = [r.report.state for r in reports]
    if ScanState.COMPLETE in states or not states:
        state = ScanState.COMPLETE
    else:
        state = next(s for s in _STATE_PRECEDENCE if s in states)
    completed = [r.report.completed_at for r in reports if r.report.completed_at]
    descriptions = [r.report.description for r in reports if r.report.state is state]
    first = reports[0].report if reports else None
    return ScanReport(
        repository=first.repository if first else "",
        digest=digest,
        state=state,
        description=descriptions[0] if len(set(descriptions)) == 1 else "",
        completed_at=min(completed) if completed else None,  # the oldest scan of them
        summary=count_severities(findings),
        findings=tuple(findings),
    )


def _same_finding(finding: Finding) -> tuple[Any, ...]:
    packages = tuple(sorted((p.name, p.version, p.fixed_in) for p in finding.packages))
    return (finding.name, finding.severity, finding.score, finding.fix, finding.exploit, packages)


def _combine(known: Finding, other: Finding) -> Finding:
    observed_first = [m for m in (known.first_observed, other.first_observed) if m]
    observed_last = [m for m in (known.last_observed, other.last_observed) if m]
    return replace(
        known,
        platforms=known.platforms + other.platforms,
        packages=known.packages + other.packages,
        finding_arns=known.finding_arns + other.finding_arns,
        first_observed=min(observed_first) if observed_first else None,
        last_observed=max(observed_last) if observed_last else None,
    )
