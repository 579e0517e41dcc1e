"""The images behind a row of the vulnerabilities view, and the way to each one's findings.

For a vulnerability: every image in scope that has it, with repository, tags,
pushed and last pulled. For a repository: its images' findings; for a package
version: the findings it brings. While the fan-out runs, the list grows (the
title says it is partial). Enter opens the image in the panes, on its findings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from ecr_tui.core.fleet.groups import (
    AffectedImage,
    FleetFindings,
    PackageGroup,
    RepositoryGroup,
    VulnerabilityGroup,
)
from ecr_tui.ui.fleet.coverage_line import coverage_text, phase, show_coverage
from ecr_tui.ui.fleet.rows import AFFECTED_COLUMNS, AFFECTED_SORTS, affected_cells, affected_search
from ecr_tui.ui.fleet.session import FleetSession
from ecr_tui.ui.fleet.where import title_line, view_context
from ecr_tui.ui.key_bar import KeyBar
from ecr_tui.ui.table.filter_box import FilterBox, FilterKeys
from ecr_tui.ui.table.widget import VirtualTable

REFRESH_SECONDS = 1.0


class AffectedScreen(FilterKeys, Screen[None]):
    """Affected images of one row; enter goes to an image's findings in the panes."""

    DEFAULT_CSS = """
    AffectedScreen { layout: vertical; }
    AffectedScreen #affected-title { height: 1; padding: 0 1; text-style: bold; }
    AffectedScreen #affected-status {
        height: auto; max-height: 3; padding: 0 1; color: $text-muted;
    }
    AffectedScreen #affected-table { height: 1fr; border: round $primary; }
    AffectedScreen #affected-info { height: 1; padding: 0 1; }
    AffectedScreen .filter { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="affected.close"),
        Binding("s", "cycle_sort", "Sort", id="affected.sort"),
        Binding("c", "copy_id", "Copy id", id="affected.copy"),
        Binding("E", "export", "Export", id="affected.export"),
        FilterKeys.filter_binding("affected.filter"),
    ]

    def __init__(
        self,
        session: FleetSession,
        title: str,
        rows: Callable[[FleetFindings], list[AffectedImage]],
        cve: str = "",
    ) -> None:
        super().__init__()
        self.session = session
        self.title_text = title
        self.rows_of = rows
        self.cve = cve  # the vulnerability listed, when it is one
        self.sort_index = 0
        self.table: VirtualTable[AffectedImage] = VirtualTable(
            AFFECTED_COLUMNS,
            affected_cells,
            affected_search,
            empty_text="No image in scope has it (yet).",
            id="affected-table",
        )
        self.filter_box = FilterBox(self.table)
        self._version = -1
        self.last_export = ""

    @classmethod
    def for_row(cls, session: FleetSession, row: Any) -> AffectedScreen:
        """The screen for a row of any grouping."""
        if isinstance(row, VulnerabilityGroup):
            return cls.for_vulnerability(session, row.cve)
        if isinstance(row, RepositoryGroup):
            name = row.repository
            return cls(
                session,
                f"Findings in {name}",
                lambda shown: [
                    AffectedImage(image, finding, shown.platform_of(image))
                    for image, findings in shown.images_of(name)
                    for finding in findings
                ],
            )
        assert isinstance(row, PackageGroup)
        package, version = row.package, row.version
        return cls(
            session,
            f"Findings of {package} {version}".strip(),
            lambda shown: shown.images_with_package(package, version),
        )

    @classmethod
    def for_vulnerability(cls, session: FleetSession, cve: str) -> AffectedScreen:
        """Every image in scope with `cve`."""
        return cls(session, f"Images with {cve}", lambda shown: shown.affected_images(cve), cve=cve)

    def compose(self) -> ComposeResult:
        yield Static(id="affected-title")
        yield Static(id="affected-status")
        yield self.table
        yield self.filter_box
        yield Static(id="affected-info")
        yield KeyBar(id="affected-keybar")

    def on_mount(self) -> None:
        self.table.set_sort(AFFECTED_SORTS[0][1])
        self.table.highlight_hook = self._describe
        self.table.focus()
        self._refresh_rows()
        self.set_interval(REFRESH_SECONDS, self._refresh_rows)

    def _refresh_rows(self) -> None:
        session = self.session
        version = session.version
        progress = session.progress
        if version != self._version and self.table.keys_pause_in() <= 0:
            rows = session.read(self.rows_of)
            assert isinstance(rows, list)
            self.table.set_rows(rows)
            self._version = version
        images = len({row.key for row in self.table.rows})
        title = f"{self.title_text} · {images:,} images · {len(self.table.rows):,} findings"
        title += f" · sort: {AFFECTED_SORTS[self.sort_index][0]}"
        if self.filter_box.value:
            title += f" · filter: {self.filter_box.value}"
        # The account and region first (this screen hides the app's status line): the
        # rest is cut to fit, never they.
        line = self.query_one("#affected-title", Static)
        context = view_context(self.app, session.service)
        line.update(title_line(context, title, line.content_region.width))
        # The vulnerabilities view's coverage line, wrapped and marked as it is there.
        text = coverage_text(session)
        if not progress.finished:
            text = f"still reading ({progress.phase_line(*phase(session.scan.source))}) · {text}"
        show_coverage(self.query_one("#affected-status", Static), text)

    def _describe(self, row: AffectedImage | None) -> None:
        text = ""
        if row is not None:
            image = row.image
            text = f"{image.repository}@{image.digest} · enter: its findings in the panes"
        if self.last_export:
            text = f"{self.last_export} · {text}"
        self.query_one("#affected-info", Static).update(Text(text, no_wrap=True))

    @on(VirtualTable.RowSelected, "#affected-table")
    def _open(self, event: VirtualTable.RowSelected) -> None:
        """Close the views and show the image, and its findings, in the panes."""
        event.stop()
        row = event.row
        assert isinstance(row, AffectedImage)
        go_to_image = getattr(self.app, "go_to_fleet_image", None)
        if go_to_image is not None:
            go_to_image(row.image.repository, row.image.digest)

    def action_cycle_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(AFFECTED_SORTS)
        self.table.set_sort(AFFECTED_SORTS[self.sort_index][1])
        self._version = -1
        self._refresh_rows()

    def action_copy_id(self) -> None:
        """Copy the vulnerability id of the row (or the image reference)."""
        row = self.table.current_row
        if row is None:
            return
        self.app.copy_to_clipboard(row.finding.name)
        self.notify(f"Copied {row.finding.name}", timeout=5)

    def action_export(self) -> None:
        """Export these rows."""
        from ecr_tui.ui.fleet.export_actions import export_affected

        export_affected(self)

    def exported(self, line: str) -> None:
        self.last_export = line
        self._describe(self.table.current_row)

    def action_close(self) -> None:
        self.app.pop_screen()
