"""The vulnerabilities view's keys, as the help screen lists them."""

from __future__ import annotations

from textual.binding import BindingType

from ecr_tui.ui.fleet.affected import AffectedScreen
from ecr_tui.ui.fleet.export_actions import ExportFormatScreen
from ecr_tui.ui.fleet.view import VulnerabilitiesScreen

FLEET_KEY_SECTIONS: list[tuple[str, list[BindingType]]] = [
    ("Vulnerabilities", VulnerabilitiesScreen.BINDINGS),
    ("Affected images", AffectedScreen.BINDINGS),
    ("Export", ExportFormatScreen.BINDINGS),
]
