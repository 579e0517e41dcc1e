"""Plain, frozen records that cross from the AWS/Docker layer to the UI.

The UI never sees a boto3 dict or a docker-py object: everything it shows is
one of these. They are built once per API item, so they stay small.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress
from typing import Any, NamedTuple


class Severity(enum.IntEnum):
    """ECR severities, in the order ECR and Inspector list them: a higher value first.

    CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, then the two that are not rated:
    UNTRIAGED (enhanced scanning: Inspector has not rated it yet) and UNDEFINED
    (basic scanning: the vendor gave no severity). They sort last, as ECR lists
    them, but an unrated finding is not known to be harmless: the findings
    pane's minimum-severity filter keeps them in view (see `rated`).
    """

    UNDEFINED = 0
    UNTRIAGED = 1
    INFORMATIONAL = 2
    LOW = 3
    MEDIUM = 4
    HIGH = 5
    CRITICAL = 6

    @classmethod
    def parse(cls, value: str | None) -> Severity:
        """Map ECR's strings (basic and enhanced scanning) to a severity."""
        if not value:
            return cls.UNDEFINED
        return _SEVERITY_NAMES.get(value.strip().upper(), cls.UNDEFINED)

    @property
    def rated(self) -> bool:
        """False for UNTRIAGED and UNDEFINED: nobody has said how bad it is."""
        return self > Severity.UNTRIAGED


# A plain dict: this runs for every image of a listing, and Enum lookups are slow.
_SEVERITY_NAMES = {severity.name: severity for severity in Severity}


# Worst first: the order the findings summary and the images pane show counts in.
SEVERITIES_WORST_FIRST: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))


class ScanState(enum.Enum):
    """Where an image's scan stands, as the UI needs to tell it apart."""

    NOT_SCANNED = "not scanned"
    IN_PROGRESS = "scanning"
    COMPLETE = "complete"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"
    FINDINGS_UNAVAILABLE = "unavailable"

    @classmethod
    def parse(cls, status: str | None) -> ScanState:
        """Map ECR's `imageScanStatus.status` values to a state."""
        return _SCAN_STATES.get(status or "", cls.NOT_SCANNED)


_SCAN_STATES = {
    "IN_PROGRESS": ScanState.IN_PROGRESS,
    "PENDING": ScanState.IN_PROGRESS,
    "SCAN_ELIGIBILITY_EXPIRED": ScanState.FINDINGS_UNAVAILABLE,
    "COMPLETE": ScanState.COMPLETE,
    "ACTIVE": ScanState.COMPLETE,  # enhanced scanning: continuously scanned
    "FAILED": ScanState.FAILED,
    "UNSUPPORTED_IMAGE": ScanState.UNSUPPORTED,
    "FINDINGS_UNAVAILABLE": ScanState.FINDINGS_UNAVAILABLE,
}


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """Who and where the app is talking to."""

    account_id: str
    region: str
    endpoint: str  # "AWS" for the real service, else the endpoint URL
    arn: str = ""
    profile: str | None = None


@dataclass(frozen=True, slots=True)
class Repository:
    """One ECR repository as DescribeRepositories reports it."""

    name: str
    uri: str
    arn: str
    registry_id: str
    created_at: datetime | None
    tag_mutability: str  # MUTABLE, IMMUTABLE, or their *_WITH_EXCLUSION variants
    scan_on_push: bool
    encryption: str  # "AES256", or "KMS" / "KMS_DSSE" followed by the key when set
    kms_key: str | None = None


@dataclass(frozen=True, slots=True)
class SeverityCounts:
    """Findings per severity; absent severities count as zero."""

    counts: tuple[tuple[Severity, int], ...] = ()

    @classmethod
    def from_mapping(cls, mapping: Mapping[Any, int] | None) -> SeverityCounts:
        """Build from ECR's `findingSeverityCounts`."""
        return cls.from_row(severity_row(mapping))

    @classmethod
    def from_row(cls, row: tuple[int, ...]) -> SeverityCounts:
        """Build from `severity_row`'s counts."""
        return cls(tuple(compress(zip(SEVERITIES_WORST_FIRST, row, strict=True), row)))

    def get(self, severity: Severity) -> int:
        """How many findings of this severity."""
        for known, count in self.counts:
            if known is severity:
                return count
        return 0

    @property
    def total(self) -> int:
        """All findings together."""
        return sum(count for _, count in self.counts)


