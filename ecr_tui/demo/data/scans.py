"""Scans: how a repository's images scan (`ScanProfile`) and an image's latest scan (`ScanSpec`).

Severity counts are derived from the image's seed; the findings behind them
come from `ecr_tui.demo.data.findings`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecr_tui.demo.data.seeds import noise_bytes, stable_seed

# ECR's own wording for scan states (as AWS's documentation shows ECR's answers).
SCAN_COMPLETE = "The scan was completed successfully."
SCAN_CONTINUOUS = "Continuous scan is selected for image."
SCAN_UNSUPPORTED = (
    "UnsupportedImageError: The operating system and/or package manager are not supported."
)
# The states enhanced scanning (Amazon Inspector) adds, worded after Inspector's
# coverage reasons: AWS documents what they mean, not ECR's exact sentences.
SCAN_PENDING = "The image is queued for its first scan by Amazon Inspector."
SCAN_EXPIRED = (
    "The image has not been pushed or pulled within the scan duration: "
    "continuous scanning is suspended for it."
)
SCAN_UNSUPPORTED_MEDIA = "The media type of this artifact is not supported for scanning."
SCAN_FINDINGS_UNAVAILABLE = (
    "Findings are unavailable for this image: Amazon Inspector is re-scanning it."
)
SCAN_LIMIT_EXCEEDED = "The scan was not started: the registry's scan limit has been exceeded."
SCAN_SIZE_EXCEEDED = "The image is larger than the largest image Amazon Inspector scans."
SCAN_ARCHIVED = "The image is archived: archived images are not scanned."
# How long continuous scanning keeps scanning an image nobody pushes or pulls.
RESCAN_DURATION_DAYS = 30

BASIC_SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED")
# Enhanced scanning (Amazon Inspector) calls not-yet-rated findings UNTRIAGED.
ENHANCED_SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED")
_SEVERITY_SHARE = (0.03, 0.16, 0.40, 0.28, 0.05, 0.08)
_COUNTS_SALT = 0x5CA9_C0DE


@dataclass(frozen=True, slots=True)
class ScanProfile:
    """How images of one repository scan: which packages, how many findings."""

    family: str
    ecosystem: str
    enhanced: bool
    typical_findings: float
    vulnerability_seed: int
    continuous: bool = True  # enhanced scanning: CONTINUOUS_SCAN, else SCAN_ON_PUSH
    # Inspector's own scores: some findings scored by the distribution, adjusted from NVD's.
    inspector_scores: bool = False

    @classmethod
    def default(cls, repository: str) -> ScanProfile:
        """A Debian-based image: what a repository created at run time is taken to hold."""
        return cls("debian", "", False, 40.0, stable_seed(repository))

    @property
    def supported(self) -> bool:
        """Whether a scanner can read this image's packages at all."""
        return self.family not in ("scratch", "helm", "flux")

    def scan(
        self, image_seed: int, started_at: float, finished_at: float, readable: bool = True
    ) -> ScanSpec:
        """The outcome of a scan started at `started_at` that ends at `finished_at`.

        `readable` is False for what is not an image at all (a chart, a signature).
        """
        supported = self.supported and readable
        if self.enhanced and not supported:
            status, description = "UNSUPPORTED_IMAGE", SCAN_UNSUPPORTED_MEDIA
        elif self.enhanced and self.continuous:
            status, description = "ACTIVE", SCAN_CONTINUOUS
        elif not supported:
            status, description = "FAILED", SCAN_UNSUPPORTED
        else:
            status, description = "COMPLETE", SCAN_COMPLETE
        found = status in ("ACTIVE", "COMPLETE")
        counts = self.severity_counts(image_seed, age_days=0) if found else ()
        updated = finished_at - 3_600 - image_seed % (19 * 3_600)
        return ScanSpec(status, description, started_at, finished_at, updated, counts, self)

    def severity_counts(self, image_seed: int, age_days: float) -> tuple[tuple[str, int], ...]:
        """Findings per severity for one scan; images built long ago carry more."""
        noise = noise_bytes(image_seed ^ _COUNTS_SALT, 8)
        names = ENHANCED_SEVERITIES if self.enhanced else BASIC_SEVERITIES
        total = self.typical_findings * (1.0 + min(age_days, 400.0) / 250.0)
        total *= (0.45 + 1.1 * noise[0] / 255) / 255
        jitter = noise[7] / 255
        counts = (
            (name, int(total * share * (127 + byte) + jitter))
            for name, share, byte in zip(names, _SEVERITY_SHARE, noise[1:7], strict=True)
        )
        return tuple((name, count) for name, count in counts if count)


@dataclass(frozen=True, slots=True)
class ScanSpec:
    """An image's latest scan.

    `status` is where the scan ends up; while `completed_at` lies in the future
    the scan is still running. A scan that is IN_PROGRESS with no
    `completed_at` never finishes (a stuck scan, as real registries have).
    """

    status: str  # a ScanStatus of ECR's (COMPLETE, ACTIVE, FAILED, IN_PROGRESS, PENDING, ...)
    description: str
    started_at: float
    completed_at: float | None
    source_updated_at: float | None
    severity_counts: tuple[tuple[str, int], ...]
    profile: ScanProfile
