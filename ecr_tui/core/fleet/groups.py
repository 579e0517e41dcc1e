"""Findings of many images, grouped three ways as they arrive: `FleetFindings`.

By vulnerability (where do we run CVE-X, and can we fix it), by repository
(what is open where), by package (which package versions bring the most).
Each report is folded into running totals as it arrives, so a view can show
the groups at any moment of a fan-out without going over every finding again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ecr_tui.core.findings import by_severity_then_fix
from ecr_tui.core.fleet.finding_table import FindingTable
from ecr_tui.core.fleet.scope import Scope
from ecr_tui.core.models import (
    FIX_NOT_AVAILABLE,
    SEVERITIES_WORST_FIRST,
    Finding,
    FixAvailable,
    Image,
    ScanReport,
    Severity,
)

ImageKey = tuple[str, str]  # (repository, digest)


@dataclass(frozen=True, slots=True)
class AffectedImage:
    """An image a finding is in: what to show, and where to go from it."""

    image: Image
    finding: Finding
    platform: str = ""  # the platform of a multi-platform image, when known

    @property
    def key(self) -> ImageKey:
        return (self.image.repository, self.image.digest)


@dataclass(frozen=True, slots=True)
class VulnerabilityGroup:
    """One vulnerability across the images in scope."""

    cve: str
    severity: Severity  # the worst any image's finding has
    score: float | None  # the highest score reported
    epss: float | None  # only Amazon Inspector's API reports EPSS: None otherwise
    exploit: str  # YES when any report says so, NO when all say no, "" when none says
    fix: FixAvailable  # YES: fixable in every image; PARTIAL: in some; NO; UNKNOWN
    repositories: int
    images: int
    newest_push: float | None  # the newest affected image's push, epoch seconds
    packages: tuple[str, ...]  # "name version" of the vulnerable packages seen
    fixed_in: tuple[str, ...]  # the fixed versions reported
    description: str


@dataclass(frozen=True, slots=True)
class RepositoryGroup:
    """A repository's open findings on the images counted (see `FleetFindings.by_repository`)."""

    repository: str
    images: int  # images counted, of those in scope with findings read
    counts: tuple[int, ...]  # findings per severity, SEVERITIES_WORST_FIRST order
    fixable: int  # findings with a fix available
    worst_fixable: Finding | None  # the worst finding with a fix, if any
    # Findings whose report says whether a fix exists (YES, PARTIAL, NO): basic
    # scanning never says, and a row where none says has an unknown fixable count.
    fix_known: int = 0
    # Findings left out by "fix available" because their fix status is unknown.
    unknown_fix_left_out: int = 0

    @property
    def fixable_known(self) -> bool:
        """Whether `fixable` is a count: some finding counted says whether it has a fix."""
        return self.fix_known > 0 or not (self.total or self.unknown_fix_left_out)

    @property
    def total(self) -> int:
        return sum(self.counts)

    def count(self, severity: Severity) -> int:
        return self.counts[SEVERITIES_WORST_FIRST.index(severity)]


@dataclass(frozen=True, slots=True)
class PackageGroup:
    """One package version and the findings it brings."""

    package: str
    version: str
    findings: int  # (image, vulnerability) pairs
    vulnerabilities: int
    images: int
    worst: Severity
    fixed_in: tuple[str, ...]  # the versions that fix its findings (highest last)
    fix: FixAvailable = FixAvailable.UNKNOWN  # across its findings (see `fix_across`)


@dataclass
class _Vulnerability:
    finding: Finding
    # The distinct findings (interned, by id) whose facts are folded in: images
    # built on one base share their findings, and each one's facts count once.
    folded: set[int] = field(default_factory=set)
    # Images counted once each: an image's findings are all folded in one go, so
    # the last image counted is the one to compare with (no set of 500,000 keys).
    images: int = 0
    last_image: ImageKey | None = None
    repositories: set[str] = field(default_factory=set)
    severity: Severity = Severity.UNDEFINED
    score: float | None = None
    exploit: set[str] = field(default_factory=set)
    fix: set[FixAvailable] = field(default_factory=set)
    newest_push: float | None = None
    packages: set[str] = field(default_factory=set)
    fixed_in: set[str] = field(default_factory=set)