def severity_row(mapping: Mapping[Any, int] | None) -> tuple[int, ...]:
    """ECR's `findingSeverityCounts` as counts in SEVERITIES_WORST_FIRST order, zeros too."""
    counts = [0] * len(SEVERITIES_WORST_FIRST)
    for name, count in (mapping or {}).items():
        # ECR's own spelling first: this runs six times an image, 100,000 images a
        # listing, in the reader process that shares the CPUs with the UI.
        index = _WORST_FIRST_INDEX_BY_NAME.get(name)
        if index is None:
            index = _WORST_FIRST_INDEX[Severity.parse(name)]
        counts[index] += int(count)
    return tuple(counts)


_WORST_FIRST_INDEX = {severity: n for n, severity in enumerate(SEVERITIES_WORST_FIRST)}
_WORST_FIRST_INDEX_BY_NAME = {
    name: _WORST_FIRST_INDEX[severity] for name, severity in _SEVERITY_NAMES.items()
}
NO_SEVERITIES = (0,) * len(SEVERITIES_WORST_FIRST)


class Image(NamedTuple):
    """One image (manifest) in a repository, as DescribeImages reports it.

    Unlike the other records, a tuple of built-in values: a 100,000-image
    repository is 100,000 of these, built from the reader's rows in one C call
    each (a dataclass with datetimes and an enum cost 5-17 ms a 1,000-image
    page, on the UI's GIL), and such tuples drop out of the garbage collector's
    sight. The richer values are computed when read, for the rows on screen.
    """

    repository: str
    digest: str
    tags: tuple[str, ...]
    pushed_seconds: float | None  # epoch seconds
    size_bytes: int | None
    scan_status: str  # a ScanState name
    scan_description: str = ""
    severity_row: tuple[int, ...] = NO_SEVERITIES  # see `severity_row()`
    last_pulled_seconds: float | None = None  # epoch seconds
    media_type: str = ""
    artifact_media_type: str = ""

    @property
    def pushed_at(self) -> datetime | None:
        """When the image was pushed."""
        return _moment(self.pushed_seconds)

    @property
    def last_pulled_at(self) -> datetime | None:
        """When ECR last recorded a pull (it records about once a day)."""
        return _moment(self.last_pulled_seconds)

    @property
    def scan_state(self) -> ScanState:
        """Where the image's scan stands."""
        return ScanState[self.scan_status]

    @property
    def severity_counts(self) -> SeverityCounts:
        """Findings per severity, from the scan summary."""
        return SeverityCounts.from_row(self.severity_row)

    @property
    def short_digest(self) -> str:
        """The first 12 hex digits, as `docker images` shows ids."""
        return self.digest.removeprefix("sha256:")[:12]


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


class FixAvailable(enum.Enum):
    """Whether a fixed version exists, as enhanced scanning's `fixAvailable` says."""

    YES = "yes"  # every vulnerable package has a fixed version
    PARTIAL = "partial"  # some of them have
    NO = "no"  # none has: Inspector knows no fixed version
    UNKNOWN = "unknown"  # not reported: basic scanning never says

    @classmethod
    def parse(cls, value: str | None) -> FixAvailable:
        """ECR's YES / NO / PARTIAL; anything else is unknown."""
        return _FIX_NAMES.get((value or "").strip().upper(), cls.UNKNOWN)

    @property
    def fixable(self) -> bool:
        """A fixed version exists for at least one vulnerable package."""
        return self in (FixAvailable.YES, FixAvailable.PARTIAL)


_FIX_NAMES = {fix.name: fix for fix in FixAvailable if fix is not FixAvailable.UNKNOWN}

