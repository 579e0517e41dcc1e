"""What the findings pane says above and instead of its table: the scan's state,
its counts (in shorter forms for a narrow pane), and which platforms answered."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from ecr_tui.core.models import PlatformReport, ScanReport, ScanState
from ecr_tui.ui.format import (
    SCAN_STYLE_NAME,
    Palette,
    relative_time,
    severity_letters_text,
    severity_summary_text,
)


def platforms_summary(
    reports: Sequence[PlatformReport], chosen: str | None, palette: Palette
) -> Text:
    """Which platforms the findings below come from, and which have no results."""
    if chosen is not None:
        index = next(n for n, r in enumerate(reports) if r.platform == chosen)
        return Text(f"{chosen} ({index + 1} of {len(reports)}) · ", palette("muted"))
    missing = [r for r in reports if r.report.state is not ScanState.COMPLETE]
    if not missing:
        return Text(f"all {len(reports)} platforms · ", palette("muted"))
    gaps = ", ".join(f"{r.platform}: {r.report.state.value}" for r in missing)
    complete = len(reports) - len(missing)
    return Text(f"{complete} of {len(reports)} platforms ({gaps}) · ", palette("medium"))


def scan_summary(report: ScanReport, palette: Palette) -> Text:
    """The line above the findings: state, counts, when."""
    if report.state is ScanState.COMPLETE:
        text = severity_summary_text(report.summary, palette)
        if report.completed_at:
            text.append(f"  scanned {relative_time(report.completed_at)}", palette("muted"))
        return text
    style = palette(SCAN_STYLE_NAME.get(report.state, "medium"))
    return Text(f"{scan_summary_words(report)} {report.description}".strip(), style)


def scan_summary_short(report: ScanReport, palette: Palette) -> list[Text]:
    """Shorter forms of the summary, for a narrow pane: 'C3 H9 M27 L24 I3 U7', with and
    without when (a cut count, '7 unde…', would mislead)."""
    if report.state is not ScanState.COMPLETE or not report.summary.total:
        return []
    letters = severity_letters_text(report.summary, palette)
    if not report.completed_at:
        return [letters]
    when = Text(f"  scanned {relative_time(report.completed_at)}", palette("muted"))
    return [letters + when, letters]


_SCAN_HEADLINE = {
    ScanState.IN_PROGRESS: "Scan in progress.",
    ScanState.FAILED: "Scan failed.",
    ScanState.NOT_SCANNED: "Not scanned.",
    ScanState.UNSUPPORTED: "Scan unsupported.",
    ScanState.FINDINGS_UNAVAILABLE: "Findings unavailable.",
    ScanState.ELIGIBILITY_EXPIRED: "Scan eligibility expired.",
    ScanState.LIMIT_EXCEEDED: "Scan limit exceeded.",
    ScanState.IMAGE_ARCHIVED: "Archived: not scanned while in the archive.",
    ScanState.IMAGE_SIZE_EXCEEDED: "Too large for ECR to scan.",
}


def scan_empty_text(report: ScanReport) -> str:
    """What the table says when it has no finding to list."""
    known = {
        ScanState.COMPLETE: "No findings: nothing known to be vulnerable.",
        ScanState.IN_PROGRESS: "Scan in progress: findings appear here when it completes.",
        ScanState.FAILED: f"Scan failed. {report.description}",
        ScanState.NOT_SCANNED: "This image has never been scanned.",
        ScanState.UNSUPPORTED: f"ECR cannot scan this image. {report.description}",
        ScanState.FINDINGS_UNAVAILABLE: f"Findings unavailable. {report.description}",
    }
    text = known.get(report.state)
    if text is None:  # every other status: ECR's words, not ours
        text = f"{scan_summary_words(report)} {report.description}".strip()
    return text


def scan_summary_words(report: ScanReport) -> str:
    """The headline of a scan state, an unknown one as ECR names it."""
    return _SCAN_HEADLINE.get(report.state) or f"Scan status {report.status or 'unknown'}."