@dataclass
class _ImageTally:
    """One image's findings, counted: a repository's row sums those of the images it counts."""

    image: Image
    counts: list[int] = field(default_factory=lambda: [0] * len(SEVERITIES_WORST_FIRST))
    fixable: int = 0
    fix_known: int = 0
    unknown_fix_left_out: int = 0
    worst_fixable: Finding | None = None


@dataclass
class _Repository:
    images: dict[str, _ImageTally] = field(default_factory=dict)  # by digest


@dataclass
class _Package:
    findings: int = 0
    vulnerabilities: set[str] = field(default_factory=set)
    images: int = 0  # counted as a vulnerability's (see `_Vulnerability`)
    last_image: ImageKey | None = None
    worst: Severity = Severity.UNDEFINED
    fixed_in: set[str] = field(default_factory=set)
    fix: set[FixAvailable] = field(default_factory=set)


_INDEX = {severity: n for n, severity in enumerate(SEVERITIES_WORST_FIRST)}


class FleetFindings:
    """The findings of the images read so far, filtered by a scope; thread-safe."""

    def __init__(
        self,
        scope: Scope,
        *,
        grouped: bool = True,
        epss: dict[str, float] | None = None,
        table: FindingTable | None = None,
    ) -> None:
        self.scope = scope
        # EPSS by vulnerability, where a source reports it (Amazon Inspector does):
        # shared with the findings refiltered from these, and a view's own.
        self.epss: dict[str, float] = {} if epss is None else epss
        # Without the groups: the images' findings only, to refilter later (half the work).
        self.grouped = grouped
        self._lock = threading.Lock()
        self._vulnerabilities: dict[str, _Vulnerability] = {}
        self._repositories: dict[str, _Repository] = {}
        self._packages: dict[tuple[str, str], _Package] = {}
        # The images and findings of each vulnerability, in two lists side by side
        # (`AffectedImage`s once asked for): a tuple a pair costs 64 bytes, of 500,000.
        self._affected: dict[str, tuple[list[Image], list[Finding]]] = {}
        self._by_image: dict[ImageKey, tuple[Image, list[Finding]]] = {}
        self._platforms: dict[ImageKey, str] = {}
        # One object per distinct finding: images built on one base share them. Shared
        # with the findings refiltered from these, and a view's own.
        self.table = FindingTable() if table is None else table
        # Groups built, and the vulnerabilities changed since: a view that asks
        # every half second while reports arrive rebuilds only what changed.
        self._built: dict[str, VulnerabilityGroup] = {}
        self._changed: set[str] = set()
        self._facts_changed: set[str] = set()  # more than counts: severity, packages...
        # "Fix available" leaves out the findings whose fix status is unknown: counted,
        # as they are not known to have no fix (basic scanning never says).
        self._unless_fixable = replace(scope, fixable=False) if scope.fixable else None
        self.unknown_fix_left_out = 0

    def add(self, image: Image, report: ScanReport, platform: str = "") -> int:
        """Fold one image's report in; return how many of its findings are kept."""
        return self.add_findings(image, report.findings, platform)

    def add_findings(self, image: Image, found: Iterable[Finding], platform: str = "") -> int:
        """Fold one image's findings in; return how many are kept."""
        found = list(found)
        kept = [f for f in found if self.scope.keeps_finding(f)]
        left_out = 0
        if self._unless_fixable is not None:
            unless = self._unless_fixable
            left_out = sum(
                1 for f in found if f.fix is FixAvailable.UNKNOWN and unless.keeps_finding(f)
            )
        with self._lock:
            key = (image.repository, image.digest)
            if key in self._by_image:
                return 0  # the same image twice (listed twice, or retried): counted once
            findings = [self.table.one(f) for f in kept]
            self._by_image[key] = (image, findings)
            self.unknown_fix_left_out += left_out
            if platform:
                self._platforms[key] = platform
            if not self.grouped:
                return len(findings)
            repository = self._repositories.setdefault(image.repository, _Repository())
            tally = repository.images[image.digest] = _ImageTally(image)
            tally.unknown_fix_left_out = left_out
            for finding in findings:
                self._fold(image, key, finding, tally)
        return len(kept)

    def platform_of(self, image: Image) -> str:
        """The platform an image was read as (one of a tagged index's), else ""."""
        with self._lock:
            return self._platforms.get((image.repository, image.digest), "")

    def refiltered(self, scope: Scope) -> FleetFindings:
        """The same images' findings under another scope's findings filters.

        Its image filters cannot add what was never read: the images are these.
        """
        other = FleetFindings(scope, epss=self.epss, table=self.table)
        with self._lock:
            images = list(self._by_image.values())
            platforms = dict(self._platforms)
        for image, findings in images:
            key = (image.repository, image.digest)
            other.add_findings(image, findings, platforms.get(key, ""))
        return other

    def add_epss(self, cve: str, epss: float) -> None:
        """EPSS for a vulnerability, when a source reports it (Amazon Inspector does)."""
        with self._lock:
            known = self.epss.get(cve)
            if known is not None and known >= epss:
                return  # told again (each finding of it says it): its row is as it was
            self.epss[cve] = epss
            if cve in self._vulnerabilities:
                self._changed.add(cve)
                self._facts_changed.add(cve)

    def _fold(
        self,
        image: Image,
        key: ImageKey,
        finding: Finding,
        tally: _ImageTally,
    ) -> None:
        cve = finding.name
        vulnerability = self._vulnerabilities.get(cve)
        if vulnerability is None:
            vulnerability = self._vulnerabilities[cve] = _Vulnerability(finding)
        if id(finding) not in vulnerability.folded:  # interned: the id is stable
            vulnerability.folded.add(id(finding))
            self._fold_facts(vulnerability, finding)
            self._facts_changed.add(cve)
        self._changed.add(cve)
        if vulnerability.last_image != key:
            vulnerability.last_image = key
            vulnerability.images += 1
        vulnerability.repositories.add(image.repository)
        pushed = image.pushed_seconds
        if pushed is not None and (vulnerability.newest_push or 0.0) < pushed:
            vulnerability.newest_push = pushed
        for package in finding.packages:
            self._count_package(package.name, package.version, key)
        if not finding.packages:
            self._count_package("(no package)", "", key)
        affected = self._affected.get(cve)
        if affected is None:
            affected = self._affected[cve] = ([], [])
        affected[0].append(image)
        affected[1].append(finding)
        tally.counts[_INDEX[finding.severity]] += 1
        if finding.fix is not FixAvailable.UNKNOWN:
            tally.fix_known += 1
        if finding.fix.fixable:
            tally.fixable += 1
            worst = tally.worst_fixable
            if worst is None or by_severity_then_fix(finding) < by_severity_then_fix(worst):
                tally.worst_fixable = finding

    def _fold_facts(self, vulnerability: _Vulnerability, finding: Finding) -> None:
        """What one distinct finding says of its vulnerability and packages."""
        cve = finding.name
        vulnerability.severity = max(vulnerability.severity, finding.severity)
        if finding.score is not None:
            vulnerability.score = max(finding.score, vulnerability.score or 0.0)
        vulnerability.exploit.add(finding.exploit)
        vulnerability.fix.add(finding.fix)
        for package in finding.packages:
            vulnerability.packages.add(f"{package.name} {package.version}".strip())
            if package.fixed_in not in ("", FIX_NOT_AVAILABLE):
                vulnerability.fixed_in.add(package.fixed_in)
            self._package_facts(package.name, package.version, cve, finding)
        if not finding.packages:
            self._package_facts("(no package)", "", cve, finding)

    def _package_facts(self, name: str, version: str, cve: str, finding: Finding) -> None:
        package = self._package(name, version)
        package.vulnerabilities.add(cve)
        package.worst = max(package.worst, finding.severity)
        package.fix.add(finding.fix)
        for vulnerable in finding.packages:
            if vulnerable.name == name and vulnerable.fixed_in not in ("", FIX_NOT_AVAILABLE):
                package.fixed_in.add(vulnerable.fixed_in)

    def _count_package(self, name: str, version: str, key: ImageKey) -> None:
        package = self._package(name, version)
        package.findings += 1
        if package.last_image != key:
            package.last_image = key
            package.images += 1

    def _package(self, name: str, version: str) -> _Package:
        package = self._packages.get((name, version))
        if package is None:
            package = self._packages[(name, version)] = _Package()
        return package

    # -- reading -------------------------------------------------------------------

    @property
    def image_count(self) -> int:
        """Images whose reports are in."""
        return len(self._by_image)

    @property
    def finding_count(self) -> int:
        """(image, finding) pairs kept."""
        with self._lock:
            return sum(len(findings) for _, findings in self._by_image.values())

    def by_vulnerability(self) -> list[VulnerabilityGroup]:
        """Every vulnerability, worst first; then the most images."""
        self._need_groups()
        with self._lock:
            for cve in self._changed:
                built = None if cve in self._facts_changed else self._built.get(cve)
                self._built[cve] = _vulnerability_group(
                    cve, self._vulnerabilities[cve], self.epss.get(cve), built
                )
            self._changed.clear()
            self._facts_changed.clear()
            groups = list(self._built.values())
        groups.sort(key=lambda g: (-g.severity, -(g.score or 0.0), -g.images, g.cve))
        return groups

    def by_repository(self, every_image: bool = True) -> list[RepositoryGroup]:
        """The repositories' open findings, the most severe first.

        On every image read; or, without `every_image`, on the images that matter:
        those pulled in the scope's last N days when it has that filter (every image
        read is), else each repository's latest tagged image read (the newest push
        among its tagged ones), and a repository with no tagged image read has no row.
        """
        self._need_groups()
        every_image = every_image or self.scope.pulled_within_days is not None
        with self._lock:
            groups = []
            for name, repository in self._repositories.items():
                tallies = list(repository.images.values())
                if not every_image:
                    tallies = _latest_tagged(tallies)
                if tallies:
                    groups.append(_repository_group(name, tallies))
        groups.sort(key=lambda g: ([-c for c in g.counts], g.repository))
        return groups

    @property
    def repository_count(self) -> int:
        """Repositories with an image read."""
        with self._lock:
            return len(self._repositories)

    def by_package(self) -> list[PackageGroup]:
        """Every package version, those that bring the most findings first."""
        self._need_groups()
        with self._lock:
            groups = [
                PackageGroup(
                    name,
                    version,
                    p.findings,
                    len(p.vulnerabilities),
                    p.images,
                    p.worst,
                    tuple(sorted(p.fixed_in, key=_version_key)),
                    fix_across(p.fix),
                )
                for (name, version), p in self._packages.items()
            ]
        groups.sort(key=lambda g: (-g.findings, -g.worst, g.package, g.version))
        return groups

    def vulnerability(self, cve: str) -> VulnerabilityGroup | None:
        """One vulnerability, or None when no image in scope has it (case-insensitive)."""
        self._need_groups()
        with self._lock:
            found = self._find(cve)
            if not found:
                return None
            return _vulnerability_group(found, self._vulnerabilities[found], self.epss.get(found))

    def affected_images(self, cve: str) -> list[AffectedImage]:
        """Every image with this vulnerability, the newest push first."""
        self._need_groups()
        with self._lock:
            found = self._find(cve)
            images, findings = self._affected.get(found, ([], []))
            platforms = self._platforms
            affected = [
                AffectedImage(image, finding, platforms.get((image.repository, image.digest), ""))
                for image, finding in zip(images, findings, strict=True)
            ]
        affected.sort(key=lambda a: (-(a.image.pushed_seconds or 0.0), a.key))
        return affected

    def images_of(self, repository: str) -> list[tuple[Image, list[Finding]]]:
        """A repository's images read, with their kept findings (worst first)."""
        with self._lock:
            found = [
                (image, sorted(findings, key=by_severity_then_fix))
                for (name, _), (image, findings) in self._by_image.items()
                if name == repository
            ]
        found.sort(key=lambda pair: -(pair[0].pushed_seconds or 0.0))
        return found

    def images_with_package(self, package: str, version: str) -> list[AffectedImage]:
        """Every (image, finding) where this package version is vulnerable."""
        with self._lock:
            pairs = [
                AffectedImage(image, finding)
                for image, findings in self._by_image.values()
                for finding in findings
                if any(p.name == package and p.version == version for p in finding.packages)
                or (package == "(no package)" and not finding.packages)
            ]
        pairs.sort(key=lambda a: (a.key, a.finding.name))
        return pairs

    def all_findings(self) -> Iterable[AffectedImage]:
        """Every (image, finding) kept, by repository, image and severity."""
        with self._lock:
            items = sorted(self._by_image.items())
        for key, (image, findings) in items:
            platform = self._platforms.get(key, "")
            for finding in sorted(findings, key=by_severity_then_fix):
                yield AffectedImage(image, finding, platform)

    def _need_groups(self) -> None:
        if not self.grouped:
            raise ValueError("these findings keep no groups (grouped=False): refilter them first")

    def _find(self, cve: str) -> str:
        if cve in self._vulnerabilities:
            return cve
        wanted = cve.strip().upper()
        return next((known for known in self._vulnerabilities if known.upper() == wanted), "")