# What Inspector puts in `fixedInVersion` when no fixed version is published.
FIX_NOT_AVAILABLE = "NotAvailable"


@dataclass(frozen=True, slots=True)
class VulnerablePackage:
    """One package a finding concerns (enhanced scanning lists every one of them)."""

    name: str
    version: str = ""
    epoch: int | None = None
    release: str = ""
    arch: str = ""
    package_manager: str = ""  # OS, JAR, PYTHONPKG, NODEPKG, GOBINARY, ...
    file_path: str = ""
    source_layer_hash: str = ""
    # "" when not reported (basic scanning), FIX_NOT_AVAILABLE when Inspector knows none.
    fixed_in: str = ""
    platform: str = ""  # the platform it was found on, in a report of several


@dataclass(frozen=True, slots=True)
class CvssScore:
    """A CVSS score as one source rates the vulnerability."""

    score: float | None
    vector: str = ""
    version: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class ScoreAdjustment:
    """How Inspector changed a CVSS metric for this environment, and why."""

    metric: str
    reason: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One vulnerability finding, from basic or enhanced (Inspector) scanning."""

    name: str  # CVE id or finding title
    severity: Severity
    packages: tuple[VulnerablePackage, ...] = ()
    # Inspector's score (enhanced), else the CVSS score basic scanning reports.
    score: float | None = None
    description: str = ""
    uri: str = ""
    cvss_vector: str = ""  # the vector behind `score`
    remediation: str = ""
    source: str = "basic"  # "basic" or "enhanced"
    status: str = ""  # enhanced scanning: ACTIVE, SUPPRESSED, CLOSED
    fix: FixAvailable = FixAvailable.UNKNOWN
    exploit: str = ""  # enhanced scanning: YES or NO; "" when not reported
    # Enhanced scanning's other fields.
    title: str = ""
    type: str = ""  # PACKAGE_VULNERABILITY, CODE_VULNERABILITY, ...
    first_observed: datetime | None = None
    last_observed: datetime | None = None
    updated_at: datetime | None = None
    score_source: str = ""  # scoreDetails.cvss: the CVSS Inspector's score starts from
    score_version: str = ""
    adjustments: tuple[ScoreAdjustment, ...] = ()
    cvss: tuple[CvssScore, ...] = ()  # every source's own CVSS score
    vulnerability_source: str = ""  # where the vulnerability is known from: NVD, DEBIAN_CVE, ...
    vendor_severity: str = ""
    vendor_created_at: datetime | None = None
    vendor_updated_at: datetime | None = None
    reference_urls: tuple[str, ...] = ()
    related: tuple[str, ...] = ()  # related vulnerability ids
    remediation_url: str = ""
    finding_arns: tuple[str, ...] = ()  # Inspector's; one per platform in a merged report
    # Basic scanning's `attributes`, all of them, as ECR sent them.
    attributes: tuple[tuple[str, str], ...] = ()
    # The platforms (linux/amd64, ...) it was found on, in a report of several.
    platforms: tuple[str, ...] = ()

    @property
    def package(self) -> str:
        """The first vulnerable package's name."""
        return self.packages[0].name if self.packages else ""

    @property
    def package_version(self) -> str:
        """The first vulnerable package's version."""
        return self.packages[0].version if self.packages else ""

    @property
    def fixed_in(self) -> str:
        """The first fixed version reported (not FIX_NOT_AVAILABLE), else ""."""
        return next(
            (p.fixed_in for p in self.packages if p.fixed_in not in ("", FIX_NOT_AVAILABLE)), ""
        )


@dataclass(frozen=True, slots=True)
class ScanReport:
    """The outcome of DescribeImageScanFindings for one image."""

    repository: str
    digest: str
    state: ScanState
    description: str
    completed_at: datetime | None
    summary: SeverityCounts
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class PlatformReport:
    """One platform's scan report, for an image index (multi-platform image)."""

    platform: str  # "linux/amd64", "linux/arm/v7", ...
    report: ScanReport
