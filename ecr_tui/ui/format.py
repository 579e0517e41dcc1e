"""How sizes, times and severities read on screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.style import Style
from rich.text import Text

from ecr_tui.core.models import SEVERITIES_WORST_FIRST, ScanState, Severity, SeverityCounts

# A function from a semantic name ("critical", "muted", ...) to a theme style.
Palette = Callable[[str], Style]

SEVERITY_LETTER = {
    Severity.CRITICAL: "C",
    Severity.HIGH: "H",
    Severity.MEDIUM: "M",
    Severity.LOW: "L",
    Severity.INFORMATIONAL: "I",
    Severity.UNTRIAGED: "U",
    Severity.UNDEFINED: "?",
}

# Severities as the findings table names them: whole in its 9 columns.
SEVERITY_LABEL = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFORMATIONAL: "Info",
    Severity.UNTRIAGED: "Untriaged",
    Severity.UNDEFINED: "Undefined",
}

# The counts the images pane's scan column shows: what needs triage. UNTRIAGED
# is among them (Inspector has not rated it: it may be anything); informational
# and basic scanning's undefined only show, as "N other", when nothing else does.
COLUMN_SEVERITIES = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.UNTRIAGED,
)

SEVERITY_STYLE_NAME = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "high",
    Severity.MEDIUM: "medium",
    Severity.LOW: "low",
    Severity.INFORMATIONAL: "muted",
    Severity.UNTRIAGED: "muted",
    Severity.UNDEFINED: "muted",
}

SCAN_STYLE_NAME = {
    ScanState.COMPLETE: "ok",
    ScanState.IN_PROGRESS: "medium",
    ScanState.FAILED: "critical",
    ScanState.NOT_SCANNED: "muted",
    ScanState.UNSUPPORTED: "muted",
    ScanState.FINDINGS_UNAVAILABLE: "muted",
    ScanState.ELIGIBILITY_EXPIRED: "muted",
    ScanState.LIMIT_EXCEEDED: "medium",
    ScanState.IMAGE_ARCHIVED: "muted",
    ScanState.IMAGE_SIZE_EXCEEDED: "medium",
    ScanState.UNKNOWN: "medium",  # a status ECR added since: worth a look
}


def human_size(size: int | None) -> str:
    """Bytes in binary units, as `docker images` and the ECR console show them.

    At most 9 characters ("999.9 MiB"): from 1,000 of a unit on, the next one
    ("1.0 GiB"), so the size column never has to cut a size.
    """
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        shown = f"{value:.0f}" if unit == "B" else f"{value:.1f}"
        if float(shown) < 1000:
            return f"{shown} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def utc_now() -> datetime:
    """The clock ages are measured against (tests pin it for stable snapshots)."""
    return datetime.now(UTC)


def relative_time(moment: datetime | None, now: datetime | None = None) -> str:
    """A short age such as '5m ago', '3d ago' or '2y ago'."""
    if moment is None:
        return "never"
    now = now or utc_now()
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "just now"
    for limit, divisor, unit in (
        (60, 1, "s"),
        (3600, 60, "m"),
        (86400, 3600, "h"),
        (86400 * 60, 86400, "d"),
        (86400 * 730, 86400 * 30, "mo"),
    ):
        if seconds < limit:
            return f"{int(seconds // divisor)}{unit} ago"
    return f"{int(seconds // (86400 * 365))}y ago"


def short_age(moment: datetime | None) -> str:
    """An age for a narrow column: '5m', '3d', 'never', 'now' (at most 5 characters)."""
    age = relative_time(moment)
    return "now" if age == "just now" else age.removesuffix(" ago")


def absolute_time(moment: datetime | None) -> str:
    """A UTC timestamp to the second, so times read the same over SSH anywhere."""
    if moment is None:
        return "never"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def short_date(moment: datetime | None) -> str:
    """Year-month-day, for columns."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d") if moment else "-"


def severity_counts_text(counts: SeverityCounts, palette: Palette, width: int = 0) -> Text:
    """'C1 H4 M12 L3 U2' with each count in its colour; within `width` (when given) the
    worst first and '+N' for the rest, so that no count is ever cut in the middle."""
    parts = [
        (f"{SEVERITY_LETTER[severity]}{count}", SEVERITY_STYLE_NAME[severity], count)
        for severity in COLUMN_SEVERITIES
        if (count := counts.get(severity))
    ]
    if not parts:
        return Text(f"{counts.total} other", palette("muted")) if counts.total else Text()
    shown = len(parts)
    if width:
        while shown > 1 and _counts_length(parts, shown) > width:
            shown -= 1
    text = Text()
    for label, style, _ in parts[:shown]:
        if text:
            text.append(" ")
        text.append(label, palette(style))
    if shown < len(parts):
        text.append(f" +{sum(count for _, _, count in parts[shown:])}", palette("muted"))
    return text


def _counts_length(parts: list[tuple[str, str, int]], shown: int) -> int:
    """The length of the first `shown` counts, with '+N' for the others."""
    length = sum(len(label) for label, _, _ in parts[:shown]) + shown - 1
    rest = sum(count for _, _, count in parts[shown:])
    return length + (len(f" +{rest}") if rest else 0)


def severity_letters_text(counts: SeverityCounts, palette: Palette) -> Text:
    """Every severity's count, shortest: 'C1 H4 M12 L3 I2 U5', each in its colour."""
    return Text(" ").join(
        Text(f"{SEVERITY_LETTER[s]}{counts.get(s)}", palette(SEVERITY_STYLE_NAME[s]))
        for s in SEVERITIES_WORST_FIRST
        if counts.get(s)
    )


def severity_summary_text(counts: SeverityCounts, palette: Palette) -> Text:
    """'2 critical · 5 high · ...' for the findings pane header."""
    text = Text()
    for severity in SEVERITIES_WORST_FIRST:
        count = counts.get(severity)
        if count:
            if text:
                text.append(" · ")
            text.append(f"{count} {severity.name.lower()}", palette(SEVERITY_STYLE_NAME[severity]))
    return text or Text("no findings", palette("ok"))
