"""Screens shown over the panes: the key help and a finding's details."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ecr_tui.core.models import Finding
from ecr_tui.ui.finding_text import detail_rows
from ecr_tui.ui.format import SEVERITY_STYLE_NAME
from ecr_tui.ui.key_names import keys_label


class HelpScreen(ModalScreen[None]):
    """Every key, grouped by where it works; above them, where the app is connected.

    `about` rows (label, text) say in full what the status line may shorten: the
    endpoint, Docker's state and why it is unavailable. `commands` rows (usage,
    what it does) list the command bar's commands after the keys.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(
        self,
        sections: Sequence[tuple[str, Iterable[BindingType]]],
        read_only: bool = False,
        keymap: Mapping[str, str] | None = None,
        about: Sequence[tuple[str, str]] = (),
        commands: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__()
        self.sections = sections
        self.read_only = read_only
        self.keymap = keymap or {}
        self.about = about
        self.commands = commands

    def _keys(self, binding: Binding) -> str:
        """The keys in force: the config file's remapping, else the default."""
        return keys_label(self.keymap.get(binding.id or "", binding.key))

    def key_rows(self) -> list[tuple[str, str]]:
        """(keys, description) for every described binding, section by section."""
        return [
            (self._keys(binding), binding.description)
            for _, bindings in self.sections
            for binding in bindings
            if isinstance(binding, Binding) and binding.description
        ]

    def compose(self) -> ComposeResult:
        """One table of keys per section."""
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        if self.read_only:
            table.add_row(Text("READ-ONLY", style="bold reverse"), "keys that change ECR refuse")
            table.add_row("", "")
        if self.about:
            for label, text in self.about:
                table.add_row(label, Text(text))
            table.add_row("", "")
        for title, bindings in self.sections:
            table.add_row(Text(title, style="underline"), "")
            for binding in bindings:
                if isinstance(binding, Binding) and binding.description:
                    table.add_row(self._keys(binding), binding.description)
            table.add_row("", "")
        if self.commands:
            table.add_row(Text("Command bar (:)", style="underline"), "")
            for usage, what in self.commands:
                table.add_row(usage, what)
            table.add_row("", Text("tab completes, ↑ ↓ earlier commands", style="italic"))
            table.add_row("", "")
        table.add_row("", Text("esc, q or ? closes this help", style="italic"))
        with VerticalScroll(id="help-body") as scroll:
            scroll.border_title = "Keys"
            yield Static(table)


class FindingScreen(ModalScreen[None]):
    """One finding in full: scores, fix, packages, dates, links, description, remediation."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "Close", id="finding.close"),
    ]

    def __init__(self, finding: Finding) -> None:
        super().__init__()
        self.finding = finding

    def compose(self) -> ComposeResult:
        """Fields as label/value lines (every one ECR sent), then the long texts."""
        finding = self.finding
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")  # long links and ARNs in full, folded
        severity_class = f"severity-{SEVERITY_STYLE_NAME[finding.severity]}"
        for label, value in detail_rows(finding):
            table.add_row(label, Text(value))  # ECR's text, never read as markup
        with VerticalScroll(id="finding-body") as scroll:
            scroll.border_title = finding.name
            scroll.border_subtitle = "esc closes"
            yield Static(table, classes=severity_class)
            yield Static(finding.description or "No description.", classes="finding-text")
            if finding.remediation:
                yield Static(f"Remediation: {finding.remediation}", classes="finding-text")
