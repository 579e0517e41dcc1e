"""The vulnerabilities view: every image in scope's findings, grouped, while they arrive.

Grouped by vulnerability, by repository or by package (`v`), sorted (`s`),
filtered by text (`/`) and by scope (severity, fix, exploit, tags, newest N,
last pull, repository pattern). The fan-out runs in a thread worker; the view
reads its progress and findings on a timer and never while keys are coming,
so no key waits. The coverage line says which images the rows speak for.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from ecr_tui.core.ecr import EcrService
from ecr_tui.core.fleet.fanout import Progress
from ecr_tui.core.fleet.groups import FleetFindings, VulnerabilityGroup
from ecr_tui.core.fleet.remote_scan import FleetReader
from ecr_tui.core.fleet.scope import Scope, no_repository_matches
from ecr_tui.ui.fleet.coverage_line import coverage_text, phase, show_coverage, within_lines
from ecr_tui.ui.fleet.reads import EarlierReads
from ecr_tui.ui.fleet.rows import (
    BY_REPOSITORY,
    GROUPINGS,
    FleetRow,
    Grouping,
    repository_columns,
)
from ecr_tui.ui.fleet.scope_keys import ScopeKeys
from ecr_tui.ui.fleet.session import FleetSession
from ecr_tui.ui.fleet.where import view_context
from ecr_tui.ui.key_bar import KeyBar
from ecr_tui.ui.table.filter_box import FilterBox, FilterKeys
from ecr_tui.ui.table.widget import VirtualTable

# How often the view reads the fan-out's progress and, when it moved, its rows.
REFRESH_SECONDS = 0.5
# While reports arrive, a rebuild of the rows that took t of CPU waits REBUILD_SHARE
# * t before the next: the UI process spends about a tenth of its time on them.
REBUILD_SHARE = 10.0
LONGEST_REBUILD_WAIT = 2.0  # seconds: the rows still stream in
BAR_WIDTH = 24


class VulnerabilitiesScreen(FilterKeys, ScopeKeys, Screen[None]):
    """Findings across the registry, three ways; the fan-out behind them runs on."""

    DEFAULT_CSS = """
    VulnerabilitiesScreen { layout: vertical; }
    VulnerabilitiesScreen #fleet-scope {
        height: auto; max-height: 2; padding: 0 1; text-style: bold;
    }
    VulnerabilitiesScreen #fleet-progress { height: 1; padding: 0 1; }
    VulnerabilitiesScreen #fleet-coverage {
        height: auto; max-height: 3; padding: 0 1; color: $text-muted;
    }
    VulnerabilitiesScreen .fleet-table { height: 1fr; border: round $primary; display: none; }
    VulnerabilitiesScreen .fleet-table.shown { display: block; }
    VulnerabilitiesScreen #fleet-info { height: 2; padding: 0 1; }
    VulnerabilitiesScreen .filter { display: none; }
    """

    # The most useful first: a narrow key bar leaves out the last ones (? lists them all).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="fleet.close"),
        Binding("v", "cycle_grouping", "Group by", id="fleet.group"),
        Binding("s", "cycle_sort", "Sort", id="fleet.sort"),
        FilterKeys.filter_binding("fleet.filter"),
        *ScopeKeys.SCOPE_BINDINGS,
        Binding("E", "export", "Export", id="fleet.export"),
        Binding("x", "cancel_scan", "Cancel", id="fleet.cancel"),
        Binding(
            "a", "toggle_every_image", "Every image / latest", show=False, id="fleet.every_image"
        ),
        Binding("r", "rescan", "Read again", show=False, id="fleet.rescan"),
        Binding("c", "copy_id", "Copy id", show=False, id="fleet.copy"),
    ]

    def __init__(
        self, service: EcrService, scope: Scope | None = None, reader: FleetReader | None = None
    ) -> None:
        super().__init__()
        self.service = service
        # The app's reader: the fan-out runs in its child process (None: in this one).
        self.reader = reader
        self.scope = scope or Scope()
        self.grouping: Grouping = GROUPINGS[0]
        self.sort_index = 0
        # By repository, counts on every image in scope (`a`), not only the images that
        # matter: each repository's latest tagged image, or those pulled in the window.
        self.every_image = False
        # Made now, started on mount: `open_vulnerability` lists its images at once.
        self.session: FleetSession | None = self._new_session()
        # Whole reads of other image scopes: an image filter toggled back shows its read.
        self.earlier = EarlierReads()
        # A table (and its filter box) per grouping: each keeps its columns and sort.
        self.tables: dict[str, VirtualTable[Any]] = {
            g.name: VirtualTable(
                g.columns,
                g.cells,
                g.search,
                empty_text="Reading the registry's findings…",
                id=f"fleet-{g.name}",
                classes="fleet-table",
            )
            for g in GROUPINGS
        }
        self.filter_boxes = {name: FilterBox(table) for name, table in self.tables.items()}
        # The session version each grouping's table shows (rows are rebuilt when it moved).
        self._shown_versions: dict[str, int] = {}
        self._rebuilding = False
        self._next_rebuild = 0.0  # while reading, no rebuild before (monotonic)
        self._timer: Timer | None = None
        self.last_export = ""
        # A vulnerability to land on once it arrives (`open_vulnerability`).
        self.wanted_cve = ""

    @property
    def table(self) -> VirtualTable[Any]:
        """The table of the grouping shown."""
        return self.tables[self.grouping.name]

    @property
    def filter_box(self) -> FilterBox:
        return self.filter_boxes[self.grouping.name]

    def compose(self) -> ComposeResult:
        yield Static(id="fleet-scope")
        yield Static(id="fleet-progress")
        yield Static(id="fleet-coverage")
        for name, table in self.tables.items():
            yield table
            yield self.filter_boxes[name]
        yield Static(id="fleet-info")
        yield KeyBar(id="fleet-keybar")

    def on_mount(self) -> None:
        for grouping in GROUPINGS:
            table = self.tables[grouping.name]
            table.border_title = grouping.noun.capitalize()
            table.highlight_hook = self._describe
            table.set_sort(grouping.sorts[0][1])
        self._apply_grouping()
        self.start(first=True)
        self._timer = self.set_interval(REFRESH_SECONDS, self._tick)

    # -- the fan-out ------------------------------------------------------------------

    def _new_session(self) -> FleetSession:
        """The fan-out (and what the view shows of it) for the scope as it is now."""
        return FleetSession(self.service, self.scope, reader=self.reader)

    def start(self, first: bool = False) -> None:
        """A new fan-out for the scope's images (the last one, if any, is cancelled)."""
        if self.session is not None and not first:
            self.session.cancel()
            self.session = self._new_session()
        assert self.session is not None
        self._shown_versions = {}
        for table in self.tables.values():
            table.set_rows([])
            table.empty_text = "Reading the registry's findings…"
        self._run(self.session)
        self._show_scope()
        self._tick()

    @work(thread=True, group="fleet", exit_on_error=False, description="fleet fan-out")
    def _run(self, session: FleetSession) -> None:
        session.run()

    def change_scope(self, scope: Scope) -> None:
        """Apply new filters: refilter what was read, show again a whole read of the same
        images (kept when the scope left it), or read again for other images."""
        session = self.session
        self.scope = scope
        self._show_scope()
        if session is not None and session.same_images(scope):
            self._refilter(session, scope)
            return
        if session is not None and not self.earlier.keep(session):
            session.cancel()  # left part way: stopped, and not kept (see EarlierReads)
        earlier = self.earlier.take(scope)
        if earlier is None:
            self.start()
        else:
            self._show_again(earlier, scope)

    def _show_again(self, session: FleetSession, scope: Scope) -> None:
        """`session`'s read, under `scope`'s findings filters: no call, and the coverage
        line says how old its reports are."""
        session.reused = True
        self.session = session
        self._shown_versions = {}
        for table in self.tables.values():
            table.set_rows([])
            table.empty_text = "Filtering the reports read…"
        if session.scope != scope:
            self._refilter(session, scope)
        self._show_scope()
        self._tick()

    @work(thread=True, group="fleet-filter", exclusive=True, exit_on_error=False)
    def _refilter(self, session: FleetSession, scope: Scope) -> None:
        session.refilter(scope)
        # Keys sent in one burst refilter side by side, in any order: the last one done
        # must be the scope asked for last (the rows wait for it, see `_tick`).
        while session is self.session and session.same_images(self.scope):
            wanted = self.scope
            if session.scope == wanted:
                return
            session.refilter(wanted)

    def action_cancel_scan(self) -> None:
        """Stop reading; what was read stays, and the coverage says what was not."""
        if self.session is not None and not self.session.progress.finished:
            self.session.cancel()
            self.notify("Stopped: the rows speak for the images read so far.", timeout=6)

    def action_rescan(self) -> None:
        """Read every report in scope again (no earlier read is shown again: all are old)."""
        self.earlier.forget()
        self.start()

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.cancel()

    # -- showing ----------------------------------------------------------------------

    def _tick(self) -> None:
        session = self.session
        if session is None:
            return
        progress = session.progress
        progress_line = self.query_one("#fleet-progress", Static)
        width = progress_line.content_region.width
        progress_line.update(_progress_text(progress, session.scan.source, width))
        coverage = coverage_text(session)
        if missed := _pattern_missed(session):
            coverage = f"{missed} · {coverage}"
        problems = session.problems
        show_coverage(self.query_one("#fleet-coverage", Static), coverage)
        if session.scope != self.scope:
            return  # refiltering for the new findings filters: the rows change once it is done
        if progress.finished and not self.table.total_rows:
            self.table.empty_text = _nothing_in_scope(session, problems)
            self.table.refresh()
        moved = session.version != self._shown_versions.get(self.grouping.name)
        if moved and not self._rebuilding:
            if self.table.keys_pause_in() > 0:
                return  # keys first: the rows change once they pause (even the last ones)
            if not progress.finished and time.monotonic() < self._next_rebuild:
                return  # the next tick, or the last one, shows them
            self._rebuild(session, session.version)

    @work(thread=True, group="fleet-rows", exclusive=True, exit_on_error=False)
    def _rebuild(self, session: FleetSession, version: int) -> None:
        self._rebuilding = True
        grouping = self.grouping
        every_image = self.every_image
        started = time.thread_time()  # this thread's CPU: a busy machine is not the cost
        try:
            found = session.read(lambda shown: _rows(shown, grouping, every_image))
            rows, notes = cast(tuple[list[FleetRow], tuple[str, str]], found)
            # Here, not on the UI thread: each row's search text.
            texts = self.tables[grouping.name].search_texts(rows)
            cost = time.thread_time() - started
            # Rows rebuilt while reports arrive cost the keys' CPU: at most a tenth of it.
            wait = min(REBUILD_SHARE * cost, LONGEST_REBUILD_WAIT)
            self._next_rebuild = time.monotonic() + wait
            self.app.call_from_thread(
                self._show_rows, session, rows, texts, version, grouping, every_image, notes
            )
        finally:
            self._rebuilding = False

    def _show_rows(
        self,
        session: FleetSession,
        rows: Any,
        texts: list[str],
        version: int,
        grouping: Grouping,
        every_image: bool,
        notes: tuple[str, str],
    ) -> None:
        if grouping is not self.grouping or every_image != self.every_image:
            return
        if session is not self.session:  # another scope's read: its version is not ours
            return
        table = self.table
        if grouping is BY_REPOSITORY:
            table.set_columns(repository_columns(rows))
        # Which images the counts speak for, and what a filter left out unseen.
        table.border_title, table.border_subtitle = notes
        current = table.current_row
        kept = _identity(current) if current is not None and table.cursor_row else None
        table.set_rows(rows, texts)
        if kept is not None:
            table.move_to_first(lambda row: _identity(row) == kept)
        if self.wanted_cve and grouping.name == "vulnerability":
            wanted = self.wanted_cve.upper()
            if self.table.move_to_first(lambda row: row.cve.upper() == wanted):
                self.wanted_cve = ""
        self._shown_versions[grouping.name] = version
        self.table.empty_text = "Nothing in scope yet…"
        self._show_scope()
        self._describe(self.table.current_row)

    def _show_scope(self) -> None:
        words = ", ".join(self.scope.describe()) or "every image, every finding"
        shown, total = len(self.table.rows), self.table.total_rows
        count = f"{shown:,} of {total:,}" if shown != total else f"{total:,}"
        session = self.session
        if session is not None and session.scope != self.scope:
            # Refiltering (a second or two over 500,000 findings): the rows shown are
            # still the previous filters', so they are not counted as these filters'.
            count = "filtering…"
        # The account and region first (this screen hides the app's status line): what
        # does not fit in two lines is cut from the end, never them.
        label = f"{view_context(self.app, self.service).words()} │ By {self.grouping.name}"
        label += f" · {count} {self.grouping.noun} · {words}"
        label += f" · sort: {self.grouping.sorts[self.sort_index][0]}"
        if self.filter_box.value:
            label += f" · filter: {self.filter_box.value}"
        line = self.query_one("#fleet-scope", Static)
        line.update(within_lines(self.app.console, label, line.content_region.width, most=2))

    def _describe(self, row: Any) -> None:
        info = self.query_one("#fleet-info", Static)
        text = ""
        if isinstance(row, VulnerabilityGroup):
            text = f"{row.cve}: {row.description}"
        elif row is not None:
            text = "enter: the images behind this row"
        if self.last_export:
            text = f"{self.last_export}\n{text}"
        info.update(Text(text, no_wrap=True, overflow="ellipsis"))

    # -- grouping, sorting, text filter --------------------------------------------------

    def action_cycle_grouping(self) -> None:
        """By vulnerability, by repository, by package."""
        index = GROUPINGS.index(self.grouping)
        self.grouping = GROUPINGS[(index + 1) % len(GROUPINGS)]
        self.sort_index = 0
        self._apply_grouping()
        if self.session is not None and not self._rebuilding:
            self._rebuild(self.session, self.session.version)

    def _apply_grouping(self) -> None:
        for name, table in self.tables.items():
            table.set_class(name == self.grouping.name, "shown")
        self.table.set_sort(self.grouping.sorts[self.sort_index][1])
        self.set_focus(self.table)
        self._show_scope()

    def action_toggle_every_image(self) -> None:
        """By repository: count every image in scope, or the images that matter."""
        self.every_image = not self.every_image
        rule = "every image in scope" if self.every_image else _rule(self.scope)
        self.notify(f"By repository counts {rule}.", timeout=4)
        if self.session is not None and not self._rebuilding:
            self._shown_versions.pop(BY_REPOSITORY.name, None)
            if self.grouping is BY_REPOSITORY:
                self._rebuild(self.session, self.session.version)

    def action_cycle_sort(self) -> None:
        """The next of the grouping's orders."""
        self.sort_index = (self.sort_index + 1) % len(self.grouping.sorts)
        self.table.set_sort(self.grouping.sorts[self.sort_index][1])
        self._show_scope()

    def filter_changed(self) -> None:
        self._show_scope()

    # -- rows ---------------------------------------------------------------------------

    @on(VirtualTable.RowSelected, ".fleet-table")
    def _drill(self, event: VirtualTable.RowSelected) -> None:
        """The images behind the row."""
        from ecr_tui.ui.fleet.affected import AffectedScreen

        event.stop()
        if self.session is not None:
            self.app.push_screen(AffectedScreen.for_row(self.session, event.row))

    def action_copy_id(self) -> None:
        """Copy the vulnerability id (or repository, or package) under the cursor."""
        row = self.table.current_row
        if row is None:
            return
        text = _identity(row)
        copied = text if isinstance(text, str) else " ".join(text)
        self.app.copy_to_clipboard(copied)
        self.notify(f"Copied {copied}", timeout=5)

    def action_export(self) -> None:
        """Export what the view shows, with its filters."""
        from ecr_tui.ui.fleet.export_actions import export_fleet

        if self.session is not None:
            export_fleet(self, self.session)

    def exported(self, line: str) -> None:
        """Say where the last export went (under the table, and in a notification)."""
        self.last_export = line
        self._describe(self.table.current_row)

    def action_close(self) -> None:
        """Back to the panes; the fan-out runs on (x cancels it)."""
        self.app.pop_screen()

    def land_on(self, cve: str) -> None:
        """Put the cursor on `cve` now, or when it arrives."""
        self.wanted_cve = cve
        if self.grouping.name != "vulnerability":
            self.grouping = GROUPINGS[0]
            self.sort_index = 0
            self._apply_grouping()
        if self.session is not None:
            self._rebuild(self.session, self.session.version)


