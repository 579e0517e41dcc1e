"""How the vulnerabilities view's rows read: columns, cells, search texts and sorts.

Three groupings (by vulnerability, by repository, by package) and the images a
row drills into. Unknown values read "—", never a guess: basic scanning never
says whether a fix or an exploit exists, and only Amazon Inspector's API has EPSS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from rich.text import Text

from ecr_tui.core.fleet.groups import (
    AffectedImage,
    PackageGroup,
    RepositoryGroup,
    VulnerabilityGroup,
)
from ecr_tui.core.models import FixAvailable, Severity
from ecr_tui.ui.finding_text import UNKNOWN, exploit_cell, fix_cell, package_cell, severity_cell
from ecr_tui.ui.format import SEVERITY_LABEL, SEVERITY_STYLE_NAME, Palette, short_age
from ecr_tui.ui.table.cells import Cell
from ecr_tui.ui.table.columns import Column

FleetRow = VulnerabilityGroup | RepositoryGroup | PackageGroup


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _severity(severity: Severity, palette: Palette) -> Text:
    return Text(SEVERITY_LABEL[severity], palette(SEVERITY_STYLE_NAME[severity]))


def _score(score: float | None) -> str:
    return UNKNOWN if score is None else f"{score:.1f}"


def _unknown(palette: Palette) -> Text:
    return Text(UNKNOWN, palette("muted"))


def _count(count: int, style: str, palette: Palette) -> Text:
    return Text(f"{count:,}", palette(style)) if count else Text("0", palette("muted"))


_FIX_WORDS = {
    FixAvailable.YES: ("yes", "ok"),
    FixAvailable.PARTIAL: ("some", "medium"),
    FixAvailable.NO: ("none", "muted"),
    FixAvailable.UNKNOWN: (UNKNOWN, "muted"),
}


@dataclass(frozen=True, slots=True)
class Grouping:
    """One way of grouping: its columns, cells, search text and sorts."""

    name: str  # "vulnerability", "repository", "package"
    noun: str  # what its rows are
    columns: Sequence[Column]
    cells: Callable[[Any, Palette], Sequence[Cell]]
    search: Callable[[Any], str]
    sorts: Sequence[tuple[str, Callable[[Any], Any]]]


# Known exploits first, then known none, then unknown (basic scanning never says).
_EXPLOIT_RANK = {"YES": 0, "NO": 1, "": 2}


# -- by vulnerability ----------------------------------------------------------------


def _vulnerability_cells(row: VulnerabilityGroup, palette: Palette) -> list[Cell]:
    fix, style = _FIX_WORDS[row.fix]
    exploit = (
        Text("yes", palette("critical"))
        if row.exploit == "YES"
        else Text(row.exploit.lower() or UNKNOWN, palette("muted"))
    )
    return [
        _severity(row.severity, palette),
        _score(row.score),
        UNKNOWN if row.epss is None else f"{row.epss:.2f}",
        row.cve,
        exploit,
        Text(fix, palette(style)),
        f"{row.repositories:,}",
        f"{row.images:,}",
        short_age(_moment(row.newest_push)),
        ", ".join(row.fixed_in) or UNKNOWN,
        ", ".join(row.packages),
    ]


BY_VULNERABILITY = Grouping(
    "vulnerability",
    "vulnerabilities",
    [
        Column("Severity", 9),
        Column("Score", 5, align="right"),
        Column("EPSS", 4, align="right"),
        Column("Vulnerability", 14),
        Column("Expl", 4),
        Column("Fix", 4),
        Column("Repos", 5, align="right"),
        Column("Images", 6, align="right"),
        Column("Newest", 6),
        Column("Fixed in", 10, flexible=True, max_width=24),
        Column("Packages", 10, flexible=True, grow_order=1),
    ],
    _vulnerability_cells,
    lambda row: f"{row.cve} {row.severity.name} {' '.join(row.packages)}".lower(),
    [
        ("severity, score", lambda r: (-r.severity, -(r.score or 0.0), -r.images, r.cve)),
        ("images", lambda r: (-r.images, -r.severity, r.cve)),
        ("repositories", lambda r: (-r.repositories, -r.severity, r.cve)),
        ("fixable first", lambda r: (_fix_rank(r.fix), -r.severity, -r.images, r.cve)),
        ("newest push", lambda r: (-(r.newest_push or 0.0), -r.severity, r.cve)),
        # Only Amazon Inspector reports EPSS: the vulnerabilities without it go last.
        ("EPSS", lambda r: (r.epss is None, -(r.epss or 0.0), -r.severity, r.cve)),
        ("exploit available", lambda r: (_EXPLOIT_RANK.get(r.exploit, 2), -r.severity, r.cve)),
        ("vulnerability id", lambda r: r.cve),
    ],
)


def _fix_rank(fix: FixAvailable) -> int:
    return [FixAvailable.YES, FixAvailable.PARTIAL, FixAvailable.NO, FixAvailable.UNKNOWN].index(
        fix
    )


# -- by repository ----------------------------------------------------------------------


def _repository_cells(row: RepositoryGroup, palette: Palette) -> list[Cell]:
    worst = row.worst_fixable
    worst_text: Cell = UNKNOWN if worst is None else f"{worst.name} ({worst.package})"
    unrated = row.count(Severity.UNTRIAGED) + row.count(Severity.UNDEFINED)
    return [
        row.repository,
        f"{row.images:,}",
        _count(row.count(Severity.CRITICAL), "critical", palette),
        _count(row.count(Severity.HIGH), "high", palette),
        _count(row.count(Severity.MEDIUM), "medium", palette),
        _count(row.count(Severity.LOW), "low", palette),
        _count(unrated, "muted", palette),
        # None of its findings says whether a fix exists (basic scanning): unknown, not 0.
        _count(row.fixable, "ok", palette)
        if row.fixable_known
        else Text(UNKNOWN, palette("muted")),
        worst_text,
    ]


BY_REPOSITORY = Grouping(
    "repository",
    "repositories",
    [
        Column("Repository", 16, flexible=True, max_width=40),
        Column("Images", 6, align="right"),
        Column("Crit", 6, align="right"),
        Column("High", 6, align="right"),
        Column("Med", 6, align="right"),
        Column("Low", 6, align="right"),
        Column("Unrated", 7, align="right"),
        Column("Fixable", 7, align="right"),
        Column("Worst fixable", 14, flexible=True, grow_order=1),
    ],
    _repository_cells,
    lambda row: row.repository.lower(),
    [
        ("most severe", lambda r: ([-c for c in r.counts], r.repository)),
        ("fixable", lambda r: (not r.fixable_known, -r.fixable, r.repository)),
        ("total", lambda r: (-r.total, r.repository)),
        ("name", lambda r: r.repository),
    ],
)


# -- by package -------------------------------------------------------------------------


def _package_cells(row: PackageGroup, palette: Palette) -> list[Cell]:
    return [
        row.package,
        row.version or UNKNOWN,
        f"{row.findings:,}",
        f"{row.vulnerabilities:,}",
        f"{row.images:,}",
        _severity(row.worst, palette),
        row.fixed_in[-1] if row.fixed_in else _no_fixed_version(row.fix, palette),
    ]


def _no_fixed_version(fix: FixAvailable, palette: Palette) -> Text:
    """No fixed version reported: "none" when its findings say so, else unknown."""
    word = "none" if fix is FixAvailable.NO else UNKNOWN
    return Text(word, palette("muted"))


BY_PACKAGE = Grouping(
    "package",
    "package versions",
    [
        Column("Package", 12, flexible=True, max_width=40),
        Column("Version", 10, flexible=True, max_width=28, grow_order=1),
        Column("Findings", 8, align="right"),
        Column("CVEs", 5, align="right"),
        Column("Images", 6, align="right"),
        Column("Worst", 9),
        Column("Fixed in", 10, flexible=True, grow_order=2),
    ],
    _package_cells,
    lambda row: f"{row.package} {row.version}".lower(),
    [
        ("findings", lambda r: (-r.findings, -r.worst, r.package, r.version)),
        ("worst", lambda r: (-r.worst, -r.findings, r.package)),
        ("images", lambda r: (-r.images, r.package, r.version)),
        ("name", lambda r: (r.package, r.version)),
    ],
)

GROUPINGS = (BY_VULNERABILITY, BY_REPOSITORY, BY_PACKAGE)


# -- the images a row drills into ----------------------------------------------------------


def _affected_cells(row: AffectedImage, palette: Palette) -> list[Cell]:
    image, finding = row.image, row.finding
    tags = ", ".join(image.tags) or f"@{image.short_digest}"
    if row.platform:
        tags += f" ({row.platform})"
    return [
        image.repository,
        tags,
        short_age(image.pushed_at),
        short_age(image.last_pulled_at) if image.last_pulled_seconds else "never",
        severity_cell(finding, palette),
        finding.name,
        exploit_cell(finding, palette),
        fix_cell(finding, palette),
        package_cell(finding),
    ]


AFFECTED_COLUMNS = [
    Column("Repository", 14, flexible=True, max_width=36),
    Column("Tags", 10, flexible=True, max_width=30, grow_order=1),
    Column("Pushed", 6),
    Column("Pulled", 6),
    Column("Severity", 9),
    Column("Vulnerability", 14),
    Column("Expl", 4),
    Column("Fix", 8, flexible=True, max_width=18, grow_order=2),
    Column("Package", 8, flexible=True, grow_order=3),
]


def affected_cells(row: AffectedImage, palette: Palette) -> Sequence[Cell]:
    """An affected image's cells."""
    return _affected_cells(row, palette)


