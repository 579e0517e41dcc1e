"""The findings pane: one image's scan findings, worst first, and the scan's state above them.

For an image index (a multi-platform image), the findings of its platforms'
images: merged (each finding once, labelled with its platforms) or one
platform's (`p` steps through them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from ecr_tui.core.findings import (
    by_severity,
    by_severity_then_fix,
    label_platform,
    merge_platform_reports,
    next_min_severity,
)
from ecr_tui.core.models import (
    Finding,
    Image,
    PlatformReport,
    ScanReport,
    ScanState,
    Severity,
)
from ecr_tui.core.remote_reader import Reader
from ecr_tui.ui.finding_text import (
    exploit_cell,
    fix_cell,
    package_cell,
    platforms_cell,
    severity_cell,
)
from ecr_tui.ui.format import (
    Palette,
)
from ecr_tui.ui.panes.base import FOLLOW_DELAY, Pane
from ecr_tui.ui.panes.info_lines import InfoLines
from ecr_tui.ui.panes.scan_summary import (
    platforms_summary,
    scan_empty_text,
    scan_summary,
    scan_summary_short,
)
from ecr_tui.ui.table.cells import Cell
from ecr_tui.ui.table.columns import Column
from ecr_tui.ui.table.widget import VirtualTable

# How long the last image's findings stay while the next image's are fetched
# (usually tens of milliseconds): a quick answer then repaints the pane once, not
# twice (cleared, then filled), and keys pressed meanwhile wait for one frame.
FINDINGS_STAY_SECONDS = 0.2
# How often a scan in progress is asked about again.
SCAN_POLL_SECONDS = 5.0


# How `s` orders the findings: label, key.
FINDING_SORTS: tuple[tuple[str, Callable[[Finding], Any]], ...] = (
    ("severity, score", by_severity),
    ("severity, fix available, score", by_severity_then_fix),
)

# A platform, as the findings pane is given it: its label and its image's digest.
Platform = tuple[str, str]

COLUMNS = [
    Column("Severity", 9),
    Column("Score", 5, align="right"),
    Column("Vulnerability", 14),
    # Where the width is short, the fix gets room first: it is what to upgrade to.
    # Then the package; the installed version last.
    Column("Fix", 14, flexible=True, max_width=18),
    Column("Expl", 4),
    Column("Package", 10, flexible=True, max_width=28, grow_order=1),
    Column("Version", 7, flexible=True, grow_order=2),
]
# In a merged view, which platforms a finding is on: where it is seen, after its id.
PLATFORMS_COLUMN = Column("Platforms", 10)
PLATFORMS_AT = 3


@dataclass(frozen=True, slots=True)
class FindingsFilters:
    """What the findings pane lets through and how it orders it: kept per context."""

    min_severity: Severity = Severity.UNDEFINED
    hide_unrated: bool = False
    fixable_only: bool = False
    sort_index: int = 0
    text: str = ""


class FindingsPane(Pane):
    """The scan findings of one image, worst first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "cycle_min_severity", "Min severity", id="findings.min_severity"),
        Binding("u", "toggle_unrated", "Hide/show unrated", show=False, id="findings.unrated"),
        Binding("f", "toggle_fixable", "Fixable only", id="findings.fixable"),
        Binding("s", "cycle_sort", "Sort", id="findings.sort"),
        Binding("E", "export", "Export", show=False, id="findings.export"),
        Binding(
            "p", "cycle_platform", "Platform (image index)", show=False, id="findings.platform"
        ),
        Binding("escape", "back", "Back", show=False, id="findings.back"),
    ]

    noun = "findings"
    noun_one = "finding"

    class OpenFinding(Message):
        """The user asked for a finding's details."""

        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    class ScanReported(Message):
        """`image`'s scan report is shown: its row in the images pane can say the same."""

        def __init__(self, image: Image, report: ScanReport) -> None:
            super().__init__()
            self.image = image
            self.report = report

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(title, id=id)
        self.image: Image | None = None
        # For an image index: its platforms, their reports, the one shown (None: all).
        self.platforms: tuple[Platform, ...] = ()
        self.platform_reports: tuple[PlatformReport, ...] = ()
        self.platform: str | None = None
        self.report: ScanReport | None = None  # what the table shows
        self.min_severity = Severity.UNDEFINED
        self.hide_unrated = False
        self.fixable_only = False
        self.sort_index = 0
        # The platforms the rows in the table merge (None: no platforms column).
        self._merged_platforms: tuple[str, ...] | None = None
        self._poll: Timer | None = None
        self._placeholder: Timer | None = None

    def compose(self) -> ComposeResult:
        """A summary line above the table."""
        self.summary = InfoLines(classes="summary")
        yield self.summary
        yield from super().compose()

    def make_table(self) -> VirtualTable[Any]:
        """Severity, score, id, fix, exploit, package, version (and platforms)."""
        table: VirtualTable[Finding] = VirtualTable(
            COLUMNS,
            lambda finding, palette: render_finding(finding, palette, self._merged_platforms),
            finding_search_text,
            empty_text="Choose an image.",
            id="findings-table",
        )
        table.set_sort(FINDING_SORTS[0][1])
        return table

    def _platform_labels(self) -> tuple[str, ...] | None:
        """The platforms a merged view spans (None when it is not one: no column)."""
        if len(self.platforms) > 1 and self.platform is None:
            return tuple(label for label, _ in self.platforms)
        return None

    def show(
        self,
        reader: Reader,
        image: Image | None,
        force: bool = False,
        platforms: Sequence[Platform] = (),
    ) -> None:
        """Show `image`'s findings, fetching them only when a scan has results.

        For an image index, `platforms` are its platforms' labels and digests: their
        scans are read (the index has none of its own) and merged.
        """
        if image is None:
            self.reader = reader
            self.show_nothing()
            return
        platforms = tuple(platforms)
        same_platforms = platforms == self.platforms
        if not force and self.reader is reader and same_platforms and self._shows_scan_of(image):
            self.image = image  # a newer record of the same image and scan
            return
        if not force and image == self.image and self.reader is reader and same_platforms:
            return
        self.reader, self.image, self.report = reader, image, None
        self.platform_reports = ()
        if platforms != self.platforms:
            labels = [label for label, _ in platforms]
            self.platform = self.platform if self.platform in labels else None
        self.platforms = platforms
        self._stop_polling()
        self._stop_placeholder()
        if image.scan_state is ScanState.NOT_SCANNED and not platforms:
            self._next_request()
            self._show_columns()
            self._loading_over()
            self._show_title()
            self.summary.update(Text("Not scanned.", self.table.palette("muted")))
            self.table.empty_text = "This image has never been scanned."
            self.refresh_subtitle()
            return
        request = self._next_request(keep_showing=True)
        self._placeholder = self.set_timer(FINDINGS_STAY_SECONDS, self._show_placeholder)
        self.current_load = self._fetch(reader, image, platforms, request)

    def _show_columns(self) -> None:
        """A platforms column while the rows merge several platforms (set with the rows:
        the last image's rows stay in view while the next one's are fetched)."""
        self._merged_platforms = self._platform_labels()
        columns = list(COLUMNS)
        if self._merged_platforms:
            columns.insert(PLATFORMS_AT, PLATFORMS_COLUMN)
        self.table.set_columns(columns)

    def show_nothing(self, why: str = "") -> None:
        """No image: an empty pane that says `why` (by default, to choose one)."""
        self.image, self.report = None, None
        self.platforms, self.platform_reports, self.platform = (), (), None
        self._stop_polling()
        self._stop_placeholder()
        self._next_request()
        self._show_columns()
        self._loading_over()
        self._show_title()
        self.summary.update(Text(why, self.table.palette("muted")))
        self.table.empty_text = why or "Choose an image."
        self.refresh_subtitle()

    def _shows_scan_of(self, image: Image) -> bool:
        """The report shown is `image`'s, of the scan its record describes (a newer
        record of the same image, such as the images pane's after this report)."""
        shown, report = self.image, self.report
        return (
            shown is not None
            and report is not None
            and (shown.repository, shown.digest) == (image.repository, image.digest)
            and report.state.name == image.scan_status
        )

    def _show_title(self) -> None:
        image = self.image
        label = (image.tags[0] if image.tags else image.short_digest) if image else ""
        if label and self.platforms:
            label += f" · {self.platform or f'all {len(self.platforms)} platforms'}"
        self.border_title = f"Findings · {label}" if label else "Findings"

    def _show_placeholder(self) -> None:
        """The findings are slow to come: say so instead of the last image's."""
        self._placeholder = None
        wait = self._images_rest_in()
        if wait > 0:  # as in _show_report
            self._placeholder = self.set_timer(wait, self._show_placeholder)
            return
        self.table.clear()
        self.show_info(None)
        self._show_title()
        self._show_columns()
        self.summary.update("Loading findings…")
        self.table.empty_text = "Loading findings…"
        self.refresh_subtitle()

    def _stop_placeholder(self) -> None:
        if self._placeholder is not None:
            self._placeholder.stop()
            self._placeholder = None

    @work(thread=True, exclusive=True, group="findings", exit_on_error=False)
    def _fetch(
        self, reader: Reader, image: Image, platforms: tuple[Platform, ...], request: int
    ) -> None:
        worker = get_current_worker()

        def cancelled() -> bool:
            return worker.is_cancelled

        if not platforms:
            report = reader.scan_report(image, cancelled)
            self.post_message(self.Loaded(request, [report], done=True))
            return

        # Each platform's image has its own scan: asked for at once, side by side.
        def platform_report(platform: Platform) -> PlatformReport:
            label, digest = platform
            child = Image(image.repository, digest, (), None, None, ScanState.NOT_SCANNED.name)
            return PlatformReport(label, reader.scan_report(child, cancelled))

        with ThreadPoolExecutor(min(len(platforms), 4), "findings-platform") as pool:
            reports = tuple(pool.map(platform_report, platforms))
        self.post_message(self.Loaded(request, [reports], done=True))

    def on_pane_loaded(self, message: Pane.Loaded) -> None:
        """Findings arrive as one report: summary first, then rows."""
        message.stop()
        message.prevent_default()  # Textual would run Pane's handler as well
        if message.rows:
            self._show_report(message.request, message.rows[0])

    def _images_rest_in(self) -> float:
        """Seconds until the images cursor has rested FOLLOW_DELAY (0 or less: it has)."""
        images: VirtualTable[Any] = self.screen.query_one("#images-table", VirtualTable)
        return images.keys_pause_in(FOLLOW_DELAY)

    def _show_report(self, request: int, report: ScanReport | tuple[PlatformReport, ...]) -> None:
        if request != self._request:
            return  # asked about another image since
        self._stop_placeholder()  # the answer is here: no "Loading findings…" now
        # Keys first: while the images cursor moves on, the report waits for it to rest
        # (and if it rests on another image, that one is asked about and this dropped).
        # Painted meanwhile, it was a 15 ms frame that the next key waited for.
        wait = self._images_rest_in()
        if wait > 0:
            self.set_timer(wait, lambda: self._show_report(request, report))
            return
        if isinstance(report, ScanReport):
            self.platform_reports = ()
            self.report = report
        else:
            self.platform_reports = report
        self._loading_over()
        self._show_shown_report()
        scans: list[ScanReport | None] = [r.report for r in self.platform_reports]
        scans = scans or [self.report]
        in_progress = any(r and r.state is ScanState.IN_PROGRESS for r in scans)
        if in_progress and self.reader and self.image:
            self._poll = self.set_timer(SCAN_POLL_SECONDS, self._poll_again)
        # An image's own report only: an index has no scan of its own, and its row is
        # not to take its platforms' merged report for one.
        if self.image is not None and isinstance(report, ScanReport):
            self.post_message(self.ScanReported(self.image, report))

    def _show_shown_report(self) -> None:
        """Summary, rows and title of the report in view (for an index: the platform's)."""
        if self.platform_reports:
            self.report = self._platform_view()
        report = self.report
        self._show_title()
        self._show_columns()
        if report is None:
            return
        # One fixed line: no need to lay the screen out again.
        summary = scan_summary(report, self.table.palette)
        if self.platform_reports:
            summary = platforms_summary(
                self.platform_reports, self.platform, self.table.palette
            ).append_text(summary)
        short = [] if self.platform_reports else scan_summary_short(report, self.table.palette)
        self.summary.update(summary, short)
        self.table.empty_text = scan_empty_text(report)
        self._apply_filters()

    def _platform_view(self) -> ScanReport:
        """The chosen platform's report, or all of them merged."""
        assert self.image is not None
        for platform_report in self.platform_reports:
            if platform_report.platform == self.platform:
                return label_platform(platform_report.report, platform_report.platform)
        return merge_platform_reports(self.image.digest, self.platform_reports)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed fetch must not leave the last image's findings in view.

        (Textual then runs Pane's handler too, which says why in the table.)
        """
        if event.state is WorkerState.ERROR and event.worker.group == self.id:
            self._stop_placeholder()
            self.table.clear()
            self.show_info(None)
            self._show_title()
            self.summary.update("")

    def _poll_again(self) -> None:
        if self.reader is not None and self.image is not None:
            self.current_load = self._fetch(self.reader, self.image, self.platforms, self._request)

    def _stop_polling(self) -> None:
        if self._poll is not None:
            self._poll.stop()
            self._poll = None

    def action_cycle_min_severity(self) -> None:
        """Hide rated findings below LOW, MEDIUM, HIGH, CRITICAL in turn."""
        # An unrated finding stays until `u` hides the unrated.
        self.min_severity = next_min_severity(self.min_severity)
        self._apply_filters()
        shown = "all" if self.min_severity is Severity.UNDEFINED else self.min_severity.name
        message = f"Findings: {shown.lower()}" + (
            "" if self.min_severity is Severity.UNDEFINED else " and worse"
        )
        unrated = self._unrated_count()
        if unrated and self.min_severity is not Severity.UNDEFINED:
            message += (
                f" (and {unrated} unrated: u hides them)"
                if not self.hide_unrated
                else f" ({unrated} unrated hidden: u shows them)"
            )
        self.notify(message, timeout=3)

    def action_toggle_unrated(self) -> None:
        """Hide or show the findings nobody has rated yet (UNTRIAGED, UNDEFINED)."""
        self.hide_unrated = not self.hide_unrated
        self._apply_filters()
        count = self._unrated_count()
        state = "hidden" if self.hide_unrated else "shown"
        self.notify(f"Unrated findings (untriaged, undefined): {count} {state}", timeout=3)

    def action_toggle_fixable(self) -> None:
        """Show only the findings a fixed version exists for, or all again."""
        self.fixable_only = not self.fixable_only
        self._apply_filters()
        self.notify(
            "Findings: only those with a fix available"
            if self.fixable_only
            else "Findings: with or without a fix",
            timeout=2,
        )

    def action_export(self) -> None:
        """Export the findings shown (with the pane's filters) to a file."""
        from ecr_tui.ui.fleet.export_actions import export_image

        if self.image is None or self.report is None:
            self.notify("No findings to export: choose a scanned image first.", timeout=4)
            return
        export_image(self, self.image, self.report, list(self.table.rows))

    @property
    def filters(self) -> FindingsFilters:
        """The filters (`m`, `u`, `f`, `/`) and the sort (`s`) chosen."""
        return FindingsFilters(
            self.min_severity,
            self.hide_unrated,
            self.fixable_only,
            self.sort_index,
            self.filter_box.value,
        )

    def restore_filters(self, filters: FindingsFilters) -> None:
        """Filter and sort as `filters` says, silently (a context's own, restored)."""
        self.min_severity, self.hide_unrated = filters.min_severity, filters.hide_unrated
        self.fixable_only = filters.fixable_only
        self.sort_index = filters.sort_index % len(FINDING_SORTS)
        self.table.set_sort(FINDING_SORTS[self.sort_index][1])
        self.set_filter(filters.text)
        self._apply_filters()

    def action_cycle_sort(self) -> None:
        """Order by severity then score, or by severity, fix available, then score."""
        self.sort_index = (self.sort_index + 1) % len(FINDING_SORTS)
        label, key = FINDING_SORTS[self.sort_index]
        self.table.set_sort(key)
        self.refresh_subtitle()
        self.notify(f"Findings sorted by {label}", timeout=2)

    def action_cycle_platform(self) -> None:
        """For an image index: all platforms merged, then each platform in turn."""
        if len(self.platforms) < 2:
            self.notify("This image has one platform: nothing to choose.", timeout=3)
            return
        labels: list[str | None] = [None, *(label for label, _ in self.platforms)]
        self.platform = labels[(labels.index(self.platform) + 1) % len(labels)]
        self._show_shown_report()
        shown = self.platform or f"all {len(self.platforms)} platforms, merged"
        self.notify(f"Findings: {shown}", timeout=2)

    def _unrated_count(self) -> int:
        findings = self.report.findings if self.report else ()
        return sum(not f.severity.rated for f in findings)

    def _shown(self, finding: Finding) -> bool:
        """Whether the filters (`m`, `u`, `f`) let `finding` through."""
        if finding.severity.rated:
            if finding.severity < self.min_severity:
                return False
        elif self.hide_unrated:
            return False
        return not self.fixable_only or finding.fix.fixable

    def _apply_filters(self) -> None:
        findings = self.report.findings if self.report else ()
        self.table.set_rows(f for f in findings if self._shown(f))
        if self.report is not None and self.report.findings and not self.table.rows:
            self.table.empty_text = self._filtered_empty_text()
        self.refresh_subtitle()

    def _filtered_empty_text(self) -> str:
        report = self.report
        if self.fixable_only and report and all(f.source == "basic" for f in report.findings):
            return "No finding with a known fix: basic scanning does not report fixes."
        return "No finding passes the filters (m, u, f)."

    def refresh_subtitle(self) -> None:
        super().refresh_subtitle()
        parts = [str(self.border_subtitle or "")]
        hidden = (len(self.report.findings) if self.report else 0) - self.table.total_rows
        if hidden > 0:
            parts.append(f"{hidden} hidden")
        if self.min_severity is not Severity.UNDEFINED:
            unrated = "" if self.hide_unrated else " + unrated"
            parts.append(f"≥ {self.min_severity.name.lower()}{unrated}")
        elif self.hide_unrated:
            parts.append("rated only")
        if self.fixable_only:
            parts.append("fixable only")
        if self.sort_index:
            parts.append("fix first")
        self.border_subtitle = " · ".join(parts)

    def action_back(self) -> None:
        """Back to the images."""
        self.screen.query_one("#images-table").focus()

    @on(VirtualTable.RowSelected, "#findings-table")
    def _selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.OpenFinding(event.row))

    @on(VirtualTable.RowHighlighted, "#findings-table")
    def _highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        event.stop()

    def show_info(self, finding: Finding | None) -> None:
        """The highlighted finding's platforms (for an index) and link."""
        if finding is None:
            self.set_info("")
            return
        link = finding.uri or finding.name
        where = ", ".join(finding.platforms)
        self.set_info(Text(f"{where} · {link}" if where else link))


def render_finding(
    finding: Finding, palette: Palette, platforms: tuple[str, ...] | None = None
) -> list[Cell]:
    """One finding row (with its platforms when the view merges several)."""
    cells: list[Cell] = [
        severity_cell(finding, palette),
        f"{finding.score:.1f}" if finding.score is not None else "",
        finding.name,
        fix_cell(finding, palette),
        exploit_cell(finding, palette),
        package_cell(finding),
        finding.package_version,
    ]
    if platforms is not None:
        cells.insert(PLATFORMS_AT, platforms_cell(finding, platforms))
    return cells


def finding_search_text(finding: Finding) -> str:
    """What `/` matches: id, severity, every package and version, platforms."""
    packages = " ".join(f"{p.name} {p.version}" for p in finding.packages)
    return f"{finding.name} {finding.severity.name} {packages} {' '.join(finding.platforms)}"
