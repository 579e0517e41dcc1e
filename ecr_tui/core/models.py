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

from ecr_tui.core.media_types import (
    ATTESTATION_MANIFEST,
    ATTESTATION_REFERENCE_DIGEST,
    ATTESTATION_REFERENCE_TYPE,
    INDEX_MEDIA_TYPES,
    ImageKind,
    ReferrerKind,
    image_kind,
    referrer_kind,
)


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
    """Where an image's scan stands, as the UI needs to tell it apart.

    Every `ScanStatus` of ECR's model has a state; a status ECR adds later is
    UNKNOWN, and shown as ECR spells it (see `Image.scan_label`), never as "not
    scanned".
    """

    NOT_SCANNED = "not scanned"
    IN_PROGRESS = "scanning"
    COMPLETE = "complete"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"
    FINDINGS_UNAVAILABLE = "unavailable"
    ELIGIBILITY_EXPIRED = "scan expired"
    LIMIT_EXCEEDED = "limit exceeded"
    IMAGE_ARCHIVED = "archived"
    IMAGE_SIZE_EXCEEDED = "too large"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, status: str | None) -> ScanState:
        """Map ECR's `imageScanStatus.status` values to a state (no status: not scanned)."""
        if not status:
            return cls.NOT_SCANNED
        return _SCAN_STATES.get(status, cls.UNKNOWN)

    @classmethod
    def status_name(cls, status: str | None) -> str:
        """What an image row keeps: the state's name, or an unknown status verbatim."""
        state = cls.parse(status)
        return str(status) if state is cls.UNKNOWN else state.name


_SCAN_STATES = {
    "IN_PROGRESS": ScanState.IN_PROGRESS,
    "PENDING": ScanState.IN_PROGRESS,  # enhanced scanning: queued, followed like a scan
    "SCAN_ELIGIBILITY_EXPIRED": ScanState.ELIGIBILITY_EXPIRED,
    "COMPLETE": ScanState.COMPLETE,
    "ACTIVE": ScanState.COMPLETE,  # enhanced scanning: continuously scanned
    "FAILED": ScanState.FAILED,
    "UNSUPPORTED_IMAGE": ScanState.UNSUPPORTED,
    "FINDINGS_UNAVAILABLE": ScanState.FINDINGS_UNAVAILABLE,
    "LIMIT_EXCEEDED": ScanState.LIMIT_EXCEEDED,
    "IMAGE_ARCHIVED": ScanState.IMAGE_ARCHIVED,
    "IMAGE_SIZE_EXCEEDED": ScanState.IMAGE_SIZE_EXCEEDED,
}
# A row's scan status back to its state: a state's name, else an unknown status.
_STATE_BY_NAME = {state.name: state for state in ScanState}