def affected_search(row: AffectedImage) -> str:
    """What `/` finds an affected image by."""
    image = row.image
    return f"{image.repository} {' '.join(image.tags)} {image.digest} {row.finding.name}".lower()


AFFECTED_SORTS: Sequence[tuple[str, Callable[[AffectedImage], Any]]] = (
    ("newest push", lambda a: (-(a.image.pushed_seconds or 0.0), a.key, a.finding.name)),
    ("last pulled", lambda a: (-(a.image.last_pulled_seconds or 0.0), a.key)),
    ("severity", lambda a: (-a.finding.severity, a.key, a.finding.name)),
    ("repository", lambda a: (a.key, a.finding.name)),
)


def repository_columns(rows: Sequence[RepositoryGroup]) -> list[Column]:
    """The by-repository columns, each count as wide as its largest value: a count is
    never cut (the table leaves out whole columns that do not fit, and the name column
    gives up its room first)."""
    largest = [0] * 6  # images, critical, high, medium, low, unrated
    for row in rows:
        unrated = row.count(Severity.UNTRIAGED) + row.count(Severity.UNDEFINED)
        values = (
            row.images,
            row.count(Severity.CRITICAL),
            row.count(Severity.HIGH),
            row.count(Severity.MEDIUM),
            row.count(Severity.LOW),
            unrated,
        )
        largest = [max(a, b) for a, b in zip(largest, values, strict=True)]
    columns = list(BY_REPOSITORY.columns)
    for index, value in enumerate(largest, start=1):
        column = columns[index]
        columns[index] = replace(column, width=max(column.width, len(f"{value:,}")))
    fixable = columns[7]
    most_fixable = max((row.fixable for row in rows), default=0)
    columns[7] = replace(fixable, width=max(fixable.width, len(f"{most_fixable:,}")))
    return columns
