"""Export from the vulnerabilities view: choose a format, write a file, show where it went.

The file goes to the folder screenshots go to (Downloads, else the current
directory, else the temporary folder), or to $ECR_TUI_EXPORT_DIR when set;
its name says what it holds and when. Writing happens in a thread worker; the
path is shown in a notification and under the table.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ecr_tui.core.fleet.document import Export
from ecr_tui.core.fleet.export import FORMATS, SUFFIXES, fleet_export, image_export
from ecr_tui.core.fleet.export import write as write_export
from ecr_tui.ui.background import run_then
from ecr_tui.ui.dialogs.shared import dialog_css
from ecr_tui.ui.fleet.where import view_context

if TYPE_CHECKING:
    from textual.widget import Widget

    from ecr_tui.core.models import Finding, Image, ScanReport
    from ecr_tui.ui.app_host import AppHost
    from ecr_tui.ui.fleet.affected import AffectedScreen
    from ecr_tui.ui.fleet.session import FleetSession
    from ecr_tui.ui.fleet.view import VulnerabilitiesScreen

EXPORT_DIR_VARIABLE = "ECR_TUI_EXPORT_DIR"


class ExportFormatScreen(ModalScreen[str | None]):
    """Which format: 1 CSV, 2 JSON, 3 Markdown, 4 SARIF; escape changes nothing."""

    DEFAULT_CSS = dialog_css("ExportFormatScreen")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "choose('csv')", "CSV", id="export.csv"),
        Binding("2", "choose('json')", "JSON", id="export.json"),
        Binding("3", "choose('markdown')", "Markdown", id="export.markdown"),
        Binding("4", "choose('sarif')", "SARIF", id="export.sarif"),
        Binding("escape", "choose('')", "Cancel", id="export.cancel"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Export"
            yield Static(self.what, markup=False)
            yield Static(
                "1  CSV (a spreadsheet)\n2  JSON\n3  Markdown (for a ticket)\n"
                "4  SARIF 2.1.0 (for code-scanning tools)",
                markup=False,
            )
            yield Static("1-4 choose · esc cancels", classes="hint")

    def action_choose(self, fmt: str) -> None:
        self.dismiss(fmt or None)


def export_folder() -> Path:
    """Where exports go: $ECR_TUI_EXPORT_DIR, else where screenshots go."""
    chosen = os.environ.get(EXPORT_DIR_VARIABLE)
    if chosen:
        return Path(chosen).expanduser()
    from ecr_tui.ui.screenshot import screenshot_folder

    return screenshot_folder()


def export_path(name: str, fmt: str, now: datetime | None = None) -> Path:
    """A new file for an export of `name` in `fmt`, in `export_folder()`."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "findings"
    return export_folder() / f"ecr-findings-{safe}-{stamp}{SUFFIXES[fmt]}"


def _export(
    screen: VulnerabilitiesScreen | AffectedScreen | Widget,
    name: str,
    what: str,
    build: Callable[[], Export],
) -> None:
    app = screen.app

    def chosen(fmt: str | None) -> None:
        if fmt not in FORMATS:
            return

        def save() -> tuple[Path, int]:
            export = build()
            path = export_path(name, fmt)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as out:
                write_export(export, fmt, out)
            return path, len(export.rows)

        def done(result: tuple[Path, int]) -> None:
            path, rows = result
            line = f"Exported {rows:,} findings ({fmt}) to {path}"
            exported = getattr(screen, "exported", None)
            if exported is not None:
                exported(line)
            app.notify(str(path), title=f"Exported {rows:,} findings", timeout=12)

        run_then(cast("AppHost", app), save, done, group="export", wait_for_ui=False)

    app.push_screen(ExportFormatScreen(what), chosen)


def export_fleet(screen: VulnerabilitiesScreen, session: FleetSession) -> None:
    """Export every finding the view's filters keep."""

    def build() -> Export:
        shown = session.shown
        where = view_context(screen.app, session.service)
        return fleet_export(
            shown,
            session.coverage_line,
            session.complete,
            account=where.account,
            region=where.region,
        )

    count = session.shown.finding_count
    _export(screen, "fleet", f"{count:,} findings with the view's filters", build)


def export_affected(screen: AffectedScreen) -> None:
    """Export the rows the affected-images screen lists (its text filter too)."""
    session = screen.session
    rows = tuple(screen.table.rows)
    where = view_context(screen.app, session.service)

    def build() -> Export:
        return Export(
            screen.cve or screen.title_text,
            rows,
            tuple(session.scope.describe()),
            session.coverage_line,
            session.complete,
            account=where.account,
            region=where.region,
        )

    _export(screen, screen.cve or screen.title_text, f"{len(rows):,} findings shown", build)


def export_image(pane: Widget, image: Image, report: ScanReport, shown: list[Finding]) -> None:
    """Export one image's findings, as its findings pane shows them (its filters too)."""
    label = image.tags[0] if image.tags else image.short_digest
    what = f"{len(shown):,} findings of {image.repository}:{label}"
    app: Any = pane.app
    where = view_context(app, app.service) if app.service is not None else None

    def build() -> Export:
        account, region = (where.account, where.region) if where else ("", "")
        return image_export(image, report, shown, account=account, region=region)

    _export(pane, f"{image.repository}-{label}", what, build)