def _vulnerability_group(
    cve: str, v: _Vulnerability, epss: float | None, built: VulnerabilityGroup | None = None
) -> VulnerabilityGroup:
    """The group of `v`; with `built` (its facts unchanged since), only its counts anew."""
    if built is not None:  # the sorted packages and versions cost the most: kept
        return VulnerabilityGroup(
            cve,
            built.severity,
            built.score,
            built.epss,
            built.exploit,
            built.fix,
            len(v.repositories),
            v.images,
            v.newest_push,
            built.packages,
            built.fixed_in,
            built.description,
        )
    return VulnerabilityGroup(
        cve=cve,
        severity=v.severity,
        score=v.score,
        epss=epss,
        exploit="YES" if "YES" in v.exploit else ("NO" if v.exploit == {"NO"} else ""),
        fix=fix_across(v.fix),
        repositories=len(v.repositories),
        images=v.images,
        newest_push=v.newest_push,
        packages=tuple(sorted(v.packages)),
        fixed_in=tuple(sorted(v.fixed_in, key=_version_key)),
        description=v.finding.description,
    )


def _latest_tagged(tallies: list[_ImageTally]) -> list[_ImageTally]:
    """The tagged image of the newest push, alone; none when no image is tagged."""
    tagged = [t for t in tallies if t.image.tags]
    if not tagged:
        return []
    return [max(tagged, key=lambda t: (t.image.pushed_seconds or 0.0, t.image.digest))]