def scan_label(state: ScanState, status: str) -> str:
    """How a scan state reads in a column: an unknown status as ECR spells it."""
    return status if state is ScanState.UNKNOWN and status else state.value


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """Who and where the app is talking to."""

    account_id: str
    region: str
    endpoint: str  # "AWS" for the real service, else the endpoint URL
    arn: str = ""
    profile: str | None = None
    # Why STS could not say who the caller is (the account then comes from ECR itself).
    identity_problem: str = ""
    # IAM's alias for the account (ListAccountAliases), when it may be read.
    alias: str = ""


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
    encryption: str  # "AES256", "KMS" or "KMS_DSSE" (dual-layer); the key is `kms_key`
    kms_key: str | None = None
    # The tag filters (wildcards) that *_WITH_EXCLUSION mutability excepts.
    tag_mutability_exclusions: tuple[str, ...] = ()

    @property
    def account_id(self) -> str:
        """The account the repository belongs to (its registry id, else from its ARN)."""
        if self.registry_id:
            return self.registry_id
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 5 else ""


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
    scan_status: str  # a ScanState name, or ECR's status as it came when not one we know
    scan_description: str = ""
    severity_row: tuple[int, ...] = NO_SEVERITIES  # see `severity_row()`
    last_pulled_seconds: float | None = None  # epoch seconds
    media_type: str = ""
    artifact_media_type: str = ""
    subject_digest: str = ""  # an OCI 1.1 referrer's subject (subjectManifestDigest)
    image_status: str = ""  # ACTIVE, ARCHIVED, ACTIVATING ("": not reported, so active)
    archived_seconds: float | None = None  # lastArchivedAt, epoch seconds
    activated_seconds: float | None = None  # lastActivatedAt, epoch seconds

    @property
    def pushed_at(self) -> datetime | None:
        """When the image was pushed."""
        return _moment(self.pushed_seconds)

    @property
    def last_pulled_at(self) -> datetime | None:
        """When ECR last recorded a pull (it records about once a day)."""
        return _moment(self.last_pulled_seconds)

    @property
    def archived_at(self) -> datetime | None:
        """When the image last went to the archive storage class."""
        return _moment(self.archived_seconds)

    @property
    def activated_at(self) -> datetime | None:
        """When the image was last restored from the archive."""
        return _moment(self.activated_seconds)

    @property
    def scan_state(self) -> ScanState:
        """Where the image's scan stands."""
        return _STATE_BY_NAME.get(self.scan_status, ScanState.UNKNOWN)

    @property
    def scan_label(self) -> str:
        """The scan state in a word or two; a status ECR added since, as ECR spells it."""
        return scan_label(self.scan_state, self.scan_status)

    @property
    def severity_counts(self) -> SeverityCounts:
        """Findings per severity, from the scan summary."""
        return SeverityCounts.from_row(self.severity_row)

    @property
    def short_digest(self) -> str:
        """The first 12 hex digits, as `docker images` shows ids."""
        return self.digest.removeprefix("sha256:")[:12]

    @property
    def kind(self) -> ImageKind:
        """What DescribeImages says this manifest is (an index's children look like images)."""
        return image_kind(self.media_type, self.artifact_media_type, self.subject_digest)

    @property
    def is_index(self) -> bool:
        """An OCI image index or a Docker manifest list."""
        return self.media_type in INDEX_MEDIA_TYPES

    @property
    def is_archived(self) -> bool:
        """In the archive storage class, or on its way back: it cannot be pulled."""
        return self.image_status in ("ARCHIVED", "ACTIVATING")


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
    status: str = ""  # ECR's scan status, verbatim (an unknown state is shown as it is)


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One manifest an index lists: a platform's image, or buildx's attestation manifest."""

    digest: str
    media_type: str = ""
    size: int | None = None
    platform: str = ""  # os/architecture[/variant], "" when the index names none
    attests: str = ""  # an attestation manifest: the digest of the image it describes

    @property
    def is_attestation(self) -> bool:
        """buildx's provenance / SBOM manifest (platform unknown/unknown)."""
        return bool(self.attests) or self.platform == "unknown/unknown"

    @property
    def architecture(self) -> str:
        """The platform in a word: 'amd64', 'arm64' (v8 is its only variant), 'arm/v7',
        'windows/amd64' (the OS only when it is not Linux)."""
        name = self.platform.removeprefix("linux/")
        if name == "arm64/v8":  # arm64's only variant: said by the word alone
            name = "arm64"
        return name or "?"


@dataclass(frozen=True, slots=True)
class IndexManifest:
    """An index (or manifest list) as BatchGetImage returns it: what it lists.

    `repository` and `digest` say which question it answers: an answer that comes
    after the user has moved to another repository is dropped.
    """

    repository: str
    digest: str
    media_type: str
    entries: tuple[ManifestEntry, ...]
    text: str  # the manifest JSON as ECR returned it
    problem: str = ""  # why ECR did not return it (BatchGetImage's failure)

    @property
    def platforms(self) -> tuple[ManifestEntry, ...]:
        """The platforms' images, in the index's order."""
        return tuple(entry for entry in self.entries if not entry.is_attestation)

    @property
    def attestations(self) -> tuple[ManifestEntry, ...]:
        """buildx's attestation manifests."""
        return tuple(entry for entry in self.entries if entry.is_attestation)


