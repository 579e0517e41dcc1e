"""The findings pane: one image's scan findings, worst first, and the scan's state above them."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from ecr_tui.core.models import Finding, Image, ScanReport, ScanState, Severity
from ecr_tui.core.remote_reader import Reader
from ecr_tui.ui.format import (
    SCAN_STYLE_NAME,
    SEVERITY_LABEL,
    SEVERITY_STYLE_NAME,
    Palette,
    relative_time,
    severity_letters_text,
    severity_summary_text,
)
from ecr_tui.ui.panes.base import FOLLOW_DELAY, Pane
from ecr_tui.ui.panes.info_lines import InfoLines
from ecr_tui.ui.table.columns import Column
from ecr_tui.ui.table.widget import Cell, VirtualTable

# How long the last image's findings stay while the next image's are fetched
# (usually tens of milliseconds): a quick answer then repaints the pane once, not
# twice (cleared, then filled), and keys pressed meanwhile wait for one frame.
FINDINGS_STAY_SECONDS = 0.2
# How often a scan in progress is asked about again.
SCAN_POLL_SECONDS = 5.0


# Minimum severities `m` steps through.
MIN_SEVERITIES = (
    Severity.UNDEFINED,
    Severity.LOW,
    Severity.MEDIUM,
    Severity.HIGH,
    Severity.CRITICAL,
)


class FindingsPane(Pane):
    """The scan findings of one image, worst first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "cycle_min_severity", "Min severity", id="findings.min_severity"),
        Binding("escape", "back", "Back", show=False, id="findings.back"),
    ]

    noun = "findings"

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
        self.report: ScanReport | None = None
        self.min_severity = Severity.UNDEFINED
        self._poll: Timer | None = None
        self._placeholder: Timer | None = None

    def compose(self) -> ComposeResult:
        """A summary line above the table."""
        self.summary = InfoLines(classes="summary")
        yield self.summary
        yield from super().compose()

    def make_table(self) -> VirtualTable[Any]:
        """Severity, score, id, package, versions."""
        return VirtualTable(
            [
                Column("Severity", 9),
                Column("Score", 5, align="right"),
                Column("Vulnerability", 14),
                # Where the width is short, the fixed version gets room first: it is
                # what to upgrade to. Then the package; the installed version last.
                Column("Package", 10, flexible=True, max_width=28, grow_order=1),
                Column("Version", 7, flexible=True, grow_order=2),
                Column("Fixed in", 8, flexible=True, max_width=18),
            ],
            render_finding,
            lambda f: f"{f.name} {f.package} {f.severity.name} {f.package_version}",
            empty_text="Choose an image.",
            id="findings-table",
        )

    def show(self, reader: Reader, image: Image | None, force: bool = False) -> None:
        """Show `image`'s findings, fetching them only when a scan has results."""
        if image is None:
            self.reader = reader
            self.show_nothing()
            return
        if not force and self.reader is reader and self._shows_scan_of(image):
            self.image = image  # a newer record of the same image and scan
            return
        if not force and image == self.image and self.reader is reader:
            return
        self.reader, self.image, self.report = reader, image, None
        self._stop_polling()
        self._stop_placeholder()
        if image.scan_state is ScanState.NOT_SCANNED:
            self._next_request()
            self._loading_over()
            self._show_title()
            self.summary.update(Text("Not scanned.", self.table.palette("muted")))
            self.table.empty_text = "This image has never been scanned."
            self.refresh_subtitle()
            return
        request = self._next_request(keep_showing=True)
        self._placeholder = self.set_timer(FINDINGS_STAY_SECONDS, self._show_placeholder)
        self.current_load = self._fetch(reader, image, request)

    def show_nothing(self, why: str = "") -> None:
        """No image: an empty pane that says `why` (by default, to choose one)."""
        self.image, self.report = None, None
        self._stop_polling()
        self._stop_placeholder()
        self._next_request()
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
        self.summary.update("Loading findings…")
        self.table.empty_text = "Loading findings…"
        self.refresh_subtitle()

    def _stop_placeholder(self) -> None:
        if self._placeholder is not None:
            self._placeholder.stop()
            self._placeholder = None

    @work(thread=True, exclusive=True, group="findings", exit_on_error=False)
    def _fetch(self, reader: Reader, image: Image, request: int) -> None:
        worker = get_current_worker()
        report = reader.scan_report(image, lambda: worker.is_cancelled)
        self.post_message(self.Loaded(request, [report], done=True))

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

    def _show_report(self, request: int, report: ScanReport) -> None:
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
        self.report = report
        self._loading_over()
        self._show_title()
        # One fixed line: no need to lay the screen out again.
        palette = self.table.palette
        self.summary.update(scan_summary(report, palette), scan_summary_short(report, palette))
        self.table.empty_text = scan_empty_text(report)
        self._apply_min_severity()
        if report.state is ScanState.IN_PROGRESS and self.reader and self.image:
            self._poll = self.set_timer(SCAN_POLL_SECONDS, self._poll_again)
        if self.image is not None:
            self.post_message(self.ScanReported(self.image, report))

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
            self.current_load = self._fetch(self.reader, self.image, self._request)

    def _stop_polling(self) -> None:
        if self._poll is not None:
            self._poll.stop()
            self._poll = None

    def action_cycle_min_severity(self) -> None:
        """Hide findings below LOW, MEDIUM, HIGH, CRITICAL in turn."""
        index = MIN_SEVERITIES.index(self.min_severity)
        self.min_severity = MIN_SEVERITIES[(index + 1) % len(MIN_SEVERITIES)]
        self._apply_min_severity()
        shown = "all" if self.min_severity is Severity.UNDEFINED else self.min_severity.name
        self.notify(f"Findings: {shown.lower()} and worse", timeout=2)

    def _apply_min_severity(self) -> None:
        findings = self.report.findings if self.report else ()
        self.table.set_rows(f for f in findings if f.severity >= self.min_severity)
        self.refresh_subtitle()

    def refresh_subtitle(self) -> None:
        super().refresh_subtitle()
        if self.min_severity is not Severity.UNDEFINED:
            self.border_subtitle = f"{self.border_subtitle} · ≥ {self.min_severity.name.lower()}"

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
        """The highlighted finding's link."""
        self.set_info(Text(finding.uri or finding.name) if finding else "")