def _rows(
    shown: FleetFindings, grouping: Grouping, every_image: bool
) -> tuple[list[FleetRow], tuple[str, str]]:
    """The grouping's rows, and the table's title and subtitle: what they count."""
    title = grouping.noun.capitalize()
    left_out = shown.unknown_fix_left_out
    subtitle = f"{left_out:,} findings of unknown fix status left out" if left_out else ""
    rows: list[FleetRow]
    if grouping.name == "vulnerability":
        rows = list(shown.by_vulnerability())
    elif grouping.name == "repository":
        rows = list(shown.by_repository(every_image=every_image))
        rule = "every image in scope" if every_image else _rule(shown.scope)
        title = f"{title} · counts: {rule} (a: {'latest' if every_image else 'every image'})"
        without = shown.repository_count - len(rows)
        if without:
            noun = "repository" if without == 1 else "repositories"
            subtitle = "; ".join(
                filter(None, [f"{without:,} {noun} with no tagged image read", subtitle])
            )
    else:
        rows = list(shown.by_package())
    return rows, (title, subtitle)


def _rule(scope: Scope) -> str:
    """Which images the by-repository counts speak for, when not every image."""
    if scope.pulled_within_days is not None:
        return f"images pulled in the last {scope.pulled_within_days:g} days"
    return "the latest tagged image of each"