def index_entries(manifest: Mapping[str, Any]) -> tuple[ManifestEntry, ...]:
    """The `manifests` of an index document, as entries."""
    entries = []
    for item in manifest.get("manifests") or ():
        if not isinstance(item, Mapping) or not item.get("digest"):
            continue
        platform = item.get("platform") or {}
        parts = [platform.get("os", ""), platform.get("architecture", ""), platform.get("variant")]
        annotations = item.get("annotations") or {}
        attests = ""
        if annotations.get(ATTESTATION_REFERENCE_TYPE) == ATTESTATION_MANIFEST:
            attests = str(annotations.get(ATTESTATION_REFERENCE_DIGEST, "")) or "?"
        size = item.get("size")
        entries.append(
            ManifestEntry(
                digest=str(item["digest"]),
                media_type=str(item.get("mediaType", "")),
                size=size if isinstance(size, int) else None,
                platform="/".join(str(p) for p in parts if p),
                attests=attests,
            )
        )
    return tuple(entries)


@dataclass(frozen=True, slots=True)
class Referrer:
    """An OCI 1.1 referrer of an image, as ListImageReferrers (or DescribeImages) tells it."""

    digest: str
    artifact_type: str
    media_type: str = ""
    size: int | None = None
    status: str = ""  # ACTIVE, ARCHIVED, ACTIVATING
    annotations: tuple[tuple[str, str], ...] = ()

    @property
    def kind(self) -> ReferrerKind:
        """Signature, SBOM, attestation or other."""
        return referrer_kind(self.artifact_type)


@dataclass(frozen=True, slots=True)
class ImageDetails:
    """Everything ECR says about one image, for the details view."""

    repository: str
    digest: str
    describe_item: str  # the DescribeImages item, as JSON
    manifest: str  # the manifest, as JSON ("" when ECR did not return it)
    manifest_media_type: str
    referrers: tuple[Referrer, ...] | None  # None: ListImageReferrers could not be asked
    referrers_problem: str = ""  # why not
    manifest_problem: str = ""


@dataclass(frozen=True, slots=True)
class ScanningRule:
    """A registry scanning rule: how often, for which repositories (wildcard filters)."""

    frequency: str  # SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL
    filters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RepositoryScanning:
    """How a repository's images are scanned, as the registry's configuration applies."""

    repository: str
    scan_type: str  # the registry's: BASIC or ENHANCED ("" when it could not be read)
    frequency: str  # SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL
    scan_on_push: bool = False
    filters: tuple[str, ...] = ()  # the registry filters that matched

    @property
    def label(self) -> str:
        """'enhanced · continuous', 'basic · on push', 'manual', ..."""
        on_push = self.frequency == "SCAN_ON_PUSH" or (
            self.scan_on_push and self.frequency != "CONTINUOUS_SCAN"
        )
        scan_type = self.scan_type.lower()
        if self.frequency == "CONTINUOUS_SCAN":
            how = "continuous"
        elif on_push:
            how = "on push"
        elif scan_type == "enhanced":
            # Enhanced scanning scans only what its rules match, and takes no manual scans.
            return "not scanned"
        else:
            return "manual"
        return f"{scan_type} · {how}" if scan_type else how

    @property
    def short_label(self) -> str:
        """The label in a narrow column: 'enh·cont', 'enh·push', 'on push', 'manual', 'off'."""
        label = self.label
        return {
            "enhanced · continuous": "enh·cont",
            "enhanced · on push": "enh·push",
            "basic · on push": "on push",
            "basic · continuous": "continuous",
            "not scanned": "off",
        }.get(label, label)


@dataclass(frozen=True, slots=True)
class RegistryScanning:
    """The registry's scanning configuration (GetRegistryScanningConfiguration)."""

    scan_type: str  # BASIC or ENHANCED
    rules: tuple[ScanningRule, ...] = ()


@dataclass(frozen=True, slots=True)
class PlatformReport:
    """One platform's scan report, for an image index (multi-platform image)."""

    platform: str  # "linux/amd64", "linux/arm/v7", ...
    report: ScanReport