def render_finding(finding: Finding, palette: Palette) -> list[Cell]:
    """One finding row."""
    return [
        Text(SEVERITY_LABEL[finding.severity], palette(SEVERITY_STYLE_NAME[finding.severity])),
        f"{finding.score:.1f}" if finding.score is not None else "",
        finding.name,
        finding.package,
        finding.package_version,
        Text(finding.fixed_in) if finding.fixed_in else Text("none", palette("muted")),
    ]


def scan_summary(report: ScanReport, palette: Palette) -> Text:
    """The line above the findings: state, counts, when."""
    if report.state is ScanState.COMPLETE:
        text = severity_summary_text(report.summary, palette)
        if report.completed_at:
            text.append(f"  scanned {relative_time(report.completed_at)}", palette("muted"))
        return text
    style = palette(SCAN_STYLE_NAME[report.state])
    return Text(f"{_SCAN_HEADLINE[report.state]} {report.description}".strip(), style)


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
}


def scan_empty_text(report: ScanReport) -> str:
    """What the table says when it has no finding to list."""
    return {
        ScanState.COMPLETE: "No findings: nothing known to be vulnerable.",
        ScanState.IN_PROGRESS: "Scan in progress: findings appear here when it completes.",
        ScanState.FAILED: f"Scan failed. {report.description}",
        ScanState.NOT_SCANNED: "This image has never been scanned.",
        ScanState.UNSUPPORTED: f"ECR cannot scan this image. {report.description}",
        ScanState.FINDINGS_UNAVAILABLE: f"Findings unavailable. {report.description}",
    }[report.state]