def _identity(row: Any) -> Any:
    if isinstance(row, VulnerabilityGroup):
        return row.cve
    if hasattr(row, "repository") and not hasattr(row, "package"):
        return row.repository
    return (row.package, row.version)


def _progress_text(progress: Progress, source: str, width: int = 0) -> Text:
    """A bar, the phase, its counts and the time left when it can be told:
    "███░░ DescribeImageScanFindings: reports 1,234/5,546 · 40 calls · ~37 s left".

    In `width` (0: any): the bar goes first when the words do not fit, then the
    words' end, marked "…"."""
    line = progress.phase_line(*phase(source))
    if not progress.finished:
        line += " · x cancels"
    text = Text(overflow="ellipsis", no_wrap=True)
    if progress.reports and (not width or len(line) + BAR_WIDTH + 1 <= width):
        done = progress.reports_done / progress.reports
        filled = int(done * BAR_WIDTH)
        text.append("█" * filled, "bold green")
        text.append("░" * (BAR_WIDTH - filled), "dim")
        text.append(" ")
    text.append(line)
    return text


def _nothing_in_scope(session: FleetSession, problems: list[str]) -> str:
    """Why the view has no rows: what failed, a repository pattern that matches no
    repository (nothing was read: not a clean result), or no findings in scope."""
    if problems:
        return problems[0]
    missed = _pattern_missed(session)
    return f"{missed}: no image was read." if missed else "No findings in scope."


def _pattern_missed(session: FleetSession) -> str:
    """ "no repository matches Web/* (...)" once a finished read found none; else ""."""
    pattern = session.scope.repository_pattern
    progress = session.progress
    listed = progress.repositories  # in scope, once the listing is complete
    if not (pattern and progress.finished and listed == 0):
        return ""
    return "" if session.scan.result.coverage.in_scope else no_repository_matches(pattern)