def _repository_group(name: str, tallies: list[_ImageTally]) -> RepositoryGroup:
    counts = [sum(column) for column in zip(*(t.counts for t in tallies), strict=True)]
    worst: Finding | None = None
    for tally in tallies:
        candidate = tally.worst_fixable
        if candidate is not None and (
            worst is None or by_severity_then_fix(candidate) < by_severity_then_fix(worst)
        ):
            worst = candidate
    return RepositoryGroup(
        repository=name,
        images=len(tallies),
        counts=tuple(counts),
        fixable=sum(t.fixable for t in tallies),
        worst_fixable=worst,
        fix_known=sum(t.fix_known for t in tallies),
        unknown_fix_left_out=sum(t.unknown_fix_left_out for t in tallies),
    )


def fix_across(seen: set[FixAvailable]) -> FixAvailable:
    """Fixable everywhere (YES), somewhere (PARTIAL), nowhere (NO), or unknown.

    NO only when every finding says so: one whose fix status is unknown (basic
    scanning never says) may have a fix, so no known fix with it is UNKNOWN.
    """
    fixable = {f for f in seen if f.fixable}
    if not fixable:
        return FixAvailable.NO if seen == {FixAvailable.NO} else FixAvailable.UNKNOWN
    if seen == {FixAvailable.YES}:
        return FixAvailable.YES
    return FixAvailable.PARTIAL


def _version_key(version: str) -> tuple[object, ...]:
    """Versions compared by their numbers where they have them: 1.10 after 1.9."""
    parts: list[object] = []
    for chunk in version.replace("-", ".").replace("+", ".").replace(":", ".").split("."):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return tuple(parts)
