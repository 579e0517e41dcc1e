"""Which images and which findings a fleet triage looks at: `Scope`.

Two kinds of filter: those on images (repository name pattern, only tagged,
the newest N per repository, pulled in the last N days, one image) decide
which findings reports are read at all; those on findings (minimum severity,
fix available, exploit available, one CVE) decide which of their findings count.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ecr_tui.core.media_types import ImageKind
from ecr_tui.core.models import SEVERITIES_WORST_FIRST, Finding, Image, ScanState, Severity

# What a vulnerability id looks like: CVE-2023-38545, GHSA-xxxx-xxxx-xxxx, ALAS2-2024-2419.
VULNERABILITY_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$")


def is_vulnerability_id(text: str) -> bool:
    """Whether `text` can be a vulnerability id (not whether any image has it)."""
    return len(text) <= 64 and VULNERABILITY_ID.match(text) is not None


DAY = 86_400.0

# What a scan summary says is worth a findings call: a scan with findings to read.
_READABLE_STATES = frozenset({ScanState.COMPLETE})


@dataclass(frozen=True, slots=True)
class Scope:
    """The filters of a fleet triage; the defaults keep everything."""

    # Findings: rated findings below it are left out (UNDEFINED keeps all).
    min_severity: Severity = Severity.UNDEFINED
    # An unrated finding (UNTRIAGED, UNDEFINED) is not known to be below the
    # minimum: kept unless this is False, as the findings pane does.
    keep_unrated: bool = True
    fixable: bool = False  # only findings with a fixed version (YES or PARTIAL)
    exploitable: bool = False  # only findings with a known exploit
    cve: str = ""  # only this vulnerability (case-insensitive)
    # Images.
    repository: str = ""  # exactly this repository
    repository_pattern: str = ""  # a glob on repository names: "team-a/*"
    image: str = ""  # one image: a tag or a digest (with `repository`)
    tagged_only: bool = False
    newest_per_repository: int | None = None  # the newest N (by push) of each repository
    pulled_within_days: float | None = None  # last pulled at most N days ago

    def __post_init__(self) -> None:
        if self.newest_per_repository is not None and self.newest_per_repository < 1:
            raise ValueError("the newest N per repository needs N of 1 or more")
        if self.pulled_within_days is not None and self.pulled_within_days <= 0:
            raise ValueError("pulled in the last N days needs N above 0")
        if self.image and not self.repository:
            raise ValueError("an image (tag or digest) needs its repository")

    def images_only(self) -> Scope:
        """This scope without its findings filters: what a fan-out reads to filter later."""
        return Scope(
            repository=self.repository,
            repository_pattern=self.repository_pattern,
            image=self.image,
            tagged_only=self.tagged_only,
            newest_per_repository=self.newest_per_repository,
            pulled_within_days=self.pulled_within_days,
        )

    # -- findings ------------------------------------------------------------------

    def keeps_finding(self, finding: Finding) -> bool:
        """Whether a finding passes the findings filters."""
        if self.cve and finding.name.upper() != self.cve.upper():
            return False
        severity = finding.severity
        if severity < self.min_severity and (severity.rated or not self.keep_unrated):
            return False
        if self.fixable and not finding.fix.fixable:
            return False
        return not (self.exploitable and finding.exploit != "YES")

    def may_have_findings(self, image: Image) -> bool:
        """Whether a findings call for this image can return a finding we keep.

        An image's scan summary (from DescribeImages) counts its findings per
        severity: when none is at or above the minimum (nor unrated, when those
        are kept), its report would be empty here, and the call is not made.
        """
        return self.findings_in_summary(image) > 0

    def findings_in_summary(self, image: Image) -> int:
        """How many findings the image's scan summary counts that the scope may keep (by
        severity: the fix and exploit filters are not in a summary); 0 unless complete."""
        if image.scan_state not in _READABLE_STATES:
            return 0
        return sum(
            count
            for severity, count in zip(SEVERITIES_WORST_FIRST, image.severity_row, strict=True)
            if severity >= self.min_severity or (not severity.rated and self.keep_unrated)
        )

    # -- images --------------------------------------------------------------------

    def keeps_repository(self, name: str) -> bool:
        """Whether a repository is in scope by its name."""
        if self.repository and name != self.repository:
            return False
        return not self.repository_pattern or fnmatch.fnmatchcase(name, self.repository_pattern)

    def images(self, images: Iterable[Image], now: float) -> list[Image]:
        """One repository's images in scope, newest first (by push).

        Only container images: an index's findings are its platforms' (listed as
        images of their own), and signatures, SBOMs and charts are not scanned.
        """
        kept = [i for i in images if i.kind is ImageKind.IMAGE and self._keeps_image(i, now)]
        kept.sort(key=lambda i: i.pushed_seconds or 0.0, reverse=True)
        if self.newest_per_repository is not None:
            kept = kept[: self.newest_per_repository]
        return kept

    def _keeps_image(self, image: Image, now: float) -> bool:
        if self.image and not _names_image(image, self.image):
            return False
        if self.tagged_only and not image.tags:
            return False
        if self.pulled_within_days is not None:
            pulled = image.last_pulled_seconds
            if pulled is None or pulled < now - self.pulled_within_days * DAY:
                return False
        return True

    def describe(self) -> list[str]:
        """The filters in force, in words (for exports and the view's title)."""
        words: list[str] = []
        if self.repository:
            words.append(f"repository {self.repository}")
        if self.repository_pattern:
            words.append(f"repositories {self.repository_pattern}")
        if self.image:
            words.append(f"image {self.image}")
        if self.tagged_only:
            words.append("tagged images only")
        if self.newest_per_repository is not None:
            words.append(f"newest {self.newest_per_repository} per repository")
        if self.pulled_within_days is not None:
            words.append(f"pulled in the last {self.pulled_within_days:g} days")
        if self.cve:
            words.append(self.cve.upper())
        if self.min_severity > Severity.UNDEFINED:
            unrated = " (and unrated)" if self.keep_unrated else ""
            words.append(f"{self.min_severity.name} and above{unrated}")
        if self.fixable:
            words.append("fix available")
        if self.exploitable:
            words.append("exploit available")
        return words


def _names_image(image: Image, reference: str) -> bool:
    if reference.startswith("sha256:"):
        return image.digest == reference
    return reference in image.tags


def lowercase_hint(name: str) -> str:
    """ " (ECR names are lowercase)" for a name or pattern with capitals, which none matches."""
    return " (ECR names are lowercase)" if name != name.lower() else ""


def no_repository_matches(pattern: str) -> str:
    """What a repository pattern that matches no repository is said as (never a clean
    "no findings": nothing was read)."""
    return f"no repository matches {pattern}{lowercase_hint(pattern)}"


def parse_severity(text: str) -> Severity:
    """A severity as the user types it (any case); ValueError names the choices."""
    name = text.strip().upper()
    for severity in Severity:
        if severity.name == name:
            return severity
    choices = ", ".join(s.name.lower() for s in SEVERITIES_WORST_FIRST)
    raise ValueError(f"unknown severity {text!r}: one of {choices}")


def severities_at_least(minimum: Severity) -> Sequence[Severity]:
    """The rated severities at or above `minimum`, worst first."""
    return [s for s in SEVERITIES_WORST_FIRST if s.rated and s >= minimum]
